//! The solver: matroid greedy by priority with augmenting paths, then earlier slots for the
//! most urgent without changing the placed set, then the reason of each request left out.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};

use super::model::{Placement, Plan, PlanRequest, Problem, ProblemError, Slot, Unplaced};

/// May `request` take `slot` (SCHEDULING.md "Planning", DATA-FORMATS.md "Planner")?
pub fn eligible(request: &PlanRequest, slot: &Slot, first_allowed: NaiveDate) -> bool {
    if slot.team != request.team
        || !(request.performer == "either" || request.performer == slot.role)
        || slot.duration_min < request.duration_min
        || slot.date < first_allowed
        || request.busy_dates.contains(&slot.date)
    {
        return false;
    }
    overdue(request, first_allowed)
        || (slot.date >= request.earliest && request.due.is_none_or(|due| slot.date <= due))
}

/// An overdue request may take any slot from the first allowed date on.
fn overdue(request: &PlanRequest, first_allowed: NaiveDate) -> bool {
    request.due.is_some_and(|due| due < first_allowed)
}

struct Solver<'a> {
    problem: &'a Problem,
    first_allowed: NaiveDate,
    /// Slot indices of each team, in (date, time, id) order.
    by_team: HashMap<&'a str, Vec<usize>>,
    slot_of: Vec<Option<usize>>,
    request_of: Vec<Option<usize>>,
    /// Slots a failed search went through: no augmenting path can use them any more.
    dead: Vec<bool>,
    visited: Vec<u32>,
    epoch: u32,
    trail: Vec<usize>,
}

impl<'a> Solver<'a> {
    fn new(problem: &'a Problem) -> Solver<'a> {
        let mut by_team: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, slot) in problem.slots.iter().enumerate() {
            by_team.entry(slot.team.as_str()).or_default().push(i);
        }
        for list in by_team.values_mut() {
            list.sort_by(|&a, &b| {
                let (a, b) = (&problem.slots[a], &problem.slots[b]);
                (a.date, &a.time, &a.id).cmp(&(b.date, &b.time, &b.id))
            });
        }
        let n = problem.slots.len();
        Solver {
            problem,
            first_allowed: problem.today + Duration::days(i64::from(problem.notice_days)),
            by_team,
            slot_of: vec![None; problem.requests.len()],
            request_of: vec![None; n],
            dead: vec![false; n],
            visited: vec![0; n],
            epoch: 0,
            trail: Vec::new(),
        }
    }

