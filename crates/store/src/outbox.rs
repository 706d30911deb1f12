//! The outbox: every message is written here (in the transaction of the change that causes
//! it) and sent later by the outbox worker, so a mail server that is down delays messages
//! and loses none. Each message carries a Message-ID chosen once, so a message sent twice
//! (the server took it but the answer was lost) is recognisable.

use chrono::{DateTime, Utc};
use domain::messages::{NewMessage, Template, Templates, check_template};
use rand::Rng;
use sqlx::Row;

use crate::Actor;
use crate::audit::{AuditEntry, AuditTx};
use crate::db::{Db, StoreError, in_tx, now, with_pool};

/// A message of the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMessage {
    pub id: i64,
    pub message_id: String,
    pub channel: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub calendar: Option<String>,
    pub purpose: String,
    pub appointment_id: Option<i64>,
    pub establishment_id: Option<i64>,
    pub document_id: Option<i64>,
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

impl OutboxMessage {
    pub fn status_label(&self) -> &'static str {
        match (self.status.as_str(), self.channel.as_str()) {
            ("sent", "letter") => "imprimé",
            ("sent", _) => "envoyé",
            ("failed", _) => "échec",
            ("queued", "letter") => "à imprimer",
            (_, _) if self.attempts > 0 => "en attente (nouvel essai prévu)",
            _ => "en attente",
        }
    }

    pub fn channel_label(&self) -> &'static str {
        match self.channel.as_str() {
            "email" => "e-mail",
            "sms" => "SMS",
            _ => "courrier",
        }
    }
}

/// Filters of the outbox list.
#[derive(Debug, Clone, Default)]
pub struct MessageQuery {
    pub status: Option<String>,
    pub establishment_id: Option<i64>,
    pub appointment_id: Option<i64>,
    pub limit: i64,
}

/// Counts of messages per status.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutboxCounts {
    pub queued: i64,
    pub sent: i64,
    pub failed: i64,
    pub letters_to_print: i64,
}

fn new_message_id() -> String {
    let random: u128 = rand::rng().random();
    format!("<{random:032x}@spsti>")
}

const COLUMNS: &str = "id, message_id, channel, recipient, subject, body, calendar, purpose, appointment_id, \
     establishment_id, document_id, status, attempts, last_error, created_at, sent_at";

macro_rules! message_from_row {
    ($row:expr) => {
        OutboxMessage {
            id: $row.try_get("id")?,
            message_id: $row.try_get("message_id")?,
            channel: $row.try_get("channel")?,
            recipient: $row.try_get("recipient")?,
            subject: $row.try_get("subject")?,
            body: $row.try_get("body")?,
            calendar: $row.try_get("calendar")?,
            purpose: $row.try_get("purpose")?,
            appointment_id: $row.try_get("appointment_id")?,
            establishment_id: $row.try_get("establishment_id")?,
            document_id: $row.try_get("document_id")?,
            status: $row.try_get("status")?,
            attempts: $row.try_get("attempts")?,
            last_error: $row.try_get("last_error")?,
            created_at: $row.try_get("created_at")?,
            sent_at: $row.try_get("sent_at")?,
        }
    };
}

/// Outbox writes inside a caller's transaction.
pub(crate) trait OutboxTx {
    /// Writes the messages; one whose dedup key was already written is skipped. Returns how
    /// many were written.
    async fn enqueue(&mut self, messages: &[NewMessage]) -> Result<usize, StoreError>;
    /// The templates in use (shipped, with the admin's replacements).
    async fn templates(&mut self) -> Result<Templates, StoreError>;
}

