//! Every table on a small hand-made year (2025) whose expected values are worked out here,
//! with the boundary dates of KPI.md: joined on 31/12, struck off on 31/12, a fiche exactly
//! 4 years old, a new member's fiche exactly one year (and one day too late, from a 29
//! February) after joining, appointments on 1 January and 31 December.

use chrono::NaiveDate;
use domain::indicators::*;
use spsti_kpi::{Cell, Scope, Table, compute_tables, tables_json};

fn d(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn member(
    id: i64,
    naf: Option<&str>,
    sector: &str,
    team: &str,
    kind: &str,
    joined: &str,
) -> MemberFact {
    MemberFact {
        establishment_id: id,
        siret: format!("{id:014}"),
        naf_code: naf.map(str::to_string),
        sector: sector.into(),
        team: Some(team.into()),
        kind: kind.into(),
        joined_on: d(joined),
        struck_off_on: None,
        strike_off_reason: None,
    }
}

fn line(
    establishment: i64,
    year: i32,
    worker: i64,
    category: &str,
    sex: &str,
    born: &str,
) -> DeclaredLine {
    let hired = match worker {
        1 => "2024-12-01",
        2 => "2020-01-01",
        3 => "2000-01-01",
        4 => "2025-12-01",
        _ => "2015-01-01",
    };
    DeclaredLine {
        hired_on: d(hired),
        left_on: None,
        contract: "CDI".into(),
        establishment_id: establishment,
        year,
        employment_id: worker,
        worker_id: worker,
        category: category.into(),
        exposures: if category == "SIR" {
            vec!["asbestos".into()]
        } else {
            Vec::new()
        },
        sex: sex.into(),
        birth_date: d(born),
    }
}

fn employment(worker: i64, establishment: i64, hired: &str, born: &str) -> EmploymentFact {
    EmploymentFact {
        employment_id: worker,
        worker_id: worker,
        establishment_id: establishment,
        hired_on: d(hired),
        left_on: None,
        contract: "CDI".into(),
        birth_date: d(born),
    }
}

#[allow(clippy::too_many_arguments)]
fn visit(
    worker: i64,
    date: &str,
    kind: &str,
    subtype: &str,
    performer: &str,
    status: &str,
) -> AppointmentFact {
    AppointmentFact {
        worker_id: worker,
        establishment_id: Some(1),
        date: d(date),
        kind: kind.into(),
        subtype: subtype.into(),
        performer: performer.into(),
        status: status.into(),
        teleconsultation: false,
        experimental: false,
        professional: Some(
            if performer == "doctor" {
                "MED1"
            } else {
                "IDE1"
            }
            .into(),
        ),
        team: Some("EST-1".into()),
    }
}

fn action(
    establishment: i64,
    date: &str,
    kind: &str,
    worker: Option<i64>,
    workers: Option<i64>,
) -> ActionFact {
    ActionFact {
        establishment_id: establishment,
        date: d(date),
        kind: kind.into(),
        worker_id: worker,
        workers,
    }
}

fn retention(date: &str, item: &str, partner: &str) -> RetentionFact {
    RetentionFact {
        worker_id: 1,
        date: d(date),
        item: item.into(),
        partner: partner.into(),
    }
}

fn facts() -> IndicatorFacts {
    let mut struck = member(
        3,
        Some("43.21A"),
        "OUEST",
        "OUEST-1",
        "company",
        "2015-06-01",
    );
    struck.struck_off_on = Some(d("2025-12-31"));
    struck.strike_off_reason = Some("unpaid".into());
    let mut a1 = visit(1, "2025-01-01", "VIP_INITIAL", "", "nurse", "done");
    a1.teleconsultation = true;
    let mut a7 = visit(2, "2025-07-01", "MID_CAREER", "", "doctor", "done");
    a7.experimental = true;
    IndicatorFacts {
        sectors: vec!["EST".into(), "OUEST".into()],
        teams: vec![
            ("EST-1".into(), "EST".into()),
            ("OUEST-1".into(), "OUEST".into()),
        ],
        members: vec![
            member(1, Some("10.71C"), "EST", "EST-1", "company", "2010-01-01"),
            // Joined on 31 December: active at the end of the year, new in the year.
            member(2, None, "EST", "EST-1", "self_employed", "2025-12-31"),
            struck,
            member(
                4,
                Some("47.11B"),
                "OUEST",
                "OUEST-1",
                "company",
                "2024-03-15",
            ),
            member(5, Some("10.71C"), "EST", "EST-1", "company", "2024-02-29"),
        ],
        declared: vec![
            line(1, 2025, 1, "SIS", "F", "2005-01-01"),
            line(1, 2025, 2, "SIR", "M", "1995-12-31"),
            line(1, 2025, 3, "SIA", "F", "1964-12-31"),
            line(2, 2025, 4, "SIS", "M", "1965-01-01"),
            line(3, 2024, 5, "SIS", "M", "1980-01-01"),
            line(3, 2024, 6, "SIS", "F", "1980-01-01"),
        ],
        employments: vec![
            employment(1, 1, "2024-12-01", "2005-01-01"),
            employment(2, 1, "2020-01-01", "1995-12-31"),
            employment(3, 1, "2000-01-01", "1964-12-31"),
            employment(4, 2, "2025-12-01", "1965-01-01"),
        ],
        appointments: vec![
            a1,
            visit(2, "2025-12-31", "EMA_PERIODIC", "", "doctor", "absent"),
            visit(3, "2025-06-01", "VIP_PERIODIC", "", "nurse", "excused"),
            visit(
                3,
                "2025-06-02",
                "VIP_PERIODIC",
                "",
                "nurse",
                "excused_replaced",
            ),
            visit(
                2,
                "2025-05-05",
                "PRE_RETURN",
                "occupational_doctor",
                "doctor",
                "done",
            ),
            visit(3, "2024-12-31", "MID_CAREER", "", "nurse", "done"),
            a7,
            // Exactly 31/12/(Y−4): a valid fitness opinion for the SIR worker.
            visit(2, "2021-12-31", "EMA_HIRE", "", "doctor", "done"),
        ],
        slots: [("doctor", 4), ("nurse", 2)]
            .into_iter()
            .flat_map(|(role, n)| {
                (0..n).map(move |_| SlotFact {
                    date: d("2025-03-03"),
                    role: role.into(),
                    team: Some("EST-1".into()),
                })
            })
            .collect(),
        sheets: vec![
            // Exactly 4 years old at the end of the year: still covers.
            SheetFact {
                establishment_id: 1,
                started_on: Some(d("2021-11-01")),
                finalised_on: Some(d("2021-12-31")),
            },
            SheetFact {
                establishment_id: 3,
                started_on: Some(d("2021-11-01")),
                finalised_on: Some(d("2021-12-30")),
            },
            // Joined 2024-03-15, finalised 2025-03-15: within the year after joining.
            SheetFact {
                establishment_id: 4,
                started_on: Some(d("2025-01-10")),
                finalised_on: Some(d("2025-03-15")),
            },
            // Joined 2024-02-29: the year ends on 2025-02-28, finalised one day late.
            SheetFact {
                establishment_id: 5,
                started_on: Some(d("2024-12-20")),
                finalised_on: Some(d("2025-03-01")),
            },
        ],
        actions: vec![
            action(1, "2025-02-01", "workstation_study", Some(1), None),
            action(1, "2025-10-01", "cse_meeting", None, Some(12)),
            action(4, "2025-04-01", "awareness_session_cancelled", None, None),
            action(2, "2021-12-31", "measurement_noise", None, Some(3)),
            action(5, "2025-01-01", "welcome_new_member_admin", None, Some(2)),
        ],
        retention: vec![
            retention("2025-03-01", "rqth_info", ""),
            retention("2025-04-01", "referral", "mdph"),
            retention("2025-05-01", "supervised_trial", ""),
            retention("2025-01-01", "case_opened", ""),
            retention("2025-12-31", "case_closed", ""),
            retention("2024-12-31", "liaison_meeting", ""),
        ],
    }
}

fn table<'a>(tables: &'a [Table], id: &str) -> &'a Table {
    tables
        .iter()
        .find(|t| t.id == id)
        .unwrap_or_else(|| panic!("table {id}"))
}

