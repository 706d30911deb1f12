//! Prevention facts written in bulk (the demonstration's past years, an import of the
//! previous software): fiches with their dates, actions on the work site, PDP cases with
//! their items. One transaction per call.

use chrono::NaiveDate;
use sqlx::Row;

use crate::Actor;
use crate::audit::{AuditEntry, AuditTx};
use crate::db::{Db, StoreError, in_tx, now};

const ROWS_PER_STATEMENT: usize = 400;

/// A past version of an establishment's fiche (finalised, perhaps delivered).
#[derive(Debug, Clone)]
pub struct PastSheet {
    pub establishment_id: i64,
    pub started_on: NaiveDate,
    pub finalised_on: Option<NaiveDate>,
    pub delivered_on: Option<NaiveDate>,
    pub author: String,
}

/// A past (or planned) action on the work site.
#[derive(Debug, Clone)]
pub struct PastAction {
    pub establishment_id: i64,
    pub date: NaiveDate,
    pub kind: String,
    pub title: String,
    pub worker_id: Option<i64>,
    pub workers: Option<i32>,
    pub author: String,
}

/// A PDP case and its items (date, item, partner).
#[derive(Debug, Clone)]
pub struct PastPdpCase {
    pub worker_id: i64,
    pub signal: String,
    pub opened_on: NaiveDate,
    pub closed: Option<(NaiveDate, String)>,
    pub items: Vec<(NaiveDate, String, String)>,
    pub recorded_by: String,
}

#[derive(Debug, Clone, Default)]
pub struct PreventionHistory {
    pub sheets: Vec<PastSheet>,
    pub actions: Vec<PastAction>,
    pub pdp_cases: Vec<PastPdpCase>,
}

impl Db {
    /// Writes the history; an establishment's sheets are numbered in date order after the
    /// versions it already has.
    pub async fn insert_prevention_history(
        &self,
        actor: &Actor,
        history: &PreventionHistory,
    ) -> Result<(), StoreError> {
        let mut sheets = history.sheets.clone();
        sheets.sort_by_key(|s| (s.establishment_id, s.started_on));
        in_tx!(self, tx => {
            let mut numbered = Vec::with_capacity(sheets.len());
            let mut previous: Option<(i64, i32)> = None;
            for sheet in &sheets {
                let version = match previous {
                    Some((id, v)) if id == sheet.establishment_id => v + 1,
                    _ => {
                        let row = sqlx::query("SELECT COALESCE(MAX(version), 0) AS v FROM risk_sheets WHERE establishment_id = $1")
                            .bind(sheet.establishment_id)
                            .fetch_one(&mut *tx)
                            .await?;
                        row.try_get::<i32, _>("v")? + 1
                    }
                };
                previous = Some((sheet.establishment_id, version));
                numbered.push((version, sheet));
            }
            for chunk in numbered.chunks(ROWS_PER_STATEMENT) {
                let mut query = sqlx::QueryBuilder::new(
                    "INSERT INTO risk_sheets (establishment_id, version, state, started_on, finalised_on, delivered_on, author) ",
                );
                query.push_values(chunk, |mut row, (version, s)| {
                    let state = match (s.finalised_on, s.delivered_on) {
                        (_, Some(_)) => "delivered",
                        (Some(_), None) => "finalised",
                        (None, None) => "draft",
                    };
                    row.push_bind(s.establishment_id)
                        .push_bind(*version)
                        .push_bind(state)
                        .push_bind(s.started_on)
                        .push_bind(s.finalised_on)
                        .push_bind(s.delivered_on)
                        .push_bind(s.author.clone());
                });
                query.build().execute(&mut *tx).await?;
            }
            let created = now();
            for chunk in history.actions.chunks(ROWS_PER_STATEMENT) {
                let mut query = sqlx::QueryBuilder::new(
                    "INSERT INTO workplace_actions (establishment_id, date, type, title, worker_id, workers, author, created_at) ",
                );
                query.push_values(chunk, |mut row, a| {
                    row.push_bind(a.establishment_id)
                        .push_bind(a.date)
                        .push_bind(a.kind.clone())
                        .push_bind(a.title.clone())
                        .push_bind(a.worker_id)
                        .push_bind(a.workers)
                        .push_bind(a.author.clone())
                        .push_bind(created);
                });
                query.build().execute(&mut *tx).await?;
            }
            for case in &history.pdp_cases {
                let (closed_on, result) = match &case.closed {
                    Some((on, result)) => (Some(*on), Some(result.clone())),
                    None => (None, None),
                };
                let id: i64 = sqlx::query(
                    "INSERT INTO pdp_cases (worker_id, signal, opened_on, opened_by, closed_on, result)
                     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                )
                .bind(case.worker_id)
                .bind(&case.signal)
                .bind(case.opened_on)
                .bind(&case.recorded_by)
                .bind(closed_on)
                .bind(result)
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| StoreError::conflict_or(e, "ce salarié a déjà un dossier PDP ouvert"))?
                .try_get("id")?;
                if case.items.is_empty() {
                    continue;
                }
                let mut query = sqlx::QueryBuilder::new("INSERT INTO pdp_items (case_id, date, item, partner, recorded_by) ");
                query.push_values(&case.items, |mut row, (date, item, partner)| {
                    row.push_bind(id)
                        .push_bind(*date)
                        .push_bind(item.clone())
                        .push_bind(partner.clone())
                        .push_bind(case.recorded_by.clone());
                });
                query.build().execute(&mut *tx).await?;
            }
            tx.audit(AuditEntry::new(actor, "bulk_create", "prevention_history", history.actions.len())
                .after(&serde_json::json!({
                    "sheets": history.sheets.len(),
                    "actions": history.actions.len(),
                    "pdp_cases": history.pdp_cases.len(),
                })))
                .await?;
            Ok(())
        })
    }
}
