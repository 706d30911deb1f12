//! Properties of the engine on random situations (seeded, so a failure is reproducible).

use chrono::NaiveDate;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::dates::add_days;
use super::{Leave, Obligation, Request, Situation, VISIT_KINDS, Visit, evaluate};

const ROUNDS: usize = 3000;
const EXPOSURES: [&str; 12] = [
    "asbestos",
    "ionizing_radiation_a",
    "night_worker",
    "pregnant",
    "disabled",
    "invalidity_pension",
    "bio_agents_2",
    "emf",
    "driving_authorisation",
    "electrical_clearance",
    "manual_handling_55kg",
    "cmr",
];
/// Every visit kind but the rendez-vous de liaison, the last one.
const KINDS: &[&str] = VISIT_KINDS.split_at(VISIT_KINDS.len() - 1).0;
const CONTRACTS: [&str; 5] = ["CDI", "CDD", "INTERIM", "APPRENTICE", "OTHER"];
const REASONS: [&str; 4] = [
    "sickness",
    "maternity",
    "work_accident",
    "occupational_disease",
];
/// The rules whose visit takes place before assignment: due on the hire date itself.
const BEFORE_ASSIGNMENT: [&str; 4] = ["R4624-18", "R4624-24", "R4323-56", "R4544-11-1"];

fn day(rng: &mut ChaCha8Rng, from: NaiveDate, to: NaiveDate) -> NaiveDate {
    let span = (to - from).num_days().max(0);
    add_days(from, rng.random_range(0..=span))
}

fn random_situation(rng: &mut ChaCha8Rng) -> Situation {
    let ymd = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    let at = day(rng, ymd(2020, 1, 1), ymd(2028, 12, 31));
    let birth_date = day(rng, ymd(1955, 1, 1), ymd(2009, 12, 31));
    let hired_on = day(
        rng,
        add_days(birth_date, 15 * 366),
        at.max(add_days(birth_date, 15 * 366)),
    );
    let at = at.max(hired_on);
    let mut exposures: Vec<String> = EXPOSURES
        .iter()
        .filter(|_| rng.random_bool(0.12))
        .map(|e| e.to_string())
        .collect();
    exposures.sort();
    let history = (0..rng.random_range(0..6))
        .map(|_| Visit {
            kind: KINDS[rng.random_range(0..KINDS.len())].into(),
            subtype: if rng.random_bool(0.1) {
                "certificate".into()
            } else {
                String::new()
            },
            date: day(rng, add_days(hired_on, -6 * 365), add_days(at, -1)).max(birth_date),
            performer: "doctor".into(),
        })
        .collect();
    let leaves = (0..rng.random_range(0..3))
        .map(|_| {
            let start = day(rng, hired_on, at);
            let length = rng.random_range(0..120);
            Leave {
                reason: REASONS[rng.random_range(0..REASONS.len())].into(),
                start,
                end: None,
                returned_on: rng.random_bool(0.8).then(|| add_days(start, length)),
            }
        })
        .collect();
    let requests = (0..rng.random_range(0..2))
        .map(|_| Request {
            kind: if rng.random_bool(0.5) {
                "PRE_RETURN"
            } else {
                "ON_DEMAND"
            }
            .into(),
            subtype: "worker".into(),
            asked_on: day(rng, hired_on, add_days(at, 30)),
        })
        .collect();
    Situation {
        at,
        birth_date,
        hired_on,
        category: None,
        exposures,
        contract: Some(CONTRACTS[rng.random_range(0..CONTRACTS.len())].into()),
        job_change_on: rng
            .random_bool(0.1)
            .then(|| day(rng, hired_on, add_days(at, 60))),
        history,
        leaves,
        requests,
        left_on: rng
            .random_bool(0.15)
            .then(|| day(rng, hired_on, add_days(at, 200))),
        periodicity_months: rng.random_bool(0.1).then(|| rng.random_range(6..60)),
        doctor_list: rng.random_bool(0.1),
    }
}

fn each_situation(seed: u64, mut check: impl FnMut(&Situation, &[Obligation])) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    for _ in 0..ROUNDS {
        let s = random_situation(&mut rng);
        let obligations = evaluate(&s).expect("generated situations are valid");
        check(&s, &obligations);
    }
}

#[test]
fn nothing_is_due_before_the_hire_unless_before_assignment() {
    each_situation(1, |s, obligations| {
        for o in obligations {
            let Some(due) = o.due else { continue };
            assert!(due >= s.hired_on, "{o:?} due before the hire in {s:?}");
            let initial =
                matches!(o.kind.as_str(), "VIP_INITIAL" | "EMA_HIRE") || o.subtype == "certificate";
            if due == s.hired_on && initial {
                assert!(
                    BEFORE_ASSIGNMENT.contains(&o.reference.as_str()),
                    "{o:?} due on the hire day without a before-assignment rule"
                );
            }
        }
    });
}

#[test]
fn a_matching_visit_closes_the_obligation() {
    let mut closed = 0;
    each_situation(2, |s, obligations| {
        for o in obligations.iter().filter(|o| o.earliest <= s.at) {
            let mut done = s.clone();
            done.history.push(Visit {
                kind: o.kind.clone(),
                subtype: o.subtype.clone(),
                date: s.at,
                performer: "doctor".into(),
            });
            let after = evaluate(&done).unwrap();
            assert!(
                !after.contains(o),
                "{o:?} still open after a visit on {} in {s:?}",
                s.at
            );
            closed += 1;
        }
    });
    assert!(closed > 1000, "only {closed} obligations were checked");
}

#[test]
fn the_order_of_the_history_does_not_matter() {
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    each_situation(3, |s, obligations| {
        let mut shuffled = s.clone();
        shuffled.history.shuffle(&mut rng);
        shuffled.leaves.shuffle(&mut rng);
        shuffled.requests.shuffle(&mut rng);
        shuffled.exposures.shuffle(&mut rng);
        assert_eq!(evaluate(&shuffled).unwrap(), obligations, "{s:?}");
    });
}

#[test]
fn the_nurse_queue_never_takes_what_only_a_doctor_does() {
    each_situation(5, |_, obligations| {
        for o in obligations {
            if super::DOCTOR_ONLY_KINDS.contains(&o.kind.as_str()) || o.subtype == "certificate" {
                assert_eq!(o.nurse_rank, None, "{o:?}");
            }
            assert!(
                o.doctor_rank.is_some() || o.nurse_rank.is_some(),
                "{o:?} in no queue"
            );
        }
    });
}
