//! Members, workers, declarations and invoices, on SQLite and PostgreSQL.

mod common;

use common::{actor, day, hire, member, organisation};
use domain::company::StrikeOffReason;
use domain::fees::{FeeSchedule, Workforce, yearly_fee_lines};
use domain::followup::FollowUp;
use spsti_store::{
    Db, DeclarationStatus, InvoiceQuery, MemberQuery, NewInvoice, StoreError, db_test,
};

db_test!(
    members_are_searched_by_name_siret_city_without_accents,
    |t| {
        let db = &t.db;
        organisation(db).await;
        db.create_member(
            &actor(),
            &member("73282932000074", "Boulangerie Émile", "Metz"),
        )
        .await
        .unwrap();
        db.create_member(
            &actor(),
            &member("35600000049837", "La Poste Thionville", "Thionville"),
        )
        .await
        .unwrap();
        let query = |text: &str| MemberQuery {
            text: Some(text.into()),
            page: 1,
            per_page: 20,
            ..Default::default()
        };
        let today = day(2026, 6, 1);
        assert_eq!(
            db.search_members(&query("emile"), today).await.unwrap().1,
            1
        );
        assert_eq!(
            db.search_members(&query("BOULANGERIE metz"), today)
                .await
                .unwrap()
                .1,
            1
        );
        assert_eq!(
            db.search_members(&query("356000000"), today)
                .await
                .unwrap()
                .0[0]
                .city,
            "Thionville"
        );
        assert_eq!(
            db.search_members(&query("10.71C"), today).await.unwrap().1,
            2
        );
        let err = db
            .create_member(&actor(), &member("73282932000074", "Doublon", "Metz"))
            .await
            .unwrap_err();
        assert!(
            matches!(&err, StoreError::Conflict(m) if m.contains("déjà adhérent")),
            "{err}"
        );
        // Same SIREN, second establishment: one company.
        let second = db
            .create_member(
                &actor(),
                &member("73282932000082", "Boulangerie Émile (dépôt)", "Metz"),
            )
            .await
            .unwrap();
        let establishment = db.find_establishment(second).await.unwrap();
        assert_eq!(
            db.list_company_establishments(establishment.company_id)
                .await
                .unwrap()
                .len(),
            2
        );
    }
);

db_test!(strike_off_rejoin_and_move_are_audited, |t| {
    let db = &t.db;
    organisation(db).await;
    let id = db
        .create_member(&actor(), &member("73282932000074", "Boulangerie", "Metz"))
        .await
        .unwrap();
    assert!(matches!(
        db.strike_off(&actor(), id, day(2019, 1, 1), StrikeOffReason::Unpaid)
            .await,
        Err(StoreError::Invalid(_))
    ));
    db.strike_off(&actor(), id, day(2026, 3, 31), StrikeOffReason::Unpaid)
        .await
        .unwrap();
    let struck = db.find_establishment(id).await.unwrap();
    assert!(struck.is_active_on(day(2026, 3, 30)) && !struck.is_active_on(day(2026, 3, 31)));
    let active = MemberQuery {
        active: Some(true),
        page: 1,
        per_page: 10,
        ..Default::default()
    };
    assert_eq!(
        db.search_members(&active, day(2026, 6, 1)).await.unwrap().1,
        0
    );
    assert!(matches!(
        db.strike_off(&actor(), id, day(2026, 4, 1), StrikeOffReason::Other)
            .await,
        Err(StoreError::Conflict(_))
    ));
    db.rejoin(&actor(), id, day(2026, 6, 1)).await.unwrap();
    assert_eq!(db.find_establishment(id).await.unwrap().struck_off_on, None);
    db.move_to_team(&actor(), &[id], "EST-2").await.unwrap();
    assert_eq!(
        db.find_establishment(id).await.unwrap().team.as_deref(),
        Some("EST-2")
    );
    // A move naming one unknown establishment moves none.
    assert!(
        db.move_to_team(&actor(), &[id, 999], "EST-1")
            .await
            .is_err()
    );
    assert_eq!(
        db.find_establishment(id).await.unwrap().team.as_deref(),
        Some("EST-2")
    );
    assert_eq!(db.verify_audit_chain().await.unwrap().first_broken, None);
});

