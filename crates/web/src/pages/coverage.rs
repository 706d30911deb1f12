//! The FE coverage plan of the service: establishments without a fiche, with one older than
//! 4 years, new members to cover within their first year; per team and per preventer, as a
//! page and as JSON.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use domain::Role;
use domain::org::ProfessionalRole;
use serde::Deserialize;
use store::CoverageRow;

use crate::error::{ApiError, AppError};
use crate::layout::Layout;
use crate::services::today;
use crate::state::AppState;

/// Who follows the coverage plan.
pub const COVERAGE_READERS: &[Role] = &[
    Role::Admin,
    Role::Director,
    Role::Preventer,
    Role::Doctor,
    Role::Assistant,
];

#[derive(Debug, Default, Deserialize)]
pub struct CoverageParams {
    #[serde(default)]
    team: String,
    /// A preventer's professional id: the establishments of their team(s).
    #[serde(default)]
    preventer: String,
}

/// A preventer's share of the plan: what is missing, outdated, new, and the earliest due date.
struct PreventerLoad {
    id: i64,
    name: String,
    missing: usize,
    outdated: usize,
    new_member: usize,
    first_due: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "fiches/coverage.html")]
struct CoveragePage {
    layout: Layout,
    team: String,
    preventer: Option<i64>,
    teams: Vec<(String, String)>,
    loads: Vec<PreventerLoad>,
    rows: Vec<CoverageRow>,
}

/// The plan for the chosen team, and the chosen preventer's part of it.
async fn coverage(
    state: &AppState,
    params: &CoverageParams,
) -> Result<(Vec<CoverageRow>, Option<i64>), AppError> {
    let db = state.db();
    let team = params.team.trim();
    if !team.is_empty() && !db.list_teams().await?.iter().any(|t| t.code == team) {
        return Err(AppError::invalid(
            "Équipe",
            format!("code « {team} » inconnu"),
        ));
    }
    let preventer = match params.preventer.trim() {
        "" => None,
        id => {
            let unknown = || AppError::invalid("Préventeur", format!("« {id} » inconnu"));
            let id: i64 = id.parse().map_err(|_| unknown())?;
            let known = db
                .list_professionals()
                .await?
                .iter()
                .any(|p| p.id.0 == id && p.role == ProfessionalRole::Preventer);
            if !known {
                return Err(unknown());
            }
            Some(id)
        }
    };
    let rows = db
        .list_fe_coverage(today(), (!team.is_empty()).then_some(team))
        .await?;
    Ok((rows, preventer))
}

fn preventer_loads(rows: &[CoverageRow]) -> Vec<PreventerLoad> {
    let mut loads: BTreeMap<(String, i64), PreventerLoad> = BTreeMap::new();
    for row in rows {
        let names = row.preventers.split(", ");
        for (id, name) in row.preventer_ids.iter().zip(names) {
            let load = loads
                .entry((name.to_string(), *id))
                .or_insert_with(|| PreventerLoad {
                    id: *id,
                    name: name.to_string(),
                    missing: 0,
                    outdated: 0,
                    new_member: 0,
                    first_due: String::new(),
                });
            match row.gap {
                "missing" => load.missing += 1,
                "outdated" => load.outdated += 1,
                _ => load.new_member += 1,
            }
            // Rows come most overdue first: the first one seen is the earliest due date.
            if load.first_due.is_empty() {
                load.first_due = domain::french_date(row.due);
            }
        }
    }
    loads.into_values().collect()
}

pub async fn show_coverage(
    State(state): State<AppState>,
    layout: Layout,
    Query(params): Query<CoverageParams>,
) -> Result<Response, AppError> {
    let (mut rows, preventer) = coverage(&state, &params).await?;
    let loads = preventer_loads(&rows);
    if let Some(id) = preventer {
        rows.retain(|r| r.preventer_ids.contains(&id));
    }
    Ok(CoveragePage {
        layout,
        team: params.team.trim().to_string(),
        preventer,
        teams: state
            .db()
            .list_teams()
            .await?
            .into_iter()
            .map(|t| (t.code, t.name))
            .collect(),
        loads,
        rows,
    }
    .into_response())
}

pub async fn api_coverage(
    State(state): State<AppState>,
    Query(params): Query<CoverageParams>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let (mut rows, preventer) = coverage(&state, &params).await?;
    if let Some(id) = preventer {
        rows.retain(|r| r.preventer_ids.contains(&id));
    }
    Ok(Json(serde_json::json!({
        "date": today(),
        "count": rows.len(),
        "establishments": rows,
    })))
}
