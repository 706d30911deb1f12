//! Awareness sessions: the preventer plans them and records them held or cancelled; the
//! employer registers participants from the portal.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::french_date;
use store::{Actor, AwarenessSession};

use super::ValidForm;
use super::members::parse_id;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::layout::Layout;
use crate::services::{parse_date, today};
use crate::state::AppState;

struct SessionRow {
    id: i64,
    title: String,
    date: String,
    place: String,
    kind: &'static str,
    seats: String,
    state: &'static str,
}

fn session_row(s: &AwarenessSession) -> SessionRow {
    SessionRow {
        id: s.id,
        title: s.title.clone(),
        date: french_date(s.date),
        place: s.place.clone(),
        kind: if s.establishment_id.is_some() {
            "intra-entreprise"
        } else {
            "inter-entreprises"
        },
        seats: format!("{} / {}", s.registered, s.capacity),
        state: match s.state.as_str() {
            "held" => "tenue",
            "cancelled" => "annulée",
            _ => "prévue",
        },
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "awareness/list.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<SessionRow>,
    error: Option<String>,
}

async fn list_page(
    state: &AppState,
    layout: Layout,
    error: Option<String>,
) -> Result<Response, AppError> {
    let rows = state
        .db()
        .list_awareness_sessions(today() - chrono::Duration::days(92), None)
        .await?
        .iter()
        .map(session_row)
        .collect();
    let failed = error.is_some();
    Ok(super::form_response(
        ListPage {
            layout,
            rows,
            error,
        },
        failed,
    ))
}

pub async fn list_sessions(
    State(state): State<AppState>,
    layout: Layout,
) -> Result<Response, AppError> {
    list_page(&state, layout, None).await
}

pub async fn create_session(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
    ValidForm(form): ValidForm<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let text = |name: &str| form.get(name).map_or("", |v| v.trim()).to_string();
    let result = async {
        let date = parse_date("Date", &text("date"))?;
        let capacity: u32 = text("capacity")
            .parse()
            .map_err(|_| AppError::invalid("Places", "un nombre"))?;
        let establishment = match text("siret").as_str() {
            "" => None,
            siret => Some(
                state
                    .db()
                    .find_establishment_by_siret(siret)
                    .await?
                    .ok_or_else(|| AppError::invalid("SIRET", "aucun adhérent ne porte ce SIRET"))?
                    .id,
            ),
        };
        state
            .db()
            .create_awareness_session(
                &Actor(user.login.clone()),
                &text("title"),
                date,
                &text("place"),
                establishment,
                capacity,
            )
            .await?;
        Ok::<_, AppError>(())
    }
    .await;
    super::redirect_or_show(result, "/prevention/sessions", |message| {
        list_page(&state, layout, Some(message))
    })
    .await
}

#[derive(Template, WebTemplate)]
#[template(path = "awareness/show.html")]
struct ShowPage {
    layout: Layout,
    session: SessionRow,
    planned: bool,
    registrations: Vec<(i64, String, i32, String)>,
    error: Option<String>,
}

async fn show_page(
    state: &AppState,
    layout: Layout,
    id: i64,
    error: Option<String>,
) -> Result<Response, AppError> {
    let (session, registrations) = state.db().find_awareness_session(id).await?;
    let failed = error.is_some();
    let page = ShowPage {
        layout,
        planned: session.state == "planned",
        session: session_row(&session),
        registrations: registrations
            .into_iter()
            .map(|(id, name, participants, attended)| {
                (
                    id,
                    name,
                    participants,
                    attended.map(|a| a.to_string()).unwrap_or_default(),
                )
            })
            .collect(),
        error,
    };
    Ok(super::form_response(page, failed))
}

pub async fn show_session(
    State(state): State<AppState>,
    layout: Layout,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    show_page(&state, layout, parse_id(&id)?, None).await
}

/// Records the session held (with the attendance of each company) or cancelled.
pub async fn close_session(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
    Path(id): Path<String>,
    ValidForm(form): ValidForm<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let result = async {
        let held = form.get("held").map(String::as_str) == Some("1");
        let mut attendance = Vec::new();
        for (name, value) in &form {
            if let Some(establishment) = name.strip_prefix("attended_") {
                let establishment = parse_id(establishment)?;
                let n: u32 = match value.trim() {
                    "" => 0,
                    v => v
                        .parse()
                        .map_err(|_| AppError::invalid("Présents", "un nombre"))?,
                };
                attendance.push((establishment, n));
            }
        }
        state
            .db()
            .close_awareness_session(&Actor(user.login.clone()), id, held, &attendance)
            .await?;
        Ok::<_, AppError>(())
    }
    .await;
    super::redirect_or_show(result, &format!("/prevention/sessions/{id}"), |message| {
        show_page(&state, layout, id, Some(message))
    })
    .await
}

#[derive(Template, WebTemplate)]
#[template(path = "portal/sessions.html")]
struct PortalSessionsPage {
    layout: Layout,
    rows: Vec<(SessionRow, bool)>,
    error: Option<String>,
}

async fn portal_page(
    state: &AppState,
    user: &domain::authz::Principal,
    layout: Layout,
    error: Option<String>,
) -> Result<Response, AppError> {
    let e = super::declarations::employer_establishment(state, user).await?;
    let rows = state
        .db()
        .list_awareness_sessions(today(), Some(e.id))
        .await?
        .iter()
        .map(|s| (session_row(s), s.state == "planned"))
        .collect();
    let failed = error.is_some();
    Ok(super::form_response(
        PortalSessionsPage {
            layout,
            rows,
            error,
        },
        failed,
    ))
}

pub async fn list_portal_sessions(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
) -> Result<Response, AppError> {
    portal_page(&state, &user, layout, None).await
}

#[derive(serde::Deserialize)]
pub struct RegisterForm {
    #[serde(default)]
    participants: String,
}

/// The employer registers participants to a session.
pub async fn register_from_portal(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
    Path(id): Path<String>,
    ValidForm(form): ValidForm<RegisterForm>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let e = super::declarations::employer_establishment(&state, &user).await?;
    let result = async {
        let participants: u32 = form
            .participants
            .trim()
            .parse()
            .map_err(|_| AppError::invalid("Participants", "un nombre"))?;
        state
            .db()
            .register_for_session(&Actor(user.login.clone()), id, e.id, participants, today())
            .await?;
        Ok::<_, AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(Redirect::to("/portal/sessions").into_response()),
        Err(err @ (AppError::Invalid { .. } | AppError::Conflict(_))) => {
            portal_page(&state, &user, layout, Some(err.detail())).await
        }
        Err(other) => Err(other),
    }
}
