//! One line of each exchange file read into its typed row, and written back: the checks
//! that need no database (codes, dates, identifiers), the columns in export order.

use chrono::NaiveDate;
use domain::company::{CompanyKind, Contract, Sex, StrikeOffReason};
use domain::exchange::{
    APPOINTMENT_STATUSES, AppointmentRow, CentreRow, CompanyRow, ProfessionalRow, RETENTION_EVENTS,
    RetentionRow, RiskSheetRow, SectorRow, SlotRow, TeamRow, WorkerRow, WorkplaceActionRow,
    visit_subtypes,
};
use domain::followup::{self, FollowUp};
use domain::identifiers::{validate_nir, validate_siret};
use domain::org::ProfessionalRole;
use domain::prevention::actions::ACTION_TYPES;
use domain::prevention::pdp::{ADVICE_TYPES, PARTNERS};
use domain::rules::VISIT_KINDS;

use crate::csv_file::{CellError, Record};

/// A row of an exchange file: read from a line, written back as cells in the order of
/// `FileKind::columns`, and identified by its natural key.
pub trait ExchangeRow: Sized {
    /// The column named in a duplicate-key message.
    const KEY_COLUMN: &'static str;
    fn parse(record: &Record) -> Result<Self, CellError>;
    fn cells(&self) -> Vec<String>;
    fn key(&self) -> String;
}

fn text(value: Option<&str>) -> String {
    value.unwrap_or_default().to_string()
}

fn owned(value: Option<&str>) -> Option<String> {
    value.map(str::to_string)
}

fn date_cell(date: Option<NaiveDate>) -> String {
    date.map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

fn flag(value: bool) -> String {
    if value { "1" } else { "0" }.to_string()
}

fn codes_of(list: &[(&'static str, &'static str)]) -> Vec<&'static str> {
    list.iter().map(|(code, _)| *code).collect()
}

fn siret(record: &Record, column: &str) -> Result<String, CellError> {
    let value = record.required(column)?;
    validate_siret(value).map_err(|e| record.error(column, e.to_string()))?;
    Ok(value.to_string())
}

fn optional_siret(record: &Record, column: &str) -> Result<Option<String>, CellError> {
    match record.get(column) {
        None => Ok(None),
        Some(_) => siret(record, column).map(Some),
    }
}

/// A NAF code as the nomenclature writes it (`47.11D`), also read without its dot
/// (`4711D`, as payroll files give it).
pub fn dotted_naf(code: &str) -> String {
    let code = code.trim().to_uppercase();
    if code.len() == 5 && code.is_ascii() && !code.contains('.') {
        format!("{}.{}", &code[..2], &code[2..])
    } else {
        code
    }
}

/// A code that must be given, among `allowed`.
fn required_code<'r>(
    record: &'r Record,
    column: &str,
    allowed: &[&str],
) -> Result<&'r str, CellError> {
    record
        .code(column, allowed)?
        .ok_or_else(|| record.error(column, "valeur obligatoire"))
}

impl ExchangeRow for SectorRow {
    const KEY_COLUMN: &'static str = "sector";
    fn parse(r: &Record) -> Result<Self, CellError> {
        Ok(SectorRow {
            sector: r.required("sector")?.to_string(),
            name: r.required("name")?.to_string(),
        })
    }
    fn cells(&self) -> Vec<String> {
        vec![self.sector.clone(), self.name.clone()]
    }
    fn key(&self) -> String {
        self.sector.clone()
    }
}

impl ExchangeRow for TeamRow {
    const KEY_COLUMN: &'static str = "team";
    fn parse(r: &Record) -> Result<Self, CellError> {
        Ok(TeamRow {
            team: r.required("team")?.to_string(),
            name: r.required("name")?.to_string(),
            sector: r.required("sector")?.to_string(),
        })
    }
    fn cells(&self) -> Vec<String> {
        vec![self.team.clone(), self.name.clone(), self.sector.clone()]
    }
    fn key(&self) -> String {
        self.team.clone()
    }
}

impl ExchangeRow for CentreRow {
    const KEY_COLUMN: &'static str = "centre";
    fn parse(r: &Record) -> Result<Self, CellError> {
        Ok(CentreRow {
            centre: r.required("centre")?.to_string(),
            name: r.required("name")?.to_string(),
            sector: r.required("sector")?.to_string(),
            address: text(r.get("address")),
            postcode: text(r.get("postcode")),
            city: text(r.get("city")),
        })
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.centre.clone(),
            self.name.clone(),
            self.sector.clone(),
            self.address.clone(),
            self.postcode.clone(),
            self.city.clone(),
        ]
    }
    fn key(&self) -> String {
        self.centre.clone()
    }
}

