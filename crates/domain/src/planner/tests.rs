//! The planner against brute force on small random instances (lexicographic optimality),
//! instances where slot-by-slot greed is wrong, the rules of eligibility, and bad input.

use chrono::{Duration, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::{PlanRequest, Problem, Slot, eligible, solve};

fn day(n: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 1).unwrap() + Duration::days(n)
}

fn slot(id: &str, role: &str, date: i64, minutes: u32) -> Slot {
    Slot {
        id: id.into(),
        professional: format!("p-{role}"),
        role: role.into(),
        team: "T1".into(),
        date: day(date),
        time: "09:00".into(),
        duration_min: minutes,
    }
}

fn request(id: &str, rank: u8, performer: &str, earliest: i64, due: Option<i64>) -> PlanRequest {
    PlanRequest {
        id: id.into(),
        team: "T1".into(),
        rank,
        performer: performer.into(),
        duration_min: 20,
        earliest: day(earliest),
        due: due.map(day),
        busy_dates: Vec::new(),
        company: None,
    }
}

fn problem(slots: Vec<Slot>, requests: Vec<PlanRequest>) -> Problem {
    Problem {
        today: day(-7),
        notice_days: 7,
        slots,
        requests,
    }
}

/// Placed requests per rank 1..=4.
fn counts(p: &Problem, placed: &[&str]) -> [usize; 4] {
    let mut counts = [0; 4];
    for r in &p.requests {
        if placed.contains(&r.id.as_str()) {
            counts[usize::from(r.rank) - 1] += 1;
        }
    }
    counts
}

/// The lexicographically best count vector over every assignment.
fn brute_force(p: &Problem) -> [usize; 4] {
    fn go(
        p: &Problem,
        r: usize,
        used: &mut Vec<bool>,
        placed: &mut Vec<usize>,
        best: &mut [usize; 4],
    ) {
        if r == p.requests.len() {
            let ids: Vec<&str> = placed.iter().map(|&i| p.requests[i].id.as_str()).collect();
            let c = counts(p, &ids);
            if c > *best {
                *best = c;
            }
            return;
        }
        go(p, r + 1, used, placed, best);
        let first_allowed = p.today + Duration::days(i64::from(p.notice_days));
        for s in 0..p.slots.len() {
            if !used[s] && eligible(&p.requests[r], &p.slots[s], first_allowed) {
                used[s] = true;
                placed.push(r);
                go(p, r + 1, used, placed, best);
                placed.pop();
                used[s] = false;
            }
        }
    }
    let mut best = [0; 4];
    go(
        p,
        0,
        &mut vec![false; p.slots.len()],
        &mut Vec::new(),
        &mut best,
    );
    best
}

fn random_problem(rng: &mut ChaCha8Rng) -> Problem {
    let roles = ["doctor", "nurse"];
    let performers = ["doctor", "nurse", "either"];
    let slots = (0..rng.random_range(1..=8))
        .map(|i| Slot {
            team: if rng.random_bool(0.9) { "T1" } else { "T2" }.into(),
            ..slot(
                &format!("s{i}"),
                roles[rng.random_range(0..2)],
                rng.random_range(-2..10),
                if rng.random_bool(0.7) { 20 } else { 30 },
            )
        })
        .collect();
    let requests = (0..rng.random_range(1..=8))
        .map(|i| {
            let earliest = rng.random_range(-20..8);
            let due = rng
                .random_bool(0.8)
                .then(|| earliest + rng.random_range(0..12));
            PlanRequest {
                duration_min: if rng.random_bool(0.7) { 20 } else { 30 },
                company: Some(format!("c{}", rng.random_range(0..3))),
                busy_dates: if rng.random_bool(0.2) {
                    vec![day(rng.random_range(0..10))]
                } else {
                    Vec::new()
                },
                ..request(
                    &format!("r{i}"),
                    rng.random_range(1..=4),
                    performers[rng.random_range(0..3)],
                    earliest,
                    due,
                )
            }
        })
        .collect();
    problem(slots, requests)
}

