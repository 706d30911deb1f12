//! The yearly workforce declaration, for staff (any member) and for employers (their own
//! establishment, in the portal): the same page and actions, scoped differently.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::Response;
use domain::Role;
use domain::authz::Principal;
use domain::company::Contract;
use domain::fees::Workforce;
use domain::followup::{CATEGORY_RULES, rule_label};
use serde::Deserialize;
use store::{Actor, DeclarationStatus, Establishment};

use super::ValidForm;
use super::members::{EDITORS, parse_id};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::layout::Layout;
use crate::services::declarations::{
    HireForm, check_year, codes_of, declare_hire, declare_leaving, open_declaration, set_exposures,
};
use crate::state::AppState;

pub struct LineRow {
    pub employment_id: i64,
    pub name: String,
    pub birth: String,
    pub job: String,
    pub contract: &'static str,
    pub hired: String,
    pub left: String,
    pub exposures: String,
    pub codes: Vec<String>,
    pub category: &'static str,
}

impl LineRow {
    pub fn has(&self, code: &str) -> bool {
        self.codes.iter().any(|c| c == code)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "declarations/show.html")]
struct DeclarationPage {
    layout: Layout,
    establishment: String,
    year: i32,
    base: String,
    status: String,
    versions: Vec<String>,
    has_declaration: bool,
    can_open: bool,
    editable: bool,
    can_hire: bool,
    total: u32,
    workforce: Workforce,
    lines: Vec<LineRow>,
    codes: Vec<(&'static str, &'static str)>,
    contracts: Vec<(&'static str, &'static str)>,
    notice: Option<String>,
    error: Option<String>,
}

/// Whose declaration a request is about, and where its page lives.
struct Scope {
    establishment: Establishment,
    base: String,
    may_edit: bool,
}

async fn staff_scope(
    state: &AppState,
    user: &Principal,
    id: &str,
    year: i32,
) -> Result<Scope, AppError> {
    let establishment = state.db().find_establishment(parse_id(id)?).await?;
    Ok(Scope {
        base: format!("/establishments/{}/declarations/{year}", establishment.id),
        may_edit: EDITORS.contains(&user.role),
        establishment,
    })
}

/// The employer's own establishment; any other answers 404.
pub async fn employer_establishment(
    state: &AppState,
    user: &Principal,
) -> Result<Establishment, AppError> {
    let siret = user.siret.as_deref().ok_or(AppError::NotFound)?;
    state
        .db()
        .find_establishment_by_siret(siret)
        .await?
        .ok_or(AppError::NotFound)
}

async fn portal_scope(state: &AppState, user: &Principal, year: i32) -> Result<Scope, AppError> {
    Ok(Scope {
        establishment: employer_establishment(state, user).await?,
        base: format!("/portal/declarations/{year}"),
        may_edit: user.role == Role::Employer,
    })
}

fn parse_year(text: &str) -> Result<i32, AppError> {
    text.parse::<i32>()
        .map_err(|_| AppError::NotFound)
        .and_then(check_year)
}