impl ExchangeRow for ProfessionalRow {
    const KEY_COLUMN: &'static str = "professional_ref";
    fn parse(r: &Record) -> Result<Self, CellError> {
        let roles: Vec<&str> = ProfessionalRole::ALL.iter().map(|r| r.code()).collect();
        let role = required_code(r, "role", &roles)?;
        Ok(ProfessionalRow {
            professional_ref: r.required("professional_ref")?.to_string(),
            last_name: r.required("last_name")?.to_string(),
            first_name: r.required("first_name")?.to_string(),
            role: ProfessionalRole::from_code(role).expect("checked code"),
            team: owned(r.get("team")),
            email: owned(r.get("email")),
        })
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.professional_ref.clone(),
            self.last_name.clone(),
            self.first_name.clone(),
            self.role.code().to_string(),
            self.team.clone().unwrap_or_default(),
            self.email.clone().unwrap_or_default(),
        ]
    }
    fn key(&self) -> String {
        self.professional_ref.clone()
    }
}

impl ExchangeRow for CompanyRow {
    const KEY_COLUMN: &'static str = "siret";
    fn parse(r: &Record) -> Result<Self, CellError> {
        let kind = required_code(r, "kind", &CompanyKind::codes())?;
        let reason = r.code("strike_off_reason", &StrikeOffReason::codes())?;
        let joined_on = r.required_date("joined_on")?;
        let struck_off_on = r.date("struck_off_on")?;
        if struck_off_on.is_some() != reason.is_some() {
            let column = if reason.is_none() {
                "strike_off_reason"
            } else {
                "struck_off_on"
            };
            return Err(r.error(
                column,
                "la date et le motif de radiation vont ensemble (les deux ou aucun)",
            ));
        }
        if struck_off_on.is_some_and(|d| d < joined_on) {
            return Err(r.error("struck_off_on", "radiation antérieure à l'adhésion"));
        }
        let naf_code = r.get("naf_code").map(dotted_naf);
        if let Some(naf) = &naf_code {
            domain::naf::validate_naf(naf).map_err(|e| r.error("naf_code", e))?;
        }
        Ok(CompanyRow {
            siret: siret(r, "siret")?,
            name: r.required("name")?.to_string(),
            naf_code,
            sector: r.required("sector")?.to_string(),
            team: owned(r.get("team")),
            kind: CompanyKind::from_code(kind).expect("checked code"),
            joined_on,
            struck_off_on,
            strike_off_reason: reason.and_then(StrikeOffReason::from_code),
            address: text(r.get("address")),
            postcode: text(r.get("postcode")),
            city: text(r.get("city")),
            email: owned(r.get("email")),
            phone: owned(r.get("phone")),
        })
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.siret.clone(),
            self.name.clone(),
            self.naf_code.clone().unwrap_or_default(),
            self.sector.clone(),
            self.team.clone().unwrap_or_default(),
            self.kind.code().to_string(),
            date_cell(Some(self.joined_on)),
            date_cell(self.struck_off_on),
            self.strike_off_reason
                .map(|r| r.code().to_string())
                .unwrap_or_default(),
            self.address.clone(),
            self.postcode.clone(),
            self.city.clone(),
            self.email.clone().unwrap_or_default(),
            self.phone.clone().unwrap_or_default(),
        ]
    }
    fn key(&self) -> String {
        self.siret.clone()
    }
}

/// The exposure codes of a line, `night_worker` included when flagged, sorted and unique.
pub fn normalised_exposures<'a>(
    codes: impl IntoIterator<Item = &'a str>,
    night_worker: bool,
) -> Vec<String> {
    let mut all: Vec<String> = codes
        .into_iter()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect();
    if night_worker {
        all.push("night_worker".into());
    }
    all.sort_unstable();
    all.dedup();
    all
}

