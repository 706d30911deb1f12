//! PDP cases: opened on a signal, followed by items (the non-medical part the PDP team
//! sees), closed with a result; medical notes under a [`MedicalGrant`] only, traced; and the
//! early-warning list.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use domain::authz::MedicalGrant;
use domain::prevention::pdp::{Factor, WarningFacts, check_item, early_warning, result_label};
use sqlx::Row;

use crate::Actor;
use crate::audit::{AuditEntry, AuditTx};
use crate::db::{Db, StoreError, in_tx, now, with_pool};
use crate::medical::trace;

#[derive(Debug, Clone)]
pub struct PdpCase {
    pub id: i64,
    pub worker_id: i64,
    pub worker_name: String,
    pub signal: String,
    pub opened_on: NaiveDate,
    pub closed_on: Option<NaiveDate>,
    pub result: Option<String>,
    /// (date, item, partner, outcome, recorded by).
    pub items: Vec<(NaiveDate, String, String, String, String)>,
}

/// A worker of the early-warning list.
#[derive(Debug, Clone)]
pub struct Warning {
    pub worker_id: i64,
    pub worker_name: String,
    pub score: u32,
    pub factors: Vec<Factor>,
    pub open_case: bool,
}

const CASE_SELECT: &str = "SELECT c.id, c.worker_id, w.first_name || ' ' || w.last_name AS worker_name, c.signal, c.opened_on,
        c.closed_on, c.result FROM pdp_cases c JOIN workers w ON w.id = c.worker_id";

macro_rules! case_from_row {
    ($r:expr) => {
        PdpCase {
            id: $r.try_get("id")?,
            worker_id: $r.try_get("worker_id")?,
            worker_name: $r.try_get("worker_name")?,
            signal: $r.try_get("signal")?,
            opened_on: $r.try_get("opened_on")?,
            closed_on: $r.try_get("closed_on")?,
            result: $r.try_get("result")?,
            items: Vec::new(),
        }
    };
}

impl Db {
    /// Opens a case for a worker (one open case at a time).
    pub async fn open_pdp_case(
        &self,
        actor: &Actor,
        worker_id: i64,
        signal: &str,
        today: NaiveDate,
    ) -> Result<i64, StoreError> {
        if domain::prevention::pdp::signal_label(signal).is_empty() {
            return Err(StoreError::Invalid(format!(
                "Signal : « {signal} » inconnu"
            )));
        }
        in_tx!(self, tx => {
            let id: i64 = sqlx::query(
                "INSERT INTO pdp_cases (worker_id, signal, opened_on, opened_by) VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(worker_id)
            .bind(signal)
            .bind(today)
            .bind(&actor.0)
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| StoreError::conflict_or(e, "Cellule PDP : un dossier est déjà ouvert pour ce salarié"))?
            .try_get("id")?;
            tx.audit(AuditEntry::new(actor, "open", "pdp_case", id)).await?;
            Ok(id)
        })
    }

