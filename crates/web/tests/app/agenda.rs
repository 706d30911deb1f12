//! Agendas, the planner page, the outbox and templates, and the employer's convocations and
//! excuses, through the pages.

use axum::http::StatusCode;
use chrono::{Duration, NaiveTime, Weekday};
use domain::Role;
use domain::agenda::OpeningHours;
use domain::company::{Contract, Sex};
use domain::org::ProfessionalRole;
use store::{Actor, NewEmployment, NewProfessional, NewWorker};

use crate::app_test;
use crate::helpers::TestApp;
use crate::members::{create_member, organisation};

/// A nurse of EST-1 open every day 08:00–12:00 (20 min) in a Metz centre, slots for the
/// next three weeks: (nurse id, centre id).
pub(crate) async fn open_agenda(app: &TestApp) -> (i64, i64) {
    let db = &app.db.db;
    let actor = Actor("t".into());
    db.upsert_centre(
        &actor,
        &store::NewCentre {
            code: "METZ".into(),
            name: "Centre de Metz".into(),
            sector: "EST".into(),
            address: "2 place d'Armes".into(),
            postcode: "57000".into(),
            city: "Metz".into(),
        },
    )
    .await
    .unwrap();
    let nurse = db
        .upsert_professional(
            &actor,
            &NewProfessional {
                reference: "IDE1".into(),
                last_name: "Petit".into(),
                first_name: "Marc".into(),
                role: ProfessionalRole::Nurse,
                team: Some("EST-1".into()),
                email: None,
            },
        )
        .await
        .unwrap()
        .0;
    let centre = db.list_centres().await.unwrap()[0].id.0;
    let hours: Vec<OpeningHours> = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ]
    .into_iter()
    .map(|weekday| OpeningHours {
        weekday,
        start: NaiveTime::from_hms_opt(8, 0, 0).unwrap(),
        end: NaiveTime::from_hms_opt(12, 0, 0).unwrap(),
        slot_minutes: 20,
    })
    .collect();
    db.set_opening_hours(&actor, nurse, centre, &hours)
        .await
        .unwrap();
    let today = store::today();
    db.generate_agenda_slots(&actor, None, today, today + Duration::days(21))
        .await
        .unwrap();
    (nurse, centre)
}

pub(crate) async fn hire(
    app: &TestApp,
    establishment: i64,
    name: &str,
    email: Option<&str>,
) -> i64 {
    app.db
        .db
        .create_worker_with_employment(
            &Actor("t".into()),
            &NewWorker {
                worker_ref: name.to_uppercase(),
                last_name: name.into(),
                first_name: "Camille".into(),
                sex: Sex::Female,
                birth_date: chrono::NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
                nir: None,
                email: email.map(str::to_string),
                mobile: None,
            },
            &NewEmployment {
                establishment_id: establishment,
                job_title: "Vendeuse".into(),
                pcs_ese: None,
                contract: Contract::Cdi,
                hired_on: store::today() - Duration::days(200),
                left_on: None,
            },
        )
        .await
        .unwrap()
        .0
}

