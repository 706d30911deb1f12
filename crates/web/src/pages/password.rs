//! Password reset by e-mail: a single-use link valid 24 hours (invitations: 7 days).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Duration;
use domain::password::check_password_policy;
use serde::Deserialize;
use store::PURPOSE_RESET;

use super::ValidForm;
use crate::auth::ClientIp;
use crate::error::AppError;
use crate::layout::Layout;
use crate::secrets::{hash_password_async, random_token, token_hash};
use crate::state::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "auth/forgot.html")]
struct ForgotPage {
    layout: Layout,
    sent: bool,
}

pub async fn show_forgot(layout: Layout) -> impl IntoResponse {
    ForgotPage {
        layout,
        sent: false,
    }
}

#[derive(Deserialize)]
pub struct ForgotForm {
    login: String,
}

/// Sends a link when an account matches; the answer is the same either way, so that the
/// page does not tell which accounts exist.
pub async fn request_reset(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    layout: Layout,
    ValidForm(form): ValidForm<ForgotForm>,
) -> Result<Response, AppError> {
    let wanted = form.login.trim();
    let db = state.db();
    let user = match db.find_user_by_login(wanted).await? {
        Some(user) if user.active => Some(user),
        _ if wanted.contains('@') => db.find_user_by_email(wanted).await?,
        _ => None,
    };
    db.record_security_event(
        "password_reset_requested",
        Some(wanted),
        Some(&ip),
        if user.is_some() {
            "lien envoyé"
        } else {
            "aucun compte"
        },
    )
    .await?;
    if let Some(user) = user
        && let Some(email) = &user.email
    {
        let token = random_token();
        db.create_password_link(
            user.id,
            &token_hash(&token),
            PURPOSE_RESET,
            Duration::hours(24),
        )
        .await?;
        let link = format!("{}/password/reset/{token}", state.config().base_url);
        let mail = notify::OutgoingMail {
            to: email.clone(),
            subject: "Réinitialisation de votre mot de passe".into(),
            body: format!(
                "Bonjour {},\n\nPour choisir un nouveau mot de passe, ouvrez ce lien (valable 24 heures, une seule fois) :\n\n{link}\n\nSi vous n'êtes pas à l'origine de cette demande, ignorez ce message : votre mot de passe reste inchangé.\n\n{}\n",
                user.display_name,
                state.config().service_name
            ),
        };
        if let Err(err) = state.mailer().send(mail).await {
            tracing::error!(user.id = %user.id, error = %err, "password reset e-mail not sent");
        }
    }
    Ok(ForgotPage { layout, sent: true }.into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "auth/reset.html")]
struct ResetPage {
    layout: Layout,
    token: String,
    error: Option<String>,
}

fn link_gone() -> AppError {
    AppError::Gone("Ce lien a expiré ou a déjà été utilisé. Demandez un nouveau lien depuis « Mot de passe oublié ».".into())
}

pub async fn show_reset(
    State(state): State<AppState>,
    Path(token): Path<String>,
    layout: Layout,
) -> Result<Response, AppError> {
    if state
        .db()
        .find_password_link(&token_hash(&token))
        .await?
        .is_none()
    {
        return Err(link_gone());
    }
    Ok(ResetPage {
        layout,
        token,
        error: None,
    }
    .into_response())
}

#[derive(Deserialize)]
pub struct ResetForm {
    password: String,
    confirmation: String,
}

pub async fn submit_reset(
    State(state): State<AppState>,
    Path(token): Path<String>,
    layout: Layout,
    ValidForm(form): ValidForm<ResetForm>,
) -> Result<Response, AppError> {
    let problem = if form.password != form.confirmation {
        Some("Confirmation : les deux mots de passe ne sont pas identiques.".to_string())
    } else {
        check_password_policy(&form.password)
            .err()
            .map(|e| format!("Mot de passe : {e}."))
    };
    if let Some(error) = problem {
        let page = ResetPage {
            layout,
            token,
            error: Some(error),
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let hash = hash_password_async(form.password).await;
    match state
        .db()
        .reset_password_with_link(&token_hash(&token), &hash)
        .await
    {
        Ok(_) => Ok(Redirect::to("/login?reset=1").into_response()),
        Err(store::StoreError::NotFound) => Err(link_gone()),
        Err(other) => Err(other.into()),
    }
}
