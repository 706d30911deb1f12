//! `spsti kpi` on the demonstration data, cross-checked against plain SQL counts of the same
//! figures on the same database (SQLite, and PostgreSQL when given), and its bad input.

use chrono::{Datelike, NaiveDate};
use store::DbConfig;
use store::test_support::TestDb;

mod common;

use common::{Env, stderr, stdout};

/// One number from a plain SQL query with the year's first and last days as $1 and $2.
async fn sql_count(db: &store::Db, sql: &str, start: NaiveDate, end: NaiveDate) -> i64 {
    match db {
        store::Db::Sqlite(pool) => {
            sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql.to_string()))
                .bind(start)
                .bind(end)
                .fetch_one(pool)
                .await
                .unwrap()
        }
        store::Db::Postgres(pool) => {
            sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql.to_string()))
                .bind(start)
                .bind(end)
                .fetch_one(pool)
                .await
                .unwrap()
        }
    }
}

fn record<'a>(
    json: &'a serde_json::Value,
    table: &str,
    key: &str,
    value: &str,
) -> &'a serde_json::Value {
    json[table]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r[key] == value)
        .unwrap_or_else(|| panic!("{table} {key}={value}"))
}

/// The sum of a field over a table's records.
fn column_sum(json: &serde_json::Value, table: &str, field: &str) -> i64 {
    json[table]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r[field].as_i64().unwrap())
        .sum()
}

