//! Personal access tokens: created on the page or the API, used as Bearer, revoked.

use axum::body::Body;
use axum::http::{Method, StatusCode};
use domain::Role;
use store::Actor;

use crate::app_test;

app_test!(
    token_created_on_the_page_authenticates_the_api_until_revoked,
    |app| {
        let mut director = app.login_as(Role::Director).await;
        let page = director
            .post_form("/account/tokens", &[("name", "Tableur"), ("days", "30")])
            .await;
        let token = page.text_of("new-token").expect("token shown once");
        assert!(token.starts_with("spsti_"));
        let mut tool = app.client();
        let auth = format!("Bearer {token}");
        let me = tool
            .send(
                Method::GET,
                "/api/v1/me",
                Body::empty(),
                &[("authorization", &auth)],
            )
            .await;
        assert_eq!(me.status, StatusCode::OK);
        assert_eq!(me.json()["role"], "director");
        // The token carries its user's role: no admin route.
        let audit = tool
            .send(
                Method::GET,
                "/api/v1/audit/verify",
                Body::empty(),
                &[("authorization", &auth)],
            )
            .await;
        assert_eq!(audit.status, StatusCode::FORBIDDEN);
        assert_eq!(audit.headers["content-type"], "application/problem+json");
        // The listing shows the prefix only.
        let list = director.get("/account/tokens").await;
        assert!(list.body.contains(&token[..12]) && !list.body.contains(&token));
        let id = app
            .db
            .db
            .list_api_tokens(
                me.json()["user_id"]
                    .as_i64()
                    .map(domain::ids::UserId)
                    .unwrap(),
            )
            .await
            .unwrap()[0]
            .id;
        let revoked = director
            .post_form(&format!("/account/tokens/{id}/revoke"), &[])
            .await;
        assert_eq!(revoked.location(), Some("/account/tokens"));
        let after = tool
            .send(
                Method::GET,
                "/api/v1/me",
                Body::empty(),
                &[("authorization", &auth)],
            )
            .await;
        assert_eq!(after.status, StatusCode::UNAUTHORIZED);
    }
);

app_test!(api_creates_a_token_from_json_and_checks_its_fields, |app| {
    let mut admin = app.login_as(Role::Admin).await;
    let csrf = admin.csrf();
    let created = admin
        .send(
            Method::POST,
            "/api/v1/tokens",
            Body::from(r#"{"name":"BI","days":7}"#),
            &[
                ("content-type", "application/json"),
                ("x-csrf-token", &csrf),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let token = created.json()["token"].as_str().unwrap().to_string();
    let mut tool = app.client();
    let auth = format!("Bearer {token}");
    let verify = tool
        .send(
            Method::GET,
            "/api/v1/audit/verify",
            Body::empty(),
            &[("authorization", &auth)],
        )
        .await;
    assert_eq!(verify.json()["intact"], true);
    let bad = admin
        .send(
            Method::POST,
            "/api/v1/tokens",
            Body::from(r#"{"name":"x","days":0}"#),
            &[
                ("content-type", "application/json"),
                ("x-csrf-token", &csrf),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json()["field"], "days");
});

app_test!(tokens_of_doctors_without_second_factor_are_refused, |app| {
    let db = &app.db.db;
    let id = db
        .insert_user(
            &Actor("t".into()),
            &store::NewUser {
                login: "nofactor".into(),
                display_name: "Dr Sans".into(),
                email: None,
                role: Role::Doctor,
                siret: None,
                professional_id: None,
                password_hash: None,
            },
        )
        .await
        .unwrap();
    db.create_api_token(
        &Actor("t".into()),
        id,
        "x",
        &web::secrets::token_hash("spsti_doctor"),
        "spsti_doctor",
        None,
    )
    .await
    .unwrap();
    let mut tool = app.client();
    let response = tool
        .send(
            Method::GET,
            "/api/v1/me",
            Body::empty(),
            &[("authorization", "Bearer spsti_doctor")],
        )
        .await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert!(
        response.json()["detail"]
            .as_str()
            .unwrap()
            .contains("double authentification")
    );
});
