//! Follow-up categories (SIS, SIA, SIR) computed from the declared exposures and situations,
//! with dated rules: Décret 2025-355 moved `driving_authorisation` and `electrical_clearance`
//! out of SIR on 1 October 2025 (REGULATION.md "Follow-up category of a worker").

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Individual follow-up category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum FollowUp {
    #[serde(rename = "SIS")]
    Simple,
    #[serde(rename = "SIA")]
    Adapted,
    #[serde(rename = "SIR")]
    Reinforced,
}

impl FollowUp {
    pub const ALL: [FollowUp; 3] = [FollowUp::Simple, FollowUp::Adapted, FollowUp::Reinforced];

    pub fn code(self) -> &'static str {
        match self {
            FollowUp::Simple => "SIS",
            FollowUp::Adapted => "SIA",
            FollowUp::Reinforced => "SIR",
        }
    }

    pub fn from_code(code: &str) -> Option<FollowUp> {
        FollowUp::ALL.into_iter().find(|c| c.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            FollowUp::Simple => "Suivi individuel simple (SIS)",
            FollowUp::Adapted => "Suivi individuel adapté (SIA)",
            FollowUp::Reinforced => "Suivi individuel renforcé (SIR)",
        }
    }
}

/// A rule: this exposure or situation puts the worker in `category` from `valid_from` to
/// `valid_to` (inclusive), by `reference`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CategoryRule {
    pub code: &'static str,
    pub label: &'static str,
    pub category: FollowUp,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    pub reference: &'static str,
}

const fn date(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

const fn always(
    code: &'static str,
    label: &'static str,
    category: FollowUp,
    reference: &'static str,
) -> CategoryRule {
    CategoryRule {
        code,
        label,
        category,
        valid_from: None,
        valid_to: None,
        reference,
    }
}

/// Every exposure or situation code of REGULATION.md with its category and dates.
pub const CATEGORY_RULES: &[CategoryRule] = &[
    always("asbestos", "Amiante", FollowUp::Reinforced, "R4624-23 I"),
    always(
        "lead",
        "Plomb au-delà des seuils de l'article R4412-160",
        FollowUp::Reinforced,
        "R4624-23 I",
    ),
    always(
        "cmr",
        "Agents cancérogènes, mutagènes ou reprotoxiques",
        FollowUp::Reinforced,
        "R4624-23 I",
    ),
    always(
        "bio_agents_3_4",
        "Agents biologiques des groupes 3 et 4",
        FollowUp::Reinforced,
        "R4624-23 I",
    ),
    always(
        "ionizing_radiation_a",
        "Rayonnements ionisants, travailleur classé en catégorie A",
        FollowUp::Reinforced,
        "R4624-23 I, R4451-82",
    ),
    always(
        "ionizing_radiation_b",
        "Rayonnements ionisants, catégorie B ou surveillance radon",
        FollowUp::Reinforced,
        "R4624-23 I, R4451-82",
    ),
    always(
        "hyperbaric",
        "Milieu hyperbare",
        FollowUp::Reinforced,
        "R4624-23 I",
    ),
    always(
        "scaffolding",
        "Chute de hauteur lors du montage et démontage d'échafaudages",
        FollowUp::Reinforced,
        "R4624-23 I",
    ),
    always(
        "manual_handling_55kg",
        "Manutention manuelle de charges de plus de 55 kg",
        FollowUp::Reinforced,
        "R4624-23 II",
    ),
    always(
        "minor_regulated_work",
        "Mineur affecté à des travaux interdits susceptibles de dérogation",
        FollowUp::Reinforced,
        "R4624-23 II",
    ),
    always(
        "employer_listed",
        "Poste ajouté par l'employeur à la liste SIR",
        FollowUp::Reinforced,
        "R4624-23 III",
    ),
    CategoryRule {
        code: "driving_authorisation",
        label: "Autorisation de conduite (R4323-56)",
        category: FollowUp::Reinforced,
        valid_from: None,
        valid_to: date(2025, 9, 30),
        reference: "R4624-23 (avant le décret 2025-355)",
    },
    CategoryRule {
        code: "electrical_clearance",
        label: "Habilitation électrique (R4544-10)",
        category: FollowUp::Reinforced,
        valid_from: None,
        valid_to: date(2025, 9, 30),
        reference: "R4624-23 (avant le décret 2025-355)",
    },
    always(
        "night_worker",
        "Travailleur de nuit",
        FollowUp::Adapted,
        "L3122-5, R4624-17",
    ),
    always(
        "minor",
        "Travailleur de moins de 18 ans",
        FollowUp::Adapted,
        "R4624-18",
    ),
    always(
        "pregnant",
        "Femme enceinte, venant d'accoucher ou allaitante",
        FollowUp::Adapted,
        "R4624-19",
    ),
    always(
        "disabled",
        "Travailleur handicapé (RQTH)",
        FollowUp::Adapted,
        "R4624-20",
    ),
    always(
        "invalidity_pension",
        "Titulaire d'une pension d'invalidité",
        FollowUp::Adapted,
        "R4624-20",
    ),
    always(
        "bio_agents_2",
        "Agents biologiques du groupe 2",
        FollowUp::Adapted,
        "R4624-18",
    ),
    always(
        "emf",
        "Champs électromagnétiques au-delà des valeurs déclenchant l'action",
        FollowUp::Adapted,
        "R4624-18, R4453-25",
    ),
];

/// Codes that existed without a category effect after their rule ended, still accepted in
/// declarations (they ask for a certificate of no contra-indication from 1 October 2025).
pub fn is_known_code(code: &str) -> bool {
    CATEGORY_RULES.iter().any(|r| r.code == code)
}

pub fn rule_label(code: &str) -> Option<&'static str> {
    CATEGORY_RULES
        .iter()
        .find(|r| r.code == code)
        .map(|r| r.label)
}

