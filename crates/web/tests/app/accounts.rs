//! Accounts created by an administrator: invitation e-mail, password chosen through the link.

use axum::http::StatusCode;
use domain::Role;

use crate::app_test;

app_test!(
    admin_invites_an_employer_who_sets_a_password_and_logs_in,
    |app| {
        let mut admin = app.login_as(Role::Admin).await;
        let invited = admin
            .post_form(
                "/admin/users",
                &[
                    ("login", "rh.boulangerie"),
                    ("display_name", "Service RH"),
                    ("email", "rh@boulangerie.example"),
                    ("role", "employer"),
                    ("siret", "73282932000074"),
                ],
            )
            .await;
        assert_eq!(invited.status, StatusCode::OK, "{}", invited.body);
        assert!(
            invited
                .body
                .contains("Invitation envoyée à rh@boulangerie.example")
        );
        let mail = app.sent_mail().pop().unwrap();
        assert!(mail.body.contains("73282932000074"));
        let link = mail
            .body
            .lines()
            .find(|l| l.contains("/password/reset/"))
            .unwrap();
        let path = link.trim_start_matches("http://spsti.test").to_string();
        let mut employer = app.client();
        employer.get(&path).await;
        let set = employer
            .post_form(
                &path,
                &[
                    ("password", "pain au chocolat 2026"),
                    ("confirmation", "pain au chocolat 2026"),
                ],
            )
            .await;
        assert_eq!(set.location(), Some("/login?reset=1"));
        let login = employer
            .post_form(
                "/login",
                &[
                    ("login", "rh@boulangerie.example"),
                    ("siret", "73282932000074"),
                    ("password", "pain au chocolat 2026"),
                ],
            )
            .await;
        assert_eq!(login.location(), Some("/"));
        // The audit trail recorded the creation.
        let audit = app.db.db.list_recent_audit(5).await.unwrap();
        assert!(
            audit
                .iter()
                .any(|r| r.entity == "user" && r.action == "create")
        );
    }
);

app_test!(
    invitation_with_bad_input_names_the_field_and_writes_nothing,
    |app| {
        let mut admin = app.login_as(Role::Admin).await;
        let before = app.db.db.list_users().await.unwrap().len();
        let cases = [
            (
                vec![
                    ("login", "x"),
                    ("display_name", "X"),
                    ("email", "x@example.org"),
                    ("role", "employer"),
                    ("siret", "12345678901234"),
                ],
                "SIRET",
            ),
            (
                vec![
                    ("login", "y"),
                    ("display_name", "Y"),
                    ("email", "y@example.org"),
                    ("role", "employer"),
                    ("siret", ""),
                ],
                "SIRET",
            ),
            (
                vec![
                    ("login", "z"),
                    ("display_name", "Z"),
                    ("email", "pas-une-adresse"),
                    ("role", "assistant"),
                ],
                "E-mail",
            ),
            (
                vec![
                    ("login", "é t"),
                    ("display_name", "W"),
                    ("email", "w@example.org"),
                    ("role", "assistant"),
                ],
                "Identifiant",
            ),
            (
                vec![
                    ("login", "v"),
                    ("display_name", "V"),
                    ("email", "v@example.org"),
                    ("role", "chef"),
                ],
                "Rôle",
            ),
        ];
        for (fields, field) in cases {
            let response = admin.post_form("/admin/users", &fields).await;
            assert_eq!(
                response.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{field}: {}",
                response.body
            );
            assert!(
                response.body.contains(field),
                "{field} named: {}",
                response.body
            );
        }
        assert_eq!(app.db.db.list_users().await.unwrap().len(), before);
        assert!(app.sent_mail().is_empty());
    }
);
