//! The trace of every action on a medical file (R4624-45-5): who, when, which worker, which
//! section, and the reason when the professional is outside the worker's team. Writing a
//! trace needs a [`MedicalGrant`], so only an authorised action can be traced as done.

use chrono::{DateTime, Utc};
use domain::authz::MedicalGrant;
use domain::ids::{UserId, WorkerId};
use serde::Serialize;
use sqlx::Row;

use crate::db::{Db, StoreError, in_tx, now, with_pool};
use crate::medical::trace;

/// One trace of the medical file, with the professional's name.
#[derive(Debug, Clone)]
pub struct Trace {
    pub at: DateTime<Utc>,
    pub professional: String,
    pub worker_id: i64,
    pub worker_name: String,
    pub section: String,
    pub action: String,
    pub justification: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MedicalAccess {
    pub at: DateTime<Utc>,
    pub user_id: UserId,
    pub section: String,
    pub action: String,
    pub justification: Option<String>,
}

impl Db {
    pub async fn record_medical_access(
        &self,
        grant: &MedicalGrant,
        section: &str,
        action: &str,
    ) -> Result<(), StoreError> {
        with_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO medical_access_log (at, user_id, worker_id, section, action, justification)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(now())
            .bind(grant.user_id().0)
            .bind(grant.worker_id().0)
            .bind(section)
            .bind(action)
            .bind(grant.justification())
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    pub async fn list_medical_access(
        &self,
        worker: WorkerId,
    ) -> Result<Vec<MedicalAccess>, StoreError> {
        with_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT at, user_id, section, action, justification FROM medical_access_log
                 WHERE worker_id = $1 ORDER BY id",
            )
            .bind(worker.0)
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(MedicalAccess {
                        at: r.try_get("at")?,
                        user_id: UserId(r.try_get("user_id")?),
                        section: r.try_get("section")?,
                        action: r.try_get("action")?,
                        justification: r.try_get("justification")?,
                    })
                })
                .collect()
        })
    }

    /// The traces of a worker's file with the professionals' names, oldest first; the export
    /// itself is traced.
    pub async fn export_medical_traces(
        &self,
        grant: &MedicalGrant,
    ) -> Result<Vec<Trace>, StoreError> {
        in_tx!(self, tx => {
            trace!(tx, grant, "traces", "export");
            let rows = sqlx::query(
                "SELECT l.at, u.display_name, l.section, l.action, l.justification FROM medical_access_log l
                 JOIN users u ON u.id = l.user_id WHERE l.worker_id = $1 ORDER BY l.id",
            )
            .bind(grant.worker_id().0)
            .fetch_all(&mut *tx)
            .await?;
            rows.iter().map(|r| Ok(Trace {
                at: r.try_get("at")?,
                professional: r.try_get("display_name")?,
                worker_id: grant.worker_id().0,
                worker_name: String::new(),
                section: r.try_get("section")?,
                action: r.try_get("action")?,
                justification: r.try_get("justification")?,
            })).collect()
        })
    }

    /// Files of the team's workers opened with a reason ("bris de glace") since `since`, for
    /// the team's doctor.
    pub async fn list_break_glass(
        &self,
        team_id: i64,
        since: DateTime<Utc>,
    ) -> Result<Vec<Trace>, StoreError> {
        with_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT l.at, u.display_name, l.worker_id, w.first_name || ' ' || w.last_name AS worker_name, l.section, l.action, l.justification
                 FROM medical_access_log l JOIN users u ON u.id = l.user_id JOIN workers w ON w.id = l.worker_id
                 WHERE l.justification IS NOT NULL AND l.at >= $1
                   AND EXISTS (SELECT 1 FROM employments m JOIN establishments e ON e.id = m.establishment_id
                               WHERE m.worker_id = l.worker_id AND e.team_id = $2)
                 ORDER BY l.id DESC LIMIT 100",
            )
            .bind(since)
            .bind(team_id)
            .fetch_all(pool)
            .await?;
            rows.iter().map(|r| Ok(Trace {
                at: r.try_get("at")?,
                professional: r.try_get("display_name")?,
                worker_id: r.try_get("worker_id")?,
                worker_name: r.try_get("worker_name")?,
                section: r.try_get("section")?,
                action: r.try_get("action")?,
                justification: r.try_get("justification")?,
            })).collect()
        })
    }
}
