//! The medical file: recording a visit under a grant, versions, traces, objections, on SQLite
//! and PostgreSQL.

mod common;

use common::agenda::{Setup, booking, context, setup, slot_at, today};
use common::{actor, day};
use domain::Role;
use domain::authz::{MedicalGrant, Principal, WorkerFileContext, grant_medical_access};
use domain::ids::{TeamId, UserId, WorkerId};
use domain::medical::{InaptitudePrerequisites, Measurements, VisitRecord};
use spsti_store::{Db, NewUser, NewVisit, StoreError, db_test};

async fn user(db: &Db, login: &str, role: Role) -> UserId {
    db.insert_user(
        &actor(),
        &NewUser {
            login: login.into(),
            display_name: format!("Dr {login}"),
            email: None,
            role,
            siret: None,
            professional_id: None,
            password_hash: None,
        },
    )
    .await
    .unwrap()
}

async fn grant(
    db: &Db,
    user: UserId,
    role: Role,
    team: i64,
    worker: i64,
    reason: Option<&str>,
) -> MedicalGrant {
    let file = db.medical_file_context(worker).await.unwrap();
    grant_medical_access(
        &Principal {
            user_id: user,
            login: "x".into(),
            display_name: "X".into(),
            role,
            team: Some(TeamId(team)),
            siret: None,
            second_factor_verified: true,
        },
        &WorkerFileContext {
            worker_id: WorkerId(worker),
            team: file.team,
            objects_to_other_professionals: file.objects_to_other_professionals,
            objected_users: &file.objected_users,
        },
        reason,
    )
    .unwrap()
}

fn visit(appointment_id: i64, kind: &str, outcome: &str) -> NewVisit {
    NewVisit {
        appointment_id,
        record: VisitRecord {
            kind: kind.into(),
            outcome: outcome.into(),
            next_visit_months: Some(36),
            referral: String::new(),
            prerequisites: InaptitudePrerequisites::default(),
            teleconsultation: false,
            experimental: false,
            duration_min: 20,
            recommendations: String::new(),
            propose_adjustments: false,
        },
        measurements: Measurements {
            height_cm: Some(170),
            ..Default::default()
        },
        sections: vec![
            ("findings".into(), "Examen normal. CANARY-FINDING".into()),
            ("advice".into(), "Port des protections auditives".into()),
        ],
        document: None,
    }
}

async fn booked(db: &Db, s: &Setup, professional: i64, kind: &str) -> i64 {
    let slot = slot_at(db, professional, day(2027, 1, 4), "08:00").await;
    db.book_appointment(
        &actor(),
        &booking(s, slot, s.with_email, kind),
        today(),
        &context(),
    )
    .await
    .unwrap()
}

db_test!(a_nurse_records_a_visit_and_refers_to_the_doctor, |t| {
    let db = &t.db;
    let s = setup(db).await;
    let team = db.list_teams().await.unwrap()[0].id.0;
    let nurse = user(db, "ide", Role::Nurse).await;
    let appointment = booked(db, &s, s.nurse, "VIP_INITIAL").await;
    let g = grant(db, nurse, Role::Nurse, team, s.with_email, None).await;
    assert!(!g.is_break_glass());
    // Before the day: refused; an opinion by a nurse: refused with the field.
    let early = db
        .record_visit(
            &g,
            "nurse",
            &visit(appointment, "VIP_INITIAL", "follow_up_certificate"),
            today(),
            &context(),
        )
        .await;
    assert!(matches!(early, Err(StoreError::Invalid(m)) if m.contains("pas encore eu lieu")));
    let opinion = db
        .record_visit(
            &g,
            "nurse",
            &visit(appointment, "VIP_INITIAL", "fit"),
            day(2027, 1, 4),
            &context(),
        )
        .await;
    assert!(
        matches!(opinion, Err(StoreError::Invalid(m)) if m.starts_with("Conclusion : seul le médecin"))
    );
    let mut referred = visit(appointment, "VIP_INITIAL", "follow_up_certificate");
    referred.record.referral = "doctor".into();
    db.record_visit(&g, "nurse", &referred, day(2027, 1, 4), &context())
        .await
        .unwrap();
    let twice = db
        .record_visit(&g, "nurse", &referred, day(2027, 1, 4), &context())
        .await;
    assert!(matches!(twice, Err(StoreError::Conflict(m)) if m.contains("déjà enregistrée")));

    let file = db.open_medical_file(&g).await.unwrap();
    assert_eq!(file.visits.len(), 1);
    assert_eq!(file.visits[0].outcome, "follow_up_certificate");
    assert_eq!(file.visits[0].measurements.height_cm, Some(170));
    assert_eq!(file.entries.len(), 2);
    assert_eq!(file.retention_end, Some(day(2067, 1, 4)));
    // The appointment is done and the referral is an on-demand visit in the doctor's queue.
    assert_eq!(
        db.find_appointment(appointment).await.unwrap().status,
        "done"
    );
    let obligations = db.list_worker_obligations(s.with_email).await.unwrap();
    assert!(
        obligations
            .iter()
            .any(|o| o.kind == "ON_DEMAND" && o.performer == "doctor"),
        "{obligations:?}"
    );
    assert!(
        !obligations.iter().any(|o| o.kind == "VIP_INITIAL"),
        "the visit closed its obligation"
    );
    // Traces: the write and the read, by this user, kept with the file.
    let traces = db
        .list_medical_access(WorkerId(s.with_email))
        .await
        .unwrap();
    let actions: Vec<(&str, &str)> = traces
        .iter()
        .map(|a| (a.section.as_str(), a.action.as_str()))
        .collect();
    assert_eq!(actions, [("visite", "write"), ("dossier", "read")]);
    // The audit trail, which is not medical, holds no medical content.
    let audit = db.list_audit(0, 1000).await.unwrap();
    assert!(audit.iter().all(|a| !format!("{a:?}").contains("CANARY")));
});

