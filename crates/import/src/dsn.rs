//! DSN payroll files (norme NEODeS, DATA-FORMATS.md): one rubrique per line,
//! `Sxx.Gxx.xx.xxx,'value'`, read into declarations of one establishment and month, then
//! mapped to the workers, stoppages and hardship factors the service follows.

use chrono::{Datelike, NaiveDate};
use domain::company::{Contract, Sex};
use domain::identifiers::nir_key;
use serde::Serialize;
use thiserror::Error;

/// A file that cannot be applied: the line and the reason. Nothing of it is written.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize)]
#[error("ligne {line} : {reason}")]
pub struct DsnError {
    pub line: usize,
    pub reason: String,
}

/// One declaration: an establishment's month.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DsnDeclaration {
    /// First day of the month declared.
    pub month: Option<NaiveDate>,
    pub siren: String,
    pub nic: String,
    pub apen: String,
    pub apet: String,
    pub spst_id: String,
    pub individuals: Vec<DsnIndividual>,
}

impl DsnDeclaration {
    pub fn siret(&self) -> String {
        format!("{}{}", self.siren, self.nic)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DsnIndividual {
    pub line: usize,
    /// The 13 characters of the file.
    pub nir13: String,
    pub last_name: String,
    pub first_names: String,
    pub sex: Option<Sex>,
    pub birth_date: Option<NaiveDate>,
    pub email: Option<String>,
    pub contracts: Vec<DsnContract>,
    pub stoppages: Vec<DsnStoppage>,
    /// Hardship factors (S21.G00.34.001) of the individual's block.
    pub hardship: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DsnContract {
    pub line: usize,
    pub start: Option<NaiveDate>,
    pub pcs_ese: Option<String>,
    pub job_title: Option<String>,
    pub nature: String,
    pub dispositif: String,
    pub planned_end: Option<NaiveDate>,
    /// Last day in the company (S21.G00.62.001).
    pub end: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DsnStoppage {
    pub line: usize,
    pub reason: String,
    pub last_day_worked: Option<NaiveDate>,
    pub planned_end: Option<NaiveDate>,
    pub returned_on: Option<NaiveDate>,
    pub return_reason: Option<String>,
}

/// UTF-8 when the bytes are valid UTF-8, else ISO-8859-1.
fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => encoding_rs::WINDOWS_1252.decode(bytes).0.into_owned(),
    }
}

fn dsn_date(value: &str, line: usize) -> Result<NaiveDate, DsnError> {
    NaiveDate::parse_from_str(value, "%d%m%Y")
        .ok()
        .filter(|_| value.len() == 8)
        .ok_or_else(|| DsnError {
            line,
            reason: format!("date impossible « {value} » (attendu JJMMAAAA)"),
        })
}

/// Splits `S21.G00.30.001,'value'` into the rubrique and its value.
fn rubrique(text: &str, line: usize) -> Result<(&str, &str), DsnError> {
    let misshapen = || DsnError {
        line,
        reason: "ligne mal formée (attendu Sxx.Gxx.xx.xxx,'valeur')".into(),
    };
    let (code, rest) = text.split_once(',').ok_or_else(misshapen)?;
    let shaped = code.len() == 14
        && code.starts_with('S')
        && code.as_bytes().iter().enumerate().all(|(i, b)| match i {
            0 => true,
            3 | 7 | 10 => *b == b'.',
            4 => *b == b'G',
            _ => b.is_ascii_digit(),
        });
    let first = rest.find('\'').ok_or_else(misshapen)?;
    let last = rest.rfind('\'').ok_or_else(misshapen)?;
    if !shaped || first != 0 || last <= first || !rest[last + 1..].trim().is_empty() {
        return Err(misshapen());
    }
    Ok((code, &rest[first + 1..last]))
}

/// Reads a DSN file into its declarations. A misshapen line or an impossible date fails the
/// whole file, with its line number.
pub fn parse_dsn(bytes: &[u8]) -> Result<Vec<DsnDeclaration>, DsnError> {
    let text = decode(bytes);
    let mut declarations: Vec<DsnDeclaration> = Vec::new();
    for (index, raw) in text.split('\n').enumerate() {
        let line = index + 1;
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if raw.trim().is_empty() {
            continue;
        }
        let (code, value) = rubrique(raw, line)?;
        let value = value.trim();
        // An empty rubrique says nothing (payroll software write some).
        if value.is_empty() {
            continue;
        }
        let block = &code[..10];
        let field = &code[11..];
        if block == "S20.G00.05" && (field == "001" || declarations.is_empty()) {
            declarations.push(DsnDeclaration::default());
        }
        if !code.starts_with("S21") && block != "S20.G00.05" {
            continue;
        }
        let Some(declaration) = declarations.last_mut() else {
            return Err(DsnError {
                line,
                reason: "rubrique avant le bloc déclaration (S20.G00.05)".into(),
            });
        };
        let outside = |what: &str| DsnError {
            line,
            reason: format!("rubrique {code} hors d'un bloc {what}"),
        };
        match (block, field) {
            ("S20.G00.05", "005") => {
                let date = dsn_date(value, line)?;
                declaration.month = Some(date.with_day(1).expect("day 1 exists"));
            }
            ("S21.G00.06", "001") => declaration.siren = value.to_string(),
            ("S21.G00.06", "003") => declaration.apen = value.to_string(),
            ("S21.G00.11", "001") => declaration.nic = value.to_string(),
            ("S21.G00.11", "002") => declaration.apet = value.to_string(),
            ("S21.G00.11", "025") => declaration.spst_id = value.to_string(),
            ("S21.G00.30", "001") => declaration.individuals.push(DsnIndividual {
                line,
                nir13: value.to_uppercase(),
                ..DsnIndividual::default()
            }),
            ("S21.G00.30", _)
            | ("S21.G00.40", _)
            | ("S21.G00.62", _)
            | ("S21.G00.60", _)
            | ("S21.G00.34", _) => {
                let individual = declaration
                    .individuals
                    .last_mut()
                    .ok_or_else(|| outside("individu (S21.G00.30)"))?;
                read_individual_rubrique(individual, block, field, value, line)?;
            }
            _ => {}
        }
    }
    if declarations.is_empty() {
        return Err(DsnError {
            line: 1,
            reason: "aucun bloc déclaration (S20.G00.05) : ce n'est pas un fichier DSN".into(),
        });
    }
    for declaration in &declarations {
        if declaration.month.is_none() {
            return Err(DsnError {
                line: 1,
                reason: "mois déclaré (S20.G00.05.005) absent".into(),
            });
        }
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(&declaration.siren, 9) || !digits(&declaration.nic, 5) {
            return Err(DsnError {
                line: 1,
                reason: "SIREN (S21.G00.06.001) ou NIC (S21.G00.11.001) absent ou mal formé".into(),
            });
        }
    }
    Ok(declarations)
}

fn read_individual_rubrique(
    individual: &mut DsnIndividual,
    block: &str,
    field: &str,
    value: &str,
    line: usize,
) -> Result<(), DsnError> {
    let outside = |what: &str| DsnError {
        line,
        reason: format!("rubrique {block}.{field} hors d'un bloc {what}"),
    };
    let optional = |v: &str| (!v.is_empty()).then(|| v.to_string());
    match (block, field) {
        ("S21.G00.30", "002") => individual.last_name = value.to_string(),
        ("S21.G00.30", "004") => individual.first_names = value.to_string(),
        ("S21.G00.30", "005") => {
            individual.sex = match value {
                "01" => Some(Sex::Male),
                "02" => Some(Sex::Female),
                other => {
                    return Err(DsnError {
                        line,
                        reason: format!("sexe « {other} » inconnu (attendu 01 ou 02)"),
                    });
                }
            }
        }
        ("S21.G00.30", "006") => individual.birth_date = Some(dsn_date(value, line)?),
        ("S21.G00.30", "018") => individual.email = optional(value),
        ("S21.G00.40", "001") => individual.contracts.push(DsnContract {
            line,
            start: Some(dsn_date(value, line)?),
            ..DsnContract::default()
        }),
        ("S21.G00.40", _) | ("S21.G00.62", _) => {
            let contract = individual
                .contracts
                .last_mut()
                .ok_or_else(|| outside("contrat (S21.G00.40)"))?;
            match (block, field) {
                ("S21.G00.40", "004") => contract.pcs_ese = optional(value),
                ("S21.G00.40", "006") => contract.job_title = optional(value),
                ("S21.G00.40", "007") => contract.nature = value.to_string(),
                ("S21.G00.40", "008") => contract.dispositif = value.to_string(),
                ("S21.G00.40", "010") => contract.planned_end = Some(dsn_date(value, line)?),
                ("S21.G00.62", "001") => contract.end = Some(dsn_date(value, line)?),
                _ => {}
            }
        }
        ("S21.G00.60", "001") => individual.stoppages.push(DsnStoppage {
            line,
            reason: value.to_string(),
            ..DsnStoppage::default()
        }),
        ("S21.G00.60", _) => {
            let stoppage = individual
                .stoppages
                .last_mut()
                .ok_or_else(|| outside("arrêt de travail (S21.G00.60)"))?;
            match field {
                "002" => stoppage.last_day_worked = Some(dsn_date(value, line)?),
                "003" => stoppage.planned_end = Some(dsn_date(value, line)?),
                "010" => stoppage.returned_on = Some(dsn_date(value, line)?),
                "011" => stoppage.return_reason = optional(value),
                _ => {}
            }
        }
        ("S21.G00.34", "001") => individual.hardship.push(value.to_string()),
        _ => {}
    }
    Ok(())
}

/// The contract code of workers.csv for a DSN contract.
pub fn contract_of(nature: &str, dispositif: &str) -> Contract {
    if matches!(dispositif, "64" | "65" | "81") {
        return Contract::Apprentice;
    }
    match nature {
        "01" | "07" | "09" | "82" | "91" => Contract::Cdi,
        "02" | "10" | "92" => Contract::Cdd,
        "03" | "08" => Contract::Interim,
        _ => Contract::Other,
    }
}

/// The leave reason of the regulation engine, `None` for a reason without a follow-up rule.
pub fn leave_reason_of(reason: &str) -> Option<&'static str> {
    match reason {
        "01" | "04" => Some("sickness"),
        "02" => Some("maternity"),
        "05" => Some("occupational_disease"),
        "06" => Some("work_accident"),
        _ => None,
    }
}

/// Exposure codes set by hardship factors: night work and hyperbaric environments.
pub fn exposure_of_factor(factor: &str) -> Option<&'static str> {
    match factor {
        "08" => Some("night_worker"),
        "05" => Some("hyperbaric"),
        _ => None,
    }
}

