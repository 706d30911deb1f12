//! Prevention programmes: targeting, the journey's gating (profile, previous step), answers,
//! submission, validation rights, and the funnel facts, on SQLite and PostgreSQL.

mod common;

use common::{actor, day, organisation};
use domain::Role;
use domain::prevention::programmes::{StepStatus, funnel, tms_pros_steps};
use spsti_store::{NewProgramme, StepRef, StoreError, db_test};

/// Step `step` of `establishment` in the test's programme (always the first created: id 1).
fn at_programme(programme: i64, establishment: i64, step: usize) -> StepRef {
    StepRef {
        programme_id: programme,
        establishment_id: establishment,
        step,
    }
}

fn answers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

db_test!(
    a_company_goes_through_the_steps_under_the_journey_rules,
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
        let garage = db
            .create_member(
                &actor(),
                &common::member("44306184100047", "Garage", "Metz"),
            )
            .await
            .unwrap();
        let programme = db
            .create_programme(
                &actor(),
                &NewProgramme {
                    name: "TMS Pros 2026".into(),
                    theme: "TMS".into(),
                    starts_on: day(2026, 1, 1),
                    ends_on: day(2026, 12, 31),
                    steps: tms_pros_steps(),
                },
            )
            .await
            .unwrap();
        let at = |establishment: i64, step: usize| at_programme(programme, establishment, step);
        let targets = vec![
            "73282932000074".to_string(),
            "44306184100047".to_string(),
            "12345678900000".to_string(),
        ];
        let (added, already, unknown) = db
            .target_sirets(&actor(), programme, &targets, day(2026, 1, 5))
            .await
            .unwrap();
        assert_eq!(
            (added, already, unknown),
            (2, 0, vec!["12345678900000".to_string()])
        );
        let (added, already, _) = db
            .target_sirets(&actor(), programme, &targets[..1], day(2026, 1, 6))
            .await
            .unwrap();
        assert_eq!((added, already), (0, 1), "targeting twice adds nobody");

        // The profile lacks the headcount: the journey is closed.
        let closed = db
            .save_step_answers(
                &actor(),
                at(bakery, 0),
                &answers(&[("referent", "Mme Martin")]),
                true,
            )
            .await;
        assert!(
            matches!(closed, Err(StoreError::Invalid(m)) if m.contains("Profil de l'entreprise incomplet (effectif)"))
        );
        let participation = db.find_participation(programme, bakery).await.unwrap();
        db.set_programme_headcount(&actor(), participation.id, 12)
            .await
            .unwrap();

        // E1 cannot open before E0 is validated.
        let early = db
            .save_step_answers(
                &actor(),
                at(bakery, 1),
                &answers(&[("tms_cases", "2")]),
                false,
            )
            .await;
        assert!(
            matches!(early, Err(StoreError::Invalid(m)) if m.contains("elle s'ouvre quand l'étape E0 est validée"))
        );
        // E0 needs no validator: submitting it validates it.
        let status = db
            .save_step_answers(
                &actor(),
                at(bakery, 0),
                &answers(&[("referent", "Mme Martin")]),
                true,
            )
            .await
            .unwrap();
        assert_eq!(status, StepStatus::Validated);
        // E1: a bad number is refused with the question named; a missing answer blocks submission.
        let bad = db
            .save_step_answers(
                &actor(),
                at(bakery, 1),
                &answers(&[("tms_cases", "deux")]),
                false,
            )
            .await;
        assert!(matches!(bad, Err(StoreError::Invalid(m)) if m.starts_with("Nombre de TMS")));
        db.save_step_answers(
            &actor(),
            at(bakery, 1),
            &answers(&[("tms_cases", "2")]),
            false,
        )
        .await
        .unwrap();
        let incomplete = db
            .save_step_answers(&actor(), at(bakery, 1), &[], true)
            .await;
        assert!(
            matches!(incomplete, Err(StoreError::Invalid(m)) if m.contains("réponses manquantes"))
        );
        let status = db
            .save_step_answers(
                &actor(),
                at(bakery, 1),
                &answers(&[("absences", "oui")]),
                true,
            )
            .await
            .unwrap();
        assert_eq!(status, StepStatus::Submitted);
        let locked = db
            .save_step_answers(
                &actor(),
                at(bakery, 1),
                &answers(&[("absences", "non")]),
                false,
            )
            .await;
        assert!(
            matches!(locked, Err(StoreError::Invalid(m)) if m.contains("attend sa validation"))
        );

        // Validation rights: an employer or a doctor may not; a send-back needs a comment.
        for role in [Role::Employer, Role::Doctor] {
            assert!(
                db.review_step(&actor(), role, at(bakery, 1), true, "")
                    .await
                    .is_err()
            );
        }
        assert!(matches!(
            db.review_step(&actor(), Role::Preventer, at(bakery, 1), false, " ").await,
            Err(StoreError::Invalid(m)) if m.starts_with("Commentaire")
        ));
        db.review_step(
            &actor(),
            Role::Preventer,
            at(bakery, 1),
            false,
            "Précisez les absences",
        )
        .await
        .unwrap();
        let participation = db.find_participation(programme, bakery).await.unwrap();
        assert_eq!(participation.steps[1].status, StepStatus::SentBack);
        assert_eq!(
            participation.steps[1].review_comment,
            "Précisez les absences"
        );
        db.save_step_answers(&actor(), at(bakery, 1), &[], true)
            .await
            .unwrap();
        db.review_step(&actor(), Role::Preventer, at(bakery, 1), true, "")
            .await
            .unwrap();
        let participation = db.find_participation(programme, bakery).await.unwrap();
        assert_eq!(
            participation.statuses()[..3],
            [
                StepStatus::Validated,
                StepStatus::Validated,
                StepStatus::NotStarted
            ]
        );

        // The funnel: 2 targeted, 1 registered (E0), 1 past E1.
        let facts = db.load_programme_facts(programme).await.unwrap();
        assert_eq!(facts.len(), 2);
        let codes: Vec<String> = tms_pros_steps().into_iter().map(|s| s.code).collect();
        let counts: Vec<usize> = funnel(&codes, &facts).iter().map(|s| s.count).collect();
        assert_eq!(counts, [2, 1, 1, 0, 0, 0]);
        let garage_fact = facts.iter().find(|f| f.establishment_id == garage).unwrap();
        assert_eq!(garage_fact.size_band, "effectif non renseigné");
        assert_eq!(garage_fact.naf_section, Some('C'));

        let copy = db
            .copy_programme(
                &actor(),
                programme,
                "TMS Pros 2027",
                day(2027, 1, 1),
                day(2027, 12, 31),
            )
            .await
            .unwrap();
        let copied = db.find_programme(copy).await.unwrap();
        assert_eq!(copied.steps.len(), 5);
        assert_eq!(copied.targeted, 0, "a copy targets nobody yet");
    }
);
