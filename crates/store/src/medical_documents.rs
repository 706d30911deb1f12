//! Documents issued at a visit (attestations and opinions): stored as issued, printed from
//! the file (traced), read by the employer of the worker, verified by their code.

use chrono::{DateTime, NaiveDate, Utc};
use domain::authz::MedicalGrant;
use sqlx::Row;

use crate::db::{Db, StoreError, in_tx, now, with_pool};
use crate::medical::trace;

/// A document issued at a visit (its PDF made by the caller).
#[derive(Debug, Clone)]
pub struct NewDocument {
    pub title: String,
    pub verification_code: String,
    pub pdf: Vec<u8>,
}

/// A document as stored.
#[derive(Debug, Clone)]
pub struct StoredDocument {
    pub id: i64,
    pub worker_id: i64,
    pub worker_name: String,
    pub establishment_id: Option<i64>,
    pub establishment_name: String,
    pub title: String,
    pub verification_code: String,
    pub issued_at: DateTime<Utc>,
    pub visit_date: NaiveDate,
    pub pdf: Vec<u8>,
}

impl Db {
    /// A document, for the worker's file (traced as printed) — see also the employer's
    /// [`Db::find_establishment_document`].
    pub async fn print_medical_document(
        &self,
        grant: &MedicalGrant,
        id: i64,
    ) -> Result<StoredDocument, StoreError> {
        let document = self.find_document(id).await?;
        if document.worker_id != grant.worker_id().0 {
            return Err(StoreError::NotFound);
        }
        in_tx!(self, tx => {
            trace!(tx, grant, "document", "print");
            Ok::<(), StoreError>(())
        })?;
        Ok(document)
    }

    /// A document of an establishment (the employer's portal: the document, no medical file).
    pub async fn find_establishment_document(
        &self,
        establishment_id: i64,
        id: i64,
    ) -> Result<StoredDocument, StoreError> {
        let document = self.find_document(id).await?;
        if document.establishment_id != Some(establishment_id) {
            return Err(StoreError::NotFound);
        }
        Ok(document)
    }

    /// The documents issued for an establishment's workers, newest first (without the PDF).
    pub async fn list_establishment_documents(
        &self,
        establishment_id: i64,
    ) -> Result<Vec<StoredDocument>, StoreError> {
        self.select_documents(
            "d.establishment_id = $1 ORDER BY d.id DESC LIMIT 500",
            establishment_id,
            false,
        )
        .await
    }

    async fn find_document(&self, id: i64) -> Result<StoredDocument, StoreError> {
        self.select_documents("d.id = $1", id, true)
            .await?
            .pop()
            .ok_or(StoreError::NotFound)
    }

    /// The document a verification code names (its title, date, issuer; no PDF).
    pub async fn verify_document(&self, code: &str) -> Result<Option<StoredDocument>, StoreError> {
        with_pool!(self, pool => {
            let row = sqlx::query("SELECT id FROM medical_documents WHERE verification_code = $1")
                .bind(code.trim())
                .fetch_optional(pool)
                .await?;
            match row {
                Some(r) => {
                    let id: i64 = r.try_get("id")?;
                    Ok(self.select_documents("d.id = $1", id, false).await?.pop())
                }
                None => Ok(None),
            }
        })
    }

    async fn select_documents(
        &self,
        filter: &str,
        value: i64,
        with_pdf: bool,
    ) -> Result<Vec<StoredDocument>, StoreError> {
        let pdf = if with_pdf { "d.pdf" } else { "NULL AS pdf" };
        let sql = format!(
            "SELECT d.id, d.worker_id, w.first_name || ' ' || w.last_name AS worker_name, d.establishment_id,
                COALESCE(e.name, '') AS establishment_name, d.title, d.verification_code, d.issued_at, a.date AS visit_date, {pdf}
             FROM medical_documents d JOIN workers w ON w.id = d.worker_id JOIN visits v ON v.id = d.visit_id
             JOIN appointments a ON a.id = v.appointment_id LEFT JOIN establishments e ON e.id = d.establishment_id
             WHERE {filter}"
        );
        with_pool!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(value).fetch_all(pool).await?;
            rows.iter().map(|r| Ok(StoredDocument {
                id: r.try_get("id")?,
                worker_id: r.try_get("worker_id")?,
                worker_name: r.try_get("worker_name")?,
                establishment_id: r.try_get("establishment_id")?,
                establishment_name: r.try_get("establishment_name")?,
                title: r.try_get("title")?,
                verification_code: r.try_get("verification_code")?,
                issued_at: r.try_get("issued_at")?,
                visit_date: r.try_get("visit_date")?,
                pdf: r.try_get::<Option<Vec<u8>>, _>("pdf")?.unwrap_or_default(),
            })).collect()
        })
    }

    /// The PDF attached to an outbox message, with its file name.
    pub async fn outbox_attachment(
        &self,
        document_id: i64,
    ) -> Result<(String, Vec<u8>), StoreError> {
        let document = self.find_document(document_id).await?;
        Ok((format!("{}.pdf", document.verification_code), document.pdf))
    }
}

