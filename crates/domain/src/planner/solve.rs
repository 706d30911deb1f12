//! The solver: matroid greedy by priority with augmenting paths, then earlier slots for the
//! most urgent without changing the placed set, then the reason of each request left out.
//!
//! Slots are sorted once by (team, date, time, id), so that a request's candidates are one
//! contiguous range; slots no augmenting path can use any more are skipped through a
//! "next alive slot" forest (path compression), which keeps failed searches cheap.

use std::collections::{BTreeSet, HashMap};

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

/// A request reduced to what the search reads: the ranges of sorted slots of its team, of a
/// role and a duration that suit it, within its dates.
struct Want<'a> {
    ranges: Vec<(usize, usize)>,
    busy: &'a [NaiveDate],
}

struct Solver<'a> {
    problem: &'a Problem,
    first_allowed: NaiveDate,
    /// Slot indices of the problem in (team, role, duration, date, time, id) order.
    sorted: Vec<usize>,
    /// Per sorted position: date, time, doctor's slot, duration.
    dates: Vec<NaiveDate>,
    times: Vec<&'a str>,
    doctor: Vec<bool>,
    duration: Vec<u32>,
    /// Range of each team in `sorted`.
    teams: HashMap<&'a str, (usize, usize)>,
    wants: Vec<Want<'a>>,
    slot_of: Vec<Option<usize>>,
    request_of: Vec<Option<usize>>,
    free: BTreeSet<usize>,
    /// Towards the first position ≥ i that an augmenting path may still use.
    next_alive: Vec<usize>,
    /// Towards the first position ≥ i not yet visited by the current search (when
    /// `visited[i]` is the current epoch).
    next_unvisited: Vec<usize>,
    visited: Vec<u32>,
    epoch: u32,
    trail: Vec<usize>,
}

fn find(links: &mut [usize], i: usize) -> usize {
    let mut root = i;
    while links[root] != root {
        root = links[root];
    }
    let mut at = i;
    while links[at] != root {
        let next = links[at];
        links[at] = root;
        at = next;
    }
    root
}

