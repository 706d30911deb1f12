//! Workers, their employments in member establishments, the yearly workforce declarations
//! (versioned: a submitted declaration is locked, a correction is a new version) and the
//! doctor's decisions on a worker's category.

use chrono::{DateTime, NaiveDate, Utc};
use domain::company::{Contract, Sex};
use domain::fees::Workforce;
use domain::followup::FollowUp;
use serde::Serialize;
use sqlx::Row;

use crate::Actor;
use crate::audit::{AuditEntry, AuditTx};
use crate::db::{Db, StoreError, in_tx, now, with_pool};
use crate::obligations::ObligationsTx;
use crate::queues::today;

#[derive(Debug, Clone, Serialize)]
pub struct NewWorker {
    pub worker_ref: String,
    pub last_name: String,
    pub first_name: String,
    pub sex: Sex,
    pub birth_date: NaiveDate,
    pub nir: Option<String>,
    pub email: Option<String>,
    pub mobile: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Worker {
    pub id: i64,
    pub worker_ref: String,
    pub last_name: String,
    pub first_name: String,
    pub sex: Sex,
    pub birth_date: NaiveDate,
    pub nir: Option<String>,
    pub email: Option<String>,
    pub mobile: Option<String>,
}

impl Worker {
    pub fn display_name(&self) -> String {
        format!("{} {}", self.last_name.to_uppercase(), self.first_name)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct NewEmployment {
    pub establishment_id: i64,
    pub job_title: String,
    pub pcs_ese: Option<String>,
    pub contract: Contract,
    pub hired_on: NaiveDate,
    pub left_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Employment {
    pub id: i64,
    pub worker_id: i64,
    pub establishment_id: i64,
    pub siret: String,
    pub establishment_name: String,
    pub job_title: String,
    pub pcs_ese: Option<String>,
    pub contract: Contract,
    pub hired_on: NaiveDate,
    pub left_on: Option<NaiveDate>,
}

/// Where a declaration stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum DeclarationStatus {
    Draft,
    Submitted,
}

impl DeclarationStatus {
    fn from_code(code: &str) -> DeclarationStatus {
        if code == "submitted" {
            DeclarationStatus::Submitted
        } else {
            DeclarationStatus::Draft
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct DeclarationLine {
    pub employment_id: i64,
    pub worker_id: i64,
    pub worker_name: String,
    pub birth_date: NaiveDate,
    pub job_title: String,
    pub contract: Contract,
    pub hired_on: NaiveDate,
    pub left_on: Option<NaiveDate>,
    pub exposures: Vec<String>,
    pub category: FollowUp,
}

#[derive(Debug, Clone, Serialize)]
pub struct Declaration {
    pub id: i64,
    pub establishment_id: i64,
    pub year: i32,
    pub version: i32,
    pub status: DeclarationStatus,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    pub submitted_at: Option<DateTime<Utc>>,
    pub submitted_by: Option<String>,
    pub lines: Vec<DeclarationLine>,
}

impl Declaration {
    pub fn workforce(&self) -> Workforce {
        let mut workforce = Workforce::default();
        for line in &self.lines {
            match line.category {
                FollowUp::Simple => workforce.sis += 1,
                FollowUp::Adapted => workforce.sia += 1,
                FollowUp::Reinforced => workforce.sir += 1,
            }
        }
        workforce
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CategoryDecision {
    pub category: FollowUp,
    pub reason: String,
    pub decided_by: String,
    pub decided_at: DateTime<Utc>,
}

macro_rules! worker_from_row {
    ($row:expr) => {{
        let sex: String = $row.try_get("sex")?;
        Worker {
            id: $row.try_get("id")?,
            worker_ref: $row.try_get("worker_ref")?,
            last_name: $row.try_get("last_name")?,
            first_name: $row.try_get("first_name")?,
            sex: Sex::from_code(&sex)
                .ok_or_else(|| StoreError::Invalid(format!("sexe inconnu {sex}")))?,
            birth_date: $row.try_get("birth_date")?,
            nir: $row.try_get("nir")?,
            email: $row.try_get("email")?,
            mobile: $row.try_get("mobile")?,
        }
    }};
}

macro_rules! employment_from_row {
    ($row:expr) => {{
        let contract: String = $row.try_get("contract")?;
        Employment {
            id: $row.try_get("id")?,
            worker_id: $row.try_get("worker_id")?,
            establishment_id: $row.try_get("establishment_id")?,
            siret: $row.try_get("siret")?,
            establishment_name: $row.try_get("establishment_name")?,
            job_title: $row.try_get("job_title")?,
            pcs_ese: $row.try_get("pcs_ese")?,
            contract: Contract::from_code(&contract).unwrap_or(Contract::Other),
            hired_on: $row.try_get("hired_on")?,
            left_on: $row.try_get("left_on")?,
        }
    }};
}

macro_rules! declaration_from_row {
    ($row:expr, $lines:expr) => {{
        let status: String = $row.try_get("status")?;
        Declaration {
            id: $row.try_get("id")?,
            establishment_id: $row.try_get("establishment_id")?,
            year: $row.try_get("year")?,
            version: $row.try_get("version")?,
            status: DeclarationStatus::from_code(&status),
            created_at: $row.try_get("created_at")?,
            created_by: $row.try_get("created_by")?,
            submitted_at: $row.try_get("submitted_at")?,
            submitted_by: $row.try_get("submitted_by")?,
            lines: $lines,
        }
    }};
}

const INSERT_LINE: &str = "INSERT INTO declaration_lines (declaration_id, employment_id, exposures, category) VALUES ($1, $2, $3, $4)";

const WORKER_COLUMNS: &str =
    "id, worker_ref, last_name, first_name, sex, birth_date, nir, email, mobile";
const EMPLOYMENT_SELECT: &str =
    "SELECT m.id, m.worker_id, m.establishment_id, e.siret, e.name AS establishment_name,
    m.job_title, m.pcs_ese, m.contract, m.hired_on, m.left_on
    FROM employments m JOIN establishments e ON e.id = m.establishment_id";

/// Fails unless the declaration exists and is a draft (a submitted one is locked).
macro_rules! ensure_draft {
    ($tx:expr, $id:expr) => {{
        let row = sqlx::query("SELECT status FROM declarations WHERE id = $1")
            .bind($id)
            .fetch_optional(&mut *$tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        if row.try_get::<String, _>("status")? != "draft" {
            return Err(StoreError::Conflict(
                "cette déclaration est transmise et verrouillée : ouvrez une correction (nouvelle version)".into(),
            ));
        }
    }};
}

fn join_codes(codes: &[String]) -> String {
    codes.join("|")
}

fn split_codes(text: &str) -> Vec<String> {
    text.split('|')
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect()
}

impl Db {
    /// Creates a worker and an employment (a hire), in one transaction.
    pub async fn create_worker_with_employment(
        &self,
        actor: &Actor,
        worker: &NewWorker,
        employment: &NewEmployment,
    ) -> Result<(i64, i64), StoreError> {
        in_tx!(self, tx => {
            let worker_id: i64 = sqlx::query(
                "INSERT INTO workers (worker_ref, last_name, first_name, sex, birth_date, nir, email, mobile, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            )
            .bind(&worker.worker_ref)
            .bind(&worker.last_name)
            .bind(&worker.first_name)
            .bind(worker.sex.code())
            .bind(worker.birth_date)
            .bind(&worker.nir)
            .bind(&worker.email)
            .bind(&worker.mobile)
            .bind(now())
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| StoreError::conflict_or(e, format!("référence travailleur « {} » déjà utilisée", worker.worker_ref)))?
            .try_get("id")?;
            let employment_id: i64 = sqlx::query(
                "INSERT INTO employments (worker_id, establishment_id, job_title, pcs_ese, contract, hired_on, left_on)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(worker_id)
            .bind(employment.establishment_id)
            .bind(&employment.job_title)
            .bind(&employment.pcs_ese)
            .bind(employment.contract.code())
            .bind(employment.hired_on)
            .bind(employment.left_on)
            .fetch_one(&mut *tx)
            .await?
            .try_get("id")?;
            tx.audit(AuditEntry::new(actor, "create", "worker", &worker.worker_ref).after(worker)).await?;
            tx.audit(AuditEntry::new(actor, "hire", "employment", employment_id).after(employment)).await?;
            tx.refresh_obligations(Some(&[worker_id]), today()).await?;
            Ok((worker_id, employment_id))
        })
    }

    pub async fn find_worker(&self, id: i64) -> Result<Worker, StoreError> {
        let sql = format!("SELECT {WORKER_COLUMNS} FROM workers WHERE id = $1");
        with_pool!(self, pool => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await?.ok_or(StoreError::NotFound)?;
            Ok(worker_from_row!(row))
        })
    }

    pub async fn find_worker_by_nir(&self, nir: &str) -> Result<Option<Worker>, StoreError> {
        let sql = format!("SELECT {WORKER_COLUMNS} FROM workers WHERE nir = $1");
        with_pool!(self, pool => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(nir).fetch_optional(pool).await?;
            row.map(|row| Ok(worker_from_row!(row))).transpose()
        })
    }

    pub async fn list_worker_employments(
        &self,
        worker_id: i64,
    ) -> Result<Vec<Employment>, StoreError> {
        let sql = format!("{EMPLOYMENT_SELECT} WHERE m.worker_id = $1 ORDER BY m.hired_on DESC");
        with_pool!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(worker_id).fetch_all(pool).await?;
            rows.iter().map(|row| Ok(employment_from_row!(row))).collect()
        })
    }

    pub async fn find_employment(&self, id: i64) -> Result<Employment, StoreError> {
        let sql = format!("{EMPLOYMENT_SELECT} WHERE m.id = $1");
        with_pool!(self, pool => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await?.ok_or(StoreError::NotFound)?;
            Ok(employment_from_row!(row))
        })
    }

    /// Employments of an establishment current at some point of `year` (hired by its end and
    /// not left before its start).
    pub async fn list_employments_in_year(
        &self,
        establishment_id: i64,
        year: i32,
    ) -> Result<Vec<Employment>, StoreError> {
        let start = NaiveDate::from_ymd_opt(year, 1, 1).expect("valid year");
        let end = NaiveDate::from_ymd_opt(year, 12, 31).expect("valid year");
        let sql = format!(
            "{EMPLOYMENT_SELECT} WHERE m.establishment_id = $1 AND m.hired_on <= $2 AND (m.left_on IS NULL OR m.left_on >= $3)
             ORDER BY m.hired_on, m.id"
        );
        with_pool!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(establishment_id).bind(end).bind(start).fetch_all(pool).await?;
            rows.iter().map(|row| Ok(employment_from_row!(row))).collect()
        })
    }

    /// Records the day a worker left an establishment.
    pub async fn record_leaving(
        &self,
        actor: &Actor,
        employment_id: i64,
        left_on: NaiveDate,
    ) -> Result<(), StoreError> {
        let before = self.find_employment(employment_id).await?;
        if left_on < before.hired_on {
            return Err(StoreError::Invalid(
                "Date de sortie : antérieure à la date d'embauche".into(),
            ));
        }
        in_tx!(self, tx => {
            sqlx::query("UPDATE employments SET left_on = $2 WHERE id = $1").bind(employment_id).bind(left_on).execute(&mut *tx).await?;
            tx.audit(AuditEntry::new(actor, "leave", "employment", employment_id).before(&before).after(&serde_json::json!({"left_on": left_on}))).await?;
            tx.refresh_obligations(Some(&[before.worker_id]), today()).await?;
            Ok(())
        })
    }

    /// The latest version of a declaration, with its lines.
    pub async fn find_latest_declaration(
        &self,
        establishment_id: i64,
        year: i32,
    ) -> Result<Option<Declaration>, StoreError> {
        let id = with_pool!(self, pool => {
            sqlx::query("SELECT id FROM declarations WHERE establishment_id = $1 AND year = $2 ORDER BY version DESC LIMIT 1")
                .bind(establishment_id)
                .bind(year)
                .fetch_optional(pool)
                .await?
                .map(|r| r.try_get::<i64, _>("id"))
                .transpose()?
        });
        match id {
            Some(id) => Ok(Some(self.find_declaration(id).await?)),
            None => Ok(None),
        }
    }

    /// Every version of a declaration, latest first, without lines.
    pub async fn list_declaration_versions(
        &self,
        establishment_id: i64,
        year: i32,
    ) -> Result<Vec<Declaration>, StoreError> {
        with_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT id, establishment_id, year, version, status, created_at, created_by, submitted_at, submitted_by
                 FROM declarations WHERE establishment_id = $1 AND year = $2 ORDER BY version DESC",
            )
            .bind(establishment_id)
            .bind(year)
            .fetch_all(pool)
            .await?;
            rows.iter().map(|r| Ok(declaration_from_row!(r, Vec::new()))).collect()
        })
    }

