//! The rules of REGULATION.md as data: each row with its article, its validity period and
//! the French sentence `spsti rules explain` prints when it fires.

use chrono::NaiveDate;

use super::engine::Facts;

const fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(y, m, d) {
        Some(day) => day,
        None => panic!("invalid date"),
    }
}

/// Décret 2025-355: driving and electrical work leave SIR for a certificate.
pub const DECREE_2025_355: NaiveDate = date(2025, 10, 1);
/// Loi 2021-1018 in force: mid-career visit, 60-day threshold for sickness leaves.
pub const LAW_2021_1018: NaiveDate = date(2022, 3, 31);

/// A row of the initial-visit table (SIS/SIA): when `applies`, the visit is due `months`
/// after the hire (0: before assignment).
pub struct InitialVisitRow {
    pub applies: fn(&Facts) -> bool,
    pub months: i32,
    pub doctor: bool,
    pub reference: &'static str,
    pub label: &'static str,
}

pub const INITIAL_VISIT: &[InitialVisitRow] = &[
    InitialVisitRow {
        applies: |_| true,
        months: 3,
        doctor: false,
        reference: "R4624-10",
        label: "embauche en SIS/SIA : visite d'information et de prévention dans les 3 mois",
    },
    InitialVisitRow {
        applies: |f| f.night || f.minor || f.has("bio_agents_2") || f.has("emf"),
        months: 0,
        doctor: false,
        reference: "R4624-18",
        label: "travail de nuit, moins de 18 ans, agents biologiques du groupe 2 ou champs \
                électromagnétiques : visite avant l'affectation",
    },
    InitialVisitRow {
        applies: |f| f.apprentice,
        months: 2,
        doctor: false,
        reference: "R6222-40-1",
        label: "contrat d'apprentissage : visite dans les 2 mois",
    },
    InitialVisitRow {
        applies: |f| f.disabled || f.invalidity,
        months: 3,
        doctor: true,
        reference: "R4624-20",
        label: "travailleur handicapé ou pensionné d'invalidité : orienté sans délai vers le \
                médecin",
    },
];

/// A look-back window: a visit of the track this many years before the hire spares the
/// initial visit. The shortest applicable window wins.
pub struct LookBackRow {
    pub applies: fn(&Facts) -> bool,
    pub years: i32,
    pub reference: &'static str,
    pub label: &'static str,
}

pub const LOOK_BACK: &[LookBackRow] = &[
    LookBackRow {
        applies: |_| true,
        years: 5,
        reference: "R4624-15",
        label: "5 ans",
    },
    LookBackRow {
        applies: |f| f.r4624_17(),
        years: 3,
        reference: "R4624-17",
        label: "3 ans (travailleur handicapé, pensionné d'invalidité ou de nuit)",
    },
    LookBackRow {
        applies: |f| f.interim,
        years: 2,
        reference: "R4625-11",
        label: "2 ans (travailleur temporaire)",
    },
];

/// A periodicity: the next visit of the track is due this many years after the latest one.
/// The shortest applicable periodicity wins.
pub struct PeriodicRow {
    pub kind: &'static str,
    pub applies: fn(&Facts) -> bool,
    pub years: i32,
    pub reference: &'static str,
    pub label: &'static str,
}

pub const PERIODIC: &[PeriodicRow] = &[
    PeriodicRow {
        kind: "VIP_PERIODIC",
        applies: |_| true,
        years: 5,
        reference: "R4624-16",
        label: "SIS/SIA : visite périodique au plus tard 5 ans après la dernière",
    },
    PeriodicRow {
        kind: "VIP_PERIODIC",
        applies: |f| f.r4624_17(),
        years: 3,
        reference: "R4624-17",
        label: "travailleur handicapé, pensionné d'invalidité ou de nuit : tous les 3 ans",
    },
    PeriodicRow {
        kind: "EMA_PERIODIC",
        applies: |_| true,
        years: 4,
        reference: "R4624-28",
        label: "SIR : examen d'aptitude périodique au plus tard 4 ans après le dernier",
    },
    PeriodicRow {
        kind: "EMA_PERIODIC",
        applies: |f| f.category_a,
        years: 1,
        reference: "R4451-82",
        label: "rayonnements ionisants, catégorie A : examen tous les ans, sans visite \
                intermédiaire",
    },
    PeriodicRow {
        kind: "SIR_INTERMEDIATE",
        applies: |f| !f.category_a,
        years: 2,
        reference: "R4624-28",
        label: "SIR : visite intermédiaire 2 ans après le dernier examen",
    },
];

