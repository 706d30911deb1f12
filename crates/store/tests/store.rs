//! Store scenarios, each run on SQLite and on PostgreSQL.

use std::collections::BTreeSet;

use chrono::Duration;
use domain::Role;
use domain::authz::{Principal, WorkerFileContext, grant_medical_access};
use domain::ids::{TeamId, WorkerId};
use domain::org::ProfessionalRole;
use spsti_store::test_support::TestDb;
use spsti_store::{
    Actor, Db, DbConfig, MIGRATIONS, NewCentre, NewProfessional, NewTeam, NewUser, SessionStage,
    StoreError, db_test,
};

fn admin() -> Actor {
    Actor("test-admin".into())
}

async fn seed_organisation(db: &Db) {
    db.upsert_sector(&admin(), "EST", "Secteur Est")
        .await
        .unwrap();
    db.upsert_centre(
        &admin(),
        &NewCentre {
            code: "C01".into(),
            name: "Centre de Metz".into(),
            sector: "EST".into(),
            address: "1 rue de la Paix".into(),
            postcode: "57000".into(),
            city: "Metz".into(),
        },
    )
    .await
    .unwrap();
    db.upsert_team(
        &admin(),
        &NewTeam {
            code: "T1".into(),
            name: "Équipe 1".into(),
            sector: "EST".into(),
        },
    )
    .await
    .unwrap();
}

fn new_user(login: &str, role: Role) -> NewUser {
    NewUser {
        login: login.into(),
        display_name: login.to_uppercase(),
        email: Some(format!("{login}@example.org")),
        role,
        siret: None,
        professional_id: None,
        password_hash: Some("hash".into()),
    }
}

db_test!(organisation_upserts_are_idempotent_and_audited, |t| {
    let db = &t.db;
    seed_organisation(db).await;
    seed_organisation(db).await;
    assert_eq!(db.list_sectors().await.unwrap().len(), 1);
    assert_eq!(db.list_centres().await.unwrap()[0].city, "Metz");
    let teams = db.list_teams().await.unwrap();
    assert_eq!((teams.len(), teams[0].sector.as_str()), (1, "EST"));
    let report = db.verify_audit_chain().await.unwrap();
    assert_eq!(report.rows, 6);
    assert_eq!(report.first_broken, None);
});

db_test!(unknown_sector_is_refused_and_nothing_written, |t| {
    let db = &t.db;
    let err = db
        .upsert_team(
            &admin(),
            &NewTeam {
                code: "T9".into(),
                name: "X".into(),
                sector: "NOPE".into(),
            },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Invalid(m) if m.contains("secteur inconnu")),
        "{err}"
    );
    assert!(db.list_teams().await.unwrap().is_empty());
    assert_eq!(db.verify_audit_chain().await.unwrap().rows, 0);
});

db_test!(professional_joins_its_team_and_user_inherits_it, |t| {
    let db = &t.db;
    seed_organisation(db).await;
    let pro = db
        .upsert_professional(
            &admin(),
            &NewProfessional {
                reference: "P1".into(),
                last_name: "Martin".into(),
                first_name: "Anne".into(),
                role: ProfessionalRole::Doctor,
                team: Some("T1".into()),
                email: None,
            },
        )
        .await
        .unwrap();
    let mut user = new_user("amartin", Role::Doctor);
    user.professional_id = Some(pro);
    let id = db.insert_user(&admin(), &user).await.unwrap();
    let found = db.find_user(id).await.unwrap();
    assert_eq!(found.team, Some(db.list_teams().await.unwrap()[0].id));
    assert_eq!(found.role, Role::Doctor);
    let err = db.insert_user(&admin(), &user).await.unwrap_err();
    assert!(
        matches!(&err, StoreError::Conflict(m) if m.contains("existe déjà")),
        "{err}"
    );
});