impl<'a> Solver<'a> {
    fn new(problem: &'a Problem) -> Solver<'a> {
        let first_allowed = problem.today + Duration::days(i64::from(problem.notice_days));
        let slots = &problem.slots;
        let mut sorted: Vec<usize> = (0..slots.len()).collect();
        sorted.sort_by(|&a, &b| {
            let (a, b) = (&slots[a], &slots[b]);
            (&a.team, &a.role, a.duration_min, a.date, &a.time, &a.id).cmp(&(
                &b.team,
                &b.role,
                b.duration_min,
                b.date,
                &b.time,
                &b.id,
            ))
        });
        let mut teams: HashMap<&str, (usize, usize)> = HashMap::new();
        // Runs of the same (team, role, duration): their dates are sorted.
        let mut groups: HashMap<&str, Vec<(usize, usize)>> = HashMap::new();
        for (position, &s) in sorted.iter().enumerate() {
            let slot = &slots[s];
            teams
                .entry(slot.team.as_str())
                .and_modify(|range| range.1 = position + 1)
                .or_insert((position, position + 1));
            let runs = groups.entry(slot.team.as_str()).or_default();
            match runs.last_mut() {
                Some(run)
                    if slots[sorted[run.0]].role == slot.role
                        && slots[sorted[run.0]].duration_min == slot.duration_min =>
                {
                    run.1 = position + 1
                }
                _ => runs.push((position, position + 1)),
            }
        }
        let dates: Vec<NaiveDate> = sorted.iter().map(|&s| slots[s].date).collect();
        let wants = problem
            .requests
            .iter()
            .map(|r| {
                let from = if overdue(r, first_allowed) {
                    first_allowed
                } else {
                    r.earliest.max(first_allowed)
                };
                let until = r.due.filter(|_| !overdue(r, first_allowed));
                let ranges = groups
                    .get(r.team.as_str())
                    .map(|runs| {
                        runs.iter()
                            .filter(|&&(start, _)| {
                                let slot = &slots[sorted[start]];
                                (r.performer == "either" || r.performer == slot.role)
                                    && slot.duration_min >= r.duration_min
                            })
                            .map(|&(start, end)| {
                                let run = &dates[start..end];
                                let lo = start + run.partition_point(|&d| d < from);
                                let hi = until
                                    .map_or(end, |due| start + run.partition_point(|&d| d <= due));
                                (lo, hi.max(lo))
                            })
                            .filter(|(lo, hi)| lo < hi)
                            .collect()
                    })
                    .unwrap_or_default();
                Want {
                    ranges,
                    busy: &r.busy_dates,
                }
            })
            .collect();
        let n = slots.len();
        Solver {
            problem,
            first_allowed,
            times: sorted.iter().map(|&s| slots[s].time.as_str()).collect(),
            doctor: sorted.iter().map(|&s| slots[s].role == "doctor").collect(),
            duration: sorted.iter().map(|&s| slots[s].duration_min).collect(),
            dates,
            sorted,
            teams,
            wants,
            slot_of: vec![None; problem.requests.len()],
            request_of: vec![None; n],
            free: (0..n).collect(),
            next_alive: (0..=n).collect(),
            next_unvisited: (0..=n).collect(),
            visited: vec![0; n + 1],
            epoch: 0,
            trail: Vec::new(),
        }
    }

    /// The first position ≥ `i` that is alive and not visited by the current search.
    fn next_open(&mut self, mut i: usize) -> usize {
        loop {
            i = find(&mut self.next_alive, i);
            if self.visited[i] != self.epoch {
                return i;
            }
            i = find(&mut self.next_unvisited, i);
        }
    }

    fn visit(&mut self, p: usize) {
        if self.visited[p + 1] != self.epoch {
            self.next_unvisited[p + 1] = p + 1;
        }
        self.visited[p] = self.epoch;
        self.next_unvisited[p] = p + 1;
        self.trail.push(p);
    }

    fn busy(&self, r: usize, p: usize) -> bool {
        self.wants[r].busy.contains(&self.dates[p])
    }

    fn assign(&mut self, r: usize, p: usize) {
        if let Some(old) = self.slot_of[r] {
            self.request_of[old] = None;
            self.free.insert(old);
        }
        self.slot_of[r] = Some(p);
        self.request_of[p] = Some(r);
        self.free.remove(&p);
    }

    /// A free slot `r` may take, earliest of its first range first.
    fn free_slot(&self, r: usize) -> Option<usize> {
        self.wants[r].ranges.iter().find_map(|&(start, end)| {
            self.free
                .range(start..end)
                .copied()
                .find(|&p| !self.busy(r, p))
        })
    }

    fn augment(&mut self, r: usize) -> bool {
        if let Some(p) = self.free_slot(r) {
            self.assign(r, p);
            return true;
        }
        for k in 0..self.wants[r].ranges.len() {
            let (start, end) = self.wants[r].ranges[k];
            let mut p = self.next_open(start);
            while p < end {
                if self.busy(r, p) {
                    p = self.next_open(p + 1);
                    continue;
                }
                self.visit(p);
                if let Some(other) = self.request_of[p]
                    && self.augment(other)
                {
                    self.assign(r, p);
                    return true;
                }
                p = self.next_open(p + 1);
            }
        }
        false
    }

    /// Places `r` if an augmenting path exists; the placed requests stay placed.
    fn place(&mut self, r: usize) -> bool {
        if let Some(p) = self.free_slot(r) {
            self.assign(r, p);
            return true;
        }
        self.epoch += 1;
        self.trail.clear();
        if self.augment(r) {
            return true;
        }
        // Every slot of the failed search is taken, and so is every slot its holders could
        // move to: no later augmenting path can go through them.
        for i in 0..self.trail.len() {
            let p = self.trail[i];
            self.next_alive[p] = p + 1;
        }
        false
    }

    /// Earlier slots for the most urgent, the placed set unchanged: a request moves to an
    /// earlier free slot, or swaps with a less urgent request that can take its slot.
    fn bring_forward(&mut self, order: &[usize]) {
        let mut position = vec![0; order.len()];
        for (rank, &r) in order.iter().enumerate() {
            position[r] = rank;
        }
        let fits = |solver: &Solver, r: usize, p: usize| {
            solver.wants[r]
                .ranges
                .iter()
                .any(|&(start, end)| (start..end).contains(&p))
                && !solver.busy(r, p)
        };
        for &r in order {
            let Some(current) = self.slot_of[r] else {
                continue;
            };
            let key = |p: usize| (self.dates[p], self.times[p]);
            let mut earlier: Vec<usize> = self.wants[r]
                .ranges
                .iter()
                .flat_map(|&(start, end)| start..end)
                .filter(|&p| key(p) < key(current) && !self.busy(r, p))
                .collect();
            earlier.sort_by_key(|&p| key(p));
            for p in earlier {
                match self.request_of[p] {
                    None => {
                        self.assign(r, p);
                        break;
                    }
                    Some(other) if position[other] > position[r] && fits(self, other, current) => {
                        self.request_of[current] = Some(other);
                        self.slot_of[other] = Some(current);
                        self.request_of[p] = Some(r);
                        self.slot_of[r] = Some(p);
                        break;
                    }
                    Some(_) => {}
                }
            }
        }
    }
}

impl Solver<'_> {
    /// Balance between the professionals of a team: a request moves to a free slot of the
    /// same date (so no one waits longer) of a professional with at least two placements
    /// fewer, the least urgent requests first.
    fn balance_professionals(&mut self, order: &[usize]) {
        let slots = &self.problem.slots;
        let professional =
            |solver: &Solver, p: usize| slots[solver.sorted[p]].professional.as_str();
        let mut load: HashMap<&str, usize> = HashMap::new();
        for p in 0..self.sorted.len() {
            if self.request_of[p].is_some() {
                *load.entry(professional(self, p)).or_default() += 1;
            }
        }
        for &r in order.iter().rev() {
            let Some(current) = self.slot_of[r] else {
                continue;
            };
            let from = professional(self, current);
            let date = self.dates[current];
            let mut best: Option<(usize, usize)> = None;
            for &(start, end) in &self.wants[r].ranges {
                let first = start + self.dates[start..end].partition_point(|&d| d < date);
                for p in self.free.range(first..end).copied() {
                    if self.dates[p] != date {
                        break;
                    }
                    let to_load = load.get(professional(self, p)).copied().unwrap_or(0);
                    if to_load + 2 <= load[from] && best.is_none_or(|(_, l)| to_load < l) {
                        best = Some((p, to_load));
                    }
                }
            }
            if let Some((p, _)) = best {
                *load.get_mut(from).expect("a loaded professional") -= 1;
                *load.entry(professional(self, p)).or_default() += 1;
                self.assign(r, p);
            }
        }
    }

