//! The priority queues (a query on stored obligations), the versioned priority schema, and
//! the facts that change obligations (requests, work stoppages, the doctor's periodicity and
//! list): each change recomputes the worker's obligations in its own transaction.

use std::time::Instant;

use chrono::{DateTime, NaiveDate, Utc};
use domain::rules::{PrioritySchema, Situation};
use serde::Serialize;
use sqlx::Row;

use crate::Actor;
use crate::audit::{AuditEntry, AuditTx};
use crate::db::{Db, StoreError, in_tx, now, with_pool};
use crate::obligations::ObligationsTx;

/// Today for the stored obligations (UTC day).
pub fn today() -> NaiveDate {
    now().date_naive()
}

/// Which queue: the doctors' or the nurses' (IDEST).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Queue {
    Doctor,
    Nurse,
}

impl Queue {
    pub fn from_code(code: &str) -> Option<Queue> {
        match code {
            "doctor" => Some(Queue::Doctor),
            "nurse" => Some(Queue::Nurse),
            _ => None,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Queue::Doctor => "doctor",
            Queue::Nurse => "nurse",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Queue::Doctor => "médecin",
            Queue::Nurse => "infirmier (IDEST)",
        }
    }
    fn rank_column(self) -> &'static str {
        match self {
            Queue::Doctor => "o.doctor_rank",
            Queue::Nurse => "o.nurse_rank",
        }
    }
}

/// What a queue page asks for.
#[derive(Debug, Clone)]
pub struct QueueQuery {
    pub team_id: i64,
    pub queue: Queue,
    pub today: NaiveDate,
    /// Obligations that may be scheduled by this date (`earliest` ≤ it).
    pub until: NaiveDate,
    pub centre_id: Option<i64>,
    pub establishment_id: Option<i64>,
    pub kind: Option<String>,
    pub overdue_only: bool,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct QueueRow {
    pub obligation_id: i64,
    pub rank: i32,
    pub worker_id: i64,
    pub worker_ref: String,
    pub worker_name: String,
    pub establishment_id: i64,
    pub establishment: String,
    pub siret: String,
    pub kind: String,
    pub subtype: String,
    pub earliest: NaiveDate,
    pub due: Option<NaiveDate>,
    pub overdue: bool,
    pub performer: String,
    pub reference: String,
    pub hired_on: NaiveDate,
}

#[derive(Debug, Clone, Serialize)]
pub struct RankCount {
    pub rank: i32,
    pub count: i64,
    pub overdue: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct QueuePage {
    pub rows: Vec<QueueRow>,
    pub counts: Vec<RankCount>,
    pub total: i64,
}

/// A worker's stored obligation.
#[derive(Debug, Clone, Serialize)]
pub struct StoredObligation {
    pub employment_id: i64,
    pub establishment: String,
    pub kind: String,
    pub subtype: String,
    pub earliest: NaiveDate,
    pub due: Option<NaiveDate>,
    pub performer: String,
    pub reference: String,
    pub doctor_rank: Option<i32>,
    pub nurse_rank: Option<i32>,
    pub computed_on: NaiveDate,
}

impl StoredObligation {
    /// The engine's form of it.
    pub fn as_obligation(&self) -> domain::rules::Obligation {
        let rank = |r: Option<i32>| r.and_then(|r| u8::try_from(r).ok());
        domain::rules::Obligation {
            kind: self.kind.clone(),
            subtype: self.subtype.clone(),
            earliest: self.earliest,
            due: self.due,
            performer: self.performer.clone(),
            reference: self.reference.clone(),
            doctor_rank: rank(self.doctor_rank),
            nurse_rank: rank(self.nurse_rank),
        }
    }
}

/// One edition of the priority schema.
#[derive(Debug, Clone, Serialize)]
pub struct SchemaEdition {
    pub edition: i32,
    pub schema: PrioritySchema,
    pub note: String,
    pub author: String,
    pub created_at: Option<DateTime<Utc>>,
}

impl SchemaEdition {
    /// The edition shipped with the software, in force until an administrator saves one.
    pub fn shipped() -> SchemaEdition {
        SchemaEdition {
            edition: 1,
            schema: PrioritySchema::default(),
            note: "édition livrée (11e édition du schéma de synthèse)".into(),
            author: "livré".into(),
            created_at: None,
        }
    }
}

/// What a full refresh did and how long each part took.
#[derive(Debug, Clone, Serialize)]
pub struct RefreshReport {
    pub obligations: usize,
    pub refused: usize,
    pub load_ms: u128,
    pub compute_ms: u128,
    pub write_ms: u128,
}

/// Appends the common filters of a queue and its counts (a macro: the builder's database
/// type differs per backend).
macro_rules! push_queue_filters {
    ($b:expr, $q:expr) => {{
        let (b, q) = (&mut $b, $q);
        b.push(format!(
            " WHERE {} IS NOT NULL AND o.team_id = ",
            q.queue.rank_column()
        ));
        b.push_bind(q.team_id);
        b.push(" AND o.earliest <= ");
        b.push_bind(q.until);
        if let Some(centre) = q.centre_id {
            b.push(" AND s.sector_id = (SELECT sector_id FROM centres WHERE id = ");
            b.push_bind(centre);
            b.push(")");
        }
        if let Some(establishment) = q.establishment_id {
            b.push(" AND o.establishment_id = ");
            b.push_bind(establishment);
        }
        if let Some(kind) = &q.kind {
            b.push(" AND o.kind = ");
            b.push_bind(kind.clone());
        }
        if q.overdue_only {
            b.push(" AND o.due < ");
            b.push_bind(q.today);
        }
    }};
}

impl Db {
    /// Recomputes every stored obligation (the nightly job, `spsti obligations refresh`).
    pub async fn refresh_all_obligations(
        &self,
        today: NaiveDate,
    ) -> Result<RefreshReport, StoreError> {
        in_tx!(self, tx => {
            let started = Instant::now();
            tx.lock_for_refresh(None).await?;
            let schema = tx.current_schema().await?;
            let facts = tx.load_facts(None, today).await?;
            let loaded = Instant::now();
            let (rows, refused) = facts.compute(today, &schema);
            let computed = Instant::now();
            tx.replace_obligations(None, &rows, today).await?;
            Ok(RefreshReport {
                obligations: rows.len(),
                refused,
                load_ms: (loaded - started).as_millis(),
                compute_ms: (computed - loaded).as_millis(),
                write_ms: computed.elapsed().as_millis(),
            })
        })
    }

