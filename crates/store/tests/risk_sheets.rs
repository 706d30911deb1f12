//! Fiches d'entreprise: versions, transitions, delivery, and the coverage plan, on SQLite and
//! PostgreSQL.

mod common;

use common::{actor, day, organisation};
use domain::prevention::{FicheState, UnitRisk, WorkUnit};
use spsti_store::{MessageQuery, StoreError, db_test};

fn unit(name: &str) -> WorkUnit {
    WorkUnit {
        name: name.into(),
        headcount: 3,
        risks: vec![UnitRisk {
            family: "thermal".into(),
            description: "Chaleur des fours".into(),
            exposed: 2,
            existing_measures: "Ventilation".into(),
            recommendations: "Pauses et eau fraîche".into(),
        }],
    }
}

db_test!(
    an_fe_goes_from_draft_to_delivered_and_a_new_version_takes_its_units,
    |t| {
        let db = &t.db;
        organisation(db).await;
        let bakery = db
            .create_member(
                &actor(),
                &common::member("73282932000074", "Boulangerie", "Metz"),
            )
            .await
            .unwrap();
        let first = db
            .start_risk_sheet(&actor(), bakery, day(2026, 3, 2))
            .await
            .unwrap();
        assert!(matches!(
            db.start_risk_sheet(&actor(), bakery, day(2026, 3, 2)).await,
            Err(StoreError::Conflict(m)) if m.contains("brouillon est déjà en cours")
        ));
        assert!(matches!(
            db.finalise_risk_sheet(&actor(), first, day(2026, 3, 3)).await,
            Err(StoreError::Conflict(m)) if m.contains("au moins une unité")
        ));
        assert!(matches!(
            db.deliver_risk_sheet(&actor(), first, day(2026, 3, 3), b"%PDF", "SPSTI").await,
            Err(StoreError::Conflict(m)) if m.contains("brouillon ne se remet pas")
        ));
        let mut wrong = unit("Fournil");
        wrong.risks[0].exposed = 9;
        assert!(matches!(
            db.add_work_unit(&actor(), first, &wrong).await,
            Err(StoreError::Invalid(_))
        ));
        db.add_work_unit(&actor(), first, &unit("Fournil"))
            .await
            .unwrap();
        db.add_work_unit(&actor(), first, &unit("Vente"))
            .await
            .unwrap();
        db.set_sheet_recommendations(&actor(), first, "Évaluer le port de charges")
            .await
            .unwrap();
        db.finalise_risk_sheet(&actor(), first, day(2026, 3, 10))
            .await
            .unwrap();
        assert!(matches!(
            db.add_work_unit(&actor(), first, &unit("Réserve")).await,
            Err(StoreError::Conflict(_))
        ));
        db.deliver_risk_sheet(
            &actor(),
            first,
            day(2026, 3, 11),
            b"%PDF-fiche",
            "SPSTI Est",
        )
        .await
        .unwrap();
        let sheet = db.find_risk_sheet(first).await.unwrap();
        assert_eq!(
            (sheet.state, sheet.finalised_on, sheet.delivered_on),
            (
                FicheState::Delivered,
                Some(day(2026, 3, 10)),
                Some(day(2026, 3, 11))
            )
        );
        assert_eq!(
            db.risk_sheet_pdf(bakery, first).await.unwrap(),
            b"%PDF-fiche"
        );
        assert!(matches!(
            db.risk_sheet_pdf(bakery + 1, first).await,
            Err(StoreError::NotFound)
        ));
        let told = db
            .list_messages(&MessageQuery {
                establishment_id: Some(bakery),
                limit: 10,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(told.len(), 1);
        assert!(
            told[0]
                .subject
                .starts_with("Fiche d'entreprise de Boulangerie")
        );
        // The yearly update: a new draft with the same units and recommendations.
        let second = db
            .start_risk_sheet(&actor(), bakery, day(2027, 3, 1))
            .await
            .unwrap();
        let update = db.find_risk_sheet(second).await.unwrap();
        assert_eq!((update.version, update.state), (2, FicheState::Draft));
        assert_eq!(update.units.len(), 2);
        assert_eq!(update.recommendations, "Évaluer le port de charges");
        assert_eq!(db.list_risk_sheets(bakery).await.unwrap().len(), 2);
    }
);

db_test!(
    the_coverage_plan_lists_missing_outdated_and_new_members,
    |t| {
        let db = &t.db;
        organisation(db).await;
        let member = |siret: &str, name: &str, joined| {
            let mut m = common::member(siret, name, "Metz");
            m.joined_on = joined;
            m
        };
        let old = db
            .create_member(
                &actor(),
                &member("73282932000074", "Ancienne", day(2010, 1, 1)),
            )
            .await
            .unwrap();
        let covered = db
            .create_member(
                &actor(),
                &member("44306184100047", "Couverte", day(2010, 1, 1)),
            )
            .await
            .unwrap();
        let new = db
            .create_member(
                &actor(),
                &member("55203253400646", "Nouvelle", day(2026, 6, 1)),
            )
            .await
            .unwrap();
        let finalise = |id: i64, on| async move {
            let sheet = db.start_risk_sheet(&actor(), id, on).await.unwrap();
            db.add_work_unit(&actor(), sheet, &unit("Atelier"))
                .await
                .unwrap();
            db.finalise_risk_sheet(&actor(), sheet, on).await.unwrap();
        };
        finalise(old, day(2022, 11, 28)).await;
        finalise(covered, day(2022, 11, 29)).await;
        db.upsert_professional(
            &actor(),
            &spsti_store::NewProfessional {
                reference: "PRV1".into(),
                last_name: "Roux".into(),
                first_name: "Inès".into(),
                role: domain::org::ProfessionalRole::Preventer,
                team: Some("EST-1".into()),
                email: None,
            },
        )
        .await
        .unwrap();
        let plan = db.list_fe_coverage(day(2026, 11, 29), None).await.unwrap();
        assert!(
            plan.iter().all(|r| r.preventers == "Inès Roux"),
            "the team's preventer on each line"
        );
        let gaps: Vec<(i64, &str, chrono::NaiveDate)> = plan
            .iter()
            .map(|r| (r.establishment_id, r.gap, r.due))
            .collect();
        // Exactly 4 years old is still covered; a day more is outdated.
        assert_eq!(
            gaps,
            [
                (old, "outdated", day(2026, 11, 28)),
                (new, "new_member", day(2027, 6, 1))
            ]
        );
        assert!(
            db.list_fe_coverage(day(2026, 11, 29), Some("EST-2"))
                .await
                .unwrap()
                .is_empty()
        );
    }
);
