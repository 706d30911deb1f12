//! Around a company's journey: comments tagged by side, attachments (PDF and images), the
//! invitations and reminders e-mailed through the outbox.

use domain::prevention::programmes::{Side, check_step_open};
use sqlx::Row;

use crate::Actor;
use crate::audit::{AuditEntry, AuditTx};
use crate::db::{Db, StoreError, in_tx, now, with_pool};
use crate::programmes::StepRef;

/// A comment on a step, tagged by its author's side.
#[derive(Debug, Clone)]
pub struct ProgrammeComment {
    pub step: usize,
    pub side: Side,
    pub author: String,
    pub content: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// A file attached to a step (its content is read on download).
#[derive(Debug, Clone)]
pub struct ProgrammeAttachment {
    pub id: i64,
    pub step: usize,
    pub file_name: String,
    pub media_type: String,
    pub size: i64,
}

fn side_code(side: Side) -> &'static str {
    match side {
        Side::Company => "company",
        Side::Cse => "cse",
        Side::Service => "service",
    }
}

fn side_of(code: &str) -> Side {
    match code {
        "cse" => Side::Cse,
        "service" => Side::Service,
        _ => Side::Company,
    }
}

impl Db {
    pub async fn add_programme_comment(
        &self,
        actor: &Actor,
        participation_id: i64,
        step: usize,
        side: Side,
        content: &str,
    ) -> Result<(), StoreError> {
        let content = content.trim();
        if content.is_empty() {
            return Err(StoreError::Invalid("Commentaire : vide".into()));
        }
        if content.chars().count() > 4000 {
            return Err(StoreError::Invalid(
                "Commentaire : 4 000 caractères au plus".into(),
            ));
        }
        in_tx!(self, tx => {
            sqlx::query(
                "INSERT INTO programme_comments (participation_id, step, side, author, content, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(participation_id)
            .bind(step as i32)
            .bind(side_code(side))
            .bind(&actor.0)
            .bind(content)
            .bind(now())
            .execute(&mut *tx)
            .await?;
            tx.audit(AuditEntry::new(actor, "comment", "programme_participation", participation_id)).await?;
            Ok(())
        })
    }

    pub async fn list_programme_comments(
        &self,
        participation_id: i64,
    ) -> Result<Vec<ProgrammeComment>, StoreError> {
        with_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT step, side, author, content, created_at FROM programme_comments
                 WHERE participation_id = $1 ORDER BY id",
            )
            .bind(participation_id)
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(ProgrammeComment {
                        step: r.try_get::<i32, _>("step")? as usize,
                        side: side_of(&r.try_get::<String, _>("side")?),
                        author: r.try_get("author")?,
                        content: r.try_get("content")?,
                        created_at: r.try_get("created_at")?,
                    })
                })
                .collect()
        })
    }

    /// Attaches a file to a step the company may work on: PDF, PNG or JPEG recognised by
    /// its bytes, 1,000 Kio at most; anything else is refused and nothing is stored.
    pub async fn add_programme_attachment(
        &self,
        actor: &Actor,
        at: StepRef,
        file_name: &str,
        bytes: &[u8],
    ) -> Result<i64, StoreError> {
        let media_type = domain::medical::attachment_media_type(bytes)
            .map_err(|e| StoreError::Invalid(format!("{} : {}", e.field, e.message)))?;
        let (programme, participation) = self
            .find_journey(at.programme_id, at.establishment_id)
            .await?;
        check_step_open(
            &programme.steps,
            &participation.statuses(),
            at.step,
            &participation.profile_missing(),
        )
        .map_err(StoreError::Invalid)?;
        let name: String = file_name
            .chars()
            .filter(|c| !c.is_control() && *c != '/' && *c != '\\')
            .take(120)
            .collect();
        in_tx!(self, tx => {
            let id: i64 = sqlx::query(
                "INSERT INTO programme_attachments (participation_id, step, file_name, media_type, content, created_by, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(participation.id)
            .bind(at.step as i32)
            .bind(if name.trim().is_empty() { "piece-jointe".to_string() } else { name.clone() })
            .bind(media_type)
            .bind(bytes)
            .bind(&actor.0)
            .bind(now())
            .fetch_one(&mut *tx)
            .await?
            .try_get("id")?;
            tx.audit(AuditEntry::new(actor, "attach", "programme_participation", participation.id)
                .after(&serde_json::json!({"step": at.step, "media_type": media_type, "bytes": bytes.len()}))).await?;
            Ok(id)
        })
    }

    pub async fn list_programme_attachments(
        &self,
        participation_id: i64,
    ) -> Result<Vec<ProgrammeAttachment>, StoreError> {
        with_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT id, step, file_name, media_type, LENGTH(content) AS size FROM programme_attachments
                 WHERE participation_id = $1 ORDER BY id",
            )
            .bind(participation_id)
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(ProgrammeAttachment {
                        id: r.try_get("id")?,
                        step: r.try_get::<i32, _>("step")? as usize,
                        file_name: r.try_get("file_name")?,
                        media_type: r.try_get("media_type")?,
                        size: r.try_get::<i64, _>("size").or_else(|_| r.try_get::<i32, _>("size").map(i64::from))?,
                    })
                })
                .collect()
        })
    }

    /// An attachment of a participation: (file name, media type, bytes).
    pub async fn programme_attachment(
        &self,
        participation_id: i64,
        id: i64,
    ) -> Result<(String, String, Vec<u8>), StoreError> {
        with_pool!(self, pool => {
            let row = sqlx::query(
                "SELECT file_name, media_type, content FROM programme_attachments WHERE id = $1 AND participation_id = $2",
            )
            .bind(id)
            .bind(participation_id)
            .fetch_optional(pool)
            .await?
            .ok_or(StoreError::NotFound)?;
            Ok((row.try_get("file_name")?, row.try_get("media_type")?, row.try_get("content")?))
        })
    }

    /// E-mails an invitation to every targeted company not yet invited that has an address;
    /// returns how many were written to the outbox.
    pub async fn invite_to_programme(
        &self,
        actor: &Actor,
        programme_id: i64,
        portal_url: &str,
    ) -> Result<usize, StoreError> {
        let programme = self.find_programme(programme_id).await?;
        in_tx!(self, tx => {
            let rows = sqlx::query(
                "SELECT t.id, t.establishment_id, e.email, e.name FROM programme_participations t
                 JOIN establishments e ON e.id = t.establishment_id
                 WHERE t.programme_id = $1 AND t.invited_at IS NULL AND e.email IS NOT NULL AND e.email <> ''",
            )
            .bind(programme_id)
            .fetch_all(&mut *tx)
            .await?;
            let mut messages = Vec::with_capacity(rows.len());
            for r in &rows {
                let participation: i64 = r.try_get("id")?;
                messages.push(programme_message(
                    r.try_get("email")?,
                    r.try_get("establishment_id")?,
                    format!("Invitation au programme de prévention « {} »", programme.name),
                    format!(
                        "Bonjour,\n\nVotre service de prévention et de santé au travail invite {} au programme « {} » ({}), du {} au {}.\n\nLe parcours se fait étape par étape depuis votre espace employeur : {portal_url}/portal/programmes/{}\n\nVotre préventeur vous accompagne à chaque étape.\n",
                        r.try_get::<String, _>("name")?,
                        programme.name,
                        programme.theme,
                        domain::french_date(programme.starts_on),
                        domain::french_date(programme.ends_on),
                        programme.id
                    ),
                    format!("programme-invite-{participation}"),
                ));
                sqlx::query("UPDATE programme_participations SET invited_at = $1 WHERE id = $2")
                    .bind(now())
                    .bind(participation)
                    .execute(&mut *tx)
                    .await?;
            }
            let written = crate::outbox::OutboxTx::enqueue(&mut tx, &messages).await?;
            tx.audit(AuditEntry::new(actor, "invite", "programme", programme_id)
                .after(&serde_json::json!({"invited": written}))).await?;
            Ok(written)
        })
    }

    /// E-mails a reminder to the companies stuck more than `days` days (once a day at most).
    pub async fn remind_stuck_companies(
        &self,
        actor: &Actor,
        programme_id: i64,
        days: i64,
        portal_url: &str,
    ) -> Result<usize, StoreError> {
        let programme = self.find_programme(programme_id).await?;
        let facts = self.load_programme_facts(programme_id).await?;
        let today = now().date_naive();
        let stuck = domain::prevention::programmes::stuck(&facts, today, days);
        let participations = self.list_participations(programme_id).await?;
        let mut messages = Vec::new();
        for s in &stuck {
            let Some(p) = participations
                .iter()
                .find(|p| p.establishment_id == s.establishment_id)
            else {
                continue;
            };
            let Some(email) = p.email.clone().filter(|e| !e.is_empty()) else {
                continue;
            };
            let step = &programme.steps[s.step];
            messages.push(programme_message(
                email,
                p.establishment_id,
                format!("Programme « {} » : l'étape {} vous attend", programme.name, step.code),
                format!(
                    "Bonjour,\n\nL'étape {} « {} » du programme « {} » n'a pas avancé depuis {} jours. Votre préventeur peut vous aider à la reprendre.\n\nVotre parcours : {portal_url}/portal/programmes/{}\n",
                    step.code, step.title, programme.name, s.days, programme.id
                ),
                format!("programme-remind-{}-{today}", p.id),
            ));
        }
        in_tx!(self, tx => {
            let written = crate::outbox::OutboxTx::enqueue(&mut tx, &messages).await?;
            tx.audit(AuditEntry::new(actor, "remind", "programme", programme_id)
                .after(&serde_json::json!({"reminded": written, "days": days}))).await?;
            Ok(written)
        })
    }
}

fn programme_message(
    recipient: String,
    establishment_id: i64,
    subject: String,
    body: String,
    dedup_key: String,
) -> domain::messages::NewMessage {
    domain::messages::NewMessage {
        channel: domain::messages::Channel::Email,
        recipient,
        subject,
        body,
        calendar: None,
        purpose: domain::messages::Purpose::Programme,
        appointment_id: None,
        establishment_id: Some(establishment_id),
        dedup_key: Some(dedup_key),
        document_id: None,
    }
}
