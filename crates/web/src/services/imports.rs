//! Imports started from the administration page: a file is read and checked (a dry run
//! gives the preview), then applied in the background on confirmation while the page shows
//! its progress. Jobs live in memory: the last ones are kept for their reports.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use import::ParsedFile;
use import::report::ImportReport;
use store::{Actor, Db, ImportOptions, ImportOutcome};

/// Jobs kept for their reports.
const KEPT_JOBS: usize = 20;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobState {
    /// Checked, waiting for confirmation.
    Previewed,
    Running,
    Finished(ImportReport),
    Failed(String),
}

pub struct ImportJob {
    pub id: String,
    pub file_name: String,
    pub started_by: String,
    pub strict: bool,
    pub parsed: ParsedFile,
    pub preview: ImportReport,
    pub state: Mutex<JobState>,
    done: AtomicUsize,
    total: AtomicUsize,
}

impl ImportJob {
    pub fn state(&self) -> JobState {
        self.state.lock().expect("job lock").clone()
    }

    /// Lines done and lines in all, while it runs.
    pub fn progress(&self) -> (usize, usize) {
        (
            self.done.load(Ordering::Relaxed),
            self.total.load(Ordering::Relaxed),
        )
    }
}

/// The report of a file: the reading's refusals with the database's.
pub fn report(parsed: &ParsedFile, outcome: ImportOutcome, dry_run: bool) -> ImportReport {
    let mut rejected = parsed.rejected.clone();
    rejected.extend(outcome.rejected);
    rejected.sort_by_key(|e| e.line);
    ImportReport {
        kind: parsed.rows.kind(),
        read: parsed.read,
        inserted: outcome.inserted,
        updated: outcome.updated,
        unchanged: outcome.unchanged,
        rejected,
        dry_run,
        committed: outcome.committed,
    }
}

#[derive(Default)]
pub struct ImportJobs(Mutex<VecDeque<Arc<ImportJob>>>);

impl ImportJobs {
    /// Checks a file (a dry run) and keeps it as a job waiting for confirmation.
    pub async fn preview(
        &self,
        db: &Db,
        login: &str,
        file_name: String,
        parsed: ParsedFile,
        strict: bool,
    ) -> Result<Arc<ImportJob>, store::StoreError> {
        let outcome = db
            .import_rows(
                &Actor(login.to_string()),
                &parsed.rows,
                ImportOptions {
                    dry_run: true,
                    strict,
                },
                parsed.rejected.len(),
                &|_, _| {},
            )
            .await?;
        let preview = report(&parsed, outcome, true);
        let job = Arc::new(ImportJob {
            id: crate::secrets::random_token()[..16].to_string(),
            file_name,
            started_by: login.to_string(),
            strict,
            total: AtomicUsize::new(parsed.rows.len()),
            parsed,
            preview,
            state: Mutex::new(JobState::Previewed),
            done: AtomicUsize::new(0),
        });
        let mut jobs = self.0.lock().expect("jobs lock");
        jobs.push_front(job.clone());
        jobs.truncate(KEPT_JOBS);
        Ok(job)
    }

    pub fn find(&self, id: &str) -> Option<Arc<ImportJob>> {
        self.0
            .lock()
            .expect("jobs lock")
            .iter()
            .find(|j| j.id == id)
            .cloned()
    }

    pub fn list(&self) -> Vec<Arc<ImportJob>> {
        self.0.lock().expect("jobs lock").iter().cloned().collect()
    }
}

/// Applies a previewed job in the background; false when it was not waiting.
pub fn confirm(db: Db, job: Arc<ImportJob>, login: String) -> bool {
    {
        let mut state = job.state.lock().expect("job lock");
        if *state != JobState::Previewed {
            return false;
        }
        *state = JobState::Running;
    }
    tokio::spawn(async move {
        let progress = |done: usize, total: usize| {
            job.done.store(done, Ordering::Relaxed);
            job.total.store(total, Ordering::Relaxed);
        };
        let result = db
            .import_rows(
                &Actor(login),
                &job.parsed.rows,
                ImportOptions {
                    dry_run: false,
                    strict: job.strict,
                },
                job.parsed.rejected.len(),
                &progress,
            )
            .await;
        let state = match result {
            Ok(outcome) => JobState::Finished(report(&job.parsed, outcome, false)),
            Err(error) => {
                tracing::error!(%error, "import failed");
                JobState::Failed(error.to_string())
            }
        };
        *job.state.lock().expect("job lock") = state;
    });
    true
}
