//! The JSON API under `/api/v1`, and `/healthz`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::authz::Principal;
use domain::org::{Centre, Professional, Sector, Team};
use serde_json::{Value, json};

use crate::auth::CurrentUser;
use crate::error::{ApiError, AppError};
use crate::state::AppState;

pub async fn healthz(State(state): State<AppState>) -> Response {
    match state.db().ping().await {
        Ok(()) => {
            Json(json!({"status": "ok", "database": state.db().backend_name()})).into_response()
        }
        Err(err) => {
            tracing::error!(error = %err, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"status": "indisponible", "database": state.db().backend_name()})),
            )
                .into_response()
        }
    }
}

pub async fn openapi_document() -> Json<Value> {
    Json(crate::openapi::document())
}

pub async fn show_me(CurrentUser(user): CurrentUser) -> Json<Principal> {
    Json(user)
}

pub async fn list_sectors(State(state): State<AppState>) -> Result<Json<Vec<Sector>>, ApiError> {
    Ok(Json(state.db().list_sectors().await?))
}

pub async fn list_centres(State(state): State<AppState>) -> Result<Json<Vec<Centre>>, ApiError> {
    Ok(Json(state.db().list_centres().await?))
}

pub async fn list_teams(State(state): State<AppState>) -> Result<Json<Vec<Team>>, ApiError> {
    Ok(Json(state.db().list_teams().await?))
}

pub async fn list_professionals(
    State(state): State<AppState>,
) -> Result<Json<Vec<Professional>>, ApiError> {
    Ok(Json(state.db().list_professionals().await?))
}

pub async fn verify_audit(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let report = state.db().verify_audit_chain().await?;
    Ok(Json(json!({
        "rows": report.rows,
        "intact": report.first_broken.is_none(),
        "first_broken": report.first_broken.map(|(id, reason)| json!({"id": id, "reason": reason})),
    })))
}

/// A JSON body whose malformed content is answered with a French problem document.
pub struct ApiJson<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> axum::extract::FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;
    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        use axum::extract::rejection::JsonRejection;
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(ApiJson(value)),
            Err(JsonRejection::JsonDataError(err)) => Err(ApiError(AppError::Invalid {
                field: None,
                message: format!(
                    "contenu JSON incomplet ou de mauvais type ({})",
                    err.body_text().rsplit(": ").next().unwrap_or_default()
                ),
            })),
            Err(JsonRejection::JsonSyntaxError(_)) => Err(ApiError(AppError::Invalid {
                field: None,
                message: "le corps n'est pas du JSON valide".into(),
            })),
            Err(JsonRejection::MissingJsonContentType(_)) => {
                Err(ApiError(AppError::UnsupportedMediaType(
                    "en-tête Content-Type: application/json attendu".into(),
                )))
            }
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(ApiError(AppError::PayloadTooLarge))
            }
            Err(_) => Err(ApiError(AppError::Invalid {
                field: None,
                message: "corps de requête illisible".into(),
            })),
        }
    }
}

#[derive(serde::Deserialize)]
pub struct NewTokenRequest {
    name: String,
    #[serde(default)]
    days: Option<i64>,
}

/// Creates a personal access token for the caller; the token is in the answer only.
pub async fn create_token(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiJson(request): ApiJson<NewTokenRequest>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let name = request.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(
            AppError::invalid("name", "nom du jeton obligatoire, 100 caractères au plus").into(),
        );
    }
    if let Some(days) = request.days
        && !(1..=3650).contains(&days)
    {
        return Err(AppError::invalid("days", "durée de validité entre 1 et 3650 jours").into());
    }
    if user.role.requires_second_factor() && !user.second_factor_verified {
        return Err(AppError::Forbidden(
            "activez la double authentification avant de créer un jeton".into(),
        )
        .into());
    }
    let token = format!("spsti_{}", crate::secrets::random_token());
    let expires = request
        .days
        .map(|d| chrono::Utc::now() + chrono::Duration::days(d));
    let id = state
        .db()
        .create_api_token(
            &store::Actor(user.login.clone()),
            user.user_id,
            name,
            &crate::secrets::token_hash(&token),
            &token[..12],
            expires,
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"id": id, "token": token, "expires_at": expires})),
    ))
}

#[derive(serde::Deserialize, Default)]
pub struct MemberSearch {
    #[serde(default)]
    q: String,
    #[serde(default)]
    team: String,
    #[serde(default)]
    page: Option<u32>,
    #[serde(default)]
    per_page: Option<u32>,
}

/// Active members matching a text (name, SIRET, city, NAF), one page at a time.
pub async fn list_establishments(
    State(state): State<AppState>,
    axum::extract::Query(search): axum::extract::Query<MemberSearch>,
) -> Result<Json<Value>, ApiError> {
    let page = search.page.unwrap_or(1).max(1);
    let per_page = search.per_page.unwrap_or(50).clamp(1, 200);
    let query = store::MemberQuery {
        text: crate::pages::non_empty(&search.q),
        team: crate::pages::non_empty(&search.team),
        sector: None,
        active: Some(true),
        page,
        per_page,
    };
    let (items, total) = state
        .db()
        .search_members(&query, crate::services::today())
        .await?;
    Ok(Json(
        json!({"total": total, "page": page, "per_page": per_page, "items": items}),
    ))
}

/// One establishment with its workforce declared for the current year.
pub async fn show_establishment(
    State(state): State<AppState>,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = crate::pages::members::parse_id(&id)?;
    let establishment = state.db().find_establishment(id).await?;
    let year = chrono::Datelike::year(&crate::services::today());
    let workforce = state
        .db()
        .find_latest_declaration(id, year)
        .await?
        .map(|d| d.workforce())
        .unwrap_or_default();
    Ok(Json(
        json!({"establishment": establishment, "year": year, "workforce": workforce}),
    ))
}
