//! The rules of recording a visit (REGULATION.md "Who may do what"): who may record which
//! kind and which outcome, what an outcome must fit, the prerequisites of an inaptitude
//! (R4624-42); measurements and their plausibility; how long a medical file is kept
//! (R4624-45-9, R4451-83). Pure: no I/O.

mod measurements;
mod retention;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::rules::DOCTOR_ONLY_KINDS;

pub use measurements::{MeasurementWarning, Measurements, bmi};
pub use retention::{RetentionFacts, retention_end};

/// Largest file accepted in the medical file (the whole request is limited to 1 Mio).
pub const ATTACHMENT_MAX_BYTES: usize = 1000 * 1024;

/// Sections that hold files.
pub const ATTACHMENT_SECTIONS: [(&str, &str); 2] = [
    ("exams", "Résultats d'examens complémentaires"),
    ("letters", "Courriers des et aux médecins traitants"),
];

/// The media type of a file by its first bytes: PDF, PNG or JPEG; anything else is refused
/// with the field named, whatever its name or declared type.
pub fn attachment_media_type(bytes: &[u8]) -> Result<&'static str, VisitError> {
    if bytes.is_empty() {
        return Err(VisitError {
            field: "Fichier",
            message: "vide ou absent".into(),
        });
    }
    if bytes.len() > ATTACHMENT_MAX_BYTES {
        return Err(VisitError {
            field: "Fichier",
            message: format!(
                "{} Kio, au-delà de la limite de {} Kio",
                bytes.len() / 1024,
                ATTACHMENT_MAX_BYTES / 1024
            ),
        });
    }
    if bytes.starts_with(b"%PDF-") {
        Ok("application/pdf")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Ok("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Ok("image/jpeg")
    } else {
        Err(VisitError {
            field: "Fichier",
            message: "seuls les PDF et les images PNG ou JPEG sont acceptés".into(),
        })
    }
}

/// The outcome of a visit (DATA-FORMATS.md appointments.csv `outcome`).
pub const OUTCOMES: [(&str, &str); 5] = [
    ("follow_up_certificate", "attestation de suivi"),
    ("fit", "avis d'aptitude"),
    ("fit_with_adjustments", "avis d'aptitude avec aménagements"),
    ("unfit", "avis d'inaptitude"),
    ("none", "sans document"),
];

pub fn outcome_label(code: &str) -> &'static str {
    OUTCOMES
        .iter()
        .find(|(c, _)| *c == code)
        .map_or("", |(_, label)| label)
}

/// The fitness opinions, which only a doctor issues.
const OPINIONS: [&str; 3] = ["fit", "fit_with_adjustments", "unfit"];

/// Where a visit sends the worker next.
pub const REFERRALS: [(&str, &str); 4] = [
    ("", "aucune"),
    ("doctor", "au médecin du travail"),
    (
        "pdp",
        "à la cellule de prévention de la désinsertion professionnelle",
    ),
    (
        "partner",
        "à un partenaire (médecin traitant, spécialiste, service social)",
    ),
];

/// What R4624-42 requires before an inaptitude opinion, with the dates they were done.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InaptitudePrerequisites {
    pub examination_on: Option<NaiveDate>,
    pub workstation_study_on: Option<NaiveDate>,
    pub fiche_updated_on: Option<NaiveDate>,
    pub exchange_with_worker_on: Option<NaiveDate>,
    pub exchange_with_employer_on: Option<NaiveDate>,
}

impl InaptitudePrerequisites {
    /// The prerequisites not recorded, in French.
    pub fn missing(&self) -> Vec<&'static str> {
        [
            (self.examination_on, "l'examen médical du salarié"),
            (
                self.workstation_study_on,
                "l'étude du poste et des conditions de travail",
            ),
            (
                self.fiche_updated_on,
                "la date d'actualisation de la fiche d'entreprise",
            ),
            (self.exchange_with_worker_on, "l'échange avec le salarié"),
            (self.exchange_with_employer_on, "l'échange avec l'employeur"),
        ]
        .into_iter()
        .filter(|(date, _)| date.is_none())
        .map(|(_, label)| label)
        .collect()
    }
}

/// A visit as the professional records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitRecord {
    pub kind: String,
    pub outcome: String,
    /// Next periodic visit in months (the doctor's periodicity), when set.
    pub next_visit_months: Option<u32>,
    pub referral: String,
    pub prerequisites: InaptitudePrerequisites,
    pub teleconsultation: bool,
    pub experimental: bool,
    pub duration_min: u32,
    /// What the opinion tells the employer (adjustments, indications for redeployment): it is
    /// printed on the document, so it holds no diagnosis.
    #[serde(default)]
    pub recommendations: String,
    /// The doctor proposes adjustments of the workstation (L4624-3) at a visit that gives no
    /// opinion (a pre-return visit, say): a document of its own.
    #[serde(default)]
    pub propose_adjustments: bool,
}

