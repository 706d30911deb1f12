//! The regulation engine (REGULATION.md): a worker's situation at a date gives the open
//! follow-up obligations, each with its legal reference and its rank in the doctor's and the
//! nurse's queues. Pure: no I/O.

pub mod dates;
mod engine;
mod ranks;

pub use engine::{Leave, Obligation, Request, Situation, SituationError, Visit, evaluate};

#[cfg(test)]
mod tests;
