//! Yearly workforce declarations: opening one (pre-filled from last year), setting a worker's
//! exposures (the category is computed by the domain rules at the declaration's date),
//! declaring hires and departures at any time.

use chrono::{Datelike, NaiveDate};
use domain::company::{Contract, Sex};
use domain::followup::{FollowUp, check_codes, compute_category};
use domain::identifiers::validate_nir;
use serde::Deserialize;
use store::{Actor, Declaration, DeclarationStatus, Establishment, NewEmployment, NewWorker};

use super::{optional_email, parse_date, parse_optional_date, required, today};
use crate::error::AppError;
use crate::pages::non_empty;
use crate::state::AppState;

/// The date at which a declaration of `year` computes categories: today within the year,
/// else the year's first or last day.
pub fn category_date(year: i32, today: NaiveDate) -> NaiveDate {
    let first = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(today);
    let last = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(today);
    today.clamp(first, last)
}

fn age_on(birth: NaiveDate, day: NaiveDate) -> u32 {
    day.years_since(birth).unwrap_or(0)
}

/// The category of a worker born on `birth` with these codes, on `day`.
pub fn category_for(codes: &[String], birth: NaiveDate, day: NaiveDate) -> FollowUp {
    let minor = age_on(birth, day) < 18;
    compute_category(codes.iter().map(String::as_str), minor, day).0
}

/// Years a declaration may concern: from the service's start of records to next year.
pub fn check_year(year: i32) -> Result<i32, AppError> {
    let current = today().year();
    if (2000..=current + 1).contains(&year) {
        Ok(year)
    } else {
        Err(AppError::invalid(
            "Année",
            format!(
                "{year} hors de la période possible (2000 à {})",
                current + 1
            ),
        ))
    }
}

/// The declaration to work on: the current draft, or a new version (a correction of the
/// submitted one, or a first one pre-filled from last year and the current employments).
pub async fn open_declaration(
    state: &AppState,
    actor: &Actor,
    establishment: &Establishment,
    year: i32,
) -> Result<Declaration, AppError> {
    check_year(year)?;
    if let Some(off) = establishment.struck_off_on
        && off <= today()
    {
        return Err(AppError::invalid(
            "Déclaration",
            format!(
                "l'établissement {} est radié depuis le {} : aucune déclaration possible",
                establishment.siret,
                off.format("%d/%m/%Y")
            ),
        ));
    }
    let db = state.db();
    let latest = db.find_latest_declaration(establishment.id, year).await?;
    let lines: Vec<(i64, Vec<String>, FollowUp)> = match latest {
        Some(d) if d.status == DeclarationStatus::Draft => return Ok(d),
        Some(d) => d
            .lines
            .iter()
            .map(|l| (l.employment_id, l.exposures.clone(), l.category))
            .collect(),
        None => {
            let previous = db
                .find_latest_declaration(establishment.id, year - 1)
                .await?;
            let day = category_date(year, today());
            let mut lines = Vec::new();
            for employment in db.list_employments_in_year(establishment.id, year).await? {
                let exposures = previous
                    .as_ref()
                    .and_then(|p| p.lines.iter().find(|l| l.employment_id == employment.id))
                    .map(|l| l.exposures.clone())
                    .unwrap_or_default();
                let worker = db.find_worker(employment.worker_id).await?;
                lines.push((
                    employment.id,
                    exposures.clone(),
                    category_for(&exposures, worker.birth_date, day),
                ));
            }
            lines
        }
    };
    let id = db
        .create_declaration_draft(actor, establishment.id, year, &lines)
        .await?;
    Ok(db.find_declaration(id).await?)
}

/// Sets a worker's exposures in a draft; the category follows from the rules.
pub async fn set_exposures(
    state: &AppState,
    actor: &Actor,
    declaration: &Declaration,
    employment_id: i64,
    codes: Vec<String>,
) -> Result<FollowUp, AppError> {
    check_codes(codes.iter().map(String::as_str))
        .map_err(|m| AppError::invalid("Expositions", m))?;
    let db = state.db();
    let employment = db.find_employment(employment_id).await?;
    if employment.establishment_id != declaration.establishment_id {
        return Err(AppError::NotFound);
    }
    let worker = db.find_worker(employment.worker_id).await?;
    let category = category_for(
        &codes,
        worker.birth_date,
        category_date(declaration.year, today()),
    );
    db.set_declaration_line(actor, declaration.id, employment_id, &codes, category)
        .await?;
    Ok(category)
}

/// A hire, as typed in the portal or by staff.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct HireForm {
    #[serde(default)]
    pub last_name: String,
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub sex: String,
    #[serde(default)]
    pub birth_date: String,
    #[serde(default)]
    pub nir: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub job_title: String,
    #[serde(default)]
    pub contract: String,
    #[serde(default)]
    pub hired_on: String,
    /// Codes, as several `exposures` fields or one `|`-separated field.
    #[serde(default)]
    pub exposures: Vec<String>,
}

