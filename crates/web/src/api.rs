//! The JSON API under `/api/v1`, and `/healthz`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::authz::Principal;
use domain::org::{Centre, Professional, Sector, Team};
use serde_json::{Value, json};

use crate::auth::CurrentUser;
use crate::error::ApiError;
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
