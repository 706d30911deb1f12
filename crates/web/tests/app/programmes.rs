//! Prevention programmes through the pages: the director defines and targets, the employer
//! completes its profile and works step by step, the team's preventer validates (another
//! team's may not), the funnel counts.

use axum::http::StatusCode;
use domain::Role;
use domain::org::ProfessionalRole;
use store::{Actor, NewProfessional};

use crate::app_test;
use crate::members::{create_member, organisation};

app_test!(
    an_employer_completes_e1_and_the_team_preventer_validates_it,
    |app| {
        organisation(app).await;
        let mut preventers = Vec::new();
        for (reference, team) in [("PRV1", "EST-1"), ("PRV2", "EST-2")] {
            let id = app
                .db
                .db
                .upsert_professional(
                    &Actor("t".into()),
                    &NewProfessional {
                        reference: reference.into(),
                        last_name: "Roux".into(),
                        first_name: "Léa".into(),
                        role: ProfessionalRole::Preventer,
                        team: Some(team.into()),
                        email: None,
                    },
                )
                .await
                .unwrap()
                .0;
            preventers.push(id);
        }
        let mut assistant = app.login_as(Role::Assistant).await;
        let bakery = create_member(&mut assistant, "73282932000074", "Boulangerie Émile").await;
        create_member(&mut assistant, "44306184100047", "Garage Dupont").await;

        let mut director = app.login_as(Role::Director).await;
        let created = director
            .post_form(
                "/programmes",
                &[
                    ("name", "TMS Pros 2026"),
                    ("theme", "TMS"),
                    ("starts_on", "2026-01-01"),
                    ("ends_on", "2026-12-31"),
                    ("copy_of", ""),
                ],
            )
            .await;
        assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
        let programme_path = created.location().unwrap().to_string();
        let custom = r#"[{"code":"P1","title":"Diagnostic","questions":[{"id":"q","label":"Risque principal","kind":"choice","options":["chutes","bruit"],"required":true}],"validated_by":"partner"}]"#;
        let made = director
            .post_form(
                "/programmes",
                &[
                    ("name", "Chutes"),
                    ("theme", "Chutes"),
                    ("starts_on", "2026-01-01"),
                    ("ends_on", "2026-12-31"),
                    ("steps", custom),
                ],
            )
            .await;
        assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
        let page = director.get(made.location().unwrap()).await;
        assert!(
            page.body
                .contains("P1</strong> — Diagnostic (1 question(s))"),
            "{}",
            page.body
        );
        let unreadable = director
            .post_form(
                "/programmes",
                &[
                    ("name", "X"),
                    ("theme", "X"),
                    ("starts_on", "2026-01-01"),
                    ("ends_on", "2026-12-31"),
                    ("steps", "[{\"code\": 1}]"),
                ],
            )
            .await;
        assert!(
            unreadable.body.contains("Étapes : description illisible"),
            "{}",
            unreadable.body
        );
        let bad = director
            .post_form(
                "/programmes",
                &[
                    ("name", "X"),
                    ("theme", "TMS"),
                    ("starts_on", "2026-12-31"),
                    ("ends_on", "2026-01-01"),
                ],
            )
            .await;
        assert!(
            bad.body.contains("Fin : antérieure au début"),
            "{}",
            bad.body
        );
        let targeted = director
            .post_form(
                &format!("{programme_path}/targets"),
                &[("sirets", "73282932000074\n44306184100047;12345678900000")],
            )
            .await;
        assert!(targeted.body.contains("2 entreprise(s) ciblée(s), 0 déjà ciblée(s) ; non adhérents (ignorés) : 12345678900000"), "{}", targeted.body);
        let id = programme_path.trim_start_matches("/programmes/");

        // The employer: the journey is closed until the profile is complete.
        let mut employer = app.login_as(Role::Employer).await;
        let list = employer.get("/portal/programmes").await;
        assert!(list.body.contains("TMS Pros 2026"));
        let journey_path = format!("/portal/programmes/{id}");
        let journey = employer.get(&journey_path).await;
        assert!(
            journey
                .body
                .contains("À compléter avant de commencer : effectif"),
            "{}",
            journey.body
        );
        let closed = employer
            .post_form(
                &format!("{journey_path}/steps/0"),
                &[("q_referent", "Mme Martin"), ("action", "submit")],
            )
            .await;
        assert!(
            closed
                .body
                .contains("Profil de l&#39;entreprise incomplet (effectif)"),
            "{}",
            closed.body
        );
        let profile = employer
            .post_form(&format!("{journey_path}/profile"), &[("headcount", "12")])
            .await;
        assert_eq!(profile.status, StatusCode::SEE_OTHER, "{}", profile.body);
        employer
            .post_form(
                &format!("{journey_path}/steps/0"),
                &[("q_referent", "Mme Martin"), ("action", "submit")],
            )
            .await;
        let early = employer
            .post_form(
                &format!("{journey_path}/steps/2"),
                &[("q_person", "M. Petit"), ("action", "save")],
            )
            .await;
        assert!(
            early
                .body
                .contains("elle s&#39;ouvre quand l&#39;étape E1 est validée"),
            "{}",
            early.body
        );
        let submitted = employer
            .post_form(
                &format!("{journey_path}/steps/1"),
                &[
                    ("q_tms_cases", "2"),
                    ("q_absences", "oui"),
                    ("action", "submit"),
                ],
            )
            .await;
        assert_eq!(
            submitted.status,
            StatusCode::SEE_OTHER,
            "{}",
            submitted.body
        );
        let journey = employer.get(&journey_path).await;
        assert_eq!(journey.text_of("status-0").as_deref(), Some("validée"));
        assert_eq!(
            journey.text_of("status-1").as_deref(),
            Some("transmise, en attente de validation")
        );

        // Another team's preventer sees neither the company nor its steps.
        let participation = format!("{programme_path}/participations/{bakery}");
        let mut stranger = app.login_linked(Role::Preventer, Some(preventers[1])).await;
        let portfolio = stranger.get(&programme_path).await;
        assert!(
            !portfolio.body.contains("Boulangerie Émile"),
            "{}",
            portfolio.body
        );
        assert_eq!(
            stranger.get(&participation).await.status,
            StatusCode::FORBIDDEN
        );
        let refused = stranger
            .post_form(
                &format!("{participation}/steps/1/review"),
                &[("decision", "validate")],
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);

        // The team's preventer: a send-back needs a comment, then validates.
        let mut preventer = app.login_linked(Role::Preventer, Some(preventers[0])).await;
        let portfolio = preventer.get(&programme_path).await;
        assert!(
            portfolio.body.contains("Boulangerie Émile") && portfolio.body.contains("(à valider)"),
            "{}",
            portfolio.body
        );
        let no_comment = preventer
            .post_form(
                &format!("{participation}/steps/1/review"),
                &[("decision", "send_back"), ("comment", "")],
            )
            .await;
        assert!(
            no_comment
                .body
                .contains("Commentaire : dites à l&#39;entreprise ce qui manque"),
            "{}",
            no_comment.body
        );
        let validated = preventer
            .post_form(
                &format!("{participation}/steps/1/review"),
                &[("decision", "validate"), ("comment", "Bravo")],
            )
            .await;
        assert_eq!(
            validated.status,
            StatusCode::SEE_OTHER,
            "{}",
            validated.body
        );
        let journey = employer.get(&journey_path).await;
        assert_eq!(journey.text_of("status-1").as_deref(), Some("validée"));
        assert!(journey.body.contains("q_person"), "E2 is open now");

        // Another employer: not its programme.
        let mut other = crate::members::employer(app, "garage-employer", "44306184100047").await;
        assert!(
            other
                .get("/portal/programmes")
                .await
                .body
                .contains("TMS Pros 2026")
        );
        let theirs = other.get(&journey_path).await;
        assert!(
            theirs.body.contains("À compléter avant de commencer"),
            "the garage sees its own participation"
        );
        assert!(!theirs.body.contains("Mme Martin"));

        // The funnel: 2 targeted, 1 registered, 1 past E1.
        let funnel = director.get(&format!("{programme_path}/funnel")).await;
        assert_eq!(funnel.status, StatusCode::OK);
        let table = funnel.text_of("funnel").unwrap();
        assert!(table.contains("ciblées 2 100 %"), "{table}");
        assert!(
            table.contains("E0 1 50 %")
                && table.contains("E1 1 50 %")
                && table.contains("E2 0 0 %"),
            "{table}"
        );
        assert!(funnel.body.contains("<svg"));
        let csv = director.get(&format!("{programme_path}/funnel.csv")).await;
        assert!(
            csv.body.contains("ensemble;ensemble;E1;1;50,0"),
            "{}",
            csv.body
        );
        assert!(
            csv.body.contains("taille;moins de 20;E0;1;100,0"),
            "{}",
            csv.body
        );
        // The programme's figures in the annual report.
        let report = director.get("/indicators/report?year=2026").await;
        assert_eq!(report.status, StatusCode::OK);
        assert!(
            report
                .body
                .contains("Programmes de prévention : entreprises ciblées et étapes validées"),
            "{}",
            report.body
        );
        assert!(report.body.contains("TMS Pros 2026"));
        let xlsx = director.get(&format!("{programme_path}/funnel.xlsx")).await;
        assert_eq!(xlsx.status, StatusCode::OK);
        assert!(xlsx.bytes.starts_with(b"PK"), "a spreadsheet");
        assert_eq!(
            preventer
                .get(&format!("{programme_path}/funnel"))
                .await
                .status,
            StatusCode::FORBIDDEN
        );
    }
);

