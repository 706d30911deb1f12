//! Fiches d'entreprise: an establishment's versions, editing a draft (work units and their
//! risks, recommendations), finalising, delivering to the employer (PDF, portal).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::prevention::{FicheState, RISK_FAMILIES, UnitRisk, WorkUnit, risk_label};
use domain::{Role, french_date};
use serde::Deserialize;
use store::{Actor, RiskSheet};

use super::ValidForm;
use super::members::parse_id;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::layout::Layout;
use crate::services::today;
use crate::state::AppState;

/// Who writes fiches: preventers and doctors (and the admin).
pub const FE_WRITERS: &[Role] = &[Role::Admin, Role::Preventer, Role::Doctor];
/// Who reads them (DOMAIN.md: doctors, nurses, assistants, preventers).
pub const FE_READERS: &[Role] = &[
    Role::Admin,
    Role::Preventer,
    Role::Doctor,
    Role::Nurse,
    Role::Assistant,
];
const RISK_ROWS: usize = 3;

#[derive(Template, WebTemplate)]
#[template(path = "fiches/list.html")]
struct ListPage {
    layout: Layout,
    establishment_id: i64,
    establishment: String,
    sheets: Vec<(i64, i32, &'static str, String, String, String)>,
    can_write: bool,
}

/// A date in French, empty when there is none.
fn french(date: Option<chrono::NaiveDate>) -> String {
    date.map(french_date).unwrap_or_default()
}

pub async fn list_fiches(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let establishment = state.db().find_establishment(id).await?;
    let sheets = state
        .db()
        .list_risk_sheets(id)
        .await?
        .into_iter()
        .map(|s| {
            (
                s.id,
                s.version,
                s.state.label(),
                french(Some(s.started_on)),
                french(s.finalised_on),
                french(s.delivered_on),
            )
        })
        .collect();
    Ok(ListPage {
        layout,
        establishment_id: id,
        establishment: establishment.name,
        sheets,
        can_write: FE_WRITERS.contains(&user.role),
    }
    .into_response())
}

pub async fn start_fiche(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    state.db().find_establishment(id).await?;
    let sheet = state
        .db()
        .start_risk_sheet(&Actor(user.login.clone()), id, today())
        .await?;
    Ok(Redirect::to(&format!("/fiches/{sheet}")).into_response())
}

struct UnitView {
    id: i64,
    name: String,
    headcount: u32,
    risks: Vec<(&'static str, String, u32, String, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "fiches/show.html")]
struct ShowPage {
    layout: Layout,
    sheet: RiskSheet,
    state: &'static str,
    establishment: String,
    units: Vec<UnitView>,
    families: &'static [(&'static str, &'static str)],
    risk_rows: Vec<usize>,
    editable: bool,
    can_write: bool,
    error: Option<String>,
}

async fn show_page(
    state: &AppState,
    user: &domain::authz::Principal,
    layout: Layout,
    id: i64,
    error: Option<String>,
) -> Result<Response, AppError> {
    let sheet = state.db().find_risk_sheet(id).await?;
    let establishment = state
        .db()
        .find_establishment(sheet.establishment_id)
        .await?;
    let can_write = FE_WRITERS.contains(&user.role);
    let failed = error.is_some();
    let page = ShowPage {
        layout,
        state: sheet.state.label(),
        establishment: format!("{} (SIRET {})", establishment.name, establishment.siret),
        units: sheet
            .units
            .iter()
            .map(|(id, u)| UnitView {
                id: *id,
                name: u.name.clone(),
                headcount: u.headcount,
                risks: u
                    .risks
                    .iter()
                    .map(|r| {
                        (
                            risk_label(&r.family),
                            r.description.clone(),
                            r.exposed,
                            r.existing_measures.clone(),
                            r.recommendations.clone(),
                        )
                    })
                    .collect(),
            })
            .collect(),
        families: &RISK_FAMILIES,
        risk_rows: (0..RISK_ROWS).collect(),
        editable: can_write && sheet.state == FicheState::Draft,
        can_write,
        sheet,
        error,
    };
    Ok(super::form_response(page, failed))
}

pub async fn show_fiche(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    show_page(&state, &user, layout, parse_id(&id)?, None).await
}

/// Runs a change of a fiche, then shows it again (with the French message on refusal).
async fn change(
    state: &AppState,
    user: &domain::authz::Principal,
    layout: Layout,
    id: i64,
    result: Result<(), AppError>,
) -> Result<Response, AppError> {
    super::redirect_or_show(result, &format!("/fiches/{id}"), |message| {
        show_page(state, user, layout, id, Some(message))
    })
    .await
}

pub async fn add_unit(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
    Path(id): Path<String>,
    ValidForm(form): ValidForm<std::collections::HashMap<String, String>>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let text = |name: &str| form.get(name).map_or("", |v| v.trim()).to_string();
    let number = |name: &str, field: &str| -> Result<u32, AppError> {
        let value = text(name);
        if value.is_empty() {
            return Ok(0);
        }
        value
            .parse()
            .map_err(|_| AppError::invalid(field, "un nombre entier"))
    };
    let result = async {
        let mut risks = Vec::new();
        for row in 0..RISK_ROWS {
            let family = text(&format!("family_{row}"));
            if family.is_empty() {
                continue;
            }
            risks.push(UnitRisk {
                family,
                description: text(&format!("description_{row}")),
                exposed: number(&format!("exposed_{row}"), "Salariés exposés")?,
                existing_measures: text(&format!("measures_{row}")),
                recommendations: text(&format!("recommendations_{row}")),
            });
        }
        let unit = WorkUnit {
            name: text("name"),
            headcount: number("headcount", "Effectif de l'unité")?,
            risks,
        };
        state
            .db()
            .add_work_unit(&Actor(user.login.clone()), id, &unit)
            .await?;
        Ok(())
    }
    .await;
    change(&state, &user, layout, id, result).await
}

pub async fn remove_unit(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
    Path((id, unit)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (id, unit) = (parse_id(&id)?, parse_id(&unit)?);
    let result = state
        .db()
        .remove_work_unit(&Actor(user.login.clone()), id, unit)
        .await
        .map_err(AppError::from);
    change(&state, &user, layout, id, result).await
}

#[derive(Deserialize)]
pub struct RecommendationsForm {
    #[serde(default)]
    recommendations: String,
}

pub async fn set_recommendations(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
    Path(id): Path<String>,
    ValidForm(form): ValidForm<RecommendationsForm>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let result = state
        .db()
        .set_sheet_recommendations(&Actor(user.login.clone()), id, &form.recommendations)
        .await
        .map_err(AppError::from);
    change(&state, &user, layout, id, result).await
}

pub async fn finalise_fiche(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let result = state
        .db()
        .finalise_risk_sheet(&Actor(user.login.clone()), id, today())
        .await
        .map_err(AppError::from);
    change(&state, &user, layout, id, result).await
}

/// The FE as a PDF: the establishment, its work units and risks, the recommendations.
fn fiche_pdf(state: &AppState, sheet: &RiskSheet, establishment: &store::Establishment) -> Vec<u8> {
    let mut body = String::new();
    for (_, unit) in &sheet.units {
        body.push_str(&format!(
            "Unité de travail : {} ({} salariés)\n",
            unit.name, unit.headcount
        ));
        for r in &unit.risks {
            body.push_str(&format!(
                "- {} : {} ; exposés : {} ; mesures existantes : {} ; recommandations : {}\n",
                risk_label(&r.family),
                r.description,
                r.exposed,
                r.existing_measures,
                r.recommendations
            ));
        }
        body.push('\n');
    }
    body.push_str(&format!(
        "Recommandations du service : {}\n",
        sheet.recommendations
    ));
    body.push_str(&format!(
        "Fiche établie par le service de prévention et de santé au travail (articles R4624-46 à R4624-50 du Code du travail), version {}, finalisée le {}.\n",
        sheet.version,
        french(sheet.finalised_on)
    ));
    notify::pdf::letters_pdf(&[notify::pdf::Letter {
        service_name: state.config().service_name.clone(),
        date: french_date(today()),
        recipient: vec![
            establishment.name.clone(),
            establishment.address.clone(),
            format!("{} {}", establishment.postcode, establishment.city),
            format!("SIRET {}", establishment.siret),
        ],
        subject: format!("Fiche d'entreprise — version {}", sheet.version),
        body,
    }])
}

pub async fn deliver_fiche(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let sheet = state.db().find_risk_sheet(id).await?;
    let establishment = state
        .db()
        .find_establishment(sheet.establishment_id)
        .await?;
    let pdf = fiche_pdf(&state, &sheet, &establishment);
    let result = state
        .db()
        .deliver_risk_sheet(
            &Actor(user.login.clone()),
            id,
            today(),
            &pdf,
            &state.config().service_name,
        )
        .await
        .map_err(AppError::from);
    change(&state, &user, layout, id, result).await
}

fn pdf_response(pdf: Vec<u8>, id: i64) -> Response {
    super::file_response(
        "application/pdf",
        "inline",
        &format!("fiche-entreprise-{id}.pdf"),
        pdf,
    )
}

pub async fn download_fiche(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let sheet = state.db().find_risk_sheet(id).await?;
    Ok(pdf_response(
        state
            .db()
            .risk_sheet_pdf(sheet.establishment_id, id)
            .await?,
        id,
    ))
}

#[derive(Template, WebTemplate)]
#[template(path = "portal/fiches.html")]
struct PortalFichesPage {
    layout: Layout,
    rows: Vec<(i64, i32, String)>,
}

/// The employer's delivered fiches.
pub async fn list_portal_fiches(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
) -> Result<Response, AppError> {
    let e = super::declarations::employer_establishment(&state, &user).await?;
    let rows = state
        .db()
        .list_risk_sheets(e.id)
        .await?
        .into_iter()
        .filter(|s| s.state == FicheState::Delivered)
        .map(|s| (s.id, s.version, french(s.delivered_on)))
        .collect();
    Ok(PortalFichesPage { layout, rows }.into_response())
}

pub async fn download_portal_fiche(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let e = super::declarations::employer_establishment(&state, &user).await?;
    Ok(pdf_response(state.db().risk_sheet_pdf(e.id, id).await?, id))
}