#[test]
fn lexicographically_optimal_against_brute_force() {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    for round in 0..3000 {
        let p = random_problem(&mut rng);
        let plan = solve(&p).unwrap();
        let first_allowed = p.today + Duration::days(7);
        let mut used = std::collections::HashSet::new();
        for placement in &plan.placements {
            let r = p
                .requests
                .iter()
                .find(|r| r.id == placement.request)
                .unwrap();
            let s = p.slots.iter().find(|s| s.id == placement.slot).unwrap();
            assert!(
                eligible(r, s, first_allowed),
                "round {round}: {placement:?} not eligible"
            );
            assert!(
                used.insert(&placement.slot),
                "round {round}: slot used twice"
            );
        }
        assert_eq!(
            plan.placements.len() + plan.unplaced.len(),
            p.requests.len()
        );
        let placed: Vec<&str> = plan.placements.iter().map(|x| x.request.as_str()).collect();
        assert_eq!(counts(&p, &placed), brute_force(&p), "round {round}: {p:?}");
    }
}

/// What an assistant does by hand slot after slot: the most urgent eligible request.
fn slot_by_slot_greedy(p: &Problem) -> usize {
    let first_allowed = p.today + Duration::days(7);
    let mut taken = vec![false; p.requests.len()];
    let mut placed = 0;
    for s in &p.slots {
        let best = (0..p.requests.len())
            .filter(|&r| !taken[r] && eligible(&p.requests[r], s, first_allowed))
            .min_by_key(|&r| (p.requests[r].rank, p.requests[r].id.clone()));
        if let Some(r) = best {
            taken[r] = true;
            placed += 1;
        }
    }
    placed
}

#[test]
fn where_slot_by_slot_greed_is_wrong() {
    // r1 can come either day, r2 only on the first: greed gives the first slot to r1.
    let p = problem(
        vec![slot("s1", "nurse", 1, 20), slot("s2", "nurse", 2, 20)],
        vec![
            request("r1", 1, "either", 0, Some(5)),
            request("r2", 1, "nurse", 0, Some(1)),
        ],
    );
    assert_eq!(slot_by_slot_greedy(&p), 1);
    assert_eq!(solve(&p).unwrap().placements.len(), 2);
    // A rank-2 request that only fits the doctor's slot must not cost a rank-1 its place.
    let p = problem(
        vec![slot("s1", "doctor", 1, 30), slot("s2", "nurse", 1, 20)],
        vec![
            request("a", 1, "either", 0, Some(5)),
            request("b", 1, "doctor", 0, Some(5)),
            request("c", 2, "nurse", 0, Some(5)),
        ],
    );
    let plan = solve(&p).unwrap();
    let placed: Vec<&str> = plan.placements.iter().map(|x| x.request.as_str()).collect();
    assert_eq!(counts(&p, &placed), [2, 0, 0, 0]);
    assert_eq!(plan.unplaced[0].request, "c");
}

#[test]
fn overdue_requests_take_any_slot_and_the_most_urgent_come_first() {
    // Due before the first allowed date: any slot from that date on.
    let p = problem(
        vec![slot("late", "nurse", 9, 20), slot("early", "nurse", 1, 20)],
        vec![
            request("overdue", 1, "either", -30, Some(-10)),
            request("later", 2, "either", 0, None),
        ],
    );
    let plan = solve(&p).unwrap();
    assert_eq!(plan.placements[0].request, "overdue");
    assert_eq!(
        plan.placements[0].slot, "early",
        "the most urgent gets the earliest slot"
    );
    assert_eq!(plan.placements[1].slot, "late");
}

