//! Pure types and rules of the SPSTI system: identifiers, checks of French identifiers,
//! roles and access decisions, password policy. No I/O, no async.

pub mod agenda;
pub mod authz;
pub mod company;
pub mod exchange;
pub mod fees;
pub mod followup;
pub mod identifiers;
pub mod ids;
pub mod indicators;
pub mod medical;
pub mod messages;
pub mod naf;
pub mod org;
pub mod password;
pub mod planner;
pub mod prevention;
pub mod role;
pub mod rules;
pub mod throttle;

pub use role::Role;

/// A date as French users read it: `04/01/2027`.
pub fn french_date(date: chrono::NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}
