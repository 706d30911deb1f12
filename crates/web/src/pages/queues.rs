//! The assistants' queues: a team's (or one professional's) obligations in the order of the
//! priority schema, with filters and counts per rank; and the same as JSON.

use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::extract::{Query, State};
use axum::response::Response;
use domain::Role;
use domain::org::ProfessionalRole;
use domain::rules::{VISIT_KINDS, kind_label, subtype_label};
use serde_json::{Value, json};

use crate::auth::CurrentUser;
use crate::error::{ApiError, AppError};
use crate::layout::Layout;
use crate::services::queues::{HORIZON_DAYS, PAGE_SIZE, QueueParams, resolve_queue};
use crate::state::AppState;
use domain::french_date as french;

/// Roles that read the queues (they show workers by name).
pub const QUEUE_READERS: &[Role] = &[Role::Admin, Role::Doctor, Role::Nurse, Role::Assistant];

struct Row {
    rank: i32,
    worker_id: i64,
    worker: String,
    establishment_id: i64,
    establishment: String,
    visit: String,
    reference: String,
    earliest: String,
    due: String,
    overdue: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "queues/show.html")]
struct QueuePageView {
    layout: Layout,
    title: String,
    params: QueueParams,
    teams: Vec<(String, String)>,
    professionals: Vec<(String, String)>,
    centres: Vec<(String, String)>,
    kinds: Vec<(&'static str, &'static str)>,
    counts: Vec<(i32, i64, i64)>,
    total: i64,
    rows: Vec<Row>,
    horizon: i64,
    prev_link: Option<String>,
    next_link: Option<String>,
    error: Option<String>,
}

fn link(params: &QueueParams, page: i64) -> String {
    let page = page.to_string();
    let pairs = [
        ("team", params.team.as_str()),
        ("queue", params.queue.as_str()),
        ("professional", params.professional.as_str()),
        ("centre", params.centre.as_str()),
        ("siret", params.siret.as_str()),
        ("kind", params.kind.as_str()),
        ("overdue", params.overdue.as_str()),
        ("page", page.as_str()),
    ];
    let kept: Vec<(&str, &str)> = pairs.into_iter().filter(|(_, v)| !v.is_empty()).collect();
    format!(
        "/queues?{}",
        serde_urlencoded::to_string(kept).unwrap_or_default()
    )
}

pub async fn show_queue(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
    Query(mut params): Query<QueueParams>,
) -> Result<Response, AppError> {
    let db = state.db();
    let teams = db.list_teams().await?;
    let professionals = db.list_professionals().await?;
    let centres = db.list_centres().await?;
    let mut view = QueuePageView {
        layout,
        title: "File d'attente".into(),
        params: QueueParams::default(),
        teams: teams
            .iter()
            .map(|t| (t.code.clone(), t.name.clone()))
            .collect(),
        professionals: professionals
            .iter()
            .filter(|p| matches!(p.role, ProfessionalRole::Doctor | ProfessionalRole::Nurse))
            .map(|p| {
                (
                    p.id.0.to_string(),
                    format!("{} {} ({})", p.first_name, p.last_name, p.role.label()),
                )
            })
            .collect(),
        centres: centres
            .iter()
            .map(|c| (c.code.clone(), c.name.clone()))
            .collect(),
        kinds: VISIT_KINDS[..VISIT_KINDS.len() - 1]
            .iter()
            .map(|k| (*k, kind_label(k)))
            .collect(),
        counts: Vec::new(),
        total: 0,
        rows: Vec::new(),
        horizon: HORIZON_DAYS,
        prev_link: None,
        next_link: None,
        error: None,
    };
    let resolved = match resolve_queue(&state, &user, &params).await {
        Ok(resolved) => resolved,
        Err(err @ AppError::Invalid { .. }) => {
            view.error = Some(err.detail());
            view.params = params;
            return Ok(super::form_response(view, true));
        }
        Err(other) => return Err(other),
    };
    let page = db.list_queue(&resolved.query).await?;
    // The form shows what was resolved (the default team and queue included).
    params.team = resolved.team.code.clone();
    params.queue = resolved.query.queue.code().into();
    view.title = match &resolved.professional {
        Some(p) => format!("File de {} {}", p.first_name, p.last_name),
        None => format!(
            "File {} — {}",
            resolved.query.queue.label(),
            resolved.team.name
        ),
    };
    view.counts = page
        .counts
        .iter()
        .map(|c| (c.rank, c.count, c.overdue))
        .collect();
    view.total = page.total;
    view.rows = page
        .rows
        .into_iter()
        .map(|r| Row {
            rank: r.rank,
            worker_id: r.worker_id,
            worker: r.worker_name,
            establishment_id: r.establishment_id,
            establishment: r.establishment,
            visit: match subtype_label(&r.subtype) {
                "" => kind_label(&r.kind).to_string(),
                subtype => format!("{} ({subtype})", kind_label(&r.kind)),
            },
            reference: r.reference,
            earliest: french(r.earliest),
            due: r.due.map(french).unwrap_or_else(|| "sans délai".into()),
            overdue: r.overdue,
        })
        .collect();
    if resolved.page > 1 {
        view.prev_link = Some(link(&params, resolved.page - 1));
    }
    if resolved.page * PAGE_SIZE < page.total {
        view.next_link = Some(link(&params, resolved.page + 1));
    }
    view.params = params;
    Ok(super::form_response(view, false))
}

/// `GET /api/v1/queues`: the same queue as JSON.
pub async fn api_queue(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(params): Query<QueueParams>,
) -> Result<Json<Value>, ApiError> {
    let resolved = resolve_queue(&state, &user, &params).await?;
    let page = state.db().list_queue(&resolved.query).await?;
    Ok(Json(json!({
        "team": resolved.team.code,
        "queue": resolved.query.queue,
        "professional": resolved.professional.map(|p| p.id),
        "until": resolved.query.until,
        "page": resolved.page,
        "per_page": PAGE_SIZE,
        "total": page.total,
        "counts": page.counts,
        "rows": page.rows,
    })))
}
