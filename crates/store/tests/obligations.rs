//! Stored obligations, queues and the priority schema, on SQLite and PostgreSQL.

mod common;

use chrono::{Duration, NaiveDate};
use common::{actor, day, hire_worker, member, organisation};
use domain::org::ProfessionalRole;
use domain::rules::{Condition, PrioritySchema};
use spsti_store::{
    Db, NewProfessional, PastVisit, Queue, QueueQuery, StoreError, VisitRequest, WorkStoppage,
    db_test, today,
};

fn days_ago(n: i64) -> NaiveDate {
    today() - Duration::days(n)
}

fn done(worker_id: i64, kind: &str, date: NaiveDate) -> PastVisit {
    PastVisit {
        appointment_ref: None,
        worker_id,
        establishment_id: None,
        date,
        kind: kind.into(),
        subtype: String::new(),
        performer: "nurse".into(),
        status: "done".into(),
    }
}

fn queue(team_id: i64, queue: Queue) -> QueueQuery {
    QueueQuery {
        team_id,
        queue,
        today: today(),
        until: today() + Duration::days(30),
        centre_id: None,
        establishment_id: None,
        kind: None,
        overdue_only: false,
        limit: 50,
        offset: 0,
    }
}

/// The organisation and one member establishment in team EST-1.
async fn bakery(db: &Db) -> i64 {
    organisation(db).await;
    db.create_member(&actor(), &member("73282932000074", "Boulangerie", "Metz"))
        .await
        .unwrap()
}

async fn team_id(db: &Db, code: &str) -> i64 {
    db.list_teams()
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.code == code)
        .unwrap()
        .id
        .0
}

async fn kinds(db: &Db, worker: i64) -> Vec<String> {
    db.list_worker_obligations(worker)
        .await
        .unwrap()
        .into_iter()
        .filter(|o| o.kind != "MID_CAREER")
        .map(|o| o.kind)
        .collect()
}

db_test!(facts_change_obligations_in_the_same_transaction, |t| {
    let db = &t.db;
    let establishment = bakery(db).await;
    let hired = days_ago(10);
    let (worker, employment) = hire_worker(db, establishment, "W1", hired).await;
    let first = db.list_worker_obligations(worker).await.unwrap();
    assert_eq!(
        (first[0].kind.as_str(), first[0].reference.as_str()),
        ("VIP_INITIAL", "R4624-10")
    );
    assert_eq!(
        first[0].due,
        hired.checked_add_months(chrono::Months::new(3))
    );
    assert_eq!((first[0].doctor_rank, first[0].nurse_rank), (None, Some(8)));

    // A visit done closes it; the periodic one follows, and the doctor's periodicity applies.
    db.insert_past_visits(&actor(), &[done(worker, "VIP_INITIAL", days_ago(1))])
        .await
        .unwrap();
    assert_eq!(kinds(db, worker).await, vec!["VIP_PERIODIC"]);
    db.set_followup_periodicity(&actor(), worker, Some(24))
        .await
        .unwrap();
    let periodic = &db.list_worker_obligations(worker).await.unwrap()[0];
    assert_eq!(
        periodic.due,
        days_ago(1).checked_add_months(chrono::Months::new(24))
    );

    // A stoppage for an occupational disease, then a request: rank 1 and 4 for the doctor.
    db.record_work_stoppage(
        &actor(),
        worker,
        &WorkStoppage {
            employment_id: employment,
            reason: "occupational_disease".into(),
            start_on: days_ago(20),
            end_on: None,
            returned_on: Some(days_ago(2)),
        },
    )
    .await
    .unwrap();
    db.add_visit_request(
        &actor(),
        worker,
        &VisitRequest {
            employment_id: employment,
            kind: "ON_DEMAND".into(),
            requester: "employer".into(),
            asked_on: days_ago(1),
            recorded_by: String::new(),
        },
    )
    .await
    .unwrap();
    let page = db
        .list_queue(&queue(team_id(db, "EST-1").await, Queue::Doctor))
        .await
        .unwrap();
    let order: Vec<(i32, &str)> = page
        .rows
        .iter()
        .map(|r| (r.rank, r.kind.as_str()))
        .collect();
    assert_eq!(order, vec![(1, "RETURN_TO_WORK"), (4, "ON_DEMAND")]);
    assert_eq!(page.total, 2);

    // A request for another worker's employment is refused and nothing is written.
    assert!(matches!(
        db.add_visit_request(
            &actor(),
            worker + 1,
            &VisitRequest {
                employment_id: employment,
                kind: "ON_DEMAND".into(),
                requester: "worker".into(),
                asked_on: days_ago(1),
                recorded_by: String::new(),
            },
        )
        .await,
        Err(StoreError::NotFound)
    ));

    // Leaving: a SIS worker has nothing left.
    db.record_leaving(&actor(), employment, days_ago(0))
        .await
        .unwrap();
    assert!(db.list_worker_obligations(worker).await.unwrap().is_empty());
});

