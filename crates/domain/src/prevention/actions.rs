//! Actions on the work site (AMT, KPI.md K7): their types, and what each must say.

use chrono::NaiveDate;

/// The types of action (stable codes of KPI.md K7) and their French labels.
pub const ACTION_TYPES: [(&str, &str); 12] = [
    ("workstation_study", "Étude de poste"),
    ("measurement_noise", "Mesurage du bruit"),
    ("measurement_chemical", "Mesurage d'agents chimiques"),
    (
        "measurement_ambient",
        "Mesurage d'ambiance (éclairage, température…)",
    ),
    ("measurement_physical_load", "Mesure de charge physique"),
    ("awareness_session_held", "Action de sensibilisation tenue"),
    (
        "awareness_session_cancelled",
        "Action de sensibilisation annulée",
    ),
    ("cse_meeting", "Réunion du CSE / CSSCT"),
    ("serious_event", "Accompagnement après un événement grave"),
    (
        "welcome_new_member_admin",
        "Visite d'accueil d'un nouvel adhérent (administrative)",
    ),
    (
        "welcome_new_member_technical",
        "Visite d'accueil d'un nouvel adhérent (technique)",
    ),
    (
        "welcome_old_member",
        "Visite d'accueil d'un ancien adhérent",
    ),
];

pub fn action_label(code: &str) -> &'static str {
    ACTION_TYPES
        .iter()
        .find(|(c, _)| *c == code)
        .map_or("", |(_, label)| label)
}

/// An action as entered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAction {
    pub date: NaiveDate,
    pub kind: String,
    pub title: String,
    /// The worker an individual study concerns.
    pub worker_id: Option<i64>,
    /// Workers concerned (a collective action).
    pub workers: Option<u32>,
    /// Measured values as written ("LEX,8h = 87 dB(A) au poste de découpe").
    pub measurements: String,
    /// The PDP case an individual study serves.
    pub pdp_case_id: Option<i64>,
    /// The study serves an inaptitude procedure (R4624-42: the doctor dates it in the opinion).
    pub inaptitude_procedure: bool,
}

/// Checks an action, naming the field.
pub fn check_action(action: &NewAction) -> Result<(), String> {
    if action_label(&action.kind).is_empty() {
        return Err(format!("Type d'action : « {} » inconnu", action.kind));
    }
    if action.title.trim().is_empty() {
        return Err("Objet : obligatoire".into());
    }
    if action.kind.starts_with("measurement_") && action.measurements.trim().is_empty() {
        return Err("Valeurs mesurées : obligatoires pour un mesurage".into());
    }
    let individual_study = action.kind == "workstation_study" && action.worker_id.is_some();
    if (action.pdp_case_id.is_some() || action.inaptitude_procedure) && !individual_study {
        return Err(
            "Rattachement : seule une étude de poste individuelle se rattache à un dossier PDP ou à une procédure d'inaptitude"
                .into(),
        );
    }
    if action.kind == "workstation_study" && action.worker_id.is_none() && action.workers.is_none()
    {
        return Err(
            "Salariés concernés : une étude de poste concerne un salarié (étude individuelle) ou un nombre de salariés (étude collective)"
                .into(),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn action(kind: &str) -> NewAction {
        NewAction {
            date: NaiveDate::from_ymd_opt(2026, 11, 2).unwrap(),
            kind: kind.into(),
            title: "Atelier de découpe".into(),
            worker_id: None,
            workers: Some(4),
            measurements: String::new(),
            pdp_case_id: None,
            inaptitude_procedure: false,
        }
    }

    #[test]
    fn an_action_says_what_its_type_needs() {
        assert_eq!(check_action(&action("cse_meeting")), Ok(()));
        assert!(
            check_action(&action("measurement_noise"))
                .unwrap_err()
                .starts_with("Valeurs mesurées")
        );
        let mut study = action("workstation_study");
        study.workers = None;
        assert!(
            check_action(&study)
                .unwrap_err()
                .starts_with("Salariés concernés")
        );
        study.worker_id = Some(7);
        assert_eq!(check_action(&study), Ok(()));
        study.pdp_case_id = Some(3);
        study.inaptitude_procedure = true;
        assert_eq!(
            check_action(&study),
            Ok(()),
            "an individual study serves both"
        );
        let mut collective = action("workstation_study");
        collective.inaptitude_procedure = true;
        assert!(
            check_action(&collective)
                .unwrap_err()
                .starts_with("Rattachement")
        );
        let mut meeting = action("cse_meeting");
        meeting.pdp_case_id = Some(3);
        assert!(
            check_action(&meeting)
                .unwrap_err()
                .starts_with("Rattachement")
        );
        assert!(
            check_action(&action("party"))
                .unwrap_err()
                .contains("party")
        );
        assert_eq!(ACTION_TYPES.len(), 12, "every K7 type");
    }
}
