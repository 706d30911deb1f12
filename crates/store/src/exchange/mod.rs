//! Exchange files applied to the database (DATA-FORMATS.md) and read back from it: each
//! file in one transaction, idempotent by natural keys, with a line-by-line report.

mod export;
mod members;
mod org;
mod payroll;
mod prevention;
mod sql;
mod table;
mod visits;
mod workers;

pub use payroll::PayrollOutcome;

use std::collections::HashMap;

use domain::exchange::{LineError, Rows};
use serde::Serialize;

use crate::Actor;
use crate::audit::{AuditEntry, AuditTx};
use crate::db::{Db, StoreError};
use crate::obligations::ObligationsTx;
use crate::queues::today;
use sql::{SqlTx, Ty, Value};
use table::Change;
use workers::DeclarationTarget;

/// How a file is applied.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// Checks everything and writes nothing.
    pub dry_run: bool,
    /// Writes nothing when any line is refused.
    pub strict: bool,
}

/// What a file did (or would do, in a dry run).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportOutcome {
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Lines refused by the database checks (unknown codes, references), in line order.
    pub rejected: Vec<LineError>,
    /// Whether the changes were kept.
    pub committed: bool,
    /// Workers whose obligations were recomputed.
    pub workers_refreshed: usize,
}

/// Reports `(lines done, lines in all)` while a file is applied.
pub type Progress<'a> = &'a (dyn Fn(usize, usize) + Send + Sync);

/// What applying one kind gave: the change of each applied line, the lines refused, the
/// workers whose facts changed.
#[derive(Debug, Default)]
pub(crate) struct Applied {
    pub changes: Vec<Change>,
    pub rejected: Vec<LineError>,
    pub workers: Vec<i64>,
}

impl Applied {
    fn reject(&mut self, line: usize, column: &str, reason: impl Into<String>) {
        self.rejected.push(LineError {
            line,
            column: column.to_string(),
            reason: reason.into(),
        });
    }
}

/// Above this many workers, one refresh of everyone is cheaper than a list of ids.
const REFRESH_EVERYONE_ABOVE: usize = 20_000;

/// `code → id` of a table with a `code`-like column.
pub(crate) async fn ids_by_code<T: SqlTx>(
    tx: &mut T,
    table: &str,
    column: &str,
) -> Result<HashMap<String, i64>, StoreError> {
    let rows = tx
        .select_rows(
            &[(column, Ty::Text), ("id", Ty::Int)],
            &format!("FROM {table}"),
        )
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| Some((row[0].as_text()?.to_string(), row[1].as_int()?)))
        .collect())
}

async fn apply<T: SqlTx + AuditTx + ObligationsTx>(
    tx: &mut T,
    actor: &Actor,
    rows: &Rows,
    progress: Progress<'_>,
) -> Result<ImportOutcome, StoreError> {
    let total = rows.len();
    progress(0, total);
    let applied = match rows {
        Rows::Sectors(lines) => org::apply_sectors(tx, lines).await?,
        Rows::Teams(lines) => org::apply_teams(tx, lines).await?,
        Rows::Centres(lines) => org::apply_centres(tx, lines).await?,
        Rows::Professionals(lines) => org::apply_professionals(tx, lines).await?,
        Rows::Companies(lines) => members::apply_companies(tx, lines).await?,
        Rows::Workers(lines) => {
            workers::apply_workers(tx, actor, lines, DeclarationTarget::Submitted, progress).await?
        }
        Rows::Slots(lines) => visits::apply_slots(tx, lines).await?,
        Rows::Appointments(lines) => visits::apply_appointments(tx, lines).await?,
        Rows::RiskSheets(lines) => prevention::apply_risk_sheets(tx, lines).await?,
        Rows::WorkplaceActions(lines) => prevention::apply_workplace_actions(tx, lines).await?,
        Rows::Retention(lines) => prevention::apply_retention(tx, actor, lines).await?,
    };
    let mut outcome = ImportOutcome::default();
    for change in &applied.changes {
        match change {
            Change::Inserted => outcome.inserted += 1,
            Change::Updated => outcome.updated += 1,
            Change::Unchanged => outcome.unchanged += 1,
        }
    }
    outcome.rejected = applied.rejected;
    outcome.rejected.sort_by_key(|e| e.line);
    let mut workers = applied.workers;
    workers.sort_unstable();
    workers.dedup();
    progress(total, total);
    if !workers.is_empty() {
        if workers.len() > REFRESH_EVERYONE_ABOVE {
            tx.refresh_obligations(None, today()).await?;
        } else {
            tx.refresh_obligations(Some(&workers), today()).await?;
        }
    }
    outcome.workers_refreshed = workers.len();
    tx.audit(
        AuditEntry::new(actor, "import", rows.kind().code(), total).after(&serde_json::json!({
            "inserted": outcome.inserted,
            "updated": outcome.updated,
            "unchanged": outcome.unchanged,
            "rejected": outcome.rejected.len(),
        })),
    )
    .await?;
    Ok(outcome)
}

/// Runs `$body` in one write transaction and keeps it when `$keep(&mut outcome)` says so
/// (it also marks the outcome committed), rolls it back otherwise: dry runs, refused files.
macro_rules! in_tx_keeping {
    ($db:expr, $tx:ident => $body:expr, $keep:expr) => {
        match $db {
            Db::Sqlite(pool) => {
                let mut $tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                let mut outcome = $body;
                if $keep(&mut outcome) {
                    $tx.commit().await?;
                } else {
                    $tx.rollback().await?;
                }
                Ok(outcome)
            }
            Db::Postgres(pool) => {
                let mut $tx = pool.begin().await?;
                let mut outcome = $body;
                if $keep(&mut outcome) {
                    $tx.commit().await?;
                } else {
                    $tx.rollback().await?;
                }
                Ok(outcome)
            }
        }
    };
}

pub(crate) use in_tx_keeping;

impl Db {
    /// Applies the valid rows of one file in one transaction. `parse_rejected` is the number
    /// of lines already refused when reading the file (for `strict`).
    pub async fn import_rows(
        &self,
        actor: &Actor,
        rows: &Rows,
        options: ImportOptions,
        parse_rejected: usize,
        progress: Progress<'_>,
    ) -> Result<ImportOutcome, StoreError> {
        in_tx_keeping!(self, tx => apply(&mut tx, actor, rows, progress).await?, |outcome: &mut ImportOutcome| {
            let refused = parse_rejected + outcome.rejected.len();
            outcome.committed = !(options.dry_run || (options.strict && refused > 0));
            outcome.committed
        })
    }
}

impl Db {
    /// Records that an employer took its establishment's data out (GDPR portability).
    pub async fn record_portability_export(
        &self,
        actor: &Actor,
        siret: &str,
    ) -> Result<(), StoreError> {
        crate::db::in_tx!(self, tx => {
            tx.audit(AuditEntry::new(actor, "export_portability", "establishment", siret)).await?;
            Ok(())
        })
    }
}

pub(crate) fn text_or_null(value: &Option<String>) -> Value {
    Value::Text(value.clone())
}
