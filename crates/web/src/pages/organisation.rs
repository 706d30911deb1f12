//! The organisation of the service, for its staff.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use domain::org::{Centre, Sector};

use crate::error::AppError;
use crate::layout::Layout;
use crate::state::AppState;

pub struct TeamRow {
    pub code: String,
    pub name: String,
    pub sector: String,
    pub members: usize,
}

pub struct ProfessionalRow {
    pub name: String,
    pub role: &'static str,
    pub team: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "organisation.html")]
struct OrganisationPage {
    layout: Layout,
    sectors: Vec<Sector>,
    centres: Vec<Centre>,
    teams: Vec<TeamRow>,
    professionals: Vec<ProfessionalRow>,
}

pub async fn show_organisation(
    State(state): State<AppState>,
    layout: Layout,
) -> Result<Response, AppError> {
    let db = state.db();
    let professionals = db.list_professionals().await?;
    let teams = db
        .list_teams()
        .await?
        .into_iter()
        .map(|t| TeamRow {
            members: professionals
                .iter()
                .filter(|p| p.team.as_deref() == Some(t.code.as_str()))
                .count(),
            code: t.code,
            name: t.name,
            sector: t.sector,
        })
        .collect();
    Ok(OrganisationPage {
        layout,
        sectors: db.list_sectors().await?,
        centres: db.list_centres().await?,
        teams,
        professionals: professionals
            .into_iter()
            .map(|p| ProfessionalRow {
                name: p.display_name(),
                role: p.role.label(),
                team: p.team.unwrap_or_else(|| "—".into()),
            })
            .collect(),
    }
    .into_response())
}
