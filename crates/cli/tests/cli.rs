//! The `spsti` binary end to end: each command on a fresh database (SQLite in a temporary
//! folder; PostgreSQL for the commands that differ by backend).

use std::io::Write;
use std::process::{Command, Output, Stdio};

use store::DbConfig;
use store::test_support::TestDb;

mod common;

use common::{Env, stderr, stdout};

#[test]
fn routes_json_is_the_route_table() {
    let env = Env::sqlite();
    let output = env.run(&["routes", "--format", "json"]);
    assert!(output.status.success());
    let routes: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let routes = routes.as_array().unwrap();
    assert_eq!(routes.len(), web::routes::route_table().len());
    let verify = routes
        .iter()
        .find(|r| r["path"] == "/api/v1/audit/verify")
        .unwrap();
    assert_eq!(verify["method"], "GET");
    assert_eq!(verify["roles"], serde_json::json!(["admin"]));
    assert_eq!(verify["medical"], false);
}

fn user_and_token_scenario(env: &Env) {
    let added = env.run_with_stdin(
        &[
            "user",
            "add",
            "--login",
            "dir",
            "--role",
            "director",
            "--password-stdin",
        ],
        "long enough password\n",
    );
    assert!(added.status.success(), "{}", stderr(&added));
    let token = env.run(&["token", "create", "--user", "dir", "--days", "30"]);
    assert!(token.status.success(), "{}", stderr(&token));
    assert!(stdout(&token).trim().starts_with("spsti_"));
    // A doctor without second factor gets no token.
    let doctor = env.run_with_stdin(
        &[
            "user",
            "add",
            "--login",
            "doc",
            "--role",
            "doctor",
            "--password-stdin",
        ],
        "long enough password\n",
    );
    assert!(doctor.status.success());
    let refused = env.run(&["token", "create", "--user", "doc"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr(&refused).contains("double authentification"));
    // Bad input names the field and writes nothing.
    let bad = env.run_with_stdin(
        &[
            "user",
            "add",
            "--login",
            "emp",
            "--role",
            "employer",
            "--siret",
            "12345678901234",
            "--password-stdin",
        ],
        "long enough password\n",
    );
    assert_refused(&bad, "SIRET");
    let weak = env.run_with_stdin(
        &[
            "user",
            "add",
            "--login",
            "weak",
            "--role",
            "assistant",
            "--password-stdin",
        ],
        "short\n",
    );
    assert_eq!(weak.status.code(), Some(2));
    assert!(stderr(&weak).contains("Mot de passe"));
    // Without a password, an invitation (printed when no SMTP server is configured).
    let invited = env.run(&[
        "user",
        "add",
        "--login",
        "new@example.org",
        "--role",
        "assistant",
    ]);
    assert!(invited.status.success(), "{}", stderr(&invited));
    assert!(stdout(&invited).contains("/password/reset/"));
    let verify = env.run(&["audit", "verify"]);
    assert!(verify.status.success(), "{}", stderr(&verify));
    assert!(stdout(&verify).contains("chaîne d'audit intègre"));
}

#[test]
fn users_tokens_and_audit_on_sqlite() {
    user_and_token_scenario(&Env::sqlite());
}

#[tokio::test]
async fn users_tokens_and_audit_on_postgres() {
    let Some(db) = TestDb::postgres().await else {
        eprintln!("PostgreSQL not configured (DATABASE_URL): skipped outside CI");
        return;
    };
    let DbConfig::Postgres(url) = db.config.clone() else {
        unreachable!()
    };
    let env = Env {
        database_url: Some(url),
        ..Env::sqlite()
    };
    tokio::task::spawn_blocking(move || user_and_token_scenario(&env))
        .await
        .unwrap();
    db.drop_db().await;
}

#[tokio::test]
async fn audit_verify_names_the_first_tampered_row() {
    let env = Env::sqlite();
    assert!(env.run(&["demo", "--scale", "small"]).status.success());
    let db = store::Db::connect(&DbConfig::Sqlite(env.dir.join("spsti.db")))
        .await
        .unwrap();
    if let store::Db::Sqlite(pool) = &db {
        sqlx::query("UPDATE audit_log SET after_json = '{}' WHERE id = 7")
            .execute(pool)
            .await
            .unwrap();
    }
    db.close().await;
    let verify = env.run(&["audit", "verify"]);
    assert_eq!(verify.status.code(), Some(1));
    assert!(stderr(&verify).contains("ligne 7"), "{}", stderr(&verify));
}

#[tokio::test]
async fn demo_is_deterministic_and_idempotent() {
    let first = Env::sqlite();
    let second = Env::sqlite();
    let without_timing = |output: &Output| {
        stdout(output)
            .split(" (")
            .next()
            .unwrap_or_default()
            .to_string()
    };
    let a = first.run(&["demo", "--scale", "small", "--seed", "7"]);
    assert!(a.status.success(), "{}", stderr(&a));
    assert!(
        stdout(&a).contains("4 équipes, 22 professionnels"),
        "{}",
        stdout(&a)
    );
    assert!(
        stdout(&a).contains("40 établissements adhérents"),
        "{}",
        stdout(&a)
    );
    let b = second.run(&["demo", "--scale", "small", "--seed", "7"]);
    assert_eq!(
        without_timing(&a),
        without_timing(&b),
        "same seed, same data"
    );
    let db = store::Db::open(&DbConfig::Sqlite(first.dir.join("spsti.db")))
        .await
        .unwrap();
    let count = |db: store::Db| async move {
        db.search_members(
            &store::MemberQuery {
                page: 1,
                per_page: 1,
                ..Default::default()
            },
            chrono::Utc::now().date_naive(),
        )
        .await
        .unwrap()
        .1
    };
    let before = count(db.clone()).await;
    db.close().await;
    assert!(
        first
            .run(&["demo", "--scale", "small", "--seed", "7"])
            .status
            .success()
    );
    let db = store::Db::open(&DbConfig::Sqlite(first.dir.join("spsti.db")))
        .await
        .unwrap();
    assert_eq!(count(db.clone()).await, before, "re-running adds no member");
    db.close().await;
}

#[test]
fn backup_and_restore_on_sqlite() {
    let env = Env::sqlite();
    assert!(
        env.run_with_stdin(
            &[
                "user",
                "add",
                "--login",
                "kept",
                "--role",
                "director",
                "--password-stdin"
            ],
            "long enough password\n"
        )
        .status
        .success()
    );
    let file = env.dir.join("copy.bak");
    let backup = env.run(&["backup", file.to_str().unwrap()]);
    assert!(backup.status.success(), "{}", stderr(&backup));
    assert!(
        env.run_with_stdin(
            &[
                "user",
                "add",
                "--login",
                "later",
                "--role",
                "director",
                "--password-stdin"
            ],
            "long enough password\n"
        )
        .status
        .success()
    );
    let again = env.run(&["backup", file.to_str().unwrap()]);
    assert!(
        !again.status.success(),
        "an existing file is not overwritten"
    );
    let restore = env.run(&["restore", file.to_str().unwrap()]);
    assert!(restore.status.success(), "{}", stderr(&restore));
    // After the restore, the later account is gone and the token command cannot find it.
    let missing = env.run(&["token", "create", "--user", "later"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        env.run(&["token", "create", "--user", "kept"])
            .status
            .success()
    );
}

#[test]
fn server_answers_then_stops_gracefully_on_sigterm() {
    let env = Env::sqlite();
    let port = 20000 + (std::process::id() % 20000) as u16;
    let addr = format!("127.0.0.1:{port}");
    let mut child = env
        .command(&["serve", "--addr", &addr])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut answered = false;
    for _ in 0..100 {
        std::thread::sleep(std::time::Duration::from_millis(100));
        if let Ok(mut stream) = std::net::TcpStream::connect(&addr) {
            use std::io::Read;
            stream
                .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                .unwrap();
            let mut response = String::new();
            stream.read_to_string(&mut response).unwrap();
            answered =
                response.starts_with("HTTP/1.1 200") && response.contains("\"status\":\"ok\"");
            break;
        }
    }
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    assert!(answered, "the server answered /healthz");
    assert!(status.success(), "graceful exit, got {status:?}");
}

#[test]
fn yearly_billing_from_the_command_line() {
    let env = Env::sqlite();
    assert!(env.run(&["demo", "--scale", "small"]).status.success());
    let year = chrono::Utc::now()
        .format("%Y")
        .to_string()
        .parse::<i32>()
        .unwrap()
        + 1;
    let y = year.to_string();
    let no_fees = env.run(&["invoices", "issue", "--year", &y]);
    assert_eq!(no_fees.status.code(), Some(2));
    assert!(stderr(&no_fees).contains("aucun barème"));
    let bad = env.run(&[
        "fees",
        "set",
        "--year",
        &y,
        "--per-worker",
        "abc",
        "--minimum",
        "150",
        "--self-employed",
        "120",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("Cotisation par salarié"));
    assert!(
        env.run(&[
            "fees",
            "set",
            "--year",
            &y,
            "--per-worker",
            "101,50",
            "--minimum",
            "150",
            "--self-employed",
            "120"
        ])
        .status
        .success()
    );
    let first = env.run(&[
        "invoices",
        "issue",
        "--year",
        &y,
        "--date",
        &format!("{year}-01-15"),
    ]);
    assert!(
        stdout(&first).starts_with("40 facture(s) émise(s)"),
        "{}",
        stdout(&first)
    );
    let again = env.run(&[
        "invoices",
        "issue",
        "--year",
        &y,
        "--date",
        &format!("{year}-01-15"),
    ]);
    assert!(
        stdout(&again).starts_with("0 facture(s) émise(s)"),
        "{}",
        stdout(&again)
    );
    let file = env.dir.join("payments.csv");
    std::fs::write(&file, format!("invoice;paid_on;amount;reference\n{year}-000001;{year}-02-01;150;VIR-A\n{year}-000002;bad;1;VIR-B\n")).unwrap();
    let import = env.run(&["payments", "import", file.to_str().unwrap()]);
    assert_eq!(import.status.code(), Some(2));
    assert!(
        stdout(&import).contains("lus : 2, importés : 1, déjà enregistrés : 0, rejetés : 1"),
        "{}",
        stdout(&import)
    );
    assert!(
        stdout(&import).contains("ligne 3, colonne paid_on"),
        "{}",
        stdout(&import)
    );
    let unpaid = env.run(&["invoices", "unpaid", "--reminders", "0"]);
    assert!(stdout(&unpaid).starts_with("facture;siret;adherent;reste_du;relances"));
}

/// Invalid input: exit code 2 and a message naming the field.
fn assert_refused(output: &std::process::Output, field: &str) {
    assert_eq!(output.status.code(), Some(2), "{}", stderr(output));
    assert!(stderr(output).contains(field), "{}", stderr(output));
}

#[test]
fn rules_eval_follows_the_json_contract() {
    let env = Env::sqlite();
    let situation = r#"{"at":"2026-11-22","birth_date":"1970-05-04","hired_on":"2026-10-01","exposures":["asbestos"],
        "history":[{"kind":"EMA_HIRE","subtype":"","date":"2022-09-20","performer":"doctor"}],
        "requests":[{"kind":"ON_DEMAND","subtype":"worker","asked_on":"2026-11-10"}]}"#;
    let output = env.run_with_stdin(&["rules", "eval"], situation);
    assert!(output.status.success(), "{}", stderr(&output));
    let result: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let obligations = result["obligations"].as_array().unwrap();
    assert_eq!(obligations[0]["kind"], "EMA_HIRE");
    assert_eq!(obligations[0]["due"], "2026-10-01");
    assert_eq!(obligations[0]["reference"], "R4624-24");
    assert_eq!(obligations[0]["nurse_rank"], serde_json::Value::Null);
    let last = obligations.last().unwrap();
    assert_eq!(
        (
            last["kind"].as_str(),
            last["subtype"].as_str(),
            &last["due"]
        ),
        (Some("ON_DEMAND"), Some("worker"), &serde_json::Value::Null)
    );
    let many = env.run_with_stdin(&["rules", "eval"], &format!("[{situation},{situation}]"));
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&stdout(&many))
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let bad = env.run_with_stdin(
        &["rules", "eval"],
        r#"{"at":"2026-11-22","birth_date":"1990-01-01","hired_on":"1980-01-01"}"#,
    );
    assert_refused(&bad, "hired_on");
}

#[test]
fn rules_explain_says_why_in_french() {
    let env = Env::sqlite();
    let situation = r#"{"at":"2026-11-22","birth_date":"1970-05-04","hired_on":"2026-10-01",
        "contract":"APPRENTICE","leaves":[{"reason":"work_accident","start":"2026-06-01","returned_on":"2026-06-30"}]}"#;
    let output = env.run_with_stdin(&["rules", "explain"], situation);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains("[R6222-40-1] Règle applicable : contrat d'apprentissage"),
        "{text}"
    );
    assert!(
        text.contains("(29 jours) : sous le seuil, pas de visite de reprise"),
        "{text}"
    );
    assert!(
        text.contains("visite d'information et de prévention initiale (R6222-40-1) : à partir du 01/10/2026, échéance 01/12/2026"),
        "{text}"
    );
    let bad = env.run_with_stdin(
        &["rules", "explain"],
        r#"{"at":"2026-11-22","birth_date":"1990-01-01","hired_on":"2020-01-01","leaves":[{"reason":"flu","start":"2026-01-01"}]}"#,
    );
    assert_refused(&bad, "leaves[0].reason");
}

