//! Administration: importing the files of the previous software (DATA-FORMATS.md). Upload,
//! preview of the report (a dry run), confirmation, then the import runs in the background
//! while its page shows the progress.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::exchange::FileKind;
use import::report::ImportReport;

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::layout::Layout;
use crate::services::imports::{self, ImportJob, JobState};
use crate::state::AppState;

/// Refused lines shown on the page (the CLI prints them all).
const SHOWN_REJECTIONS: usize = 500;

struct JobRow {
    id: String,
    file_name: String,
    kind: &'static str,
    state: String,
}

fn state_label(job: &ImportJob) -> String {
    match job.state() {
        JobState::Previewed => "vérifié, en attente de confirmation".into(),
        JobState::Running => {
            let (done, total) = job.progress();
            format!("en cours ({done} / {total} lignes)")
        }
        JobState::Finished(report) if report.committed => "importé".into(),
        JobState::Finished(_) => "rien n'a été écrit".into(),
        JobState::Failed(_) => "échec".into(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/imports.html")]
struct ImportsPage {
    layout: Layout,
    kinds: Vec<(&'static str, &'static str)>,
    jobs: Vec<JobRow>,
    error: Option<String>,
}

fn imports_page(state: &AppState, layout: Layout, error: Option<String>) -> Response {
    let jobs = state
        .imports()
        .list()
        .iter()
        .map(|job| JobRow {
            id: job.id.clone(),
            file_name: job.file_name.clone(),
            kind: job.preview.kind.label(),
            state: state_label(job),
        })
        .collect();
    ImportsPage {
        layout,
        kinds: FileKind::ALL
            .iter()
            .map(|k| (k.code(), k.label()))
            .collect(),
        jobs,
        error,
    }
    .into_response()
}

pub async fn show_imports(State(state): State<AppState>, layout: Layout) -> Response {
    imports_page(&state, layout, None)
}

/// Reads the uploaded file and checks it (a dry run): the preview of its report.
pub async fn upload_import(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
    mut form: Multipart,
) -> Result<Response, AppError> {
    let malformed = || AppError::invalid("Formulaire", "envoi mal formé");
    let (mut bytes, mut file_name, mut kind, mut strict) = (Vec::new(), String::new(), None, false);
    while let Some(field) = form.next_field().await.map_err(|_| malformed())? {
        match field.name().unwrap_or_default() {
            "file" => {
                file_name = field.file_name().unwrap_or("fichier").to_string();
                bytes = field.bytes().await.map_err(|_| malformed())?.to_vec();
            }
            "kind" => {
                let code = field.text().await.map_err(|_| malformed())?;
                if !code.is_empty() {
                    kind = Some(FileKind::from_code(&code).ok_or_else(|| {
                        AppError::invalid("Type de fichier", format!("« {code} » inconnu"))
                    })?);
                }
            }
            "strict" => strict = field.text().await.map_err(|_| malformed())? == "on",
            _ => {}
        }
    }
    if bytes.is_empty() {
        return Ok(imports_page(
            &state,
            layout,
            Some("Fichier : choisissez un fichier CSV ou XLSX non vide".into()),
        ));
    }
    let parsed = match import::parse_file(&bytes, kind) {
        Ok(parsed) => parsed,
        Err(error) => {
            return Ok(imports_page(
                &state,
                layout,
                Some(format!("Fichier {file_name} : {error}")),
            ));
        }
    };
    let job = state
        .imports()
        .preview(state.db(), &user.login, file_name, parsed, strict)
        .await?;
    Ok(Redirect::to(&format!("/admin/imports/{}", job.id)).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/import_job.html")]
struct JobPage {
    layout: Layout,
    id: String,
    file_name: String,
    kind: &'static str,
    started_by: String,
    strict: bool,
    waiting: bool,
    running: Option<(usize, usize)>,
    report: Option<ImportReport>,
    failure: Option<String>,
    hidden_rejections: usize,
}

pub async fn show_import(
    State(state): State<AppState>,
    layout: Layout,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let job = state.imports().find(&id).ok_or(AppError::NotFound)?;
    let job_state = job.state();
    let (mut report, running, failure) = match job_state {
        JobState::Previewed => (Some(job.preview.clone()), None, None),
        JobState::Running => (None, Some(job.progress()), None),
        JobState::Finished(report) => (Some(report), None, None),
        JobState::Failed(reason) => (None, None, Some(reason)),
    };
    let hidden_rejections = report
        .as_mut()
        .map(|r| {
            let hidden = r.rejected.len().saturating_sub(SHOWN_REJECTIONS);
            r.rejected.truncate(SHOWN_REJECTIONS);
            hidden
        })
        .unwrap_or(0);
    Ok(JobPage {
        layout,
        id: job.id.clone(),
        file_name: job.file_name.clone(),
        kind: job.preview.kind.label(),
        started_by: job.started_by.clone(),
        strict: job.strict,
        waiting: job.state() == JobState::Previewed,
        running,
        report,
        failure,
        hidden_rejections,
    }
    .into_response())
}

pub async fn confirm_import(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let job = state.imports().find(&id).ok_or(AppError::NotFound)?;
    if !imports::confirm(state.db().clone(), job, user.login.clone()) {
        return Err(AppError::Conflict(
            "cet import a déjà été confirmé".to_string(),
        ));
    }
    Ok(Redirect::to(&format!("/admin/imports/{id}")).into_response())
}