db_test!(queues_are_ordered_filtered_and_counted, |t| {
    let db = &t.db;
    let bakery = bakery(db).await;
    let post = db
        .create_member(
            &actor(),
            &member("35600000049837", "La Poste", "Thionville"),
        )
        .await
        .unwrap();
    let (late, _) = hire_worker(db, bakery, "LATE", days_ago(200)).await;
    let (recent, _) = hire_worker(db, post, "RECENT", days_ago(30)).await;
    let (asking, asking_job) = hire_worker(db, bakery, "ASKING", days_ago(400)).await;
    db.insert_past_visits(&actor(), &[done(asking, "VIP_INITIAL", days_ago(390))])
        .await
        .unwrap();
    db.add_visit_request(
        &actor(),
        asking,
        &VisitRequest {
            employment_id: asking_job,
            kind: "ON_DEMAND".into(),
            requester: "worker".into(),
            asked_on: days_ago(3),
            recorded_by: String::new(),
        },
    )
    .await
    .unwrap();
    let team = team_id(db, "EST-1").await;
    let page = db.list_queue(&queue(team, Queue::Nurse)).await.unwrap();
    let order: Vec<(i64, i32, bool)> = page
        .rows
        .iter()
        .map(|r| (r.worker_id, r.rank, r.overdue))
        .collect();
    assert_eq!(
        order,
        vec![(asking, 1, false), (late, 8, true), (recent, 8, false)]
    );
    let counts: Vec<(i32, i64, i64)> = page
        .counts
        .iter()
        .map(|c| (c.rank, c.count, c.overdue))
        .collect();
    assert_eq!(counts, vec![(1, 1, 0), (8, 2, 1)]);

    let mut overdue = queue(team, Queue::Nurse);
    overdue.overdue_only = true;
    let rows = db.list_queue(&overdue).await.unwrap().rows;
    assert_eq!(
        rows.iter().map(|r| r.worker_id).collect::<Vec<_>>(),
        vec![late]
    );
    let mut by_company = queue(team, Queue::Nurse);
    by_company.establishment_id = Some(post);
    assert_eq!(
        db.list_queue(&by_company).await.unwrap().rows[0].worker_id,
        recent
    );
    let mut by_kind = queue(team, Queue::Nurse);
    by_kind.kind = Some("ON_DEMAND".into());
    assert_eq!(db.list_queue(&by_kind).await.unwrap().total, 1);
    let mut paged = queue(team, Queue::Nurse);
    paged.limit = 1;
    paged.offset = 1;
    assert_eq!(db.list_queue(&paged).await.unwrap().rows[0].worker_id, late);
    let other_team = team_id(db, "EST-2").await;
    assert_eq!(
        db.list_queue(&queue(other_team, Queue::Nurse))
            .await
            .unwrap()
            .total,
        0
    );
    // The doctor's queue takes the request only.
    assert_eq!(
        db.list_queue(&queue(team, Queue::Doctor))
            .await
            .unwrap()
            .total,
        1
    );
});