/// The title of the document a visit gives, if any.
pub fn document_title(record: &VisitRecord) -> Option<&'static str> {
    if record.propose_adjustments && record.outcome == "none" {
        return Some("Proposition de mesures d'aménagement du poste de travail (L4624-3)");
    }
    match record.outcome.as_str() {
        "follow_up_certificate" => Some("Attestation de suivi individuel de l'état de santé"),
        "fit" => Some("Avis d'aptitude"),
        "fit_with_adjustments" => Some("Avis d'aptitude avec mesures d'aménagement"),
        "unfit" => Some("Avis d'inaptitude"),
        _ => None,
    }
}

/// How an opinion is contested (L4624-7), printed on every fitness opinion.
pub const CONTEST_NOTICE: &str = "Le salarié comme l'employeur peuvent contester les éléments de nature médicale de cet avis devant le conseil de prud'hommes, selon la procédure accélérée au fond, dans un délai de 15 jours à compter de sa notification (articles L4624-7 et R4624-45 du Code du travail).";

/// Why a visit cannot be recorded, in French, naming the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} : {message}")]
pub struct VisitError {
    pub field: &'static str,
    pub message: String,
}

fn refuse(field: &'static str, message: impl Into<String>) -> Result<(), VisitError> {
    Err(VisitError {
        field,
        message: message.into(),
    })
}

/// The outcomes a kind of visit can end with.
pub fn outcomes_of(kind: &str) -> &'static [&'static str] {
    match kind {
        "EMA_HIRE" | "EMA_PERIODIC" => &["fit", "fit_with_adjustments", "unfit"],
        "RETURN_TO_WORK" | "ON_DEMAND" => &[
            "follow_up_certificate",
            "fit",
            "fit_with_adjustments",
            "unfit",
            "none",
        ],
        "VIP_INITIAL" | "VIP_PERIODIC" | "SIR_INTERMEDIATE" | "MID_CAREER" => {
            &["follow_up_certificate", "none"]
        }
        // A pre-return visit prepares the return: recommendations, never an opinion.
        _ => &["none"],
    }
}

/// Checks a visit a professional of `role` ("doctor" or "nurse") records.
pub fn check_visit(role: &str, record: &VisitRecord) -> Result<(), VisitError> {
    if !crate::rules::VISIT_KINDS.contains(&record.kind.as_str()) {
        return refuse("Visite", format!("type « {} » inconnu", record.kind));
    }
    if !OUTCOMES.iter().any(|(code, _)| *code == record.outcome) {
        return refuse("Conclusion", format!("« {} » inconnue", record.outcome));
    }
    if role == "nurse" {
        if DOCTOR_ONLY_KINDS.contains(&record.kind.as_str()) {
            return refuse(
                "Visite",
                "cet examen relève du médecin du travail (R4624-25) ; orientez le salarié vers le médecin",
            );
        }
        if OPINIONS.contains(&record.outcome.as_str()) {
            return refuse(
                "Conclusion",
                "seul le médecin du travail émet un avis d'aptitude ou d'inaptitude ; l'infirmier délivre une attestation de suivi ou oriente vers le médecin",
            );
        }
    }
    if !outcomes_of(&record.kind).contains(&record.outcome.as_str()) {
        let allowed: Vec<&str> = outcomes_of(&record.kind)
            .iter()
            .map(|o| outcome_label(o))
            .collect();
        return refuse(
            "Conclusion",
            format!(
                "« {} » ne convient pas à cette visite (possible : {})",
                outcome_label(&record.outcome),
                allowed.join(", ")
            ),
        );
    }
    if record.outcome == "unfit" {
        let missing = record.prerequisites.missing();
        if !missing.is_empty() {
            return refuse(
                "Inaptitude",
                format!(
                    "avant l'avis d'inaptitude (R4624-42), il manque : {}",
                    missing.join(", ")
                ),
            );
        }
    }
    if matches!(record.outcome.as_str(), "fit_with_adjustments" | "unfit")
        && record.recommendations.trim().is_empty()
    {
        return refuse(
            "Recommandations",
            "obligatoires pour un avis avec aménagements ou d'inaptitude (elles figurent sur l'avis remis à l'employeur)",
        );
    }
    if record.propose_adjustments {
        if role != "doctor" {
            return refuse(
                "Proposition d'aménagement",
                "seul le médecin du travail propose des mesures d'aménagement (L4624-3)",
            );
        }
        if record.outcome != "none" {
            return refuse(
                "Proposition d'aménagement",
                "avec un avis, les mesures figurent sur l'avis lui-même : choisissez « avis d'aptitude avec aménagements »",
            );
        }
        if record.recommendations.trim().is_empty() {
            return refuse("Recommandations", "les mesures proposées sont à écrire");
        }
    }
    if let Some(months) = record.next_visit_months
        && !(1..=60).contains(&months)
    {
        return refuse(
            "Prochaine visite",
            "entre 1 et 60 mois (le délai légal s'applique s'il est plus court)",
        );
    }
    if !REFERRALS.iter().any(|(code, _)| *code == record.referral) {
        return refuse("Orientation", "inconnue");
    }
    if record.referral == "doctor" && role == "doctor" {
        return refuse("Orientation", "le médecin n'oriente pas vers lui-même");
    }
    if !(5..=240).contains(&record.duration_min) {
        return refuse("Durée", "entre 5 et 240 minutes");
    }
    Ok(())
}

#[cfg(test)]
mod tests;