#[test]
fn reasons_name_what_is_missing() {
    let mut long = request("long", 1, "either", 0, Some(9));
    long.duration_min = 30;
    let mut busy = request("busy", 1, "either", 0, Some(9));
    busy.busy_dates = vec![day(1)];
    let p = problem(
        vec![slot("s1", "nurse", 1, 20)],
        vec![
            long,
            request("doctor", 1, "doctor", 0, Some(9)),
            request("window", 1, "either", 3, Some(9)),
            request("deadline", 1, "either", 0, Some(0)),
            busy,
            request("winner", 1, "either", -1, Some(2)),
            request("loser", 2, "either", 0, Some(9)),
        ],
    );
    let plan = solve(&p).unwrap();
    let reason = |id: &str| {
        plan.unplaced
            .iter()
            .find(|u| u.request == id)
            .unwrap()
            .reason
            .clone()
    };
    assert_eq!(reason("long"), "aucun créneau assez long (30 min)");
    assert!(reason("doctor").starts_with("aucun professionnel habilité"));
    assert!(reason("window").starts_with("aucun créneau à partir du"));
    assert!(reason("deadline").starts_with("échéance du 01/12/2026 avant tout créneau"));
    assert!(reason("busy").contains("déjà un rendez-vous"));
    assert!(reason("loser").contains("plus urgentes"));
    assert_eq!(plan.placements[0].request, "winner");
}

#[test]
fn bad_input_names_the_field() {
    let mut p = problem(
        vec![slot("s1", "nurse", 1, 20), slot("s1", "nurse", 2, 20)],
        vec![],
    );
    assert_eq!(solve(&p).unwrap_err().field, "slots[1].id");
    p.slots[1].id = "s2".into();
    p.slots[1].time = "9h".into();
    assert_eq!(solve(&p).unwrap_err().field, "slots[1].time");
    p.slots[1].time = "09:30".into();
    p.requests.push(request("r", 0, "either", 0, None));
    assert_eq!(solve(&p).unwrap_err().field, "requests[0].rank");
    p.requests[0].rank = 1;
    p.requests[0].performer = "secretary".into();
    assert_eq!(solve(&p).unwrap_err().field, "requests[0].performer");
    p.requests[0].performer = "nurse".into();
    p.requests[0].due = Some(day(-5));
    assert_eq!(solve(&p).unwrap_err().field, "requests[0].due");
}

/// Plain Kuhn in priority order (no pruning): the reference for larger instances.
fn reference_counts(p: &Problem) -> [usize; 4] {
    let first_allowed = p.today + Duration::days(7);
    let mut order: Vec<usize> = (0..p.requests.len()).collect();
    order.sort_by_key(|&r| p.requests[r].rank);
    let mut holder: Vec<Option<usize>> = vec![None; p.slots.len()];
    fn try_kuhn(
        p: &Problem,
        r: usize,
        first_allowed: NaiveDate,
        seen: &mut [bool],
        holder: &mut [Option<usize>],
    ) -> bool {
        for s in 0..p.slots.len() {
            if seen[s] || !eligible(&p.requests[r], &p.slots[s], first_allowed) {
                continue;
            }
            seen[s] = true;
            if holder[s].is_none_or(|o| try_kuhn(p, o, first_allowed, seen, holder)) {
                holder[s] = Some(r);
                return true;
            }
        }
        false
    }
    for r in order {
        try_kuhn(
            p,
            r,
            first_allowed,
            &mut vec![false; p.slots.len()],
            &mut holder,
        );
    }
    let placed: Vec<&str> = holder
        .iter()
        .flatten()
        .map(|&r| p.requests[r].id.as_str())
        .collect();
    counts(p, &placed)
}