app_test!(comments_attachments_invitations_and_reminders, |app| {
    organisation(app).await;
    let mut assistant = app.login_as(Role::Assistant).await;
    let bakery = create_member(&mut assistant, "73282932000074", "Boulangerie Émile").await;
    let mut director = app.login_as(Role::Director).await;
    let created = director
        .post_form(
            "/programmes",
            &[
                ("name", "TMS Pros"),
                ("theme", "TMS"),
                ("starts_on", "2026-01-01"),
                ("ends_on", "2026-12-31"),
            ],
        )
        .await;
    let programme_path = created.location().unwrap().to_string();
    let id = programme_path
        .trim_start_matches("/programmes/")
        .to_string();
    director
        .post_form(
            &format!("{programme_path}/targets"),
            &[("sirets", "73282932000074")],
        )
        .await;

    // Targeting by criteria: NAF code, sector, size band (by the declared headcount).
    let by_naf = director
        .post_form(
            &format!("{programme_path}/criteria"),
            &[
                ("naf_prefix", "10.71"),
                ("sector", "EST"),
                ("size_band", "moins de 20"),
            ],
        )
        .await;
    assert!(
        by_naf
            .body
            .contains("0 entreprise(s) ciblée(s), 1 déjà ciblée(s)"),
        "{}",
        by_naf.body
    );
    let none = director
        .post_form(
            &format!("{programme_path}/criteria"),
            &[("naf_prefix", "47"), ("sector", ""), ("size_band", "")],
        )
        .await;
    assert!(
        none.body
            .contains("0 entreprise(s) ciblée(s), 0 déjà ciblée(s)"),
        "{}",
        none.body
    );
    let empty = director
        .post_form(
            &format!("{programme_path}/criteria"),
            &[("naf_prefix", ""), ("sector", ""), ("size_band", "")],
        )
        .await;
    assert!(
        empty.body.contains("Critères : choisissez au moins"),
        "{}",
        empty.body
    );

    // Invitations: once per company, through the outbox.
    let invited = director
        .post_form(&format!("{programme_path}/invite"), &[])
        .await;
    assert_eq!(
        invited.location(),
        Some(format!("{programme_path}?invited=1").as_str())
    );
    let page = director.get(invited.location().unwrap()).await;
    assert!(
        page.body.contains("1 invitation(s) envoyée(s) par e-mail"),
        "{}",
        page.body
    );
    let again = director
        .post_form(&format!("{programme_path}/invite"), &[])
        .await;
    assert_eq!(
        again.location(),
        Some(format!("{programme_path}?invited=0").as_str())
    );
    let messages = app
        .db
        .db
        .list_messages(&store::MessageQuery {
            establishment_id: Some(bakery),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(messages.len(), 1);
    assert!(
        messages[0]
            .subject
            .contains("Invitation au programme de prévention « TMS Pros »")
    );
    assert!(
        messages[0]
            .body
            .contains(&format!("/portal/programmes/{id}"))
    );

    // Attachments: refused before the profile opens the journey, then type and size checked.
    let mut employer = app.login_as(Role::Employer).await;
    let journey = format!("/portal/programmes/{id}");
    employer.get(&journey).await;
    let upload = format!("{journey}/steps/0/attachments");
    let closed = employer
        .post_file(&upload, &[], ("file", "plan.pdf", b"%PDF-1.7 plan"))
        .await;
    assert!(
        closed.body.contains("Profil de l&#39;entreprise incomplet"),
        "{}",
        closed.body
    );
    employer
        .post_form(&format!("{journey}/profile"), &[("headcount", "8")])
        .await;
    let exe = employer
        .post_file(&upload, &[], ("file", "outil.exe", b"MZ\x90\x00binary"))
        .await;
    assert_eq!(exe.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        exe.body
            .contains("Fichier : seuls les PDF et les images PNG ou JPEG sont acceptés"),
        "{}",
        exe.body
    );
    let mut large = b"%PDF-1.7 ".to_vec();
    large.resize(1024 * 1024 + 10, b'x');
    let too_large = employer
        .post_file(&upload, &[], ("file", "gros.pdf", &large))
        .await;
    assert!(
        too_large.body.contains("au-delà de la limite de 1000 Kio"),
        "{}",
        too_large.body
    );
    let saved = employer
        .post_file(&upload, &[], ("file", "plan.pdf", b"%PDF-1.7 plan"))
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let participation = app
        .db
        .db
        .find_participation(id.parse().unwrap(), bakery)
        .await
        .unwrap();
    let files = app
        .db
        .db
        .list_programme_attachments(participation.id)
        .await
        .unwrap();
    assert_eq!(files.len(), 1, "refused files are not stored");
    let download = employer
        .get(&format!("{journey}/attachments/{}", files[0].id))
        .await;
    assert_eq!(download.bytes, b"%PDF-1.7 plan");

    // Comments tagged by side, seen on both sides.
    employer
        .post_form(
            &format!("{journey}/steps/0/comments"),
            &[("content", "Le CSE soutient la démarche"), ("side", "cse")],
        )
        .await;
    let mut preventer = app.login_as(Role::Director).await;
    let service_page = format!("{programme_path}/participations/{bakery}");
    preventer
        .post_form(
            &format!("{service_page}/steps/0/comments"),
            &[("content", "Merci, nous passons jeudi")],
        )
        .await;
    let seen = employer.get(&journey).await;
    let comments = seen.text_of("comments-0").unwrap();
    assert!(
        comments.contains("CSE") && comments.contains("Le CSE soutient la démarche"),
        "{comments}"
    );
    assert!(
        comments.contains("service") && comments.contains("Merci, nous passons jeudi"),
        "{comments}"
    );
    assert!(preventer.get(&service_page).await.body.contains("plan.pdf"));

    // The employer's export of its own participation.
    employer
        .post_form(
            &format!("{journey}/steps/0"),
            &[("q_referent", "Mme Martin"), ("action", "submit")],
        )
        .await;
    let export = employer.get(&format!("{journey}/export.csv")).await;
    assert!(
        export.body.contains("E0;statut;validated;"),
        "{}",
        export.body
    );
    assert!(
        export
            .body
            .contains("E0;Référent du programme dans l'entreprise;Mme Martin;"),
        "{}",
        export.body
    );
    assert!(
        export
            .body
            .contains("E0;commentaire (CSE);Le CSE soutient la démarche;"),
        "{}",
        export.body
    );

    // Reminders: the company has not moved on E1 for more than 0 days? Not yet (today): none;
    // a negative threshold is refused.
    let reminded = director
        .post_form(&format!("{programme_path}/remind"), &[("days", "0")])
        .await;
    assert_eq!(
        reminded.location(),
        Some(format!("{programme_path}?days=0&reminded=0").as_str())
    );
    let refused = director
        .post_form(&format!("{programme_path}/remind"), &[("days", "-3")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
});
