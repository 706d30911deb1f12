//! The planner from a page: a team's period planned from its obligations and free slots;
//! the assistant reviews the proposal (counts per rank, the unplaced with their reason),
//! leaves out what she wants, and confirms: appointments and convocations in one transaction.

use std::collections::{BTreeMap, HashMap, HashSet};

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use domain::Role;
use domain::planner::{Plan, solve};
use domain::rules::kind_label;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use store::{Actor, PlanningData, RequestFacts, SlotFacts};

use super::ValidForm;
use crate::error::AppError;
use crate::layout::Layout;
use crate::services::{parse_date, today};
use crate::state::AppState;

/// Who plans the agendas.
pub const PLANNERS: &[Role] = &[Role::Admin, Role::Assistant];

#[derive(Debug, Clone, Default, Deserialize)]
pub struct PlannerParams {
    #[serde(default)]
    team: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    notice: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct ConfirmForm {
    team: String,
    from: String,
    to: String,
    notice: String,
    fingerprint: String,
    /// Placements ("slot:request") the assistant left out.
    #[serde(default)]
    drop: Vec<String>,
}

struct PlacementRow {
    key: String,
    rank: u8,
    day: String,
    time: String,
    professional: String,
    worker_id: i64,
    visit: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "planner/show.html")]
struct PlannerPage {
    layout: Layout,
    params: PlannerParams,
    teams: Vec<(String, String)>,
    proposal: bool,
    slots: usize,
    requests: usize,
    counts: Vec<(u8, usize)>,
    placements: Vec<PlacementRow>,
    reasons: Vec<(String, usize)>,
    unplaced: Vec<(i64, u8, String, String)>,
    fingerprint: String,
    notice: Option<String>,
    error: Option<String>,
}

struct Period {
    team_id: i64,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
    notice_days: u32,
}

async fn period(
    state: &AppState,
    team: &str,
    from: &str,
    to: &str,
    notice: &str,
) -> Result<Period, AppError> {
    let team_id = state
        .db()
        .list_teams()
        .await?
        .into_iter()
        .find(|t| t.code == team.trim())
        .ok_or_else(|| AppError::invalid("Équipe", "à choisir dans la liste"))?
        .id
        .0;
    let from = parse_date("Du", from)?;
    let to = parse_date("Au", to)?;
    if to < from {
        return Err(AppError::invalid("Au", "antérieur au début de la période"));
    }
    if (to - from).num_days() > 92 {
        return Err(AppError::invalid("Au", "une période de trois mois au plus"));
    }
    let notice_days = if notice.trim().is_empty() {
        7
    } else {
        notice
            .trim()
            .parse()
            .ok()
            .filter(|n: &u32| *n <= 60)
            .ok_or_else(|| {
                AppError::invalid("Délai de convocation", "un nombre de jours entre 0 et 60")
            })?
    };
    Ok(Period {
        team_id,
        from,
        to,
        notice_days,
    })
}

/// A proposal's identity: the placements, so that a confirmation books what was reviewed.
fn fingerprint(plan: &Plan) -> String {
    let mut hasher = Sha256::new();
    for p in &plan.placements {
        hasher.update(p.slot.as_bytes());
        hasher.update(b":");
        hasher.update(p.request.as_bytes());
        hasher.update(b"\n");
    }
    hex::encode(&hasher.finalize()[..12])
}

async fn propose(state: &AppState, period: &Period) -> Result<(PlanningData, Plan), AppError> {
    let data = state
        .db()
        .planning_data(
            period.team_id,
            period.from,
            period.to,
            today(),
            period.notice_days,
        )
        .await?;
    let plan = solve(&data.problem).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((data, plan))
}

async fn teams(state: &AppState) -> Result<Vec<(String, String)>, AppError> {
    Ok(state
        .db()
        .list_teams()
        .await?
        .into_iter()
        .map(|t| (t.code, t.name))
        .collect())
}

fn render_proposal(
    page: &mut PlannerPage,
    data: &PlanningData,
    plan: &Plan,
    names: &HashMap<i64, String>,
) {
    let rank_of: HashMap<&str, u8> = data
        .problem
        .requests
        .iter()
        .map(|r| (r.id.as_str(), r.rank))
        .collect();
    let mut counts = BTreeMap::new();
    page.placements = plan
        .placements
        .iter()
        .map(|p| {
            let rank = rank_of[p.request.as_str()];
            *counts.entry(rank).or_insert(0) += 1;
            let slot = &data.slots[&p.slot];
            let request = &data.requests[&p.request];
            PlacementRow {
                key: format!("{}:{}", p.slot, p.request),
                rank,
                day: crate::services::agenda::french_day(slot.date),
                time: slot.time.clone(),
                professional: names
                    .get(&slot.professional_id)
                    .cloned()
                    .unwrap_or_default(),
                worker_id: request.worker_id,
                visit: kind_label(&request.kind).into(),
            }
        })
        .collect();
    page.counts = counts.into_iter().collect();
    let mut reasons = BTreeMap::new();
    for u in &plan.unplaced {
        *reasons.entry(u.reason.clone()).or_insert(0) += 1;
    }
    page.reasons = reasons.into_iter().collect();
    page.unplaced = plan
        .unplaced
        .iter()
        .take(200)
        .map(|u| {
            let request = &data.requests[&u.request];
            (
                request.worker_id,
                rank_of[u.request.as_str()],
                kind_label(&request.kind).to_string(),
                u.reason.clone(),
            )
        })
        .collect();
    page.slots = data.problem.slots.len();
    page.requests = data.problem.requests.len();
    page.fingerprint = fingerprint(plan);
    page.proposal = true;
}

