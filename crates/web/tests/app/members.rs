//! Members, declarations, the employer portal and invoices, through the pages.

use axum::http::StatusCode;
use domain::Role;
use store::{Actor, NewTeam};

use crate::app_test;
use crate::helpers::{Client, PASSWORD, TestApp};

pub(crate) async fn organisation(app: &TestApp) {
    let db = &app.db.db;
    db.upsert_sector(&Actor("t".into()), "EST", "Secteur Est")
        .await
        .unwrap();
    for code in ["EST-1", "EST-2"] {
        db.upsert_team(
            &Actor("t".into()),
            &NewTeam {
                code: code.into(),
                name: format!("Équipe {code}"),
                sector: "EST".into(),
            },
        )
        .await
        .unwrap();
    }
}

fn member_fields<'a>(siret: &'a str, name: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("siret", siret),
        ("name", name),
        ("naf_code", "10.71C"),
        ("kind", "company"),
        ("sector", "EST"),
        ("team", "EST-1"),
        ("joined_on", "2020-01-01"),
        ("address", "1 rue Haute"),
        ("postcode", "57000"),
        ("city", "Metz"),
        ("email", "contact@boulangerie.example"),
    ]
}

/// Creates a member through the page and returns its id.
pub(crate) async fn create_member(client: &mut Client, siret: &str, name: &str) -> i64 {
    let response = client
        .post_form("/companies", &member_fields(siret, name))
        .await;
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
    response
        .location()
        .unwrap()
        .trim_start_matches("/establishments/")
        .parse()
        .unwrap()
}

/// An employer account of this SIRET, logged in.
pub(crate) async fn employer(app: &TestApp, login: &str, siret: &str) -> Client {
    app.db
        .db
        .insert_user(
            &Actor("t".into()),
            &store::NewUser {
                login: login.into(),
                display_name: login.into(),
                email: Some(format!("{login}@example.org")),
                role: Role::Employer,
                siret: Some(siret.into()),
                professional_id: None,
                password_hash: Some(web::secrets::hash_password(PASSWORD)),
            },
        )
        .await
        .unwrap();
    let mut client = app.client();
    assert_eq!(client.login(login, PASSWORD).await.location(), Some("/"));
    client
}

