//! K11: initial visits within their deadline, the delay from hiring, SIR workers with a
//! valid fitness opinion, workers overdue at the end of the year. The regulation engine gives
//! the deadlines, as KPI.md says, so this table is computed worker by worker.

use std::collections::HashMap;

use chrono::NaiveDate;
use domain::indicators::{DeclaredLine, EmploymentFact, IndicatorFacts};
use domain::rules::{self, Situation, Visit};

use crate::table::{Cell, Table, int, rate};

const INITIAL: [&str; 2] = ["VIP_INITIAL", "EMA_HIRE"];

/// The employment the engine is run on: birth date, hiring date, contract.
struct Hiring<'a> {
    birth_date: NaiveDate,
    hired_on: NaiveDate,
    contract: &'a str,
}

fn situation(
    at: NaiveDate,
    employment: &Hiring,
    line: Option<&DeclaredLine>,
    history: Vec<Visit>,
    left_on: Option<NaiveDate>,
) -> Situation {
    Situation {
        at,
        birth_date: employment.birth_date,
        hired_on: employment.hired_on,
        category: line.map(|l| l.category.clone()),
        exposures: line.map(|l| l.exposures.clone()).unwrap_or_default(),
        contract: Some(employment.contract.to_string()),
        job_change_on: None,
        history,
        leaves: Vec::new(),
        requests: Vec::new(),
        left_on,
        periodicity_months: None,
        doctor_list: false,
    }
}

pub fn k11(facts: &IndicatorFacts, year: i32) -> Table {
    let start = NaiveDate::from_ymd_opt(year, 1, 1).expect("1 January");
    let end = NaiveDate::from_ymd_opt(year, 12, 31).expect("31 December");
    let four_years_back = NaiveDate::from_ymd_opt(year - 4, 12, 31).expect("31 December");
    let mut employments_of: HashMap<i64, Vec<&EmploymentFact>> = HashMap::new();
    for e in &facts.employments {
        employments_of.entry(e.worker_id).or_default().push(e);
    }
    let mut lines_of: HashMap<i64, Vec<&DeclaredLine>> = HashMap::new();
    for l in &facts.declared {
        lines_of.entry(l.employment_id).or_default().push(l);
    }
    let mut history: HashMap<i64, Vec<Visit>> = HashMap::new();
    for a in facts
        .appointments
        .iter()
        .filter(|a| a.status == "done" && a.date <= end)
    {
        history.entry(a.worker_id).or_default().push(Visit {
            kind: a.kind.clone(),
            subtype: a.subtype.clone(),
            date: a.date,
            performer: a.performer.clone(),
        });
    }

    let (mut initial, mut within) = (0i64, 0i64);
    let mut delays = Vec::new();
    for a in facts.appointments.iter().filter(|a| {
        a.status == "done" && a.date >= start && a.date <= end && INITIAL.contains(&a.kind.as_str())
    }) {
        initial += 1;
        // The worker's employment at that SIRET: the latest hired on or before the visit.
        let employment = employments_of
            .get(&a.worker_id)
            .into_iter()
            .flatten()
            .filter(|e| a.establishment_id.is_none_or(|id| id == e.establishment_id))
            .filter(|e| e.hired_on <= a.date)
            .max_by_key(|e| (e.hired_on, e.employment_id));
        let Some(employment) = employment else {
            continue;
        };
        delays.push((a.date - employment.hired_on).num_days());
        // Its declaration of the hire year, or else the nearest later one.
        let hire_year = chrono::Datelike::year(&employment.hired_on);
        let line = lines_of
            .get(&employment.employment_id)
            .into_iter()
            .flatten()
            .filter(|l| l.year >= hire_year)
            .min_by_key(|l| l.year)
            .copied();
        let hiring = Hiring {
            birth_date: employment.birth_date,
            hired_on: employment.hired_on,
            contract: &employment.contract,
        };
        let obligations = rules::evaluate(&situation(a.date, &hiring, line, Vec::new(), None))
            .unwrap_or_default();
        let due = obligations
            .iter()
            .find(|o| INITIAL.contains(&o.kind.as_str()))
            .map(|o| o.due);
        if let Some(due) = due
            && due.is_none_or(|due| a.date <= due)
        {
            within += 1;
        }
    }

    let declared: Vec<&DeclaredLine> = facts.declared.iter().filter(|l| l.year == year).collect();
    let sir: Vec<&&DeclaredLine> = declared.iter().filter(|l| l.category == "SIR").collect();
    let valid_fitness = sir
        .iter()
        .filter(|l| {
            history.get(&l.worker_id).is_some_and(|visits| {
                visits.iter().any(|v| {
                    (v.kind == "EMA_HIRE" || v.kind == "EMA_PERIODIC")
                        && v.date >= four_years_back
                        && v.date <= end
                })
            })
        })
        .count() as i64;
    // The engine on every line still employed at the end of the year, on both cores.
    let still_employed: Vec<&&DeclaredLine> = declared
        .iter()
        .filter(|l| l.left_on.is_none_or(|left| left > end))
        .collect();
    let is_overdue = |line: &DeclaredLine| {
        let hiring = Hiring {
            birth_date: line.birth_date,
            hired_on: line.hired_on,
            contract: &line.contract,
        };
        let visits = history.get(&line.worker_id).cloned().unwrap_or_default();
        rules::evaluate(&situation(end, &hiring, Some(line), visits, line.left_on))
            .unwrap_or_default()
            .iter()
            .any(|o| o.due.is_some_and(|due| due < end))
    };
    let half = still_employed.len().div_ceil(2).max(1);
    let overdue: i64 = std::thread::scope(|scope| {
        let handles: Vec<_> = still_employed
            .chunks(half)
            .map(|chunk| scope.spawn(|| chunk.iter().filter(|l| is_overdue(l)).count() as i64))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("K11 worker thread"))
            .sum()
    });
    let mut k11 = Table::new(
        "K11",
        &[
            "initial_visits",
            "initial_within_deadline",
            "initial_within_deadline_rate",
            "median_days_hire_to_initial",
            "p90_days_hire_to_initial",
            "sir_workers",
            "sir_with_valid_fitness",
            "workers_overdue",
            "overdue_rate",
        ],
    );
    k11.push(vec![
        ("initial_visits", int(initial)),
        ("initial_within_deadline", int(within)),
        ("initial_within_deadline_rate", rate(within, initial)),
        (
            "median_days_hire_to_initial",
            Cell::MaybeInt(crate::percentile_nearest_rank(&delays, 0.5)),
        ),
        (
            "p90_days_hire_to_initial",
            Cell::MaybeInt(crate::percentile_nearest_rank(&delays, 0.9)),
        ),
        ("sir_workers", int(sir.len() as i64)),
        ("sir_with_valid_fitness", int(valid_fitness)),
        ("workers_overdue", int(overdue)),
        ("overdue_rate", rate(overdue, declared.len() as i64)),
    ]);
    k11
}
