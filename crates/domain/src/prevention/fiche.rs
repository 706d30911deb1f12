//! The fiche d'entreprise (FE): risks by work unit, its states (draft → finalised →
//! delivered), and the coverage the service plans (every establishment with an FE less than
//! 4 years old, every new member with one within a year of joining).

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// The risk families of an FE (stable codes, French labels).
pub const RISK_FAMILIES: [(&str, &str); 14] = [
    ("chemical", "Risque chimique (agents chimiques, CMR)"),
    ("noise", "Bruit"),
    ("vibrations", "Vibrations"),
    ("manual_handling", "Manutention manuelle, port de charges"),
    ("postures", "Postures, gestes répétitifs (TMS)"),
    ("psychosocial", "Risques psychosociaux"),
    ("falls", "Chutes de plain-pied et de hauteur"),
    ("machines", "Machines et outils"),
    ("electrical", "Risque électrique"),
    ("biological", "Agents biologiques"),
    ("thermal", "Ambiances thermiques (chaud, froid)"),
    ("road", "Risque routier"),
    ("screen", "Travail sur écran"),
    ("night_work", "Travail de nuit, horaires atypiques"),
];

pub fn risk_label(code: &str) -> &'static str {
    RISK_FAMILIES
        .iter()
        .find(|(c, _)| *c == code)
        .map_or("", |(_, label)| label)
}

/// One risk of a work unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitRisk {
    pub family: String,
    pub description: String,
    pub exposed: u32,
    pub existing_measures: String,
    pub recommendations: String,
}

/// A work unit (unité de travail) and its risks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkUnit {
    pub name: String,
    pub headcount: u32,
    pub risks: Vec<UnitRisk>,
}

/// Why a work unit cannot be saved, naming the field.
pub fn check_work_unit(unit: &WorkUnit) -> Result<(), String> {
    if unit.name.trim().is_empty() {
        return Err("Unité de travail : nom obligatoire".into());
    }
    if unit.headcount == 0 {
        return Err("Effectif de l'unité : au moins 1".into());
    }
    for risk in &unit.risks {
        if risk_label(&risk.family).is_empty() {
            return Err(format!("Famille de risque : « {} » inconnue", risk.family));
        }
        if risk.exposed > unit.headcount {
            return Err(format!(
                "Salariés exposés ({}) : pas plus que l'effectif de l'unité ({})",
                risk_label(&risk.family),
                unit.headcount
            ));
        }
    }
    Ok(())
}

/// The states of an FE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FicheState {
    Draft,
    Finalised,
    Delivered,
}

impl FicheState {
    pub fn code(self) -> &'static str {
        match self {
            FicheState::Draft => "draft",
            FicheState::Finalised => "finalised",
            FicheState::Delivered => "delivered",
        }
    }

    pub fn parse(code: &str) -> Option<FicheState> {
        match code {
            "draft" => Some(FicheState::Draft),
            "finalised" => Some(FicheState::Finalised),
            "delivered" => Some(FicheState::Delivered),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            FicheState::Draft => "brouillon",
            FicheState::Finalised => "finalisée",
            FicheState::Delivered => "remise à l'employeur",
        }
    }
}

/// May a draft with `units` work units be finalised?
pub fn check_finalise(state: FicheState, units: usize) -> Result<(), String> {
    match state {
        FicheState::Draft if units == 0 => {
            Err("Finalisation : la fiche doit décrire au moins une unité de travail".into())
        }
        FicheState::Draft => Ok(()),
        _ => Err("Finalisation : seule une fiche en brouillon se finalise".into()),
    }
}

/// May the FE be delivered to the employer?
pub fn check_deliver(state: FicheState) -> Result<(), String> {
    match state {
        FicheState::Finalised => Ok(()),
        FicheState::Draft => {
            Err("Remise : une fiche en brouillon ne se remet pas, finalisez-la d'abord".into())
        }
        FicheState::Delivered => Err("Remise : la fiche a déjà été remise".into()),
    }
}

/// Why an establishment is on the coverage plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoverageGap {
    /// A member of less than a year, without an FE yet (due a year after joining).
    NewMember,
    /// No FE at all, member for more than a year.
    Missing,
    /// The last FE was finalised more than 4 years ago.
    Outdated,
}