db_test!(schema_editions_are_checked_versioned_and_rerank, |t| {
    let db = &t.db;
    let establishment = bakery(db).await;
    let (worker, _) = hire_worker(db, establishment, "W1", days_ago(10)).await;
    let shipped = db.current_schema_edition().await.unwrap();
    assert_eq!(
        (shipped.edition, shipped.schema.clone()),
        (1, PrioritySchema::default())
    );

    let mut broken = PrioritySchema::default();
    broken.nurse.retain(|e| e.kind != "VIP_PERIODIC");
    match db.save_schema_edition(&actor(), &broken, "essai").await {
        Err(StoreError::Invalid(message)) => assert!(
            message.contains("VIP_PERIODIC ne figure dans aucune file"),
            "{message}"
        ),
        other => panic!("{other:?}"),
    }
    assert_eq!(db.list_schema_editions().await.unwrap().len(), 1);

    let mut edited = PrioritySchema::default();
    for e in &mut edited.nurse {
        if e.kind == "VIP_INITIAL" && e.condition == Condition::Any {
            e.rank = 2;
        }
    }
    assert_eq!(
        db.save_schema_edition(&actor(), &edited, "VIP initiales avancées")
            .await
            .unwrap(),
        2
    );
    let current = db.current_schema_edition().await.unwrap();
    assert_eq!(
        (
            current.edition,
            current.author.as_str(),
            current.schema == edited
        ),
        (2, "test", true)
    );
    assert_eq!(
        db.list_worker_obligations(worker).await.unwrap()[0].nurse_rank,
        Some(2)
    );
    assert!(
        db.verify_audit_chain()
            .await
            .unwrap()
            .first_broken
            .is_none()
    );
});

db_test!(the_doctor_list_and_the_nightly_refresh, |t| {
    let db = &t.db;
    let establishment = bakery(db).await;
    let doctor = db
        .upsert_professional(
            &actor(),
            &NewProfessional {
                reference: "MED1".into(),
                last_name: "Martin".into(),
                first_name: "Anne".into(),
                role: ProfessionalRole::Doctor,
                team: Some("EST-1".into()),
                email: None,
            },
        )
        .await
        .unwrap();
    let (listed, _) = hire_worker(db, establishment, "W1", days_ago(10)).await;
    let (other, _) = hire_worker(db, establishment, "W2", day(2015, 3, 1)).await;
    db.set_doctor_watch(&actor(), doctor.0, listed, true)
        .await
        .unwrap();
    assert_eq!(
        db.list_worker_obligations(listed).await.unwrap()[0].nurse_rank,
        Some(5)
    );
    assert_eq!(db.list_doctor_watch(doctor.0).await.unwrap()[0].0, listed);
    assert_eq!(
        db.find_followup_settings(listed).await.unwrap().listed_by[0].1,
        "Anne Martin"
    );

    let before = (
        db.list_worker_obligations(listed).await.unwrap(),
        db.list_worker_obligations(other).await.unwrap(),
    );
    let report = db.refresh_all_obligations(today()).await.unwrap();
    assert_eq!(report.refused, 0);
    assert_eq!(report.obligations, before.0.len() + before.1.len());
    let after = (
        db.list_worker_obligations(listed).await.unwrap(),
        db.list_worker_obligations(other).await.unwrap(),
    );
    assert_eq!(format!("{before:?}"), format!("{after:?}"));
    db.set_doctor_watch(&actor(), doctor.0, listed, false)
        .await
        .unwrap();
    assert_eq!(
        db.list_worker_obligations(listed).await.unwrap()[0].nurse_rank,
        Some(8)
    );
});

db_test!(
    concurrent_changes_of_one_worker_never_duplicate_obligations,
    |t| {
        let db = &t.db;
        let establishment = bakery(db).await;
        let (worker, _) = hire_worker(db, establishment, "W1", days_ago(10)).await;
        let alone = db.list_worker_obligations(worker).await.unwrap().len();
        let mut tasks = Vec::new();
        for round in 0..8 {
            let db = db.clone();
            tasks.push(tokio::spawn(async move {
                let months = if round % 2 == 0 { Some(24) } else { None };
                db.set_followup_periodicity(&actor(), worker, months).await
            }));
        }
        tasks.push(tokio::spawn({
            let db = db.clone();
            async move { db.refresh_all_obligations(today()).await.map(|_| ()) }
        }));
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        assert_eq!(
            db.list_worker_obligations(worker).await.unwrap().len(),
            alone
        );
    }
);
