//! The engine's input (a worker's situation) and output (open obligations), and the checks
//! of the input.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::followup::{FollowUp, check_codes};

/// A visit done (the history).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visit {
    pub kind: String,
    #[serde(default)]
    pub subtype: String,
    pub date: NaiveDate,
    #[serde(default)]
    pub performer: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Leave {
    pub reason: String,
    pub start: NaiveDate,
    #[serde(default)]
    pub end: Option<NaiveDate>,
    #[serde(default)]
    pub returned_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    pub kind: String,
    #[serde(default)]
    pub subtype: String,
    pub asked_on: NaiveDate,
}

/// One worker situation (the input of `spsti rules eval`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Situation {
    pub at: NaiveDate,
    pub birth_date: NaiveDate,
    pub hired_on: NaiveDate,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub exposures: Vec<String>,
    #[serde(default)]
    pub contract: Option<String>,
    #[serde(default)]
    pub job_change_on: Option<NaiveDate>,
    #[serde(default)]
    pub history: Vec<Visit>,
    #[serde(default)]
    pub leaves: Vec<Leave>,
    #[serde(default)]
    pub requests: Vec<Request>,
    #[serde(default)]
    pub left_on: Option<NaiveDate>,
    /// A shorter periodicity (months) the doctor set for this worker; the law's maximum
    /// still applies when it is shorter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub periodicity_months: Option<u32>,
    /// On a doctor's list of SIS workers to see early (priority schema, nurse queue).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub doctor_list: bool,
}

/// An open obligation (the output).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Obligation {
    pub kind: String,
    pub subtype: String,
    pub earliest: NaiveDate,
    pub due: Option<NaiveDate>,
    pub performer: String,
    pub reference: String,
    pub doctor_rank: Option<u8>,
    pub nurse_rank: Option<u8>,
}

/// An invalid situation, naming the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} : {message}")]
pub struct SituationError {
    pub field: String,
    pub message: String,
}

pub(super) fn invalid(field: &str, message: impl Into<String>) -> SituationError {
    SituationError {
        field: field.into(),
        message: message.into(),
    }
}

pub const VISIT_KINDS: [&str; 11] = [
    "VIP_INITIAL",
    "VIP_PERIODIC",
    "EMA_HIRE",
    "EMA_PERIODIC",
    "SIR_INTERMEDIATE",
    "RETURN_TO_WORK",
    "PRE_RETURN",
    "ON_DEMAND",
    "MID_CAREER",
    "POST_EXPOSURE",
    "LIAISON",
];
pub const LEAVE_REASONS: [&str; 4] = [
    "sickness",
    "maternity",
    "work_accident",
    "occupational_disease",
];

