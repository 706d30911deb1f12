//! The files a service exchanges with other software (DATA-FORMATS.md): which kinds exist,
//! their exact columns, and one typed row per line. Parsing and writing the bytes live in
//! the `import` crate, applying rows in `store`; both meet on these types.

use chrono::NaiveDate;
use serde::Serialize;

use crate::company::{CompanyKind, Contract, Sex, StrikeOffReason};
use crate::followup::FollowUp;
use crate::org::ProfessionalRole;

macro_rules! file_kinds {
    ($($variant:ident => $code:literal, $label:literal, [$($column:literal),* $(,)?]);* $(;)?) => {
        /// One kind of exchange file, named by its code (`--kind workers`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
        pub enum FileKind { $($variant),* }

        impl FileKind {
            /// In the order a service imports them: the later files name codes of the earlier.
            pub const ALL: [FileKind; 11] = [$(FileKind::$variant),*];

            pub fn code(self) -> &'static str {
                match self { $(FileKind::$variant => $code),* }
            }

            /// French name, for reports and pages.
            pub fn label(self) -> &'static str {
                match self { $(FileKind::$variant => $label),* }
            }

            /// The exact header, in the order exports write it.
            pub fn columns(self) -> &'static [&'static str] {
                match self { $(FileKind::$variant => &[$($column),*]),* }
            }
        }
    };
}

file_kinds! {
    Sectors => "sectors", "secteurs", ["sector", "name"];
    Teams => "teams", "équipes", ["team", "name", "sector"];
    Centres => "centres", "centres", ["centre", "name", "sector", "address", "postcode", "city"];
    Professionals => "professionals", "professionnels", ["professional_ref", "last_name", "first_name", "role", "team", "email"];
    Companies => "companies", "adhérents", ["siret", "name", "naf_code", "sector", "team", "kind", "joined_on", "struck_off_on", "strike_off_reason", "address", "postcode", "city", "email", "phone"];
    Workers => "workers", "salariés", ["worker_ref", "last_name", "first_name", "sex", "birth_date", "nir", "email", "mobile", "siret", "job_title", "pcs_ese", "hired_on", "left_on", "contract", "night_worker", "declaration_year", "category", "exposures"];
    Slots => "slots", "créneaux", ["professional_ref", "centre", "date", "time", "duration_min"];
    Appointments => "appointments", "rendez-vous", ["appointment_ref", "worker_ref", "siret", "date", "time", "duration_min", "kind", "subtype", "performer", "professional_ref", "centre", "status", "teleconsultation", "experimental", "outcome"];
    RiskSheets => "risk_sheets", "fiches d'entreprise", ["siret", "started_on", "finalised_on", "delivered_on", "author_ref"];
    WorkplaceActions => "workplace_actions", "actions en milieu de travail", ["action_ref", "siret", "date", "type", "worker_ref", "workers", "author_ref"];
    Retention => "retention", "prévention de la désinsertion professionnelle", ["item_ref", "worker_ref", "date", "item", "partner"];
}

impl FileKind {
    pub fn from_code(code: &str) -> Option<FileKind> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The kind whose columns are exactly `header` (in any order).
    pub fn guess(header: &[&str]) -> Option<FileKind> {
        let mut given: Vec<&str> = header.iter().map(|h| h.trim()).collect();
        given.sort_unstable();
        Self::ALL.into_iter().find(|kind| {
            let mut expected = kind.columns().to_vec();
            expected.sort_unstable();
            expected == given
        })
    }

    /// The codes, for messages listing what is allowed.
    pub fn codes() -> Vec<&'static str> {
        Self::ALL.iter().map(|k| k.code()).collect()
    }
}

/// A rejected line: its number in the file (the header is line 1), the column, the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineError {
    pub line: usize,
    pub column: String,
    pub reason: String,
}

impl std::fmt::Display for LineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.column.is_empty() {
            write!(f, "ligne {} : {}", self.line, self.reason)
        } else {
            write!(
                f,
                "ligne {}, colonne {} : {}",
                self.line, self.column, self.reason
            )
        }
    }
}

