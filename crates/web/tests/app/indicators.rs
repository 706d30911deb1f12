//! The indicators in the web application: the director's dashboard, a table page with its
//! downloads and the annual report; a team's doctor sees their team and their own line;
//! others see nothing.

use axum::http::StatusCode;
use domain::Role;
use store::{Actor, Attendance, NewBooking};

use crate::agenda::{hire, open_agenda};
use crate::app_test;
use crate::medical::doctor_slot;
use crate::members::{create_member, organisation};

/// A done appointment with the nurse and a no-show with the doctor, today.
async fn a_day_of_appointments(app: &crate::helpers::TestApp) -> (i64, i64) {
    organisation(app).await;
    let (nurse, _) = open_agenda(app).await;
    let (doctor, doctor_slot) = doctor_slot(app).await;
    let mut assistant = app.login_as(Role::Assistant).await;
    let bakery = create_member(&mut assistant, "73282932000074", "Boulangerie Émile").await;
    let db = &app.db.db;
    let actor = Actor("t".into());
    let today = store::today();
    let nurse_slot = db.list_slots(nurse, today, today).await.unwrap()[0].id;
    for (slot, name, kind, attendance) in [
        (nurse_slot, "Arnaud", "VIP_PERIODIC", Attendance::Done),
        (doctor_slot, "Bernard", "EMA_PERIODIC", Attendance::Absent),
    ] {
        let worker = hire(app, bakery, name, None).await;
        let appointment = db
            .book_appointment(
                &actor,
                &NewBooking {
                    slot_id: slot,
                    worker_id: worker,
                    establishment_id: bakery,
                    kind: kind.into(),
                    subtype: String::new(),
                    replaces_id: None,
                },
                today,
                &app.state.message_context(),
            )
            .await
            .unwrap();
        db.record_attendance(
            &actor,
            appointment,
            attendance,
            today,
            &app.state.message_context(),
        )
        .await
        .unwrap();
    }
    (nurse, doctor)
}

app_test!(
    a_director_reads_the_dashboard_tables_downloads_and_report,
    |app| {
        a_day_of_appointments(app).await;
        let mut director = app.login_as(Role::Director).await;
        let page = director.get("/indicators").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(
            page.body.contains("Taux d&#39;absence aux rendez-vous")
                || page.body.contains("Taux d'absence aux rendez-vous")
        );
        // One no-show in two counted appointments: 50 %, against the 5 % target.
        assert!(page.body.contains("50,0 %"), "{}", page.body);
        assert!(page.body.contains("objectif 5,0 %"));
        assert_eq!(page.body.matches("<svg").count(), 4, "four charts");

        let k4 = director.get("/indicators/tables/K4_professional").await;
        assert_eq!(k4.status, StatusCode::OK);
        assert!(
            k4.body.contains("MED1") && k4.body.contains("IDE1"),
            "{}",
            k4.body
        );
        assert!(
            k4.body.contains("&#60;5"),
            "counts under 5 are masked: {}",
            k4.body
        );
        let csv = director.get("/indicators/tables/K4/csv").await;
        assert!(
            csv.body.starts_with("\u{feff}performer;done;absent"),
            "{}",
            csv.body
        );
        assert!(
            csv.body.contains("doctor;0;1;0;0;100,0;100,0;100,0"),
            "{}",
            csv.body
        );
        let xlsx = director.get("/indicators/xlsx").await;
        assert_eq!(xlsx.status, StatusCode::OK);
        assert!(xlsx.body.starts_with("PK"), "a zip container");
        let report = director.get("/indicators/report").await;
        assert!(
            report.body.contains("Rapport annuel d&#39;activité")
                || report.body.contains("Rapport annuel d'activité")
        );
        assert!(report.body.contains("A — Suivi individuel périodique"));
        let pdf = director.get("/indicators/report/pdf").await;
        assert!(pdf.body.starts_with("%PDF-"));

        let bad = director.get("/indicators?year=20x5").await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("Année"));
        let unknown = director.get("/indicators?team=NOPE").await;
        assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(unknown.body.contains("Équipe"));
        assert_eq!(
            director.get("/indicators/tables/K99").await.status,
            StatusCode::NOT_FOUND
        );
    }
);

app_test!(a_team_doctor_sees_the_team_and_their_own_line_only, |app| {
    let (_, doctor) = a_day_of_appointments(app).await;
    let mut med = app.login_linked(Role::Doctor, Some(doctor)).await;
    let page = med.get("/indicators?team=EST-2").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("Équipe EST-1"),
        "the team asked for is ignored"
    );
    assert!(page.body.contains("Mes absences aux rendez-vous"));
    let mine = med.get("/indicators/tables/K4_professional").await;
    assert!(mine.body.contains("MED1"), "{}", mine.body);
    assert!(
        !mine.body.contains("IDE1"),
        "another professional's line: {}",
        mine.body
    );
    let teams = med.get("/indicators/tables/K6_team").await;
    assert!(!teams.body.contains("EST-2"), "{}", teams.body);

    let mut unlinked = app.login_as(Role::Nurse).await;
    let refused = unlinked.get("/indicators").await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(refused.body.contains("aucune équipe"));
    for role in [
        Role::Assistant,
        Role::Employer,
        Role::Preventer,
        Role::Admin,
    ] {
        let mut other = app.login_as(role).await;
        assert_eq!(
            other.get("/indicators").await.status,
            StatusCode::FORBIDDEN,
            "{role:?}"
        );
        assert_eq!(
            other.get("/indicators/xlsx").await.status,
            StatusCode::FORBIDDEN,
            "{role:?}"
        );
    }
});
