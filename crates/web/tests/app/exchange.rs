//! Imports from the administration page (preview, confirmation, progress, report), the
//! employer's DSN proposal and data export, and the payroll factors on the worker's page.

use axum::http::StatusCode;
use domain::Role;

use crate::app_test;
use crate::helpers::Client;
use crate::members::{create_member, organisation};

const TEAMS: &str = "team;name;sector\nEST-3;Équipe Est 3;EST\nNORD-1;Équipe Nord;NORD\n";

/// The job page's address after an upload.
async fn upload(admin: &mut Client, name: &str, content: &[u8], fields: &[(&str, &str)]) -> String {
    admin.get("/admin/imports").await;
    let response = admin
        .post_file("/admin/imports", fields, ("file", name, content))
        .await;
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
    response.location().unwrap().to_string()
}

app_test!(an_admin_previews_confirms_and_follows_an_import, |app| {
    organisation(app).await;
    let mut admin = app.login_as(Role::Admin).await;
    let job = upload(&mut admin, "equipes.csv", TEAMS.as_bytes(), &[]).await;
    let preview = admin.get(&job).await;
    let status = preview.text_of("import-status").unwrap();
    assert!(
        status.contains("Vérification (rien n'a encore été écrit)"),
        "{status}"
    );
    assert!(
        status.contains("2 lus, 1 importés, 0 mis à jour, 0 inchangés, 1 rejetés"),
        "{status}"
    );
    assert!(
        preview
            .body
            .contains("secteur « NORD » inconnu : importez-le d&#39;abord"),
        "{}",
        preview.body
    );
    assert!(preview.body.contains("Confirmer l'import"));
    assert!(
        !app.db
            .db
            .list_teams()
            .await
            .unwrap()
            .iter()
            .any(|t| t.code == "EST-3"),
        "the preview writes nothing"
    );

    let confirmed = admin.post_form(&format!("{job}/confirm"), &[]).await;
    assert_eq!(
        confirmed.status,
        StatusCode::SEE_OTHER,
        "{}",
        confirmed.body
    );
    let mut page = admin.get(&job).await;
    for _ in 0..100 {
        if !page.body.contains("import-progress") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        page = admin.get(&job).await;
    }
    let status = page.text_of("import-status").unwrap();
    assert!(status.contains("Import terminé"), "{status}");
    assert!(
        app.db
            .db
            .list_teams()
            .await
            .unwrap()
            .iter()
            .any(|t| t.code == "EST-3")
    );
    let again = admin.post_form(&format!("{job}/confirm"), &[]).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let list = admin.get("/admin/imports").await;
    assert!(
        list.body.contains("equipes.csv") && list.body.contains("importé"),
        "{}",
        list.body
    );

    let strict = upload(
        &mut admin,
        "equipes.csv",
        TEAMS.as_bytes(),
        &[("strict", "on")],
    )
    .await;
    admin.post_form(&format!("{strict}/confirm"), &[]).await;
    let mut page = admin.get(&strict).await;
    for _ in 0..100 {
        if !page.body.contains("import-progress") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        page = admin.get(&strict).await;
    }
    assert!(
        page.text_of("import-status")
            .unwrap()
            .contains("Import annulé, rien n'a été écrit")
    );

    let bad = admin
        .post_file(
            "/admin/imports",
            &[],
            ("file", "x.csv", b"colour;size\nred;1\n"),
        )
        .await;
    assert!(
        bad.body
            .contains("Fichier x.csv : type de fichier non reconnu"),
        "{}",
        bad.body
    );
    let unknown_kind = admin
        .post_file(
            "/admin/imports",
            &[("kind", "people")],
            ("file", "x.csv", TEAMS.as_bytes()),
        )
        .await;
    assert_eq!(unknown_kind.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unknown_kind.body.contains("Type de fichier"));
    assert_eq!(
        admin.get("/admin/imports/unknown-job").await.status,
        StatusCode::NOT_FOUND
    );
});

