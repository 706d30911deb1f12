//! CSRF protection: every request gets a random token in an HttpOnly, SameSite=Strict cookie;
//! a state-changing request sent with cookies must repeat it (form field `csrf_token`, or the
//! `X-CSRF-Token` header for JSON) and, when the browser says where it comes from, come from
//! this site. Requests authenticated by a bearer token carry no ambient credential and are
//! exempt, but API writes must be JSON.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::auth::{CSRF_COOKIE, cookie_header, cookie_value};
use crate::error::{AppError, error_for_path};
use crate::secrets::random_token;
use crate::state::AppState;

/// Largest request body accepted (forms and JSON).
pub const BODY_LIMIT: usize = 1024 * 1024;

/// Largest file accepted where data files are uploaded (imports, payroll files).
pub const UPLOAD_LIMIT: usize = 64 * 1024 * 1024;

/// Paths that receive data files, with the larger limit.
pub fn is_upload(path: &str) -> bool {
    matches!(path, "/admin/imports" | "/portal/dsn")
        || (path.starts_with("/portal/programmes/") && path.ends_with("/attachments"))
}

/// The request's CSRF token, for templates.
#[derive(Debug, Clone)]
pub struct CsrfToken(pub String);

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn same_origin(headers: &HeaderMap, base_url: &str) -> bool {
    // Browsers send "null" for privacy reasons (some referrer policies, extensions): the
    // token then decides alone.
    let Some(origin) = headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .filter(|o| *o != "null")
    else {
        return true;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let origin_host = origin.split("://").nth(1).unwrap_or_default();
    origin == base_url || (!host.is_empty() && origin_host == host)
}

pub async fn protect(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    let existing = cookie_value(request.headers(), CSRF_COOKIE).filter(|t| t.len() >= 32);
    let token = existing.clone().unwrap_or_else(random_token);
    let (mut parts, body) = request.into_parts();
    parts.extensions.insert(CsrfToken(token.clone()));

    let unsafe_method = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    let request = if unsafe_method {
        match check(&state, &parts, body, &token, existing.is_some()).await {
            Ok(body) => Request::from_parts(parts, body),
            Err(err) => {
                if matches!(err, AppError::Csrf) {
                    let _ = state
                        .db()
                        .record_security_event(
                            "csrf_rejected",
                            None,
                            None,
                            &format!("{} {path}", parts.method),
                        )
                        .await;
                }
                return error_for_path(&path, err);
            }
        }
    } else {
        Request::from_parts(parts, body)
    };
    let mut response = next.run(request).await;
    if existing.is_none() {
        response.headers_mut().append(
            header::SET_COOKIE,
            cookie_header(CSRF_COOKIE, &token, None, state.config().secure_cookies),
        );
    }
    response
}

/// The `csrf_token` field of a multipart form (file uploads), read from the buffered body.
async fn multipart_token(content_type: &str, bytes: axum::body::Bytes) -> Option<String> {
    use axum::extract::{FromRequest, Multipart};
    let request = axum::http::Request::builder()
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(bytes))
        .ok()?;
    let mut form = Multipart::from_request(request, &()).await.ok()?;
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some("csrf_token") {
            return field.text().await.ok();
        }
    }
    None
}

/// Checks a state-changing request and gives its body back.
async fn check(
    state: &AppState,
    parts: &axum::http::request::Parts,
    body: Body,
    token: &str,
    had_cookie: bool,
) -> Result<Body, AppError> {
    let headers = &parts.headers;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let is_api = parts.uri.path().starts_with("/api/");
    if is_api && !content_type.starts_with("application/json") {
        return Err(AppError::UnsupportedMediaType(
            "les écritures de l'API attendent un corps JSON (Content-Type: application/json)"
                .into(),
        ));
    }
    if headers.contains_key(header::AUTHORIZATION) {
        return Ok(body);
    }
    if !same_origin(headers, &state.config().base_url) {
        return Err(AppError::Csrf);
    }
    if let Some(header_token) = headers.get("x-csrf-token").and_then(|v| v.to_str().ok()) {
        return if had_cookie && constant_time_eq(header_token, token) {
            Ok(body)
        } else {
            Err(AppError::Csrf)
        };
    }
    if content_type.starts_with("multipart/form-data") {
        let limit = if is_upload(parts.uri.path()) {
            UPLOAD_LIMIT
        } else {
            BODY_LIMIT
        };
        let bytes = to_bytes(body, limit)
            .await
            .map_err(|_| AppError::PayloadTooLarge)?;
        // The boundary is case-sensitive: parse with the header as sent.
        let sent_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let sent = multipart_token(sent_type, bytes.clone()).await;
        return match sent {
            Some(sent) if had_cookie && constant_time_eq(&sent, token) => Ok(Body::from(bytes)),
            _ => Err(AppError::Csrf),
        };
    }
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return Err(AppError::Csrf);
    }
    let bytes = to_bytes(body, BODY_LIMIT)
        .await
        .map_err(|_| AppError::PayloadTooLarge)?;
    let sent = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
        .ok()
        .and_then(|fields| {
            fields
                .into_iter()
                .find(|(k, _)| k == "csrf_token")
                .map(|(_, v)| v)
        });
    match sent {
        Some(sent) if had_cookie && constant_time_eq(&sent, token) => Ok(Body::from(bytes)),
        _ => Err(AppError::Csrf),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comparison_is_exact() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "ab"));
    }

    #[test]
    fn foreign_origin_is_refused() {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, "127.0.0.1:8080".parse().unwrap());
        assert!(same_origin(&headers, "http://127.0.0.1:8080"));
        headers.insert(header::ORIGIN, "http://127.0.0.1:8080".parse().unwrap());
        assert!(same_origin(&headers, "http://other"));
        headers.insert(header::ORIGIN, "https://evil.example".parse().unwrap());
        assert!(!same_origin(&headers, "http://127.0.0.1:8080"));
    }
}
