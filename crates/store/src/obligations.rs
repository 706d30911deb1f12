//! The stored obligations: recomputed by the regulation engine from a worker's facts (in the
//! transaction that changes them, and nightly for everyone), so that queues are a query.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use domain::rules::{self, Leave, PrioritySchema, Request, Situation, Visit};
use sqlx::Row;

use crate::db::StoreError;

/// Rows per INSERT statement: 15 parameters a row, well under SQLite's bound.
const ROWS_PER_STATEMENT: usize = 1000;
/// Employments that ended more than this long ago no longer give obligations (the
/// post-exposure visit is due 6 months after the end).
const ENDED_EMPLOYMENTS_KEPT_DAYS: i64 = 400;

/// The facts of one employment the engine needs, loaded in bulk.
#[derive(Debug, Clone)]
struct EmploymentFacts {
    id: i64,
    worker_id: i64,
    establishment_id: i64,
    team_id: Option<i64>,
    birth_date: NaiveDate,
    contract: String,
    hired_on: NaiveDate,
    left_on: Option<NaiveDate>,
}

/// The facts of every worker in scope, indexed by worker (and employment for what is
/// declared per employment).
#[derive(Default)]
pub(crate) struct Facts {
    employments: Vec<EmploymentFacts>,
    declared: HashMap<i64, (String, String)>,
    decided: HashMap<i64, String>,
    history: HashMap<i64, Vec<Visit>>,
    leaves: HashMap<i64, Vec<Leave>>,
    requests: HashMap<i64, Vec<Request>>,
    periodicity: HashMap<i64, u32>,
    listed: HashSet<i64>,
}

/// One obligation computed for one employment, ready to store.
#[derive(Debug, Clone)]
pub(crate) struct ObligationRow {
    worker_id: i64,
    employment_id: i64,
    establishment_id: i64,
    team_id: Option<i64>,
    hired_on: NaiveDate,
    obligation: rules::Obligation,
}

pub(crate) fn split_codes(codes: &str) -> Vec<String> {
    codes
        .split('|')
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect()
}

impl Facts {
    /// The engine's situation for one employment at `today`.
    fn situation(&self, e: &EmploymentFacts, today: NaiveDate) -> Situation {
        let (exposures, declared_category) = self.declared.get(&e.id).cloned().unwrap_or_default();
        let category = self
            .decided
            .get(&e.worker_id)
            .cloned()
            .or((!declared_category.is_empty()).then_some(declared_category));
        Situation {
            at: today,
            birth_date: e.birth_date,
            hired_on: e.hired_on,
            category,
            exposures: split_codes(&exposures),
            contract: Some(e.contract.clone()),
            job_change_on: None,
            history: self.history.get(&e.worker_id).cloned().unwrap_or_default(),
            leaves: self.leaves.get(&e.id).cloned().unwrap_or_default(),
            requests: self.requests.get(&e.id).cloned().unwrap_or_default(),
            left_on: e.left_on,
            periodicity_months: self.periodicity.get(&e.worker_id).copied(),
            doctor_list: self.listed.contains(&e.worker_id),
        }
    }

    /// Runs the engine on every employment; a situation the engine refuses (facts imported
    /// with impossible dates) gives no obligation and is counted.
    pub(crate) fn compute(
        &self,
        today: NaiveDate,
        schema: &PrioritySchema,
    ) -> (Vec<ObligationRow>, usize) {
        let mut rows = Vec::with_capacity(self.employments.len() * 2);
        let mut refused = 0;
        for e in &self.employments {
            match rules::evaluate_with(&self.situation(e, today), schema) {
                Ok(obligations) => {
                    rows.extend(obligations.into_iter().map(|obligation| ObligationRow {
                        worker_id: e.worker_id,
                        employment_id: e.id,
                        establishment_id: e.establishment_id,
                        team_id: e.team_id,
                        hired_on: e.hired_on,
                        obligation,
                    }))
                }
                Err(_) => refused += 1,
            }
        }
        (rows, refused)
    }

    /// The situation of a worker's current employment (or latest), for "Expliquer".
    pub(crate) fn situation_of_employment(
        &self,
        employment_id: i64,
        today: NaiveDate,
    ) -> Option<Situation> {
        self.employments
            .iter()
            .find(|e| e.id == employment_id)
            .map(|e| self.situation(e, today))
    }
}

/// `AND <column> IN (…)` for a set of worker ids (integers, so formatting them is safe), or
/// nothing for everyone.
pub(crate) fn worker_filter(column: &str, workers: Option<&[i64]>) -> String {
    match workers {
        None => String::new(),
        Some(ids) => {
            let list: Vec<String> = ids.iter().map(i64::to_string).collect();
            format!(
                " AND {column} IN ({})",
                if list.is_empty() {
                    "0".into()
                } else {
                    list.join(",")
                }
            )
        }
    }
}

