//! Actions on the work site: an establishment's page lists them and records a new one (with
//! its report); a preventer's page lists their plan.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Response};
use domain::prevention::{ACTION_TYPES, NewAction, action_label};
use store::{Actor, WorkplaceAction};

use super::fiches::FE_WRITERS;
use super::members::parse_id;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::layout::Layout;
use crate::services::{parse_date, today};
use crate::state::AppState;

struct ActionRow {
    id: i64,
    date: String,
    kind: &'static str,
    title: String,
    establishment_id: i64,
    establishment: String,
    concerned: String,
    measurements: String,
    author: String,
    has_report: bool,
}

fn rows(actions: Vec<WorkplaceAction>) -> Vec<ActionRow> {
    actions
        .into_iter()
        .map(|a| ActionRow {
            id: a.id,
            date: a.date.format("%d/%m/%Y").to_string(),
            kind: action_label(&a.kind),
            title: a.title,
            establishment_id: a.establishment_id,
            establishment: a.establishment_name,
            concerned: match (a.worker_name, a.workers) {
                (Some(name), _) => name,
                (None, Some(n)) => format!("{n} salarié(s)"),
                (None, None) => String::new(),
            },
            measurements: a.measurements,
            author: a.author,
            has_report: a.has_report,
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "actions/establishment.html")]
struct EstablishmentActionsPage {
    layout: Layout,
    establishment_id: i64,
    establishment: String,
    rows: Vec<ActionRow>,
    types: &'static [(&'static str, &'static str)],
    workers: Vec<(i64, String)>,
    can_write: bool,
    error: Option<String>,
}

async fn establishment_page(
    state: &AppState,
    user: &domain::authz::Principal,
    layout: Layout,
    id: i64,
    error: Option<String>,
) -> Result<Response, AppError> {
    let db = state.db();
    let establishment = db.find_establishment(id).await?;
    let workers = db
        .list_establishment_workers(id, today())
        .await?
        .into_iter()
        .map(|(worker, name, job)| (worker, format!("{name} — {job}")))
        .collect();
    let failed = error.is_some();
    let page = EstablishmentActionsPage {
        layout,
        establishment_id: id,
        establishment: establishment.name,
        rows: rows(db.list_establishment_actions(id).await?),
        types: &ACTION_TYPES,
        workers,
        can_write: FE_WRITERS.contains(&user.role),
        error,
    };
    Ok(super::form_response(page, failed))
}

pub async fn list_establishment_actions(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    establishment_page(&state, &user, layout, parse_id(&id)?, None).await
}

/// Records an action from the establishment's page (a multipart form: the report is a file).
pub async fn add_action(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
    Path(id): Path<String>,
    mut form: Multipart,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    state.db().find_establishment(id).await?;
    let mut fields = std::collections::HashMap::new();
    let mut report = Vec::new();
    let malformed = || AppError::invalid("Formulaire", "envoi mal formé");
    while let Some(field) = form.next_field().await.map_err(|_| malformed())? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "report" {
            report = field.bytes().await.map_err(|_| malformed())?.to_vec();
        } else {
            fields.insert(name, field.text().await.map_err(|_| malformed())?);
        }
    }
    let text = |name: &str| fields.get(name).map_or("", |v| v.trim()).to_string();
    let result = async {
        let action = NewAction {
            date: parse_date("Date", &text("date"))?,
            kind: text("type"),
            title: text("title"),
            worker_id: match text("worker").as_str() {
                "" => None,
                w => Some(parse_id(w)?),
            },
            workers: match text("workers").as_str() {
                "" => None,
                n => Some(
                    n.parse()
                        .map_err(|_| AppError::invalid("Salariés concernés", "un nombre"))?,
                ),
            },
            measurements: text("measurements"),
        };
        state
            .db()
            .add_workplace_action(
                &Actor(user.login.clone()),
                id,
                &action,
                (!report.is_empty()).then_some(report.as_slice()),
            )
            .await?;
        Ok::<_, AppError>(())
    }
    .await;
    super::redirect_or_show(
        result,
        &format!("/establishments/{id}/actions"),
        |message| establishment_page(&state, &user, layout, id, Some(message)),
    )
    .await
}

pub async fn download_report(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (media_type, bytes) = state.db().workplace_action_report(parse_id(&id)?).await?;
    Ok(([(axum::http::header::CONTENT_TYPE, media_type)], bytes).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "actions/plan.html")]
struct PlanPage {
    layout: Layout,
    rows: Vec<ActionRow>,
}

/// The user's actions from 3 months ago on: what they did and what they planned.
pub async fn show_plan(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
) -> Result<Response, AppError> {
    let from = today() - chrono::Duration::days(92);
    let actions = state.db().list_author_actions(&user.login, from).await?;
    Ok(PlanPage {
        layout,
        rows: rows(actions),
    }
    .into_response())
}