    pub async fn find_declaration(&self, id: i64) -> Result<Declaration, StoreError> {
        with_pool!(self, pool => {
            let r = sqlx::query(
                "SELECT id, establishment_id, year, version, status, created_at, created_by, submitted_at, submitted_by
                 FROM declarations WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await?
            .ok_or(StoreError::NotFound)?;
            let lines = sqlx::query(
                "SELECT l.employment_id, m.worker_id, w.last_name, w.first_name, w.birth_date, m.job_title, m.contract,
                        m.hired_on, m.left_on, l.exposures, l.category
                 FROM declaration_lines l JOIN employments m ON m.id = l.employment_id JOIN workers w ON w.id = m.worker_id
                 WHERE l.declaration_id = $1 ORDER BY w.last_name, w.first_name, m.id",
            )
            .bind(id)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|l| {
                let category: String = l.try_get("category")?;
                let contract: String = l.try_get("contract")?;
                let last: String = l.try_get("last_name")?;
                let first: String = l.try_get("first_name")?;
                Ok(DeclarationLine {
                    employment_id: l.try_get("employment_id")?,
                    worker_id: l.try_get("worker_id")?,
                    worker_name: format!("{} {first}", last.to_uppercase()),
                    birth_date: l.try_get("birth_date")?,
                    job_title: l.try_get("job_title")?,
                    contract: Contract::from_code(&contract).unwrap_or(Contract::Other),
                    hired_on: l.try_get("hired_on")?,
                    left_on: l.try_get("left_on")?,
                    exposures: split_codes(&l.try_get::<String, _>("exposures")?),
                    category: FollowUp::from_code(&category).unwrap_or(FollowUp::Simple),
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
            Ok(declaration_from_row!(r, lines))
        })
    }

    /// Creates a new draft version with these lines (employment, exposures, category), the
    /// previous version staying as it was.
    pub async fn create_declaration_draft(
        &self,
        actor: &Actor,
        establishment_id: i64,
        year: i32,
        lines: &[(i64, Vec<String>, FollowUp)],
    ) -> Result<i64, StoreError> {
        in_tx!(self, tx => {
            let last = sqlx::query("SELECT version, status FROM declarations WHERE establishment_id = $1 AND year = $2 ORDER BY version DESC LIMIT 1")
                .bind(establishment_id)
                .bind(year)
                .fetch_optional(&mut *tx)
                .await?;
            let version = match last {
                Some(row) if row.try_get::<String, _>("status")? == "draft" => {
                    return Err(StoreError::Conflict("une version en cours de saisie existe déjà pour cette année".into()));
                }
                Some(row) => row.try_get::<i32, _>("version")? + 1,
                None => 1,
            };
            let id: i64 = sqlx::query(
                "INSERT INTO declarations (establishment_id, year, version, status, created_at, created_by)
                 VALUES ($1, $2, $3, 'draft', $4, $5) RETURNING id",
            )
            .bind(establishment_id)
            .bind(year)
            .bind(version)
            .bind(now())
            .bind(&actor.0)
            .fetch_one(&mut *tx)
            .await?
            .try_get("id")?;
            for (employment_id, exposures, category) in lines {
                sqlx::query(INSERT_LINE)
                    .bind(id)
                    .bind(employment_id)
                    .bind(join_codes(exposures))
                    .bind(category.code())
                    .execute(&mut *tx)
                    .await?;
            }
            tx.audit(AuditEntry::new(actor, "create", "declaration", id)
                .after(&serde_json::json!({"establishment_id": establishment_id, "year": year, "version": version, "lines": lines.len()})))
                .await?;
            Ok(id)
        })
    }

    /// Sets (adds or replaces) one line of a draft.
    pub async fn set_declaration_line(
        &self,
        actor: &Actor,
        declaration_id: i64,
        employment_id: i64,
        exposures: &[String],
        category: FollowUp,
    ) -> Result<(), StoreError> {
        in_tx!(self, tx => {
            ensure_draft!(tx, declaration_id);
            sqlx::query("DELETE FROM declaration_lines WHERE declaration_id = $1 AND employment_id = $2")
                .bind(declaration_id)
                .bind(employment_id)
                .execute(&mut *tx)
                .await?;
            sqlx::query(INSERT_LINE)
                .bind(declaration_id)
                .bind(employment_id)
                .bind(join_codes(exposures))
                .bind(category.code())
                .execute(&mut *tx)
                .await?;
            tx.audit(AuditEntry::new(actor, "set_line", "declaration", declaration_id)
                .after(&serde_json::json!({"employment_id": employment_id, "exposures": exposures, "category": category})))
                .await?;
            Ok(())
        })
    }

    pub async fn remove_declaration_line(
        &self,
        actor: &Actor,
        declaration_id: i64,
        employment_id: i64,
    ) -> Result<(), StoreError> {
        in_tx!(self, tx => {
            ensure_draft!(tx, declaration_id);
            let done = sqlx::query("DELETE FROM declaration_lines WHERE declaration_id = $1 AND employment_id = $2")
                .bind(declaration_id)
                .bind(employment_id)
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            tx.audit(AuditEntry::new(actor, "remove_line", "declaration", declaration_id)
                .before(&serde_json::json!({"employment_id": employment_id}))).await?;
            Ok(())
        })
    }

    /// Submits a draft: it is locked from then on.
    pub async fn submit_declaration(
        &self,
        actor: &Actor,
        declaration_id: i64,
    ) -> Result<(), StoreError> {
        in_tx!(self, tx => {
            ensure_draft!(tx, declaration_id);
            sqlx::query("UPDATE declarations SET status = 'submitted', submitted_at = $2, submitted_by = $3 WHERE id = $1")
                .bind(declaration_id)
                .bind(now())
                .bind(&actor.0)
                .execute(&mut *tx)
                .await?;
            tx.audit(AuditEntry::new(actor, "submit", "declaration", declaration_id)).await?;
            let workers: Vec<i64> = sqlx::query(
                "SELECT DISTINCT m.worker_id FROM declaration_lines l JOIN employments m ON m.id = l.employment_id WHERE l.declaration_id = $1",
            )
            .bind(declaration_id)
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| r.try_get("worker_id"))
            .collect::<Result<_, _>>()?;
            tx.refresh_obligations(Some(&workers), today()).await?;
            Ok(())
        })
    }

    /// Records the doctor's decision on a worker's category.
    pub async fn record_category_decision(
        &self,
        actor: &Actor,
        worker_id: i64,
        category: FollowUp,
        reason: &str,
    ) -> Result<(), StoreError> {
        in_tx!(self, tx => {
            sqlx::query(
                "INSERT INTO category_decisions (worker_id, category, reason, decided_by, decided_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(worker_id)
            .bind(category.code())
            .bind(reason)
            .bind(&actor.0)
            .bind(now())
            .execute(&mut *tx)
            .await?;
            tx.audit(AuditEntry::new(actor, "decide_category", "worker", worker_id)
                .after(&serde_json::json!({"category": category, "reason": reason}))).await?;
            tx.refresh_obligations(Some(&[worker_id]), today()).await?;
            Ok(())
        })
    }

    pub async fn list_category_decisions(
        &self,
        worker_id: i64,
    ) -> Result<Vec<CategoryDecision>, StoreError> {
        with_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT category, reason, decided_by, decided_at FROM category_decisions WHERE worker_id = $1 ORDER BY id DESC",
            )
            .bind(worker_id)
            .fetch_all(pool)
            .await?;
            rows.iter().map(|r| {
                let category: String = r.try_get("category")?;
                Ok(CategoryDecision {
                    category: FollowUp::from_code(&category).unwrap_or(FollowUp::Simple),
                    reason: r.try_get("reason")?,
                    decided_by: r.try_get("decided_by")?,
                    decided_at: r.try_get("decided_at")?,
                })
            }).collect()
        })
    }
}