app_test!(
    assistant_creates_finds_edits_and_strikes_off_a_member,
    |app| {
        organisation(app).await;
        let mut assistant = app.login_as(Role::Assistant).await;
        let mut bad = member_fields("73282932000075", "Boulangerie");
        let invalid = assistant.post_form("/companies", &bad).await;
        assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            invalid.text_of("form-error").unwrap().starts_with("SIRET"),
            "{:?}",
            invalid.text_of("form-error")
        );
        bad[0].1 = "73282932000074";
        bad[2].1 = "99.99Z";
        assert!(
            assistant
                .post_form("/companies", &bad)
                .await
                .text_of("form-error")
                .unwrap()
                .starts_with("Code NAF")
        );
        assert_eq!(
            app.db
                .db
                .search_members(&Default::default(), chrono::Utc::now().date_naive())
                .await
                .unwrap()
                .1,
            0,
            "nothing written"
        );

        let id = create_member(&mut assistant, "73282932000074", "Boulangerie Émile").await;
        let duplicate = assistant
            .post_form("/companies", &member_fields("73282932000074", "Autre"))
            .await;
        assert!(
            duplicate
                .text_of("form-error")
                .unwrap()
                .contains("déjà adhérent")
        );

        let found = assistant.get("/companies?q=732829320").await;
        assert_eq!(
            found.text_of("result-count").as_deref(),
            Some("1 résultat(s)")
        );
        assert!(
            assistant
                .get("/companies?q=emile+metz")
                .await
                .body
                .contains("Boulangerie Émile")
        );
        let page = assistant.get(&format!("/establishments/{id}")).await;
        assert_eq!(page.text_of("siret").as_deref(), Some("73282932000074"));

        let edited = assistant
            .post_form(
                &format!("/establishments/{id}/edit"),
                &[
                    ("name", "Boulangerie Émile & fils"),
                    ("sector", "EST"),
                    ("team", "EST-2"),
                    ("postcode", "57000"),
                    ("city", "Metz"),
                ],
            )
            .await;
        assert_eq!(edited.status, StatusCode::SEE_OTHER, "{}", edited.body);
        assert!(
            assistant
                .get("/teams/EST-2/portfolio")
                .await
                .text_of("portfolio-count")
                .unwrap()
                .starts_with("1 établissement")
        );

        let struck = assistant
            .post_form(
                &format!("/establishments/{id}/strike-off"),
                &[("date", "2026-01-31"), ("reason", "unpaid")],
            )
            .await;
        assert_eq!(struck.status, StatusCode::OK);
        assert!(
            struck
                .text_of("membership")
                .unwrap()
                .contains("Cotisation impayée")
        );
        // A struck-off member cannot declare.
        let refused = assistant
            .post_form(&format!("/establishments/{id}/declarations/2026/open"), &[])
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.text_of("form-error").unwrap().contains("radié"));
        assert!(
            app.db
                .db
                .find_latest_declaration(id, 2026)
                .await
                .unwrap()
                .is_none()
        );
        // Nurses read members but do not change them.
        let mut nurse = app.login_as(Role::Nurse).await;
        assert_eq!(
            nurse.get(&format!("/establishments/{id}")).await.status,
            StatusCode::OK
        );
        assert_eq!(
            nurse
                .post_form(
                    &format!("/establishments/{id}/rejoin"),
                    &[("date", "2026-03-01")]
                )
                .await
                .status,
            StatusCode::FORBIDDEN
        );
    }
);

app_test!(portfolio_is_reassigned_in_bulk_all_or_nothing, |app| {
    organisation(app).await;
    let mut assistant = app.login_as(Role::Assistant).await;
    let a = create_member(&mut assistant, "73282932000074", "A").await;
    let b = create_member(&mut assistant, "35600000049837", "B").await;
    let (a, b) = (a.to_string(), b.to_string());
    let none = assistant
        .post_form("/teams/EST-1/portfolio/reassign", &[("team", "EST-2")])
        .await;
    assert!(none.text_of("portfolio-count").is_some());
    assert!(none.body.contains("cochez au moins un établissement"));
    let unknown_team = assistant
        .post_form(
            "/teams/EST-1/portfolio/reassign",
            &[("ids", &a), ("team", "NOPE")],
        )
        .await;
    assert_eq!(unknown_team.status, StatusCode::UNPROCESSABLE_ENTITY);
    let moved = assistant
        .post_form(
            "/teams/EST-1/portfolio/reassign",
            &[("ids", &a), ("ids", &b), ("team", "EST-2")],
        )
        .await;
    assert!(
        moved.body.contains("2 établissement(s) réaffecté(s)"),
        "{}",
        moved.body
    );
    assert!(
        assistant
            .get("/teams/EST-2/portfolio")
            .await
            .text_of("portfolio-count")
            .unwrap()
            .starts_with("2 établissement")
    );
});