impl CoverageGap {
    pub fn code(self) -> &'static str {
        match self {
            CoverageGap::NewMember => "new_member",
            CoverageGap::Missing => "missing",
            CoverageGap::Outdated => "outdated",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CoverageGap::NewMember => "nouvel adhérent sans fiche",
            CoverageGap::Missing => "aucune fiche",
            CoverageGap::Outdated => "fiche de plus de 4 ans",
        }
    }
}

fn add_years(date: NaiveDate, years: u32) -> NaiveDate {
    date.checked_add_months(Months::new(12 * years))
        .unwrap_or(NaiveDate::MAX)
}

/// Is the establishment covered at `today`, and if not, why and by when? An FE finalised on
/// D covers until D + 4 years inclusive; a member joined on J is due an FE by J + 1 year.
pub fn coverage_gap(
    today: NaiveDate,
    joined_on: NaiveDate,
    last_finalised: Option<NaiveDate>,
) -> Option<(CoverageGap, NaiveDate)> {
    match last_finalised {
        Some(done) if add_years(done, 4) >= today => None,
        Some(done) => Some((CoverageGap::Outdated, add_years(done, 4))),
        None if add_years(joined_on, 1) >= today => {
            Some((CoverageGap::NewMember, add_years(joined_on, 1)))
        }
        None => Some((CoverageGap::Missing, add_years(joined_on, 1))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn an_fe_covers_four_years_to_the_day() {
        let joined = day(2010, 1, 1);
        let today = day(2026, 11, 29);
        assert_eq!(coverage_gap(today, joined, Some(day(2022, 11, 29))), None);
        assert_eq!(
            coverage_gap(today, joined, Some(day(2022, 11, 28))),
            Some((CoverageGap::Outdated, day(2026, 11, 28)))
        );
        assert_eq!(
            coverage_gap(today, joined, None),
            Some((CoverageGap::Missing, day(2011, 1, 1)))
        );
        // A leap day: four years later is 29 February again.
        assert_eq!(
            coverage_gap(day(2028, 2, 29), joined, Some(day(2024, 2, 29))),
            None
        );
    }

    #[test]
    fn a_new_member_is_due_an_fe_within_a_year() {
        let today = day(2026, 11, 29);
        assert_eq!(
            coverage_gap(today, day(2026, 3, 1), None),
            Some((CoverageGap::NewMember, day(2027, 3, 1)))
        );
        assert_eq!(
            coverage_gap(today, day(2025, 11, 29), None),
            Some((CoverageGap::NewMember, day(2026, 11, 29)))
        );
        assert_eq!(
            coverage_gap(today, day(2025, 11, 28), None),
            Some((CoverageGap::Missing, day(2026, 11, 28)))
        );
    }

    #[test]
    fn a_draft_needs_a_work_unit_to_be_finalised_and_only_a_finalised_fe_is_delivered() {
        assert!(
            check_finalise(FicheState::Draft, 0)
                .unwrap_err()
                .contains("au moins une unité")
        );
        assert_eq!(check_finalise(FicheState::Draft, 2), Ok(()));
        assert!(check_finalise(FicheState::Finalised, 2).is_err());
        assert!(
            check_deliver(FicheState::Draft)
                .unwrap_err()
                .contains("brouillon")
        );
        assert_eq!(check_deliver(FicheState::Finalised), Ok(()));
        assert!(check_deliver(FicheState::Delivered).is_err());
    }

    #[test]
    fn a_work_unit_names_its_errors() {
        let mut unit = WorkUnit {
            name: "Fournil".into(),
            headcount: 3,
            risks: vec![UnitRisk {
                family: "thermal".into(),
                description: "Fours".into(),
                exposed: 3,
                existing_measures: String::new(),
                recommendations: String::new(),
            }],
        };
        assert_eq!(check_work_unit(&unit), Ok(()));
        unit.risks[0].exposed = 4;
        assert!(
            check_work_unit(&unit)
                .unwrap_err()
                .starts_with("Salariés exposés")
        );
        unit.risks[0].family = "lasers".into();
        assert!(check_work_unit(&unit).unwrap_err().contains("lasers"));
        unit.name = " ".into();
        assert!(
            check_work_unit(&unit)
                .unwrap_err()
                .starts_with("Unité de travail")
        );
    }
}
