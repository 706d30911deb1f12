//! Login with password, second-factor step, logout.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use serde::Deserialize;
use store::SessionStage;

use super::ValidForm;
use crate::auth::{
    ClientIp, CurrentSession, SESSION_COOKIE, authenticate, cookie_header, cookie_value,
    register_failure, stage_after_password, start_session,
};
use crate::error::AppError;
use crate::layout::Layout;
use crate::secrets::{check_totp, normalise_recovery_code, token_hash};
use crate::state::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "auth/login.html")]
struct LoginPage {
    layout: Layout,
    login: String,
    siret: String,
    error: Option<String>,
    notice: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginQuery {
    #[serde(default)]
    bye: Option<String>,
    #[serde(default)]
    reset: Option<String>,
}

pub async fn show_login(layout: Layout, Query(query): Query<LoginQuery>) -> impl IntoResponse {
    let notice = if query.bye.is_some() {
        Some("Vous êtes déconnecté(e).".to_string())
    } else if query.reset.is_some() {
        Some("Mot de passe enregistré : vous pouvez vous connecter.".to_string())
    } else {
        None
    };
    LoginPage {
        layout,
        login: String::new(),
        siret: String::new(),
        error: None,
        notice,
    }
}

#[derive(Deserialize)]
pub struct LoginForm {
    login: String,
    #[serde(default)]
    siret: String,
    password: String,
}

/// The page after a successful password, by session stage.
fn landing(stage: SessionStage) -> &'static str {
    match stage {
        SessionStage::AwaitingSecondFactor => "/login/2fa",
        SessionStage::MustEnrolSecondFactor => "/account/2fa",
        SessionStage::Complete => "/",
    }
}

pub async fn submit_login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    layout: Layout,
    headers: HeaderMap,
    ValidForm(form): ValidForm<LoginForm>,
) -> Result<Response, AppError> {
    let login = form.login.trim();
    let siret = form.siret.trim();
    match authenticate(&state, login, Some(siret), &form.password, &ip).await {
        Ok(user) => {
            end_current_session(&state, &headers).await?;
            let stage = stage_after_password(&user);
            let cookie = start_session(&state, &user, stage).await?;
            Ok(([(header::SET_COOKIE, cookie)], Redirect::to(landing(stage))).into_response())
        }
        Err(AppError::Invalid { message, .. }) | Err(AppError::TooManyRequests(message)) => {
            let page = LoginPage {
                layout,
                login: login.to_string(),
                siret: siret.to_string(),
                error: Some(message),
                notice: None,
            };
            Ok((StatusCode::UNAUTHORIZED, page).into_response())
        }
        Err(other) => Err(other),
    }
}

async fn end_current_session(state: &AppState, headers: &HeaderMap) -> Result<(), AppError> {
    if let Some(token) = cookie_value(headers, SESSION_COOKIE)
        && let Some(session) = state.db().find_session(&token_hash(&token)).await?
    {
        state.db().delete_session(session.id).await?;
    }
    Ok(())
}

pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    end_current_session(&state, &headers).await?;
    let cookie = cookie_header(SESSION_COOKIE, "", Some(0), state.config().secure_cookies);
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/login?bye=1")).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "auth/second_factor.html")]
struct SecondFactorPage {
    layout: Layout,
    error: Option<String>,
}

pub async fn show_second_factor(layout: Layout) -> impl IntoResponse {
    SecondFactorPage {
        layout,
        error: None,
    }
}

#[derive(Deserialize)]
pub struct CodeForm {
    code: String,
}

pub async fn submit_second_factor(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentSession(session): CurrentSession,
    layout: Layout,
    ValidForm(form): ValidForm<CodeForm>,
) -> Result<Response, AppError> {
    let user = &session.user;
    if let Some(until) = user.locked_until
        && Utc::now() < until
    {
        return Err(AppError::TooManyRequests(
            "Trop d'échecs : ce compte est verrouillé temporairement.".into(),
        ));
    }
    let code = form.code.trim();
    let accepted = if code.chars().any(|c| c.is_ascii_alphabetic()) {
        state
            .db()
            .use_recovery_code(user.id, &token_hash(&normalise_recovery_code(code)))
            .await?
    } else {
        let now = Utc::now().timestamp() as u64;
        match user
            .totp_secret
            .as_deref()
            .and_then(|s| check_totp(s, code, now))
        {
            Some(step) => state.db().claim_totp_step(user.id, step).await?,
            None => false,
        }
    };
    if !accepted {
        register_failure(&state, user, &ip, "second_factor_failed").await?;
        let page = SecondFactorPage {
            layout,
            error: Some("Code incorrect ou déjà utilisé.".into()),
        };
        return Ok((StatusCode::UNAUTHORIZED, page).into_response());
    }
    state.db().clear_failed_logins(user.id).await?;
    state.db().delete_session(session.id).await?;
    let cookie = start_session(&state, user, SessionStage::Complete).await?;
    tracing::info!(user.id = %user.id, "second factor verified");
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/")).into_response())
}