fn record(table: &Table, index: usize) -> Vec<(String, String)> {
    table.records[index]
        .iter()
        .map(|(f, c)| (f.to_string(), c.display()))
        .collect()
}

fn field(table: &Table, index: usize, name: &str) -> Cell {
    table.records[index]
        .iter()
        .find(|(f, _)| *f == name)
        .unwrap()
        .1
        .clone()
}

fn ints(table: &Table, index: usize, names: &[&str]) -> Vec<i64> {
    names
        .iter()
        .map(|n| match field(table, index, n) {
            Cell::Int(v) => v,
            other => panic!("{n}: {other:?}"),
        })
        .collect()
}

fn rate(table: &Table, index: usize, name: &str) -> Option<f64> {
    match field(table, index, name) {
        Cell::Rate(r) => r,
        other => panic!("{name}: {other:?}"),
    }
}

fn compute() -> Vec<Table> {
    compute_tables(&facts(), 2025, &Scope::default()).unwrap()
}

#[test]
fn k1_and_k2_count_active_members_and_their_declared_workforce() {
    let tables = compute();
    let k1 = table(&tables, "K1");
    let sections: Vec<String> = (0..k1.records.len())
        .map(|i| field(k1, i, "section").display())
        .collect();
    assert_eq!(
        sections,
        ["C", "G", "-"],
        "struck off on 31/12 is not active; no NAF last"
    );
    assert_eq!(
        ints(k1, 0, &["members", "sir", "sia", "sis", "workforce"]),
        [2, 1, 1, 1, 3]
    );
    assert_eq!(field(k1, 0, "label").display(), "Industrie manufacturière");
    assert_eq!(ints(k1, 2, &["members", "sis", "workforce"]), [1, 1, 1]);
    assert_eq!(field(k1, 2, "label").display(), "Sans code NAF");

    let k2 = table(&tables, "K2");
    assert_eq!(k2.records.len(), 3, "every sector, then TOTAL");
    let fields = [
        "lt20",
        "from20to49",
        "from50to299",
        "ge300",
        "members",
        "sis",
        "sir",
        "sia",
        "workforce",
    ];
    assert_eq!(ints(k2, 0, &fields), [3, 0, 0, 0, 3, 2, 1, 1, 4]);
    assert_eq!(ints(k2, 1, &fields), [1, 0, 0, 0, 1, 0, 0, 0, 0]);
    assert_eq!(field(k2, 2, "sector").display(), "TOTAL");
    assert_eq!(ints(k2, 2, &fields), [4, 0, 0, 0, 4, 2, 1, 1, 4]);
}

