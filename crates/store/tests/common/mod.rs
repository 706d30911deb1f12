//! Helpers shared by the store's test files: an organisation, members, hires.
#![allow(dead_code)]

pub mod agenda;

use chrono::NaiveDate;
use domain::company::{CompanyKind, Contract, Sex};
use spsti_store::{Actor, Db, NewCentre, NewEmployment, NewMember, NewTeam, NewWorker};

pub fn actor() -> Actor {
    Actor("test".into())
}

pub fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub async fn organisation(db: &Db) {
    db.upsert_sector(&actor(), "EST", "Secteur Est")
        .await
        .unwrap();
    db.upsert_centre(
        &actor(),
        &NewCentre {
            code: "C1".into(),
            name: "Metz".into(),
            sector: "EST".into(),
            address: String::new(),
            postcode: String::new(),
            city: String::new(),
        },
    )
    .await
    .unwrap();
    for code in ["EST-1", "EST-2"] {
        db.upsert_team(
            &actor(),
            &NewTeam {
                code: code.into(),
                name: code.into(),
                sector: "EST".into(),
            },
        )
        .await
        .unwrap();
    }
}

pub fn member(siret: &str, name: &str, city: &str) -> NewMember {
    NewMember {
        siret: siret.into(),
        company_name: name.into(),
        name: name.into(),
        naf_code: Some("10.71C".into()),
        kind: CompanyKind::Company,
        sector: "EST".into(),
        team: Some("EST-1".into()),
        joined_on: day(2020, 1, 1),
        address: "1 rue Haute".into(),
        postcode: "57000".into(),
        city: city.into(),
        email: Some("contact@example.org".into()),
        phone: None,
    }
}

pub async fn hire(db: &Db, establishment: i64, reference: &str, hired_on: NaiveDate) -> i64 {
    hire_worker(db, establishment, reference, hired_on).await.1
}

/// A hire: (worker id, employment id).
pub async fn hire_worker(
    db: &Db,
    establishment: i64,
    reference: &str,
    hired_on: NaiveDate,
) -> (i64, i64) {
    db.create_worker_with_employment(
        &actor(),
        &NewWorker {
            worker_ref: reference.into(),
            last_name: "Durand".into(),
            first_name: "Léa".into(),
            sex: Sex::Female,
            birth_date: day(1990, 5, 4),
            nir: None,
            email: None,
            mobile: None,
        },
        &NewEmployment {
            establishment_id: establishment,
            job_title: "Boulangère".into(),
            pcs_ese: None,
            contract: Contract::Cdi,
            hired_on,
            left_on: None,
        },
    )
    .await
    .unwrap()
}
