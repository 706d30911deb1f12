//! The trace of every action on a medical file (R4624-45-5): who, when, which worker, which
//! section, and the reason when the professional is outside the worker's team. Writing a
//! trace needs a [`MedicalGrant`], so only an authorised action can be traced as done.

use chrono::{DateTime, Utc};
use domain::authz::MedicalGrant;
use domain::ids::{UserId, WorkerId};
use serde::Serialize;
use sqlx::Row;

use crate::db::{Db, StoreError, now, with_pool};

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
}
