//! Actions on the work site (AMT): recorded per establishment, listed per establishment and
//! per author (a preventer's plan), with an optional report (PDF or image).

use chrono::NaiveDate;
use domain::prevention::{NewAction, check_action};
use sqlx::Row;

use crate::Actor;
use crate::audit::{AuditEntry, AuditTx};
use crate::db::{Db, StoreError, in_tx, now, with_pool};

/// An action as listed.
#[derive(Debug, Clone)]
pub struct WorkplaceAction {
    pub id: i64,
    pub establishment_id: i64,
    pub establishment_name: String,
    pub date: NaiveDate,
    pub kind: String,
    pub title: String,
    pub worker_id: Option<i64>,
    pub worker_name: Option<String>,
    pub workers: Option<i32>,
    pub measurements: String,
    pub author: String,
    pub has_report: bool,
    pub pdp_case_id: Option<i64>,
    pub inaptitude_procedure: bool,
}

const SELECT: &str = "SELECT a.id, a.establishment_id, e.name AS establishment_name, a.date, a.type, a.title, a.worker_id,
        w.first_name || ' ' || w.last_name AS worker_name, a.workers, a.measurements, a.author, a.report IS NOT NULL AS has_report,
        a.pdp_case_id, a.inaptitude_procedure
     FROM workplace_actions a JOIN establishments e ON e.id = a.establishment_id LEFT JOIN workers w ON w.id = a.worker_id";

macro_rules! action_from_row {
    ($r:expr) => {
        WorkplaceAction {
            id: $r.try_get("id")?,
            establishment_id: $r.try_get("establishment_id")?,
            establishment_name: $r.try_get("establishment_name")?,
            date: $r.try_get("date")?,
            kind: $r.try_get("type")?,
            title: $r.try_get("title")?,
            worker_id: $r.try_get("worker_id")?,
            worker_name: $r.try_get("worker_name")?,
            workers: $r.try_get("workers")?,
            measurements: $r.try_get("measurements")?,
            author: $r.try_get("author")?,
            has_report: $r.try_get("has_report")?,
            pdp_case_id: $r.try_get("pdp_case_id")?,
            inaptitude_procedure: $r.try_get("inaptitude_procedure")?,
        }
    };
}

