//! The indicators for the web: who sees which scope (directors everything, a team's doctor
//! and nurse their team and their own figures), the tables cached per year, scope and data
//! version, and the targets the dashboard compares with.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use domain::Role;
use domain::authz::Principal;
use kpi::{Scope, Table};

use crate::error::AppError;
use crate::state::AppState;

/// The year and scope (team, sector) tables are computed for.
type CacheKey = (i32, Option<String>, Option<String>);

/// The data version and the tables computed at it.
type CachedTables = (i64, Arc<Vec<Table>>);

/// Tables computed for a year and scope, with the data version they were computed at.
#[derive(Default)]
pub struct IndicatorCache {
    entries: Mutex<HashMap<CacheKey, CachedTables>>,
}

/// The targets of the multi-year plan the dashboard compares with (settings).
#[derive(Debug, Clone, Copy)]
pub struct Targets {
    pub no_show_rate: f64,
    pub fe_coverage: f64,
}

impl Targets {
    /// `SPSTI_TARGET_NO_SHOW_RATE` (5 %) and `SPSTI_TARGET_FE_COVERAGE` (100 %).
    pub fn from_env() -> Targets {
        let read = |name: &str, default: f64| {
            std::env::var(name)
                .ok()
                .and_then(|v| v.replace(',', ".").parse().ok())
                .unwrap_or(default)
        };
        Targets {
            no_show_rate: read("SPSTI_TARGET_NO_SHOW_RATE", 5.0),
            fe_coverage: read("SPSTI_TARGET_FE_COVERAGE", 100.0),
        }
    }
}

/// What a user may see of the indicators.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub scope: Scope,
    /// A doctor's or nurse's own professional reference (their own figures).
    pub professional: Option<String>,
    pub director: bool,
}

pub async fn viewer(
    state: &AppState,
    user: &Principal,
    team: &str,
    sector: &str,
) -> Result<Viewer, AppError> {
    if user.role == Role::Director {
        return Ok(Viewer {
            scope: Scope {
                team: (!team.trim().is_empty()).then(|| team.trim().to_string()),
                sector: (!sector.trim().is_empty()).then(|| sector.trim().to_string()),
            },
            professional: None,
            director: true,
        });
    }
    let db = state.db();
    let account = db
        .find_user_by_login(&user.login)
        .await?
        .ok_or(AppError::NotFound)?;
    let team = db
        .list_teams()
        .await?
        .into_iter()
        .find(|t| Some(t.id) == account.team)
        .ok_or_else(|| {
            // A conflict, not a refusal: the role may read indicators once linked to a team.
            AppError::Conflict(
                "Indicateurs : votre compte n'est rattaché à aucune équipe ; demandez à l'administrateur de le lier à votre fiche de professionnel".into(),
            )
        })?;
    let professional = match account.professional_id {
        Some(id) => db
            .list_professionals()
            .await?
            .into_iter()
            .find(|p| p.id == id)
            .map(|p| p.reference),
        None => None,
    };
    Ok(Viewer {
        scope: Scope {
            team: Some(team.code),
            sector: None,
        },
        professional,
        director: false,
    })
}

/// The tables of a year for a scope, computed once per data version.
pub async fn tables(
    state: &AppState,
    year: i32,
    scope: &Scope,
) -> Result<Arc<Vec<Table>>, AppError> {
    let version = state.db().data_version().await?;
    let key = (year, scope.team.clone(), scope.sector.clone());
    if let Some((at, tables)) = state
        .indicators()
        .entries
        .lock()
        .expect("cache lock")
        .get(&key)
        && *at == version
    {
        return Ok(tables.clone());
    }
    let facts = state.db().load_indicator_facts(year).await?;
    let scope_for_task = scope.clone();
    let computed =
        tokio::task::spawn_blocking(move || kpi::compute_tables(&facts, year, &scope_for_task))
            .await
            .map_err(|e| AppError::Internal(format!("indicator task: {e}")))?
            .map_err(|e| match e {
                kpi::KpiError::Invalid(message) => AppError::Invalid {
                    field: None,
                    message,
                },
                other => AppError::Internal(other.to_string()),
            })?;
    let tables = Arc::new(computed);
    state
        .indicators()
        .entries
        .lock()
        .expect("cache lock")
        .insert(key, (version, tables.clone()));
    Ok(tables)
}

/// A doctor or nurse sees their own line of the per-professional table only.
pub fn visible(viewer: &Viewer, table: &Table) -> Table {
    let mut table = table.clone();
    if table.id == "K4_professional" && !viewer.director {
        let own = viewer.professional.clone().unwrap_or_default();
        table.records.retain(|r| {
            r.iter()
                .any(|(f, c)| *f == "professional" && matches!(c, kpi::Cell::Text(t) if *t == own))
        });
    }
    table
}
