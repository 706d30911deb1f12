//! HTML pages. Handlers are thin: extract, call the store or a service, render.

pub mod actions;
pub mod admin;
pub mod agenda;
pub mod assets;
pub mod awareness;
pub mod coverage;
pub mod declarations;
pub mod enrolment;
pub mod fiches;
pub mod followup;
pub mod home;
pub mod imports;
pub mod indicators;
pub mod invoices;
pub mod login;
pub mod medical;
pub mod members;
pub mod messages;
pub mod organisation;
pub mod password;
pub mod pdp;
pub mod planner;
pub mod portability;
pub mod portal;
pub mod portal_programmes;
pub mod programme_exchanges;
pub mod programmes;
pub mod queues;
pub mod schema;
pub mod tokens;
pub mod workers;

use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

use crate::error::AppError;

/// A form whose malformed body is answered in French.
pub struct ValidForm<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ValidForm<T> {
    type Rejection = AppError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        // serde_html_form reads repeated fields (checkboxes) into lists.
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|_| AppError::PayloadTooLarge)?;
        serde_html_form::from_bytes(&bytes)
            .map(ValidForm)
            .map_err(|_| AppError::Invalid {
                field: None,
                message: "formulaire incomplet ou mal formé".into(),
            })
    }
}

/// A page that shows a form again: 422 when it carries an error, 200 otherwise.
pub fn form_response(
    page: impl axum::response::IntoResponse,
    failed: bool,
) -> axum::response::Response {
    let status = if failed {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    axum::response::IntoResponse::into_response((status, page))
}

/// Trims a form field and turns an empty one into `None`.
pub fn non_empty(value: &str) -> Option<String> {
    let trimmed = value.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_string())
}

/// Dates and times shown to users: Europe/Paris is approximated by the server's clock in
/// UTC until time-zone data arrives with the agenda module; the suffix says so.
pub fn format_time(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%d/%m/%Y %H:%M UTC").to_string()
}

/// A file to download or show (`disposition`: `inline` or `attachment`).
pub fn file_response(
    content_type: &str,
    disposition: &str,
    filename: &str,
    bytes: Vec<u8>,
) -> axum::response::Response {
    axum::response::IntoResponse::into_response((
        [
            (axum::http::header::CONTENT_TYPE, content_type.to_string()),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("{disposition}; filename=\"{filename}\""),
            ),
        ],
        bytes,
    ))
}

/// After a change: to `to` when it was made; the page again with the French message when it
/// was refused (bad input, a conflict); any other error as it is.
pub async fn redirect_or_show<F, Fut>(
    result: Result<(), AppError>,
    to: &str,
    show: F,
) -> Result<axum::response::Response, AppError>
where
    F: FnOnce(String) -> Fut,
    Fut: std::future::Future<Output = Result<axum::response::Response, AppError>>,
{
    match result {
        Ok(()) => Ok(axum::response::IntoResponse::into_response(
            axum::response::Redirect::to(to),
        )),
        Err(err @ (AppError::Invalid { .. } | AppError::Conflict(_))) => show(err.detail()).await,
        Err(other) => Err(other),
    }
}
