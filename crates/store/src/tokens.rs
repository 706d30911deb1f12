//! Personal access tokens for API clients; only their SHA-256 is stored.

use chrono::{DateTime, Utc};
use domain::ids::{TokenId, UserId};
use serde::Serialize;
use sqlx::Row;

use crate::Actor;
use crate::audit::{AuditEntry, AuditTx};
use crate::db::{Db, StoreError, in_tx, now, with_pool};
use crate::users::{USER_COLUMNS, User, user_from_row};

#[derive(Debug, Clone, Serialize)]
pub struct ApiToken {
    pub id: TokenId,
    pub user_id: UserId,
    pub name: String,
    /// First characters of the token, shown so that a user recognises it.
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
}

macro_rules! token_from_row {
    ($row:expr) => {
        ApiToken {
            id: TokenId($row.try_get("token_id")?),
            user_id: UserId($row.try_get("token_user_id")?),
            name: $row.try_get("name")?,
            prefix: $row.try_get("prefix")?,
            created_at: $row.try_get("token_created_at")?,
            expires_at: $row.try_get("expires_at")?,
            revoked_at: $row.try_get("revoked_at")?,
            last_used_at: $row.try_get("last_used_at")?,
        }
    };
}

const TOKEN_COLUMNS: &str = "t.id AS token_id, t.user_id AS token_user_id, t.name, t.prefix,
    t.created_at AS token_created_at, t.expires_at, t.revoked_at, t.last_used_at";

impl Db {
    pub async fn create_api_token(
        &self,
        actor: &Actor,
        user: UserId,
        name: &str,
        token_hash: &str,
        prefix: &str,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<TokenId, StoreError> {
        in_tx!(self, tx => {
            let id: i64 = sqlx::query(
                "INSERT INTO api_tokens (user_id, name, token_hash, prefix, created_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(user.0)
            .bind(name)
            .bind(token_hash)
            .bind(prefix)
            .bind(now())
            .bind(expires_at)
            .fetch_one(&mut *tx)
            .await?
            .try_get("id")?;
            tx.audit(AuditEntry::new(actor, "create", "api_token", id)
                .after(&serde_json::json!({"user_id": user, "name": name, "prefix": prefix, "expires_at": expires_at})))
                .await?;
            Ok(TokenId(id))
        })
    }

    /// A valid token (not revoked, not expired) and its active user; records its use.
    pub async fn find_valid_api_token(
        &self,
        token_hash: &str,
    ) -> Result<Option<(ApiToken, User)>, StoreError> {
        let at = now();
        let sql = format!(
            "SELECT {TOKEN_COLUMNS}, {USER_COLUMNS}
             FROM api_tokens t JOIN users u ON u.id = t.user_id LEFT JOIN professionals p ON p.id = u.professional_id
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > $2)
               AND u.active = TRUE"
        );
        with_pool!(self, pool => {
            let Some(row) = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(token_hash).bind(at).fetch_optional(pool).await? else {
                return Ok(None);
            };
            let token = token_from_row!(row);
            let user = user_from_row!(row);
            sqlx::query("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1")
                .bind(token.id.0)
                .bind(at)
                .execute(pool)
                .await?;
            Ok(Some((token, user)))
        })
    }

    pub async fn list_api_tokens(&self, user: UserId) -> Result<Vec<ApiToken>, StoreError> {
        let sql = format!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens t WHERE t.user_id = $1 ORDER BY t.id DESC"
        );
        with_pool!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(user.0).fetch_all(pool).await?;
            rows.iter().map(|row| Ok(token_from_row!(row))).collect()
        })
    }

    /// Revokes one of `user`'s tokens; `NotFound` for another user's token.
    pub async fn revoke_api_token(
        &self,
        actor: &Actor,
        user: UserId,
        token: TokenId,
    ) -> Result<(), StoreError> {
        in_tx!(self, tx => {
            let done = sqlx::query(
                "UPDATE api_tokens SET revoked_at = $3 WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL",
            )
            .bind(token.0)
            .bind(user.0)
            .bind(now())
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            tx.audit(AuditEntry::new(actor, "revoke", "api_token", token)).await?;
            Ok(())
        })
    }
}
