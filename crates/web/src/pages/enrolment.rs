//! Enrolment of the TOTP second factor: QR code, confirmation by a first code, recovery codes.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde::Deserialize;
use store::{Actor, SessionStage};

use super::ValidForm;
use crate::auth::{CurrentSession, start_session};
use crate::error::AppError;
use crate::layout::Layout;
use crate::secrets::{check_totp, new_totp_secret, qr_svg, recovery_codes, totp_url};
use crate::state::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "account/enrolment.html")]
struct EnrolmentPage {
    layout: Layout,
    enabled: bool,
    required: bool,
    secret: String,
    qr_svg: String,
    error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "account/recovery_codes.html")]
struct RecoveryCodesPage {
    layout: Layout,
    codes: Vec<String>,
}

async fn enrolment_page(
    state: &AppState,
    session: &store::Session,
    layout: Layout,
    error: Option<String>,
) -> Result<EnrolmentPage, AppError> {
    let user = &session.user;
    if user.totp_enabled {
        return Ok(EnrolmentPage {
            layout,
            enabled: true,
            required: false,
            secret: String::new(),
            qr_svg: String::new(),
            error,
        });
    }
    // The pending secret survives a reload, so that a scanned code stays valid.
    let secret = match &user.totp_secret {
        Some(secret) => secret.clone(),
        None => {
            let secret = new_totp_secret();
            state.db().set_pending_totp_secret(user.id, &secret).await?;
            secret
        }
    };
    let url = totp_url(&secret, &user.login, &state.config().service_name)
        .ok_or_else(|| AppError::Internal("TOTP URL".into()))?;
    Ok(EnrolmentPage {
        layout,
        enabled: false,
        required: session.stage == SessionStage::MustEnrolSecondFactor,
        secret,
        qr_svg: qr_svg(&url).unwrap_or_default(),
        error,
    })
}

pub async fn show_enrolment(
    State(state): State<AppState>,
    CurrentSession(session): CurrentSession,
    layout: Layout,
) -> Result<Response, AppError> {
    Ok(enrolment_page(&state, &session, layout, None)
        .await?
        .into_response())
}

#[derive(Deserialize)]
pub struct CodeForm {
    code: String,
}

pub async fn confirm_enrolment(
    State(state): State<AppState>,
    CurrentSession(session): CurrentSession,
    layout: Layout,
    ValidForm(form): ValidForm<CodeForm>,
) -> Result<Response, AppError> {
    let user = &session.user;
    if user.totp_enabled {
        return Err(AppError::Conflict(
            "La double authentification est déjà active.".into(),
        ));
    }
    let now = Utc::now().timestamp() as u64;
    let step = user
        .totp_secret
        .as_deref()
        .and_then(|secret| check_totp(secret, &form.code, now));
    let Some(step) = step else {
        let page = enrolment_page(
            &state,
            &session,
            layout,
            Some("Code : incorrect, vérifiez l'heure de votre téléphone et réessayez.".into()),
        )
        .await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let codes = recovery_codes();
    let hashes: Vec<String> = codes.iter().map(|(_, hash)| hash.clone()).collect();
    state
        .db()
        .enable_totp(&Actor(user.login.clone()), user.id, step, &hashes)
        .await?;
    state.db().delete_session(session.id).await?;
    let cookie = start_session(&state, user, SessionStage::Complete).await?;
    let page = RecoveryCodesPage {
        layout,
        codes: codes.into_iter().map(|(code, _)| code).collect(),
    };
    Ok(([(header::SET_COOKIE, cookie)], page).into_response())
}
