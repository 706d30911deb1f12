//! The medical file (DMST). Every function that reads or writes medical content takes a
//! [`MedicalGrant`] and writes its trace (`medical_access_log`) in the same transaction; the
//! audit trail, which is not medical, only records that a visit was recorded.
//! Nothing is overwritten: a correction is a new version superseding the old one.

use chrono::{DateTime, NaiveDate, Utc};
use domain::authz::MedicalGrant;
use domain::ids::{TeamId, UserId};
use domain::medical::{Measurements, RetentionFacts, VisitRecord, check_visit, retention_end};
use domain::messages::{MessageContext, compose_document};
use sqlx::Row;

use crate::Actor;
use crate::appointments::AppointmentsTx;
use crate::audit::{AuditEntry, AuditTx};
use crate::db::{Db, StoreError, in_tx, now, with_pool};
use crate::medical_documents::NewDocument;
use crate::obligations::ObligationsTx;
use crate::outbox::OutboxTx;

/// Sections of the medical file that hold free text per visit or over time.
pub const SECTIONS: [(&str, &str); 10] = [
    ("curriculum", "Curriculum laboris et expositions"),
    ("exposures", "Expositions confirmées à cette visite"),
    ("history", "Antécédents médicaux et chirurgicaux"),
    ("treatments", "Traitements"),
    ("vaccinations", "Vaccinations"),
    ("questionnaire", "Questionnaire"),
    ("findings", "Examen clinique"),
    ("advice", "Conseils et messages de prévention"),
    ("exams", "Examens complémentaires"),
    ("notes", "Notes"),
];

pub fn section_label(code: &str) -> &'static str {
    SECTIONS
        .iter()
        .find(|(c, _)| *c == code)
        .map_or("", |(_, label)| label)
}

/// One version of an entry of the medical file.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MedicalEntry {
    pub id: i64,
    pub section: String,
    pub content: String,
    pub version: i32,
    pub supersedes_id: Option<i64>,
    pub author: String,
    pub created_at: DateTime<Utc>,
    pub visit_id: Option<i64>,
    /// A later version replaced this one.
    pub superseded: bool,
}

/// A visit as the file shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RecordedVisit {
    pub id: i64,
    pub appointment_id: i64,
    pub date: NaiveDate,
    pub kind: String,
    pub role: String,
    pub author: String,
    pub outcome: String,
    pub next_visit_months: Option<i32>,
    pub referral: String,
    pub teleconsultation: bool,
    pub experimental: bool,
    pub duration_min: i32,
    pub measurements: Measurements,
    pub recommendations: String,
    pub document_id: Option<i64>,
}

/// A worker's medical file, as opened under a grant.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MedicalFile {
    pub entries: Vec<MedicalEntry>,
    pub visits: Vec<RecordedVisit>,
    pub retention_end: Option<NaiveDate>,
}

/// What the access decision needs about a worker's file.
#[derive(Debug, Clone, Default)]
pub struct FileContext {
    pub team: Option<TeamId>,
    pub objects_to_other_professionals: bool,
    pub objected_users: Vec<UserId>,
}

/// A visit to record, with what the professional wrote in each section.
#[derive(Debug, Clone)]
pub struct NewVisit {
    pub appointment_id: i64,
    pub record: VisitRecord,
    pub measurements: Measurements,
    pub sections: Vec<(String, String)>,
    /// The document the outcome gives, already rendered.
    pub document: Option<NewDocument>,
}