/// A file of the medical file (exam result, letter), without its content in lists.
#[derive(Debug, Clone)]
pub struct MedicalAttachment {
    pub id: i64,
    pub section: String,
    pub title: String,
    pub media_type: String,
    pub size_bytes: i32,
    pub author: String,
    pub created_at: DateTime<Utc>,
    pub content: Vec<u8>,
}

impl Db {
    /// Adds a file to the worker's medical file (its type and size checked), traced.
    pub async fn add_medical_attachment(
        &self,
        grant: &MedicalGrant,
        section: &str,
        title: &str,
        content: &[u8],
    ) -> Result<i64, StoreError> {
        if !domain::medical::ATTACHMENT_SECTIONS
            .iter()
            .any(|(code, _)| *code == section)
        {
            return Err(StoreError::Invalid(format!(
                "Rubrique : « {section} » ne reçoit pas de fichier"
            )));
        }
        if title.trim().is_empty() {
            return Err(StoreError::Invalid("Titre : obligatoire".into()));
        }
        let media_type = domain::medical::attachment_media_type(content)
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        in_tx!(self, tx => {
            let id: i64 = sqlx::query(
                "INSERT INTO medical_attachments (worker_id, section, title, media_type, size_bytes, content, author_user_id, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(grant.worker_id().0)
            .bind(section)
            .bind(title.trim())
            .bind(media_type)
            .bind(content.len() as i32)
            .bind(content)
            .bind(grant.user_id().0)
            .bind(now())
            .fetch_one(&mut *tx)
            .await?
            .try_get("id")?;
            trace!(tx, grant, section, "write");
            Ok(id)
        })
    }

    /// The files of the worker's file (without their content), oldest first.
    pub async fn list_medical_attachments(
        &self,
        grant: &MedicalGrant,
    ) -> Result<Vec<MedicalAttachment>, StoreError> {
        self.select_attachments(grant, None).await
    }

    /// One file with its content (traced as read).
    pub async fn read_medical_attachment(
        &self,
        grant: &MedicalGrant,
        id: i64,
    ) -> Result<MedicalAttachment, StoreError> {
        let attachment = self
            .select_attachments(grant, Some(id))
            .await?
            .pop()
            .ok_or(StoreError::NotFound)?;
        in_tx!(self, tx => {
            trace!(tx, grant, attachment.section.as_str(), "read");
            Ok::<(), StoreError>(())
        })?;
        Ok(attachment)
    }

    async fn select_attachments(
        &self,
        grant: &MedicalGrant,
        id: Option<i64>,
    ) -> Result<Vec<MedicalAttachment>, StoreError> {
        let (content, filter) = match id {
            Some(_) => ("a.content", " AND a.id = $2"),
            None => ("NULL AS content", ""),
        };
        let sql = format!(
            "SELECT a.id, a.section, a.title, a.media_type, a.size_bytes, u.display_name, a.created_at, {content}
             FROM medical_attachments a JOIN users u ON u.id = a.author_user_id WHERE a.worker_id = $1{filter} ORDER BY a.id"
        );
        with_pool!(self, pool => {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(grant.worker_id().0);
            if let Some(id) = id {
                query = query.bind(id);
            }
            let rows = query.fetch_all(pool).await?;
            rows.iter().map(|r| Ok(MedicalAttachment {
                id: r.try_get("id")?,
                section: r.try_get("section")?,
                title: r.try_get("title")?,
                media_type: r.try_get("media_type")?,
                size_bytes: r.try_get("size_bytes")?,
                author: r.try_get("display_name")?,
                created_at: r.try_get("created_at")?,
                content: r.try_get::<Option<Vec<u8>>, _>("content")?.unwrap_or_default(),
            })).collect()
        })
    }
}