#[test]
fn the_pruned_search_matches_plain_kuhn_on_larger_instances() {
    let mut rng = ChaCha8Rng::seed_from_u64(12);
    for round in 0..400 {
        let mut p = random_problem(&mut rng);
        let extra = random_problem(&mut rng);
        // Grow to a few dozen slots and requests with the same generator.
        for k in 0..6 {
            let more = random_problem(&mut rng);
            p.slots.extend(more.slots.into_iter().map(|mut s| {
                s.id = format!("{}-{k}", s.id);
                s
            }));
            p.requests.extend(more.requests.into_iter().map(|mut r| {
                r.id = format!("{}-{k}", r.id);
                r
            }));
        }
        p.requests.extend(extra.requests.into_iter().map(|mut r| {
            r.id = format!("{}-x", r.id);
            r
        }));
        let plan = solve(&p).unwrap();
        let placed: Vec<&str> = plan.placements.iter().map(|x| x.request.as_str()).collect();
        assert_eq!(counts(&p, &placed), reference_counts(&p), "round {round}");
    }
}

fn timed(id: &str, professional: &str, time: &str) -> Slot {
    Slot {
        id: id.into(),
        professional: professional.into(),
        time: time.into(),
        ..slot(id, "nurse", 1, 20)
    }
}

fn slot_of<'a>(plan: &'a super::Plan, request: &str) -> &'a str {
    &plan
        .placements
        .iter()
        .find(|p| p.request == request)
        .unwrap()
        .slot
}

#[test]
fn the_same_day_is_shared_between_the_professionals_of_the_team() {
    let slots = vec![
        timed("a1", "p1", "08:00"),
        timed("a2", "p1", "08:20"),
        timed("a3", "p1", "08:40"),
        timed("a4", "p1", "09:00"),
        timed("b1", "p2", "10:00"),
        timed("b2", "p2", "10:20"),
        timed("b3", "p2", "10:40"),
        timed("b4", "p2", "11:00"),
    ];
    let requests = ["r1", "r2", "r3", "r4"]
        .map(|id| request(id, 1, "either", 0, Some(5)))
        .to_vec();
    let plan = solve(&problem(slots, requests)).unwrap();
    assert_eq!(plan.placements.len(), 4);
    let on_p1 = plan
        .placements
        .iter()
        .filter(|p| p.slot.starts_with('a'))
        .count();
    assert_eq!(on_p1, 2, "two each: {plan:?}");
    // The most urgent keep the earliest slots.
    assert_eq!(slot_of(&plan, "r1"), "a1");
}

#[test]
fn workers_of_a_company_are_put_on_consecutive_slots_of_a_half_day() {
    let slots = vec![
        timed("s1", "p1", "08:00"),
        timed("s2", "p1", "08:20"),
        timed("s3", "p1", "08:40"),
        timed("s4", "p1", "09:00"),
    ];
    let with_company = |id: &str, rank: u8, company: &str| PlanRequest {
        company: Some(company.into()),
        ..request(id, rank, "either", 0, Some(5))
    };
    let requests = vec![
        with_company("a", 1, "c1"),
        with_company("b", 1, "c2"),
        with_company("c", 2, "c1"),
        with_company("d", 2, "c2"),
    ];
    let plan = solve(&problem(slots, requests)).unwrap();
    let order: Vec<&str> = ["s1", "s2", "s3", "s4"]
        .iter()
        .map(|s| {
            plan.placements
                .iter()
                .find(|p| p.slot == *s)
                .unwrap()
                .request
                .as_str()
        })
        .collect();
    assert_eq!(order, ["a", "c", "b", "d"]);
}

#[test]
fn replacement_candidates_are_the_eligible_requests_most_urgent_first() {
    let mut p = problem(
        vec![slot("freed", "nurse", 1, 20)],
        vec![
            request("later", 3, "either", 0, Some(5)),
            request("doctor", 1, "doctor", 0, Some(5)),
            request("urgent", 1, "nurse", 0, Some(5)),
            request("next", 2, "either", 0, None),
        ],
    );
    p.notice_days = 0;
    assert_eq!(
        super::candidates_for_slot(&p, "freed", 2),
        ["urgent", "next"]
    );
    assert!(super::candidates_for_slot(&p, "unknown", 2).is_empty());
}
