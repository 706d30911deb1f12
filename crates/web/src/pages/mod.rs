//! HTML pages. Handlers are thin: extract, call the store or a service, render.

pub mod admin;
pub mod assets;
pub mod enrolment;
pub mod home;
pub mod login;
pub mod organisation;
pub mod password;
pub mod tokens;

use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

use crate::error::AppError;

/// A form whose malformed body is answered in French.
pub struct ValidForm<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ValidForm<T> {
    type Rejection = AppError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Form::<T>::from_request(req, state).await {
            Ok(axum::Form(value)) => Ok(ValidForm(value)),
            Err(rejection) if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                Err(AppError::PayloadTooLarge)
            }
            Err(_) => Err(AppError::Invalid {
                field: None,
                message: "formulaire incomplet ou mal formé".into(),
            }),
        }
    }
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
