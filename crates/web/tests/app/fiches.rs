//! Fiches d'entreprise through the pages: a preventer writes, finalises and delivers one;
//! the employer reads it; the coverage plan and its API.

use axum::http::StatusCode;
use domain::Role;
use domain::org::ProfessionalRole;
use store::{Actor, NewProfessional};

use crate::app_test;
use crate::members::{create_member, organisation};

app_test!(a_preventer_delivers_an_fe_the_employer_reads_it, |app| {
    organisation(app).await;
    let mut assistant = app.login_as(Role::Assistant).await;
    let bakery = create_member(&mut assistant, "73282932000074", "Boulangerie Émile").await;
    let mut preventer = app.login_as(Role::Preventer).await;
    let started = preventer
        .post_form(&format!("/establishments/{bakery}/fiches"), &[])
        .await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
    let sheet = started.location().unwrap().to_string();
    let deliver_draft = preventer.post_form(&format!("{sheet}/deliver"), &[]).await;
    assert_eq!(deliver_draft.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(deliver_draft.body.contains("brouillon ne se remet pas"));
    let empty = preventer.post_form(&format!("{sheet}/finalise"), &[]).await;
    assert!(
        empty.body.contains("au moins une unité de travail"),
        "{}",
        empty.body
    );
    let bad = preventer
        .post_form(
            &format!("{sheet}/units"),
            &[
                ("name", "Fournil"),
                ("headcount", "2"),
                ("family_0", "thermal"),
                ("exposed_0", "5"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Salariés exposés"), "{}", bad.body);
    let unit = preventer
        .post_form(
            &format!("{sheet}/units"),
            &[
                ("name", "Fournil"),
                ("headcount", "3"),
                ("family_0", "thermal"),
                ("description_0", "Fours"),
                ("exposed_0", "2"),
                ("recommendations_0", "Pauses"),
            ],
        )
        .await;
    assert_eq!(unit.status, StatusCode::SEE_OTHER);
    assert_eq!(
        preventer
            .post_form(&format!("{sheet}/finalise"), &[])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        preventer
            .post_form(&format!("{sheet}/deliver"), &[])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let shown = preventer.get(&sheet).await;
    assert!(
        shown.body.contains("remise à l&#39;employeur"),
        "{}",
        shown.body
    );

    // The assistant reads it but cannot change it; the director cannot open it.
    assert_eq!(assistant.get(&sheet).await.status, StatusCode::OK);
    assert_eq!(
        assistant
            .post_form(&format!("{sheet}/finalise"), &[])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let mut director = app.login_as(Role::Director).await;
    assert_eq!(director.get(&sheet).await.status, StatusCode::FORBIDDEN);

    let mut boss = app.login_as(Role::Employer).await;
    let portal = boss.get("/portal/fiches").await;
    assert!(portal.body.contains("/portal/fiches/"), "{}", portal.body);
    let id = sheet.trim_start_matches("/fiches/");
    let pdf = boss.get(&format!("/portal/fiches/{id}/pdf")).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert!(pdf.body.starts_with("%PDF-"));

    // Covered now: not on the plan; the API gives the same list.
    let plan = director
        .get("/api/v1/fiches/coverage?team=EST-1")
        .await
        .json();
    assert_eq!(plan["count"], 0, "{plan}");
    let unknown = director.get("/prevention/coverage?team=NOPE").await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
});

app_test!(a_preventer_records_actions_on_the_work_site, |app| {
    organisation(app).await;
    let mut assistant = app.login_as(Role::Assistant).await;
    let bakery = create_member(&mut assistant, "73282932000074", "Boulangerie Émile").await;
    let other = create_member(&mut assistant, "44306184100047", "Garage Dupont").await;
    let stranger = crate::agenda::hire(app, other, "Arnaud", None).await;
    let mut preventer = app.login_as(Role::Preventer).await;
    // The CSRF cookie first, for the multipart forms.
    preventer
        .get(&format!("/establishments/{bakery}/actions"))
        .await;
    let path = format!("/establishments/{bakery}/actions");
    let date = (store::today() + chrono::Duration::days(10)).to_string();
    let no_values = preventer
        .post_file(
            &path,
            &[
                ("date", &date),
                ("type", "measurement_noise"),
                ("title", "Fournil"),
                ("workers", "3"),
            ],
            ("report", "", b""),
        )
        .await;
    assert_eq!(no_values.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        no_values.body.contains("Valeurs mesurées"),
        "{}",
        no_values.body
    );
    let stranger = stranger.to_string();
    let elsewhere = preventer
        .post_file(
            &path,
            &[
                ("date", &date),
                ("type", "workstation_study"),
                ("title", "Poste de pétrin"),
                ("worker", &stranger),
            ],
            ("report", "", b""),
        )
        .await;
    assert!(
        elsewhere
            .body
            .contains("ne travaille pas dans cet établissement"),
        "{}",
        elsewhere.body
    );
    let saved = preventer
        .post_file(
            &path,
            &[
                ("date", &date),
                ("type", "measurement_noise"),
                ("title", "Fournil"),
                ("workers", "3"),
                ("measurements", "LEX,8h = 82 dB(A)"),
            ],
            ("report", "rapport.pdf", b"%PDF-1.7 rapport"),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = preventer.get(&path).await;
    assert!(page.body.contains("LEX,8h = 82 dB(A)"));
    let report: String = page
        .body
        .split("/actions/")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap()
        .to_string();
    let pdf = preventer.get(&format!("/actions/{report}/report")).await;
    assert!(pdf.body.starts_with("%PDF"));
    let plan = preventer.get("/prevention/plan").await;
    assert!(plan.body.contains("Mesurage du bruit"), "{}", plan.body);
    let mut employer = app.login_as(Role::Employer).await;
    assert_eq!(employer.get(&path).await.status, StatusCode::FORBIDDEN);
});

app_test!(
    employers_register_to_an_awareness_session_which_becomes_an_action,
    |app| {
        organisation(app).await;
        let mut assistant = app.login_as(Role::Assistant).await;
        let bakery = create_member(&mut assistant, "73282932000074", "Boulangerie Émile").await;
        let mut preventer = app.login_as(Role::Preventer).await;
        let date = (store::today() + chrono::Duration::days(20)).to_string();
        let created = preventer
            .post_form(
                "/prevention/sessions",
                &[
                    ("title", "Gestes et postures"),
                    ("date", &date),
                    ("place", "Centre de Metz"),
                    ("capacity", "3"),
                ],
            )
            .await;
        assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
        let unknown = preventer
            .post_form(
                "/prevention/sessions",
                &[
                    ("title", "X"),
                    ("date", &date),
                    ("siret", "44306184100047"),
                    ("capacity", "3"),
                ],
            )
            .await;
        assert!(
            unknown.body.contains("aucun adhérent ne porte ce SIRET"),
            "{}",
            unknown.body
        );
        let list = preventer.get("/prevention/sessions").await;
        let session: String = list
            .body
            .split("/prevention/sessions/")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap()
            .to_string();

        let mut boss = app.login_as(Role::Employer).await;
        let portal = boss.get("/portal/sessions").await;
        assert!(portal.body.contains("Gestes et postures"));
        let register = format!("/portal/sessions/{session}/register");
        let too_many = boss.post_form(&register, &[("participants", "5")]).await;
        assert_eq!(too_many.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            too_many.body.contains("il reste 3 place(s)"),
            "{}",
            too_many.body
        );
        assert_eq!(
            boss.post_form(&register, &[("participants", "2")])
                .await
                .status,
            StatusCode::SEE_OTHER
        );
        assert!(boss.get("/portal/sessions").await.body.contains("2 / 3"));

        let path = format!("/prevention/sessions/{session}");
        let too_present = preventer
            .post_form(
                &format!("{path}/close"),
                &[("held", "1"), (&format!("attended_{bakery}"), "4")],
            )
            .await;
        assert!(
            too_present.body.contains("pas plus que les inscrits"),
            "{}",
            too_present.body
        );
        let held = preventer
            .post_form(
                &format!("{path}/close"),
                &[("held", "1"), (&format!("attended_{bakery}"), "2")],
            )
            .await;
        assert_eq!(held.status, StatusCode::SEE_OTHER, "{}", held.body);
        assert!(preventer.get(&path).await.body.contains("tenue"));
        let actions = preventer
            .get(&format!("/establishments/{bakery}/actions"))
            .await;
        assert!(
            actions.body.contains("Action de sensibilisation tenue"),
            "{}",
            actions.body
        );
        assert!(actions.body.contains("2 salarié(s)"));
        let closed = boss.post_form(&register, &[("participants", "1")]).await;
        assert!(closed.body.contains("plus ouverte"), "{}", closed.body);
    }
);

app_test!(the_coverage_plan_gives_each_preventer_their_share, |app| {
    organisation(app).await;
    let actor = Actor("t".into());
    let mut preventer_of = std::collections::HashMap::new();
    for (reference, name, team, role) in [
        ("PRV1", "Durand", "EST-1", ProfessionalRole::Preventer),
        ("PRV2", "Roux", "EST-2", ProfessionalRole::Preventer),
        ("IDE1", "Petit", "EST-1", ProfessionalRole::Nurse),
    ] {
        let id = app
            .db
            .db
            .upsert_professional(
                &actor,
                &NewProfessional {
                    reference: reference.into(),
                    last_name: name.into(),
                    first_name: "Léa".into(),
                    role,
                    team: Some(team.into()),
                    email: None,
                },
            )
            .await
            .unwrap()
            .0;
        preventer_of.insert(name, id);
    }
    let mut assistant = app.login_as(Role::Assistant).await;
    create_member(&mut assistant, "73282932000074", "Boulangerie Émile").await;
    create_member(&mut assistant, "44306184100047", "Garage Dupont").await;

    let mut director = app.login_as(Role::Director).await;
    let page = director.get("/prevention/coverage").await;
    assert_eq!(page.status, StatusCode::OK);
    let loads = page
        .body
        .split("id=\"coverage-preventers\"")
        .nth(1)
        .and_then(|t| t.split("</table>").next())
        .unwrap();
    // Both members joined in 2020 without a fiche: missing, on Léa Durand's team only.
    assert!(
        loads.contains("Léa Durand</a></td><td>2</td><td>0</td><td>0</td>"),
        "{loads}"
    );
    assert!(!loads.contains("Roux"), "{loads}");
    assert!(
        !loads.contains("Petit"),
        "a nurse is not a preventer: {loads}"
    );

    let durand = preventer_of["Durand"];
    let roux = preventer_of["Roux"];
    let mine = director
        .get(&format!("/api/v1/fiches/coverage?preventer={durand}"))
        .await
        .json();
    assert_eq!(mine["count"], 2, "{mine}");
    assert_eq!(mine["establishments"][0]["preventer_ids"][0], durand);
    let theirs = director
        .get(&format!("/api/v1/fiches/coverage?preventer={roux}"))
        .await
        .json();
    assert_eq!(theirs["count"], 0, "{theirs}");
    let nurse = preventer_of["Petit"];
    for bad in [nurse.to_string(), "abc".to_string()] {
        let refused = director
            .get(&format!("/prevention/coverage?preventer={bad}"))
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.body.contains("Préventeur"), "{}", refused.body);
    }

    // The preventer's plan says how many fiches their team has to write.
    let mut prv = app.login_linked(Role::Preventer, Some(durand)).await;
    let plan = prv.get("/prevention/plan").await;
    assert!(
        plan.body
            .contains("Équipe EST-1 : 2 fiche(s) d'entreprise à établir"),
        "{}",
        plan.body
    );
});