#[test]
fn k3_k4_k5_count_appointments_of_the_year_only() {
    let tables = compute();
    let k3 = table(&tables, "K3");
    let rows: Vec<Vec<(String, String)>> = (0..k3.records.len()).map(|i| record(k3, i)).collect();
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert_eq!(
        ints(k3, 0, &["count", "teleconsultation", "experimental"]),
        [1, 0, 1],
        "{:?}",
        rows[0]
    );
    assert_eq!(field(k3, 1, "subtype").display(), "occupational_doctor");
    assert_eq!(field(k3, 2, "kind").display(), "VIP_INITIAL");
    assert_eq!(ints(k3, 2, &["count", "teleconsultation"]), [1, 1]);

    let k4 = table(&tables, "K4");
    let counts = ["done", "absent", "excused", "excused_replaced"];
    assert_eq!(ints(k4, 0, &counts), [2, 1, 0, 0]);
    assert_eq!(rate(k4, 0, "no_show_rate"), Some(33.3));
    assert_eq!(ints(k4, 1, &counts), [1, 0, 2, 1]);
    assert_eq!(rate(k4, 1, "lost_rate_before_replacement"), Some(66.7));
    assert_eq!(rate(k4, 1, "lost_rate"), Some(50.0));
    assert_eq!(field(k4, 2, "performer").display(), "all");
    assert_eq!(ints(k4, 2, &counts), [3, 1, 2, 1]);
    assert_eq!(rate(k4, 2, "no_show_rate"), Some(25.0));
    assert_eq!(rate(k4, 2, "lost_rate_before_replacement"), Some(50.0));
    assert_eq!(rate(k4, 2, "lost_rate"), Some(40.0));

    let months = table(&tables, "K4_month");
    let keys: Vec<String> = (0..months.records.len())
        .map(|i| field(months, i, "month").display())
        .collect();
    assert_eq!(
        keys,
        ["2025-01", "2025-05", "2025-06", "2025-07", "2025-12"]
    );
    assert!(months.records[0].iter().all(|(f, _)| *f != "performer"));
    let professionals = table(&tables, "K4_professional");
    assert_eq!(field(professionals, 0, "professional").display(), "IDE1");
    assert_eq!(ints(professionals, 1, &counts), [2, 1, 0, 0]);
    let teams = table(&tables, "K4_team");
    assert_eq!(ints(teams, 0, &counts), [3, 1, 2, 1]);

    let k5 = table(&tables, "K5");
    assert_eq!(ints(k5, 0, &["slots", "done"]), [4, 2]);
    assert_eq!(rate(k5, 0, "use_rate"), Some(50.0));
    assert_eq!(ints(k5, 2, &["slots", "done"]), [6, 3]);
}

