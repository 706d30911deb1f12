//! Facts of a worker's follow-up beyond the declarations: visit requests, work stoppages,
//! appointments done (history), the doctor's periodicity and watch list. Every change
//! recomputes the worker's obligations in the same transaction.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::Row;

use crate::Actor;
use crate::audit::{AuditEntry, AuditTx};
use crate::db::{Db, StoreError, in_tx, now, with_pool};
use crate::obligations::ObligationsTx;
use crate::queues::today;

/// A request for a pre-return or on-demand visit.
#[derive(Debug, Clone, Serialize)]
pub struct VisitRequest {
    pub employment_id: i64,
    pub kind: String,
    pub requester: String,
    pub asked_on: NaiveDate,
    pub recorded_by: String,
}

/// A work stoppage (declared by DSN or recorded by the service).
#[derive(Debug, Clone, Serialize)]
pub struct WorkStoppage {
    pub employment_id: i64,
    pub reason: String,
    pub start_on: NaiveDate,
    pub end_on: Option<NaiveDate>,
    pub returned_on: Option<NaiveDate>,
}

/// An appointment of the history (what the engine reads of it).
#[derive(Debug, Clone, Serialize)]
pub struct PastVisit {
    pub appointment_ref: Option<String>,
    pub worker_id: i64,
    pub establishment_id: Option<i64>,
    pub date: NaiveDate,
    pub kind: String,
    pub subtype: String,
    pub performer: String,
    pub status: String,
}

/// The doctor's settings for a worker.
#[derive(Debug, Clone, Serialize)]
pub struct FollowUpSettings {
    pub periodicity_months: Option<i32>,
    pub periodicity_set_by: Option<String>,
    pub periodicity_set_at: Option<DateTime<Utc>>,
    /// The doctors (professional id, name) who listed the worker to be seen early.
    pub listed_by: Vec<(i64, String)>,
}

const ROWS_PER_STATEMENT: usize = 1000;

/// A history to write in bulk: appointments, and (worker id, …) stoppages and requests.
#[derive(Debug, Clone, Default)]
pub struct History {
    pub visits: Vec<PastVisit>,
    pub stoppages: Vec<(i64, WorkStoppage)>,
    pub requests: Vec<(i64, VisitRequest)>,
}

impl Db {
    pub async fn add_visit_request(
        &self,
        actor: &Actor,
        worker_id: i64,
        request: &VisitRequest,
    ) -> Result<(), StoreError> {
        in_tx!(self, tx => {
            sqlx::query(
                "INSERT INTO visit_requests (worker_id, employment_id, kind, requester, asked_on, recorded_by, recorded_at)
                 SELECT worker_id, id, $2, $3, $4, $5, $6 FROM employments WHERE id = $1 AND worker_id = $7",
            )
            .bind(request.employment_id)
            .bind(&request.kind)
            .bind(&request.requester)
            .bind(request.asked_on)
            .bind(&actor.0)
            .bind(now())
            .bind(worker_id)
            .execute(&mut *tx)
            .await?
            .rows_affected()
            .eq(&1)
            .then_some(())
            .ok_or(StoreError::NotFound)?;
            tx.audit(AuditEntry::new(actor, "request_visit", "worker", worker_id).after(request)).await?;
            tx.refresh_obligations(Some(&[worker_id]), today()).await?;
            Ok(())
        })
    }

    pub async fn record_work_stoppage(
        &self,
        actor: &Actor,
        worker_id: i64,
        stoppage: &WorkStoppage,
    ) -> Result<(), StoreError> {
        in_tx!(self, tx => {
            let done = sqlx::query(
                "INSERT INTO work_stoppages (worker_id, employment_id, reason, start_on, end_on, returned_on, recorded_by, recorded_at)
                 SELECT worker_id, id, $2, $3, $4, $5, $6, $7 FROM employments WHERE id = $1 AND worker_id = $8
                 ON CONFLICT (employment_id, reason, start_on) DO UPDATE SET end_on = excluded.end_on, returned_on = excluded.returned_on",
            )
            .bind(stoppage.employment_id)
            .bind(&stoppage.reason)
            .bind(stoppage.start_on)
            .bind(stoppage.end_on)
            .bind(stoppage.returned_on)
            .bind(&actor.0)
            .bind(now())
            .bind(worker_id)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            tx.audit(AuditEntry::new(actor, "record_stoppage", "worker", worker_id).after(stoppage)).await?;
            tx.refresh_obligations(Some(&[worker_id]), today()).await?;
            Ok(())
        })
    }

