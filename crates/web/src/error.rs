//! The web layer's one error type, mapped in one place to a status and a French page, or to an
//! `application/problem+json` document on the API. Internal details are logged, never shown.

use askama::Template;
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;
use store::StoreError;

#[derive(Debug)]
pub enum AppError {
    /// Not logged in: pages redirect to the login form, the API answers 401.
    Unauthenticated,
    /// Logged in but not allowed.
    Forbidden(String),
    NotFound,
    /// Bad input; `field` names the field in French.
    Invalid {
        field: Option<String>,
        message: String,
    },
    Conflict(String),
    TooManyRequests(String),
    PayloadTooLarge,
    Csrf,
    Gone(String),
    UnsupportedMediaType(String),
    Internal(String),
}

impl AppError {
    pub fn invalid(field: &str, message: impl Into<String>) -> AppError {
        AppError::Invalid {
            field: Some(field.to_string()),
            message: message.into(),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Gone(_) => StatusCode::GONE,
            AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn title(&self) -> &'static str {
        match self {
            AppError::Unauthenticated => "Connexion requise",
            AppError::Forbidden(_) => "Accès refusé",
            AppError::NotFound => "Page introuvable",
            AppError::Invalid { .. } => "Saisie invalide",
            AppError::Conflict(_) => "Conflit",
            AppError::TooManyRequests(_) => "Trop de tentatives",
            AppError::PayloadTooLarge => "Envoi trop volumineux",
            AppError::Csrf => "Jeton de sécurité invalide",
            AppError::Gone(_) => "Lien expiré",
            AppError::UnsupportedMediaType(_) => "Format non pris en charge",
            AppError::Internal(_) => "Erreur interne",
        }
    }

    /// The French explanation shown to the user.
    pub fn detail(&self) -> String {
        match self {
            AppError::Unauthenticated => "Veuillez vous connecter pour accéder à cette page.".into(),
            AppError::Forbidden(m) if !m.is_empty() => m.clone(),
            AppError::Forbidden(_) => "Votre rôle ne permet pas d'accéder à cette page.".into(),
            AppError::NotFound => "La ressource demandée n'existe pas ou ne vous est pas accessible.".into(),
            AppError::Invalid { field: Some(f), message } => format!("{f} : {message}"),
            AppError::Invalid { field: None, message } => message.clone(),
            AppError::Conflict(m) | AppError::TooManyRequests(m) | AppError::Gone(m) => m.clone(),
            AppError::UnsupportedMediaType(m) => m.clone(),
            AppError::PayloadTooLarge => "Le contenu envoyé dépasse la taille autorisée (1 Mio).".into(),
            AppError::Csrf => {
                "Le jeton de sécurité du formulaire est absent ou invalide. Rechargez la page puis recommencez."
                    .into()
            }
            AppError::Internal(_) => {
                "Une erreur inattendue s'est produite. Elle a été enregistrée ; réessayez plus tard.".into()
            }
        }
    }

    fn log(&self) {
        if let AppError::Internal(detail) = self {
            tracing::error!(error = %detail, "internal error");
        }
    }

    /// The API form: `application/problem+json` (RFC 9457).
    pub fn into_problem(self) -> Response {
        self.log();
        let status = self.status();
        let mut body = json!({
            "type": "about:blank",
            "title": self.title(),
            "status": status.as_u16(),
            "detail": self.detail(),
        });
        if let AppError::Invalid { field: Some(f), .. } = &self {
            body["field"] = json!(f);
        }
        let mut response = (status, Json(body)).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        response
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.detail())
    }
}

impl From<StoreError> for AppError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Conflict(m) => AppError::Conflict(m),
            StoreError::Invalid(m) => AppError::Invalid {
                field: None,
                message: m,
            },
            other => AppError::Internal(other.to_string()),
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    title: &'a str,
    detail: String,
    status: u16,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Unauthenticated = self {
            return Redirect::to("/login").into_response();
        }
        self.log();
        let status = self.status();
        let page = ErrorPage {
            title: self.title(),
            detail: self.detail(),
            status: status.as_u16(),
        };
        match page.render() {
            Ok(html) => (status, axum::response::Html(html)).into_response(),
            Err(_) => (status, self.detail()).into_response(),
        }
    }
}

/// An error answered as problem+json, for API handlers.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(err: E) -> Self {
        ApiError(err.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.into_problem()
    }
}

/// The error answer for a path: problem+json under `/api/`, a page elsewhere.
pub fn error_for_path(path: &str, err: AppError) -> Response {
    if path.starts_with("/api/") {
        err.into_problem()
    } else {
        err.into_response()
    }
}