async fn render(
    state: &AppState,
    layout: Layout,
    scope: Scope,
    year: i32,
    notice: Option<String>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let db = state.db();
    let latest = db
        .find_latest_declaration(scope.establishment.id, year)
        .await?;
    let versions = db
        .list_declaration_versions(scope.establishment.id, year)
        .await?
        .iter()
        .map(|v| {
            format!(
                "version {} créée le {} par {}{}",
                v.version,
                v.created_at.format("%d/%m/%Y %H:%M"),
                v.created_by,
                match (&v.submitted_at, &v.submitted_by) {
                    (Some(at), Some(by)) =>
                        format!(", transmise le {} par {by}", at.format("%d/%m/%Y %H:%M")),
                    _ => ", en cours de saisie".into(),
                }
            )
        })
        .collect();
    let active = scope
        .establishment
        .struck_off_on
        .is_none_or(|off| off > crate::services::today());
    let draft = latest
        .as_ref()
        .is_some_and(|d| d.status == DeclarationStatus::Draft);
    let status = match &latest {
        None => "Aucune déclaration pour cette année.".to_string(),
        Some(d) if d.status == DeclarationStatus::Draft => {
            format!("Version {} en cours de saisie.", d.version)
        }
        Some(d) => format!("Version {} transmise — verrouillée.", d.version),
    };
    let lines: Vec<LineRow> = latest
        .as_ref()
        .map(|d| {
            d.lines
                .iter()
                .map(|l| LineRow {
                    employment_id: l.employment_id,
                    name: l.worker_name.clone(),
                    birth: l.birth_date.format("%d/%m/%Y").to_string(),
                    job: l.job_title.clone(),
                    contract: l.contract.label(),
                    hired: l.hired_on.format("%d/%m/%Y").to_string(),
                    left: l
                        .left_on
                        .map(|d| d.format("%d/%m/%Y").to_string())
                        .unwrap_or_default(),
                    exposures: if l.exposures.is_empty() {
                        "aucune".into()
                    } else {
                        l.exposures
                            .iter()
                            .map(|c| rule_label(c).unwrap_or(c))
                            .collect::<Vec<_>>()
                            .join(" ; ")
                    },
                    codes: l.exposures.clone(),
                    category: l.category.code(),
                })
                .collect()
        })
        .unwrap_or_default();
    let workforce = latest.as_ref().map(|d| d.workforce()).unwrap_or_default();
    let page = DeclarationPage {
        establishment: format!(
            "{} ({})",
            scope.establishment.name, scope.establishment.siret
        ),
        year,
        base: scope.base,
        status,
        versions,
        has_declaration: latest.is_some(),
        can_open: scope.may_edit && active && !draft,
        editable: scope.may_edit && draft,
        can_hire: scope.may_edit && active,
        total: workforce.total(),
        workforce,
        lines,
        codes: CATEGORY_RULES
            .iter()
            .filter(|r| r.code != "minor")
            .map(|r| (r.code, r.label))
            .collect(),
        contracts: Contract::ALL
            .iter()
            .map(|c| (c.code(), c.label()))
            .collect(),
        notice,
        error,
        layout,
    };
    let failed = page.error.is_some();
    Ok(super::form_response(page, failed))
}

/// What a declaration action does, once the scope is known.
enum Action {
    Open,
    SetLine(i64, Vec<String>),
    RemoveLine(i64),
    Submit,
    Hire(Box<HireForm>),
    Leave(i64, String),
}

async fn act(
    state: &AppState,
    user: &Principal,
    layout: Layout,
    scope: Scope,
    year: i32,
    action: Action,
) -> Result<Response, AppError> {
    if !scope.may_edit {
        return Err(AppError::Forbidden(String::new()));
    }
    let actor = Actor(user.login.clone());
    let establishment = scope.establishment.clone();
    let outcome: Result<String, AppError> = async {
        let draft = || async {
            match state
                .db()
                .find_latest_declaration(establishment.id, year)
                .await?
            {
                Some(d) if d.status == DeclarationStatus::Draft => Ok(d),
                _ => Err(AppError::Conflict(
                    "aucune version en cours de saisie : commencez ou corrigez la déclaration"
                        .into(),
                )),
            }
        };
        match action {
            Action::Open => {
                let d = open_declaration(state, &actor, &establishment, year).await?;
                Ok(format!("Version {} ouverte.", d.version))
            }
            Action::SetLine(employment, codes) => {
                let category =
                    set_exposures(state, &actor, &draft().await?, employment, codes_of(&codes))
                        .await?;
                Ok(format!(
                    "Expositions enregistrées : suivi {}.",
                    category.code()
                ))
            }
            Action::RemoveLine(employment) => {
                state
                    .db()
                    .remove_declaration_line(&actor, draft().await?.id, employment)
                    .await?;
                Ok("Salarié retiré de la déclaration.".into())
            }
            Action::Submit => {
                state
                    .db()
                    .submit_declaration(&actor, draft().await?.id)
                    .await?;
                Ok("Déclaration transmise.".into())
            }
            Action::Hire(form) => {
                declare_hire(state, &actor, &establishment, &form).await?;
                Ok(format!(
                    "Embauche de {} {} enregistrée.",
                    form.first_name.trim(),
                    form.last_name.trim()
                ))
            }
            Action::Leave(employment, date) => {
                declare_leaving(state, &actor, &establishment, employment, &date).await?;
                Ok("Sortie enregistrée.".into())
            }
        }
    }
    .await;
    match outcome {
        Ok(notice) => render(state, layout, scope, year, Some(notice), None).await,
        Err(err @ (AppError::Invalid { .. } | AppError::Conflict(_))) => {
            render(state, layout, scope, year, None, Some(err.detail())).await
        }
        Err(other) => Err(other),
    }
}