macro_rules! impl_outbox_tx {
    ($database:ty) => {
        impl OutboxTx for sqlx::Transaction<'_, $database> {
            async fn enqueue(&mut self, messages: &[NewMessage]) -> Result<usize, StoreError> {
                let at = now();
                let mut written = 0;
                for message in messages {
                    if let Some(key) = &message.dedup_key {
                        let seen = sqlx::query("SELECT 1 FROM outbox_messages WHERE dedup_key = $1")
                            .bind(key)
                            .fetch_optional(&mut **self)
                            .await?;
                        if seen.is_some() {
                            continue;
                        }
                    }
                    sqlx::query(
                        "INSERT INTO outbox_messages (message_id, dedup_key, channel, recipient, subject, body, calendar, purpose,
                            appointment_id, establishment_id, document_id, status, attempts, next_attempt_at, created_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $12, 'queued', 0, $11, $11)",
                    )
                    .bind(new_message_id())
                    .bind(&message.dedup_key)
                    .bind(message.channel.code())
                    .bind(&message.recipient)
                    .bind(&message.subject)
                    .bind(&message.body)
                    .bind(&message.calendar)
                    .bind(message.purpose.code())
                    .bind(message.appointment_id)
                    .bind(message.establishment_id)
                    .bind(at)
                    .bind(message.document_id)
                    .execute(&mut **self)
                    .await?;
                    written += 1;
                }
                Ok(written)
            }

            async fn templates(&mut self) -> Result<Templates, StoreError> {
                let rows = sqlx::query("SELECT code, subject, body FROM message_templates")
                    .fetch_all(&mut **self)
                    .await?;
                let mut overrides = Vec::new();
                for r in rows {
                    overrides.push((
                        r.try_get::<String, _>("code")?,
                        Template { subject: r.try_get("subject")?, body: r.try_get("body")? },
                    ));
                }
                Ok(Templates::with_overrides(overrides))
            }
        }
    };
}

impl_outbox_tx!(sqlx::Sqlite);
impl_outbox_tx!(sqlx::Postgres);

impl Db {
    /// Writes messages to the outbox in one transaction.
    pub async fn enqueue_messages(&self, messages: &[NewMessage]) -> Result<usize, StoreError> {
        in_tx!(self, tx => tx.enqueue(messages).await)
    }