#[test]
fn plan_solve_follows_the_json_contract() {
    let env = Env::sqlite();
    let problem = r#"{"today":"2026-11-22","notice_days":7,
        "slots":[{"id":"s1","professional":"p1","role":"nurse","team":"T1","date":"2026-12-01","time":"09:00","duration_min":20},
                 {"id":"s2","professional":"p1","role":"nurse","team":"T1","date":"2026-12-02","time":"09:00","duration_min":20}],
        "requests":[{"id":"r1","team":"T1","rank":1,"performer":"either","duration_min":20,"earliest":"2026-11-01","due":"2026-12-15","busy_dates":[]},
                    {"id":"r2","team":"T1","rank":1,"performer":"nurse","duration_min":20,"earliest":"2026-11-01","due":"2026-12-01"},
                    {"id":"r3","team":"T1","rank":2,"performer":"doctor","duration_min":30,"earliest":"2026-11-01","due":null}]}"#;
    let output = env.run_with_stdin(&["plan", "solve"], problem);
    assert!(output.status.success(), "{}", stderr(&output));
    let plan: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let placements: Vec<(String, String)> = plan["placements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["request"].as_str().unwrap().into(),
                p["slot"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        placements,
        vec![
            ("r2".to_string(), "s1".to_string()),
            ("r1".into(), "s2".into())
        ]
    );
    assert_eq!(plan["unplaced"][0]["request"], "r3");
    assert!(
        plan["unplaced"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("habilité")
    );
    let bad = env.run_with_stdin(
        &["plan", "solve"],
        r#"{"today":"2026-11-22","notice_days":7,"slots":[],"requests":[{"id":"r1","team":"T1","rank":0,"performer":"either","duration_min":20,"earliest":"2026-11-01"}]}"#,
    );
    assert_refused(&bad, "requests[0].rank");
}

#[test]
fn agenda_hours_closures_and_generation() {
    let env = Env::sqlite();
    assert!(env.run(&["demo", "--scale", "small"]).status.success());
    let professional = "IDE001";
    let set = env.run(&[
        "agenda",
        "hours",
        "--professional",
        professional,
        "--centre",
        "C01",
        "--hours",
        "lun=08:00-10:00/20; mar=08:00-10:00/20",
    ]);
    assert!(set.status.success(), "{}", stderr(&set));
    // Week of 11 May 2026 (Ascension on Thursday): Monday and Tuesday, 6 slots each; the
    // demo's own four weeks are elsewhere in time.
    let generate = env.run(&[
        "agenda",
        "generate",
        "--from",
        "2026-05-11",
        "--to",
        "2026-05-17",
        "--professional",
        professional,
    ]);
    assert!(
        stdout(&generate).starts_with("12 créneau(x) créé(s)"),
        "{}",
        stdout(&generate)
    );
    let close = env.run(&[
        "agenda",
        "close",
        "--professional",
        professional,
        "--from",
        "2026-05-12",
        "--to",
        "2026-05-12",
        "--reason",
        "formation",
    ]);
    assert!(
        stdout(&close).contains("6 créneau(x) bloqué(s)"),
        "{}",
        stdout(&close)
    );
    let bad = env.run(&[
        "agenda",
        "hours",
        "--professional",
        professional,
        "--centre",
        "C01",
        "--hours",
        "lundi de 8h à 10h",
    ]);
    assert_refused(&bad, "Horaire 1");
}

#[test]
fn plan_books_a_team_month_once() {
    let env = Env::sqlite();
    assert!(env.run(&["demo", "--scale", "small"]).status.success());
    let today = chrono::Utc::now().date_naive();
    let (from, to) = (
        today.to_string(),
        (today + chrono::Duration::days(27)).to_string(),
    );
    let args = |dry_run: bool| {
        let mut args = vec![
            "plan",
            "--team",
            "EST-1",
            "--from",
            from.as_str(),
            "--to",
            to.as_str(),
        ];
        if dry_run {
            args.push("--dry-run");
        }
        args
    };
    let preview = env.run(&args(true));
    assert!(preview.status.success(), "{}", stderr(&preview));
    let text = stdout(&preview);
    assert!(
        text.contains("proposition :") && text.contains("simulation : rien n'est réservé"),
        "{text}"
    );
    let proposed: usize = text
        .split("proposition : ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert!(proposed > 0, "{text}");
    let booked = env.run(&args(false));
    assert!(
        stdout(&booked).contains(&format!("{proposed} rendez-vous réservés")),
        "{}",
        stdout(&booked)
    );
    // The workers booked are not convoked again.
    let again = env.run(&args(true));
    assert!(
        stdout(&again).contains("proposition : 0 rendez-vous"),
        "{}",
        stdout(&again)
    );
    let unknown = env.run(&[
        "plan",
        "--team",
        "NOPE",
        "--from",
        from.as_str(),
        "--to",
        to.as_str(),
    ]);
    assert_refused(&unknown, "Équipe");
}
