//! Actions on the work site: an establishment's page lists them and records a new one (with
//! its report); a preventer's page lists their plan.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Response};
use domain::french_date;
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
    /// What an individual study serves: (PDP case id, inaptitude procedure).
    pdp_case_id: Option<i64>,
    inaptitude_procedure: bool,
    planned: bool,
}

fn rows(actions: Vec<WorkplaceAction>) -> Vec<ActionRow> {
    let today = today();
    actions
        .into_iter()
        .map(|a| ActionRow {
            planned: a.date > today,
            id: a.id,
            date: french_date(a.date),
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
            pdp_case_id: a.pdp_case_id,
            inaptitude_procedure: a.inaptitude_procedure,
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
    /// (id, version, state, finalised on, delivered on).
    fiches: Vec<(i64, i32, &'static str, String, String)>,
    /// (date, title, place).
    sessions: Vec<(String, String, String)>,
    types: &'static [(&'static str, &'static str)],
    workers: Vec<(i64, String)>,
    /// Open PDP cases of the establishment's workers: (case id, worker name).
    pdp_cases: Vec<(i64, String)>,
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
    let fiches = db
        .list_risk_sheets(id)
        .await?
        .into_iter()
        .map(|s| {
            (
                s.id,
                s.version,
                s.state.label(),
                s.finalised_on.map(french_date).unwrap_or_default(),
                s.delivered_on.map(french_date).unwrap_or_default(),
            )
        })
        .collect();
    let sessions = db
        .list_establishment_planned_sessions(id, today())
        .await?
        .into_iter()
        .map(|s| (french_date(s.date), s.title, s.place))
        .collect();
    let pdp_cases = db
        .list_establishment_open_pdp_cases(id)
        .await?
        .into_iter()
        .map(|c| (c.id, c.worker_name))
        .collect();
    let failed = error.is_some();
    let page = EstablishmentActionsPage {
        layout,
        establishment_id: id,
        establishment: establishment.name,
        rows: rows(db.list_establishment_actions(id).await?),
        fiches,
        sessions,
        types: &ACTION_TYPES,
        workers,
        pdp_cases,
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
            pdp_case_id: match text("pdp_case").as_str() {
                "" => None,
                case => Some(parse_id(case)?),
            },
            inaptitude_procedure: text("inaptitude_procedure") == "on",
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
    planned: Vec<ActionRow>,
    done: Vec<ActionRow>,
    /// The user's team (code, name) and the number of its establishments whose FE is due.
    team_coverage: Option<(String, String, usize)>,
}

/// The user's actions from 3 months ago on (what they did and what they planned), and the
/// fiches their team has to write.
pub async fn show_plan(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
) -> Result<Response, AppError> {
    let from = today() - chrono::Duration::days(92);
    let db = state.db();
    let (planned, done) = rows(db.list_author_actions(&user.login, from).await?)
        .into_iter()
        .partition(|a| a.planned);
    let team = db
        .list_teams()
        .await?
        .into_iter()
        .find(|t| Some(t.id) == user.team);
    let team_coverage = match team {
        Some(team) => {
            let due = db.list_fe_coverage(today(), Some(&team.code)).await?.len();
            Some((team.code, team.name, due))
        }
        None => None,
    };
    Ok(PlanPage {
        layout,
        planned,
        done,
        team_coverage,
    }
    .into_response())
}