app_test!(
    employer_declares_hires_and_submits_then_corrects_in_a_new_version,
    |app| {
        organisation(app).await;
        let mut assistant = app.login_as(Role::Assistant).await;
        create_member(&mut assistant, "73282932000074", "Boulangerie").await;
        let mut boss = employer(app, "boss", "73282932000074").await;
        assert_eq!(
            boss.get("/portal")
                .await
                .text_of("portal-company")
                .as_deref(),
            Some("Boulangerie")
        );
        let opened = boss.post_form("/portal/declarations/2026/open", &[]).await;
        assert_eq!(
            opened.text_of("declaration-status").as_deref(),
            Some("Version 1 en cours de saisie.")
        );

        let hire = |last: &'static str,
                    birth: &'static str,
                    hired: &'static str,
                    exposure: &'static str| {
            vec![
                ("last_name", last),
                ("first_name", "Léa"),
                ("sex", "F"),
                ("birth_date", birth),
                ("job_title", "Boulangère"),
                ("contract", "CDI"),
                ("hired_on", hired),
                ("exposures", exposure),
            ]
        };
        let future = boss
            .post_form(
                "/portal/declarations/2026/hires",
                &hire("Futur", "2090-01-01", "2026-02-01", ""),
            )
            .await;
        assert!(
            future
                .text_of("form-error")
                .unwrap()
                .starts_with("Date de naissance")
        );
        let before_birth = boss
            .post_form(
                "/portal/declarations/2026/hires",
                &hire("Tôt", "1990-01-01", "1980-01-01", ""),
            )
            .await;
        assert!(
            before_birth
                .text_of("form-error")
                .unwrap()
                .starts_with("Date d'embauche")
        );
        let mut bad_nir = hire("Nir", "1990-01-01", "2026-02-01", "");
        bad_nir.push(("nir", "123"));
        assert!(
            boss.post_form("/portal/declarations/2026/hires", &bad_nir)
                .await
                .text_of("form-error")
                .unwrap()
                .starts_with("NIR")
        );
        let unknown = boss
            .post_form(
                "/portal/declarations/2026/hires",
                &hire("Bruit", "1990-01-01", "2026-02-01", "noise"),
            )
            .await;
        assert!(unknown.text_of("form-error").unwrap().contains("noise"));

        let hired = boss
            .post_form(
                "/portal/declarations/2026/hires",
                &hire("Durand", "1985-03-02", "2026-02-01", "asbestos"),
            )
            .await;
        assert_eq!(hired.status, StatusCode::OK, "{}", hired.body);
        assert_eq!(hired.text_of("total").as_deref(), Some("1"));
        assert!(hired.body.contains("<td class=\"category\">SIR</td>"));
        let establishment = app
            .db
            .db
            .find_establishment_by_siret("73282932000074")
            .await
            .unwrap()
            .unwrap();
        let declaration = app
            .db
            .db
            .find_latest_declaration(establishment.id, 2026)
            .await
            .unwrap()
            .unwrap();
        let employment = declaration.lines[0].employment_id;
        let night = boss
            .post_form(
                &format!("/portal/declarations/2026/lines/{employment}"),
                &[("exposures", "night_worker")],
            )
            .await;
        assert!(night.text_of("notice").unwrap().contains("SIA"));
        let submitted = boss
            .post_form("/portal/declarations/2026/submit", &[])
            .await;
        assert_eq!(
            submitted.text_of("declaration-status").as_deref(),
            Some("Version 1 transmise — verrouillée.")
        );
        let locked = boss
            .post_form(
                &format!("/portal/declarations/2026/lines/{employment}"),
                &[("exposures", "asbestos")],
            )
            .await;
        assert_eq!(locked.status, StatusCode::UNPROCESSABLE_ENTITY);
        let correction = boss.post_form("/portal/declarations/2026/open", &[]).await;
        assert_eq!(
            correction.text_of("declaration-status").as_deref(),
            Some("Version 2 en cours de saisie.")
        );
        assert_eq!(
            correction.text_of("total").as_deref(),
            Some("1"),
            "the correction starts from the submitted lines"
        );
        assert_eq!(
            app.db
                .db
                .list_declaration_versions(establishment.id, 2026)
                .await
                .unwrap()
                .len(),
            2
        );
        // Staff see the same declaration, with the audit trail of who did what.
        let mut doctor = app.login_as(Role::Doctor).await;
        let staff_view = doctor
            .get(&format!(
                "/establishments/{}/declarations/2026",
                establishment.id
            ))
            .await;
        assert!(staff_view.body.contains("DURAND Léa"));
        assert!(staff_view.body.contains("transmise le"));
        // The director sees the workforce but not the workers' names.
        let mut director = app.login_as(Role::Director).await;
        assert_eq!(
            director
                .get(&format!(
                    "/establishments/{}/declarations/2026",
                    establishment.id
                ))
                .await
                .status,
            StatusCode::FORBIDDEN
        );
    }
);