/// Loading facts, replacing stored obligations and reading the schema inside a transaction
/// of either backend (so that a change of facts and its obligations commit together).
pub(crate) trait ObligationsTx {
    /// Serialises refreshes of the same workers (everyone with `None`) so that a refresh
    /// reads the facts another one committed, and never writes twice. SQLite's write
    /// transactions already run one at a time.
    async fn lock_for_refresh(&mut self, workers: Option<&[i64]>) -> Result<(), StoreError>;
    async fn current_schema(&mut self) -> Result<PrioritySchema, StoreError>;
    async fn load_facts(
        &mut self,
        workers: Option<&[i64]>,
        today: NaiveDate,
    ) -> Result<Facts, StoreError>;
    async fn replace_obligations(
        &mut self,
        workers: Option<&[i64]>,
        rows: &[ObligationRow],
        today: NaiveDate,
    ) -> Result<(), StoreError>;

    /// Recomputes and stores the obligations of `workers` (everyone with `None`); returns
    /// (obligations stored, situations refused).
    async fn refresh_obligations(
        &mut self,
        workers: Option<&[i64]>,
        today: NaiveDate,
    ) -> Result<(usize, usize), StoreError> {
        let schema = self.current_schema().await?;
        let facts = self.load_facts(workers, today).await?;
        let (rows, refused) = facts.compute(today, &schema);
        self.replace_obligations(workers, &rows, today).await?;
        Ok((rows.len(), refused))
    }
}