    /// The slots `r` may take, earliest first (a date range of its team, then the checks).
    fn candidates(&self, r: usize) -> impl Iterator<Item = usize> + '_ {
        let request = &self.problem.requests[r];
        let slots = &self.problem.slots;
        let list: &[usize] = self
            .by_team
            .get(request.team.as_str())
            .map_or(&[], Vec::as_slice);
        let from = if overdue(request, self.first_allowed) {
            self.first_allowed
        } else {
            request.earliest.max(self.first_allowed)
        };
        let start = list.partition_point(|&s| slots[s].date < from);
        let end = match request.due {
            Some(due) if !overdue(request, self.first_allowed) => {
                list.partition_point(|&s| slots[s].date <= due)
            }
            _ => list.len(),
        };
        list[start..end.max(start)]
            .iter()
            .copied()
            .filter(move |&s| eligible(request, &slots[s], self.first_allowed))
    }

    fn assign(&mut self, r: usize, s: usize) {
        if let Some(old) = self.slot_of[r] {
            self.request_of[old] = None;
        }
        self.slot_of[r] = Some(s);
        self.request_of[s] = Some(r);
    }

    fn augment(&mut self, r: usize) -> bool {
        let candidates: Vec<usize> = self.candidates(r).collect();
        for s in candidates {
            if self.dead[s] || self.visited[s] == self.epoch {
                continue;
            }
            self.visited[s] = self.epoch;
            self.trail.push(s);
            let free = match self.request_of[s] {
                None => true,
                Some(other) => self.augment(other),
            };
            if free {
                self.assign(r, s);
                return true;
            }
        }
        false
    }

    /// Places `r` if an augmenting path exists; the placed requests stay placed.
    fn place(&mut self, r: usize) -> bool {
        let free = self.candidates(r).find(|&s| self.request_of[s].is_none());
        if let Some(s) = free {
            self.assign(r, s);
            return true;
        }
        self.epoch += 1;
        self.trail.clear();
        if self.augment(r) {
            return true;
        }
        for &s in &self.trail {
            self.dead[s] = true;
        }
        false
    }

    /// Earlier slots for the most urgent, the placed set unchanged: a request moves to an
    /// earlier free slot, or swaps with a less urgent request that can take its slot.
    fn bring_forward(&mut self, order: &[usize]) {
        let position: HashMap<usize, usize> =
            order.iter().enumerate().map(|(p, &r)| (r, p)).collect();
        for &r in order {
            let Some(current) = self.slot_of[r] else {
                continue;
            };
            let key = |s: usize| {
                let slot = &self.problem.slots[s];
                (slot.date, slot.time.clone(), slot.id.clone())
            };
            let now = key(current);
            let candidates: Vec<usize> = self.candidates(r).filter(|&s| key(s) < now).collect();
            for s in candidates {
                match self.request_of[s] {
                    None => {
                        self.assign(r, s);
                        break;
                    }
                    Some(other)
                        if position[&other] > position[&r]
                            && eligible(
                                &self.problem.requests[other],
                                &self.problem.slots[current],
                                self.first_allowed,
                            ) =>
                    {
                        self.request_of[current] = Some(other);
                        self.slot_of[other] = Some(current);
                        self.request_of[s] = Some(r);
                        self.slot_of[r] = Some(s);
                        break;
                    }
                    Some(_) => {}
                }
            }
        }
    }

    /// Why a request found no slot, in French: the first condition no slot of its team met.
    fn reason(&self, r: usize) -> String {
        let request = &self.problem.requests[r];
        let team: Vec<&Slot> = self
            .by_team
            .get(request.team.as_str())
            .map_or(Vec::new(), |list| {
                list.iter().map(|&s| &self.problem.slots[s]).collect()
            });
        if team.is_empty() {
            return "aucun créneau ouvert pour l'équipe".into();
        }
        let role: Vec<&Slot> = team
            .into_iter()
            .filter(|s| request.performer == "either" || request.performer == s.role)
            .collect();
        if role.is_empty() {
            return "aucun professionnel habilité : il faut un créneau de médecin".into();
        }
        let long: Vec<&Slot> = role
            .into_iter()
            .filter(|s| s.duration_min >= request.duration_min)
            .collect();
        if long.is_empty() {
            return format!("aucun créneau assez long ({} min)", request.duration_min);
        }
        let notice: Vec<&Slot> = long
            .into_iter()
            .filter(|s| s.date >= self.first_allowed)
            .collect();
        if notice.is_empty() {
            return "aucun créneau après le délai de convocation".into();
        }
        if !overdue(request, self.first_allowed) {
            if !notice.iter().any(|s| s.date >= request.earliest) {
                return format!(
                    "aucun créneau à partir du {}",
                    request.earliest.format("%d/%m/%Y")
                );
            }
            if let Some(due) = request.due
                && !notice
                    .iter()
                    .any(|s| s.date >= request.earliest && s.date <= due)
            {
                return format!(
                    "échéance du {} avant tout créneau disponible",
                    due.format("%d/%m/%Y")
                );
            }
        }
        if !self
            .problem
            .slots
            .iter()
            .any(|s| eligible(request, s, self.first_allowed))
        {
            return "le salarié a déjà un rendez-vous les jours des créneaux possibles".into();
        }
        "les créneaux possibles sont pris par des demandes plus urgentes".into()
    }
}

/// The order in which requests are considered: rank, overdue first, due date (none last),
/// earliest date, id.
fn priority_order(problem: &Problem, first_allowed: NaiveDate) -> Vec<usize> {
    let mut order: Vec<usize> = (0..problem.requests.len()).collect();
    order.sort_by(|&a, &b| {
        let key = |r: &PlanRequest| {
            (
                r.rank,
                !overdue(r, first_allowed),
                r.due.is_none(),
                r.due,
                r.earliest,
                r.id.clone(),
            )
        };
        key(&problem.requests[a]).cmp(&key(&problem.requests[b]))
    });
    order
}

/// Solves one planning problem.
pub fn solve(problem: &Problem) -> Result<Plan, ProblemError> {
    problem.check()?;
    let mut solver = Solver::new(problem);
    let order = priority_order(problem, solver.first_allowed);
    for &r in &order {
        solver.place(r);
    }
    solver.bring_forward(&order);
    let mut plan = Plan {
        placements: Vec::new(),
        unplaced: Vec::new(),
    };
    for &r in &order {
        let request = problem.requests[r].id.clone();
        match solver.slot_of[r] {
            Some(s) => plan.placements.push(Placement {
                request,
                slot: problem.slots[s].id.clone(),
            }),
            None => plan.unplaced.push(Unplaced {
                request,
                reason: solver.reason(r),
            }),
        }
    }
    Ok(plan)
}
