//! `spsti medical purge`: removes the medical files past their legal retention (the job
//! `serve` runs once a day), and says what it removed.

use clap::Subcommand;
use store::{Actor, Db};

use crate::Failure;

#[derive(Subcommand)]
pub(crate) enum MedicalCommand {
    /// Remove the files whose retention ended (40 years after the last visit): visits,
    /// entries, documents, traces; each purge is recorded.
    Purge {
        /// The date to compute at (default: today).
        #[arg(long)]
        at: Option<chrono::NaiveDate>,
        /// Count what would be removed, remove nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

pub(crate) async fn run(db: &Db, command: MedicalCommand) -> Result<(), Failure> {
    match command {
        MedicalCommand::Purge { at, dry_run } => {
            let report = db
                .purge_medical_files(
                    &Actor("cli".into()),
                    at.unwrap_or_else(store::today),
                    dry_run,
                )
                .await?;
            println!(
                "{} dossier(s) {} : {} visite(s), {} rubrique(s), {} document(s), {} trace(s)",
                report.files,
                if dry_run {
                    "à purger (simulation)"
                } else {
                    "purgé(s)"
                },
                report.visits,
                report.entries,
                report.documents,
                report.traces
            );
        }
    }
    Ok(())
}