db_test!(tampered_audit_row_is_named_by_verify, |t| {
    let db = &t.db;
    seed_organisation(db).await;
    db.insert_user(&admin(), &new_user("x", Role::Assistant))
        .await
        .unwrap();
    assert_eq!(db.verify_audit_chain().await.unwrap().first_broken, None);
    match db {
        Db::Sqlite(p) => {
            sqlx::query("UPDATE audit_log SET actor = 'mallory' WHERE id = 2")
                .execute(p)
                .await
                .unwrap();
        }
        Db::Postgres(p) => {
            sqlx::query("UPDATE audit_log SET actor = 'mallory' WHERE id = 2")
                .execute(p)
                .await
                .unwrap();
        }
    }
    let report = db.verify_audit_chain().await.unwrap();
    assert_eq!(report.first_broken.map(|(id, _)| id), Some(2));
});

db_test!(concurrent_writers_keep_one_audit_chain, |t| {
    let db = t.db.clone();
    let mut tasks = Vec::new();
    for i in 0..8 {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            db.upsert_sector(&Actor(format!("w{i}")), &format!("S{i}"), "x")
                .await
                .unwrap();
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let report = db.verify_audit_chain().await.unwrap();
    assert_eq!((report.rows, report.first_broken), (8, None));
});

db_test!(sessions_tokens_and_reset_links, |t| {
    let db = &t.db;
    let id = db
        .insert_user(&admin(), &new_user("u", Role::Assistant))
        .await
        .unwrap();
    db.create_session(id, "h1", SessionStage::Complete)
        .await
        .unwrap();
    let session = db.find_session("h1").await.unwrap().unwrap();
    assert_eq!(
        (session.stage, session.user.login.as_str()),
        (SessionStage::Complete, "u")
    );
    assert!(db.find_session("h2").await.unwrap().is_none());

    db.create_api_token(&admin(), id, "BI", "th", "spsti_ab", None)
        .await
        .unwrap();
    let (token, user) = db.find_valid_api_token("th").await.unwrap().unwrap();
    assert_eq!((token.name.as_str(), user.id), ("BI", id));
    db.revoke_api_token(&admin(), id, token.id).await.unwrap();
    assert!(db.find_valid_api_token("th").await.unwrap().is_none());

    db.create_password_link(id, "r1", "reset", Duration::hours(24))
        .await
        .unwrap();
    db.create_password_link(id, "old", "reset", Duration::hours(-1))
        .await
        .unwrap();
    assert!(matches!(
        db.reset_password_with_link("old", "new").await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        db.reset_password_with_link("r1", "newhash").await.unwrap(),
        id
    );
    assert!(matches!(
        db.reset_password_with_link("r1", "again").await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        db.find_user(id).await.unwrap().password_hash.as_deref(),
        Some("newhash")
    );
    // A reset ends the sessions.
    assert!(db.find_session("h1").await.unwrap().is_none());
});

db_test!(totp_step_is_accepted_once, |t| {
    let db = &t.db;
    let id = db
        .insert_user(&admin(), &new_user("d", Role::Doctor))
        .await
        .unwrap();
    db.set_pending_totp_secret(id, "SECRET").await.unwrap();
    db.enable_totp(&admin(), id, 100, &["c1".into(), "c2".into()])
        .await
        .unwrap();
    assert!(!db.claim_totp_step(id, 100).await.unwrap());
    assert!(db.claim_totp_step(id, 101).await.unwrap());
    assert!(!db.claim_totp_step(id, 101).await.unwrap());
    assert!(db.use_recovery_code(id, "c1").await.unwrap());
    assert!(!db.use_recovery_code(id, "c1").await.unwrap());
});

db_test!(medical_access_is_traced_with_its_reason, |t| {
    let db = &t.db;
    let id = db
        .insert_user(&admin(), &new_user("doc", Role::Doctor))
        .await
        .unwrap();
    let principal = Principal {
        user_id: id,
        login: "doc".into(),
        display_name: "Doc".into(),
        role: Role::Doctor,
        team: Some(TeamId(2)),
        siret: None,
        second_factor_verified: true,
    };
    let file = WorkerFileContext {
        worker_id: WorkerId(9),
        team: Some(TeamId(1)),
        objects_to_other_professionals: false,
        objected_users: &[],
    };
    let grant = grant_medical_access(&principal, &file, Some("remplacement du Dr Martin")).unwrap();
    db.record_medical_access(&grant, "history", "read")
        .await
        .unwrap();
    let traces = db.list_medical_access(WorkerId(9)).await.unwrap();
    assert_eq!(traces.len(), 1);
    assert_eq!(
        traces[0].justification.as_deref(),
        Some("remplacement du Dr Martin")
    );
});

db_test!(login_failures_are_counted_per_address, |t| {
    let db = &t.db;
    for _ in 0..3 {
        db.record_login_attempt("a", "10.0.0.1", false)
            .await
            .unwrap();
    }
    db.record_login_attempt("a", "10.0.0.2", false)
        .await
        .unwrap();
    let (n, latest) = db
        .recent_failures_from("10.0.0.1", Duration::minutes(15))
        .await
        .unwrap();
    assert_eq!(n, 3);
    assert!(latest.is_some());
    db.record_login_attempt("a", "10.0.0.1", true)
        .await
        .unwrap();
    assert_eq!(
        db.recent_failures_from("10.0.0.1", Duration::minutes(15))
            .await
            .unwrap()
            .0,
        0
    );
});

db_test!(backup_then_restore_gives_the_same_data, |t| {
    let db = &t.db;
    seed_organisation(db).await;
    db.insert_user(&admin(), &new_user("kept", Role::Director))
        .await
        .unwrap();
    let file = std::env::temp_dir().join(format!(
        "spsti-backup-{}-{}.bak",
        std::process::id(),
        db.backend_name()
    ));
    let _ = std::fs::remove_file(&file);
    db.backup(&t.config, &file).await.unwrap();
    // Changes after the backup disappear on restore.
    db.insert_user(&admin(), &new_user("later", Role::Director))
        .await
        .unwrap();
    let target = match &t.config {
        DbConfig::Sqlite(path) => DbConfig::Sqlite(path.with_file_name("restored.db")),
        DbConfig::Postgres(_) => t.config.clone(),
    };
    if let DbConfig::Postgres(_) = target {
        db.close().await;
    }
    Db::restore(&target, &file).await.unwrap();
    let restored = Db::open(&target).await.unwrap();
    let logins: Vec<String> = restored
        .list_users()
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.login)
        .collect();
    assert_eq!(logins, vec!["kept".to_string()]);
    assert_eq!(
        restored.list_centres().await.unwrap()[0].name,
        "Centre de Metz"
    );
    assert_eq!(
        restored.verify_audit_chain().await.unwrap().first_broken,
        None
    );
    restored.close().await;
    let _ = std::fs::remove_file(&file);
});

#[test]
fn both_migration_sets_have_the_same_versions() {
    let list = |dir: &str| -> BTreeSet<String> {
        std::fs::read_dir(format!(
            "{}/../../migrations/{dir}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect()
    };
    let sqlite = list("sqlite");
    assert_eq!(sqlite, list("postgres"));
    let embedded: BTreeSet<String> = MIGRATIONS.iter().map(|m| m.name.to_string()).collect();
    assert_eq!(sqlite, embedded, "every migration file is embedded");
}

#[tokio::test]
async fn both_databases_have_the_same_tables_and_columns() {
    let sqlite = TestDb::sqlite().await;
    let Some(pg) = TestDb::postgres().await else {
        eprintln!("PostgreSQL not configured (DATABASE_URL): skipped outside CI");
        return;
    };
    let a = sqlite.db.describe_schema().await.unwrap();
    let b = pg.db.describe_schema().await.unwrap();
    assert!(a.len() >= 12, "{a:?}");
    assert_eq!(a, b);
    sqlite.drop_db().await;
    pg.drop_db().await;
}

#[tokio::test]
async fn migrating_twice_applies_nothing_new() {
    let t = TestDb::sqlite().await;
    assert!(t.db.migrate().await.unwrap().is_empty());
    t.drop_db().await;
}