    /// Workers of the same company on consecutive slots of a half-day: within each
    /// (professional, date, half-day) the placed requests are given the slots in time order,
    /// grouped by company (the company of the most urgent first), when each fits each slot.
    fn group_companies(&mut self, order: &[usize]) {
        let slots = &self.problem.slots;
        let requests = &self.problem.requests;
        let mut position = vec![0; order.len()];
        for (rank, &r) in order.iter().enumerate() {
            position[r] = rank;
        }
        let mut half_days: HashMap<(&str, NaiveDate, bool), Vec<usize>> = HashMap::new();
        for p in 0..self.sorted.len() {
            if self.request_of[p].is_some() {
                let slot = &slots[self.sorted[p]];
                half_days
                    .entry((
                        slot.professional.as_str(),
                        slot.date,
                        slot.time.as_str() < "12:30",
                    ))
                    .or_default()
                    .push(p);
            }
        }
        for (_, mut positions) in half_days {
            if positions.len() < 2 {
                continue;
            }
            positions.sort_by_key(|&p| self.times[p]);
            let mut placed: Vec<usize> = positions
                .iter()
                .map(|&p| self.request_of[p].expect("a placed slot"))
                .collect();
            let first_seen = |company: &Option<String>, placed: &[usize]| {
                placed
                    .iter()
                    .filter(|&&r| &requests[r].company == company)
                    .map(|&r| position[r])
                    .min()
                    .unwrap_or(usize::MAX)
            };
            let keys: HashMap<usize, (usize, usize)> = placed
                .iter()
                .map(|&r| (r, (first_seen(&requests[r].company, &placed), position[r])))
                .collect();
            placed.sort_by_key(|r| keys[r]);
            let fits = positions
                .iter()
                .zip(&placed)
                .all(|(&p, &r)| self.duration[p] >= requests[r].duration_min && !self.busy(r, p));
            if fits {
                for (&p, &r) in positions.iter().zip(&placed) {
                    self.request_of[p] = Some(r);
                    self.slot_of[r] = Some(p);
                }
            }
        }
    }
}