app_test!(an_employer_never_sees_another_company, |app| {
    organisation(app).await;
    let mut assistant = app.login_as(Role::Assistant).await;
    create_member(&mut assistant, "73282932000074", "Boulangerie").await;
    let other = create_member(&mut assistant, "35600000049837", "La Poste").await;
    let mut admin = app.login_as(Role::Admin).await;
    let fees = admin
        .post_form(
            "/fees",
            &[
                ("year", "2026"),
                ("per_worker", "98,50"),
                ("minimum", "150"),
                ("self_employed", "120"),
            ],
        )
        .await;
    assert!(
        fees.body.contains("Barème 2026 enregistré"),
        "{}",
        fees.body
    );
    let report = web::services::invoicing::issue_yearly_invoices(
        &app.state,
        &Actor("t".into()),
        2026,
        chrono::NaiveDate::from_ymd_opt(2026, 1, 15).unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(report.written, 2);
    let theirs = app
        .db
        .db
        .list_invoices(&store::InvoiceQuery {
            establishment_id: Some(other),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap()[0]
        .id;
    let mut boss = employer(app, "boss", "73282932000074").await;
    let mine = boss.get("/portal/invoices").await;
    assert!(mine.body.contains("2026-00000"), "{}", mine.body);
    assert!(!mine.body.contains("La Poste"));
    assert_eq!(
        boss.get(&format!("/portal/invoices/{theirs}/pdf"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        boss.get(&format!("/invoices/{theirs}/pdf")).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        boss.get(&format!("/establishments/{other}")).await.status,
        StatusCode::FORBIDDEN
    );
    let own = app
        .db
        .db
        .list_invoices(&store::InvoiceQuery {
            establishment_id: Some(
                app.db
                    .db
                    .find_establishment_by_siret("73282932000074")
                    .await
                    .unwrap()
                    .unwrap()
                    .id,
            ),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap()[0]
        .id;
    let pdf = boss.get(&format!("/portal/invoices/{own}/pdf")).await;
    assert_eq!(pdf.headers["content-type"], "application/pdf");
    assert!(pdf.body.starts_with("%PDF-"));
    // An employer account whose SIRET is not a member sees nothing.
    let mut stranger = employer(app, "stranger", "44306184100047").await;
    assert_eq!(stranger.get("/portal").await.status, StatusCode::NOT_FOUND);
});

app_test!(payments_are_recorded_and_unpaid_invoices_listed, |app| {
    organisation(app).await;
    let mut assistant = app.login_as(Role::Assistant).await;
    create_member(&mut assistant, "73282932000074", "Boulangerie").await;
    let mut admin = app.login_as(Role::Admin).await;
    let bad_fees = admin
        .post_form(
            "/fees",
            &[
                ("year", "2026"),
                ("per_worker", "abc"),
                ("minimum", "150"),
                ("self_employed", "120"),
            ],
        )
        .await;
    assert!(
        bad_fees
            .text_of("form-error")
            .unwrap()
            .starts_with("Cotisation par salarié")
    );
    admin
        .post_form(
            "/fees",
            &[
                ("year", "2026"),
                ("per_worker", "100"),
                ("minimum", "150"),
                ("self_employed", "120"),
            ],
        )
        .await;
    web::services::invoicing::issue_yearly_invoices(
        &app.state,
        &Actor("t".into()),
        2026,
        chrono::NaiveDate::from_ymd_opt(2026, 1, 15).unwrap(),
    )
    .await
    .unwrap();
    let id = app
        .db
        .db
        .list_invoices(&store::InvoiceQuery {
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap()[0]
        .id;
    let bad = assistant
        .post_form(
            &format!("/invoices/{id}/payments"),
            &[
                ("paid_on", "2026-02-01"),
                ("amount", "douze"),
                ("reference", "VIR-1"),
            ],
        )
        .await;
    assert!(bad.text_of("form-error").unwrap().starts_with("Montant"));
    let paid = assistant
        .post_form(
            &format!("/invoices/{id}/payments"),
            &[
                ("paid_on", "2026-02-01"),
                ("amount", "100,00"),
                ("reference", "VIR-1"),
            ],
        )
        .await;
    assert_eq!(paid.text_of("balance").as_deref(), Some("50,00 €"));
    let unpaid = assistant.get("/invoices?unpaid=1").await;
    assert!(unpaid.body.contains("50,00 €"));
    let csv = "invoice;paid_on;amount;reference\n2026-000001;2026-03-01;50;VIR-2\n2026-000001;2026-03-01;50;VIR-2\n2026-999999;2026-03-01;5;X\n";
    let report = web::services::invoicing::import_payments(
        &app.state,
        &Actor("t".into()),
        csv.as_bytes(),
        false,
    )
    .await
    .unwrap();
    assert_eq!(
        (
            report.read,
            report.imported,
            report.already_known,
            report.rejected.len()
        ),
        (3, 1, 1, 1)
    );
    assert!(report.rejected[0].contains("ligne 4"));
    assert!(
        assistant
            .get("/invoices?unpaid=1")
            .await
            .body
            .contains("Aucune facture.")
    );
});

app_test!(doctor_overrides_a_category_with_a_reason, |app| {
    organisation(app).await;
    let mut assistant = app.login_as(Role::Assistant).await;
    let id = create_member(&mut assistant, "73282932000074", "Boulangerie").await;
    assistant
        .post_form(
            &format!("/establishments/{id}/declarations/2026/hires"),
            &[
                ("last_name", "Martin"),
                ("first_name", "Paul"),
                ("sex", "M"),
                ("birth_date", "1980-01-01"),
                ("job_title", "Livreur"),
                ("contract", "CDI"),
                ("hired_on", "2026-01-05"),
            ],
        )
        .await;
    let worker = app.db.db.list_employments_in_year(id, 2026).await.unwrap()[0].worker_id;
    let mut doctor = app.login_as(Role::Doctor).await;
    let missing = doctor
        .post_form(
            &format!("/workers/{worker}/category"),
            &[("category", "SIR"), ("reason", "")],
        )
        .await;
    assert!(missing.text_of("form-error").unwrap().starts_with("Motif"));
    let decided = doctor
        .post_form(
            &format!("/workers/{worker}/category"),
            &[
                ("category", "SIR"),
                ("reason", "Conduite d'engins en zone amiantée"),
            ],
        )
        .await;
    assert!(
        decided
            .text_of("category")
            .unwrap()
            .contains("décision du médecin")
    );
    assert_eq!(
        assistant
            .post_form(
                &format!("/workers/{worker}/category"),
                &[("category", "SIS"), ("reason", "x")]
            )
            .await
            .status,
        StatusCode::FORBIDDEN
    );
});

app_test!(api_searches_members_and_gives_an_establishment, |app| {
    organisation(app).await;
    let mut assistant = app.login_as(Role::Assistant).await;
    let id = create_member(&mut assistant, "73282932000074", "Boulangerie Émile").await;
    let found = assistant.get("/api/v1/establishments?q=emile").await.json();
    assert_eq!(found["total"], 1);
    assert_eq!(found["items"][0]["siret"], "73282932000074");
    let one = assistant
        .get(&format!("/api/v1/establishments/{id}"))
        .await
        .json();
    assert_eq!(one["establishment"]["naf_code"], "10.71C");
    assert_eq!(one["workforce"]["sis"], 0);
    assert_eq!(
        assistant.get("/api/v1/establishments/999999").await.status,
        StatusCode::NOT_FOUND
    );
});