db_test!(declarations_are_versioned_and_locked_once_submitted, |t| {
    let db = &t.db;
    organisation(db).await;
    let id = db
        .create_member(&actor(), &member("73282932000074", "Boulangerie", "Metz"))
        .await
        .unwrap();
    let lea = hire(db, id, "W1", day(2024, 2, 1)).await;
    let tom = hire(db, id, "W2", day(2026, 9, 1)).await;
    assert_eq!(
        db.list_employments_in_year(id, 2025).await.unwrap().len(),
        1
    );
    let draft = db
        .create_declaration_draft(
            &actor(),
            id,
            2026,
            &[(lea, vec!["night_worker".into()], FollowUp::Adapted)],
        )
        .await
        .unwrap();
    assert!(matches!(
        db.create_declaration_draft(&actor(), id, 2026, &[]).await,
        Err(StoreError::Conflict(_))
    ));
    db.set_declaration_line(
        &actor(),
        draft,
        tom,
        &["asbestos".into()],
        FollowUp::Reinforced,
    )
    .await
    .unwrap();
    db.submit_declaration(&actor(), draft).await.unwrap();
    let locked = db
        .set_declaration_line(&actor(), draft, tom, &[], FollowUp::Simple)
        .await
        .unwrap_err();
    assert!(matches!(&locked, StoreError::Conflict(m) if m.contains("verrouillée")));
    let correction = db
        .create_declaration_draft(
            &actor(),
            id,
            2026,
            &[
                (lea, vec![], FollowUp::Simple),
                (tom, vec!["asbestos".into()], FollowUp::Reinforced),
            ],
        )
        .await
        .unwrap();
    let latest = db.find_latest_declaration(id, 2026).await.unwrap().unwrap();
    assert_eq!(
        (latest.id, latest.version, latest.status),
        (correction, 2, DeclarationStatus::Draft)
    );
    assert_eq!(
        latest.workforce(),
        Workforce {
            sis: 1,
            sia: 0,
            sir: 1
        }
    );
    let first = db.find_declaration(draft).await.unwrap();
    assert_eq!(
        first.workforce(),
        Workforce {
            sis: 0,
            sia: 1,
            sir: 1
        }
    );
    assert_eq!(
        db.list_declaration_versions(id, 2026).await.unwrap().len(),
        2
    );
});

fn schedule() -> FeeSchedule {
    FeeSchedule {
        year: 2026,
        per_worker: "100".parse().unwrap(),
        per_category: None,
        minimum: "150".parse().unwrap(),
        no_show: "0".parse().unwrap(),
        self_employed: "120".parse().unwrap(),
    }
}

async fn issue(db: &Db) -> u64 {
    let schedule = db.find_fee_schedule(2026).await.unwrap().unwrap();
    let billable = db.list_billable(2026).await.unwrap();
    let invoices: Vec<NewInvoice> = billable
        .iter()
        .map(|b| NewInvoice {
            establishment_id: b.establishment_id,
            lines: yearly_fee_lines(&schedule, b.workforce, b.self_employed),
        })
        .collect();
    db.insert_yearly_invoices(
        &actor(),
        2026,
        day(2026, 1, 15),
        day(2026, 2, 15),
        &invoices,
    )
    .await
    .unwrap()
}

