//! Queues, a worker's obligations and their explanation, facts that change them, and the
//! administrator's priority schema, through the pages and the API.

use axum::http::StatusCode;
use chrono::Duration;
use domain::Role;
use domain::company::{Contract, Sex};
use domain::rules::PrioritySchema;
use store::{Actor, NewEmployment, NewWorker};

use crate::app_test;
use crate::helpers::TestApp;
use crate::members::{create_member, organisation};

/// A SIS worker hired `days` ago: (worker id, employment id).
async fn hire(app: &TestApp, establishment: i64, name: &str, days: i64) -> (i64, i64) {
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
                email: None,
                mobile: None,
            },
            &NewEmployment {
                establishment_id: establishment,
                job_title: "Vendeuse".into(),
                pcs_ese: None,
                contract: Contract::Cdi,
                hired_on: store::today() - Duration::days(days),
                left_on: None,
            },
        )
        .await
        .unwrap()
}

app_test!(queues_show_obligations_in_the_schema_order, |app| {
    organisation(app).await;
    let mut assistant = app.login_as(Role::Assistant).await;
    let bakery = create_member(&mut assistant, "73282932000074", "Boulangerie Émile").await;
    let (late, late_job) = hire(app, bakery, "Arnaud", 200).await;
    let (recent, _) = hire(app, bakery, "Bernard", 30).await;

    let page = assistant.get("/queues?team=EST-1&queue=nurse").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(
        page.text_of("result-count").as_deref(),
        Some("2 obligation(s)")
    );
    let first = page.body.find("ARNAUD").unwrap();
    assert!(first < page.body.find("BERNARD").unwrap(), "overdue first");
    assert!(page.body.contains("(en retard)"));

    let api = assistant.get("/api/v1/queues?team=EST-1&queue=nurse").await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.body);
    let json = api.json();
    let workers: Vec<i64> = json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["worker_id"].as_i64().unwrap())
        .collect();
    assert_eq!(workers, vec![late, recent]);
    assert_eq!(json["rows"][0]["reference"], "R4624-10");
    assert_eq!(json["counts"][0]["rank"], 8);
    assert_eq!(json["counts"][0]["count"], 2);
    assert_eq!(json["counts"][0]["overdue"], 1);

    let bad = assistant.get("/queues?team=NOPE").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.text_of("form-error").unwrap().contains("Équipe"),
        "{}",
        bad.body
    );
    let bad_api = assistant.get("/api/v1/queues?kind=BOGUS").await;
    assert_eq!(bad_api.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad_api.body.contains("Type de visite"), "{}", bad_api.body);

    // The worker page lists the obligation with its article; "Expliquer" says why.
    let worker = assistant.get(&format!("/workers/{late}")).await;
    assert!(
        worker
            .text_of("obligation-list")
            .unwrap()
            .contains("R4624-10")
    );
    let explain = assistant
        .get(&format!("/workers/{late}/employments/{late_job}/explain"))
        .await;
    assert_eq!(explain.status, StatusCode::OK, "{}", explain.body);
    let steps = explain.text_of("steps").unwrap();
    assert!(
        steps.contains("[R4624-10]") && steps.contains("VIP initiale due le"),
        "{steps}"
    );

    // A request recorded on the page lands in the doctor's queue at rank 4.
    let today = store::today().to_string();
    let employment = late_job.to_string();
    let recorded = assistant
        .post_form(
            &format!("/workers/{late}/requests"),
            &[
                ("employment", &employment),
                ("kind", "ON_DEMAND"),
                ("requester", "employer"),
                ("asked_on", &today),
            ],
        )
        .await;
    assert_eq!(recorded.status, StatusCode::OK, "{}", recorded.body);
    let doctor_queue = assistant
        .get("/api/v1/queues?team=EST-1&queue=doctor")
        .await
        .json();
    assert_eq!(doctor_queue["rows"][0]["kind"], "ON_DEMAND");
    assert_eq!(doctor_queue["rows"][0]["rank"], 4);

    let refused = assistant
        .post_form(
            &format!("/workers/{late}/requests"),
            &[
                ("employment", &employment),
                ("kind", "ON_DEMAND"),
                ("requester", "worker"),
                ("asked_on", "31/02/2026"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .text_of("form-error")
            .unwrap()
            .contains("Date de la demande")
    );
    let employer_pre_return = assistant
        .post_form(
            &format!("/workers/{late}/requests"),
            &[
                ("employment", &employment),
                ("kind", "PRE_RETURN"),
                ("requester", "employer"),
                ("asked_on", &today),
            ],
        )
        .await;
    assert_eq!(employer_pre_return.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        employer_pre_return
            .text_of("form-error")
            .unwrap()
            .contains("Demandeur")
    );
    let backwards = assistant
        .post_form(
            &format!("/workers/{late}/stoppages"),
            &[
                ("employment", &employment),
                ("reason", "sickness"),
                ("start_on", "2026-06-01"),
                ("end_on", ""),
                ("returned_on", "2026-05-01"),
            ],
        )
        .await;
    assert_eq!(backwards.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        backwards
            .text_of("form-error")
            .unwrap()
            .contains("Date de reprise")
    );
    assert!(
        app.db
            .db
            .list_work_stoppages(late)
            .await
            .unwrap()
            .is_empty()
    );
});

/// The form fields of a schema: one group of five per entry.
fn schema_fields(schema: &PrioritySchema) -> Vec<(String, String)> {
    let mut fields = Vec::new();
    for (queue, entries) in [("doctor", &schema.doctor), ("nurse", &schema.nurse)] {
        for e in entries {
            fields.push(("queue".into(), queue.into()));
            fields.push(("rank".into(), e.rank.to_string()));
            fields.push(("kind".into(), e.kind.clone()));
            fields.push(("subtypes".into(), e.subtypes.join(", ")));
            fields.push(("condition".into(), e.condition.code().into()));
        }
    }
    fields
}

app_test!(the_admin_edits_the_priority_schema, |app| {
    let mut admin = app.login_as(Role::Admin).await;
    let page = admin.get("/admin/priority-schema").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.text_of("edition").as_deref(), Some("1"));

    let mut edited = PrioritySchema::default();
    edited.nurse[0].rank = 2;
    let mut fields = schema_fields(&edited);
    fields.push(("note".into(), "Reprises après maternité au rang 2".into()));
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let saved = admin.post_form("/admin/priority-schema", &borrowed).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert_eq!(saved.text_of("edition").as_deref(), Some("2"));
    assert!(
        saved
            .text_of("editions")
            .unwrap()
            .contains("Reprises après maternité")
    );

    let mut broken = PrioritySchema::default();
    broken.doctor.retain(|e| e.kind != "MID_CAREER");
    broken.nurse.retain(|e| e.kind != "MID_CAREER");
    let fields = schema_fields(&broken);
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let refused = admin.post_form("/admin/priority-schema", &borrowed).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .text_of("form-error")
            .unwrap()
            .contains("MID_CAREER ne figure dans aucune file"),
        "{}",
        refused.body
    );
    assert_eq!(refused.text_of("edition").as_deref(), Some("2"));

    let bad_rank = admin
        .post_form(
            "/admin/priority-schema",
            &[
                ("queue", "doctor"),
                ("rank", "premier"),
                ("kind", "PRE_RETURN"),
                ("subtypes", ""),
                ("condition", "any"),
            ],
        )
        .await;
    assert_eq!(bad_rank.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad_rank.text_of("form-error").unwrap().contains("Rang"));
    assert_eq!(app.db.db.list_schema_editions().await.unwrap().len(), 2);
});
