//! Which queue a request asks for (team and performer, or one professional) and its filters,
//! checked and turned into a store query; shared by the page and the API.

use chrono::Duration;
use domain::Role;
use domain::authz::Principal;
use domain::org::{Professional, ProfessionalRole, Team};
use serde::Deserialize;
use store::{Queue, QueueQuery};

use crate::error::AppError;
use crate::state::AppState;

/// Rows of a queue page.
pub const PAGE_SIZE: i64 = 50;
/// A queue lists what may be scheduled within this many days.
pub const HORIZON_DAYS: i64 = 30;

/// The query string of a queue (page and API).
#[derive(Debug, Default, Deserialize)]
pub struct QueueParams {
    #[serde(default)]
    pub team: String,
    #[serde(default)]
    pub queue: String,
    #[serde(default)]
    pub professional: String,
    #[serde(default)]
    pub centre: String,
    #[serde(default)]
    pub siret: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub overdue: String,
    #[serde(default)]
    pub page: Option<i64>,
}

/// A checked queue request.
pub struct ResolvedQueue {
    pub query: QueueQuery,
    pub team: Team,
    pub professional: Option<Professional>,
    pub page: i64,
}

fn queue_of(role: ProfessionalRole) -> Option<Queue> {
    match role {
        ProfessionalRole::Doctor => Some(Queue::Doctor),
        ProfessionalRole::Nurse => Some(Queue::Nurse),
        _ => None,
    }
}

pub async fn resolve_queue(
    state: &AppState,
    user: &Principal,
    params: &QueueParams,
) -> Result<ResolvedQueue, AppError> {
    let db = state.db();
    let teams = db.list_teams().await?;
    let find_team = |code: &str| {
        teams
            .iter()
            .find(|t| t.code == code)
            .cloned()
            .ok_or_else(|| AppError::invalid("Équipe", format!("code inconnu « {code} »")))
    };
    let mut professional = None;
    let (team, queue) = if !params.professional.trim().is_empty() {
        let id: i64 = params
            .professional
            .trim()
            .parse()
            .map_err(|_| AppError::invalid("Professionnel", "identifiant invalide"))?;
        let found = db
            .list_professionals()
            .await?
            .into_iter()
            .find(|p| p.id.0 == id)
            .ok_or_else(|| AppError::invalid("Professionnel", "inconnu"))?;
        let queue = queue_of(found.role)
            .ok_or_else(|| AppError::invalid("Professionnel", "ni médecin ni infirmier"))?;
        let code = found
            .team
            .clone()
            .ok_or_else(|| AppError::invalid("Professionnel", "rattaché à aucune équipe"))?;
        professional = Some(found);
        (find_team(&code)?, queue)
    } else {
        let team = match params.team.trim() {
            "" => user
                .team
                .and_then(|id| teams.iter().find(|t| t.id == id).cloned())
                .or_else(|| teams.first().cloned())
                .ok_or_else(|| AppError::invalid("Équipe", "aucune équipe n'est définie"))?,
            code => find_team(code)?,
        };
        let queue = match params.queue.trim() {
            "" if user.role == Role::Nurse => Queue::Nurse,
            "" => Queue::Doctor,
            code => Queue::from_code(code).ok_or_else(|| {
                AppError::invalid("File", format!("« {code} » inconnue (doctor ou nurse)"))
            })?,
        };
        (team, queue)
    };
    let centre_id = match params.centre.trim() {
        "" => None,
        code => Some(
            db.list_centres()
                .await?
                .into_iter()
                .find(|c| c.code == code)
                .ok_or_else(|| AppError::invalid("Centre", format!("code inconnu « {code} »")))?
                .id
                .0,
        ),
    };
    let establishment_id = match params.siret.trim() {
        "" => None,
        siret => Some(
            db.find_establishment_by_siret(siret)
                .await?
                .ok_or_else(|| {
                    AppError::invalid("Entreprise", format!("SIRET « {siret} » inconnu"))
                })?
                .id,
        ),
    };
    let kind = match params.kind.trim() {
        "" => None,
        kind if domain::rules::VISIT_KINDS.contains(&kind) => Some(kind.to_string()),
        kind => {
            return Err(AppError::invalid(
                "Type de visite",
                format!("« {kind} » inconnu"),
            ));
        }
    };
    let page = params.page.unwrap_or(1).max(1);
    let today = crate::services::today();
    Ok(ResolvedQueue {
        query: QueueQuery {
            team_id: team.id.0,
            queue,
            today,
            until: today + Duration::days(HORIZON_DAYS),
            centre_id,
            establishment_id,
            kind,
            overdue_only: matches!(params.overdue.trim(), "1" | "on" | "true"),
            limit: PAGE_SIZE,
            offset: (page - 1) * PAGE_SIZE,
        },
        team,
        professional,
        page,
    })
}
