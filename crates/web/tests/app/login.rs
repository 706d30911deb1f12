//! Login journeys: password, lockout, second factor, sessions, password reset.

use axum::http::StatusCode;
use domain::Role;
use store::Db;

use crate::app_test;
use crate::helpers::{PASSWORD, current_code, next_code};

app_test!(
    wrong_password_and_unknown_user_get_the_same_french_message,
    |app| {
        app.create_user("anne", Role::Assistant).await;
        let mut client = app.client();
        let wrong = client.login("anne", "not the password").await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            wrong.text_of("login-error").as_deref(),
            Some("Identifiant ou mot de passe incorrect.")
        );
        let unknown = client.login("nobody", "whatever").await;
        assert_eq!(unknown.text_of("login-error"), wrong.text_of("login-error"));
        assert!(!client.cookies.contains_key("spsti_session"));
        let kinds: Vec<String> = app
            .db
            .db
            .list_security_events(10)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.kind)
            .collect();
        assert!(
            kinds.contains(&"login_bad_password".to_string())
                && kinds.contains(&"login_unknown_user".to_string()),
            "{kinds:?}"
        );
    }
);

app_test!(
    account_is_locked_after_five_failures_even_with_the_right_password,
    |app| {
        app.create_user("bob", Role::Preventer).await;
        let mut client = app.client();
        for _ in 0..5 {
            assert_eq!(
                client.login("bob", "bad password!").await.status,
                StatusCode::UNAUTHORIZED
            );
        }
        let locked = client.login("bob", PASSWORD).await;
        assert_eq!(locked.status, StatusCode::UNAUTHORIZED);
        assert!(locked.body.contains("verrouillé"), "{}", locked.body);
        assert!(
            app.db
                .db
                .list_security_events(20)
                .await
                .unwrap()
                .iter()
                .any(|e| e.kind == "login_locked")
        );
    }
);

app_test!(an_address_with_too_many_failures_is_slowed_down, |app| {
    let mut client = app.client();
    client.ip = "198.51.100.7".into();
    for i in 0..20 {
        client.login(&format!("guess{i}"), "x").await;
    }
    let throttled = client.login("guess", "x").await;
    assert!(
        throttled
            .body
            .contains("Trop de tentatives depuis votre adresse"),
        "{}",
        throttled.body
    );
    // Another address is not affected.
    let mut other = app.client();
    other.ip = "198.51.100.8".into();
    assert!(
        other
            .login("guess", "x")
            .await
            .body
            .contains("Identifiant ou mot de passe incorrect")
    );
});

app_test!(session_id_is_renewed_at_login_and_ended_at_logout, |app| {
    app.create_user("carla", Role::Director).await;
    let mut client = app.client();
    client.login("carla", PASSWORD).await;
    let first = client.cookies["spsti_session"].clone();
    client.login("carla", PASSWORD).await;
    let second = client.cookies["spsti_session"].clone();
    assert_ne!(first, second);
    let home = client.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert_eq!(
        home.text_of("role-greeting").as_deref(),
        Some("Espace Direction")
    );
    let out = client.post_form("/logout", &[]).await;
    assert_eq!(out.location(), Some("/login?bye=1"));
    assert_eq!(client.get("/").await.location(), Some("/login"));
});

app_test!(idle_session_expires, |app| {
    app.create_user("dan", Role::Assistant).await;
    let mut client = app.client();
    client.login("dan", PASSWORD).await;
    let old = chrono::Utc::now() - chrono::Duration::minutes(31);
    match &app.db.db {
        Db::Sqlite(p) => {
            sqlx::query("UPDATE sessions SET last_seen_at = $1")
                .bind(old)
                .execute(p)
                .await
                .unwrap();
        }
        Db::Postgres(p) => {
            sqlx::query("UPDATE sessions SET last_seen_at = $1")
                .bind(old)
                .execute(p)
                .await
                .unwrap();
        }
    }
    assert_eq!(client.get("/").await.location(), Some("/login"));
});

