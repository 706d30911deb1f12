//! Member companies for the service's staff: search, page, create, edit, strike off, rejoin,
//! move to another team, and a team's portfolio.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;
use domain::Role;
use domain::company::{CompanyKind, StrikeOffReason};
use domain::fees::Workforce;
use serde::Deserialize;
use store::{Actor, Establishment, InvoiceQuery, MemberQuery};

use super::{ValidForm, non_empty};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::layout::Layout;
use crate::services::invoicing::euros;
use crate::services::members::MemberForm;
use crate::services::{parse_date, today};
use crate::state::AppState;

/// Roles that change members.
pub const EDITORS: &[Role] = &[Role::Admin, Role::Assistant];
/// Roles that see the declared workers by name.
pub const WORKER_READERS: &[Role] = &[
    Role::Admin,
    Role::Doctor,
    Role::Nurse,
    Role::Assistant,
    Role::Preventer,
];
/// Roles that see invoices.
pub const INVOICE_READERS: &[Role] = &[Role::Admin, Role::Director, Role::Assistant];

const PER_PAGE: u32 = 25;

pub fn parse_id(text: &str) -> Result<i64, AppError> {
    text.parse().map_err(|_| AppError::NotFound)
}

async fn code_lists(
    state: &AppState,
) -> Result<(Vec<(String, String)>, Vec<(String, String)>), AppError> {
    let sectors = state
        .db()
        .list_sectors()
        .await?
        .into_iter()
        .map(|s| (s.code, s.name))
        .collect();
    let teams = state
        .db()
        .list_teams()
        .await?
        .into_iter()
        .map(|t| (t.code.clone(), format!("{} — {}", t.code, t.name)))
        .collect();
    Ok((sectors, teams))
}

pub struct MemberRow {
    pub id: i64,
    pub name: String,
    pub siret: String,
    pub city: String,
    pub naf: String,
    pub team: String,
    pub status: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "members/search.html")]
struct SearchPage {
    layout: Layout,
    q: String,
    team: String,
    status: String,
    teams: Vec<(String, String)>,
    rows: Vec<MemberRow>,
    total: i64,
    page: u32,
    pages: u32,
    prev_link: String,
    next_link: String,
    can_edit: bool,
}

#[derive(Deserialize, Default)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    team: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    page: Option<u32>,
}

fn status_text(e: &Establishment) -> String {
    match e.struck_off_on {
        Some(off) if off <= today() => format!("radié le {}", off.format("%d/%m/%Y")),
        _ => "adhérent".into(),
    }
}