/// A row with the line it was read from (0 for rows read from the database).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line<T> {
    pub line: usize,
    pub row: T,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectorRow {
    pub sector: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamRow {
    pub team: String,
    pub name: String,
    pub sector: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CentreRow {
    pub centre: String,
    pub name: String,
    pub sector: String,
    pub address: String,
    pub postcode: String,
    pub city: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfessionalRow {
    pub professional_ref: String,
    pub last_name: String,
    pub first_name: String,
    pub role: ProfessionalRole,
    pub team: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanyRow {
    pub siret: String,
    pub name: String,
    pub naf_code: Option<String>,
    pub sector: String,
    pub team: Option<String>,
    pub kind: CompanyKind,
    pub joined_on: NaiveDate,
    pub struck_off_on: Option<NaiveDate>,
    pub strike_off_reason: Option<StrikeOffReason>,
    pub address: String,
    pub postcode: String,
    pub city: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// A worker's declaration line for one employment and year. `exposures` holds every code,
/// sorted, `night_worker` included when the file's `night_worker` is `1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerRow {
    pub worker_ref: String,
    pub last_name: String,
    pub first_name: String,
    pub sex: Sex,
    pub birth_date: NaiveDate,
    pub nir: Option<String>,
    pub email: Option<String>,
    pub mobile: Option<String>,
    pub siret: String,
    pub job_title: String,
    pub pcs_ese: Option<String>,
    pub hired_on: NaiveDate,
    pub left_on: Option<NaiveDate>,
    pub contract: Contract,
    pub declaration_year: i32,
    pub category: FollowUp,
    pub exposures: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppointmentRow {
    pub appointment_ref: String,
    pub worker_ref: String,
    pub siret: Option<String>,
    pub date: NaiveDate,
    /// `HH:MM`.
    pub time: Option<String>,
    pub duration_min: i32,
    pub kind: String,
    pub subtype: String,
    pub performer: String,
    pub professional_ref: Option<String>,
    pub centre: Option<String>,
    pub status: String,
    pub teleconsultation: bool,
    pub experimental: bool,
    pub outcome: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotRow {
    pub professional_ref: String,
    pub centre: String,
    pub date: NaiveDate,
    pub time: String,
    pub duration_min: i32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RiskSheetRow {
    pub siret: String,
    pub started_on: NaiveDate,
    pub finalised_on: Option<NaiveDate>,
    pub delivered_on: Option<NaiveDate>,
    pub author_ref: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkplaceActionRow {
    pub action_ref: String,
    pub siret: String,
    pub date: NaiveDate,
    pub action_type: String,
    pub worker_ref: Option<String>,
    pub workers: Option<i32>,
    pub author_ref: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetentionRow {
    pub item_ref: String,
    pub worker_ref: String,
    pub date: NaiveDate,
    pub item: String,
    pub partner: Option<String>,
}

/// The rows of one file, of one kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rows {
    Sectors(Vec<Line<SectorRow>>),
    Teams(Vec<Line<TeamRow>>),
    Centres(Vec<Line<CentreRow>>),
    Professionals(Vec<Line<ProfessionalRow>>),
    Companies(Vec<Line<CompanyRow>>),
    Workers(Vec<Line<WorkerRow>>),
    Slots(Vec<Line<SlotRow>>),
    Appointments(Vec<Line<AppointmentRow>>),
    RiskSheets(Vec<Line<RiskSheetRow>>),
    WorkplaceActions(Vec<Line<WorkplaceActionRow>>),
    Retention(Vec<Line<RetentionRow>>),
}

impl Rows {
    pub fn kind(&self) -> FileKind {
        match self {
            Rows::Sectors(_) => FileKind::Sectors,
            Rows::Teams(_) => FileKind::Teams,
            Rows::Centres(_) => FileKind::Centres,
            Rows::Professionals(_) => FileKind::Professionals,
            Rows::Companies(_) => FileKind::Companies,
            Rows::Workers(_) => FileKind::Workers,
            Rows::Slots(_) => FileKind::Slots,
            Rows::Appointments(_) => FileKind::Appointments,
            Rows::RiskSheets(_) => FileKind::RiskSheets,
            Rows::WorkplaceActions(_) => FileKind::WorkplaceActions,
            Rows::Retention(_) => FileKind::Retention,
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Rows::Sectors(r) => r.len(),
            Rows::Teams(r) => r.len(),
            Rows::Centres(r) => r.len(),
            Rows::Professionals(r) => r.len(),
            Rows::Companies(r) => r.len(),
            Rows::Workers(r) => r.len(),
            Rows::Slots(r) => r.len(),
            Rows::Appointments(r) => r.len(),
            Rows::RiskSheets(r) => r.len(),
            Rows::WorkplaceActions(r) => r.len(),
            Rows::Retention(r) => r.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Subtypes a visit kind accepts (SCHEDULING.md), and whether one is required.
pub fn visit_subtypes(kind: &str) -> (&'static [&'static str], bool) {
    match kind {
        "SIR_INTERMEDIATE" => (&["experimental"], false),
        "RETURN_TO_WORK" => (
            &[
                "work_accident",
                "occupational_disease",
                "sickness",
                "maternity",
            ],
            true,
        ),
        "POST_EXPOSURE" => (&["post_exposure", "post_career"], true),
        kind => match crate::rules::requesters_of(kind) {
            Some(requesters) => (requesters, true),
            None => (&[], false),
        },
    }
}

/// Appointment statuses of appointments.csv.
pub const APPOINTMENT_STATUSES: [&str; 6] = [
    "planned",
    "done",
    "absent",
    "excused",
    "excused_replaced",
    "cancelled",
];

/// Retention items that are neither advice nor referral.
pub const RETENTION_EVENTS: [&str; 4] =
    ["referral", "case_opened", "case_closed", "supervised_trial"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_guessed_from_their_exact_columns() {
        for kind in FileKind::ALL {
            let mut header = kind.columns().to_vec();
            header.reverse();
            assert_eq!(FileKind::guess(&header), Some(kind));
            assert_eq!(FileKind::from_code(kind.code()), Some(kind));
        }
        assert_eq!(FileKind::guess(&["sector"]), None);
        assert_eq!(FileKind::guess(&["sector", "name", "colour"]), None);
    }

    #[test]
    fn subtypes_follow_scheduling() {
        assert_eq!(visit_subtypes("VIP_INITIAL"), (&[][..], false));
        assert!(visit_subtypes("RETURN_TO_WORK").1);
        assert!(visit_subtypes("ON_DEMAND").0.contains(&"certificate"));
        assert!(!visit_subtypes("SIR_INTERMEDIATE").1);
    }
}

/// One worker's contract in a month of payroll (a DSN individual and contract), mapped as
/// DATA-FORMATS.md says; `None` means "not in this month": an earlier value stays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayrollWorker {
    /// Line of the individual in the file.
    pub line: usize,
    /// 15 characters, key included.
    pub nir: String,
    pub last_name: Option<String>,
    pub first_name: Option<String>,
    pub sex: Option<Sex>,
    pub birth_date: Option<NaiveDate>,
    pub email: Option<String>,
    pub hired_on: NaiveDate,
    pub job_title: Option<String>,
    pub pcs_ese: Option<String>,
    pub contract: Contract,
    pub left_on: Option<NaiveDate>,
    /// Exposure codes set by the month's hardship factors (night work, hyperbaric).
    pub exposures: Vec<String>,
    /// Factor `99`: the earlier factors are cancelled.
    pub cancels_hardship: bool,
    /// Every factor declared (shown to the doctor as declared by payroll).
    pub hardship: Vec<String>,
}

/// A work stoppage declared by payroll, for the worker's contract of the month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayrollStoppage {
    pub line: usize,
    pub nir: String,
    pub hired_on: NaiveDate,
    /// An engine leave reason, or `other` for a reason without a follow-up rule.
    pub reason: String,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    pub returned_on: Option<NaiveDate>,
}

/// One establishment's month of payroll.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayrollMonth {
    pub siret: String,
    /// First day of the month.
    pub month: NaiveDate,
    pub workers: Vec<PayrollWorker>,
    pub stoppages: Vec<PayrollStoppage>,
}
