//! Opening hours, closures and slot generation, on SQLite and PostgreSQL.

mod common;

use chrono::{NaiveTime, Weekday};
use common::{actor, day, organisation};
use domain::agenda::{Closure, OpeningHours};
use domain::org::ProfessionalRole;
use spsti_store::{Db, NewCentre, NewProfessional, StoreError, db_test};

fn context() -> domain::messages::MessageContext {
    domain::messages::MessageContext {
        service_name: "SPSTI Est".into(),
        excuse_delay_hours: 48,
        no_show_fee: None,
    }
}

fn at(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}

async fn nurse_in_metz(db: &Db) -> (i64, i64) {
    organisation(db).await;
    let nurse = db
        .upsert_professional(
            &actor(),
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
        .unwrap();
    let centre = db.list_centres().await.unwrap()[0].id.0;
    (nurse.0, centre)
}

fn weekday_mornings() -> Vec<OpeningHours> {
    [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
    ]
    .into_iter()
    .map(|weekday| OpeningHours {
        weekday,
        start: at(8, 0),
        end: at(12, 0),
        slot_minutes: 20,
    })
    .collect()
}

db_test!(slots_follow_opening_hours_holidays_and_closures, |t| {
    let db = &t.db;
    let (nurse, centre) = nurse_in_metz(db).await;
    db.set_opening_hours(&actor(), nurse, centre, &weekday_mornings())
        .await
        .unwrap();
    // Week of 11 May 2026: Ascension on Thursday 14.
    let (monday, sunday) = (day(2026, 5, 11), day(2026, 5, 17));
    let created = db
        .generate_agenda_slots(&actor(), None, monday, sunday)
        .await
        .unwrap();
    assert_eq!(created, 4 * 12);
    assert_eq!(
        db.generate_agenda_slots(&actor(), Some(nurse), monday, sunday)
            .await
            .unwrap(),
        0,
        "generating again creates nothing"
    );
    let slots = db.list_slots(nurse, monday, sunday).await.unwrap();
    assert_eq!(
        (slots[0].time.as_str(), slots[0].duration_min),
        ("08:00", 20)
    );
    assert!(slots.iter().all(|s| s.date != day(2026, 5, 14)));

    // A day of training blocks its open slots; the next generation leaves it closed.
    let training = Closure {
        from: day(2026, 5, 12),
        to: day(2026, 5, 12),
        reason: "formation".into(),
    };
    assert_eq!(
        db.add_closure(&actor(), nurse, &training).await.unwrap(),
        12
    );
    let next_week = db
        .generate_agenda_slots(&actor(), None, day(2026, 5, 18), day(2026, 5, 24))
        .await
        .unwrap();
    // Whit Monday 25 May is the week after: a full week of 5 mornings.
    assert_eq!(next_week, 5 * 12);
    let blocked = db
        .list_slots(nurse, monday, sunday)
        .await
        .unwrap()
        .into_iter()
        .filter(|s| s.status == "blocked")
        .count();
    assert_eq!(blocked, 12);

    // A centre in Moselle: Good Friday (3 April 2026) is a holiday there.
    db.upsert_centre(
        &actor(),
        &NewCentre {
            code: "C1".into(),
            name: "Metz".into(),
            sector: "EST".into(),
            address: String::new(),
            postcode: "57000".into(),
            city: "Metz".into(),
        },
    )
    .await
    .unwrap();
    let easter_week = db
        .generate_agenda_slots(&actor(), None, day(2026, 3, 30), day(2026, 4, 5))
        .await
        .unwrap();
    assert_eq!(easter_week, 4 * 12);

    // Bad opening hours are refused, the old ones stay.
    let overlapping = vec![
        OpeningHours {
            weekday: Weekday::Mon,
            start: at(8, 0),
            end: at(12, 0),
            slot_minutes: 20,
        },
        OpeningHours {
            weekday: Weekday::Mon,
            start: at(11, 0),
            end: at(13, 0),
            slot_minutes: 20,
        },
    ];
    match db
        .set_opening_hours(&actor(), nurse, centre, &overlapping)
        .await
    {
        Err(StoreError::Invalid(message)) => assert!(message.contains("chevauche"), "{message}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(db.list_opening_hours(nurse).await.unwrap().len(), 5);
});

db_test!(a_plan_is_booked_all_or_nothing, |t| {
    let db = &t.db;
    let (nurse, centre) = nurse_in_metz(db).await;
    db.set_opening_hours(&actor(), nurse, centre, &weekday_mornings())
        .await
        .unwrap();
    let establishment = db
        .create_member(
            &actor(),
            &common::member("73282932000074", "Boulangerie", "Metz"),
        )
        .await
        .unwrap();
    let (worker, _) = common::hire_worker(db, establishment, "W1", day(2026, 1, 5)).await;
    let (other, _) = common::hire_worker(db, establishment, "W2", day(2026, 1, 5)).await;
    db.generate_agenda_slots(&actor(), None, day(2027, 1, 4), day(2027, 1, 8))
        .await
        .unwrap();
    let team = db.list_teams().await.unwrap()[0].id.0;
    let data = db
        .planning_data(team, day(2027, 1, 4), day(2027, 1, 8), day(2026, 12, 20), 7)
        .await
        .unwrap();
    assert_eq!(data.problem.requests.len(), 2);
    let first_slot = data
        .slots
        .values()
        .min_by_key(|s| (s.date, s.time.clone()))
        .unwrap()
        .clone();
    let facts = |id: i64| data.requests[&format!("w{id}")].clone();
    db.book_plan(&actor(), &[(first_slot.clone(), facts(worker))], &context())
        .await
        .unwrap();
    // The same slot again, for another worker, with a valid booking first: all refused.
    let second_slot = data
        .slots
        .values()
        .find(|s| s.slot_id != first_slot.slot_id && s.date != first_slot.date)
        .unwrap()
        .clone();
    match db
        .book_plan(
            &actor(),
            &[
                (second_slot, facts(other)),
                (first_slot.clone(), facts(other)),
            ],
            &context(),
        )
        .await
    {
        Err(StoreError::Conflict(message)) => assert!(message.contains("déjà pris"), "{message}"),
        other => panic!("{other:?}"),
    }
    let again = db
        .planning_data(team, day(2027, 1, 4), day(2027, 1, 8), day(2026, 12, 20), 7)
        .await
        .unwrap();
    assert_eq!(
        again.problem.requests.len(),
        1,
        "only the worker not booked is left"
    );
    assert_eq!(again.slots.len(), data.slots.len() - 1);
});
