//! Accounts: identity, role, password hash, second factor, lockout; password-reset and
//! invitation links; recovery codes.

use chrono::{DateTime, Duration, Utc};
use domain::Role;
use domain::ids::{ProfessionalId, TeamId, UserId};
use serde::Serialize;
use sqlx::Row;

use crate::Actor;
use crate::audit::{AuditEntry, AuditTx};
use crate::db::{Db, StoreError, in_tx, now, with_pool};

/// An account. The secrets it holds (hashes, TOTP secret) are skipped when serialised.
#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: UserId,
    pub login: String,
    pub display_name: String,
    pub email: Option<String>,
    pub role: Role,
    pub siret: Option<String>,
    pub professional_id: Option<ProfessionalId>,
    pub team: Option<TeamId>,
    #[serde(skip)]
    pub password_hash: Option<String>,
    #[serde(skip)]
    pub totp_secret: Option<String>,
    pub totp_enabled: bool,
    pub failed_logins: i32,
    pub locked_until: Option<DateTime<Utc>>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NewUser {
    pub login: String,
    pub display_name: String,
    pub email: Option<String>,
    pub role: Role,
    pub siret: Option<String>,
    pub professional_id: Option<ProfessionalId>,
    #[serde(skip)]
    pub password_hash: Option<String>,
}

pub(crate) const USER_COLUMNS: &str = "u.id, u.login, u.display_name, u.email, u.role, u.siret, u.professional_id,
    p.team_id, u.password_hash, u.totp_secret, u.totp_enabled, u.failed_logins, u.locked_until, u.active, u.created_at";

macro_rules! user_from_row {
    ($row:expr) => {{
        let role: String = $row.try_get("role")?;
        $crate::users::User {
            id: ::domain::ids::UserId($row.try_get("id")?),
            login: $row.try_get("login")?,
            display_name: $row.try_get("display_name")?,
            email: $row.try_get("email")?,
            role: ::domain::Role::from_code(&role).ok_or_else(|| {
                $crate::StoreError::Invalid(format!("rôle inconnu en base : {role}"))
            })?,
            siret: $row.try_get("siret")?,
            professional_id: $row
                .try_get::<Option<i64>, _>("professional_id")?
                .map(::domain::ids::ProfessionalId),
            team: $row
                .try_get::<Option<i64>, _>("team_id")?
                .map(::domain::ids::TeamId),
            password_hash: $row.try_get("password_hash")?,
            totp_secret: $row.try_get("totp_secret")?,
            totp_enabled: $row.try_get("totp_enabled")?,
            failed_logins: $row.try_get("failed_logins")?,
            locked_until: $row.try_get("locked_until")?,
            active: $row.try_get("active")?,
            created_at: $row.try_get("created_at")?,
        }
    }};
}
pub(crate) use user_from_row;

/// What a password-reset or invitation link is for.
pub const PURPOSE_RESET: &str = "reset";
pub const PURPOSE_INVITE: &str = "invite";

impl Db {
    pub async fn insert_user(&self, actor: &Actor, user: &NewUser) -> Result<UserId, StoreError> {
        in_tx!(self, tx => {
            let id: i64 = sqlx::query(
                "INSERT INTO users (login, display_name, email, role, siret, professional_id, password_hash, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(&user.login)
            .bind(&user.display_name)
            .bind(&user.email)
            .bind(user.role.code())
            .bind(&user.siret)
            .bind(user.professional_id.map(|p| p.0))
            .bind(&user.password_hash)
            .bind(now())
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| StoreError::conflict_or(e, format!("l'identifiant « {} » existe déjà", user.login)))?
            .try_get("id")?;
            tx.audit(AuditEntry::new(actor, "create", "user", id).after(user)).await?;
            Ok(UserId(id))
        })
    }