/// Why a request found no slot, in French: the first condition no slot of its team met.
/// The dates of the team's slots of each (performer, duration) are computed once.
struct Reasons<'s, 'a> {
    solver: &'s Solver<'a>,
    dates: HashMap<(&'a str, &'a str, u32), Vec<NaiveDate>>,
}

impl<'a> Reasons<'_, 'a> {
    fn reason(&mut self, r: usize) -> String {
        let solver = self.solver;
        let request: &'a PlanRequest = &solver.problem.requests[r];
        let Some(&(start, end)) = solver.teams.get(request.team.as_str()) else {
            return "aucun créneau ouvert pour l'équipe".into();
        };
        let suits = |p: usize| match request.performer.as_str() {
            "doctor" => solver.doctor[p],
            "nurse" => !solver.doctor[p],
            _ => true,
        };
        if !(start..end).any(suits) {
            return "aucun professionnel habilité : il faut un créneau de médecin".into();
        }
        let dates = self
            .dates
            .entry((
                request.team.as_str(),
                request.performer.as_str(),
                request.duration_min,
            ))
            .or_insert_with(|| {
                let mut dates: Vec<NaiveDate> = (start..end)
                    .filter(|&p| suits(p) && solver.duration[p] >= request.duration_min)
                    .map(|p| solver.dates[p])
                    .collect();
                dates.sort_unstable();
                dates
            });
        if dates.is_empty() {
            return format!("aucun créneau assez long ({} min)", request.duration_min);
        }
        let allowed = &dates[dates.partition_point(|&d| d < solver.first_allowed)..];
        if allowed.is_empty() {
            return "aucun créneau après le délai de convocation".into();
        }
        let window = if overdue(request, solver.first_allowed) {
            allowed
        } else {
            let from = allowed.partition_point(|&d| d < request.earliest);
            if from == allowed.len() {
                return format!(
                    "aucun créneau à partir du {}",
                    request.earliest.format("%d/%m/%Y")
                );
            }
            let to = request
                .due
                .map_or(allowed.len(), |due| allowed.partition_point(|&d| d <= due));
            if to <= from {
                let due = request.due.expect("a window ends at the due date");
                return format!(
                    "échéance du {} avant tout créneau disponible",
                    due.format("%d/%m/%Y")
                );
            }
            &allowed[from..to]
        };
        if window.iter().all(|d| request.busy_dates.contains(d)) {
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
        let key = |r: &'_ PlanRequest| {
            (
                r.rank,
                !overdue(r, first_allowed),
                r.due.is_none(),
                r.due,
                r.earliest,
            )
        };
        let (ra, rb) = (&problem.requests[a], &problem.requests[b]);
        key(ra).cmp(&key(rb)).then_with(|| ra.id.cmp(&rb.id))
    });
    order
}

/// The requests that may take the slot `slot_id`, most urgent first (at most `limit`): the
/// planner on one slot, for a slot freed by an excuse.
pub fn candidates_for_slot(problem: &Problem, slot_id: &str, limit: usize) -> Vec<String> {
    let first_allowed = problem.today + Duration::days(i64::from(problem.notice_days));
    let Some(slot) = problem.slots.iter().find(|s| s.id == slot_id) else {
        return Vec::new();
    };
    priority_order(problem, first_allowed)
        .into_iter()
        .filter(|&r| eligible(&problem.requests[r], slot, first_allowed))
        .take(limit)
        .map(|r| problem.requests[r].id.clone())
        .collect()
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
    solver.balance_professionals(&order);
    solver.group_companies(&order);
    let mut reasons = Reasons {
        solver: &solver,
        dates: HashMap::new(),
    };
    let mut plan = Plan {
        placements: Vec::new(),
        unplaced: Vec::new(),
    };
    for &r in &order {
        let request = problem.requests[r].id.clone();
        match solver.slot_of[r] {
            Some(p) => plan.placements.push(Placement {
                request,
                slot: problem.slots[solver.sorted[p]].id.clone(),
            }),
            None => plan.unplaced.push(Unplaced {
                request,
                reason: reasons.reason(r),
            }),
        }
    }
    Ok(plan)
}
