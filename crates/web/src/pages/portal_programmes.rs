//! The employer's side of a prevention programme: its profile (the gate of the journey),
//! then step by step, answers saved and submitted; what the service validated or sent back
//! and why. Every lookup goes through the account's establishment: another company's
//! participation answers 404.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use domain::prevention::programmes::{QuestionKind, StepStatus, check_step_open};
use serde::Deserialize;
use store::{Actor, Participation, Programme};

use super::ValidForm;
use super::declarations::employer_establishment;
use super::members::parse_id;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::layout::Layout;
use crate::state::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "portal/programmes.html")]
struct ListPage {
    layout: Layout,
    programmes: Vec<(i64, String, String)>,
}

pub async fn list_portal_programmes(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
) -> Result<Response, AppError> {
    let e = employer_establishment(&state, &user).await?;
    let programmes = state
        .db()
        .list_establishment_programmes(e.id)
        .await?
        .into_iter()
        .map(|p| (p.id, p.name, p.theme))
        .collect();
    Ok(ListPage { layout, programmes }.into_response())
}

struct QuestionView {
    id: String,
    label: String,
    kind: &'static str,
    options: Vec<String>,
    value: String,
}

struct StepView {
    index: usize,
    /// (side, author, date, text).
    comments: Vec<(&'static str, String, String, String)>,
    /// (id, file name).
    attachments: Vec<(i64, String)>,
    code: String,
    title: String,
    status: String,
    review_comment: String,
    answers: Vec<(String, String)>,
    /// The questions, when the company may work on this step now.
    form: Option<Vec<QuestionView>>,
}

#[derive(Template, WebTemplate)]
#[template(path = "portal/journey.html")]
struct JourneyPage {
    layout: Layout,
    programme_id: i64,
    programme: String,
    headcount: String,
    profile_missing: String,
    steps: Vec<StepView>,
    error: Option<String>,
}

fn kind_code(kind: QuestionKind) -> &'static str {
    match kind {
        QuestionKind::Text | QuestionKind::File => "text",
        QuestionKind::YesNo => "yes_no",
        QuestionKind::Number => "number",
        QuestionKind::Date => "date",
        QuestionKind::Choice => "choice",
    }
}

/// The comments of each step: (side, author, date, text).
pub(crate) fn comments_of(
    comments: &[store::ProgrammeComment],
    step: usize,
) -> Vec<(&'static str, String, String, String)> {
    comments
        .iter()
        .filter(|c| c.step == step)
        .map(|c| {
            (
                c.side.label(),
                c.author.clone(),
                domain::french_date(c.created_at.date_naive()),
                c.content.clone(),
            )
        })
        .collect()
}

/// The attachments of each step: (id, file name).
pub(crate) fn attachments_of(
    attachments: &[store::ProgrammeAttachment],
    step: usize,
) -> Vec<(i64, String)> {
    attachments
        .iter()
        .filter(|a| a.step == step)
        .map(|a| (a.id, a.file_name.clone()))
        .collect()
}

fn step_views(
    programme: &Programme,
    participation: &Participation,
    comments: &[store::ProgrammeComment],
    attachments: &[store::ProgrammeAttachment],
) -> Vec<StepView> {
    let statuses = participation.statuses();
    let missing = participation.profile_missing();
    programme
        .steps
        .iter()
        .zip(&participation.steps)
        .enumerate()
        .map(|(index, (definition, progress))| {
            let open = check_step_open(&programme.steps, &statuses, index, &missing).is_ok()
                && progress.status != StepStatus::Validated;
            StepView {
                index,
                comments: comments_of(comments, index),
                attachments: attachments_of(attachments, index),
                code: definition.code.clone(),
                title: definition.title.clone(),
                status: progress.status.label().to_string(),
                review_comment: progress.review_comment.clone(),
                answers: definition
                    .questions
                    .iter()
                    .filter_map(|q| Some((q.label.clone(), progress.answers.get(&q.id)?.clone())))
                    .collect(),
                form: open.then(|| {
                    definition
                        .questions
                        .iter()
                        .map(|q| QuestionView {
                            id: q.id.clone(),
                            label: q.label.clone(),
                            kind: kind_code(q.kind),
                            options: q.options.clone(),
                            value: progress.answers.get(&q.id).cloned().unwrap_or_default(),
                        })
                        .collect()
                }),
            }
        })
        .collect()
}

pub(crate) async fn journey_page(
    state: &AppState,
    user: &domain::authz::Principal,
    layout: Layout,
    programme_id: i64,
    error: Option<String>,
) -> Result<Response, AppError> {
    let e = employer_establishment(state, user).await?;
    let (programme, participation) = state.db().find_journey(programme_id, e.id).await?;
    let comments = state.db().list_programme_comments(participation.id).await?;
    let attachments = state
        .db()
        .list_programme_attachments(participation.id)
        .await?;
    let page = JourneyPage {
        layout,
        programme_id,
        headcount: participation
            .headcount
            .map(|h| h.to_string())
            .unwrap_or_default(),
        profile_missing: participation.profile_missing().join(", "),
        steps: step_views(&programme, &participation, &comments, &attachments),
        programme: programme.name,
        error,
    };
    let failed = page.error.is_some();
    Ok(super::form_response(page, failed))
}

pub async fn show_journey(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    journey_page(&state, &user, layout, parse_id(&id)?, None).await
}

#[derive(Deserialize)]
pub struct ProfileForm {
    headcount: String,
}

pub async fn save_profile(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
    Path(id): Path<String>,
    ValidForm(form): ValidForm<ProfileForm>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let e = employer_establishment(&state, &user).await?;
    let participation = state.db().find_participation(id, e.id).await?;
    let result = async {
        let headcount: i32 = form
            .headcount
            .trim()
            .parse()
            .map_err(|_| AppError::invalid("Effectif", "un nombre de salariés"))?;
        state
            .db()
            .set_programme_headcount(&Actor(user.login.clone()), participation.id, headcount)
            .await?;
        Ok(())
    }
    .await;
    super::redirect_or_show(result, &format!("/portal/programmes/{id}"), |message| {
        journey_page(&state, &user, layout, id, Some(message))
    })
    .await
}

/// Saves the answers of a step (`action=submit` also submits it). Answers come as
/// `q_<question id>` fields.
pub async fn save_step(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
    Path((id, step)): Path<(String, String)>,
    ValidForm(form): ValidForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let step: usize = step.parse().map_err(|_| AppError::NotFound)?;
    let e = employer_establishment(&state, &user).await?;
    let submit = form.iter().any(|(k, v)| k == "action" && v == "submit");
    let answers: Vec<(String, String)> = form
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("q_")?.to_string(), v.clone())))
        .collect();
    let result = state
        .db()
        .save_step_answers(
            &Actor(user.login.clone()),
            store::StepRef {
                programme_id: id,
                establishment_id: e.id,
                step,
            },
            &answers,
            submit,
        )
        .await
        .map(|_| ())
        .map_err(AppError::from);
    super::redirect_or_show(result, &format!("/portal/programmes/{id}"), |message| {
        journey_page(&state, &user, layout, id, Some(message))
    })
    .await
}