    /// Adds a follow-up item (advice, referral with its partner, trial) to an open case.
    pub async fn add_pdp_item(
        &self,
        actor: &Actor,
        case_id: i64,
        date: NaiveDate,
        item: &str,
        partner: &str,
        outcome: &str,
    ) -> Result<(), StoreError> {
        check_item(item, partner).map_err(StoreError::Invalid)?;
        in_tx!(self, tx => {
            let done = sqlx::query(
                "INSERT INTO pdp_items (case_id, date, item, partner, outcome, recorded_by)
                 SELECT id, $2, $3, $4, $5, $6 FROM pdp_cases WHERE id = $1 AND closed_on IS NULL",
            )
            .bind(case_id)
            .bind(date)
            .bind(item)
            .bind(partner)
            .bind(outcome.trim())
            .bind(&actor.0)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::Conflict("Cellule PDP : le dossier est clos".into()));
            }
            tx.audit(AuditEntry::new(actor, "add_item", "pdp_case", case_id)).await?;
            Ok(())
        })
    }

    /// Closes a case with its result.
    pub async fn close_pdp_case(
        &self,
        actor: &Actor,
        case_id: i64,
        result: &str,
        today: NaiveDate,
    ) -> Result<(), StoreError> {
        if result_label(result).is_empty() {
            return Err(StoreError::Invalid(format!(
                "Issue : « {result} » inconnue"
            )));
        }
        in_tx!(self, tx => {
            let done = sqlx::query("UPDATE pdp_cases SET closed_on = $1, result = $2 WHERE id = $3 AND closed_on IS NULL")
                .bind(today)
                .bind(result)
                .bind(case_id)
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::Conflict("Cellule PDP : le dossier est déjà clos".into()));
            }
            tx.audit(AuditEntry::new(actor, "close", "pdp_case", case_id).after(&serde_json::json!({"result": result}))).await?;
            Ok(())
        })
    }

    /// Cases, open ones first then the latest closed (at most 200), without their items.
    pub async fn list_pdp_cases(&self) -> Result<Vec<PdpCase>, StoreError> {
        let sql = format!(
            "{CASE_SELECT} ORDER BY (c.closed_on IS NULL) DESC, c.opened_on DESC, c.id DESC LIMIT 200"
        );
        with_pool!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await?;
            rows.iter().map(|r| Ok(case_from_row!(r))).collect()
        })
    }

    /// The open cases of the workers of an establishment (the studies they may need).
    pub async fn list_establishment_open_pdp_cases(
        &self,
        establishment_id: i64,
    ) -> Result<Vec<PdpCase>, StoreError> {
        let sql = format!(
            "{CASE_SELECT} WHERE c.closed_on IS NULL
               AND EXISTS (SELECT 1 FROM employments m WHERE m.worker_id = c.worker_id AND m.establishment_id = $1)
             ORDER BY w.last_name, w.first_name, c.id"
        );
        with_pool!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(establishment_id).fetch_all(pool).await?;
            rows.iter().map(|r| Ok(case_from_row!(r))).collect()
        })
    }

    pub async fn find_pdp_case(&self, id: i64) -> Result<PdpCase, StoreError> {
        with_pool!(self, pool => {
            let sql = format!("{CASE_SELECT} WHERE c.id = $1");
            let r = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(id)
                .fetch_optional(pool)
                .await?
                .ok_or(StoreError::NotFound)?;
            let mut case = case_from_row!(r);
            for i in sqlx::query("SELECT date, item, partner, outcome, recorded_by FROM pdp_items WHERE case_id = $1 ORDER BY date, id")
                .bind(id)
                .fetch_all(pool)
                .await?
            {
                case.items.push((i.try_get("date")?, i.try_get("item")?, i.try_get("partner")?, i.try_get("outcome")?, i.try_get("recorded_by")?));
            }
            Ok(case)
        })
    }

    /// Adds a medical note to the worker's case (traced).
    pub async fn add_pdp_medical_note(
        &self,
        grant: &MedicalGrant,
        case_id: i64,
        content: &str,
    ) -> Result<(), StoreError> {
        if content.trim().is_empty() {
            return Err(StoreError::Invalid(
                "Note médicale : texte obligatoire".into(),
            ));
        }
        in_tx!(self, tx => {
            let done = sqlx::query(
                "INSERT INTO pdp_medical_notes (case_id, content, author_user_id, created_at)
                 SELECT id, $2, $3, $4 FROM pdp_cases WHERE id = $1 AND worker_id = $5",
            )
            .bind(case_id)
            .bind(content.trim())
            .bind(grant.user_id().0)
            .bind(now())
            .bind(grant.worker_id().0)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            trace!(tx, grant, "pdp", "write");
            Ok(())
        })
    }

    /// The medical notes of the worker's case (traced as read): (date, author, text).
    pub async fn list_pdp_medical_notes(
        &self,
        grant: &MedicalGrant,
        case_id: i64,
    ) -> Result<Vec<(String, String, String)>, StoreError> {
        let notes = with_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT n.created_at, u.display_name, n.content FROM pdp_medical_notes n JOIN users u ON u.id = n.author_user_id
                 JOIN pdp_cases c ON c.id = n.case_id WHERE n.case_id = $1 AND c.worker_id = $2 ORDER BY n.id",
            )
            .bind(case_id)
            .bind(grant.worker_id().0)
            .fetch_all(pool)
            .await?;
            let mut notes = Vec::new();
            for r in rows {
                let at: chrono::DateTime<chrono::Utc> = r.try_get("created_at")?;
                notes.push((at.format("%d/%m/%Y").to_string(), r.try_get("display_name")?, r.try_get("content")?));
            }
            notes
        });
        self.record_medical_access(grant, "pdp", "read").await?;
        Ok(notes)
    }

    /// Workers with a positive early-warning score, highest first (at most `limit`).
    pub async fn list_early_warnings(
        &self,
        today: NaiveDate,
        limit: usize,
    ) -> Result<Vec<Warning>, StoreError> {
        let year_ago = today - chrono::Duration::days(365);
        let rows = with_pool!(self, pool => {
            sqlx::query(
                "SELECT w.id, w.first_name || ' ' || w.last_name AS name, w.birth_date,
                    (SELECT COUNT(*) FROM work_stoppages s WHERE s.worker_id = w.id AND s.start_on >= $1) AS stoppages,
                    EXISTS (SELECT 1 FROM declaration_lines l JOIN employments m ON m.id = l.employment_id
                            WHERE m.worker_id = w.id AND l.category = 'SIR') AS sir,
                    (SELECT a.outcome FROM appointments a WHERE a.worker_id = w.id AND a.status = 'done' AND a.outcome <> 'none'
                       ORDER BY a.date DESC LIMIT 1) AS last_outcome,
                    EXISTS (SELECT 1 FROM pdp_cases c WHERE c.worker_id = w.id AND c.closed_on IS NULL) AS open_case
                 FROM workers w
                 WHERE EXISTS (SELECT 1 FROM employments m WHERE m.worker_id = w.id AND m.left_on IS NULL)
                   AND (EXISTS (SELECT 1 FROM work_stoppages s WHERE s.worker_id = w.id AND COALESCE(s.returned_on, s.end_on, $2) >= $1)
                        OR EXISTS (SELECT 1 FROM appointments a WHERE a.worker_id = w.id AND a.outcome IN ('fit_with_adjustments', 'unfit'))
                        OR w.birth_date <= $3)",
            )
            .bind(year_ago)
            .bind(today)
            .bind(NaiveDate::from_ymd_opt(today.year() - 58, today.month(), today.day().min(28)).unwrap_or(today))
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| {
                let birth: NaiveDate = r.try_get("birth_date")?;
                Ok((
                    r.try_get::<i64, _>("id")?,
                    r.try_get::<String, _>("name")?,
                    WarningFacts {
                        leave_days_12_months: 0,
                        stoppages_12_months: r.try_get("stoppages")?,
                        sir: r.try_get("sir")?,
                        age: birth.years_since(today).map_or(0, |y| y as i32),
                        last_outcome: r.try_get("last_outcome")?,
                    },
                    r.try_get::<bool, _>("open_case")?,
                ))
            })
            .collect::<Result<Vec<_>, StoreError>>()?
        });
        let leave = self.leave_days(year_ago, today).await?;
        let mut warnings = Vec::new();
        for (worker_id, worker_name, mut facts, open_case) in rows {
            facts.leave_days_12_months = leave.get(&worker_id).copied().unwrap_or(0);
            let (score, factors) = early_warning(&facts);
            if score > 0 {
                warnings.push(Warning {
                    worker_id,
                    worker_name,
                    score,
                    factors,
                    open_case,
                });
            }
        }
        warnings.sort_by(|a, b| b.score.cmp(&a.score).then(a.worker_id.cmp(&b.worker_id)));
        warnings.truncate(limit);
        Ok(warnings)
    }

    /// Days of stoppage per worker between `from` and `to` (an open stoppage runs until `to`).
    async fn leave_days(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<HashMap<i64, i64>, StoreError> {
        let stoppages: Vec<(i64, NaiveDate, Option<NaiveDate>, Option<NaiveDate>)> = with_pool!(self, pool => {
            sqlx::query(
                "SELECT worker_id, start_on, end_on, returned_on FROM work_stoppages
                 WHERE start_on <= $2 AND COALESCE(returned_on, end_on, $2) >= $1",
            )
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| Ok((r.try_get("worker_id")?, r.try_get("start_on")?, r.try_get("end_on")?, r.try_get("returned_on")?)))
            .collect::<Result<_, StoreError>>()?
        });
        let mut days = HashMap::new();
        for (worker, start, end, returned) in stoppages {
            let end = returned.or(end).unwrap_or(to).min(to);
            let start = start.max(from);
            if end >= start {
                *days.entry(worker).or_insert(0) += (end - start).num_days() + 1;
            }
        }
        Ok(days)
    }
}
