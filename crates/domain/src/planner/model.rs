//! The planner's input and output (`spsti plan solve`), and the checks of the input.

use std::collections::HashSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A free slot of an agenda.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    pub id: String,
    pub professional: String,
    pub role: String,
    pub team: String,
    pub date: NaiveDate,
    pub time: String,
    pub duration_min: u32,
}

/// One worker to convoke: their open obligations merged (the most urgent rank, the longest
/// duration, the strictest performer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanRequest {
    pub id: String,
    pub team: String,
    pub rank: u8,
    pub performer: String,
    pub duration_min: u32,
    pub earliest: NaiveDate,
    #[serde(default)]
    pub due: Option<NaiveDate>,
    #[serde(default)]
    pub busy_dates: Vec<NaiveDate>,
    /// The worker's company (optional): the planner puts a company's workers on
    /// consecutive slots of a half-day when it can.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub today: NaiveDate,
    pub notice_days: u32,
    pub slots: Vec<Slot>,
    pub requests: Vec<PlanRequest>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Placement {
    pub request: String,
    pub slot: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unplaced {
    pub request: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub placements: Vec<Placement>,
    pub unplaced: Vec<Unplaced>,
}

/// An invalid problem, naming the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} : {message}")]
pub struct ProblemError {
    pub field: String,
    pub message: String,
}

fn invalid(field: String, message: impl Into<String>) -> ProblemError {
    ProblemError {
        field,
        message: message.into(),
    }
}

fn valid_time(time: &str) -> bool {
    chrono::NaiveTime::parse_from_str(time, "%H:%M").is_ok() && time.len() == 5
}

impl Problem {
    pub fn check(&self) -> Result<(), ProblemError> {
        let mut ids = HashSet::new();
        for (i, s) in self.slots.iter().enumerate() {
            let field = |name: &str| format!("slots[{i}].{name}");
            if s.id.is_empty() || !ids.insert(s.id.as_str()) {
                return Err(invalid(
                    field("id"),
                    format!("identifiant vide ou en double « {} »", s.id),
                ));
            }
            if !matches!(s.role.as_str(), "doctor" | "nurse") {
                return Err(invalid(
                    field("role"),
                    format!("« {} » : doctor ou nurse attendu", s.role),
                ));
            }
            if !valid_time(&s.time) {
                return Err(invalid(
                    field("time"),
                    format!("heure « {} » invalide (HH:MM)", s.time),
                ));
            }
            if s.duration_min == 0 {
                return Err(invalid(
                    field("duration_min"),
                    "une durée d'au moins une minute",
                ));
            }
        }
        let mut ids = HashSet::new();
        for (i, r) in self.requests.iter().enumerate() {
            let field = |name: &str| format!("requests[{i}].{name}");
            if r.id.is_empty() || !ids.insert(r.id.as_str()) {
                return Err(invalid(
                    field("id"),
                    format!("identifiant vide ou en double « {} »", r.id),
                ));
            }
            if r.rank == 0 {
                return Err(invalid(
                    field("rank"),
                    "le rang 1 est le plus urgent ; 0 n'existe pas",
                ));
            }
            if !matches!(r.performer.as_str(), "doctor" | "nurse" | "either") {
                return Err(invalid(
                    field("performer"),
                    format!("« {} » : doctor, nurse ou either attendu", r.performer),
                ));
            }
            if r.duration_min == 0 {
                return Err(invalid(
                    field("duration_min"),
                    "une durée d'au moins une minute",
                ));
            }
            if r.due.is_some_and(|due| due < r.earliest) {
                return Err(invalid(
                    field("due"),
                    "échéance antérieure à la date au plus tôt",
                ));
            }
        }
        Ok(())
    }
}
