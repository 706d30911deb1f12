//! The planner's pure core (SCHEDULING.md "Planning", DATA-FORMATS.md "Planner"): requests
//! (one per worker to convoke) placed into free slots so that the placed set is
//! lexicographically optimal by rank — as many rank-1 as possible, then rank-2, and so on.
//!
//! The sets of requests that can be placed together form a transversal matroid, so adding
//! requests in priority order and keeping each one for which an augmenting path exists gives
//! a lexicographically optimal set (matroid greedy; each test is one augmenting-path search,
//! Kuhn's algorithm). A slot visited by a failed search can never lie on an augmenting path
//! again, so it is skipped from then on: the failed searches cost O(edges) in all.
//! Then, without changing the placed set, the most urgent requests move to earlier slots, a
//! request moves to a less loaded professional the same day, and the workers of a company
//! are put on consecutive slots of a half-day.

mod model;
mod solve;

pub use model::{Placement, Plan, PlanRequest, Problem, ProblemError, Slot, Unplaced};
pub use solve::{candidates_for_slot, eligible, solve};

#[cfg(test)]
mod tests;