    pub async fn find_user_by_login(&self, login: &str) -> Result<Option<User>, StoreError> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users u LEFT JOIN professionals p ON p.id = u.professional_id WHERE u.login = $1"
        );
        with_pool!(self, pool => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(login).fetch_optional(pool).await?;
            row.map(|row| Ok(user_from_row!(row))).transpose()
        })
    }

    /// An employer account, by the establishment's SIRET and the user's e-mail.
    pub async fn find_employer_user(
        &self,
        siret: &str,
        email: &str,
    ) -> Result<Option<User>, StoreError> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users u LEFT JOIN professionals p ON p.id = u.professional_id
             WHERE u.role = 'employer' AND u.siret = $1 AND LOWER(u.email) = LOWER($2)"
        );
        with_pool!(self, pool => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(siret).bind(email).fetch_optional(pool).await?;
            row.map(|row| Ok(user_from_row!(row))).transpose()
        })
    }

    pub async fn find_user(&self, id: UserId) -> Result<User, StoreError> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users u LEFT JOIN professionals p ON p.id = u.professional_id WHERE u.id = $1"
        );
        with_pool!(self, pool => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id.0).fetch_optional(pool).await?;
            match row {
                Some(row) => Ok(user_from_row!(row)),
                None => Err(StoreError::NotFound),
            }
        })
    }

    pub async fn list_users(&self) -> Result<Vec<User>, StoreError> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users u LEFT JOIN professionals p ON p.id = u.professional_id ORDER BY u.login"
        );
        with_pool!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await?;
            rows.iter().map(|row| Ok(user_from_row!(row))).collect()
        })
    }

    /// Counts a failed password and sets the lock computed by the caller.
    pub async fn record_failed_login(
        &self,
        user: UserId,
        locked_until: Option<DateTime<Utc>>,
    ) -> Result<i32, StoreError> {
        with_pool!(self, pool => {
            let row = sqlx::query(
                "UPDATE users SET failed_logins = failed_logins + 1, locked_until = COALESCE($2, locked_until)
                 WHERE id = $1 RETURNING failed_logins",
            )
            .bind(user.0)
            .bind(locked_until)
            .fetch_one(pool)
            .await?;
            Ok(row.try_get("failed_logins")?)
        })
    }

    pub async fn set_lock(
        &self,
        user: UserId,
        locked_until: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        with_pool!(self, pool => {
            sqlx::query("UPDATE users SET locked_until = $2 WHERE id = $1")
                .bind(user.0)
                .bind(locked_until)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    pub async fn clear_failed_logins(&self, user: UserId) -> Result<(), StoreError> {
        with_pool!(self, pool => {
            sqlx::query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1")
                .bind(user.0)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Sets a new password hash (already checked against the policy) and ends the user's
    /// sessions.
    pub async fn set_password(
        &self,
        actor: &Actor,
        user: UserId,
        hash: &str,
    ) -> Result<(), StoreError> {
        in_tx!(self, tx => {
            let done = sqlx::query("UPDATE users SET password_hash = $2, failed_logins = 0, locked_until = NULL WHERE id = $1")
                .bind(user.0)
                .bind(hash)
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user.0).execute(&mut *tx).await?;
            tx.audit(AuditEntry::new(actor, "set_password", "user", user)).await?;
            Ok(())
        })
    }

    pub async fn set_user_active(
        &self,
        actor: &Actor,
        user: UserId,
        active: bool,
    ) -> Result<(), StoreError> {
        in_tx!(self, tx => {
            sqlx::query("UPDATE users SET active = $2 WHERE id = $1").bind(user.0).bind(active).execute(&mut *tx).await?;
            if !active {
                sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user.0).execute(&mut *tx).await?;
            }
            tx.audit(AuditEntry::new(actor, if active { "activate" } else { "deactivate" }, "user", user)).await?;
            Ok(())
        })
    }

    /// Links an account to the professional whose agenda and team it works in.
    pub async fn link_user_to_professional(
        &self,
        actor: &Actor,
        user: UserId,
        professional: ProfessionalId,
        display_name: &str,
    ) -> Result<(), StoreError> {
        in_tx!(self, tx => {
            sqlx::query("UPDATE users SET professional_id = $2, display_name = $3 WHERE id = $1")
                .bind(user.0)
                .bind(professional.0)
                .bind(display_name)
                .execute(&mut *tx)
                .await?;
            tx.audit(AuditEntry::new(actor, "link_professional", "user", user)
                .after(&serde_json::json!({"professional_id": professional.0})))
                .await?;
            Ok(())
        })
    }

    /// Stores a TOTP secret during enrolment, not enabled until a code confirms it.
    pub async fn set_pending_totp_secret(
        &self,
        user: UserId,
        secret: &str,
    ) -> Result<(), StoreError> {
        with_pool!(self, pool => {
            sqlx::query("UPDATE users SET totp_secret = $2 WHERE id = $1 AND totp_enabled = FALSE")
                .bind(user.0)
                .bind(secret)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Enables the second factor, replacing the recovery codes, in one transaction.
    pub async fn enable_totp(
        &self,
        actor: &Actor,
        user: UserId,
        step: i64,
        recovery_code_hashes: &[String],
    ) -> Result<(), StoreError> {
        in_tx!(self, tx => {
            sqlx::query("UPDATE users SET totp_enabled = TRUE, totp_last_step = $2 WHERE id = $1")
                .bind(user.0)
                .bind(step)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1").bind(user.0).execute(&mut *tx).await?;
            for hash in recovery_code_hashes {
                sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
                    .bind(user.0)
                    .bind(hash)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.audit(AuditEntry::new(actor, "enable_totp", "user", user)).await?;
            Ok(())
        })
    }

    /// Accepts a TOTP time step once: a code already used (or an older one) is refused, so a
    /// replayed code fails.
    pub async fn claim_totp_step(&self, user: UserId, step: i64) -> Result<bool, StoreError> {
        with_pool!(self, pool => {
            let done = sqlx::query(
                "UPDATE users SET totp_last_step = $2 WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)",
            )
            .bind(user.0)
            .bind(step)
            .execute(pool)
            .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Uses a recovery code once.
    pub async fn use_recovery_code(
        &self,
        user: UserId,
        code_hash: &str,
    ) -> Result<bool, StoreError> {
        with_pool!(self, pool => {
            let done = sqlx::query(
                "UPDATE recovery_codes SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL",
            )
            .bind(user.0)
            .bind(code_hash)
            .bind(now())
            .execute(pool)
            .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Stores the hash of a reset or invitation link.
    pub async fn create_password_link(
        &self,
        user: UserId,
        token_hash: &str,
        purpose: &str,
        valid_for: Duration,
    ) -> Result<(), StoreError> {
        let created = now();
        with_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO password_resets (token_hash, user_id, purpose, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(token_hash)
            .bind(user.0)
            .bind(purpose)
            .bind(created)
            .bind(created + valid_for)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// The user a valid (unused, unexpired) link belongs to.
    pub async fn find_password_link(&self, token_hash: &str) -> Result<Option<UserId>, StoreError> {
        with_pool!(self, pool => {
            let row = sqlx::query(
                "SELECT user_id FROM password_resets WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
            )
            .bind(token_hash)
            .bind(now())
            .fetch_optional(pool)
            .await?;
            row.map(|r| Ok(UserId(r.try_get("user_id")?))).transpose()
        })
    }

    /// Consumes a link and sets the new password in one transaction; `NotFound` when the link
    /// is unknown, used or expired.
    pub async fn reset_password_with_link(
        &self,
        token_hash: &str,
        password_hash: &str,
    ) -> Result<UserId, StoreError> {
        in_tx!(self, tx => {
            let row = sqlx::query(
                "UPDATE password_resets SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2
                 RETURNING user_id",
            )
            .bind(token_hash)
            .bind(now())
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
            let user: i64 = row.try_get("user_id")?;
            sqlx::query("UPDATE users SET password_hash = $2, failed_logins = 0, locked_until = NULL WHERE id = $1")
                .bind(user)
                .bind(password_hash)
                .execute(&mut *tx)
                .await?;
            sqlx::query("UPDATE password_resets SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL")
                .bind(user)
                .bind(now())
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user).execute(&mut *tx).await?;
            tx.audit(AuditEntry::new(&Actor(format!("user:{user}")), "reset_password", "user", user)).await?;
            Ok(UserId(user))
        })
    }
}

impl Db {
    /// The oldest active account with this e-mail (for "forgot password" by e-mail).
    pub async fn find_user_by_email(&self, email: &str) -> Result<Option<User>, StoreError> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users u LEFT JOIN professionals p ON p.id = u.professional_id
             WHERE LOWER(u.email) = LOWER($1) AND u.active = TRUE ORDER BY u.id LIMIT 1"
        );
        with_pool!(self, pool => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(email).fetch_optional(pool).await?;
            row.map(|row| Ok(user_from_row!(row))).transpose()
        })
    }
}