/// Checks a list of codes; the error names the unknown one.
pub fn check_codes<'a>(codes: impl IntoIterator<Item = &'a str>) -> Result<(), String> {
    for code in codes {
        if !is_known_code(code) {
            return Err(format!("code d'exposition inconnu « {code} »"));
        }
    }
    Ok(())
}

/// The category at `at`, and the rules that decided it (the strongest category's rules).
pub fn compute_category<'a>(
    codes: impl IntoIterator<Item = &'a str>,
    minor: bool,
    at: NaiveDate,
) -> (FollowUp, Vec<&'static CategoryRule>) {
    let mut fired: Vec<&'static CategoryRule> = Vec::new();
    let mut wanted: Vec<&str> = codes.into_iter().collect();
    if minor {
        wanted.push("minor");
    }
    for rule in CATEGORY_RULES {
        let in_force = rule.valid_from.is_none_or(|from| at >= from)
            && rule.valid_to.is_none_or(|to| at <= to);
        if in_force && wanted.contains(&rule.code) && !fired.iter().any(|r| r.code == rule.code) {
            fired.push(rule);
        }
    }
    let category = fired
        .iter()
        .map(|r| r.category)
        .max()
        .unwrap_or(FollowUp::Simple);
    fired.retain(|r| r.category == category);
    (category, fired)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn no_exposure_is_sis() {
        assert_eq!(
            compute_category([], false, on(2026, 1, 1)).0,
            FollowUp::Simple
        );
    }

    #[test]
    fn sir_exposures_of_r4624_23() {
        for code in [
            "asbestos",
            "lead",
            "cmr",
            "bio_agents_3_4",
            "ionizing_radiation_a",
            "ionizing_radiation_b",
            "hyperbaric",
            "scaffolding",
            "manual_handling_55kg",
            "minor_regulated_work",
            "employer_listed",
        ] {
            let (category, rules) = compute_category([code], false, on(2026, 6, 1));
            assert_eq!(category, FollowUp::Reinforced, "{code}");
            assert!(rules[0].reference.starts_with("R4624-23"), "{code}");
        }
    }

    #[test]
    fn sia_situations_of_r4624_17_to_20() {
        for code in [
            "night_worker",
            "minor",
            "pregnant",
            "disabled",
            "invalidity_pension",
            "bio_agents_2",
            "emf",
        ] {
            assert_eq!(
                compute_category([code], false, on(2026, 6, 1)).0,
                FollowUp::Adapted,
                "{code}"
            );
        }
        // A worker under 18 (R4624-18) without any code.
        assert_eq!(
            compute_category([], true, on(2026, 6, 1)).0,
            FollowUp::Adapted
        );
    }

    #[test]
    fn sir_wins_over_sia_and_reasons_are_the_sir_ones() {
        let (category, rules) =
            compute_category(["night_worker", "asbestos"], false, on(2026, 6, 1));
        assert_eq!(category, FollowUp::Reinforced);
        assert_eq!(
            rules.iter().map(|r| r.code).collect::<Vec<_>>(),
            vec!["asbestos"]
        );
    }

    #[test]
    fn decree_2025_355_moves_driving_and_electrical_out_of_sir_on_1_october_2025() {
        for code in ["driving_authorisation", "electrical_clearance"] {
            assert_eq!(
                compute_category([code], false, on(2025, 9, 30)).0,
                FollowUp::Reinforced,
                "{code} the day before"
            );
            assert_eq!(
                compute_category([code], false, on(2025, 10, 1)).0,
                FollowUp::Simple,
                "{code} from the decree"
            );
            assert_eq!(
                compute_category([code, "night_worker"], false, on(2025, 10, 1)).0,
                FollowUp::Adapted
            );
        }
    }

    #[test]
    fn unknown_codes_are_named() {
        assert_eq!(
            check_codes(["asbestos", "noise"]),
            Err("code d'exposition inconnu « noise »".into())
        );
        assert_eq!(check_codes(["asbestos"]), Ok(()));
    }
}
