//! Administration: accounts (invitations) and the audit trail with security events.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::Role;
use serde::Deserialize;
use store::Actor;

use super::{ValidForm, format_time, non_empty};
use crate::accounts::{Access, NewAccount, create_account};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::layout::Layout;
use crate::state::AppState;

pub struct UserRow {
    pub login: String,
    pub display_name: String,
    pub role: &'static str,
    pub email: String,
    pub siret: String,
    pub totp: &'static str,
    pub state: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/users.html")]
struct UsersPage {
    layout: Layout,
    users: Vec<UserRow>,
    roles: Vec<(&'static str, &'static str)>,
    notice: Option<String>,
    error: Option<String>,
}

async fn users_page(
    state: &AppState,
    layout: Layout,
    notice: Option<String>,
    error: Option<String>,
) -> Result<UsersPage, AppError> {
    let users = state
        .db()
        .list_users()
        .await?
        .into_iter()
        .map(|u| UserRow {
            login: u.login,
            display_name: u.display_name,
            role: u.role.label(),
            email: u.email.unwrap_or_default(),
            siret: u.siret.unwrap_or_default(),
            totp: if u.totp_enabled { "oui" } else { "non" },
            state: match (u.active, u.password_hash.is_some()) {
                (false, _) => "désactivé",
                (true, false) => "invité",
                (true, true) => "actif",
            },
        })
        .collect();
    Ok(UsersPage {
        layout,
        users,
        roles: Role::ALL.iter().map(|r| (r.code(), r.label())).collect(),
        notice,
        error,
    })
}

pub async fn list_users(
    State(state): State<AppState>,
    layout: Layout,
) -> Result<Response, AppError> {
    Ok(users_page(&state, layout, None, None)
        .await?
        .into_response())
}

#[derive(Deserialize)]
pub struct InviteForm {
    login: String,
    display_name: String,
    email: String,
    role: String,
    #[serde(default)]
    siret: String,
}

pub async fn create_user(
    State(state): State<AppState>,
    CurrentUser(admin): CurrentUser,
    layout: Layout,
    ValidForm(form): ValidForm<InviteForm>,
) -> Result<Response, AppError> {
    let role = match form.role.parse::<Role>() {
        Ok(role) => role,
        Err(message) => {
            let page = users_page(&state, layout, None, Some(format!("Rôle : {message}"))).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let account = NewAccount {
        login: form.login.trim().to_string(),
        display_name: form.display_name,
        email: non_empty(&form.email),
        role,
        siret: non_empty(&form.siret),
        password: None,
    };
    match create_account(&state, &Actor(admin.login.clone()), account).await {
        Ok((_, Access::Invited(email))) => {
            let page = users_page(
                &state,
                layout,
                Some(format!("Invitation envoyée à {email}.")),
                None,
            )
            .await?;
            Ok(page.into_response())
        }
        Ok((_, Access::Password)) => Ok(users_page(&state, layout, None, None)
            .await?
            .into_response()),
        Err(err @ (AppError::Invalid { .. } | AppError::Conflict(_))) => {
            let status = err.status();
            let page = users_page(&state, layout, None, Some(err.detail())).await?;
            Ok((status, page).into_response())
        }
        Err(other) => Err(other),
    }
}

pub struct AuditRow {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
}

pub struct EventRow {
    pub at: String,
    pub kind: String,
    pub login: String,
    pub ip: String,
    pub detail: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    layout: Layout,
    chain_ok: bool,
    chain_status: String,
    rows: Vec<AuditRow>,
    events: Vec<EventRow>,
}

pub async fn show_audit(
    State(state): State<AppState>,
    layout: Layout,
) -> Result<Response, AppError> {
    let db = state.db();
    let report = db.verify_audit_chain().await?;
    let chain_status = match &report.first_broken {
        None => format!("Chaîne d'audit intègre : {} lignes vérifiées.", report.rows),
        Some((id, reason)) => format!("Chaîne d'audit rompue à la ligne {id} : {reason}."),
    };
    Ok(AuditPage {
        layout,
        chain_ok: report.first_broken.is_none(),
        chain_status,
        rows: db
            .list_recent_audit(50)
            .await?
            .into_iter()
            .map(|r| AuditRow {
                id: r.id,
                at: format_time(r.at),
                actor: r.actor,
                action: r.action,
                entity: r.entity,
                entity_id: r.entity_id,
            })
            .collect(),
        events: db
            .list_security_events(50)
            .await?
            .into_iter()
            .map(|e| EventRow {
                at: format_time(e.at),
                kind: e.kind,
                login: e.login.unwrap_or_default(),
                ip: e.ip.unwrap_or_default(),
                detail: e.detail,
            })
            .collect(),
    }
    .into_response())
}