impl Db {
    /// Records an action (and its report); the worker of an individual study must work or
    /// have worked in the establishment, and the PDP case it serves must be that worker's.
    pub async fn add_workplace_action(
        &self,
        actor: &Actor,
        establishment_id: i64,
        action: &NewAction,
        report: Option<&[u8]>,
    ) -> Result<i64, StoreError> {
        check_action(action).map_err(StoreError::Invalid)?;
        let media_type = match report {
            Some(bytes) => Some(
                domain::medical::attachment_media_type(bytes)
                    .map_err(|e| StoreError::Invalid(format!("Rapport : {}", e.message)))?,
            ),
            None => None,
        };
        in_tx!(self, tx => {
            if let Some(worker) = action.worker_id {
                let employed = sqlx::query("SELECT 1 FROM employments WHERE worker_id = $1 AND establishment_id = $2")
                    .bind(worker)
                    .bind(establishment_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                if employed.is_none() {
                    return Err(StoreError::Invalid("Salarié : il ne travaille pas dans cet établissement".into()));
                }
            }
            if let Some(case) = action.pdp_case_id {
                let same_worker = sqlx::query("SELECT 1 FROM pdp_cases WHERE id = $1 AND worker_id = $2")
                    .bind(case)
                    .bind(action.worker_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                if same_worker.is_none() {
                    return Err(StoreError::Invalid("Dossier PDP : ce n'est pas un dossier du salarié étudié".into()));
                }
            }
            let id: i64 = sqlx::query(
                "INSERT INTO workplace_actions (establishment_id, date, type, title, worker_id, workers, measurements, author, report,
                    report_media_type, created_at, pdp_case_id, inaptitude_procedure)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
            )
            .bind(establishment_id)
            .bind(action.date)
            .bind(&action.kind)
            .bind(action.title.trim())
            .bind(action.worker_id)
            .bind(action.workers.map(|w| w as i32))
            .bind(action.measurements.trim())
            .bind(&actor.0)
            .bind(report)
            .bind(media_type)
            .bind(now())
            .bind(action.pdp_case_id)
            .bind(action.inaptitude_procedure)
            .fetch_one(&mut *tx)
            .await?
            .try_get("id")?;
            tx.audit(AuditEntry::new(actor, "add", "workplace_action", id)
                .after(&serde_json::json!({"establishment_id": establishment_id, "type": action.kind, "date": action.date})))
                .await?;
            Ok(id)
        })
    }

    /// An establishment's actions, newest first.
    pub async fn list_establishment_actions(
        &self,
        establishment_id: i64,
    ) -> Result<Vec<WorkplaceAction>, StoreError> {
        let sql = format!("{SELECT} WHERE a.establishment_id = $1 ORDER BY a.date DESC, a.id DESC");
        with_pool!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(establishment_id).fetch_all(pool).await?;
            rows.iter().map(|r| Ok(action_from_row!(r))).collect()
        })
    }

    /// An author's actions from `from` on (their plan and what they did since), by date.
    pub async fn list_author_actions(
        &self,
        author: &str,
        from: NaiveDate,
    ) -> Result<Vec<WorkplaceAction>, StoreError> {
        let sql = format!("{SELECT} WHERE a.author = $1 AND a.date >= $2 ORDER BY a.date, a.id");
        with_pool!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(author).bind(from).fetch_all(pool).await?;
            rows.iter().map(|r| Ok(action_from_row!(r))).collect()
        })
    }

    /// The workstation studies serving a PDP case, by date.
    pub async fn list_pdp_case_studies(
        &self,
        case_id: i64,
    ) -> Result<Vec<WorkplaceAction>, StoreError> {
        let sql = format!("{SELECT} WHERE a.pdp_case_id = $1 ORDER BY a.date, a.id");
        with_pool!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(case_id).fetch_all(pool).await?;
            rows.iter().map(|r| Ok(action_from_row!(r))).collect()
        })
    }

    /// The date of the worker's latest individual workstation study up to `on`: the date the
    /// opinion form proposes for the R4624-42 prerequisite.
    pub async fn latest_worker_study_on(
        &self,
        worker_id: i64,
        on: NaiveDate,
    ) -> Result<Option<NaiveDate>, StoreError> {
        with_pool!(self, pool => {
            let row = sqlx::query(
                "SELECT date FROM workplace_actions WHERE worker_id = $1 AND type = 'workstation_study' AND date <= $2
                 ORDER BY date DESC, id DESC LIMIT 1",
            )
            .bind(worker_id)
            .bind(on)
            .fetch_optional(pool)
            .await?;
            Ok(match row {
                Some(r) => Some(r.try_get("date")?),
                None => None,
            })
        })
    }

    /// The report of an action: (media type, bytes).
    pub async fn workplace_action_report(&self, id: i64) -> Result<(String, Vec<u8>), StoreError> {
        with_pool!(self, pool => {
            let row = sqlx::query("SELECT report, report_media_type FROM workplace_actions WHERE id = $1 AND report IS NOT NULL")
                .bind(id)
                .fetch_optional(pool)
                .await?
                .ok_or(StoreError::NotFound)?;
            Ok((row.try_get("report_media_type")?, row.try_get("report")?))
        })
    }
}

impl Db {
    /// The workers employed in an establishment on `on`: (worker id, name, job title), by name.
    pub async fn list_establishment_workers(
        &self,
        establishment_id: i64,
        on: NaiveDate,
    ) -> Result<Vec<(i64, String, String)>, StoreError> {
        with_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT w.id, w.last_name || ' ' || w.first_name AS name, m.job_title FROM employments m
                 JOIN workers w ON w.id = m.worker_id
                 WHERE m.establishment_id = $1 AND m.hired_on <= $2 AND (m.left_on IS NULL OR m.left_on >= $2)
                 ORDER BY w.last_name, w.first_name, w.id LIMIT 1000",
            )
            .bind(establishment_id)
            .bind(on)
            .fetch_all(pool)
            .await?;
            rows.iter().map(|r| Ok((r.try_get("id")?, r.try_get("name")?, r.try_get("job_title")?))).collect()
        })
    }
}
