//! The funnel of a programme with 10,000 targeted companies (SQLite): the facts read from
//! the database, then the funnel, its four breakdowns, the median days per step and the
//! stuck list — what the director's page computes.

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use domain::company::CompanyKind;
use domain::prevention::programmes::{funnel, funnel_by, median_days, stuck, tms_pros_steps};
use spsti_store::test_support::TestDb;
use spsti_store::{Actor, Db, NewMember, NewProgramme, NewTeam};

const COMPANIES: usize = 10_000;

async fn setup() -> (TestDb, i64) {
    let t = TestDb::sqlite().await;
    let db = &t.db;
    let actor = Actor("bench".into());
    db.upsert_sector(&actor, "EST", "Secteur Est")
        .await
        .unwrap();
    for team in ["EST-1", "EST-2"] {
        db.upsert_team(
            &actor,
            &NewTeam {
                code: team.into(),
                name: team.into(),
                sector: "EST".into(),
            },
        )
        .await
        .unwrap();
    }
    let day = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
    let members: Vec<NewMember> = (0..COMPANIES)
        .map(|i| NewMember {
            siret: format!("{:09}{:05}", 100_000_000 + i, i % 99_999),
            company_name: format!("Entreprise {i}"),
            name: format!("Établissement {i}"),
            naf_code: Some(["10.71C", "47.11D", "43.21A", "86.21Z"][i % 4].into()),
            kind: CompanyKind::Company,
            sector: "EST".into(),
            team: Some(["EST-1", "EST-2"][i % 2].into()),
            joined_on: day,
            address: String::new(),
            postcode: "57000".into(),
            city: "Metz".into(),
            email: Some(format!("contact{i}@example.org")),
            phone: None,
        })
        .collect();
    let sirets: Vec<String> = members.iter().map(|m| m.siret.clone()).collect();
    db.bulk_insert_members(&actor, &members).await.unwrap();
    let programme = db
        .create_programme(
            &actor,
            &NewProgramme {
                name: "TMS Pros".into(),
                theme: "TMS".into(),
                starts_on: day,
                ends_on: NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
                steps: tms_pros_steps(),
            },
        )
        .await
        .unwrap();
    db.target_sirets(&actor, programme, &sirets, day)
        .await
        .unwrap();
    // Progress like the national report: each step validated by fewer companies.
    let Db::Sqlite(pool) = db else { unreachable!() };
    for (step, share) in [(0, 93), (1, 80), (2, 62), (3, 48), (4, 37)] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO programme_steps (participation_id, step, status, started_on, validated_on, changed_on)
             SELECT id, {step}, CASE WHEN id % 100 < {share} THEN 'validated' ELSE 'in_progress' END,
                    date('2024-01-01', '+' || ({step} * 30) || ' days'),
                    CASE WHEN id % 100 < {share} THEN date('2024-01-01', '+' || ({step} * 30 + id % 40) || ' days') END,
                    date('2024-01-01', '+' || ({step} * 30 + id % 40) || ' days')
             FROM programme_participations WHERE programme_id = {programme} AND id % 100 < {}",
            if step == 0 { 100 } else { [93, 80, 62, 48][step - 1] }
        )))
        .execute(pool)
        .await
        .unwrap();
    }
    (t, programme)
}

fn programme_funnel(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (t, programme) = runtime.block_on(setup());
    let codes: Vec<String> = tms_pros_steps().into_iter().map(|s| s.code).collect();
    let today = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
    let mut group = c.benchmark_group("programme");
    group.sample_size(20);
    group.bench_function("funnel_10000_companies", |b| {
        b.iter(|| {
            runtime.block_on(async {
                let facts = t.db.load_programme_facts(programme).await.unwrap();
                assert_eq!(facts.len(), COMPANIES);
                let stages = funnel(&codes, &facts);
                assert_eq!(stages[1].count, 9_300);
                let groups = [
                    funnel_by(&codes, &facts, |f| f.sector.clone()),
                    funnel_by(&codes, &facts, |f| f.team.clone().unwrap_or_default()),
                    funnel_by(&codes, &facts, |f| {
                        f.naf_section.map(String::from).unwrap_or_default()
                    }),
                    funnel_by(&codes, &facts, |f| f.size_band.to_string()),
                ];
                (
                    stages,
                    groups,
                    median_days(codes.len(), &facts),
                    stuck(&facts, today, 30),
                )
            })
        })
    });
    group.finish();
    runtime.block_on(t.drop_db());
}

criterion_group!(benches, programme_funnel);
criterion_main!(benches);
