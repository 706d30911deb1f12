//! The regulation engine (REGULATION.md): a worker's situation at a date gives the open
//! follow-up obligations, each with its legal reference and its rank in the doctor's and the
//! nurse's queues. Pure: no I/O.

pub mod dates;
mod engine;
mod model;
mod schema;
mod tables;

pub use engine::{Evaluation, Step, evaluate, evaluate_with, explain};
pub use model::{
    Leave, Obligation, Request, Situation, SituationError, VISIT_KINDS, Visit, kind_label,
    performer_label, requesters_of, subtype_label,
};
pub use schema::{Condition, DOCTOR_ONLY_KINDS, Entry, PrioritySchema};

#[cfg(test)]
mod cases;
#[cfg(test)]
mod properties;
#[cfg(test)]
mod tests;