pub(super) fn check(s: &Situation) -> Result<(), SituationError> {
    if s.hired_on < s.birth_date {
        return Err(invalid(
            "hired_on",
            "date d'embauche antérieure à la date de naissance",
        ));
    }
    if s.job_change_on.is_some_and(|d| d < s.hired_on) {
        return Err(invalid(
            "job_change_on",
            "changement de poste antérieur à l'embauche",
        ));
    }
    if s.left_on.is_some_and(|d| d < s.hired_on) {
        return Err(invalid("left_on", "date de sortie antérieure à l'embauche"));
    }
    check_codes(s.exposures.iter().map(String::as_str)).map_err(|m| invalid("exposures", m))?;
    if let Some(c) = &s.category
        && FollowUp::from_code(c).is_none()
    {
        return Err(invalid(
            "category",
            format!("« {c} » inconnue (SIS, SIA ou SIR)"),
        ));
    }
    if let Some(c) = &s.contract
        && crate::company::Contract::from_code(c).is_none()
    {
        return Err(invalid("contract", format!("« {c} » inconnu")));
    }
    for (i, v) in s.history.iter().enumerate() {
        if !VISIT_KINDS.contains(&v.kind.as_str()) {
            return Err(invalid(
                &format!("history[{i}].kind"),
                format!("type de visite « {} » inconnu", v.kind),
            ));
        }
        if v.date < s.birth_date {
            return Err(invalid(
                &format!("history[{i}].date"),
                "visite antérieure à la date de naissance",
            ));
        }
    }
    for (i, l) in s.leaves.iter().enumerate() {
        if !LEAVE_REASONS.contains(&l.reason.as_str()) {
            return Err(invalid(
                &format!("leaves[{i}].reason"),
                format!("motif « {} » inconnu", l.reason),
            ));
        }
        if l.end.is_some_and(|e| e < l.start) || l.returned_on.is_some_and(|r| r < l.start) {
            return Err(invalid(
                &format!("leaves[{i}]"),
                "l'arrêt se termine avant de commencer",
            ));
        }
    }
    if s.periodicity_months == Some(0) {
        return Err(invalid(
            "periodicity_months",
            "une périodicité doit compter au moins un mois",
        ));
    }
    for (i, r) in s.requests.iter().enumerate() {
        let Some(requesters) = requesters_of(&r.kind) else {
            return Err(invalid(
                &format!("requests[{i}].kind"),
                format!("« {} » : PRE_RETURN ou ON_DEMAND attendu", r.kind),
            ));
        };
        if !requesters.contains(&r.subtype.as_str()) {
            return Err(invalid(
                &format!("requests[{i}].subtype"),
                format!(
                    "demandeur « {} » inconnu pour {} (attendu : {})",
                    r.subtype,
                    r.kind,
                    requesters.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

/// Who may ask for a visit of this kind (SCHEDULING.md subtypes; the doctor's certificate
/// examination is asked as an on-demand visit); `None` for a kind that is not asked for.
pub fn requesters_of(kind: &str) -> Option<&'static [&'static str]> {
    match kind {
        "PRE_RETURN" => Some(&[
            "worker",
            "treating_doctor",
            "insurance_doctor",
            "occupational_doctor",
        ]),
        "ON_DEMAND" => Some(&["worker", "employer", "occupational_doctor", "certificate"]),
        _ => None,
    }
}

/// The French name of a visit kind (SCHEDULING.md).
pub fn kind_label(kind: &str) -> &'static str {
    match kind {
        "VIP_INITIAL" => "visite d'information et de prévention initiale",
        "VIP_PERIODIC" => "VIP périodique",
        "EMA_HIRE" => "examen médical d'aptitude à l'embauche",
        "EMA_PERIODIC" => "examen médical d'aptitude périodique",
        "SIR_INTERMEDIATE" => "visite intermédiaire SIR",
        "RETURN_TO_WORK" => "visite de reprise",
        "PRE_RETURN" => "visite de pré-reprise",
        "ON_DEMAND" => "visite à la demande",
        "MID_CAREER" => "visite de mi-carrière",
        "POST_EXPOSURE" => "visite post-exposition",
        "LIAISON" => "rendez-vous de liaison",
        _ => "visite",
    }
}

/// The French name of a subtype (cause, requester, certificate).
pub fn subtype_label(subtype: &str) -> &'static str {
    match subtype {
        "work_accident" => "accident du travail",
        "occupational_disease" => "maladie professionnelle",
        "sickness" => "maladie",
        "maternity" => "maternité",
        "worker" => "demandée par le salarié",
        "employer" => "demandée par l'employeur",
        "treating_doctor" => "demandée par le médecin traitant",
        "insurance_doctor" => "demandée par le médecin conseil",
        "occupational_doctor" => "demandée par le médecin du travail",
        "certificate" => "certificat d'absence de contre-indication",
        "post_exposure" => "post-exposition",
        "post_career" => "post-professionnelle",
        "experimental" => "mesure expérimentale",
        _ => "",
    }
}

/// Who performs it, in French.
pub fn performer_label(performer: &str) -> &'static str {
    match performer {
        "doctor" => "médecin",
        "nurse" => "infirmier",
        _ => "médecin ou infirmier",
    }
}
