//! The professional's day, recording a visit, the medical file and its reason outside the
//! team, through the pages; medical content never reaches non-medical roles.

use axum::http::StatusCode;
use domain::Role;
use domain::ids::WorkerId;
use store::{Actor, NewBooking};

use crate::agenda::{hire, open_agenda};
use crate::app_test;
use crate::members::{create_member, organisation};

const CANARY: &str = "CANARI-MEDICAL-7731";

app_test!(
    a_nurse_records_a_visit_and_medical_content_stays_medical,
    |app| {
        organisation(app).await;
        let (nurse, _) = open_agenda(app).await;
        let mut assistant = app.login_as(Role::Assistant).await;
        let bakery = create_member(&mut assistant, "73282932000074", "Boulangerie Émile").await;
        let worker = hire(app, bakery, "Arnaud", Some("arnaud@example.org")).await;
        let db = &app.db.db;
        let today = store::today();
        let slot = db.list_slots(nurse, today, today).await.unwrap()[0].id;
        let appointment = db
            .book_appointment(
                &Actor("t".into()),
                &NewBooking {
                    slot_id: slot,
                    worker_id: worker,
                    establishment_id: bakery,
                    kind: "VIP_INITIAL".into(),
                    subtype: String::new(),
                    replaces_id: None,
                },
                today,
                &app.state.message_context(),
            )
            .await
            .unwrap();

        let mut ide = app.login_linked(Role::Nurse, Some(nurse)).await;
        let day = ide.get("/my-day").await;
        assert_eq!(day.status, StatusCode::OK);
        assert!(
            day.body
                .contains(&format!("/appointments/{appointment}/visit")),
            "{}",
            day.body
        );
        let form = ide.get(&format!("/appointments/{appointment}/visit")).await;
        assert_eq!(form.status, StatusCode::OK);

        let path = format!("/appointments/{appointment}/visit");
        let fields = |outcome: &'static str, height: &'static str, confirm: bool| {
            let mut f = vec![
                ("kind", "VIP_INITIAL"),
                ("outcome", outcome),
                (
                    "section_findings",
                    "Examen sans particularité CANARI-MEDICAL-7731",
                ),
                ("height_cm", height),
                ("weight_kg", "70,5"),
                ("next_visit_months", "36"),
                ("referral", ""),
                ("duration_min", "20"),
            ];
            if confirm {
                f.push(("confirm_measurements", "1"));
            }
            f
        };
        let opinion = ide.post_form(&path, &fields("fit", "175", false)).await;
        assert_eq!(opinion.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(opinion.body.contains("seul le médecin"), "{}", opinion.body);
        let typo = ide
            .post_form(&path, &fields("follow_up_certificate", "17", false))
            .await;
        assert_eq!(typo.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(typo.body.contains("Je confirme ces valeurs"));
        let saved = ide
            .post_form(&path, &fields("follow_up_certificate", "17", true))
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        let twice = ide
            .post_form(&path, &fields("follow_up_certificate", "175", false))
            .await;
        assert!(twice.body.contains("déjà enregistrée"), "{}", twice.body);

        let file = ide.get(&format!("/workers/{worker}/medical")).await;
        assert_eq!(file.status, StatusCode::OK);
        assert!(file.body.contains(CANARY));
        assert!(file.body.contains("attestation de suivi"));

        // Non-medical roles: refused on the medical routes, and the canary nowhere else.
        for role in [
            Role::Admin,
            Role::Assistant,
            Role::Director,
            Role::Preventer,
            Role::Employer,
        ] {
            let mut client = app.login_as(role).await;
            let refused = client.get(&format!("/workers/{worker}/medical")).await;
            assert_eq!(refused.status, StatusCode::FORBIDDEN, "{role:?}");
            for page in [
                format!("/workers/{worker}"),
                format!("/agenda?professional={nurse}"),
                "/portal/appointments".to_string(),
                "/outbox".to_string(),
                format!("/api/v1/agenda?professional={nurse}"),
            ] {
                let response = client.get(&page).await;
                assert!(
                    !response.body.contains(CANARY),
                    "{role:?} saw the canary on {page}"
                );
            }
        }

        // A doctor of no team must give a reason; it is traced with the file.
        let mut other = app.login_as(Role::Doctor).await;
        let asked = other.get(&format!("/workers/{worker}/medical")).await;
        assert_eq!(asked.status, StatusCode::FORBIDDEN);
        assert!(asked.body.contains("indiquez le motif"));
        let short = other
            .post_form(
                &format!("/workers/{worker}/medical"),
                &[("reason", "urgent")],
            )
            .await;
        assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
        let opened = other
            .post_form(
                &format!("/workers/{worker}/medical"),
                &[("reason", "Remplacement de l'infirmier en congé")],
            )
            .await;
        assert_eq!(opened.status, StatusCode::OK);
        assert!(opened.body.contains(CANARY));
        let traces = db.list_medical_access(WorkerId(worker)).await.unwrap();
        assert!(traces.iter().any(|t| t.justification.as_deref() == Some("Remplacement de l'infirmier en congé")));
        assert!(traces.iter().filter(|t| t.action == "read").count() >= 2);
    }
);