app_test!(
    an_assistant_plans_reviews_confirms_and_the_employer_excuses,
    |app| {
        organisation(app).await;
        let (nurse, _centre) = open_agenda(app).await;
        let mut assistant = app.login_as(Role::Assistant).await;
        let bakery = create_member(&mut assistant, "73282932000074", "Boulangerie Émile").await;
        hire(app, bakery, "Arnaud", Some("arnaud@example.org")).await;
        hire(app, bakery, "Bernard", None).await;
        hire(app, bakery, "Chevalier", None).await;

        let today = store::today();
        let (from, to) = (today + Duration::days(8), today + Duration::days(20));
        let query = format!("/planner?team=EST-1&from={from}&to={to}&notice=7");
        let proposal = assistant.get(&query).await;
        assert_eq!(proposal.status, StatusCode::OK, "{}", proposal.body);
        assert!(
            proposal
                .body
                .contains("3 salarié(s) à convoquer : 3 rendez-vous proposés"),
            "{}",
            proposal.body
        );
        let fingerprint = proposal
            .body
            .split("name=\"fingerprint\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap()
            .to_string();
        let dropped = proposal
            .body
            .split("name=\"drop\" value=\"")
            .nth(3)
            .and_then(|rest| rest.split('"').next())
            .unwrap()
            .to_string();
        let (from_text, to_text) = (from.to_string(), to.to_string());
        let base = [
            ("team", "EST-1"),
            ("from", from_text.as_str()),
            ("to", to_text.as_str()),
            ("notice", "7"),
        ];
        let mut stale = base.to_vec();
        stale.push(("fingerprint", "0000"));
        let refused = assistant.post_form("/planner/confirm", &stale).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.body.contains("La proposition a changé"));
        let mut fields = base.to_vec();
        fields.push(("fingerprint", &fingerprint));
        fields.push(("drop", &dropped));
        let confirmed = assistant.post_form("/planner/confirm", &fields).await;
        assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
        assert!(
            confirmed.body.contains("2 rendez-vous réservés"),
            "{}",
            confirmed.body
        );

        // The agenda shows them; the outbox holds the convocations (one letter, e-mails).
        let week = assistant
            .get(&format!(
                "/agenda?professional={nurse}&date={from}&view=week"
            ))
            .await;
        assert_eq!(week.status, StatusCode::OK);
        let json = assistant
            .get(&format!(
                "/api/v1/agenda?professional={nurse}&date={from}&view=week"
            ))
            .await
            .json();
        let booked: Vec<&serde_json::Value> = json["entries"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["appointment_id"].is_i64())
            .collect();
        let booked_count = assistant.get("/outbox").await;
        assert_eq!(booked_count.status, StatusCode::OK);
        assert!(
            booked_count.body.contains("Convocation"),
            "{}",
            booked_count.body
        );

        // The employer sees the convocations and excuses one (more than 48 h before).
        let mut boss = app.login_as(Role::Employer).await;
        let portal = boss.get("/portal/appointments").await;
        assert_eq!(portal.status, StatusCode::OK);
        let mut appointments = Vec::new();
        for part in portal.body.split("/portal/appointments/").skip(1) {
            appointments.push(part.split('/').next().unwrap().to_string());
        }
        assert_eq!(appointments.len(), 2, "{}", portal.body);
        let excused = boss
            .post_form(
                &format!("/portal/appointments/{}/excuse", appointments[0]),
                &[],
            )
            .await;
        assert_eq!(excused.status, StatusCode::OK, "{}", excused.body);
        assert!(excused.body.contains("est excusé(e)"));
        let again = boss
            .post_form(
                &format!("/portal/appointments/{}/excuse", appointments[0]),
                &[],
            )
            .await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
        let stranger = boss
            .post_form("/portal/appointments/999999/excuse", &[])
            .await;
        assert_eq!(stranger.status, StatusCode::NOT_FOUND);

        // The freed slot goes to the worker left out, recorded as a replacement.
        let excused_id: i64 = appointments[0].parse().unwrap();
        let slot = booked
            .iter()
            .find(|e| e["appointment_id"] == excused_id)
            .map(|e| e["slot_id"].as_i64().unwrap())
            .expect("the excused appointment's slot");
        let candidates = assistant.get(&format!("/slots/{slot}/candidates")).await;
        assert_eq!(candidates.status, StatusCode::OK);
        assert!(
            candidates.body.contains("remplacement"),
            "{}",
            candidates.body
        );
        let worker: String = candidates
            .body
            .split("name=\"worker\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap()
            .to_string();
        let booked = assistant
            .post_form(&format!("/slots/{slot}/book"), &[("worker", &worker)])
            .await;
        assert_eq!(booked.status, StatusCode::SEE_OTHER, "{}", booked.body);
        let agenda = assistant
            .get(&format!(
                "/agenda?professional={nurse}&date={from}&view=week"
            ))
            .await;
        assert!(agenda.body.contains("(remplacement)"), "{}", agenda.body);

        // Attendance cannot be recorded before the day; the employer sees no medical content.
        let early = assistant
            .post_form(
                &format!("/appointments/{excused_id}/attendance"),
                &[("status", "absent")],
            )
            .await;
        assert!(early.status.is_client_error());
    }
);

app_test!(agenda_bad_input_gets_french_messages, |app| {
    organisation(app).await;
    let (nurse, centre) = open_agenda(app).await;
    let mut assistant = app.login_as(Role::Assistant).await;
    let date = (store::today() + Duration::days(3)).to_string();
    let (nurse, centre) = (nurse.to_string(), centre.to_string());
    let outside = assistant
        .post_form(
            "/slots",
            &[
                ("professional", &nurse),
                ("centre", &centre),
                ("date", &date),
                ("time", "14:00"),
                ("duration", "20"),
            ],
        )
        .await;
    assert_eq!(outside.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        outside.body.contains("hors des horaires"),
        "{}",
        outside.body
    );
    let bad_time = assistant
        .post_form(
            "/slots",
            &[
                ("professional", &nurse),
                ("centre", &centre),
                ("date", &date),
                ("time", "25h"),
                ("duration", "20"),
            ],
        )
        .await;
    assert!(bad_time.body.contains("Heure"), "{}", bad_time.body);
    let unknown = assistant.get("/agenda?professional=999999").await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    let planner = assistant
        .get("/planner?team=EST-1&from=2027-02-01&to=2027-01-01")
        .await;
    assert_eq!(planner.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(planner.body.contains("antérieur au début"));
});

app_test!(an_admin_edits_a_message_template, |app| {
    let mut admin = app.login_as(Role::Admin).await;
    let page = admin.get("/admin/messages").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Convocation du salarié"));
    let refused = admin
        .post_form(
            "/admin/messages/convocation",
            &[("subject", "RDV"), ("body", "Bonjour {prenom}")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("{prenom}"), "{}", refused.body);
    let saved = admin
        .post_form(
            "/admin/messages/convocation",
            &[("subject", "RDV le {date}"), ("body", "Bonjour {salarie}")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK);
    assert!(saved.body.contains("RDV le {date}"));
    let templates = app.db.db.message_templates().await.unwrap();
    assert_eq!(templates.get("convocation").subject, "RDV le {date}");
});

app_test!(
    an_admin_sets_visit_durations_which_the_planner_reads,
    |app| {
        let mut admin = app.login_as(Role::Admin).await;
        let page = admin.get("/admin/durations").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains(
            "name=\"minutes_EMA_HIRE\" type=\"number\" min=\"5\" max=\"240\" value=\"30\""
        ));
        let refused = admin
            .post_form("/admin/durations", &[("minutes_VIP_INITIAL", "500")])
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            refused.body.contains("entre 5 et 240 minutes"),
            "{}",
            refused.body
        );
        let saved = admin
            .post_form(
                "/admin/durations",
                &[("minutes_VIP_INITIAL", "25"), ("minutes_EMA_HIRE", "45")],
            )
            .await;
        assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
        let durations: std::collections::HashMap<&str, u32> = app
            .db
            .db
            .visit_durations()
            .await
            .unwrap()
            .into_iter()
            .collect();
        assert_eq!(
            (
                durations["VIP_INITIAL"],
                durations["EMA_HIRE"],
                durations["VIP_PERIODIC"]
            ),
            (25, 45, 20)
        );
    }
);
