//! The facts the indicators of KPI.md are computed from, as the store reads them: plain
//! rows, one struct per kind of fact, free of any database or data-frame type.

use chrono::NaiveDate;

/// A member (one adhering establishment).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberFact {
    pub establishment_id: i64,
    pub siret: String,
    pub naf_code: Option<String>,
    pub sector: String,
    pub team: Option<String>,
    /// companies.csv `kind` (`company`, `self_employed`…).
    pub kind: String,
    pub joined_on: NaiveDate,
    pub struck_off_on: Option<NaiveDate>,
    pub strike_off_reason: Option<String>,
}

/// A line of a member's declaration for a year (its latest submitted version).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclaredLine {
    pub establishment_id: i64,
    pub year: i32,
    pub employment_id: i64,
    pub worker_id: i64,
    /// `SIS`, `SIA` or `SIR`, as declared.
    pub category: String,
    pub exposures: Vec<String>,
    /// `F` or `M`.
    pub sex: String,
    pub birth_date: NaiveDate,
    /// The declared employment's hiring, leaving and contract.
    pub hired_on: NaiveDate,
    pub left_on: Option<NaiveDate>,
    pub contract: String,
}

/// An employment of a worker seen for an initial visit in the year or followed in a PDP case
/// (the initial visits' deadlines, the PDP lines of a team).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmploymentFact {
    pub employment_id: i64,
    pub worker_id: i64,
    pub establishment_id: i64,
    pub hired_on: NaiveDate,
    pub left_on: Option<NaiveDate>,
    pub contract: String,
    pub birth_date: NaiveDate,
}

/// An appointment that counts (statuses other than `planned` and `cancelled`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppointmentFact {
    pub worker_id: i64,
    pub establishment_id: Option<i64>,
    pub date: NaiveDate,
    pub kind: String,
    pub subtype: String,
    /// `doctor` or `nurse`.
    pub performer: String,
    pub status: String,
    pub teleconsultation: bool,
    pub experimental: bool,
    /// professional_ref of who held it, and that professional's team.
    pub professional: Option<String>,
    pub team: Option<String>,
}

/// A slot opened in an agenda: its date, the role and team of its professional.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotFact {
    pub date: NaiveDate,
    pub role: String,
    pub team: Option<String>,
}

/// A version of a fiche d'entreprise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetFact {
    pub establishment_id: i64,
    pub started_on: Option<NaiveDate>,
    pub finalised_on: Option<NaiveDate>,
}

/// An action on the work site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionFact {
    pub establishment_id: i64,
    pub date: NaiveDate,
    pub kind: String,
    pub worker_id: Option<i64>,
    pub workers: Option<i64>,
}

/// A line of the PDP follow-up (retention.csv): an item, or `case_opened` / `case_closed`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetentionFact {
    pub worker_id: i64,
    pub date: NaiveDate,
    pub item: String,
    pub partner: String,
}

/// Everything the indicators of a year read. Appointments are those dated up to the end of
/// the year; the other facts are complete.
#[derive(Debug, Clone, Default)]
pub struct IndicatorFacts {
    /// Sector codes, in list order.
    pub sectors: Vec<String>,
    /// Team codes with their sector, in list order.
    pub teams: Vec<(String, String)>,
    pub members: Vec<MemberFact>,
    pub declared: Vec<DeclaredLine>,
    pub employments: Vec<EmploymentFact>,
    pub appointments: Vec<AppointmentFact>,
    pub slots: Vec<SlotFact>,
    pub sheets: Vec<SheetFact>,
    pub actions: Vec<ActionFact>,
    pub retention: Vec<RetentionFact>,
}
