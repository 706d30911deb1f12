//! Around a journey, on both sides: comments tagged company / CSE / service, attachments
//! (PDF and images), the invitations and reminders e-mailed by the service, and the
//! employer's export of its own participation.

use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::prevention::programmes::Side;
use serde::Deserialize;
use store::{Actor, StepRef};

use super::ValidForm;
use super::declarations::employer_establishment;
use super::members::parse_id;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct CommentForm {
    content: String,
    #[serde(default)]
    side: String,
}

fn step_of(text: &str) -> Result<usize, AppError> {
    text.parse().map_err(|_| AppError::NotFound)
}

/// The employer's comment, as the company or as its CSE.
pub async fn add_portal_comment(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((id, step)): Path<(String, String)>,
    ValidForm(form): ValidForm<CommentForm>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let e = employer_establishment(&state, &user).await?;
    let participation = state.db().find_participation(id, e.id).await?;
    let side = if form.side == "cse" {
        Side::Cse
    } else {
        Side::Company
    };
    state
        .db()
        .add_programme_comment(
            &Actor(user.login.clone()),
            participation.id,
            step_of(&step)?,
            side,
            &form.content,
        )
        .await?;
    Ok(Redirect::to(&format!("/portal/programmes/{id}#step-{step}")).into_response())
}

/// The service's comment on a company's step (the portfolio's preventer, the director).
pub async fn add_service_comment(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((id, establishment, step)): Path<(String, String, String)>,
    ValidForm(form): ValidForm<CommentForm>,
) -> Result<Response, AppError> {
    let (id, establishment) = (parse_id(&id)?, parse_id(&establishment)?);
    let participation = state.db().find_participation(id, establishment).await?;
    super::programmes::check_portfolio(&user, &participation)?;
    state
        .db()
        .add_programme_comment(
            &Actor(user.login.clone()),
            participation.id,
            step_of(&step)?,
            Side::Service,
            &form.content,
        )
        .await?;
    Ok(Redirect::to(&format!(
        "/programmes/{id}/participations/{establishment}#step-{step}"
    ))
    .into_response())
}

/// A file for a step the company works on: PDF, PNG or JPEG of 1,000 Kio at most.
pub async fn upload_portal_attachment(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: crate::layout::Layout,
    Path((id, step)): Path<(String, String)>,
    mut form: Multipart,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let step = step_of(&step)?;
    let e = employer_establishment(&state, &user).await?;
    let malformed = || AppError::invalid("Formulaire", "envoi mal formé");
    let (mut name, mut bytes) = (String::new(), Vec::new());
    while let Some(field) = form.next_field().await.map_err(|_| malformed())? {
        if field.name() == Some("file") {
            name = field.file_name().unwrap_or_default().to_string();
            bytes = field.bytes().await.map_err(|_| malformed())?.to_vec();
        }
    }
    let result = state
        .db()
        .add_programme_attachment(
            &Actor(user.login.clone()),
            StepRef {
                programme_id: id,
                establishment_id: e.id,
                step,
            },
            &name,
            &bytes,
        )
        .await
        .map(|_| ())
        .map_err(AppError::from);
    super::redirect_or_show(result, &format!("/portal/programmes/{id}"), |message| {
        super::portal_programmes::journey_page(&state, &user, layout, id, Some(message))
    })
    .await
}

async fn attachment_response(
    state: &AppState,
    participation_id: i64,
    attachment: &str,
) -> Result<Response, AppError> {
    let (name, media_type, bytes) = state
        .db()
        .programme_attachment(participation_id, parse_id(attachment)?)
        .await?;
    Ok(super::file_response(
        &media_type,
        "attachment",
        &name,
        bytes,
    ))
}

pub async fn download_portal_attachment(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((id, attachment)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let e = employer_establishment(&state, &user).await?;
    let participation = state.db().find_participation(parse_id(&id)?, e.id).await?;
    attachment_response(&state, participation.id, &attachment).await
}

pub async fn download_service_attachment(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((id, establishment, attachment)): Path<(String, String, String)>,
) -> Result<Response, AppError> {
    let participation = state
        .db()
        .find_participation(parse_id(&id)?, parse_id(&establishment)?)
        .await?;
    super::programmes::check_portfolio(&user, &participation)?;
    attachment_response(&state, participation.id, &attachment).await
}

/// E-mails the invitation to the targeted companies not yet invited.
pub async fn invite_companies(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let sent = state
        .db()
        .invite_to_programme(&Actor(user.login.clone()), id, &state.config().base_url)
        .await?;
    Ok(Redirect::to(&format!("/programmes/{id}?invited={sent}")).into_response())
}

#[derive(Deserialize)]
pub struct RemindForm {
    days: String,
}

/// E-mails a reminder to the companies stuck more than N days.
pub async fn remind_companies(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    ValidForm(form): ValidForm<RemindForm>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let days: i64 = form
        .days
        .trim()
        .parse()
        .ok()
        .filter(|d| (0..=3650).contains(d))
        .ok_or_else(|| AppError::invalid("Jours", "un nombre de jours (0 à 3650)"))?;
    let sent = state
        .db()
        .remind_stuck_companies(
            &Actor(user.login.clone()),
            id,
            days,
            &state.config().base_url,
        )
        .await?;
    Ok(Redirect::to(&format!("/programmes/{id}?days={days}&reminded={sent}")).into_response())
}

/// The employer's own participation as CSV: each step, its status and dates, each answer,
/// each comment.
pub async fn export_portal_participation(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let e = employer_establishment(&state, &user).await?;
    let (programme, participation) = state.db().find_journey(id, e.id).await?;
    let comments = state.db().list_programme_comments(participation.id).await?;
    let mut out = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(Vec::new());
    let internal = |e: csv::Error| AppError::Internal(e.to_string());
    out.write_record(["etape", "element", "valeur", "date"])
        .map_err(internal)?;
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    for ((definition, progress), index) in programme.steps.iter().zip(&participation.steps).zip(0..)
    {
        out.write_record([
            &definition.code,
            "statut",
            progress.status.code(),
            &date(progress.changed_on),
        ])
        .map_err(internal)?;
        for q in &definition.questions {
            if let Some(answer) = progress.answers.get(&q.id) {
                out.write_record([
                    &definition.code,
                    &q.label,
                    answer,
                    &date(progress.changed_on),
                ])
                .map_err(internal)?;
            }
        }
        for c in comments.iter().filter(|c| c.step == index) {
            out.write_record([
                definition.code.as_str(),
                &format!("commentaire ({})", c.side.label()),
                &c.content,
                &c.created_at.date_naive().to_string(),
            ])
            .map_err(internal)?;
        }
    }
    let bytes = out
        .into_inner()
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(super::file_response(
        "text/csv; charset=utf-8",
        "attachment",
        &format!("programme-{id}-{}.csv", e.siret),
        bytes,
    ))
}
