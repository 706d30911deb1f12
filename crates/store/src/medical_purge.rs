//! The end of a medical file: the files past their retention (R4624-45-9) are purged, and
//! each purge is recorded with what it removed.

use chrono::NaiveDate;
use domain::medical::{RetentionFacts, retention_end};
use sqlx::Row;

use crate::Actor;
use crate::audit::{AuditEntry, AuditTx};
use crate::db::{Db, StoreError, in_tx, now};

/// What a purge removed (or, in a dry run, would remove).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PurgeReport {
    pub files: usize,
    pub visits: u64,
    pub entries: u64,
    pub documents: u64,
    pub traces: u64,
}

const TABLES: [&str; 4] = [
    "visits",
    "medical_entries",
    "medical_documents",
    "medical_access_log",
];

/// In this order: documents before their visits, versions unlinked before removal.
const REMOVALS: [&str; 8] = [
    "DELETE FROM medical_attachments WHERE worker_id = $1",
    "UPDATE outbox_messages SET document_id = NULL WHERE document_id IN (SELECT id FROM medical_documents WHERE worker_id = $1)",
    "DELETE FROM medical_documents WHERE worker_id = $1",
    "UPDATE medical_entries SET supersedes_id = NULL WHERE worker_id = $1",
    "DELETE FROM medical_entries WHERE worker_id = $1",
    "DELETE FROM visits WHERE worker_id = $1",
    "DELETE FROM medical_objections WHERE worker_id = $1",
    "DELETE FROM medical_access_log WHERE worker_id = $1",
];

impl Db {
    /// Removes the medical files whose retention ended before `at`: visits, entries,
    /// documents, objections and traces; records each purge in `medical_purges`. One
    /// transaction; a dry run counts and writes nothing.
    pub async fn purge_medical_files(
        &self,
        actor: &Actor,
        at: NaiveDate,
        dry_run: bool,
    ) -> Result<PurgeReport, StoreError> {
        in_tx!(self, tx => {
            let rows = sqlx::query(
                "SELECT w.id, w.birth_date, (SELECT MAX(date) FROM appointments a WHERE a.worker_id = w.id AND a.status = 'done') AS last_visit
                 FROM workers w
                 WHERE EXISTS (SELECT 1 FROM visits v WHERE v.worker_id = w.id)
                    OR EXISTS (SELECT 1 FROM medical_entries m WHERE m.worker_id = w.id)
                    OR EXISTS (SELECT 1 FROM medical_attachments f WHERE f.worker_id = w.id)",
            )
            .fetch_all(&mut *tx)
            .await?;
            let mut expired = Vec::new();
            for r in &rows {
                let end = retention_end(&RetentionFacts {
                    birth_date: r.try_get("birth_date")?,
                    last_visit_on: r.try_get("last_visit")?,
                    ..Default::default()
                });
                if let Some(end) = end.filter(|end| *end < at) {
                    expired.push((r.try_get::<i64, _>("id")?, end));
                }
            }
            let mut report = PurgeReport { files: expired.len(), ..Default::default() };
            for (worker, end) in expired {
                let mut counts = [0u64; 4];
                for (count, table) in counts.iter_mut().zip(TABLES) {
                    let sql = format!("SELECT COUNT(*) AS n FROM {table} WHERE worker_id = $1");
                    let n: i64 = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(worker).fetch_one(&mut *tx).await?.try_get("n")?;
                    *count = n.max(0) as u64;
                }
                report.visits += counts[0];
                report.entries += counts[1];
                report.documents += counts[2];
                report.traces += counts[3];
                if dry_run {
                    continue;
                }
                for sql in REMOVALS {
                    sqlx::query(sql).bind(worker).execute(&mut *tx).await?;
                }
                sqlx::query(
                    "INSERT INTO medical_purges (worker_id, retention_end, visits, entries, documents, traces, purged_at, purged_by)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(worker)
                .bind(end)
                .bind(counts[0] as i32)
                .bind(counts[1] as i32)
                .bind(counts[2] as i32)
                .bind(counts[3] as i32)
                .bind(now())
                .bind(&actor.0)
                .execute(&mut *tx)
                .await?;
            }
            if !dry_run && report.files > 0 {
                tx.audit(AuditEntry::new(actor, "purge", "medical_files", report.files)).await?;
            }
            Ok(report)
        })
    }
}
