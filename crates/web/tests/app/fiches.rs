//! Fiches d'entreprise through the pages: a preventer writes, finalises and delivers one;
//! the employer reads it; the coverage plan and its API.

use axum::http::StatusCode;
use domain::Role;

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