    /// Recomputes one worker's obligations (after facts written outside this module).
    pub async fn refresh_worker_obligations(&self, worker_id: i64) -> Result<(), StoreError> {
        in_tx!(self, tx => {
            tx.refresh_obligations(Some(&[worker_id]), today()).await?;
            Ok(())
        })
    }

    /// The situation the engine sees for one employment today (for "Expliquer").
    pub async fn worker_situation(
        &self,
        worker_id: i64,
        employment_id: i64,
    ) -> Result<(Situation, PrioritySchema), StoreError> {
        in_tx!(self, tx => {
            let schema = tx.current_schema().await?;
            let facts = tx.load_facts(Some(&[worker_id]), today()).await?;
            let situation = facts.situation_of_employment(employment_id, today()).ok_or(StoreError::NotFound)?;
            Ok((situation, schema))
        })
    }

    pub async fn list_worker_obligations(
        &self,
        worker_id: i64,
    ) -> Result<Vec<StoredObligation>, StoreError> {
        with_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT o.employment_id, s.name AS establishment, o.kind, o.subtype, o.earliest, o.due, o.performer, o.reference, o.doctor_rank, o.nurse_rank, o.computed_on
                 FROM obligations o JOIN establishments s ON s.id = o.establishment_id
                 WHERE o.worker_id = $1 ORDER BY o.due IS NULL, o.due, o.kind, o.id",
            )
            .bind(worker_id)
            .fetch_all(pool)
            .await?;
            rows.iter().map(|r| Ok(StoredObligation {
                employment_id: r.try_get("employment_id")?,
                establishment: r.try_get("establishment")?,
                kind: r.try_get("kind")?,
                subtype: r.try_get("subtype")?,
                earliest: r.try_get("earliest")?,
                due: r.try_get("due")?,
                performer: r.try_get("performer")?,
                reference: r.try_get("reference")?,
                doctor_rank: r.try_get("doctor_rank")?,
                nurse_rank: r.try_get("nurse_rank")?,
                computed_on: r.try_get("computed_on")?,
            })).collect()
        })
    }

    /// One page of a queue in its order (rank, overdue first, due date, hire date, worker),
    /// with the counts per rank under the same filters.
    pub async fn list_queue(&self, q: &QueueQuery) -> Result<QueuePage, StoreError> {
        let rank = q.queue.rank_column();
        with_pool!(self, pool => {
            let mut b = sqlx::QueryBuilder::new(format!(
                "SELECT o.id, {rank} AS rank, o.worker_id, w.worker_ref, w.last_name, w.first_name, o.establishment_id, s.name AS establishment, s.siret,
                        o.kind, o.subtype, o.earliest, o.due, o.performer, o.reference, o.hired_on
                 FROM obligations o JOIN workers w ON w.id = o.worker_id JOIN establishments s ON s.id = o.establishment_id"
            ));
            push_queue_filters!(b, q);
            b.push(format!(" ORDER BY {rank}, CASE WHEN o.due < "));
            b.push_bind(q.today);
            b.push(" THEN 0 ELSE 1 END, o.due IS NULL, o.due, o.hired_on, o.worker_id, o.id LIMIT ");
            b.push_bind(q.limit);
            b.push(" OFFSET ");
            b.push_bind(q.offset);
            let rows = b.build().fetch_all(pool).await?;
            let rows = rows.iter().map(|r| {
                let due: Option<NaiveDate> = r.try_get("due")?;
                let last: String = r.try_get("last_name")?;
                let first: String = r.try_get("first_name")?;
                Ok(QueueRow {
                    obligation_id: r.try_get("id")?,
                    rank: r.try_get("rank")?,
                    worker_id: r.try_get("worker_id")?,
                    worker_ref: r.try_get("worker_ref")?,
                    worker_name: format!("{} {first}", last.to_uppercase()),
                    establishment_id: r.try_get("establishment_id")?,
                    establishment: r.try_get("establishment")?,
                    siret: r.try_get("siret")?,
                    kind: r.try_get("kind")?,
                    subtype: r.try_get("subtype")?,
                    earliest: r.try_get("earliest")?,
                    overdue: due.is_some_and(|d| d < q.today),
                    due,
                    performer: r.try_get("performer")?,
                    reference: r.try_get("reference")?,
                    hired_on: r.try_get("hired_on")?,
                })
            }).collect::<Result<Vec<_>, StoreError>>()?;
            let mut b = sqlx::QueryBuilder::new(format!("SELECT {rank} AS rank, COUNT(*) AS n, SUM(CASE WHEN o.due < "));
            b.push_bind(q.today);
            b.push(" THEN 1 ELSE 0 END) AS overdue FROM obligations o");
            // Without a centre, the index of the queue answers the counts alone.
            if q.centre_id.is_some() {
                b.push(" JOIN establishments s ON s.id = o.establishment_id");
            }
            push_queue_filters!(b, q);
            b.push(format!(" GROUP BY {rank} ORDER BY {rank}"));
            let counts = b.build().fetch_all(pool).await?.iter().map(|r| Ok(RankCount {
                rank: r.try_get("rank")?,
                count: r.try_get("n")?,
                overdue: r.try_get::<Option<i64>, _>("overdue")?.unwrap_or(0),
            })).collect::<Result<Vec<_>, StoreError>>()?;
            let total = counts.iter().map(|c| c.count).sum();
            Ok(QueuePage { rows, counts, total })
        })
    }

    /// Every saved edition, newest first, ending with the shipped one.
    pub async fn list_schema_editions(&self) -> Result<Vec<SchemaEdition>, StoreError> {
        let mut editions = with_pool!(self, pool => {
            let rows = sqlx::query("SELECT edition, schema_json, note, author, created_at FROM priority_schema_editions ORDER BY edition DESC")
                .fetch_all(pool)
                .await?;
            rows.iter().map(|r| {
                let text: String = r.try_get("schema_json")?;
                Ok(SchemaEdition {
                    edition: r.try_get("edition")?,
                    schema: serde_json::from_str(&text).map_err(|e| StoreError::Invalid(e.to_string()))?,
                    note: r.try_get("note")?,
                    author: r.try_get("author")?,
                    created_at: Some(r.try_get("created_at")?),
                })
            }).collect::<Result<Vec<_>, StoreError>>()?
        });
        editions.push(SchemaEdition::shipped());
        Ok(editions)
    }

    pub async fn current_schema_edition(&self) -> Result<SchemaEdition, StoreError> {
        Ok(self.list_schema_editions().await?.remove(0))
    }

    /// Saves a new edition when it has no problem, and re-ranks every obligation with it,
    /// in one transaction; returns the edition number.
    pub async fn save_schema_edition(
        &self,
        actor: &Actor,
        schema: &PrioritySchema,
        note: &str,
    ) -> Result<i32, StoreError> {
        let problems = schema.problems();
        if !problems.is_empty() {
            return Err(StoreError::Invalid(problems.join(" ; ")));
        }
        let json = serde_json::to_string(schema).map_err(|e| StoreError::Invalid(e.to_string()))?;
        in_tx!(self, tx => {
            let last: Option<i32> = sqlx::query("SELECT MAX(edition) AS last FROM priority_schema_editions")
                .fetch_one(&mut *tx)
                .await?
                .try_get("last")?;
            let edition = last.unwrap_or(SchemaEdition::shipped().edition) + 1;
            sqlx::query("INSERT INTO priority_schema_editions (edition, schema_json, note, author, created_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(edition)
                .bind(&json)
                .bind(note)
                .bind(&actor.0)
                .bind(now())
                .execute(&mut *tx)
                .await?;
            tx.audit(AuditEntry::new(actor, "save", "priority_schema", edition).after(schema)).await?;
            tx.refresh_obligations(None, today()).await?;
            Ok(edition)
        })
    }
}