/// The French name of a hardship factor, as shown to the doctor.
pub fn factor_label(factor: &str) -> &'static str {
    match factor {
        "05" => "activités en milieu hyperbare",
        "06" => "températures extrêmes",
        "07" => "bruit",
        "08" => "travail de nuit",
        "09" => "travail en équipes successives alternantes",
        "10" => "travail répétitif",
        _ => "facteur de pénibilité",
    }
}

/// The full NIR: the 13 characters and their key; an error names the individual's line.
pub fn full_nir(individual: &DsnIndividual) -> Result<String, DsnError> {
    let key = (individual.nir13.len() == 13)
        .then(|| nir_key(&individual.nir13))
        .flatten()
        .ok_or_else(|| DsnError {
            line: individual.line,
            reason: "NIR (S21.G00.30.001) mal formé : 13 caractères attendus".into(),
        })?;
    Ok(format!("{}{key:02}", individual.nir13))
}

/// The sex of an individual: the rubrique, else the NIR's first digit.
pub fn sex_of(individual: &DsnIndividual) -> Option<Sex> {
    individual
        .sex
        .or(match individual.nir13.as_bytes().first() {
            Some(b'1') | Some(b'3') | Some(b'7') => Some(Sex::Male),
            Some(b'2') | Some(b'4') | Some(b'8') => Some(Sex::Female),
            _ => None,
        })
}