macro_rules! impl_obligations_tx {
    ($database:ty, $row_locks:expr) => {
        impl ObligationsTx for sqlx::Transaction<'_, $database> {
            async fn lock_for_refresh(&mut self, workers: Option<&[i64]>) -> Result<(), StoreError> {
                if !$row_locks {
                    return Ok(());
                }
                let sql = match workers {
                    None => "LOCK TABLE obligations IN SHARE ROW EXCLUSIVE MODE".to_string(),
                    Some(_) => format!(
                        "SELECT id FROM workers WHERE 1 = 1{} ORDER BY id FOR UPDATE",
                        worker_filter("id", workers)
                    ),
                };
                sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut **self).await?;
                Ok(())
            }

            async fn current_schema(&mut self) -> Result<PrioritySchema, StoreError> {
                let row = sqlx::query("SELECT schema_json FROM priority_schema_editions ORDER BY edition DESC LIMIT 1")
                    .fetch_optional(&mut **self)
                    .await?;
                match row {
                    None => Ok(PrioritySchema::default()),
                    Some(row) => {
                        let text: String = row.try_get("schema_json")?;
                        serde_json::from_str(&text).map_err(|e| StoreError::Invalid(format!("schéma de priorités illisible : {e}")))
                    }
                }
            }

            async fn load_facts(&mut self, workers: Option<&[i64]>, today: NaiveDate) -> Result<Facts, StoreError> {
                let mut facts = Facts::default();
                let kept_from = today - chrono::Duration::days(ENDED_EMPLOYMENTS_KEPT_DAYS);
                let sql = format!(
                    "SELECT m.id, m.worker_id, m.establishment_id, s.team_id, w.birth_date, m.contract, m.hired_on, m.left_on
                     FROM employments m JOIN workers w ON w.id = m.worker_id JOIN establishments s ON s.id = m.establishment_id
                     WHERE (m.left_on IS NULL OR m.left_on >= $1) AND (s.struck_off_on IS NULL OR s.struck_off_on > $2)
                       AND m.hired_on >= w.birth_date{}
                     ORDER BY m.worker_id, m.id",
                    worker_filter("m.worker_id", workers)
                );
                for r in sqlx::query(sqlx::AssertSqlSafe(sql)).bind(kept_from).bind(today).fetch_all(&mut **self).await? {
                    facts.employments.push(EmploymentFacts {
                        id: r.try_get("id")?,
                        worker_id: r.try_get("worker_id")?,
                        establishment_id: r.try_get("establishment_id")?,
                        team_id: r.try_get("team_id")?,
                        birth_date: r.try_get("birth_date")?,
                        contract: r.try_get("contract")?,
                        hired_on: r.try_get("hired_on")?,
                        left_on: r.try_get("left_on")?,
                    });
                }
                // The latest submitted declaration line of each employment (later years and
                // versions come last and replace earlier ones).
                let sql = format!(
                    "SELECT l.employment_id, l.exposures, l.category FROM declaration_lines l
                     JOIN declarations d ON d.id = l.declaration_id JOIN employments m ON m.id = l.employment_id
                     WHERE d.status = 'submitted'{}
                     ORDER BY d.year, d.version",
                    worker_filter("m.worker_id", workers)
                );
                for r in sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&mut **self).await? {
                    facts.declared.insert(r.try_get("employment_id")?, (r.try_get("exposures")?, r.try_get("category")?));
                }
                let sql = format!(
                    "SELECT worker_id, category FROM category_decisions WHERE 1 = 1{} ORDER BY id",
                    worker_filter("worker_id", workers)
                );
                for r in sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&mut **self).await? {
                    facts.decided.insert(r.try_get("worker_id")?, r.try_get("category")?);
                }
                let sql = format!(
                    "SELECT worker_id, kind, subtype, date, performer FROM appointments WHERE status = 'done'{}",
                    worker_filter("worker_id", workers)
                );
                for r in sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&mut **self).await? {
                    facts.history.entry(r.try_get("worker_id")?).or_default().push(Visit {
                        kind: r.try_get("kind")?,
                        subtype: r.try_get("subtype")?,
                        date: r.try_get("date")?,
                        performer: r.try_get("performer")?,
                    });
                }
                let sql = format!(
                    "SELECT employment_id, reason, start_on, end_on, returned_on FROM work_stoppages
                     WHERE reason IN ('sickness', 'maternity', 'work_accident', 'occupational_disease'){}",
                    worker_filter("worker_id", workers)
                );
                for r in sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&mut **self).await? {
                    facts.leaves.entry(r.try_get("employment_id")?).or_default().push(Leave {
                        reason: r.try_get("reason")?,
                        start: r.try_get("start_on")?,
                        end: r.try_get("end_on")?,
                        returned_on: r.try_get("returned_on")?,
                    });
                }
                let sql = format!(
                    "SELECT employment_id, kind, requester, asked_on FROM visit_requests WHERE 1 = 1{}",
                    worker_filter("worker_id", workers)
                );
                for r in sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&mut **self).await? {
                    facts.requests.entry(r.try_get("employment_id")?).or_default().push(Request {
                        kind: r.try_get("kind")?,
                        subtype: r.try_get("requester")?,
                        asked_on: r.try_get("asked_on")?,
                    });
                }
                let sql = format!(
                    "SELECT worker_id, months FROM followup_periodicities WHERE 1 = 1{}",
                    worker_filter("worker_id", workers)
                );
                for r in sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&mut **self).await? {
                    let months: i32 = r.try_get("months")?;
                    facts.periodicity.insert(r.try_get("worker_id")?, months.max(1) as u32);
                }
                let sql = format!(
                    "SELECT DISTINCT worker_id FROM doctor_watch_lists WHERE 1 = 1{}",
                    worker_filter("worker_id", workers)
                );
                for r in sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&mut **self).await? {
                    facts.listed.insert(r.try_get("worker_id")?);
                }
                Ok(facts)
            }

            async fn replace_obligations(&mut self, workers: Option<&[i64]>, rows: &[ObligationRow], today: NaiveDate) -> Result<(), StoreError> {
                let sql = format!("DELETE FROM obligations WHERE 1 = 1{}", worker_filter("worker_id", workers));
                sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut **self).await?;
                for chunk in rows.chunks(ROWS_PER_STATEMENT) {
                    let mut query = sqlx::QueryBuilder::new(
                        "INSERT INTO obligations (worker_id, employment_id, establishment_id, team_id, kind, subtype, earliest, due, performer, reference, doctor_rank, nurse_rank, hired_on, computed_on) ",
                    );
                    query.push_values(chunk, |mut b, r| {
                        let o = &r.obligation;
                        b.push_bind(r.worker_id)
                            .push_bind(r.employment_id)
                            .push_bind(r.establishment_id)
                            .push_bind(r.team_id)
                            .push_bind(o.kind.clone())
                            .push_bind(o.subtype.clone())
                            .push_bind(o.earliest)
                            .push_bind(o.due)
                            .push_bind(o.performer.clone())
                            .push_bind(o.reference.clone())
                            .push_bind(o.doctor_rank.map(i32::from))
                            .push_bind(o.nurse_rank.map(i32::from))
                            .push_bind(r.hired_on)
                            .push_bind(today);
                    });
                    query.build().execute(&mut **self).await?;
                }
                Ok(())
            }
        }
    };
}

impl_obligations_tx!(sqlx::Sqlite, false);
impl_obligations_tx!(sqlx::Postgres, true);
