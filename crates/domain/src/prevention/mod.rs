//! Prevention on the work site (PREVENTION.md, KPI.md K6–K8): fiches d'entreprise and their
//! coverage. Pure: no I/O.

pub mod actions;
pub mod fiche;
pub mod pdp;
pub mod programmes;

pub use actions::{ACTION_TYPES, NewAction, action_label, check_action};
pub use fiche::{
    CoverageGap, FicheState, RISK_FAMILIES, UnitRisk, WorkUnit, check_deliver, check_finalise,
    check_work_unit, coverage_gap, risk_label,
};