pub async fn list_companies(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
    Query(query): Query<SearchQuery>,
) -> Result<Response, AppError> {
    let status = if query.status.is_empty() {
        "active".to_string()
    } else {
        query.status.clone()
    };
    let page = query.page.unwrap_or(1).max(1);
    let search = MemberQuery {
        text: non_empty(&query.q),
        team: non_empty(&query.team),
        sector: None,
        active: match status.as_str() {
            "struck_off" => Some(false),
            "all" => None,
            _ => Some(true),
        },
        page,
        per_page: PER_PAGE,
    };
    let (items, total) = state.db().search_members(&search, today()).await?;
    let pages = ((total as u32).div_ceil(PER_PAGE)).max(1);
    let link = |p: u32| {
        format!(
            "/companies?{}",
            serde_urlencoded::to_string([
                ("q", query.q.as_str()),
                ("team", query.team.as_str()),
                ("status", status.as_str()),
                ("page", &p.to_string())
            ])
            .unwrap_or_default()
        )
    };
    let (_, teams) = code_lists(&state).await?;
    Ok(SearchPage {
        q: query.q.clone(),
        team: query.team.clone(),
        rows: items
            .iter()
            .map(|e| MemberRow {
                id: e.id,
                name: e.name.clone(),
                siret: e.siret.clone(),
                city: e.city.clone(),
                naf: e.naf_code.clone().unwrap_or_default(),
                team: e.team.clone().unwrap_or_default(),
                status: status_text(e),
            })
            .collect(),
        total,
        page,
        pages,
        prev_link: link(page.saturating_sub(1)),
        next_link: link(page + 1),
        status,
        teams,
        can_edit: EDITORS.contains(&user.role),
        layout,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "members/form.html")]
struct FormPage {
    layout: Layout,
    heading: String,
    action: String,
    creating: bool,
    form: MemberForm,
    kinds: Vec<(&'static str, &'static str)>,
    sectors: Vec<(String, String)>,
    teams: Vec<(String, String)>,
    error: Option<String>,
}

async fn form_page(
    state: &AppState,
    layout: Layout,
    creating: bool,
    action: String,
    form: MemberForm,
    error: Option<String>,
) -> Result<Response, AppError> {
    let (sectors, teams) = code_lists(state).await?;
    let failed = error.is_some();
    let page = FormPage {
        layout,
        heading: if creating {
            "Nouvel adhérent".into()
        } else {
            format!("Modifier {}", form.name)
        },
        action,
        creating,
        form,
        kinds: CompanyKind::ALL
            .iter()
            .map(|k| (k.code(), k.label()))
            .collect(),
        sectors,
        teams,
        error,
    };
    Ok(super::form_response(page, failed))
}

pub async fn show_new_company(
    State(state): State<AppState>,
    layout: Layout,
) -> Result<Response, AppError> {
    let form = MemberForm {
        kind: "company".into(),
        joined_on: today().to_string(),
        ..Default::default()
    };
    form_page(&state, layout, true, "/companies".into(), form, None).await
}

pub async fn create_company(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
    ValidForm(form): ValidForm<MemberForm>,
) -> Result<Response, AppError> {
    let member = match form.to_new_member() {
        Ok(member) => member,
        Err(err) => {
            return form_page(
                &state,
                layout,
                true,
                "/companies".into(),
                form,
                Some(err.detail()),
            )
            .await;
        }
    };
    match state
        .db()
        .create_member(&Actor(user.login.clone()), &member)
        .await
    {
        Ok(id) => Ok(Redirect::to(&format!("/establishments/{id}")).into_response()),
        Err(err @ (store::StoreError::Conflict(_) | store::StoreError::Invalid(_))) => {
            form_page(
                &state,
                layout,
                true,
                "/companies".into(),
                form,
                Some(AppError::from(err).detail()),
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

pub struct InvoiceRow {
    pub id: i64,
    pub reference: String,
    pub issued_on: String,
    pub total: String,
    pub balance: String,
    pub reminders: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "members/show.html")]
struct ShowPage {
    layout: Layout,
    e: Establishment,
    kind: &'static str,
    naf: String,
    team: String,
    email: String,
    phone: String,
    membership: String,
    year: i32,
    workforce: Workforce,
    declaration_state: String,
    invoices: Vec<InvoiceRow>,
    other_establishments: Vec<(i64, String)>,
    can_edit: bool,
    can_see_workers: bool,
    can_see_invoices: bool,
    active: bool,
    teams: Vec<(String, String)>,
    reasons: Vec<(&'static str, &'static str)>,
    notice: Option<String>,
    error: Option<String>,
}

pub fn invoice_rows(invoices: &[store::Invoice]) -> Vec<InvoiceRow> {
    invoices
        .iter()
        .map(|i| InvoiceRow {
            id: i.id,
            reference: i.reference(),
            issued_on: i.issued_on.format("%d/%m/%Y").to_string(),
            total: euros(i.total_cents),
            balance: euros(i.balance_cents()),
            reminders: i.reminders,
        })
        .collect()
}

async fn show_page(
    state: &AppState,
    user: &domain::authz::Principal,
    layout: Layout,
    id: i64,
    notice: Option<String>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let db = state.db();
    let e = db.find_establishment(id).await?;
    let year = today().year();
    let declaration = db.find_latest_declaration(id, year).await?;
    let declaration_state = match &declaration {
        None => "aucune déclaration".to_string(),
        Some(d) => format!(
            "version {} {}",
            d.version,
            if d.status == store::DeclarationStatus::Submitted {
                "transmise"
            } else {
                "en cours de saisie"
            }
        ),
    };
    let invoices = db
        .list_invoices(&InvoiceQuery {
            establishment_id: Some(id),
            limit: 50,
            ..Default::default()
        })
        .await?;
    let others = db
        .list_company_establishments(e.company_id)
        .await?
        .into_iter()
        .filter(|o| o.id != id)
        .map(|o| (o.id, format!("{} — {}", o.name, o.siret)))
        .collect();
    let (_, teams) = code_lists(state).await?;
    let membership = match e.struck_off_on {
        Some(off) => format!(
            "adhérent du {} au {} — radié : {}",
            e.joined_on.format("%d/%m/%Y"),
            off.format("%d/%m/%Y"),
            e.strike_off_reason.map(|r| r.label()).unwrap_or("")
        ),
        None => format!("adhérent depuis le {}", e.joined_on.format("%d/%m/%Y")),
    };
    let page = ShowPage {
        kind: e.kind.label(),
        naf: e
            .naf_code
            .as_deref()
            .map(|c| {
                format!(
                    "{c} — {}",
                    domain::naf::find_naf(c)
                        .map(|n| n.label)
                        .unwrap_or("code inconnu")
                )
            })
            .unwrap_or_else(|| "non renseignée".into()),
        team: e.team.clone().unwrap_or_else(|| "aucune".into()),
        email: e.email.clone().unwrap_or_default(),
        phone: e.phone.clone().unwrap_or_default(),
        active: e.is_active_on(today()),
        membership,
        year,
        workforce: declaration
            .as_ref()
            .map(|d| d.workforce())
            .unwrap_or_default(),
        declaration_state,
        invoices: invoice_rows(&invoices),
        other_establishments: others,
        can_edit: EDITORS.contains(&user.role),
        can_see_workers: WORKER_READERS.contains(&user.role),
        can_see_invoices: INVOICE_READERS.contains(&user.role),
        teams,
        reasons: StrikeOffReason::ALL
            .iter()
            .map(|r| (r.code(), r.label()))
            .collect(),
        notice,
        error,
        e,
        layout,
    };
    let failed = page.error.is_some();
    Ok(super::form_response(page, failed))
}

pub async fn show_establishment(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    show_page(&state, &user, layout, parse_id(&id)?, None, None).await
}

pub async fn show_edit_establishment(
    State(state): State<AppState>,
    layout: Layout,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let e = state.db().find_establishment(id).await?;
    form_page(
        &state,
        layout,
        false,
        format!("/establishments/{id}/edit"),
        MemberForm::from_establishment(&e),
        None,
    )
    .await
}

pub async fn update_establishment(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
    Path(id): Path<String>,
    ValidForm(form): ValidForm<MemberForm>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    state.db().find_establishment(id).await?;
    let action = format!("/establishments/{id}/edit");
    let edit = match form.to_edit() {
        Ok(edit) => edit,
        Err(err) => {
            return form_page(&state, layout, false, action, form, Some(err.detail())).await;
        }
    };
    match state
        .db()
        .update_establishment(&Actor(user.login.clone()), id, &edit)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/establishments/{id}")).into_response()),
        Err(store::StoreError::Invalid(m)) => {
            form_page(&state, layout, false, action, form, Some(m)).await
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Deserialize)]
pub struct DatedForm {
    #[serde(default)]
    date: String,
    #[serde(default)]
    reason: String,
}

pub async fn strike_off_establishment(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
    Path(id): Path<String>,
    ValidForm(form): ValidForm<DatedForm>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let outcome = async {
        let date = parse_date("Date de radiation", &form.date)?;
        let reason = StrikeOffReason::from_code(form.reason.trim()).ok_or_else(|| {
            AppError::invalid(
                "Motif",
                format!("attendu : {}", StrikeOffReason::codes().join(", ")),
            )
        })?;
        state
            .db()
            .strike_off(&Actor(user.login.clone()), id, date, reason)
            .await?;
        Ok::<_, AppError>(())
    }
    .await;
    after_action(&state, &user, layout, id, outcome, "Établissement radié.").await
}

pub async fn rejoin_establishment(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
    Path(id): Path<String>,
    ValidForm(form): ValidForm<DatedForm>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let outcome = async {
        let date = parse_date("Date de réadhésion", &form.date)?;
        state
            .db()
            .rejoin(&Actor(user.login.clone()), id, date)
            .await?;
        Ok::<_, AppError>(())
    }
    .await;
    after_action(
        &state,
        &user,
        layout,
        id,
        outcome,
        "Réadhésion enregistrée.",
    )
    .await
}

#[derive(Deserialize)]
pub struct TeamForm {
    #[serde(default)]
    team: String,
    #[serde(default)]
    ids: Vec<String>,
}

pub async fn move_establishment(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
    Path(id): Path<String>,
    ValidForm(form): ValidForm<TeamForm>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let outcome = state
        .db()
        .move_to_team(&Actor(user.login.clone()), &[id], form.team.trim())
        .await
        .map(|_| ())
        .map_err(AppError::from);
    after_action(
        &state,
        &user,
        layout,
        id,
        outcome,
        "Établissement réaffecté.",
    )
    .await
}

/// The establishment page again, with the outcome of an action.
async fn after_action(
    state: &AppState,
    user: &domain::authz::Principal,
    layout: Layout,
    id: i64,
    outcome: Result<(), AppError>,
    done: &str,
) -> Result<Response, AppError> {
    match outcome {
        Ok(()) => show_page(state, user, layout, id, Some(done.into()), None).await,
        Err(err @ (AppError::Invalid { .. } | AppError::Conflict(_))) => {
            show_page(state, user, layout, id, None, Some(err.detail())).await
        }
        Err(other) => Err(other),
    }
}

pub struct PortfolioRow {
    pub id: i64,
    pub name: String,
    pub siret: String,
    pub city: String,
    pub sis: u32,
    pub sia: u32,
    pub sir: u32,
}

#[derive(Template, WebTemplate)]
#[template(path = "members/portfolio.html")]
struct PortfolioPage {
    layout: Layout,
    team: String,
    team_name: String,
    year: i32,
    workers: u32,
    rows: Vec<PortfolioRow>,
    teams: Vec<(String, String)>,
    can_edit: bool,
    notice: Option<String>,
    error: Option<String>,
}

async fn portfolio_page(
    state: &AppState,
    user: &domain::authz::Principal,
    layout: Layout,
    team: String,
    notice: Option<String>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let teams = state.db().list_teams().await?;
    let Some(found) = teams.iter().find(|t| t.code == team) else {
        return Err(AppError::NotFound);
    };
    let year = today().year();
    let portfolio = state.db().list_portfolio(&team, year, today()).await?;
    let page = PortfolioPage {
        team_name: format!("{} — {}", found.code, found.name),
        year,
        workers: portfolio.iter().map(|(_, w)| w.total()).sum(),
        rows: portfolio
            .into_iter()
            .map(|(e, w)| PortfolioRow {
                id: e.id,
                name: e.name,
                siret: e.siret,
                city: e.city,
                sis: w.sis,
                sia: w.sia,
                sir: w.sir,
            })
            .collect(),
        teams: teams
            .iter()
            .map(|t| (t.code.clone(), format!("{} — {}", t.code, t.name)))
            .collect(),
        can_edit: EDITORS.contains(&user.role),
        team,
        notice,
        error,
        layout,
    };
    let failed = page.error.is_some();
    Ok(super::form_response(page, failed))
}

pub async fn show_portfolio(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
    Path(team): Path<String>,
) -> Result<Response, AppError> {
    portfolio_page(&state, &user, layout, team, None, None).await
}

pub async fn reassign_portfolio(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
    Path(team): Path<String>,
    ValidForm(form): ValidForm<TeamForm>,
) -> Result<Response, AppError> {
    let ids: Result<Vec<i64>, AppError> = form.ids.iter().map(|i| parse_id(i)).collect();
    let outcome = match ids {
        Ok(ids) if ids.is_empty() => Err(AppError::invalid(
            "Sélection",
            "cochez au moins un établissement",
        )),
        Ok(ids) => state
            .db()
            .move_to_team(&Actor(user.login.clone()), &ids, form.team.trim())
            .await
            .map_err(AppError::from),
        Err(err) => Err(err),
    };
    match outcome {
        Ok(moved) => {
            portfolio_page(
                &state,
                &user,
                layout,
                team,
                Some(format!(
                    "{moved} établissement(s) réaffecté(s) à {}.",
                    form.team.trim()
                )),
                None,
            )
            .await
        }
        Err(err @ (AppError::Invalid { .. } | AppError::NotFound)) => {
            portfolio_page(&state, &user, layout, team, None, Some(err.detail())).await
        }
        Err(other) => Err(other),
    }
}