db_test!(a_correction_is_a_new_version_keeping_the_old_one, |t| {
    let db = &t.db;
    let s = setup(db).await;
    let team = db.list_teams().await.unwrap()[0].id.0;
    let doctor = user(db, "med", Role::Doctor).await;
    let appointment = booked(db, &s, s.doctor, "EMA_HIRE").await;
    let g = grant(db, doctor, Role::Doctor, team, s.with_email, None).await;
    db.record_visit(
        &g,
        "doctor",
        &visit(appointment, "EMA_HIRE", "fit"),
        day(2027, 1, 4),
        &context(),
    )
    .await
    .unwrap();
    let file = db.open_medical_file(&g).await.unwrap();
    let finding = file
        .entries
        .iter()
        .find(|e| e.section == "findings")
        .unwrap();
    let corrected = db
        .correct_medical_entry(&g, finding.id, "Examen normal, tension 12/8")
        .await
        .unwrap();
    assert!(matches!(
        db.correct_medical_entry(&g, finding.id, "autre").await,
        Err(StoreError::Conflict(_))
    ));
    let file = db.open_medical_file(&g).await.unwrap();
    let versions: Vec<(i32, bool)> = file
        .entries
        .iter()
        .filter(|e| e.section == "findings")
        .map(|e| (e.version, e.superseded))
        .collect();
    assert_eq!(versions, [(1, true), (2, false)]);
    assert!(
        file.entries
            .iter()
            .any(|e| e.id == corrected && e.supersedes_id == Some(finding.id))
    );
});

db_test!(
    an_inaptitude_without_its_prerequisites_writes_nothing,
    |t| {
        let db = &t.db;
        let s = setup(db).await;
        let team = db.list_teams().await.unwrap()[0].id.0;
        let doctor = user(db, "med", Role::Doctor).await;
        let appointment = booked(db, &s, s.doctor, "EMA_HIRE").await;
        let g = grant(db, doctor, Role::Doctor, team, s.with_email, None).await;
        let refused = db
            .record_visit(
                &g,
                "doctor",
                &visit(appointment, "EMA_HIRE", "unfit"),
                day(2027, 1, 4),
                &context(),
            )
            .await;
        assert!(
            matches!(refused, Err(StoreError::Invalid(m)) if m.contains("il manque : l'examen médical du salarié"))
        );
        assert_eq!(
            db.find_appointment(appointment).await.unwrap().status,
            "planned"
        );
        assert!(db.open_medical_file(&g).await.unwrap().entries.is_empty());
    }
);

db_test!(
    outside_the_team_a_reason_is_traced_and_an_objection_is_enforced,
    |t| {
        let db = &t.db;
        let s = setup(db).await;
        let team = db.list_teams().await.unwrap()[0].id.0;
        let doctor = user(db, "med", Role::Doctor).await;
        let other = user(db, "autre", Role::Doctor).await;
        let g = grant(
            db,
            other,
            Role::Doctor,
            team + 1000,
            s.with_email,
            Some("Remplacement du Dr Martin en congé"),
        )
        .await;
        assert!(g.is_break_glass());
        db.open_medical_file(&g).await.unwrap();
        let traces = db
            .list_medical_access(WorkerId(s.with_email))
            .await
            .unwrap();
        assert_eq!(
            traces[0].justification.as_deref(),
            Some("Remplacement du Dr Martin en congé")
        );
        // The worker objects to access outside the team: the same request is now refused.
        let own = grant(db, doctor, Role::Doctor, team, s.with_email, None).await;
        db.set_medical_objection(&own, true, &[]).await.unwrap();
        let file = db.medical_file_context(s.with_email).await.unwrap();
        assert!(file.objects_to_other_professionals);
        let refused = grant_medical_access(
            &Principal {
                user_id: other,
                login: "autre".into(),
                display_name: "Autre".into(),
                role: Role::Doctor,
                team: Some(TeamId(team + 1000)),
                siret: None,
                second_factor_verified: true,
            },
            &WorkerFileContext {
                worker_id: WorkerId(s.with_email),
                team: file.team,
                objects_to_other_professionals: file.objects_to_other_professionals,
                objected_users: &file.objected_users,
            },
            Some("Remplacement du Dr Martin en congé"),
        );
        assert!(refused.is_err());
    }
);