/// Which leaves call for a return-to-work visit: reason, leaves started in
/// [`started_from`, `started_to`], at least `min_days` long.
pub struct ReturnRow {
    pub reason: &'static str,
    pub started_from: Option<NaiveDate>,
    pub started_to: Option<NaiveDate>,
    pub min_days: i64,
    pub doctor: bool,
    pub label: &'static str,
}

pub const RETURN_TO_WORK: &[ReturnRow] = &[
    ReturnRow {
        reason: "maternity",
        started_from: None,
        started_to: None,
        min_days: 0,
        doctor: false,
        label: "retour de congé de maternité (peut être confié à l'infirmier)",
    },
    ReturnRow {
        reason: "occupational_disease",
        started_from: None,
        started_to: None,
        min_days: 0,
        doctor: true,
        label: "retour après une maladie professionnelle, quelle qu'en soit la durée",
    },
    ReturnRow {
        reason: "work_accident",
        started_from: None,
        started_to: None,
        min_days: 30,
        doctor: true,
        label: "retour après un accident du travail d'au moins 30 jours",
    },
    ReturnRow {
        reason: "sickness",
        started_from: None,
        started_to: Some(LAW_2021_1018),
        min_days: 30,
        doctor: true,
        label: "retour après une maladie d'au moins 30 jours (arrêt commencé au plus tard le \
                31/03/2022)",
    },
    ReturnRow {
        reason: "sickness",
        started_from: Some(date(2022, 4, 1)),
        started_to: None,
        min_days: 60,
        doctor: true,
        label: "retour après une maladie ou un accident non professionnel d'au moins 60 jours \
                (arrêt commencé après le 31/03/2022)",
    },
];

/// Visits the engine derives from other facts, each with its article and dates.
pub struct OtherRule {
    pub kind: &'static str,
    pub subtype: &'static str,
    pub valid_from: Option<NaiveDate>,
    pub reference: &'static str,
    pub label: &'static str,
}

pub const EMA_HIRE: OtherRule = OtherRule {
    kind: "EMA_HIRE",
    subtype: "",
    valid_from: None,
    reference: "R4624-24",
    label: "affectation à un poste SIR : examen d'aptitude avant l'affectation, sauf avis \
            d'aptitude dans les 2 ans",
};

pub const DRIVING_CERTIFICATE: OtherRule = OtherRule {
    kind: "ON_DEMAND",
    subtype: "certificate",
    valid_from: Some(DECREE_2025_355),
    reference: "R4323-56",
    label: "autorisation de conduite : certificat d'absence de contre-indication, valable 5 ans \
            (décret 2025-355)",
};

pub const ELECTRICAL_CERTIFICATE: OtherRule = OtherRule {
    kind: "ON_DEMAND",
    subtype: "certificate",
    valid_from: Some(DECREE_2025_355),
    reference: "R4544-11-1",
    label: "habilitation électrique : certificat d'absence de contre-indication, valable 5 ans \
            (décret 2025-355)",
};

pub const PRE_RETURN: OtherRule = OtherRule {
    kind: "PRE_RETURN",
    subtype: "",
    valid_from: None,
    reference: "R4624-29",
    label: "visite de pré-reprise demandée pendant l'arrêt, sans délai légal",
};

pub const ON_DEMAND: OtherRule = OtherRule {
    kind: "ON_DEMAND",
    subtype: "",
    valid_from: None,
    reference: "R4624-34",
    label: "visite à la demande, sans délai légal",
};

pub const MID_CAREER: OtherRule = OtherRule {
    kind: "MID_CAREER",
    subtype: "",
    valid_from: Some(LAW_2021_1018),
    reference: "L4624-2-2",
    label: "visite de mi-carrière l'année des 45 ans (loi en vigueur le 31/03/2022)",
};

pub const POST_EXPOSURE: OtherRule = OtherRule {
    kind: "POST_EXPOSURE",
    subtype: "post_exposure",
    valid_from: None,
    reference: "R4624-28-1",
    label: "fin d'exposition d'un travailleur en SIR : visite post-exposition, du mois avant \
            à 6 mois après",
};

pub const RETURN_REFERENCE: &str = "R4624-31";
