//! Security events (failed logins, lockouts, refused access): the technical log kept in the
//! database for 12 months, never with medical content.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use sqlx::Row;

use crate::db::{Db, StoreError, now, with_pool};

#[derive(Debug, Clone, Serialize)]
pub struct SecurityEvent {
    pub at: DateTime<Utc>,
    pub kind: String,
    pub login: Option<String>,
    pub ip: Option<String>,
    pub detail: String,
}

impl Db {
    pub async fn record_security_event(
        &self,
        kind: &str,
        login: Option<&str>,
        ip: Option<&str>,
        detail: &str,
    ) -> Result<(), StoreError> {
        tracing::warn!(kind, login, ip, detail, "security event");
        with_pool!(self, pool => {
            sqlx::query("INSERT INTO security_events (at, kind, login, ip, detail) VALUES ($1, $2, $3, $4, $5)")
                .bind(now())
                .bind(kind)
                .bind(login)
                .bind(ip)
                .bind(detail)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    pub async fn list_security_events(&self, limit: i64) -> Result<Vec<SecurityEvent>, StoreError> {
        with_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT at, kind, login, ip, detail FROM security_events ORDER BY id DESC LIMIT $1",
            )
            .bind(limit)
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(SecurityEvent {
                        at: r.try_get("at")?,
                        kind: r.try_get("kind")?,
                        login: r.try_get("login")?,
                        ip: r.try_get("ip")?,
                        detail: r.try_get("detail")?,
                    })
                })
                .collect()
        })
    }

    /// Deletes technical traces older than 12 months (login attempts, security events).
    pub async fn purge_technical_logs(&self) -> Result<u64, StoreError> {
        let cutoff = now() - Duration::days(365);
        with_pool!(self, pool => {
            let a = sqlx::query("DELETE FROM security_events WHERE at < $1").bind(cutoff).execute(pool).await?;
            let b = sqlx::query("DELETE FROM login_attempts WHERE at < $1").bind(cutoff).execute(pool).await?;
            Ok(a.rows_affected() + b.rows_affected())
        })
    }

    /// Records a login attempt (for throttling per address).
    pub async fn record_login_attempt(
        &self,
        login: &str,
        ip: &str,
        success: bool,
    ) -> Result<(), StoreError> {
        with_pool!(self, pool => {
            sqlx::query("INSERT INTO login_attempts (login, ip, at, success) VALUES ($1, $2, $3, $4)")
                .bind(login)
                .bind(ip)
                .bind(now())
                .bind(success)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Failed attempts from `ip` since its last success within the last `window`, and the time
    /// of the latest failure.
    pub async fn recent_failures_from(
        &self,
        ip: &str,
        window: Duration,
    ) -> Result<(u32, Option<DateTime<Utc>>), StoreError> {
        let since = now() - window;
        with_pool!(self, pool => {
            let row = sqlx::query(
                "SELECT COUNT(*) AS n, MAX(at) AS latest FROM login_attempts
                 WHERE ip = $1 AND at > $2 AND success = FALSE
                   AND at > COALESCE((SELECT MAX(at) FROM login_attempts WHERE ip = $1 AND success = TRUE), $2)",
            )
            .bind(ip)
            .bind(since)
            .fetch_one(pool)
            .await?;
            let n: i64 = row.try_get("n")?;
            let latest: Option<DateTime<Utc>> = row.try_get("latest")?;
            Ok((n as u32, latest))
        })
    }
}
