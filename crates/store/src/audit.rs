//! The audit trail: one append-only row per change of business data, written in the same
//! transaction as the change, each row chained to the previous one by a SHA-256 hash.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::db::{Db, StoreError, now, with_pool};

/// A change to record.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

impl AuditEntry {
    pub fn new(actor: &crate::Actor, action: &str, entity: &str, entity_id: impl ToString) -> Self {
        AuditEntry {
            actor: actor.0.clone(),
            action: action.into(),
            entity: entity.into(),
            entity_id: entity_id.to_string(),
            before: None,
            after: None,
        }
    }
    pub fn before(mut self, value: &impl Serialize) -> Self {
        self.before = serde_json::to_value(value).ok();
        self
    }
    pub fn after(mut self, value: &impl Serialize) -> Self {
        self.after = serde_json::to_value(value).ok();
        self
    }
}

/// A stored audit row.
#[derive(Debug, Clone, Serialize)]
pub struct AuditRecord {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// The outcome of `spsti audit verify`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    pub rows: u64,
    /// Id of the first row whose hash or link does not match, with the reason.
    pub first_broken: Option<(i64, String)>,
}

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[expect(
    clippy::too_many_arguments,
    reason = "the hashed fields, in their fixed order"
)]
fn chain_hash(
    prev: &str,
    id: i64,
    at: &DateTime<Utc>,
    actor: &str,
    action: &str,
    entity: &str,
    entity_id: &str,
    before: Option<&str>,
    after: Option<&str>,
) -> String {
    let mut hasher = Sha256::new();
    for part in [
        prev,
        &id.to_string(),
        &at.to_rfc3339_opts(SecondsFormat::Micros, true),
        actor,
        action,
        entity,
        entity_id,
        before.unwrap_or("\u{0}"),
        after.unwrap_or("\u{0}"),
    ] {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    hex::encode(hasher.finalize())
}

/// Appending to the audit trail inside a transaction of either backend.
pub(crate) trait AuditTx {
    async fn audit(&mut self, entry: AuditEntry) -> Result<(), StoreError>;
}

macro_rules! impl_audit_tx {
    ($database:ty, $serialise:expr) => {
        impl AuditTx for sqlx::Transaction<'_, $database> {
            async fn audit(&mut self, entry: AuditEntry) -> Result<(), StoreError> {
                // Two writers must not both chain to the same previous row.
                if let Some(lock) = $serialise {
                    sqlx::query(lock).execute(&mut **self).await?;
                }
                let last = sqlx::query("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")
                    .fetch_optional(&mut **self)
                    .await?;
                let (prev_id, prev_hash) = match last {
                    Some(row) => (row.try_get::<i64, _>("id")?, row.try_get::<String, _>("hash")?),
                    None => (0, GENESIS.to_string()),
                };
                let id = prev_id + 1;
                let at = now();
                let before = entry.before.as_ref().map(|v| v.to_string());
                let after = entry.after.as_ref().map(|v| v.to_string());
                let hash = chain_hash(
                    &prev_hash,
                    id,
                    &at,
                    &entry.actor,
                    &entry.action,
                    &entry.entity,
                    &entry.entity_id,
                    before.as_deref(),
                    after.as_deref(),
                );
                sqlx::query(
                    "INSERT INTO audit_log (id, at, actor, action, entity, entity_id, before_json, after_json, prev_hash, hash)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                )
                .bind(id)
                .bind(at)
                .bind(&entry.actor)
                .bind(&entry.action)
                .bind(&entry.entity)
                .bind(&entry.entity_id)
                .bind(before)
                .bind(after)
                .bind(prev_hash)
                .bind(hash)
                .execute(&mut **self)
                .await?;
                Ok(())
            }
        }
    };
}

impl_audit_tx!(sqlx::Sqlite, None::<&str>);
impl_audit_tx!(sqlx::Postgres, Some("SELECT pg_advisory_xact_lock(4242)"));

macro_rules! audit_from_row {
    ($row:expr) => {
        AuditRecord {
            id: $row.try_get("id")?,
            at: $row.try_get("at")?,
            actor: $row.try_get("actor")?,
            action: $row.try_get("action")?,
            entity: $row.try_get("entity")?,
            entity_id: $row.try_get("entity_id")?,
            before_json: $row.try_get("before_json")?,
            after_json: $row.try_get("after_json")?,
            prev_hash: $row.try_get("prev_hash")?,
            hash: $row.try_get("hash")?,
        }
    };
}

const PAGE: i64 = 5000;

impl Db {
    /// Audit rows after `after_id`, oldest first.
    pub async fn list_audit(
        &self,
        after_id: i64,
        limit: i64,
    ) -> Result<Vec<AuditRecord>, StoreError> {
        with_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT id, at, actor, action, entity, entity_id, before_json, after_json, prev_hash, hash
                 FROM audit_log WHERE id > $1 ORDER BY id LIMIT $2",
            )
            .bind(after_id)
            .bind(limit)
            .fetch_all(pool)
            .await?;
            rows.iter().map(|row| Ok(audit_from_row!(row))).collect()
        })
    }

    /// The latest audit rows, newest first.
    pub async fn list_recent_audit(&self, limit: i64) -> Result<Vec<AuditRecord>, StoreError> {
        with_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT id, at, actor, action, entity, entity_id, before_json, after_json, prev_hash, hash
                 FROM audit_log ORDER BY id DESC LIMIT $1",
            )
            .bind(limit)
            .fetch_all(pool)
            .await?;
            rows.iter().map(|row| Ok(audit_from_row!(row))).collect()
        })
    }

    /// Recomputes the whole chain and names the first row that does not match.
    pub async fn verify_audit_chain(&self) -> Result<ChainReport, StoreError> {
        let mut prev_hash = GENESIS.to_string();
        let mut expected_id = 1;
        let mut rows = 0u64;
        loop {
            let page = self.list_audit(expected_id - 1, PAGE).await?;
            if page.is_empty() {
                return Ok(ChainReport {
                    rows,
                    first_broken: None,
                });
            }
            for record in &page {
                let broken = |reason: &str| ChainReport {
                    rows,
                    first_broken: Some((record.id, reason.to_string())),
                };
                if record.id != expected_id {
                    return Ok(broken("ligne manquante ou numérotation rompue"));
                }
                if record.prev_hash != prev_hash {
                    return Ok(broken("le lien vers la ligne précédente ne correspond pas"));
                }
                let hash = chain_hash(
                    &record.prev_hash,
                    record.id,
                    &record.at,
                    &record.actor,
                    &record.action,
                    &record.entity,
                    &record.entity_id,
                    record.before_json.as_deref(),
                    record.after_json.as_deref(),
                );
                if hash != record.hash {
                    return Ok(broken("le contenu de la ligne a été modifié"));
                }
                prev_hash = hash;
                expected_id += 1;
                rows += 1;
            }
        }
    }
}