impl ExchangeRow for WorkerRow {
    const KEY_COLUMN: &'static str = "worker_ref";
    fn parse(r: &Record) -> Result<Self, CellError> {
        let sex = required_code(r, "sex", &Sex::codes())?;
        let contract = required_code(r, "contract", &Contract::codes())?;
        let category = required_code(r, "category", &["SIS", "SIA", "SIR"])?;
        let nir = r.get("nir").map(str::to_uppercase);
        if let Some(nir) = &nir {
            validate_nir(nir).map_err(|e| r.error("nir", e.to_string()))?;
        }
        let birth_date = r.required_date("birth_date")?;
        let hired_on = r.required_date("hired_on")?;
        if hired_on < birth_date {
            return Err(r.error("hired_on", "embauche antérieure à la naissance"));
        }
        let left_on = r.date("left_on")?;
        if left_on.is_some_and(|d| d < hired_on) {
            return Err(r.error("left_on", "départ antérieur à l'embauche"));
        }
        let declaration_year = r
            .integer("declaration_year", 1950..=2100)?
            .ok_or_else(|| r.error("declaration_year", "valeur obligatoire"))?;
        let exposures = normalised_exposures(
            r.get("exposures").unwrap_or_default().split('|'),
            r.boolean("night_worker")?.unwrap_or(false),
        );
        followup::check_codes(exposures.iter().map(String::as_str))
            .map_err(|e| r.error("exposures", e))?;
        Ok(WorkerRow {
            worker_ref: r.required("worker_ref")?.to_string(),
            last_name: r.required("last_name")?.to_string(),
            first_name: r.required("first_name")?.to_string(),
            sex: Sex::from_code(sex).expect("checked code"),
            birth_date,
            nir,
            email: owned(r.get("email")),
            mobile: owned(r.get("mobile")),
            siret: siret(r, "siret")?,
            job_title: text(r.get("job_title")),
            pcs_ese: owned(r.get("pcs_ese")),
            hired_on,
            left_on,
            contract: Contract::from_code(contract).expect("checked code"),
            declaration_year,
            category: FollowUp::from_code(category).expect("checked code"),
            exposures,
        })
    }
    fn cells(&self) -> Vec<String> {
        let night = self.exposures.iter().any(|c| c == "night_worker");
        let others: Vec<&str> = self
            .exposures
            .iter()
            .map(String::as_str)
            .filter(|c| *c != "night_worker")
            .collect();
        vec![
            self.worker_ref.clone(),
            self.last_name.clone(),
            self.first_name.clone(),
            self.sex.code().to_string(),
            date_cell(Some(self.birth_date)),
            self.nir.clone().unwrap_or_default(),
            self.email.clone().unwrap_or_default(),
            self.mobile.clone().unwrap_or_default(),
            self.siret.clone(),
            self.job_title.clone(),
            self.pcs_ese.clone().unwrap_or_default(),
            date_cell(Some(self.hired_on)),
            date_cell(self.left_on),
            self.contract.code().to_string(),
            flag(night),
            self.declaration_year.to_string(),
            self.category.code().to_string(),
            others.join("|"),
        ]
    }
    fn key(&self) -> String {
        format!(
            "{} {} {} {}",
            self.worker_ref, self.siret, self.hired_on, self.declaration_year
        )
    }
}

impl ExchangeRow for AppointmentRow {
    const KEY_COLUMN: &'static str = "appointment_ref";
    fn parse(r: &Record) -> Result<Self, CellError> {
        let kind = required_code(r, "kind", &VISIT_KINDS)?;
        let (subtypes, required) = visit_subtypes(kind);
        let subtype = r.code("subtype", subtypes)?;
        if required && subtype.is_none() {
            return Err(r.error(
                "subtype",
                format!(
                    "valeur obligatoire pour {kind} (attendu : {})",
                    subtypes.join(", ")
                ),
            ));
        }
        let outcomes = codes_of(&domain::medical::OUTCOMES);
        Ok(AppointmentRow {
            appointment_ref: r.required("appointment_ref")?.to_string(),
            worker_ref: r.required("worker_ref")?.to_string(),
            siret: optional_siret(r, "siret")?,
            date: r.required_date("date")?,
            time: r.time("time")?,
            duration_min: r
                .integer("duration_min", 5..=480)?
                .ok_or_else(|| r.error("duration_min", "valeur obligatoire"))?,
            kind: kind.to_string(),
            subtype: text(subtype),
            performer: required_code(r, "performer", &["doctor", "nurse"])?.to_string(),
            professional_ref: owned(r.get("professional_ref")),
            centre: owned(r.get("centre")),
            status: required_code(r, "status", &APPOINTMENT_STATUSES)?.to_string(),
            teleconsultation: r.boolean("teleconsultation")?.unwrap_or(false),
            experimental: r.boolean("experimental")?.unwrap_or(false),
            outcome: r.code("outcome", &outcomes)?.unwrap_or("none").to_string(),
        })
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.appointment_ref.clone(),
            self.worker_ref.clone(),
            self.siret.clone().unwrap_or_default(),
            date_cell(Some(self.date)),
            self.time.clone().unwrap_or_default(),
            self.duration_min.to_string(),
            self.kind.clone(),
            self.subtype.clone(),
            self.performer.clone(),
            self.professional_ref.clone().unwrap_or_default(),
            self.centre.clone().unwrap_or_default(),
            self.status.clone(),
            flag(self.teleconsultation),
            flag(self.experimental),
            self.outcome.clone(),
        ]
    }
    fn key(&self) -> String {
        self.appointment_ref.clone()
    }
}

