//! Personal access tokens: list, create (shown once), revoke.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Duration, Utc};
use domain::ids::TokenId;
use serde::Deserialize;
use store::Actor;

use super::{ValidForm, format_time, non_empty};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::layout::Layout;
use crate::secrets::{random_token, token_hash};
use crate::state::AppState;

pub struct TokenRow {
    pub id: i64,
    pub name: String,
    pub prefix: String,
    pub created: String,
    pub expires: String,
    pub last_used: String,
    pub state: &'static str,
    pub active: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "account/tokens.html")]
struct TokensPage {
    layout: Layout,
    tokens: Vec<TokenRow>,
    new_token: Option<String>,
    error: Option<String>,
}

async fn page(
    state: &AppState,
    user: &domain::authz::Principal,
    layout: Layout,
    new_token: Option<String>,
    error: Option<String>,
) -> Result<TokensPage, AppError> {
    let now = Utc::now();
    let tokens = state
        .db()
        .list_api_tokens(user.user_id)
        .await?
        .into_iter()
        .map(|t| {
            let (state, active) = match (t.revoked_at, t.expires_at) {
                (Some(_), _) => ("révoqué", false),
                (None, Some(exp)) if exp <= now => ("expiré", false),
                _ => ("actif", true),
            };
            TokenRow {
                id: t.id.0,
                name: t.name,
                prefix: t.prefix,
                created: format_time(t.created_at),
                expires: t
                    .expires_at
                    .map(format_time)
                    .unwrap_or_else(|| "jamais".into()),
                last_used: t
                    .last_used_at
                    .map(format_time)
                    .unwrap_or_else(|| "—".into()),
                state,
                active,
            }
        })
        .collect();
    Ok(TokensPage {
        layout,
        tokens,
        new_token,
        error,
    })
}

pub async fn list_tokens(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
) -> Result<Response, AppError> {
    Ok(page(&state, &user, layout, None, None)
        .await?
        .into_response())
}

#[derive(Deserialize)]
pub struct NewTokenForm {
    name: String,
    #[serde(default)]
    days: String,
}

pub async fn create_token(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
    ValidForm(form): ValidForm<NewTokenForm>,
) -> Result<Response, AppError> {
    let problem = match (
        non_empty(&form.name),
        non_empty(&form.days).map(|d| d.parse::<i64>()),
    ) {
        (None, _) => Some("Nom du jeton : obligatoire.".to_string()),
        (Some(name), _) if name.chars().count() > 100 => {
            Some("Nom du jeton : 100 caractères au plus.".into())
        }
        (_, Some(Err(_))) | (_, Some(Ok(..=0))) | (_, Some(Ok(3651..))) => {
            Some("Durée de validité : un nombre de jours entre 1 et 3650, ou vide.".into())
        }
        _ if user.role.requires_second_factor() && !user.second_factor_verified => {
            Some("Activez la double authentification avant de créer un jeton.".into())
        }
        _ => None,
    };
    if let Some(error) = problem {
        let page = page(&state, &user, layout, None, Some(error)).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let days = non_empty(&form.days).and_then(|d| d.parse::<i64>().ok());
    let token = format!("spsti_{}", random_token());
    let expires = days.map(|d| Utc::now() + Duration::days(d));
    state
        .db()
        .create_api_token(
            &Actor(user.login.clone()),
            user.user_id,
            form.name.trim(),
            &token_hash(&token),
            &token[..12],
            expires,
        )
        .await?;
    Ok(page(&state, &user, layout, Some(token), None)
        .await?
        .into_response())
}

pub async fn revoke_token(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    state
        .db()
        .revoke_api_token(&Actor(user.login.clone()), user.user_id, TokenId(id))
        .await?;
    Ok(Redirect::to("/account/tokens").into_response())
}
