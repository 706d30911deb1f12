//! An agenda for tests: a nurse and a doctor with slots, a member with two workers.

use chrono::{NaiveDate, NaiveTime, Weekday};
use domain::agenda::OpeningHours;
use domain::company::{Contract, Sex};
use domain::messages::MessageContext;
use domain::org::ProfessionalRole;
use spsti_store::{Db, NewBooking, NewEmployment, NewProfessional, NewWorker};

use super::{actor, day, organisation};

pub fn context() -> MessageContext {
    MessageContext {
        service_name: "SPSTI Est".into(),
        excuse_delay_hours: 48,
        no_show_fee: None,
    }
}

pub fn at(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}

/// A nurse and a doctor of team EST-1 in Metz, open every weekday morning (20 and 30 min),
/// their slots generated for the week of 4 January 2027; a member with one worker (e-mail
/// known) and one without.
pub struct Setup {
    pub nurse: i64,
    pub doctor: i64,
    pub centre: i64,
    pub establishment: i64,
    pub with_email: i64,
    pub without_email: i64,
}

pub async fn setup(db: &Db) -> Setup {
    organisation(db).await;
    let professional = |reference: &str, role| NewProfessional {
        reference: reference.into(),
        last_name: reference.into(),
        first_name: "Dr".into(),
        role,
        team: Some("EST-1".into()),
        email: None,
    };
    let nurse = db
        .upsert_professional(&actor(), &professional("IDE1", ProfessionalRole::Nurse))
        .await
        .unwrap()
        .0;
    let doctor = db
        .upsert_professional(&actor(), &professional("MED1", ProfessionalRole::Doctor))
        .await
        .unwrap()
        .0;
    let centre = db.list_centres().await.unwrap()[0].id.0;
    for (professional, minutes) in [(nurse, 20), (doctor, 30)] {
        let hours: Vec<OpeningHours> = [
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
            slot_minutes: minutes,
        })
        .collect();
        db.set_opening_hours(&actor(), professional, centre, &hours)
            .await
            .unwrap();
    }
    db.generate_agenda_slots(&actor(), None, day(2027, 1, 4), day(2027, 1, 8))
        .await
        .unwrap();
    let establishment = db
        .create_member(
            &actor(),
            &super::member("73282932000074", "Boulangerie", "Metz"),
        )
        .await
        .unwrap();
    let hire = |reference: &str, email: Option<&str>| NewWorker {
        worker_ref: reference.into(),
        last_name: "Martin".into(),
        first_name: reference.into(),
        sex: Sex::Female,
        birth_date: day(1990, 5, 4),
        nir: None,
        email: email.map(str::to_string),
        mobile: Some("0612345678".into()),
    };
    let employment = NewEmployment {
        establishment_id: establishment,
        job_title: "Vendeuse".into(),
        pcs_ese: None,
        contract: Contract::Cdi,
        hired_on: day(2026, 9, 1),
        left_on: None,
    };
    let with_email = db
        .create_worker_with_employment(
            &actor(),
            &hire("Jeanne", Some("jeanne@example.org")),
            &employment,
        )
        .await
        .unwrap()
        .0;
    let without_email = db
        .create_worker_with_employment(&actor(), &hire("Paule", None), &employment)
        .await
        .unwrap()
        .0;
    Setup {
        nurse,
        doctor,
        centre,
        establishment,
        with_email,
        without_email,
    }
}

pub async fn slot_at(db: &Db, professional: i64, date: NaiveDate, time: &str) -> i64 {
    db.list_slots(professional, date, date)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.time == time)
        .unwrap_or_else(|| panic!("a slot at {time}"))
        .id
}

pub fn booking(s: &Setup, slot_id: i64, worker_id: i64, kind: &str) -> NewBooking {
    NewBooking {
        slot_id,
        worker_id,
        establishment_id: s.establishment,
        kind: kind.into(),
        subtype: String::new(),
        replaces_id: None,
    }
}

const TODAY: (i32, u32, u32) = (2026, 12, 20);

pub fn today() -> NaiveDate {
    day(TODAY.0, TODAY.1, TODAY.2)
}