app_test!(
    doctor_enrols_second_factor_then_logs_in_with_a_code_used_once,
    |app| {
        let db = &app.db.db;
        db.insert_user(
            &store::Actor("t".into()),
            &store::NewUser {
                login: "doc".into(),
                display_name: "Dr Who".into(),
                email: Some("doc@example.org".into()),
                role: Role::Doctor,
                siret: None,
                professional_id: None,
                password_hash: Some(web::secrets::hash_password(PASSWORD)),
            },
        )
        .await
        .unwrap();
        let mut client = app.client();
        let login = client.login("doc", PASSWORD).await;
        assert_eq!(login.location(), Some("/account/2fa"));
        // Nothing else is reachable before enrolment.
        assert_eq!(client.get("/").await.location(), Some("/account/2fa"));
        assert_eq!(
            client.get("/api/v1/me").await.location(),
            Some("/account/2fa")
        );
        let page = client.get("/account/2fa").await;
        assert!(page.body.contains("<svg"), "QR code shown");
        let secret = page.text_of("totp-secret").unwrap();
        let wrong = client
            .post_form("/account/2fa", &[("code", "000000")])
            .await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        let enrolled = client
            .post_form("/account/2fa", &[("code", &current_code(&secret))])
            .await;
        assert_eq!(enrolled.status, StatusCode::OK);
        let codes = enrolled.text_of("recovery-codes").unwrap();
        let recovery: Vec<&str> = codes.split_whitespace().collect();
        assert_eq!(recovery.len(), 10);
        assert_eq!(client.get("/").await.status, StatusCode::OK);

        // Next login: password, then a TOTP code; the same code replayed is refused.
        let mut again = app.client();
        assert_eq!(
            again.login("doc", PASSWORD).await.location(),
            Some("/login/2fa")
        );
        assert_eq!(again.get("/").await.location(), Some("/login/2fa"));
        let code = next_code(&secret);
        assert_eq!(
            again
                .post_form("/login/2fa", &[("code", &code)])
                .await
                .location(),
            Some("/")
        );
        let mut replay = app.client();
        replay.login("doc", PASSWORD).await;
        let replayed = replay.post_form("/login/2fa", &[("code", &code)]).await;
        assert_eq!(replayed.status, StatusCode::UNAUTHORIZED);
        assert!(replayed.body.contains("Code incorrect ou déjà utilisé"));
        // A recovery code works once.
        assert_eq!(
            replay
                .post_form("/login/2fa", &[("code", recovery[0])])
                .await
                .location(),
            Some("/")
        );
        let mut third = app.client();
        third.login("doc", PASSWORD).await;
        assert_eq!(
            third
                .post_form("/login/2fa", &[("code", recovery[0])])
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
    }
);

app_test!(password_reset_by_email_link_works_once, |app| {
    app.create_user("eve", Role::Assistant).await;
    let mut client = app.client();
    let sent = client
        .post_form("/password/forgot", &[("login", "eve")])
        .await;
    assert!(sent.text_of("reset-sent").is_some());
    // Same answer for an unknown account, and no e-mail for it.
    let unknown = client
        .post_form("/password/forgot", &[("login", "ghost")])
        .await;
    assert!(unknown.text_of("reset-sent").is_some());
    let mails = app.sent_mail();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, "eve@example.org");
    let link = mails[0]
        .body
        .lines()
        .find(|l| l.starts_with("http://spsti.test/password/reset/"))
        .unwrap();
    let path = link.trim_start_matches("http://spsti.test");
    assert_eq!(client.get(path).await.status, StatusCode::OK);
    let mismatch = client
        .post_form(
            path,
            &[("password", "new password 2026"), ("confirmation", "other")],
        )
        .await;
    assert_eq!(mismatch.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(mismatch.body.contains("Confirmation"));
    let weak = client
        .post_form(path, &[("password", "short"), ("confirmation", "short")])
        .await;
    assert!(weak.body.contains("au moins 12 caractères"));
    let done = client
        .post_form(
            path,
            &[
                ("password", "new password 2026"),
                ("confirmation", "new password 2026"),
            ],
        )
        .await;
    assert_eq!(done.location(), Some("/login?reset=1"));
    assert_eq!(
        client.login("eve", "new password 2026").await.location(),
        Some("/")
    );
    let reused = client.get(path).await;
    assert_eq!(reused.status, StatusCode::GONE);
    assert!(reused.body.contains("expiré ou a déjà été utilisé"));
});

app_test!(expired_reset_link_is_refused, |app| {
    let user = app.create_user("finn", Role::Assistant).await;
    let token = "expired-token-value";
    app.db
        .db
        .create_password_link(
            user.id,
            &web::secrets::token_hash(token),
            "reset",
            chrono::Duration::hours(-25),
        )
        .await
        .unwrap();
    let mut client = app.client();
    assert_eq!(
        client.get(&format!("/password/reset/{token}")).await.status,
        StatusCode::GONE
    );
    let post = client
        .post_form(
            &format!("/password/reset/{token}"),
            &[
                ("password", "new password 2026"),
                ("confirmation", "new password 2026"),
            ],
        )
        .await;
    assert_eq!(post.status, StatusCode::GONE);
});

app_test!(employer_logs_in_with_siret_and_email, |app| {
    app.create_user("boss", Role::Employer).await;
    let mut client = app.client();
    let wrong_siret = client
        .post_form(
            "/login",
            &[
                ("login", "boss@example.org"),
                ("siret", "35600000049837"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(wrong_siret.status, StatusCode::UNAUTHORIZED);
    let ok = client
        .post_form(
            "/login",
            &[
                ("login", "boss@example.org"),
                ("siret", "73282932000074"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(ok.location(), Some("/"));
    assert_eq!(
        client.get("/").await.text_of("role-greeting").as_deref(),
        Some("Espace Employeur")
    );
    assert_eq!(
        client.get("/organisation").await.status,
        StatusCode::FORBIDDEN
    );
});
