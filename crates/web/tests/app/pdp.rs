//! PDP cases through the pages: opening from the early-warning list, follow-up, closing;
//! the medical part only for doctors and nurses of the worker's team.

use axum::http::StatusCode;
use domain::Role;
use store::{Actor, WorkStoppage};

use crate::agenda::hire;
use crate::app_test;
use crate::members::{create_member, organisation};

const CANARY: &str = "CANARI-PDP-3390";

app_test!(
    the_pdp_team_follows_a_case_and_the_medical_part_stays_medical,
    |app| {
        organisation(app).await;
        let (nurse, _) = crate::agenda::open_agenda(app).await;
        let mut assistant = app.login_as(Role::Assistant).await;
        let bakery = create_member(&mut assistant, "73282932000074", "Boulangerie Émile").await;
        let worker = hire(app, bakery, "Arnaud", None).await;
        let employment = app.db.db.list_worker_employments(worker).await.unwrap()[0].id;
        let today = store::today();
        app.db
            .db
            .record_work_stoppage(
                &Actor("t".into()),
                worker,
                &WorkStoppage {
                    employment_id: employment,
                    reason: "sickness".into(),
                    start_on: today - chrono::Duration::days(120),
                    end_on: None,
                    returned_on: None,
                },
            )
            .await
            .unwrap();

        let list = assistant.get("/pdp").await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(
            list.body
                .contains("arrêt(s) de 90 jours ou plus sur 12 mois (+3)"),
            "{}",
            list.body
        );
        let opened = assistant
            .post_form(
                &format!("/workers/{worker}/pdp"),
                &[("signal", "long_leave")],
            )
            .await;
        assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);
        let case = opened.location().unwrap().to_string();
        let twice = assistant
            .post_form(
                &format!("/workers/{worker}/pdp"),
                &[("signal", "long_leave")],
            )
            .await;
        assert_eq!(twice.status, StatusCode::CONFLICT);
        let date = today.to_string();
        let no_partner = assistant
            .post_form(
                &format!("{case}/items"),
                &[("date", &date), ("item", "referral")],
            )
            .await;
        assert_eq!(no_partner.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(no_partner.body.contains("Partenaire : obligatoire"));
        for (item, partner) in [("rqth_info", ""), ("referral", "cap_emploi_oeth")] {
            let added = assistant
                .post_form(
                    &format!("{case}/items"),
                    &[
                        ("date", &date),
                        ("item", item),
                        ("partner", partner),
                        ("outcome", "RDV pris"),
                    ],
                )
                .await;
            assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
        }

        // The nurse of the team writes a medical note; the assistant never sees it.
        let mut ide = app.login_linked(Role::Nurse, Some(nurse)).await;
        let note = ide
            .post_form(&format!("{case}/medical-notes"), &[("content", CANARY)])
            .await;
        assert_eq!(note.status, StatusCode::SEE_OTHER, "{}", note.body);
        assert!(ide.get(&case).await.body.contains(CANARY));
        let seen = assistant.get(&case).await;
        assert!(seen.body.contains("Cap Emploi"));
        assert!(!seen.body.contains(CANARY));
        assert_eq!(
            assistant
                .post_form(&format!("{case}/medical-notes"), &[("content", "x")])
                .await
                .status,
            StatusCode::FORBIDDEN
        );

        let closed = assistant
            .post_form(&format!("{case}/close"), &[("result", "adjusted")])
            .await;
        assert_eq!(closed.status, StatusCode::SEE_OTHER);
        assert!(
            assistant
                .get(&case)
                .await
                .body
                .contains("Maintien avec aménagement du poste")
        );
        let late = assistant
            .post_form(
                &format!("{case}/items"),
                &[("date", &date), ("item", "rqth_info")],
            )
            .await;
        assert!(late.body.contains("le dossier est clos"), "{}", late.body);
        let mut director = app.login_as(Role::Director).await;
        assert_eq!(director.get(&case).await.status, StatusCode::FORBIDDEN);
    }
);