    /// E-mails and SMS due for a (new) attempt, oldest first.
    pub async fn list_due_messages(
        &self,
        at: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM outbox_messages WHERE status = 'queued' AND channel <> 'letter' AND next_attempt_at <= $1
             ORDER BY next_attempt_at, id LIMIT $2"
        );
        with_pool!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(at).bind(limit).fetch_all(pool).await?;
            rows.iter().map(|r| Ok(message_from_row!(r))).collect()
        })
    }

    /// The earliest next attempt among queued e-mails and SMS (when to wake up).
    pub async fn next_message_attempt(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        with_pool!(self, pool => {
            Ok(sqlx::query("SELECT MIN(next_attempt_at) AS at FROM outbox_messages WHERE status = 'queued' AND channel <> 'letter'")
                .fetch_one(pool)
                .await?
                .try_get("at")?)
        })
    }

    pub async fn mark_messages_sent(&self, ids: &[i64]) -> Result<(), StoreError> {
        let at = now();
        in_tx!(self, tx => {
            for id in ids {
                sqlx::query("UPDATE outbox_messages SET status = 'sent', sent_at = $1, attempts = attempts + 1, last_error = NULL WHERE id = $2")
                    .bind(at)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            Ok(())
        })
    }

    /// Keeps the message queued for another attempt at `next_attempt_at`, with the reason.
    pub async fn mark_message_retry(
        &self,
        id: i64,
        error: &str,
        next_attempt_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        with_pool!(self, pool => {
            sqlx::query("UPDATE outbox_messages SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2 WHERE id = $3 AND status = 'queued'")
                .bind(error)
                .bind(next_attempt_at)
                .bind(id)
                .execute(pool)
                .await?;
            Ok(())
        })
    }

    /// The message cannot be sent (an invalid address, refused by the server): failed, with
    /// the reason.
    pub async fn mark_message_failed(&self, id: i64, error: &str) -> Result<(), StoreError> {
        with_pool!(self, pool => {
            sqlx::query("UPDATE outbox_messages SET status = 'failed', attempts = attempts + 1, last_error = $1 WHERE id = $2")
                .bind(error)
                .bind(id)
                .execute(pool)
                .await?;
            Ok(())
        })
    }

    /// Sends a failed message again (after its address was corrected, say).
    pub async fn retry_message(&self, actor: &Actor, id: i64) -> Result<(), StoreError> {
        in_tx!(self, tx => {
            let done = sqlx::query("UPDATE outbox_messages SET status = 'queued', next_attempt_at = $1 WHERE id = $2 AND status = 'failed'")
                .bind(now())
                .bind(id)
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::Conflict("seul un message en échec peut être renvoyé".into()));
            }
            tx.audit(AuditEntry::new(actor, "retry", "outbox_message", id)).await?;
            Ok(())
        })
    }

    pub async fn list_messages(
        &self,
        query: &MessageQuery,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        let mut sql = format!("SELECT {COLUMNS} FROM outbox_messages WHERE 1 = 1");
        let mut n = 0;
        let mut next = || {
            n += 1;
            n
        };
        if query.status.is_some() {
            sql += &format!(" AND status = ${}", next());
        }
        if query.establishment_id.is_some() {
            sql += &format!(" AND establishment_id = ${}", next());
        }
        if query.appointment_id.is_some() {
            sql += &format!(" AND appointment_id = ${}", next());
        }
        sql += &format!(" ORDER BY id DESC LIMIT ${}", next());
        with_pool!(self, pool => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            if let Some(status) = &query.status {
                q = q.bind(status);
            }
            if let Some(id) = query.establishment_id {
                q = q.bind(id);
            }
            if let Some(id) = query.appointment_id {
                q = q.bind(id);
            }
            let rows = q.bind(query.limit.clamp(1, 1000)).fetch_all(pool).await?;
            rows.iter().map(|r| Ok(message_from_row!(r))).collect()
        })
    }

    pub async fn find_message(&self, id: i64) -> Result<OutboxMessage, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM outbox_messages WHERE id = $1");
        with_pool!(self, pool => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await?.ok_or(StoreError::NotFound)?;
            Ok(message_from_row!(row))
        })
    }

    pub async fn outbox_counts(&self) -> Result<OutboxCounts, StoreError> {
        with_pool!(self, pool => {
            let row = sqlx::query(
                "SELECT
                    COALESCE(SUM(CASE WHEN status = 'queued' AND channel <> 'letter' THEN 1 ELSE 0 END), 0) AS queued,
                    COALESCE(SUM(CASE WHEN status = 'sent' THEN 1 ELSE 0 END), 0) AS sent,
                    COALESCE(SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), 0) AS failed,
                    COALESCE(SUM(CASE WHEN status = 'queued' AND channel = 'letter' THEN 1 ELSE 0 END), 0) AS letters
                 FROM outbox_messages",
            )
            .fetch_one(pool)
            .await?;
            Ok(OutboxCounts {
                queued: row.try_get("queued")?,
                sent: row.try_get("sent")?,
                failed: row.try_get("failed")?,
                letters_to_print: row.try_get("letters")?,
            })
        })
    }

    /// The letters waiting to be printed, marked printed in the same transaction: the caller
    /// makes one PDF of them.
    pub async fn take_letters_to_print(
        &self,
        actor: &Actor,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM outbox_messages WHERE status = 'queued' AND channel = 'letter' ORDER BY id"
        );
        let at = now();
        in_tx!(self, tx => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&mut *tx).await?;
            let letters: Vec<OutboxMessage> = rows.iter().map(|r| Ok::<_, StoreError>(message_from_row!(r))).collect::<Result<_, _>>()?;
            for letter in &letters {
                sqlx::query("UPDATE outbox_messages SET status = 'sent', sent_at = $1, attempts = attempts + 1 WHERE id = $2")
                    .bind(at)
                    .bind(letter.id)
                    .execute(&mut *tx)
                    .await?;
            }
            if !letters.is_empty() {
                tx.audit(AuditEntry::new(actor, "print", "letters", letters.len())).await?;
            }
            Ok(letters)
        })
    }

    /// The templates in use.
    pub async fn message_templates(&self) -> Result<Templates, StoreError> {
        in_tx!(self, tx => tx.templates().await)
    }

    /// Replaces a shipped template (checked: known placeholders only).
    pub async fn save_message_template(
        &self,
        actor: &Actor,
        code: &str,
        template: &Template,
    ) -> Result<(), StoreError> {
        check_template(code, template).map_err(StoreError::Invalid)?;
        in_tx!(self, tx => {
            sqlx::query(
                "INSERT INTO message_templates (code, subject, body, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (code) DO UPDATE SET subject = excluded.subject, body = excluded.body,
                   updated_by = excluded.updated_by, updated_at = excluded.updated_at",
            )
            .bind(code)
            .bind(&template.subject)
            .bind(&template.body)
            .bind(&actor.0)
            .bind(now())
            .execute(&mut *tx)
            .await?;
            tx.audit(AuditEntry::new(actor, "edit", "message_template", code)).await?;
            Ok(())
        })
    }

    /// Goes back to the shipped template.
    pub async fn reset_message_template(
        &self,
        actor: &Actor,
        code: &str,
    ) -> Result<(), StoreError> {
        in_tx!(self, tx => {
            sqlx::query("DELETE FROM message_templates WHERE code = $1").bind(code).execute(&mut *tx).await?;
            tx.audit(AuditEntry::new(actor, "reset", "message_template", code)).await?;
            Ok(())
        })
    }
}