/// The year a DSN month belongs to.
pub fn declaration_year(declaration: &DsnDeclaration) -> i32 {
    declaration.month.map_or(0, |m| m.year())
}

fn line_error(line: usize, reason: impl Into<String>) -> DsnError {
    DsnError {
        line,
        reason: reason.into(),
    }
}

/// A declaration mapped to the workers' lines, stoppages and factors (DATA-FORMATS.md).
pub fn payroll_month(
    declaration: &DsnDeclaration,
) -> Result<domain::exchange::PayrollMonth, DsnError> {
    use domain::exchange::{PayrollMonth, PayrollStoppage, PayrollWorker};
    let month = declaration
        .month
        .ok_or_else(|| line_error(1, "mois déclaré (S20.G00.05.005) absent"))?;
    let mut workers = Vec::new();
    let mut stoppages = Vec::new();
    for individual in &declaration.individuals {
        let nir = full_nir(individual)?;
        let mut exposures: Vec<String> = individual
            .hardship
            .iter()
            .filter_map(|f| exposure_of_factor(f))
            .map(str::to_string)
            .collect();
        exposures.sort_unstable();
        exposures.dedup();
        let some = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
        for contract in &individual.contracts {
            let hired_on = contract
                .start
                .ok_or_else(|| line_error(contract.line, "date de début du contrat absente"))?;
            workers.push(PayrollWorker {
                line: individual.line,
                nir: nir.clone(),
                last_name: some(&individual.last_name),
                first_name: some(&individual.first_names),
                sex: sex_of(individual),
                birth_date: individual.birth_date,
                email: individual.email.clone(),
                hired_on,
                job_title: contract.job_title.clone(),
                pcs_ese: contract.pcs_ese.clone(),
                contract: contract_of(&contract.nature, &contract.dispositif),
                left_on: contract.end,
                exposures: exposures.clone(),
                cancels_hardship: individual.hardship.iter().any(|f| f == "99"),
                hardship: individual.hardship.clone(),
            });
        }
        // A stoppage belongs to the individual's contract that started last.
        let latest_start = individual.contracts.iter().filter_map(|c| c.start).max();
        for stoppage in &individual.stoppages {
            let hired_on = latest_start.ok_or_else(|| {
                line_error(stoppage.line, "arrêt de travail sans contrat (S21.G00.40)")
            })?;
            let last_day = stoppage.last_day_worked.ok_or_else(|| {
                line_error(
                    stoppage.line,
                    "dernier jour travaillé (S21.G00.60.002) absent",
                )
            })?;
            stoppages.push(PayrollStoppage {
                line: stoppage.line,
                nir: nir.clone(),
                hired_on,
                reason: leave_reason_of(&stoppage.reason)
                    .unwrap_or("other")
                    .to_string(),
                start: last_day.succ_opt().unwrap_or(last_day),
                end: stoppage.planned_end,
                returned_on: stoppage.returned_on,
            });
        }
    }
    Ok(PayrollMonth {
        siret: declaration.siret(),
        month,
        workers,
        stoppages,
    })
}

/// Reads a DSN file into its establishments' months.
pub fn read_payroll(bytes: &[u8]) -> Result<Vec<domain::exchange::PayrollMonth>, DsnError> {
    parse_dsn(bytes)?.iter().map(payroll_month).collect()
}
