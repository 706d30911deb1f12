//! Prevention on the work site (PREVENTION.md, KPI.md K6–K8): fiches d'entreprise and their
//! coverage. Pure: no I/O.

pub mod fiche;

pub use fiche::{
    CoverageGap, FicheState, RISK_FAMILIES, UnitRisk, WorkUnit, check_deliver, check_finalise,
    check_work_unit, coverage_gap, risk_label,
};