async fn cross_check(env: Env, config: DbConfig) {
    let demo = env.run(&["demo", "--scale", "small"]);
    assert!(demo.status.success(), "{}", stderr(&demo));
    let year = chrono::Utc::now().date_naive().year() - 1;
    let output = env.run(&["kpi", "--year", &year.to_string(), "--format", "json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let start = NaiveDate::from_ymd_opt(year, 1, 1).unwrap();
    let end = NaiveDate::from_ymd_opt(year, 12, 31).unwrap();
    let db = store::Db::connect(&config).await.unwrap();
    let active =
        "e.joined_on <= $2 AND (e.struck_off_on IS NULL OR e.struck_off_on > $2) AND $1 <= $2";

    let members: i64 = column_sum(&json, "K1", "members");
    let sql_members = sql_count(
        &db,
        &format!("SELECT COUNT(*) FROM establishments e WHERE {active}"),
        start,
        end,
    )
    .await;
    assert!(sql_members > 0);
    assert_eq!(members, sql_members, "K1 members");
    assert_eq!(
        record(&json, "K2", "sector", "TOTAL")["members"],
        sql_members,
        "K2 TOTAL"
    );

    let done: i64 = column_sum(&json, "K3", "count");
    let sql_done = sql_count(
        &db,
        "SELECT COUNT(*) FROM appointments WHERE status = 'done' AND date >= $1 AND date <= $2",
        start,
        end,
    )
    .await;
    assert!(sql_done > 0);
    assert_eq!(done, sql_done, "K3 done");
    let all = record(&json, "K4", "performer", "all");
    assert_eq!(all["done"], sql_done, "K4 done");
    let sql_absent = sql_count(
        &db,
        "SELECT COUNT(*) FROM appointments WHERE status = 'absent' AND date >= $1 AND date <= $2",
        start,
        end,
    )
    .await;
    assert_eq!(all["absent"], sql_absent, "K4 absent");

    let sql_covered = sql_count(
        &db,
        &format!(
            "SELECT COUNT(*) FROM establishments e WHERE {active} AND EXISTS (SELECT 1 FROM risk_sheets s
               WHERE s.establishment_id = e.id AND s.finalised_on >= $1 AND s.finalised_on <= $2)"
        ),
        // 31/12/(Y−4) to 31/12/Y.
        NaiveDate::from_ymd_opt(year - 4, 12, 31).unwrap(),
        end,
    )
    .await;
    assert!(sql_covered > 0);
    assert_eq!(json["K6"][0]["covered"], sql_covered, "K6 covered");

    for kind in ["workstation_study", "cse_meeting"] {
        let sql = format!(
            "SELECT COUNT(*) FROM workplace_actions WHERE type = '{kind}' AND date >= $1 AND date <= $2"
        );
        assert_eq!(
            record(&json, "K7", "type", kind)["count"],
            sql_count(&db, &sql, start, end).await,
            "K7 {kind}"
        );
    }
    let sql_opened = sql_count(
        &db,
        "SELECT COUNT(*) FROM pdp_cases WHERE opened_on >= $1 AND opened_on <= $2",
        start,
        end,
    )
    .await;
    assert_eq!(
        record(&json, "K8", "item", "cases_opened")["count"],
        sql_opened,
        "K8 cases opened"
    );

    let declared: i64 = column_sum(&json, "K10", "count");
    let sql_declared = sql_count(
        &db,
        &format!(
            "SELECT COUNT(*) FROM declaration_lines l JOIN declarations d ON d.id = l.declaration_id
             WHERE d.status = 'submitted' AND d.year = {year} AND $1 <= $2"
        ),
        start,
        end,
    )
    .await;
    assert_eq!(
        declared, sql_declared,
        "K10 = workers declared for the year"
    );
    db.close().await;
}

#[tokio::test]
async fn kpi_tables_match_plain_sql_on_the_demo_with_sqlite() {
    let env = Env::sqlite();
    let config = DbConfig::Sqlite(env.dir.join("spsti.db"));
    tokio::task::spawn_blocking(move || {
        tokio::runtime::Runtime::new()
            .unwrap()
            .block_on(cross_check(env, config))
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn kpi_tables_match_plain_sql_on_the_demo_with_postgres() {
    let Some(db) = TestDb::postgres().await else {
        eprintln!("PostgreSQL not configured (DATABASE_URL): skipped outside CI");
        return;
    };
    let config = db.config.clone();
    let DbConfig::Postgres(url) = config.clone() else {
        unreachable!()
    };
    let env = Env {
        database_url: Some(url),
        ..Env::sqlite()
    };
    tokio::task::spawn_blocking(move || {
        tokio::runtime::Runtime::new()
            .unwrap()
            .block_on(cross_check(env, config))
    })
    .await
    .unwrap();
    db.drop_db().await;
}

#[test]
fn kpi_refuses_a_bad_year_team_or_sector_with_exit_code_2() {
    let env = Env::sqlite();
    assert!(env.run(&["migrate"]).status.success());
    for (args, field) in [
        (vec!["kpi", "--year", "20x5"], "Année"),
        (vec!["kpi", "--year", "2025", "--team", "NOPE"], "Équipe"),
        (vec!["kpi", "--year", "2025", "--sector", "NOPE"], "Secteur"),
    ] {
        let output = env.run(&args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(stderr(&output).contains(field), "{}", stderr(&output));
    }
    let empty = env.run(&["kpi", "--year", "1999"]);
    assert!(empty.status.success(), "{}", stderr(&empty));
    let json: serde_json::Value = serde_json::from_str(&stdout(&empty)).unwrap();
    assert_eq!(json["K1"], serde_json::json!([]), "no data: empty tables");
    let folder = env.dir.join("kpi-csv");
    let csv = env.run(&[
        "kpi",
        "--year",
        "2025",
        "--format",
        "csv",
        "--out",
        folder.to_str().unwrap(),
    ]);
    assert!(csv.status.success(), "{}", stderr(&csv));
    let k4 = std::fs::read_to_string(folder.join("K4.csv")).unwrap();
    assert!(k4.starts_with("\u{feff}performer;done;absent"), "{k4}");
    let xlsx = env.dir.join("kpi.xlsx");
    let written = env.run(&[
        "kpi",
        "--year",
        "2025",
        "--format",
        "xlsx",
        "--out",
        xlsx.to_str().unwrap(),
    ]);
    assert!(written.status.success(), "{}", stderr(&written));
    assert!(std::fs::read(&xlsx).unwrap().starts_with(b"PK"));
    let html = env.dir.join("rapport.html");
    let written = env.run(&[
        "kpi",
        "--year",
        "2025",
        "--format",
        "html",
        "--out",
        html.to_str().unwrap(),
    ]);
    assert!(written.status.success(), "{}", stderr(&written));
    let report = std::fs::read_to_string(&html).unwrap();
    assert!(
        report.contains("Rapport annuel d'activité 2025"),
        "{report}"
    );
    assert!(report.contains("Total général"));
    let missing = env.run(&["kpi", "--year", "2025", "--format", "xlsx"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("--out"));
}