/// Splits the codes of checkboxes and `|`-separated fields.
pub fn codes_of(values: &[String]) -> Vec<String> {
    let mut codes: Vec<String> = values
        .iter()
        .flat_map(|v| v.split('|'))
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .collect();
    codes.sort();
    codes.dedup();
    codes
}

fn new_worker_ref() -> String {
    let token = crate::secrets::random_token()
        .to_uppercase()
        .replace(['-', '_'], "X");
    format!("W{}", &token[..11])
}

/// Records a new hire: the worker, the employment, and the line of the year's draft when
/// one is open. Returns the employment.
pub async fn declare_hire(
    state: &AppState,
    actor: &Actor,
    establishment: &Establishment,
    form: &HireForm,
) -> Result<i64, AppError> {
    if establishment
        .struck_off_on
        .is_some_and(|off| off <= today())
    {
        return Err(AppError::invalid("Embauche", "l'établissement est radié"));
    }
    let birth_date = parse_date("Date de naissance", &form.birth_date)?;
    if birth_date > today() {
        return Err(AppError::invalid("Date de naissance", "dans le futur"));
    }
    let hired_on = parse_date("Date d'embauche", &form.hired_on)?;
    if hired_on < birth_date {
        return Err(AppError::invalid(
            "Date d'embauche",
            "antérieure à la date de naissance",
        ));
    }
    let nir = match non_empty(&form.nir) {
        Some(nir) => {
            let nir = nir.replace(' ', "").to_uppercase();
            validate_nir(&nir).map_err(|e| AppError::invalid("NIR", e.to_string()))?;
            Some(nir)
        }
        None => None,
    };
    let codes = codes_of(&form.exposures);
    check_codes(codes.iter().map(String::as_str))
        .map_err(|m| AppError::invalid("Expositions", m))?;
    let worker = NewWorker {
        worker_ref: new_worker_ref(),
        last_name: required("Nom", &form.last_name, 100)?,
        first_name: required("Prénom", &form.first_name, 100)?,
        sex: Sex::from_code(form.sex.trim())
            .ok_or_else(|| AppError::invalid("Sexe", "F ou M attendu"))?,
        birth_date,
        nir,
        email: optional_email("E-mail", &form.email)?,
        mobile: None,
    };
    let employment = NewEmployment {
        establishment_id: establishment.id,
        job_title: required("Poste", &form.job_title, 200)?,
        pcs_ese: None,
        contract: Contract::from_code(form.contract.trim()).ok_or_else(|| {
            AppError::invalid(
                "Contrat",
                format!("attendu : {}", Contract::codes().join(", ")),
            )
        })?,
        hired_on,
        left_on: None,
    };
    let db = state.db();
    let (_, employment_id) = db
        .create_worker_with_employment(actor, &worker, &employment)
        .await?;
    if let Some(draft) = db
        .find_latest_declaration(establishment.id, hired_on.year())
        .await?
        && draft.status == DeclarationStatus::Draft
    {
        set_exposures(state, actor, &draft, employment_id, codes).await?;
    }
    Ok(employment_id)
}

/// Records a departure from an establishment.
pub async fn declare_leaving(
    state: &AppState,
    actor: &Actor,
    establishment: &Establishment,
    employment_id: i64,
    left_on: &str,
) -> Result<(), AppError> {
    let employment = state.db().find_employment(employment_id).await?;
    if employment.establishment_id != establishment.id {
        return Err(AppError::NotFound);
    }
    let left_on = parse_optional_date("Date de sortie", left_on)?
        .ok_or_else(|| AppError::invalid("Date de sortie", "obligatoire"))?;
    state
        .db()
        .record_leaving(actor, employment_id, left_on)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn category_date_stays_within_the_year() {
        assert_eq!(category_date(2025, day(2026, 3, 1)), day(2025, 12, 31));
        assert_eq!(category_date(2026, day(2026, 3, 1)), day(2026, 3, 1));
        assert_eq!(category_date(2027, day(2026, 3, 1)), day(2027, 1, 1));
    }

    #[test]
    fn a_declaration_of_2025_keeps_driving_in_sir_until_the_decree() {
        let codes = vec!["driving_authorisation".to_string()];
        let adult = day(1980, 1, 1);
        assert_eq!(
            category_for(&codes, adult, day(2025, 9, 30)),
            FollowUp::Reinforced
        );
        assert_eq!(
            category_for(&codes, adult, day(2025, 10, 1)),
            FollowUp::Simple
        );
    }

    #[test]
    fn a_minor_is_sia_until_eighteen() {
        let birth = day(2008, 6, 15);
        assert_eq!(
            category_for(&[], birth, day(2026, 6, 14)),
            FollowUp::Adapted
        );
        assert_eq!(category_for(&[], birth, day(2026, 6, 15)), FollowUp::Simple);
    }

    #[test]
    fn codes_from_checkboxes_and_pipes() {
        let values = vec![
            "night_worker|asbestos".to_string(),
            " asbestos ".into(),
            String::new(),
        ];
        assert_eq!(
            codes_of(&values),
            vec!["asbestos".to_string(), "night_worker".into()]
        );
    }
}