#[derive(Deserialize, Default)]
pub struct ExposureForm {
    #[serde(default)]
    exposures: Vec<String>,
}

#[derive(Deserialize, Default)]
pub struct LeaveForm {
    #[serde(default)]
    left_on: String,
}

#[derive(Deserialize, Default)]
pub struct EmptyForm {}

// Staff routes: /establishments/{id}/declarations/{year}…

pub async fn show_declaration(
    State(s): State<AppState>,
    CurrentUser(u): CurrentUser,
    layout: Layout,
    Path((id, year)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let year = parse_year(&year)?;
    render(
        &s,
        layout,
        staff_scope(&s, &u, &id, year).await?,
        year,
        None,
        None,
    )
    .await
}

pub async fn open_staff_declaration(
    State(s): State<AppState>,
    CurrentUser(u): CurrentUser,
    layout: Layout,
    Path((id, year)): Path<(String, String)>,
    ValidForm(_): ValidForm<EmptyForm>,
) -> Result<Response, AppError> {
    let year = parse_year(&year)?;
    act(
        &s,
        &u,
        layout,
        staff_scope(&s, &u, &id, year).await?,
        year,
        Action::Open,
    )
    .await
}

pub async fn set_staff_line(
    State(s): State<AppState>,
    CurrentUser(u): CurrentUser,
    layout: Layout,
    Path((id, year, employment)): Path<(String, String, String)>,
    ValidForm(f): ValidForm<ExposureForm>,
) -> Result<Response, AppError> {
    let year = parse_year(&year)?;
    act(
        &s,
        &u,
        layout,
        staff_scope(&s, &u, &id, year).await?,
        year,
        Action::SetLine(parse_id(&employment)?, f.exposures),
    )
    .await
}

pub async fn remove_staff_line(
    State(s): State<AppState>,
    CurrentUser(u): CurrentUser,
    layout: Layout,
    Path((id, year, employment)): Path<(String, String, String)>,
    ValidForm(_): ValidForm<EmptyForm>,
) -> Result<Response, AppError> {
    let year = parse_year(&year)?;
    act(
        &s,
        &u,
        layout,
        staff_scope(&s, &u, &id, year).await?,
        year,
        Action::RemoveLine(parse_id(&employment)?),
    )
    .await
}

pub async fn submit_staff_declaration(
    State(s): State<AppState>,
    CurrentUser(u): CurrentUser,
    layout: Layout,
    Path((id, year)): Path<(String, String)>,
    ValidForm(_): ValidForm<EmptyForm>,
) -> Result<Response, AppError> {
    let year = parse_year(&year)?;
    act(
        &s,
        &u,
        layout,
        staff_scope(&s, &u, &id, year).await?,
        year,
        Action::Submit,
    )
    .await
}

pub async fn staff_hire(
    State(s): State<AppState>,
    CurrentUser(u): CurrentUser,
    layout: Layout,
    Path((id, year)): Path<(String, String)>,
    ValidForm(f): ValidForm<HireForm>,
) -> Result<Response, AppError> {
    let year = parse_year(&year)?;
    act(
        &s,
        &u,
        layout,
        staff_scope(&s, &u, &id, year).await?,
        year,
        Action::Hire(Box::new(f)),
    )
    .await
}

pub async fn staff_leave(
    State(s): State<AppState>,
    CurrentUser(u): CurrentUser,
    layout: Layout,
    Path((id, year, employment)): Path<(String, String, String)>,
    ValidForm(f): ValidForm<LeaveForm>,
) -> Result<Response, AppError> {
    let year = parse_year(&year)?;
    act(
        &s,
        &u,
        layout,
        staff_scope(&s, &u, &id, year).await?,
        year,
        Action::Leave(parse_id(&employment)?, f.left_on),
    )
    .await
}

// Employer portal: /portal/declarations/{year}…

pub async fn show_portal_declaration(
    State(s): State<AppState>,
    CurrentUser(u): CurrentUser,
    layout: Layout,
    Path(year): Path<String>,
) -> Result<Response, AppError> {
    let year = parse_year(&year)?;
    render(
        &s,
        layout,
        portal_scope(&s, &u, year).await?,
        year,
        None,
        None,
    )
    .await
}

pub async fn open_portal_declaration(
    State(s): State<AppState>,
    CurrentUser(u): CurrentUser,
    layout: Layout,
    Path(year): Path<String>,
    ValidForm(_): ValidForm<EmptyForm>,
) -> Result<Response, AppError> {
    let year = parse_year(&year)?;
    act(
        &s,
        &u,
        layout,
        portal_scope(&s, &u, year).await?,
        year,
        Action::Open,
    )
    .await
}

pub async fn set_portal_line(
    State(s): State<AppState>,
    CurrentUser(u): CurrentUser,
    layout: Layout,
    Path((year, employment)): Path<(String, String)>,
    ValidForm(f): ValidForm<ExposureForm>,
) -> Result<Response, AppError> {
    let year = parse_year(&year)?;
    act(
        &s,
        &u,
        layout,
        portal_scope(&s, &u, year).await?,
        year,
        Action::SetLine(parse_id(&employment)?, f.exposures),
    )
    .await
}

pub async fn remove_portal_line(
    State(s): State<AppState>,
    CurrentUser(u): CurrentUser,
    layout: Layout,
    Path((year, employment)): Path<(String, String)>,
    ValidForm(_): ValidForm<EmptyForm>,
) -> Result<Response, AppError> {
    let year = parse_year(&year)?;
    act(
        &s,
        &u,
        layout,
        portal_scope(&s, &u, year).await?,
        year,
        Action::RemoveLine(parse_id(&employment)?),
    )
    .await
}

pub async fn submit_portal_declaration(
    State(s): State<AppState>,
    CurrentUser(u): CurrentUser,
    layout: Layout,
    Path(year): Path<String>,
    ValidForm(_): ValidForm<EmptyForm>,
) -> Result<Response, AppError> {
    let year = parse_year(&year)?;
    act(
        &s,
        &u,
        layout,
        portal_scope(&s, &u, year).await?,
        year,
        Action::Submit,
    )
    .await
}

pub async fn portal_hire(
    State(s): State<AppState>,
    CurrentUser(u): CurrentUser,
    layout: Layout,
    Path(year): Path<String>,
    ValidForm(f): ValidForm<HireForm>,
) -> Result<Response, AppError> {
    let year = parse_year(&year)?;
    act(
        &s,
        &u,
        layout,
        portal_scope(&s, &u, year).await?,
        year,
        Action::Hire(Box::new(f)),
    )
    .await
}

pub async fn portal_leave(
    State(s): State<AppState>,
    CurrentUser(u): CurrentUser,
    layout: Layout,
    Path((year, employment)): Path<(String, String)>,
    ValidForm(f): ValidForm<LeaveForm>,
) -> Result<Response, AppError> {
    let year = parse_year(&year)?;
    act(
        &s,
        &u,
        layout,
        portal_scope(&s, &u, year).await?,
        year,
        Action::Leave(parse_id(&employment)?, f.left_on),
    )
    .await
}
