//! PDP cases through the pages: opening from the early-warning list, follow-up, closing;
//! the medical part only for doctors and nurses of the worker's team.

use axum::http::StatusCode;
use domain::Role;
use store::{Actor, WorkStoppage};

use crate::agenda::{hire, open_agenda};
use crate::app_test;
use crate::medical::doctor_slot;
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

        // Every role, without a link to the worker's team: the medical part never shows.
        for role in Role::ALL {
            let mut client = app.login_as(role).await;
            let page = client.get(&case).await;
            let pdp_team = [
                Role::Admin,
                Role::Doctor,
                Role::Nurse,
                Role::Assistant,
                Role::Preventer,
            ];
            let expected = if pdp_team.contains(&role) {
                StatusCode::OK
            } else {
                StatusCode::FORBIDDEN
            };
            assert_eq!(page.status, expected, "{role:?}");
            assert!(
                !page.body.contains(CANARY),
                "{role:?} sees the medical note"
            );
            assert!(!client.get("/pdp").await.body.contains(CANARY), "{role:?}");
        }

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

app_test!(
    a_workstation_study_serves_a_pdp_case_and_dates_the_inaptitude_procedure,
    |app| {
        organisation(app).await;
        open_agenda(app).await;
        let (doctor, slot) = doctor_slot(app).await;
        let mut assistant = app.login_as(Role::Assistant).await;
        let bakery = create_member(&mut assistant, "73282932000074", "Boulangerie Émile").await;
        let arnaud = hire(app, bakery, "Arnaud", None).await;
        let other = hire(app, bakery, "Bernard", None).await;
        let actor = Actor("t".into());
        let today = store::today();
        let case = app
            .db
            .db
            .open_pdp_case(&actor, arnaud, "worker_request", today)
            .await
            .unwrap();
        let mut preventer = app.login_as(Role::Preventer).await;
        let path = format!("/establishments/{bakery}/actions");
        let form = preventer.get(&path).await;
        assert!(
            form.body.contains(&format!(
                "<option value=\"{case}\">n° {case} — Camille Arnaud</option>"
            )),
            "{}",
            form.body
        );
        let study_on = (today - chrono::Duration::days(3)).to_string();
        let (case_id, arnaud_id, other_id) =
            (case.to_string(), arnaud.to_string(), other.to_string());
        let study = |worker: &'static str| {
            vec![
                ("date", study_on.clone()),
                ("type", "workstation_study".to_string()),
                ("title", "Poste de pétrin".to_string()),
                ("pdp_case", case_id.clone()),
                ("inaptitude_procedure", "on".to_string()),
                (
                    "worker",
                    if worker == "arnaud" {
                        arnaud_id.clone()
                    } else {
                        other_id.clone()
                    },
                ),
            ]
        };
        let wrong_worker = study("other");
        let refused = preventer
            .post_file(
                &path,
                &wrong_worker
                    .iter()
                    .map(|(k, v)| (*k, v.as_str()))
                    .collect::<Vec<_>>(),
                ("report", "", b""),
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            refused
                .body
                .contains("Dossier PDP : ce n&#39;est pas un dossier du salarié étudié"),
            "{}",
            refused.body
        );
        let collective = preventer
            .post_file(
                &path,
                &[
                    ("date", study_on.as_str()),
                    ("type", "workstation_study"),
                    ("title", "Atelier"),
                    ("workers", "4"),
                    ("inaptitude_procedure", "on"),
                ],
                ("report", "", b""),
            )
            .await;
        assert!(
            collective.body.contains("Rattachement"),
            "{}",
            collective.body
        );
        let fields = study("arnaud");
        let saved = preventer
            .post_file(
                &path,
                &fields
                    .iter()
                    .map(|(k, v)| (*k, v.as_str()))
                    .collect::<Vec<_>>(),
                ("report", "etude.pdf", b"%PDF-1.7 etude"),
            )
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        let listed = preventer.get(&path).await;
        assert!(
            listed
                .body
                .contains(&format!("pour le dossier PDP n° {case}"))
        );
        assert!(listed.body.contains("pour une procédure d'inaptitude"));

        let followed = assistant.get(&format!("/pdp/{case}")).await;
        let studies = followed.body.split("id=\"pdp-studies\"").nth(1).unwrap();
        assert!(studies.contains("Poste de pétrin"), "{}", followed.body);

        // The doctor's opinion form proposes the study's date as the R4624-42 prerequisite.
        let appointment = app
            .db
            .db
            .book_appointment(
                &actor,
                &store::NewBooking {
                    slot_id: slot,
                    worker_id: arnaud,
                    establishment_id: bakery,
                    kind: "RETURN_TO_WORK".into(),
                    subtype: String::new(),
                    replaces_id: None,
                },
                today,
                &app.state.message_context(),
            )
            .await
            .unwrap();
        let mut med = app.login_linked(Role::Doctor, Some(doctor)).await;
        let visit = med.get(&format!("/appointments/{appointment}/visit")).await;
        assert_eq!(visit.status, StatusCode::OK);
        assert!(
            visit.body.contains(&format!(
                "name=\"workstation_study_on\" type=\"date\" value=\"{study_on}\""
            )),
            "{}",
            visit.body
        );
    }
);