impl ExchangeRow for SlotRow {
    const KEY_COLUMN: &'static str = "professional_ref";
    fn parse(r: &Record) -> Result<Self, CellError> {
        Ok(SlotRow {
            professional_ref: r.required("professional_ref")?.to_string(),
            centre: r.required("centre")?.to_string(),
            date: r.required_date("date")?,
            time: r
                .time("time")?
                .ok_or_else(|| r.error("time", "valeur obligatoire"))?,
            duration_min: r
                .integer("duration_min", 5..=480)?
                .ok_or_else(|| r.error("duration_min", "valeur obligatoire"))?,
        })
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.professional_ref.clone(),
            self.centre.clone(),
            date_cell(Some(self.date)),
            self.time.clone(),
            self.duration_min.to_string(),
        ]
    }
    fn key(&self) -> String {
        format!("{} {} {}", self.professional_ref, self.date, self.time)
    }
}

impl ExchangeRow for RiskSheetRow {
    const KEY_COLUMN: &'static str = "started_on";
    fn parse(r: &Record) -> Result<Self, CellError> {
        let started_on = r.required_date("started_on")?;
        let finalised_on = r.date("finalised_on")?;
        let delivered_on = r.date("delivered_on")?;
        if finalised_on.is_some_and(|d| d < started_on) {
            return Err(r.error("finalised_on", "finalisée avant d'être commencée"));
        }
        if let Some(delivered) = delivered_on {
            match finalised_on {
                None => {
                    return Err(r.error(
                        "delivered_on",
                        "une fiche remise doit avoir une date de finalisation",
                    ));
                }
                Some(finalised) if delivered < finalised => {
                    return Err(r.error("delivered_on", "remise avant d'être finalisée"));
                }
                _ => {}
            }
        }
        Ok(RiskSheetRow {
            siret: siret(r, "siret")?,
            started_on,
            finalised_on,
            delivered_on,
            author_ref: r.required("author_ref")?.to_string(),
        })
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.siret.clone(),
            date_cell(Some(self.started_on)),
            date_cell(self.finalised_on),
            date_cell(self.delivered_on),
            self.author_ref.clone(),
        ]
    }
    fn key(&self) -> String {
        format!("{} {}", self.siret, self.started_on)
    }
}

impl ExchangeRow for WorkplaceActionRow {
    const KEY_COLUMN: &'static str = "action_ref";
    fn parse(r: &Record) -> Result<Self, CellError> {
        let action_type = required_code(r, "type", &codes_of(&ACTION_TYPES))?;
        Ok(WorkplaceActionRow {
            action_ref: r.required("action_ref")?.to_string(),
            siret: siret(r, "siret")?,
            date: r.required_date("date")?,
            action_type: action_type.to_string(),
            worker_ref: owned(r.get("worker_ref")),
            workers: r.integer("workers", 0..=100_000)?,
            author_ref: r.required("author_ref")?.to_string(),
        })
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.action_ref.clone(),
            self.siret.clone(),
            date_cell(Some(self.date)),
            self.action_type.clone(),
            self.worker_ref.clone().unwrap_or_default(),
            self.workers.map(|n| n.to_string()).unwrap_or_default(),
            self.author_ref.clone(),
        ]
    }
    fn key(&self) -> String {
        self.action_ref.clone()
    }
}

impl ExchangeRow for RetentionRow {
    const KEY_COLUMN: &'static str = "item_ref";
    fn parse(r: &Record) -> Result<Self, CellError> {
        let mut items = codes_of(&ADVICE_TYPES);
        items.extend(RETENTION_EVENTS);
        let item = required_code(r, "item", &items)?;
        let partner = r.code("partner", &codes_of(&PARTNERS))?;
        match (item, partner) {
            ("referral", None) => {
                return Err(r.error("partner", "partenaire obligatoire pour une orientation"));
            }
            (item, Some(_)) if item != "referral" => {
                return Err(r.error(
                    "partner",
                    "le partenaire ne se renseigne que pour une orientation (referral)",
                ));
            }
            _ => {}
        }
        Ok(RetentionRow {
            item_ref: r.required("item_ref")?.to_string(),
            worker_ref: r.required("worker_ref")?.to_string(),
            date: r.required_date("date")?,
            item: item.to_string(),
            partner: owned(partner),
        })
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.item_ref.clone(),
            self.worker_ref.clone(),
            date_cell(Some(self.date)),
            self.item.clone(),
            self.partner.clone().unwrap_or_default(),
        ]
    }
    fn key(&self) -> String {
        self.item_ref.clone()
    }
}
