//! Prevention of job loss (PDP): cases opened on a signal, the follow-up items counted by
//! KPI.md K8, the closing result, and a transparent early-warning score.

use serde::Serialize;

/// What opens a case.
pub const SIGNALS: [(&str, &str); 4] = [
    ("pre_return", "Visite de pré-reprise"),
    ("long_leave", "Arrêt long déclaré"),
    ("doctor_referral", "Orientation par le médecin"),
    ("worker_request", "Demande du salarié"),
];

/// Advice types of K8 (stable codes).
pub const ADVICE_TYPES: [(&str, &str); 9] = [
    ("rqth_info", "Information sur la RQTH"),
    ("psychologist", "Orientation vers un psychologue"),
    ("job_retention", "Conseil de maintien dans l'emploi"),
    ("career_change", "Conseil de reconversion"),
    ("part_time", "Temps partiel thérapeutique"),
    (
        "occupational_disease_declaration",
        "Déclaration de maladie professionnelle",
    ),
    ("liaison_meeting", "Rendez-vous de liaison"),
    ("invalidity", "Information sur l'invalidité"),
    ("supervised_trial_info", "Information sur l'essai encadré"),
];

/// Referral partners of K8.
pub const PARTNERS: [(&str, &str); 3] = [
    ("carsat_social_service", "Service social de la CARSAT"),
    ("cap_emploi_oeth", "Cap Emploi / OETH"),
    ("mdph", "MDPH"),
];

/// The results a case closes with.
pub const RESULTS: [(&str, &str); 5] = [
    ("kept", "Maintien au poste"),
    ("adjusted", "Maintien avec aménagement du poste"),
    ("other_job", "Autre poste (reclassement)"),
    ("dismissal_inaptitude", "Licenciement pour inaptitude"),
    ("other", "Autre issue"),
];

fn label_of(list: &[(&'static str, &'static str)], code: &str) -> &'static str {
    list.iter().find(|(c, _)| *c == code).map_or("", |(_, l)| l)
}

/// The label of any item of a case.
pub fn item_label(item: &str) -> &'static str {
    match item {
        "referral" => "Orientation vers un partenaire",
        "supervised_trial" => "Essai encadré",
        "case_opened" => "Ouverture",
        "case_closed" => "Clôture",
        other => label_of(&ADVICE_TYPES, other),
    }
}

pub fn partner_label(code: &str) -> &'static str {
    label_of(&PARTNERS, code)
}

pub fn signal_label(code: &str) -> &'static str {
    label_of(&SIGNALS, code)
}

pub fn result_label(code: &str) -> &'static str {
    label_of(&RESULTS, code)
}

/// Checks an item of a case: a referral names its partner, nothing else does.
pub fn check_item(item: &str, partner: &str) -> Result<(), String> {
    let known = item == "referral"
        || item == "supervised_trial"
        || !label_of(&ADVICE_TYPES, item).is_empty();
    if !known {
        return Err(format!("Action : « {item} » inconnue"));
    }
    match (item, partner.is_empty()) {
        ("referral", true) => Err("Partenaire : obligatoire pour une orientation".into()),
        ("referral", false) if partner_label(partner).is_empty() => {
            Err(format!("Partenaire : « {partner} » inconnu"))
        }
        ("referral", false) => Ok(()),
        (_, false) => Err("Partenaire : seulement pour une orientation".into()),
        (_, true) => Ok(()),
    }
}

/// What the early-warning score reads about a worker.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WarningFacts {
    /// Days of work stoppage over the last 12 months.
    pub leave_days_12_months: i64,
    /// Work stoppages started over the last 12 months.
    pub stoppages_12_months: i64,
    /// Followed as SIR.
    pub sir: bool,
    pub age: i32,
    /// The outcome of the latest visit with one (`fit_with_adjustments`, `unfit`…).
    pub last_outcome: Option<String>,
}

/// One factor of the score, shown with its points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Factor {
    pub label: &'static str,
    pub points: u32,
}

/// The score and the factors that make it (none: not on the list).
pub fn early_warning(facts: &WarningFacts) -> (u32, Vec<Factor>) {
    let mut factors = Vec::new();
    if facts.leave_days_12_months >= 90 {
        factors.push(Factor {
            label: "arrêt(s) de 90 jours ou plus sur 12 mois",
            points: 3,
        });
    } else if facts.leave_days_12_months >= 30 {
        factors.push(Factor {
            label: "arrêt(s) de 30 jours ou plus sur 12 mois",
            points: 1,
        });
    }
    if facts.stoppages_12_months >= 3 {
        factors.push(Factor {
            label: "3 arrêts ou plus sur 12 mois",
            points: 2,
        });
    }
    if facts.sir && facts.age >= 58 {
        factors.push(Factor {
            label: "suivi renforcé, 58 ans ou plus",
            points: 2,
        });
    }
    match facts.last_outcome.as_deref() {
        Some("fit_with_adjustments") => factors.push(Factor {
            label: "aménagements à la dernière visite",
            points: 3,
        }),
        Some("unfit") => factors.push(Factor {
            label: "inaptitude à la dernière visite",
            points: 4,
        }),
        _ => {}
    }
    (factors.iter().map(|f| f.points).sum(), factors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_referral_names_its_partner_and_only_a_referral_does() {
        assert_eq!(check_item("referral", "mdph"), Ok(()));
        assert!(
            check_item("referral", "")
                .unwrap_err()
                .starts_with("Partenaire")
        );
        assert!(check_item("referral", "pole").unwrap_err().contains("pole"));
        assert_eq!(check_item("rqth_info", ""), Ok(()));
        assert!(check_item("rqth_info", "mdph").is_err());
        assert!(check_item("yoga", "").is_err());
    }

    #[test]
    fn the_score_adds_the_factors_it_shows() {
        let (score, factors) = early_warning(&WarningFacts {
            leave_days_12_months: 120,
            stoppages_12_months: 3,
            sir: true,
            age: 60,
            last_outcome: Some("fit_with_adjustments".into()),
        });
        assert_eq!(score, 10);
        assert_eq!(factors.len(), 4);
        assert_eq!(
            early_warning(&WarningFacts {
                age: 40,
                ..Default::default()
            })
            .0,
            0
        );
        let (score, _) = early_warning(&WarningFacts {
            leave_days_12_months: 45,
            last_outcome: Some("unfit".into()),
            ..Default::default()
        });
        assert_eq!(score, 5);
    }
}