db_test!(invoices_are_issued_once_with_numbers_without_gaps, |t| {
    let db = &t.db;
    organisation(db).await;
    db.set_fee_schedule(&actor(), &schedule()).await.unwrap();
    assert_eq!(db.find_fee_schedule(2026).await.unwrap(), Some(schedule()));
    let big = db
        .create_member(&actor(), &member("73282932000074", "Boulangerie", "Metz"))
        .await
        .unwrap();
    for i in 0..3 {
        let e = hire(db, big, &format!("W{i}"), day(2025, 1, 1)).await;
        let _ = e;
    }
    let employments: Vec<i64> = db
        .list_employments_in_year(big, 2026)
        .await
        .unwrap()
        .iter()
        .map(|e| e.id)
        .collect();
    let lines: Vec<_> = employments
        .iter()
        .map(|e| (*e, vec![], FollowUp::Simple))
        .collect();
    let draft = db
        .create_declaration_draft(&actor(), big, 2026, &lines)
        .await
        .unwrap();
    db.submit_declaration(&actor(), draft).await.unwrap();
    db.create_member(&actor(), &member("35600000049837", "Petit", "Metz"))
        .await
        .unwrap();
    let mut struck = member("44306184100047", "Ancien", "Metz");
    struck.joined_on = day(2010, 1, 1);
    let old = db.create_member(&actor(), &struck).await.unwrap();
    db.strike_off(
        &actor(),
        old,
        day(2025, 12, 31),
        StrikeOffReason::CeasedActivity,
    )
    .await
    .unwrap();

    assert_eq!(issue(db).await, 2);
    assert_eq!(issue(db).await, 0, "re-running issues nothing twice");
    let invoices = db
        .list_invoices(&InvoiceQuery {
            year: Some(2026),
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    let mut numbers: Vec<i32> = invoices.iter().map(|i| i.number).collect();
    numbers.sort();
    assert_eq!(numbers, vec![1, 2]);
    let big_invoice = invoices.iter().find(|i| i.establishment_id == big).unwrap();
    assert_eq!(big_invoice.total_cents, 30000);
    let small = invoices.iter().find(|i| i.establishment_id != big).unwrap();
    assert_eq!(small.total_cents, 15000, "the minimum fee");

    db.record_payment(&actor(), big_invoice.id, day(2026, 2, 1), 10000, "VIR-1")
        .await
        .unwrap();
    assert!(matches!(
        db.record_payment(&actor(), big_invoice.id, day(2026, 2, 1), 10000, "VIR-1")
            .await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        db.record_payment(&actor(), big_invoice.id, day(2026, 2, 1), -5, "VIR-2")
            .await,
        Err(StoreError::Invalid(_))
    ));
    db.record_reminder(&actor(), big_invoice.id, day(2026, 3, 1))
        .await
        .unwrap();
    let full = db.find_invoice(big_invoice.id).await.unwrap();
    assert_eq!(
        (
            full.balance_cents(),
            full.reminders,
            full.lines.len(),
            full.payments.len()
        ),
        (20000, 1, 1, 1)
    );
    assert_eq!(full.reference(), format!("2026-{:06}", full.number));
    let unpaid = db
        .list_invoices(&InvoiceQuery {
            unpaid_only: true,
            min_reminders: Some(1),
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(unpaid.len(), 1);
});

db_test!(two_issuers_at_once_leave_no_gap_and_no_duplicate, |t| {
    let db = &t.db;
    organisation(db).await;
    db.set_fee_schedule(&actor(), &schedule()).await.unwrap();
    let sirets = [
        "73282932000074",
        "35600000049837",
        "44306184100047",
        "55208131766522",
        "54205118000066",
        "38012986643851",
    ];
    for siret in sirets {
        db.create_member(&actor(), &member(siret, "M", "Metz"))
            .await
            .unwrap();
    }
    let a = tokio::spawn({
        let db = db.clone();
        async move { issue(&db).await }
    });
    let b = tokio::spawn({
        let db = db.clone();
        async move { issue(&db).await }
    });
    let written = a.await.unwrap() + b.await.unwrap();
    assert_eq!(written, sirets.len() as u64);
    let mut numbers: Vec<i32> = db
        .list_invoices(&InvoiceQuery {
            year: Some(2026),
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap()
        .iter()
        .map(|i| i.number)
        .collect();
    numbers.sort();
    assert_eq!(numbers, (1..=sirets.len() as i32).collect::<Vec<_>>());
});
