//! Booking, moving, cancelling, attendance and the outbox, on SQLite and PostgreSQL.

mod common;

use common::agenda::{at, booking, context, setup, slot_at, today};
use common::{actor, day};
use domain::fees::{FeeSchedule, yearly_fee_lines};
use domain::messages::Template;
use spsti_store::{
    AgendaOf, Attendance, Db, MessageQuery, NewBooking, NewInvoice, StoreError, db_test,
};

async fn messages_of(db: &Db, appointment: i64) -> Vec<spsti_store::OutboxMessage> {
    let mut messages = db
        .list_messages(&MessageQuery {
            appointment_id: Some(appointment),
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    messages.reverse();
    messages
}

db_test!(
    a_booking_writes_the_convocations_in_the_same_transaction,
    |t| {
        let db = &t.db;
        let s = setup(db).await;
        let slot = slot_at(db, s.nurse, day(2027, 1, 4), "08:00").await;
        let id = db
            .book_appointment(
                &actor(),
                &booking(&s, slot, s.with_email, "VIP_INITIAL"),
                today(),
                &context(),
            )
            .await
            .unwrap();
        let messages = messages_of(db, id).await;
        let recipients: Vec<(&str, &str)> = messages
            .iter()
            .map(|m| (m.channel.as_str(), m.recipient.as_str()))
            .collect();
        assert_eq!(
            recipients,
            [
                ("email", "jeanne@example.org"),
                ("email", "contact@example.org")
            ]
        );
        assert!(
            messages
                .iter()
                .all(|m| m.status == "queued" && m.calendar.is_some())
        );
        assert!(
            messages[0].message_id.starts_with('<') && messages[0].message_id.ends_with("@spsti>")
        );
        assert_ne!(messages[0].message_id, messages[1].message_id);
        // Without e-mail: a letter to print, sent to the establishment's address.
        let other = slot_at(db, s.nurse, day(2027, 1, 4), "08:20").await;
        let letter_for = db
            .book_appointment(
                &actor(),
                &booking(&s, other, s.without_email, "VIP_INITIAL"),
                today(),
                &context(),
            )
            .await
            .unwrap();
        let letter = &messages_of(db, letter_for).await[0];
        assert_eq!(letter.channel, "letter");
        assert!(
            letter
                .recipient
                .contains("aux bons soins de Boulangerie\n1 rue Haute, 57000 Metz")
        );
        let printed = db.take_letters_to_print(&actor()).await.unwrap();
        assert_eq!(printed.len(), 1);
        assert!(
            db.take_letters_to_print(&actor()).await.unwrap().is_empty(),
            "printed once"
        );
        let agenda = db
            .list_agenda(AgendaOf::Centre(s.centre), day(2027, 1, 4), day(2027, 1, 4))
            .await
            .unwrap();
        let booked: Vec<&str> = agenda
            .iter()
            .filter_map(|e| e.worker_name.as_deref())
            .collect();
        assert_eq!(booked, ["Jeanne Martin", "Paule Martin"]);
    }
);

db_test!(
    double_bookings_and_doctor_only_kinds_in_nurse_slots_are_refused,
    |t| {
        let db = &t.db;
        let s = setup(db).await;
        let slot = slot_at(db, s.nurse, day(2027, 1, 4), "08:00").await;
        db.book_appointment(
            &actor(),
            &booking(&s, slot, s.with_email, "VIP_INITIAL"),
            today(),
            &context(),
        )
        .await
        .unwrap();
        let refused = |result: Result<i64, StoreError>| match result {
            Err(StoreError::Conflict(m) | StoreError::Invalid(m)) => m,
            other => panic!("{other:?}"),
        };
        let same_slot = db
            .book_appointment(
                &actor(),
                &booking(&s, slot, s.without_email, "VIP_INITIAL"),
                today(),
                &context(),
            )
            .await;
        assert!(refused(same_slot).contains("déjà pris"));
        let later = slot_at(db, s.nurse, day(2027, 1, 4), "09:00").await;
        let same_day = db
            .book_appointment(
                &actor(),
                &booking(&s, later, s.with_email, "VIP_PERIODIC"),
                today(),
                &context(),
            )
            .await;
        assert!(refused(same_day).contains("déjà un rendez-vous le 04/01/2027"));
        let doctor_only = db
            .book_appointment(
                &actor(),
                &booking(&s, later, s.without_email, "EMA_HIRE"),
                today(),
                &context(),
            )
            .await;
        assert!(refused(doctor_only).contains("relève du médecin"));
        let past = slot_at(db, s.nurse, day(2027, 1, 5), "08:00").await;
        let in_the_past = db
            .book_appointment(
                &actor(),
                &booking(&s, past, s.without_email, "VIP_INITIAL"),
                day(2027, 1, 6),
                &context(),
            )
            .await;
        assert!(refused(in_the_past).contains("déjà passé"));
        // Nothing half-written: one appointment and its two messages only.
        let all = db
            .list_messages(&MessageQuery {
                limit: 100,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(all.len(), 2);
        // The doctor's slot takes the examination.
        let doctor_slot = slot_at(db, s.doctor, day(2027, 1, 5), "08:00").await;
        db.book_appointment(
            &actor(),
            &booking(&s, doctor_slot, s.without_email, "EMA_HIRE"),
            today(),
            &context(),
        )
        .await
        .unwrap();
    }
);

db_test!(
    moving_and_cancelling_tell_the_worker_and_the_employer,
    |t| {
        let db = &t.db;
        let s = setup(db).await;
        let first = slot_at(db, s.nurse, day(2027, 1, 4), "08:00").await;
        let second = slot_at(db, s.nurse, day(2027, 1, 6), "10:00").await;
        let id = db
            .book_appointment(
                &actor(),
                &booking(&s, first, s.with_email, "VIP_INITIAL"),
                today(),
                &context(),
            )
            .await
            .unwrap();
        db.move_appointment(&actor(), id, second, today(), &context())
            .await
            .unwrap();
        let moved = db.find_appointment(id).await.unwrap();
        assert_eq!(
            (moved.notice.date, moved.notice.time.as_str()),
            (day(2027, 1, 6), "10:00")
        );
        let messages = messages_of(db, id).await;
        assert_eq!(messages.len(), 4);
        assert!(messages[2].body.contains("prévu le 04/01/2027 à 08 h 00"));
        assert!(
            messages[2]
                .calendar
                .as_deref()
                .unwrap()
                .contains("SEQUENCE:1")
        );
        // The first slot is free again; a doctor-only kind cannot move to a nurse's slot.
        let other = db
            .book_appointment(
                &actor(),
                &booking(&s, first, s.without_email, "VIP_INITIAL"),
                today(),
                &context(),
            )
            .await
            .unwrap();
        db.cancel_appointment(&actor(), other, &context())
            .await
            .unwrap();
        let cancelled = messages_of(db, other).await;
        assert_eq!(cancelled.last().unwrap().purpose, "cancelled");
        assert!(cancelled.iter().any(|m| {
            m.calendar
                .as_deref()
                .is_some_and(|c| c.contains("METHOD:CANCEL"))
        }));
        assert!(matches!(
            db.cancel_appointment(&actor(), other, &context()).await,
            Err(StoreError::Conflict(_))
        ));
    }
);

db_test!(a_no_show_reopens_notifies_and_bills_the_fee_once, |t| {
    let db = &t.db;
    let s = setup(db).await;
    db.set_fee_schedule(
        &actor(),
        &FeeSchedule {
            year: 2027,
            per_worker: "100".parse().unwrap(),
            per_category: None,
            minimum: "150".parse().unwrap(),
            no_show: "25".parse().unwrap(),
            self_employed: "120".parse().unwrap(),
        },
    )
    .await
    .unwrap();
    let slot = slot_at(db, s.nurse, day(2027, 1, 4), "08:00").await;
    let id = db
        .book_appointment(
            &actor(),
            &booking(&s, slot, s.with_email, "VIP_INITIAL"),
            today(),
            &context(),
        )
        .await
        .unwrap();
    assert!(matches!(
        db.record_attendance(&actor(), id, Attendance::Absent, today(), &context()).await,
        Err(StoreError::Invalid(m)) if m.contains("pas encore eu lieu")
    ));
    db.record_attendance(
        &actor(),
        id,
        Attendance::Absent,
        day(2027, 1, 4),
        &context(),
    )
    .await
    .unwrap();
    let no_show = messages_of(db, id).await.pop().unwrap();
    assert_eq!(
        (no_show.purpose.as_str(), no_show.recipient.as_str()),
        ("no_show", "contact@example.org")
    );
    assert!(no_show.body.contains("25,00 €"), "{}", no_show.body);
    assert!(matches!(
        db.record_attendance(&actor(), id, Attendance::Done, day(2027, 1, 4), &context())
            .await,
        Err(StoreError::Conflict(_))
    ));
    // The fee goes on the next yearly invoice, once.
    let schedule = db.find_fee_schedule(2027).await.unwrap().unwrap();
    let invoices: Vec<NewInvoice> = db
        .list_billable(2027)
        .await
        .unwrap()
        .iter()
        .map(|b| NewInvoice {
            establishment_id: b.establishment_id,
            lines: yearly_fee_lines(&schedule, b.workforce, b.self_employed),
        })
        .collect();
    db.insert_yearly_invoices(
        &actor(),
        2027,
        day(2027, 1, 15),
        day(2027, 2, 15),
        &invoices,
    )
    .await
    .unwrap();
    let invoice = db
        .list_invoices(&spsti_store::InvoiceQuery {
            establishment_id: Some(s.establishment),
            ..Default::default()
        })
        .await
        .unwrap()
        .remove(0);
    let invoice = db.find_invoice(invoice.id).await.unwrap();
    let fee = invoice
        .lines
        .iter()
        .find(|l| l.label.starts_with("Absence non excusée"))
        .expect("the no-show fee line");
    assert_eq!(fee.amount_cents, 2500);
    assert_eq!(
        invoice.total_cents,
        invoice.lines.iter().map(|l| l.amount_cents).sum::<i64>()
    );
    // The worker is back in the planner's requests.
    let team = db.list_teams().await.unwrap()[0].id.0;
    let data = db
        .planning_data(team, day(2027, 1, 11), day(2027, 1, 15), day(2027, 1, 4), 0)
        .await
        .unwrap();
    assert!(data.requests.contains_key(&format!("w{}", s.with_email)));
});

db_test!(
    an_excused_slot_goes_to_a_replacement_counted_when_they_come,
    |t| {
        let db = &t.db;
        let s = setup(db).await;
        db.refresh_all_obligations(today()).await.unwrap();
        let slot = slot_at(db, s.nurse, day(2027, 1, 4), "08:00").await;
        let excused = db
            .book_appointment(
                &actor(),
                &booking(&s, slot, s.with_email, "VIP_INITIAL"),
                today(),
                &context(),
            )
            .await
            .unwrap();
        db.record_attendance(&actor(), excused, Attendance::Excused, today(), &context())
            .await
            .unwrap();
        let candidates = db
            .replacement_candidates(slot, day(2027, 1, 3), 5)
            .await
            .unwrap();
        let names: Vec<&str> = candidates.iter().map(|c| c.worker_name.as_str()).collect();
        assert!(names.contains(&"Paule Martin"), "{names:?}");
        let paule = candidates
            .iter()
            .find(|c| c.worker_name == "Paule Martin")
            .unwrap();
        let replacement = db
            .book_appointment(
                &actor(),
                &NewBooking {
                    slot_id: slot,
                    worker_id: paule.facts.worker_id,
                    establishment_id: paule.facts.establishment_id,
                    kind: paule.facts.kind.clone(),
                    subtype: paule.facts.subtype.clone(),
                    replaces_id: Some(excused),
                },
                day(2027, 1, 3),
                &context(),
            )
            .await
            .unwrap();
        assert_eq!(
            db.find_appointment(excused).await.unwrap().status,
            "excused"
        );
        db.record_attendance(
            &actor(),
            replacement,
            Attendance::Done,
            day(2027, 1, 4),
            &context(),
        )
        .await
        .unwrap();
        assert_eq!(
            db.find_appointment(excused).await.unwrap().status,
            "excused_replaced"
        );
    }
);

db_test!(
    reminders_are_written_once_and_the_outbox_keeps_each_state,
    |t| {
        let db = &t.db;
        let s = setup(db).await;
        let slot = slot_at(db, s.nurse, day(2027, 1, 6), "08:00").await;
        let id = db
            .book_appointment(
                &actor(),
                &booking(&s, slot, s.with_email, "VIP_INITIAL"),
                today(),
                &context(),
            )
            .await
            .unwrap();
        assert_eq!(
            db.queue_reminders(day(2027, 1, 6), &context())
                .await
                .unwrap(),
            2,
            "e-mail and SMS"
        );
        assert_eq!(
            db.queue_reminders(day(2027, 1, 6), &context())
                .await
                .unwrap(),
            0,
            "written once"
        );
        let due = db.list_due_messages(spsti_store::now(), 100).await.unwrap();
        assert_eq!(due.len(), 4);
        let (first, second, third) = (due[0].id, due[1].id, due[2].id);
        db.mark_messages_sent(&[first]).await.unwrap();
        let later = spsti_store::now() + chrono::Duration::seconds(60);
        db.mark_message_retry(second, "connexion refusée", later)
            .await
            .unwrap();
        db.mark_message_failed(third, "adresse invalide")
            .await
            .unwrap();
        let due = db.list_due_messages(spsti_store::now(), 100).await.unwrap();
        assert_eq!(
            due.len(),
            1,
            "sent, failed and delayed messages are not due"
        );
        assert_eq!(
            db.next_message_attempt()
                .await
                .unwrap()
                .map(|t| t.timestamp()),
            Some(due[0].created_at.timestamp())
        );
        let counts = db.outbox_counts().await.unwrap();
        assert_eq!((counts.queued, counts.sent, counts.failed), (2, 1, 1));
        let failed = db.find_message(third).await.unwrap();
        assert_eq!(
            (failed.status_label(), failed.last_error.as_deref()),
            ("échec", Some("adresse invalide"))
        );
        db.retry_message(&actor(), third).await.unwrap();
        assert!(
            db.retry_message(&actor(), third).await.is_err(),
            "only a failed message"
        );
        assert_eq!(messages_of(db, id).await.len(), 4);
    }
);

db_test!(an_admin_template_replaces_the_shipped_one, |t| {
    let db = &t.db;
    let s = setup(db).await;
    let custom = Template {
        subject: "RDV {date}".into(),
        body: "Venez au {centre}.\n".into(),
    };
    db.save_message_template(&actor(), "convocation", &custom)
        .await
        .unwrap();
    let bad = Template {
        subject: "S".into(),
        body: "{inconnu}".into(),
    };
    assert!(matches!(
        db.save_message_template(&actor(), "convocation", &bad).await,
        Err(StoreError::Invalid(m)) if m.contains("{inconnu}")
    ));
    let slot = slot_at(db, s.nurse, day(2027, 1, 4), "08:00").await;
    let id = db
        .book_appointment(
            &actor(),
            &booking(&s, slot, s.with_email, "VIP_INITIAL"),
            today(),
            &context(),
        )
        .await
        .unwrap();
    let message = &messages_of(db, id).await[0];
    assert_eq!(message.subject, "RDV 04/01/2027");
    assert_eq!(message.body, "Venez au Metz.\n");
    db.reset_message_template(&actor(), "convocation")
        .await
        .unwrap();
    assert!(
        db.message_templates()
            .await
            .unwrap()
            .get("convocation")
            .body
            .contains("Bonjour")
    );
});

db_test!(
    manual_slots_stay_within_opening_hours_and_blocked_slots_are_not_planned,
    |t| {
        let db = &t.db;
        let s = setup(db).await;
        let refused = db
            .add_manual_slot(&actor(), s.nurse, s.centre, day(2027, 1, 4), at(13, 0), 20)
            .await;
        assert!(
            matches!(refused, Err(StoreError::Invalid(m)) if m.contains("hors des horaires d'ouverture (08:00–12:00)"))
        );
        let sunday = db
            .add_manual_slot(&actor(), s.nurse, s.centre, day(2027, 1, 10), at(9, 0), 20)
            .await;
        assert!(matches!(sunday, Err(StoreError::Invalid(m)) if m.contains("aucun horaire")));
        let twice = db
            .add_manual_slot(&actor(), s.nurse, s.centre, day(2027, 1, 4), at(8, 0), 20)
            .await;
        assert!(matches!(twice, Err(StoreError::Conflict(_))));
        db.add_manual_slot(&actor(), s.nurse, s.centre, day(2027, 1, 11), at(8, 10), 20)
            .await
            .unwrap();
        let slot = slot_at(db, s.nurse, day(2027, 1, 4), "08:00").await;
        db.set_slot_blocked(&actor(), slot, true).await.unwrap();
        let refused = db
            .book_appointment(
                &actor(),
                &booking(&s, slot, s.with_email, "VIP_INITIAL"),
                today(),
                &context(),
            )
            .await;
        assert!(matches!(refused, Err(StoreError::Conflict(m)) if m.contains("bloqué")));
        db.set_slot_blocked(&actor(), slot, false).await.unwrap();
        db.book_appointment(
            &actor(),
            &booking(&s, slot, s.with_email, "VIP_INITIAL"),
            today(),
            &context(),
        )
        .await
        .unwrap();
        assert!(matches!(
            db.set_slot_blocked(&actor(), slot, true).await,
            Err(StoreError::Conflict(m)) if m.contains("un rendez-vous y est prévu")
        ));
    }
);

db_test!(the_planner_reads_the_visit_durations_the_admin_set, |t| {
    let db = &t.db;
    let s = setup(db).await;
    db.refresh_all_obligations(today()).await.unwrap();
    let team = db.list_teams().await.unwrap()[0].id.0;
    let request = |data: &spsti_store::PlanningData| {
        data.problem
            .requests
            .iter()
            .find(|r| r.id == format!("w{}", s.with_email))
            .unwrap()
            .duration_min
    };
    let before = db
        .planning_data(team, day(2027, 1, 4), day(2027, 1, 8), today(), 7)
        .await
        .unwrap();
    assert_eq!(request(&before), 20);
    db.set_visit_durations(&actor(), &[("VIP_INITIAL".into(), 25)])
        .await
        .unwrap();
    assert!(matches!(
        db.set_visit_durations(&actor(), &[("VIP_PERIODIC".into(), 20), ("VIP_INITIAL".into(), 4)]).await,
        Err(StoreError::Invalid(m)) if m.contains("entre 5 et 240")
    ));
    let after = db
        .planning_data(team, day(2027, 1, 4), day(2027, 1, 8), today(), 7)
        .await
        .unwrap();
    assert_eq!(
        request(&after),
        25,
        "all or none: the refused change wrote nothing"
    );
    let durations: std::collections::HashMap<&str, u32> =
        db.visit_durations().await.unwrap().into_iter().collect();
    assert_eq!(durations["VIP_PERIODIC"], 20);
});