fn dsn(siret: &str, month: &str) -> String {
    let (siren, nic) = siret.split_at(9);
    format!(
        "S20.G00.05.001,'01'\nS20.G00.05.005,'01{month}'\nS21.G00.06.001,'{siren}'\nS21.G00.11.001,'{nic}'\n\
         S21.G00.30.001,'2850475123456'\nS21.G00.30.002,'Durand'\nS21.G00.30.004,'Marie'\nS21.G00.30.006,'12041985'\n\
         S21.G00.40.001,'01092025'\nS21.G00.40.006,'Boulangère'\nS21.G00.40.007,'01'\nS21.G00.34.001,'08'\nS21.G00.34.001,'07'\n"
    )
}

app_test!(
    an_employer_prepares_the_declaration_from_a_dsn_and_exports_its_data,
    |app| {
        organisation(app).await;
        let mut assistant = app.login_as(Role::Assistant).await;
        create_member(&mut assistant, "73282932000074", "Boulangerie Émile").await;
        create_member(&mut assistant, "44306184100047", "Garage Dupont").await;
        let mut employer = app.login_as(Role::Employer).await;
        employer.get("/portal").await;
        let year = chrono::Datelike::year(&store::today());
        let month = format!("10{year}");

        let other = employer
            .post_file(
                "/portal/dsn",
                &[],
                ("file", "dsn.txt", dsn("44306184100047", &month).as_bytes()),
            )
            .await;
        assert!(
            other
                .body
                .contains("ce fichier concerne l&#39;établissement 44306184100047, pas le vôtre"),
            "{}",
            other.body
        );
        let broken = employer
            .post_file(
                "/portal/dsn",
                &[],
                ("file", "dsn.txt", b"S21.G00.30.001 2850475123456\n"),
            )
            .await;
        assert!(
            broken
                .body
                .contains("Fichier DSN : ligne 1 : ligne mal formée"),
            "{}",
            broken.body
        );

        let proposed = employer
            .post_file(
                "/portal/dsn",
                &[],
                ("file", "dsn.txt", dsn("73282932000074", &month).as_bytes()),
            )
            .await;
        assert_eq!(proposed.status, StatusCode::SEE_OTHER, "{}", proposed.body);
        assert_eq!(
            proposed.location(),
            Some(format!("/portal/declarations/{year}").as_str())
        );
        let declaration = employer.get(&format!("/portal/declarations/{year}")).await;
        assert!(
            declaration.body.contains("DURAND") || declaration.body.contains("Durand"),
            "{}",
            declaration.body
        );
        let establishment = app
            .db
            .db
            .find_establishment_by_siret("73282932000074")
            .await
            .unwrap()
            .unwrap();
        let draft = app
            .db
            .db
            .find_latest_declaration(establishment.id, year)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            draft.status,
            store::DeclarationStatus::Draft,
            "a proposal the employer submits"
        );
        assert_eq!(draft.lines.len(), 1);
        assert_eq!(
            draft.lines[0].exposures,
            ["night_worker"],
            "night work sets the code; noise is shown as declared"
        );

        // The doctor sees the factors as payroll declared them.
        let worker = app
            .db
            .db
            .find_worker_by_nir("285047512345607")
            .await
            .unwrap()
            .unwrap();
        let mut doctor = app.login_as(Role::Doctor).await;
        let page = doctor.get(&format!("/workers/{}", worker.id)).await;
        assert!(
            page.body.contains("Pénibilité déclarée par la paie"),
            "{}",
            page.body
        );
        assert!(
            page.body.contains(&format!(
                "travail de nuit — établissement 73282932000074 — déclaré de 10/{year} à 10/{year}"
            )),
            "{}",
            page.body
        );
        assert!(page.body.contains("bruit —"));

        let export = employer.get("/portal/export").await;
        assert_eq!(export.status, StatusCode::OK);
        assert_eq!(export.headers["content-type"], "application/zip");
        let archive = export.bytes.clone();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(archive)).unwrap();
        let mut read = |name: &str| {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut text).unwrap();
            text
        };
        let companies = read("companies.csv");
        assert!(
            companies.contains("73282932000074;Boulangerie Émile"),
            "{companies}"
        );
        assert!(
            !companies.contains("44306184100047"),
            "only its own establishment"
        );
        assert!(read("workers.csv").starts_with("worker_ref;"));
    }
);
