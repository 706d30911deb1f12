//! `spsti import` / `spsti export`: the round trip of every exchange file (export the demo,
//! import into an empty database: same files, same indicators), idempotent re-imports, and
//! the report of a bad file.

mod common;

use std::path::Path;

use common::{Env, stderr, stdout};
use domain::exchange::FileKind;
use store::DbConfig;
use store::test_support::TestDb;

fn export_all(env: &Env, folder: &Path) {
    let out = env.run(&["export", "--kind", "all", "--out", folder.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
}

fn data_lines(file: &Path) -> usize {
    std::fs::read_to_string(file).unwrap().lines().count() - 1
}

fn round_trip(source: Env, target: Env) {
    let demo = source.run(&["demo"]);
    assert!(demo.status.success(), "{}", stderr(&demo));
    let first = source.dir.join("export-1");
    export_all(&source, &first);
    for pass in 0..2 {
        for kind in FileKind::ALL {
            let file = first.join(format!("{}.csv", kind.code()));
            let lines = data_lines(&file);
            assert!(lines > 0, "the demo has {}", kind.code());
            let out = target.run(&["import", file.to_str().unwrap()]);
            let report = stdout(&out);
            assert!(out.status.success(), "{}\n{}", report, stderr(&out));
            let expected = if pass == 0 {
                format!("{lines} lus, {lines} importés, 0 mis à jour, 0 inchangés, 0 rejetés")
            } else {
                format!("{lines} lus, 0 importés, 0 mis à jour, {lines} inchangés, 0 rejetés")
            };
            assert!(report.contains(&expected), "pass {pass}: {report}");
        }
    }
    let second = target.dir.join("export-2");
    export_all(&target, &second);
    for kind in FileKind::ALL {
        let name = format!("{}.csv", kind.code());
        assert_eq!(
            std::fs::read_to_string(first.join(&name)).unwrap(),
            std::fs::read_to_string(second.join(&name)).unwrap(),
            "{name} differs after the round trip"
        );
    }
    // The indicators of the past years, computed from the imported history, are the ones of
    // the data the files came from.
    let year = (chrono::Utc::now().date_naive() - chrono::Days::new(365))
        .format("%Y")
        .to_string();
    let kpi = |env: &Env| {
        let out = env.run(&["kpi", "--year", &year]);
        assert!(out.status.success(), "{}", stderr(&out));
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let (before, after) = (kpi(&source), kpi(&target));
    assert!(before["K3"].as_array().is_some_and(|t| !t.is_empty()));
    assert_eq!(before, after);
}

fn in_thread(job: impl FnOnce() + Send + 'static) {
    std::thread::spawn(job).join().unwrap();
}

#[test]
fn every_file_round_trips_with_sqlite() {
    round_trip(Env::sqlite(), Env::sqlite());
}

#[tokio::test]
async fn every_file_round_trips_with_postgres() {
    let (Some(source), Some(target)) = (TestDb::postgres().await, TestDb::postgres().await) else {
        eprintln!("PostgreSQL not configured (DATABASE_URL): skipped outside CI");
        return;
    };
    let env_of = |db: &TestDb| {
        let DbConfig::Postgres(url) = db.config.clone() else {
            unreachable!()
        };
        Env {
            database_url: Some(url),
            ..Env::sqlite()
        }
    };
    let (a, b) = (env_of(&source), env_of(&target));
    tokio::task::spawn_blocking(move || in_thread(move || round_trip(a, b)))
        .await
        .unwrap();
    source.drop_db().await;
    target.drop_db().await;
}

fn write(env: &Env, name: &str, content: &[u8]) -> String {
    let path = env.dir.join(name);
    std::fs::write(&path, content).unwrap();
    path.to_str().unwrap().to_string()
}

const SECTORS: &str = "sector;name\nEST;Secteur Est\n";
const COMPANIES: &str = "siret;name;naf_code;sector;team;kind;joined_on;struck_off_on;strike_off_reason;address;postcode;city;email;phone\n\
    73282932000074;Boulangerie Martin;10.71C;EST;;company;2020-01-15;;;1 rue Haute;57000;Metz;;\n";
const WORKERS_HEADER: &str = "worker_ref;last_name;first_name;sex;birth_date;nir;email;mobile;siret;job_title;pcs_ese;hired_on;left_on;contract;night_worker;declaration_year;category;exposures\n";

#[test]
fn a_bad_workers_file_is_reported_line_by_line_and_strict_writes_nothing() {
    let env = Env::sqlite();
    for (name, content) in [("sectors.csv", SECTORS), ("companies.csv", COMPANIES)] {
        let out = env.run(&["import", &write(&env, name, content.as_bytes())]);
        assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    }
    let file = format!(
        "{WORKERS_HEADER}\
         W1;Durand;Marie;F;1985-04-12;;;;73282932000074;Vendeuse;;2021-03-01;;CDI;0;2025;SIS;\r\n\
         W2;Petit;Jean;M;31/02/1990;;;;73282932000074;Boulanger;;2022-01-10;;CDI;1;2025;SIA;\r\n\
         W3;Roux;Paul;M;1990-01-01;;;;11111111111111;Livreur;;2022-01-10;;CDI;0;2025;SIS;\r\n\
         W4;Blanc;Léa;F;1992-06-01;;;;73282932000074;Pâtissière;;2023-05-02;;CDI;0;2025;SIR;asbestos|noise_extra\r\n\
         W1;Durand;Marie;F;1985-04-12;;;;73282932000074;Vendeuse;;2021-03-01;;CDI;0;2025;SIS;\r\n"
    );
    let path = write(&env, "workers.csv", file.as_bytes());

    let strict = env.run(&["import", "--strict", &path]);
    assert_eq!(strict.status.code(), Some(2));
    let report = stdout(&strict);
    assert!(
        report.contains("rejetée : ligne 3, colonne birth_date : date invalide « 31/02/1990 »"),
        "{report}"
    );
    assert!(report.contains("ligne 4, colonne siret"), "{report}");
    assert!(
        report.contains("ligne 5, colonne exposures : code d'exposition inconnu « noise_extra »"),
        "{report}"
    );
    assert!(
        report.contains("ligne 6, colonne worker_ref : clé en double : déjà présente à la ligne 2"),
        "{report}"
    );
    assert!(
        report.contains("5 lus, 1 importés, 0 mis à jour, 0 inchangés, 4 rejetés"),
        "{report}"
    );
    assert!(report.contains("rien n'a été écrit"), "{report}");
    let exported = env.run(&["export", "--kind", "workers"]);
    assert_eq!(stdout(&exported).lines().count(), 1, "strict wrote nothing");

    let dry = env.run(&["import", "--dry-run", &path]);
    assert!(stdout(&dry).contains("simulation (--dry-run)"));
    assert_eq!(
        stdout(&env.run(&["export", "--kind", "workers"]))
            .lines()
            .count(),
        1
    );

    let lenient = env.run(&["import", &path]);
    assert_eq!(lenient.status.code(), Some(2), "lines were refused");
    assert!(stdout(&lenient).contains("les changements ont été enregistrés"));
    let exported = stdout(&env.run(&["export", "--kind", "workers"]));
    assert_eq!(exported.lines().count(), 2, "{exported}");
    assert!(exported.contains("W1;Durand;Marie;F;1985-04-12"));
}

#[test]
fn file_level_problems_exit_with_code_2_and_a_french_message() {
    let env = Env::sqlite();
    let cases: [(&str, &[u8], &str); 5] = [
        (
            "unknown.csv",
            b"colour;size\nred;2\n",
            "type de fichier non reconnu",
        ),
        (
            "extra.csv",
            b"sector;name;colour\nEST;Est;red\n",
            "colonnes inconnues : colour",
        ),
        (
            "latin1.csv",
            b"sector;name\nEST;R\xe9gion\n",
            "UTF-8 (ligne 2)",
        ),
        ("short.csv", b"sector;name\nEST\n", "ligne 2 illisible"),
        ("empty.csv", b"", "le fichier est vide"),
    ];
    for (name, content, message) in cases {
        let kind: &[&str] = if name == "extra.csv" || name == "short.csv" {
            &["--kind", "sectors"]
        } else {
            &[]
        };
        let path = write(&env, name, content);
        let mut args = vec!["import", path.as_str()];
        args.extend_from_slice(kind);
        let out = env.run(&args);
        assert_eq!(out.status.code(), Some(2), "{name}");
        assert!(stderr(&out).contains(message), "{name}: {}", stderr(&out));
    }
    let out = env.run(&["import", "--kind", "people", "x.csv"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("Type de fichier (--kind) : « people » inconnu"));
}

fn dsn(siret: &str, month: &str, hardship: &str, returned: &str) -> String {
    let (siren, nic) = siret.split_at(9);
    format!(
        "S10.G00.00.001,'Logiciel de paie'\r\n\
         S20.G00.05.001,'01'\r\n\
         S20.G00.05.005,'01{month}'\r\n\
         S21.G00.06.001,'{siren}'\r\n\
         S21.G00.06.003,'1071C'\r\n\
         S21.G00.11.001,'{nic}'\r\n\
         S21.G00.11.002,'1071C'\r\n\
         S21.G00.30.001,'2850475123456'\r\n\
         S21.G00.30.002,'Durand'\r\n\
         S21.G00.30.004,'Marie'\r\n\
         S21.G00.30.006,'12041985'\r\n\
         S21.G00.40.001,'01092026'\r\n\
         S21.G00.40.004,'525a'\r\n\
         S21.G00.40.006,'Agent d'entretien'\r\n\
         S21.G00.40.007,'01'\r\n\
         S21.G00.34.001,'{hardship}'\r\n\
         S21.G00.30.001,'1900175123456'\r\n\
         S21.G00.30.002,'Petit'\r\n\
         S21.G00.30.004,'Jean'\r\n\
         S21.G00.30.005,'01'\r\n\
         S21.G00.30.006,'03011990'\r\n\
         S21.G00.40.001,'01012020'\r\n\
         S21.G00.40.006,'Livreur'\r\n\
         S21.G00.40.007,'02'\r\n\
         S21.G00.60.001,'06'\r\n\
         S21.G00.60.002,'31082026'\r\n\
         S21.G00.60.003,'15102026'\r\n\
         S21.G00.60.010,'{returned}'\r\n\
         S90.G00.90.001,'42'\r\n"
    )
}

async fn count(env: &Env, sql: &str) -> i64 {
    let db = store::Db::open(&DbConfig::Sqlite(env.dir.join("spsti.db")))
        .await
        .unwrap();
    let store::Db::Sqlite(pool) = &db else {
        unreachable!()
    };
    let n = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(pool)
        .await
        .unwrap();
    db.close().await;
    n
}

#[tokio::test]
async fn payroll_files_create_workers_contracts_stoppages_and_factors() {
    let env = Env::sqlite();
    for (name, content) in [("sectors.csv", SECTORS), ("companies.csv", COMPANIES)] {
        assert!(
            env.run(&["import", &write(&env, name, content.as_bytes())])
                .status
                .success()
        );
    }
    let october = write(
        &env,
        "octobre.dsn",
        dsn("73282932000074", "102026", "08", "").as_bytes(),
    );
    let out = env.run(&["import-dsn", &october]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("2 salariés, 2 nouveaux, 0 mis à jour, 0 inchangés, 1 arrêts de travail, 1 facteurs de pénibilité"), "{}", stdout(&out));
    let workers = stdout(&env.run(&["export", "--kind", "workers"]));
    assert!(workers.contains(";Durand;Marie;F;1985-04-12;285047512345607;;;73282932000074;Agent d'entretien;525a;2026-09-01;;CDI;1;2026;SIA;\n"), "{workers}");
    assert!(
        workers.contains(";Petit;Jean;M;1990-01-03;190017512345"),
        "{workers}"
    );
    assert!(
        workers.contains(";Livreur;;2020-01-01;;CDD;0;2026;SIS;\n"),
        "{workers}"
    );
    assert!(
        !workers.contains("2850475123456;"),
        "references do not reveal the NIR"
    );

    // November: the return date arrives, night work ends (99); re-reading October changes nothing.
    let november = write(
        &env,
        "novembre.dsn",
        dsn("73282932000074", "112026", "99", "16102026").as_bytes(),
    );
    let out = env.run(&["import-dsn", &november, &october]);
    let report = stdout(&out);
    assert!(out.status.success(), "{report}");
    assert!(report.contains("(73282932000074, 10/2026) : 2 salariés, 0 nouveaux, 0 mis à jour, 2 inchangés, 0 arrêts de travail, 0 facteurs"), "{report}");
    assert!(report.contains("(73282932000074, 11/2026) : 2 salariés, 0 nouveaux, 1 mis à jour, 1 inchangés, 1 arrêts de travail, 1 facteurs"), "{report}");
    let workers = stdout(&env.run(&["export", "--kind", "workers"]));
    assert!(
        workers.contains(";2026-09-01;;CDI;0;2026;SIS;\n"),
        "factor 99 cancels night work: {workers}"
    );
    assert_eq!(count(&env, "SELECT COUNT(*) FROM work_stoppages WHERE reason = 'work_accident' AND start_on = '2026-09-01' AND end_on = '2026-10-15' AND returned_on = '2026-10-16'").await, 1);
    assert_eq!(count(&env, "SELECT COUNT(*) FROM obligations WHERE kind = 'RETURN_TO_WORK' AND subtype = 'work_accident'").await, 1, "a work accident of 45 days asks for a return-to-work visit");
    assert_eq!(
        count(&env, "SELECT COUNT(*) FROM payroll_hardship").await,
        2
    );
    let again = env.run(&["import-dsn", &november]);
    assert!(
        stdout(&again)
            .contains("0 nouveaux, 0 mis à jour, 2 inchangés, 0 arrêts de travail, 0 facteurs"),
        "{}",
        stdout(&again)
    );
}

#[test]
fn a_payroll_file_of_a_non_member_or_with_a_bad_line_is_reported_and_not_imported() {
    let env = Env::sqlite();
    assert!(
        env.run(&["import", &write(&env, "sectors.csv", SECTORS.as_bytes())])
            .status
            .success()
    );
    let stranger = write(
        &env,
        "autre.dsn",
        dsn("73282932000074", "102026", "08", "").as_bytes(),
    );
    let out = env.run(&["import-dsn", &stranger]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stdout(&out)
            .contains("l'établissement 73282932000074 n'est pas adhérent ; rien n'a été importé"),
        "{}",
        stdout(&out)
    );
    assert!(
        env.run(&[
            "import",
            &write(&env, "companies.csv", COMPANIES.as_bytes())
        ])
        .status
        .success()
    );
    let broken = dsn("73282932000074", "102026", "08", "")
        .replace("S21.G00.30.006,'12041985'", "S21.G00.30.006,'31022026'");
    let out = env.run(&["import-dsn", &write(&env, "broken.dsn", broken.as_bytes())]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stdout(&out).contains("rejeté, ligne 11 : date impossible « 31022026 »"),
        "{}",
        stdout(&out)
    );
    let misshapen = dsn("73282932000074", "102026", "08", "")
        .replace("S21.G00.40.006,'Livreur'", "S21.G00.40.006 Livreur");
    let out = env.run(&[
        "import-dsn",
        &write(&env, "misshapen.dsn", misshapen.as_bytes()),
    ]);
    assert!(
        stdout(&out).contains("rejeté, ligne 23 : ligne mal formée"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        stdout(&env.run(&["export", "--kind", "workers"]))
            .lines()
            .count(),
        1,
        "nothing written"
    );
}
