//! Bad input: missing CSRF token, foreign origin, oversized body, malformed JSON, unknown
//! routes; French answers, the right status, nothing written.

use axum::body::Body;
use axum::http::{Method, StatusCode};
use domain::Role;

use crate::app_test;
use crate::helpers::PASSWORD;

app_test!(form_without_csrf_token_is_refused_and_logged, |app| {
    app.create_user("gus", Role::Assistant).await;
    let mut client = app.client();
    client.get("/login").await;
    let response = client
        .post_raw("/login", &[("login", "gus"), ("password", PASSWORD)])
        .await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert!(
        response.body.contains("jeton de sécurité"),
        "{}",
        response.body
    );
    assert!(!client.cookies.contains_key("spsti_session"));
    let wrong = client
        .post_raw(
            "/login",
            &[
                ("csrf_token", "forged"),
                ("login", "gus"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    assert!(
        app.db
            .db
            .list_security_events(5)
            .await
            .unwrap()
            .iter()
            .any(|e| e.kind == "csrf_rejected")
    );
});

app_test!(foreign_origin_is_refused, |app| {
    let mut client = app.client();
    client.get("/login").await;
    let csrf = client.csrf();
    let body = format!("csrf_token={csrf}&login=a&password=b");
    let response = client
        .send(
            Method::POST,
            "/login",
            Body::from(body),
            &[
                ("content-type", "application/x-www-form-urlencoded"),
                ("origin", "https://evil.example"),
            ],
        )
        .await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
});

app_test!(oversized_and_malformed_bodies_get_french_errors, |app| {
    let mut admin = app.login_as(Role::Admin).await;
    let csrf = admin.csrf();
    let huge = format!("csrf_token={csrf}&name={}", "a".repeat(2 * 1024 * 1024));
    let response = admin
        .send(
            Method::POST,
            "/account/tokens",
            Body::from(huge),
            &[("content-type", "application/x-www-form-urlencoded")],
        )
        .await;
    assert_eq!(response.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(response.body.contains("taille autorisée"));
    let malformed = admin
        .send(
            Method::POST,
            "/api/v1/tokens",
            Body::from("{not json"),
            &[
                ("content-type", "application/json"),
                ("x-csrf-token", &csrf),
            ],
        )
        .await;
    assert_eq!(malformed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        malformed.headers["content-type"],
        "application/problem+json"
    );
    assert_eq!(
        malformed.json()["detail"],
        "le corps n'est pas du JSON valide"
    );
    let not_json = admin
        .send(
            Method::POST,
            "/api/v1/tokens",
            Body::from("name=x"),
            &[("content-type", "text/plain"), ("x-csrf-token", &csrf)],
        )
        .await;
    assert_eq!(not_json.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(
        app.db
            .db
            .list_api_tokens(domain::ids::UserId(1))
            .await
            .unwrap()
            .is_empty()
    );
});

app_test!(unknown_pages_and_api_routes_answer_in_french, |app| {
    let mut client = app.login_as(Role::Assistant).await;
    let page = client.get("/nowhere").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.body.contains("Page introuvable"));
    let api = client.get("/api/v1/nowhere").await;
    assert_eq!(api.status, StatusCode::NOT_FOUND);
    assert_eq!(api.json()["title"], "Page introuvable");
    let mut anonymous = app.client();
    let unauthenticated = anonymous.get("/api/v1/me").await;
    assert_eq!(unauthenticated.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        unauthenticated.headers["content-type"],
        "application/problem+json"
    );
});

app_test!(pages_carry_security_headers_and_health_is_public, |app| {
    let mut client = app.client();
    let response = client.get("/healthz").await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.json()["status"], "ok");
    let login = app.client().get("/login").await;
    let csp = login.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"));
    assert_eq!(login.headers["x-frame-options"], "DENY");
    assert_eq!(login.headers["referrer-policy"], "same-origin");
    let cookie = login.headers["set-cookie"].to_str().unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
});

app_test!(
    openapi_document_lists_the_api_routes_with_their_roles,
    |app| {
        let mut client = app.client();
        let doc = client.get("/api/v1/openapi.json").await.json();
        assert_eq!(doc["openapi"], "3.1.0");
        assert_eq!(
            doc["paths"]["/api/v1/audit/verify"]["get"]["x-roles"],
            serde_json::json!(["admin"])
        );
        assert!(doc["paths"]["/api/v1/tokens"]["post"].is_object());
        assert!(doc["paths"].get("/login").is_none());
    }
);