    /// Sets (or, with `None`, removes) the doctor's periodicity for a worker.
    pub async fn set_followup_periodicity(
        &self,
        actor: &Actor,
        worker_id: i64,
        months: Option<i32>,
    ) -> Result<(), StoreError> {
        in_tx!(self, tx => {
            if let Some(months) = months {
                sqlx::query(
                    "INSERT INTO followup_periodicities (worker_id, months, set_by, set_at) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (worker_id) DO UPDATE SET months = excluded.months, set_by = excluded.set_by, set_at = excluded.set_at",
                )
                    .bind(worker_id)
                    .bind(months)
                    .bind(&actor.0)
                    .bind(now())
                    .execute(&mut *tx)
                    .await?;
            } else {
                sqlx::query("DELETE FROM followup_periodicities WHERE worker_id = $1").bind(worker_id).execute(&mut *tx).await?;
            }
            tx.audit(AuditEntry::new(actor, "set_periodicity", "worker", worker_id).after(&serde_json::json!({"months": months}))).await?;
            tx.refresh_obligations(Some(&[worker_id]), today()).await?;
            Ok(())
        })
    }

    /// Adds a worker to (or removes them from) a doctor's list of SIS workers to see early.
    pub async fn set_doctor_watch(
        &self,
        actor: &Actor,
        professional_id: i64,
        worker_id: i64,
        listed: bool,
    ) -> Result<(), StoreError> {
        in_tx!(self, tx => {
            if listed {
                sqlx::query(
                    "INSERT INTO doctor_watch_lists (professional_id, worker_id, added_on) VALUES ($1, $2, $3)
                     ON CONFLICT (professional_id, worker_id) DO NOTHING",
                )
                .bind(professional_id)
                .bind(worker_id)
                .bind(today())
                .execute(&mut *tx)
                .await?;
            } else {
                sqlx::query("DELETE FROM doctor_watch_lists WHERE professional_id = $1 AND worker_id = $2")
                    .bind(professional_id)
                    .bind(worker_id)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.audit(AuditEntry::new(actor, if listed { "watch" } else { "unwatch" }, "worker", worker_id)
                .after(&serde_json::json!({"professional_id": professional_id}))).await?;
            tx.refresh_obligations(Some(&[worker_id]), today()).await?;
            Ok(())
        })
    }

    /// Writes appointments of the history (an import, the demo) and recomputes the
    /// obligations of the workers concerned, in one transaction.
    pub async fn insert_past_visits(
        &self,
        actor: &Actor,
        visits: &[PastVisit],
    ) -> Result<(), StoreError> {
        self.insert_history(
            actor,
            &History {
                visits: visits.to_vec(),
                ..History::default()
            },
        )
        .await
    }

    /// Writes a history in bulk (appointments, stoppages, requests) in one transaction; the
    /// obligations of the workers concerned are recomputed in it, or left to a full refresh
    /// when they are many (the batched refresh is cheaper).
    pub async fn insert_history(&self, actor: &Actor, history: &History) -> Result<(), StoreError> {
        let mut workers: Vec<i64> = history
            .visits
            .iter()
            .map(|v| v.worker_id)
            .chain(history.stoppages.iter().map(|(w, _)| *w))
            .chain(history.requests.iter().map(|(w, _)| *w))
            .collect();
        workers.sort_unstable();
        workers.dedup();
        let recorded_at = now();
        in_tx!(self, tx => {
            for chunk in history.visits.chunks(ROWS_PER_STATEMENT) {
                let mut query = sqlx::QueryBuilder::new(
                    "INSERT INTO appointments (appointment_ref, worker_id, establishment_id, date, duration_min, kind, subtype, performer, status) ",
                );
                query.push_values(chunk, |mut b, v| {
                    let minutes: i32 = if v.kind.starts_with("EMA") { 30 } else { 20 };
                    b.push_bind(v.appointment_ref.clone())
                        .push_bind(v.worker_id)
                        .push_bind(v.establishment_id)
                        .push_bind(v.date)
                        .push_bind(minutes)
                        .push_bind(v.kind.clone())
                        .push_bind(v.subtype.clone())
                        .push_bind(v.performer.clone())
                        .push_bind(v.status.clone());
                });
                query.build().execute(&mut *tx).await?;
            }
            for chunk in history.stoppages.chunks(ROWS_PER_STATEMENT) {
                let mut query = sqlx::QueryBuilder::new(
                    "INSERT INTO work_stoppages (worker_id, employment_id, reason, start_on, end_on, returned_on, recorded_by, recorded_at) ",
                );
                query.push_values(chunk, |mut b, (worker, s)| {
                    b.push_bind(*worker)
                        .push_bind(s.employment_id)
                        .push_bind(s.reason.clone())
                        .push_bind(s.start_on)
                        .push_bind(s.end_on)
                        .push_bind(s.returned_on)
                        .push_bind(actor.0.clone())
                        .push_bind(recorded_at);
                });
                query.build().execute(&mut *tx).await?;
            }
            for chunk in history.requests.chunks(ROWS_PER_STATEMENT) {
                let mut query = sqlx::QueryBuilder::new(
                    "INSERT INTO visit_requests (worker_id, employment_id, kind, requester, asked_on, recorded_by, recorded_at) ",
                );
                query.push_values(chunk, |mut b, (worker, r)| {
                    b.push_bind(*worker)
                        .push_bind(r.employment_id)
                        .push_bind(r.kind.clone())
                        .push_bind(r.requester.clone())
                        .push_bind(r.asked_on)
                        .push_bind(actor.0.clone())
                        .push_bind(recorded_at);
                });
                query.build().execute(&mut *tx).await?;
            }
            tx.audit(AuditEntry::new(actor, "insert_history", "worker", workers.len())
                .after(&serde_json::json!({"appointments": history.visits.len(), "stoppages": history.stoppages.len(), "requests": history.requests.len()})))
                .await?;
            if workers.len() <= 1000 {
                tx.refresh_obligations(Some(&workers), today()).await?;
            }
            Ok(())
        })
    }

    pub async fn list_past_visits(&self, worker_id: i64) -> Result<Vec<PastVisit>, StoreError> {
        with_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT appointment_ref, worker_id, establishment_id, date, kind, subtype, performer, status FROM appointments
                 WHERE worker_id = $1 ORDER BY date DESC, id DESC",
            )
            .bind(worker_id)
            .fetch_all(pool)
            .await?;
            rows.iter().map(|r| Ok(PastVisit {
                appointment_ref: r.try_get("appointment_ref")?,
                worker_id: r.try_get("worker_id")?,
                establishment_id: r.try_get("establishment_id")?,
                date: r.try_get("date")?,
                kind: r.try_get("kind")?,
                subtype: r.try_get("subtype")?,
                performer: r.try_get("performer")?,
                status: r.try_get("status")?,
            })).collect()
        })
    }

    pub async fn list_visit_requests(
        &self,
        worker_id: i64,
    ) -> Result<Vec<VisitRequest>, StoreError> {
        with_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT employment_id, kind, requester, asked_on, recorded_by FROM visit_requests WHERE worker_id = $1 ORDER BY asked_on DESC, id DESC",
            )
            .bind(worker_id)
            .fetch_all(pool)
            .await?;
            rows.iter().map(|r| Ok(VisitRequest {
                employment_id: r.try_get("employment_id")?,
                kind: r.try_get("kind")?,
                requester: r.try_get("requester")?,
                asked_on: r.try_get("asked_on")?,
                recorded_by: r.try_get("recorded_by")?,
            })).collect()
        })
    }

    pub async fn list_work_stoppages(
        &self,
        worker_id: i64,
    ) -> Result<Vec<WorkStoppage>, StoreError> {
        with_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT employment_id, reason, start_on, end_on, returned_on FROM work_stoppages WHERE worker_id = $1 ORDER BY start_on DESC",
            )
            .bind(worker_id)
            .fetch_all(pool)
            .await?;
            rows.iter().map(|r| Ok(WorkStoppage {
                employment_id: r.try_get("employment_id")?,
                reason: r.try_get("reason")?,
                start_on: r.try_get("start_on")?,
                end_on: r.try_get("end_on")?,
                returned_on: r.try_get("returned_on")?,
            })).collect()
        })
    }

    pub async fn find_followup_settings(
        &self,
        worker_id: i64,
    ) -> Result<FollowUpSettings, StoreError> {
        with_pool!(self, pool => {
            let periodicity = sqlx::query("SELECT months, set_by, set_at FROM followup_periodicities WHERE worker_id = $1")
                .bind(worker_id)
                .fetch_optional(pool)
                .await?;
            let listed = sqlx::query(
                "SELECT p.id, p.first_name, p.last_name FROM doctor_watch_lists l JOIN professionals p ON p.id = l.professional_id
                 WHERE l.worker_id = $1 ORDER BY p.last_name",
            )
            .bind(worker_id)
            .fetch_all(pool)
            .await?;
            Ok(FollowUpSettings {
                periodicity_months: periodicity.as_ref().map(|r| r.try_get("months")).transpose()?,
                periodicity_set_by: periodicity.as_ref().map(|r| r.try_get("set_by")).transpose()?,
                periodicity_set_at: periodicity.as_ref().map(|r| r.try_get("set_at")).transpose()?,
                listed_by: listed.iter().map(|r| {
                    let first: String = r.try_get("first_name")?;
                    let last: String = r.try_get("last_name")?;
                    Ok((r.try_get("id")?, format!("{first} {last}")))
                }).collect::<Result<_, StoreError>>()?,
            })
        })
    }

    /// The workers on a doctor's list (worker id, name, added on).
    pub async fn list_doctor_watch(
        &self,
        professional_id: i64,
    ) -> Result<Vec<(i64, String, NaiveDate)>, StoreError> {
        with_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT w.id, w.last_name, w.first_name, l.added_on FROM doctor_watch_lists l JOIN workers w ON w.id = l.worker_id
                 WHERE l.professional_id = $1 ORDER BY w.last_name, w.first_name",
            )
            .bind(professional_id)
            .fetch_all(pool)
            .await?;
            rows.iter().map(|r| {
                let last: String = r.try_get("last_name")?;
                let first: String = r.try_get("first_name")?;
                Ok((r.try_get("id")?, format!("{} {first}", last.to_uppercase()), r.try_get("added_on")?))
            }).collect()
        })
    }
}