#[test]
fn k6_covers_four_years_to_the_day_and_new_members_within_one_calendar_year() {
    let tables = compute();
    let k6 = table(&tables, "K6");
    assert_eq!(
        ints(
            k6,
            0,
            &[
                "actions",
                "finalised",
                "active_members",
                "covered",
                "new_members_prev_year",
                "new_members_with_fe_in_12_months"
            ]
        ),
        [2, 2, 4, 3, 2, 1]
    );
    assert_eq!(rate(k6, 0, "coverage_rate"), Some(75.0));
    assert_eq!(rate(k6, 0, "new_member_fe_rate"), Some(50.0));
    let sectors = table(&tables, "K6_sector");
    assert_eq!(field(sectors, 1, "sector").display(), "OUEST");
    assert_eq!(
        ints(
            sectors,
            1,
            &["active_members", "covered", "new_members_prev_year"]
        ),
        [1, 1, 1]
    );
    assert_eq!(rate(sectors, 1, "new_member_fe_rate"), Some(100.0));
    let teams = table(&tables, "K6_team");
    assert_eq!(ints(teams, 0, &["active_members", "covered"]), [3, 2]);
}

#[test]
fn k7_lists_every_type_and_the_members_reached_in_four_years() {
    let tables = compute();
    let k7 = table(&tables, "K7");
    assert_eq!(k7.records.len(), 13);
    let by_type = |code: &str| {
        let i = (0..k7.records.len())
            .find(|i| field(k7, *i, "type").display() == code)
            .unwrap();
        ints(k7, i, &["count", "companies", "workers"])
    };
    assert_eq!(
        by_type("workstation_study"),
        [1, 1, 1],
        "a named worker counts 1"
    );
    assert_eq!(by_type("cse_meeting"), [1, 1, 12]);
    assert_eq!(by_type("awareness_session_cancelled"), [1, 1, 0]);
    assert_eq!(by_type("welcome_new_member_admin"), [1, 1, 2]);
    assert_eq!(
        by_type("measurement_noise"),
        [0, 0, 0],
        "2021 is another year"
    );
    assert_eq!(by_type("members_reached_4y"), [3, 0, 0]);
    assert_eq!(rate(k7, 12, "rate"), Some(75.0));
}

#[test]
fn k8_counts_retention_lines_visits_and_studies() {
    let tables = compute();
    let k8 = table(&tables, "K8");
    assert_eq!(k8.records.len(), 18, "every item listed");
    let count = |item: &str| {
        let i = (0..k8.records.len())
            .find(|i| field(k8, *i, "item").display() == item)
            .unwrap();
        ints(k8, i, &["count"])[0]
    };
    for (item, expected) in [
        ("rqth_info", 1),
        ("mdph", 1),
        ("cap_emploi_oeth", 0),
        ("supervised_trials", 1),
        ("cases_opened", 1),
        ("cases_closed", 1),
        ("liaison_meeting", 0),
        ("pre_return_by_occupational_doctor", 1),
        ("mid_career_visits", 1),
        ("workstation_studies", 1),
    ] {
        assert_eq!(count(item), expected, "{item}");
    }
}