db_test!(
    an_opinion_is_stored_sent_to_worker_and_employer_and_verifiable,
    |t| {
        let db = &t.db;
        let s = setup(db).await;
        let team = db.list_teams().await.unwrap()[0].id.0;
        let doctor = user(db, "med", Role::Doctor).await;
        let appointment = booked(db, &s, s.doctor, "EMA_HIRE").await;
        let g = grant(db, doctor, Role::Doctor, team, s.with_email, None).await;
        let mut adjusted = visit(appointment, "EMA_HIRE", "fit_with_adjustments");
        adjusted.record.recommendations = "Pas de port de charges de plus de 10 kg".into();
        adjusted.document = Some(spsti_store::NewDocument {
            title: "Avis d'aptitude avec mesures d'aménagement".into(),
            verification_code: "ABCD-EFGH-JKLM".into(),
            pdf: b"%PDF-1.7 test".to_vec(),
        });
        db.record_visit(&g, "doctor", &adjusted, day(2027, 1, 4), &context())
            .await
            .unwrap();
        let documents = db
            .list_establishment_documents(s.establishment)
            .await
            .unwrap();
        assert_eq!(documents.len(), 1);
        let document = &documents[0];
        assert_eq!(document.title, "Avis d'aptitude avec mesures d'aménagement");
        assert!(document.pdf.is_empty(), "the list does not carry the PDFs");
        let full = db
            .find_establishment_document(s.establishment, document.id)
            .await
            .unwrap();
        assert_eq!(full.pdf, b"%PDF-1.7 test");
        assert!(matches!(
            db.find_establishment_document(s.establishment + 1, document.id)
                .await,
            Err(StoreError::NotFound)
        ));
        let verified = db
            .verify_document(" ABCD-EFGH-JKLM ")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(verified.visit_date, day(2027, 1, 4));
        assert!(db.verify_document("ZZZZ").await.unwrap().is_none());
        // Sent to the worker and to the employer, the PDF attached, nothing medical in them.
        let messages = db
            .list_messages(&spsti_store::MessageQuery {
                appointment_id: Some(appointment),
                limit: 100,
                ..Default::default()
            })
            .await
            .unwrap();
        let sent: Vec<&str> = messages
            .iter()
            .filter(|m| m.document_id == Some(document.id))
            .map(|m| m.recipient.as_str())
            .collect();
        assert_eq!(sent.len(), 2, "{sent:?}");
        assert!(sent.contains(&"contact@example.org"));
        assert!(messages.iter().all(|m| !m.body.contains("CANARY")));
        let (name, bytes) = db.outbox_attachment(document.id).await.unwrap();
        assert_eq!((name.as_str(), bytes.len()), ("ABCD-EFGH-JKLM.pdf", 13));
        let printed = db.print_medical_document(&g, document.id).await.unwrap();
        assert_eq!(printed.verification_code, "ABCD-EFGH-JKLM");
        let traces = db
            .list_medical_access(WorkerId(s.with_email))
            .await
            .unwrap();
        assert_eq!(traces.last().map(|t| t.action.as_str()), Some("print"));
    }
);

db_test!(
    files_past_their_retention_are_purged_and_the_purge_recorded,
    |t| {
        let db = &t.db;
        let s = setup(db).await;
        let team = db.list_teams().await.unwrap()[0].id.0;
        let doctor = user(db, "med", Role::Doctor).await;
        let appointment = booked(db, &s, s.doctor, "EMA_HIRE").await;
        let g = grant(db, doctor, Role::Doctor, team, s.with_email, None).await;
        let mut fit = visit(appointment, "EMA_HIRE", "fit");
        fit.document = Some(spsti_store::NewDocument {
            title: "Avis d'aptitude".into(),
            verification_code: "PURG-EPUR-GEPU".into(),
            pdf: b"%PDF".to_vec(),
        });
        db.record_visit(&g, "doctor", &fit, day(2027, 1, 4), &context())
            .await
            .unwrap();
        // 40 years after the last visit: kept until 4 January 2067.
        let kept = db
            .purge_medical_files(&actor(), day(2067, 1, 4), false)
            .await
            .unwrap();
        assert_eq!(kept.files, 0);
        let dry = db
            .purge_medical_files(&actor(), day(2067, 1, 5), true)
            .await
            .unwrap();
        assert_eq!(
            (dry.files, dry.visits, dry.entries, dry.documents),
            (1, 1, 2, 1)
        );
        assert_eq!(
            db.open_medical_file(&g).await.unwrap().visits.len(),
            1,
            "a dry run removes nothing"
        );
        let done = db
            .purge_medical_files(&actor(), day(2067, 1, 5), false)
            .await
            .unwrap();
        assert_eq!(done.files, 1);
        assert!(done.traces >= 2);
        let file = db.open_medical_file(&g).await.unwrap();
        assert!(file.visits.is_empty() && file.entries.is_empty());
        assert!(
            db.verify_document("PURG-EPUR-GEPU")
                .await
                .unwrap()
                .is_none()
        );
        assert_eq!(
            db.purge_medical_files(&actor(), day(2067, 1, 5), false)
                .await
                .unwrap()
                .files,
            0
        );
    }
);