async fn professional_names(state: &AppState) -> Result<HashMap<i64, String>, AppError> {
    Ok(state
        .db()
        .list_professionals()
        .await?
        .into_iter()
        .map(|p| (p.id.0, format!("{} {}", p.first_name, p.last_name)))
        .collect())
}

fn empty_page(layout: Layout, params: PlannerParams, teams: Vec<(String, String)>) -> PlannerPage {
    PlannerPage {
        layout,
        params,
        teams,
        proposal: false,
        slots: 0,
        requests: 0,
        counts: Vec::new(),
        placements: Vec::new(),
        reasons: Vec::new(),
        unplaced: Vec::new(),
        fingerprint: String::new(),
        notice: None,
        error: None,
    }
}

pub async fn show_planner(
    State(state): State<AppState>,
    layout: Layout,
    Query(params): Query<PlannerParams>,
) -> Result<Response, AppError> {
    let mut page = empty_page(layout, params.clone(), teams(&state).await?);
    if params.team.is_empty() {
        return Ok(page.into_response());
    }
    let period = match period(
        &state,
        &params.team,
        &params.from,
        &params.to,
        &params.notice,
    )
    .await
    {
        Ok(period) => period,
        Err(err @ AppError::Invalid { .. }) => {
            page.error = Some(err.detail());
            return Ok(super::form_response(page, true));
        }
        Err(other) => return Err(other),
    };
    let (data, plan) = propose(&state, &period).await?;
    render_proposal(&mut page, &data, &plan, &professional_names(&state).await?);
    Ok(page.into_response())
}

pub async fn confirm_plan(
    State(state): State<AppState>,
    crate::auth::CurrentUser(user): crate::auth::CurrentUser,
    layout: Layout,
    ValidForm(form): ValidForm<ConfirmForm>,
) -> Result<Response, AppError> {
    let params = PlannerParams {
        team: form.team.clone(),
        from: form.from.clone(),
        to: form.to.clone(),
        notice: form.notice.clone(),
    };
    let period = period(&state, &form.team, &form.from, &form.to, &form.notice).await?;
    let (data, plan) = propose(&state, &period).await?;
    let mut page = empty_page(layout, params, teams(&state).await?);
    let names = professional_names(&state).await?;
    if fingerprint(&plan) != form.fingerprint.trim() {
        render_proposal(&mut page, &data, &plan, &names);
        page.error = Some(
            "La proposition a changé depuis son affichage (rendez-vous ou créneaux modifiés) : vérifiez celle-ci puis confirmez de nouveau."
                .into(),
        );
        return Ok(super::form_response(page, true));
    }
    let dropped: HashSet<&str> = form.drop.iter().map(String::as_str).collect();
    let bookings: Vec<(SlotFacts, RequestFacts)> = plan
        .placements
        .iter()
        .filter(|p| !dropped.contains(format!("{}:{}", p.slot, p.request).as_str()))
        .map(|p| {
            (
                data.slots[&p.slot].clone(),
                data.requests[&p.request].clone(),
            )
        })
        .collect();
    let booked = state
        .db()
        .book_plan(
            &Actor(user.login.clone()),
            &bookings,
            &state.message_context(),
        )
        .await?;
    page.notice = Some(format!(
        "{booked} rendez-vous réservés ; les convocations partent par la file d'envoi ({} laissé(s) de côté).",
        dropped.len()
    ));
    Ok(page.into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "planner/durations.html")]
struct DurationsPage {
    layout: Layout,
    rows: Vec<(&'static str, &'static str, u32)>,
    notice: Option<String>,
    error: Option<String>,
}

async fn durations_page(
    state: &AppState,
    layout: Layout,
    notice: Option<String>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let rows = state
        .db()
        .visit_durations()
        .await?
        .into_iter()
        .map(|(kind, minutes)| (kind, kind_label(kind), minutes))
        .collect();
    let failed = error.is_some();
    Ok(super::form_response(
        DurationsPage {
            layout,
            rows,
            notice,
            error,
        },
        failed,
    ))
}

/// The duration of each visit kind, which the planner reads (admin).
pub async fn show_durations(
    State(state): State<AppState>,
    layout: Layout,
) -> Result<Response, AppError> {
    durations_page(&state, layout, None, None).await
}

pub async fn set_durations(
    State(state): State<AppState>,
    crate::auth::CurrentUser(user): crate::auth::CurrentUser,
    layout: Layout,
    ValidForm(form): ValidForm<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let mut durations = Vec::new();
    for (field, value) in &form {
        let Some(kind) = field.strip_prefix("minutes_") else {
            continue;
        };
        let Ok(minutes) = value.trim().parse::<u32>() else {
            let message = format!("Durée ({}) : un nombre de minutes", kind_label(kind));
            return durations_page(&state, layout, None, Some(message)).await;
        };
        durations.push((kind.to_string(), minutes));
    }
    match state
        .db()
        .set_visit_durations(&Actor(user.login.clone()), &durations)
        .await
    {
        Ok(()) => durations_page(&state, layout, Some("Durées enregistrées".into()), None).await,
        Err(store::StoreError::Invalid(message)) => {
            durations_page(&state, layout, None, Some(message)).await
        }
        Err(other) => Err(other.into()),
    }
}