#[test]
fn k9_and_k10_flows_and_ages() {
    let tables = compute();
    let k9 = table(&tables, "K9");
    assert_eq!(
        ints(
            k9,
            0,
            &[
                "new_members",
                "new_members_workforce",
                "struck_off",
                "struck_off_workforce",
                "struck_off_for_obligations",
                "self_employed_affiliations"
            ]
        ),
        [1, 1, 1, 2, 1, 1]
    );
    let k10 = table(&tables, "K10");
    assert_eq!(k10.records.len(), 12);
    let count = |class: &str, sex: &str| {
        let i = (0..12)
            .find(|i| {
                field(k10, *i, "age_class").display() == class
                    && field(k10, *i, "sex").display() == sex
            })
            .unwrap();
        ints(k10, i, &["count"])[0]
    };
    assert_eq!(count("<21", "F"), 1, "20 at 31/12");
    assert_eq!(count("21-30", "M"), 1, "30 on 31/12");
    assert_eq!(count(">60", "F"), 1, "61 on 31/12");
    assert_eq!(count("51-60", "M"), 1, "60 until 1 January");
    assert_eq!(count("31-40", "F"), 0);
}

#[test]
fn k11_initial_visits_fitness_and_overdue_workers() {
    let tables = compute();
    let k11 = table(&tables, "K11");
    assert_eq!(
        ints(
            k11,
            0,
            &[
                "initial_visits",
                "initial_within_deadline",
                "sir_workers",
                "sir_with_valid_fitness"
            ]
        ),
        [1, 1, 1, 1]
    );
    assert_eq!(rate(k11, 0, "initial_within_deadline_rate"), Some(100.0));
    assert_eq!(
        field(k11, 0, "median_days_hire_to_initial"),
        Cell::MaybeInt(Some(31))
    );
    assert_eq!(
        field(k11, 0, "p90_days_hire_to_initial"),
        Cell::MaybeInt(Some(31))
    );
    // The SIR worker's intermediate visit and the SIA worker's initial visit are overdue; the
    // worker seen on 1 January and the one hired on 1 December are not.
    assert_eq!(ints(k11, 0, &["workers_overdue"]), [2]);
    assert_eq!(rate(k11, 0, "overdue_rate"), Some(50.0));
}

#[test]
fn the_json_contract_has_every_table_with_typed_fields() {
    let json = tables_json(&compute());
    let ids = [
        "K1",
        "K2",
        "K3",
        "K4",
        "K4_team",
        "K4_professional",
        "K4_month",
        "K5",
        "K6",
        "K6_sector",
        "K6_team",
        "K7",
        "K8",
        "K9",
        "K10",
        "K11",
    ];
    let object = json.as_object().unwrap();
    assert_eq!(object.len(), ids.len());
    for id in ids {
        assert!(object[id].is_array(), "{id}");
    }
    let k4 = &json["K4"][0];
    assert!(k4["done"].is_i64());
    assert_eq!(k4["no_show_rate"].as_f64(), Some(33.3));
    let k6 = &json["K6"][0];
    let mut fields: Vec<&String> = k6.as_object().unwrap().keys().collect();
    fields.sort();
    assert_eq!(
        fields,
        [
            "actions",
            "active_members",
            "coverage_rate",
            "covered",
            "finalised",
            "new_member_fe_rate",
            "new_members_prev_year",
            "new_members_with_fe_in_12_months"
        ]
    );
    assert!(
        json["K7"][0].get("rate").is_none(),
        "only members_reached_4y has a rate"
    );
    assert!(json["K7"][12]["rate"].is_f64());
    assert!(json["K11"][0]["median_days_hire_to_initial"].is_i64());
}

#[test]
fn a_year_without_data_gives_empty_tables_and_scopes_are_checked() {
    let empty = compute_tables(&IndicatorFacts::default(), 2025, &Scope::default()).unwrap();
    assert!(table(&empty, "K1").records.is_empty());
    assert!(table(&empty, "K3").records.is_empty());
    assert_eq!(rate(table(&empty, "K6"), 0, "coverage_rate"), None);
    let unknown = compute_tables(
        &facts(),
        2025,
        &Scope {
            team: Some("NOPE".into()),
            sector: None,
        },
    );
    assert!(unknown.unwrap_err().to_string().contains("Équipe"));
    let west = compute_tables(
        &facts(),
        2025,
        &Scope {
            team: None,
            sector: Some("OUEST".into()),
        },
    )
    .unwrap();
    assert_eq!(ints(table(&west, "K6"), 0, &["active_members"]), [1]);
    assert_eq!(table(&west, "K6_team").records.len(), 1);
    assert!(
        table(&west, "K3").records.is_empty(),
        "the doctors of EST-1 are out of scope"
    );
}