macro_rules! trace {
    ($tx:expr, $grant:expr, $section:expr, $action:expr) => {
        sqlx::query(
            "INSERT INTO medical_access_log (at, user_id, worker_id, section, action, justification)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(now())
        .bind($grant.user_id().0)
        .bind($grant.worker_id().0)
        .bind($section)
        .bind($action)
        .bind($grant.justification())
        .execute(&mut *$tx)
        .await?
    };
}

pub(crate) use trace;

impl Db {
    /// The worker's team (of their current employment) and objections.
    pub async fn medical_file_context(&self, worker_id: i64) -> Result<FileContext, StoreError> {
        with_pool!(self, pool => {
            let team: Option<i64> = sqlx::query(
                "SELECT e.team_id FROM employments m JOIN establishments e ON e.id = m.establishment_id
                 WHERE m.worker_id = $1 ORDER BY (m.left_on IS NULL) DESC, m.hired_on DESC LIMIT 1",
            )
            .bind(worker_id)
            .fetch_optional(pool)
            .await?
            .map(|r| r.try_get::<Option<i64>, _>("team_id"))
            .transpose()?
            .flatten();
            let objection = sqlx::query("SELECT objects_to_other_professionals, objected_user_ids FROM medical_objections WHERE worker_id = $1")
                .bind(worker_id)
                .fetch_optional(pool)
                .await?;
            let (objects, users) = match objection {
                Some(r) => {
                    let ids: String = r.try_get("objected_user_ids")?;
                    (r.try_get("objects_to_other_professionals")?, ids.split(',').filter_map(|s| s.trim().parse().ok()).map(UserId).collect())
                }
                None => (false, Vec::new()),
            };
            Ok(FileContext { team: team.map(TeamId), objects_to_other_professionals: objects, objected_users: users })
        })
    }

    /// Opens the worker's file (traced as a read of the whole file).
    pub async fn open_medical_file(&self, grant: &MedicalGrant) -> Result<MedicalFile, StoreError> {
        let worker = grant.worker_id().0;
        // Read without holding the write lock; the content is given only once the trace of
        // the read is written.
        let file = with_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT m.id, m.section, m.content, m.version, m.supersedes_id, m.created_at, m.visit_id, u.display_name,
                    EXISTS (SELECT 1 FROM medical_entries n WHERE n.supersedes_id = m.id) AS superseded
                 FROM medical_entries m JOIN users u ON u.id = m.author_user_id
                 WHERE m.worker_id = $1 ORDER BY m.id",
            )
            .bind(worker)
            .fetch_all(pool)
            .await?;
            let mut entries = Vec::new();
            for r in &rows {
                entries.push(MedicalEntry {
                    id: r.try_get("id")?,
                    section: r.try_get("section")?,
                    content: r.try_get("content")?,
                    version: r.try_get("version")?,
                    supersedes_id: r.try_get("supersedes_id")?,
                    author: r.try_get("display_name")?,
                    created_at: r.try_get("created_at")?,
                    visit_id: r.try_get("visit_id")?,
                    superseded: r.try_get("superseded")?,
                });
            }
            let rows = sqlx::query(
                "SELECT v.id, v.appointment_id, a.date, v.kind, v.role, u.display_name, v.outcome, v.next_visit_months, v.referral,
                    v.teleconsultation, v.experimental, v.duration_min, v.measurements, v.recommendations, d.id AS document_id
                 FROM visits v JOIN appointments a ON a.id = v.appointment_id JOIN users u ON u.id = v.author_user_id
                 LEFT JOIN medical_documents d ON d.visit_id = v.id
                 WHERE v.worker_id = $1 ORDER BY a.date DESC, v.id DESC",
            )
            .bind(worker)
            .fetch_all(pool)
            .await?;
            let mut visits = Vec::new();
            for r in &rows {
                let measurements: String = r.try_get("measurements")?;
                visits.push(RecordedVisit {
                    id: r.try_get("id")?,
                    appointment_id: r.try_get("appointment_id")?,
                    date: r.try_get("date")?,
                    kind: r.try_get("kind")?,
                    role: r.try_get("role")?,
                    author: r.try_get("display_name")?,
                    outcome: r.try_get("outcome")?,
                    next_visit_months: r.try_get("next_visit_months")?,
                    referral: r.try_get("referral")?,
                    teleconsultation: r.try_get("teleconsultation")?,
                    experimental: r.try_get("experimental")?,
                    duration_min: r.try_get("duration_min")?,
                    measurements: serde_json::from_str(&measurements).unwrap_or_default(),
                    recommendations: r.try_get("recommendations")?,
                    document_id: r.try_get("document_id")?,
                });
            }
            let facts = sqlx::query(
                "SELECT w.birth_date, (SELECT MAX(date) FROM appointments a WHERE a.worker_id = w.id AND a.status = 'done') AS last_visit
                 FROM workers w WHERE w.id = $1",
            )
            .bind(worker)
            .fetch_one(pool)
            .await?;
            let retention = retention_end(&RetentionFacts {
                birth_date: facts.try_get("birth_date")?,
                last_visit_on: facts.try_get("last_visit")?,
                ..Default::default()
            });
            MedicalFile { entries, visits, retention_end: retention }
        });
        self.record_medical_access(grant, "dossier", "read").await?;
        Ok(file)
    }

    /// Records a visit on its appointment: the visit, its sections, the appointment done with
    /// its outcome, the next periodicity, a referral to the doctor (a visit request in the
    /// doctor's queue), the obligations recomputed and the trace — one transaction.
    pub async fn record_visit(
        &self,
        grant: &MedicalGrant,
        role: &str,
        visit: &NewVisit,
        today: NaiveDate,
        context: &MessageContext,
    ) -> Result<i64, StoreError> {
        check_visit(role, &visit.record).map_err(|e| StoreError::Invalid(e.to_string()))?;
        for (section, _) in &visit.sections {
            if section_label(section).is_empty() {
                return Err(StoreError::Invalid(format!(
                    "Rubrique : « {section} » inconnue"
                )));
            }
        }
        let worker = grant.worker_id().0;
        let record = &visit.record;
        let at = now();
        in_tx!(self, tx => {
            let appointment = sqlx::query("SELECT worker_id, establishment_id, date, status FROM appointments WHERE id = $1")
                .bind(visit.appointment_id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(StoreError::NotFound)?;
            if appointment.try_get::<i64, _>("worker_id")? != worker {
                return Err(StoreError::NotFound);
            }
            let date: NaiveDate = appointment.try_get("date")?;
            if date > today {
                return Err(StoreError::Invalid("Visite : le rendez-vous n'a pas encore eu lieu".into()));
            }
            let status: String = appointment.try_get("status")?;
            if status != "planned" {
                return Err(StoreError::Conflict(if status == "done" {
                    "Visite : déjà enregistrée pour ce rendez-vous".to_string()
                } else {
                    format!("Visite : le rendez-vous est « {status} »")
                }));
            }
            let id: i64 = sqlx::query(
                "INSERT INTO visits (appointment_id, worker_id, kind, author_user_id, role, outcome, next_visit_months, referral,
                    prerequisites, measurements, teleconsultation, experimental, duration_min, recorded_at, recommendations)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
            )
            .bind(visit.appointment_id)
            .bind(worker)
            .bind(&record.kind)
            .bind(grant.user_id().0)
            .bind(role)
            .bind(&record.outcome)
            .bind(record.next_visit_months.map(|m| m as i32))
            .bind(&record.referral)
            .bind(serde_json::to_string(&record.prerequisites).unwrap_or_default())
            .bind(serde_json::to_string(&visit.measurements).unwrap_or_default())
            .bind(record.teleconsultation)
            .bind(record.experimental)
            .bind(record.duration_min as i32)
            .bind(at)
            .bind(record.recommendations.trim())
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| StoreError::conflict_or(e, "Visite : déjà enregistrée pour ce rendez-vous"))?
            .try_get("id")?;
            for (section, content) in visit.sections.iter().filter(|(_, c)| !c.trim().is_empty()) {
                sqlx::query(
                    "INSERT INTO medical_entries (worker_id, visit_id, section, content, version, author_user_id, created_at)
                     VALUES ($1, $2, $3, $4, 1, $5, $6)",
                )
                .bind(worker)
                .bind(id)
                .bind(section)
                .bind(content.trim())
                .bind(grant.user_id().0)
                .bind(at)
                .execute(&mut *tx)
                .await?;
            }
            sqlx::query(
                "UPDATE appointments SET status = 'done', kind = $1, outcome = $2, teleconsultation = $3, experimental = $4, performer = $5
                 WHERE id = $6",
            )
            .bind(&record.kind)
            .bind(&record.outcome)
            .bind(record.teleconsultation)
            .bind(record.experimental)
            .bind(role)
            .bind(visit.appointment_id)
            .execute(&mut *tx)
            .await?;
            if let Some(months) = record.next_visit_months {
                sqlx::query(
                    "INSERT INTO followup_periodicities (worker_id, months, set_by, set_at) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (worker_id) DO UPDATE SET months = excluded.months, set_by = excluded.set_by, set_at = excluded.set_at",
                )
                .bind(worker)
                .bind(months as i32)
                .bind(format!("user:{}", grant.user_id().0))
                .bind(at)
                .execute(&mut *tx)
                .await?;
            }
            if record.referral == "doctor" {
                sqlx::query(
                    "INSERT INTO visit_requests (worker_id, employment_id, kind, requester, asked_on, recorded_by, recorded_at)
                     SELECT worker_id, id, 'ON_DEMAND', 'occupational_doctor', $1, $2, $3 FROM employments
                     WHERE worker_id = $4 AND establishment_id = $5 ORDER BY hired_on DESC LIMIT 1",
                )
                .bind(today)
                .bind(format!("user:{}", grant.user_id().0))
                .bind(at)
                .bind(worker)
                .bind(appointment.try_get::<Option<i64>, _>("establishment_id")?)
                .execute(&mut *tx)
                .await?;
            }
            if let Some(document) = &visit.document {
                let document_id: i64 = sqlx::query(
                    "INSERT INTO medical_documents (visit_id, worker_id, establishment_id, outcome, title, verification_code,
                        issued_by_user_id, issued_at, pdf)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                )
                .bind(id)
                .bind(worker)
                .bind(appointment.try_get::<Option<i64>, _>("establishment_id")?)
                .bind(&record.outcome)
                .bind(&document.title)
                .bind(&document.verification_code)
                .bind(grant.user_id().0)
                .bind(at)
                .bind(&document.pdf)
                .fetch_one(&mut *tx)
                .await?
                .try_get("id")?;
                let notice = tx.appointment(visit.appointment_id).await?.notice;
                let templates = tx.templates().await?;
                let messages = compose_document(&templates, context, &notice, &document.title, document_id);
                tx.enqueue(&messages).await?;
            }
            tx.refresh_obligations(Some(&[worker]), today).await?;
            trace!(tx, grant, "visite", "write");
            tx.audit(AuditEntry::new(&Actor(format!("user:{}", grant.user_id().0)), "record_visit", "appointment", visit.appointment_id)).await?;
            Ok(id)
        })
    }

    /// Corrects an entry: a new version superseding the current one (the old one is kept).
    pub async fn correct_medical_entry(
        &self,
        grant: &MedicalGrant,
        entry_id: i64,
        content: &str,
    ) -> Result<i64, StoreError> {
        if content.trim().is_empty() {
            return Err(StoreError::Invalid("Texte : obligatoire".into()));
        }
        in_tx!(self, tx => {
            let current = sqlx::query(
                "SELECT section, version, visit_id FROM medical_entries m WHERE id = $1 AND worker_id = $2
                   AND NOT EXISTS (SELECT 1 FROM medical_entries n WHERE n.supersedes_id = m.id)",
            )
            .bind(entry_id)
            .bind(grant.worker_id().0)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::Conflict("Correction : seule la dernière version d'une rubrique se corrige".into()))?;
            let section: String = current.try_get("section")?;
            let id: i64 = sqlx::query(
                "INSERT INTO medical_entries (worker_id, visit_id, section, content, version, supersedes_id, author_user_id, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(grant.worker_id().0)
            .bind(current.try_get::<Option<i64>, _>("visit_id")?)
            .bind(&section)
            .bind(content.trim())
            .bind(current.try_get::<i32, _>("version")? + 1)
            .bind(entry_id)
            .bind(grant.user_id().0)
            .bind(now())
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| StoreError::conflict_or(e, "Correction : cette version vient d'être corrigée"))?
            .try_get("id")?;
            trace!(tx, grant, section.as_str(), "write");
            Ok(id)
        })
    }

    /// Records the worker's objection to access by professionals outside their team, or by
    /// named professionals (R4624-45-6).
    pub async fn set_medical_objection(
        &self,
        grant: &MedicalGrant,
        objects_to_other_professionals: bool,
        objected_users: &[UserId],
    ) -> Result<(), StoreError> {
        let ids: Vec<String> = objected_users.iter().map(|u| u.0.to_string()).collect();
        in_tx!(self, tx => {
            sqlx::query(
                "INSERT INTO medical_objections (worker_id, objects_to_other_professionals, objected_user_ids, recorded_by, recorded_at)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (worker_id) DO UPDATE SET objects_to_other_professionals = excluded.objects_to_other_professionals,
                   objected_user_ids = excluded.objected_user_ids, recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at",
            )
            .bind(grant.worker_id().0)
            .bind(objects_to_other_professionals)
            .bind(ids.join(","))
            .bind(format!("user:{}", grant.user_id().0))
            .bind(now())
            .execute(&mut *tx)
            .await?;
            trace!(tx, grant, "opposition", "write");
            Ok(())
        })
    }
}
