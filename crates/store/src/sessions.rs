//! Login sessions, stored in the database (only the SHA-256 of the cookie value is kept).

use chrono::{DateTime, Utc};
use domain::ids::UserId;
use sqlx::Row;

use crate::db::{Db, StoreError, now, with_pool};
use crate::users::{USER_COLUMNS, User, user_from_row};

/// Where a session stands in the login journey.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionStage {
    /// Password checked, TOTP code expected.
    AwaitingSecondFactor,
    /// Password checked, the role requires a second factor that is not enrolled yet.
    MustEnrolSecondFactor,
    /// Fully logged in.
    Complete,
}

impl SessionStage {
    pub fn code(self) -> &'static str {
        match self {
            SessionStage::AwaitingSecondFactor => "awaiting_second_factor",
            SessionStage::MustEnrolSecondFactor => "must_enrol",
            SessionStage::Complete => "complete",
        }
    }
    fn from_code(code: &str) -> Option<Self> {
        [
            SessionStage::AwaitingSecondFactor,
            SessionStage::MustEnrolSecondFactor,
            SessionStage::Complete,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }
}

#[derive(Debug, Clone)]
pub struct Session {
    pub id: i64,
    pub stage: SessionStage,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub user: User,
}

impl Db {
    pub async fn create_session(
        &self,
        user: UserId,
        token_hash: &str,
        stage: SessionStage,
    ) -> Result<(), StoreError> {
        let at = now();
        with_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO sessions (token_hash, user_id, stage, created_at, last_seen_at)
                 VALUES ($1, $2, $3, $4, $4)",
            )
            .bind(token_hash)
            .bind(user.0)
            .bind(stage.code())
            .bind(at)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// The session and its (active) user.
    pub async fn find_session(&self, token_hash: &str) -> Result<Option<Session>, StoreError> {
        let sql = format!(
            "SELECT s.id AS session_id, s.stage, s.created_at AS session_created_at, s.last_seen_at,
                    {USER_COLUMNS}
             FROM sessions s JOIN users u ON u.id = s.user_id LEFT JOIN professionals p ON p.id = u.professional_id
             WHERE s.token_hash = $1 AND u.active = TRUE"
        );
        with_pool!(self, pool => {
            let Some(row) = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(token_hash).fetch_optional(pool).await? else {
                return Ok(None);
            };
            let stage: String = row.try_get("stage")?;
            Ok(Some(Session {
                id: row.try_get("session_id")?,
                stage: SessionStage::from_code(&stage)
                    .ok_or_else(|| StoreError::Invalid(format!("étape de session inconnue {stage}")))?,
                created_at: row.try_get("session_created_at")?,
                last_seen_at: row.try_get("last_seen_at")?,
                user: user_from_row!(row),
            }))
        })
    }

    pub async fn touch_session(&self, session: i64) -> Result<(), StoreError> {
        with_pool!(self, pool => {
            sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE id = $1")
                .bind(session)
                .bind(now())
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    pub async fn set_session_stage(
        &self,
        session: i64,
        stage: SessionStage,
    ) -> Result<(), StoreError> {
        with_pool!(self, pool => {
            sqlx::query("UPDATE sessions SET stage = $2 WHERE id = $1")
                .bind(session)
                .bind(stage.code())
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    pub async fn delete_session(&self, session: i64) -> Result<(), StoreError> {
        with_pool!(self, pool => {
            sqlx::query("DELETE FROM sessions WHERE id = $1").bind(session).execute(pool).await?;
        });
        Ok(())
    }

    /// Removes sessions idle since `idle_before` or created before `created_before`.
    pub async fn purge_sessions(
        &self,
        idle_before: DateTime<Utc>,
        created_before: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        with_pool!(self, pool => {
            let done = sqlx::query("DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2")
                .bind(idle_before)
                .bind(created_before)
                .execute(pool)
                .await?;
            Ok(done.rows_affected())
        })
    }
}
