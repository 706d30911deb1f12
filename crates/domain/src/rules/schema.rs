//! The priority schema ("schéma de synthèse du suivi individuel", SCHEDULING.md) as data: for
//! each queue, entries giving a rank to a kind of obligation (some subtypes, a condition on the
//! worker). An obligation takes the best rank among the specific entries it matches (a
//! condition or subtypes), else the rank of the general entry of its kind. Services edit it;
//! the 11th edition is shipped as the default.

use serde::{Deserialize, Serialize};

use super::engine::Facts;
use super::model::VISIT_KINDS;

/// A condition on the worker an entry may require.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    Any,
    DisabledOrInvalidity,
    MinorOrApprentice,
    LastSeenOverSixYears,
    HiredBefore2019NeverSeen,
    AdaptedOrDoctorList,
    ExtendedDeadline,
}

impl Condition {
    pub const ALL: [Condition; 7] = [
        Condition::Any,
        Condition::DisabledOrInvalidity,
        Condition::MinorOrApprentice,
        Condition::LastSeenOverSixYears,
        Condition::HiredBefore2019NeverSeen,
        Condition::AdaptedOrDoctorList,
        Condition::ExtendedDeadline,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Condition::Any => "any",
            Condition::DisabledOrInvalidity => "disabled_or_invalidity",
            Condition::MinorOrApprentice => "minor_or_apprentice",
            Condition::LastSeenOverSixYears => "last_seen_over_six_years",
            Condition::HiredBefore2019NeverSeen => "hired_before_2019_never_seen",
            Condition::AdaptedOrDoctorList => "adapted_or_doctor_list",
            Condition::ExtendedDeadline => "extended_deadline",
        }
    }

    pub fn from_code(code: &str) -> Option<Condition> {
        Condition::ALL.into_iter().find(|c| c.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Condition::Any => "tous les travailleurs",
            Condition::DisabledOrInvalidity => {
                "travailleurs handicapés (RQTH) et pensionnés d'invalidité"
            }
            Condition::MinorOrApprentice => "mineurs et apprentis",
            Condition::LastSeenOverSixYears => "dernière visite il y a plus de 6 ans",
            Condition::HiredBefore2019NeverSeen => "embauchés avant 2019, jamais vus",
            Condition::AdaptedOrDoctorList => {
                "SIA (hors moins de 18 ans) et SIS de la liste fixée par le médecin"
            }
            Condition::ExtendedDeadline => {
                "délai porté à 3 mois après l'embauche par une mesure expérimentale"
            }
        }
    }

    fn holds(self, f: &Facts, subtype: &str) -> bool {
        match self {
            Condition::Any => true,
            Condition::DisabledOrInvalidity => f.disabled || f.invalidity,
            Condition::MinorOrApprentice => f.minor || f.apprentice,
            Condition::LastSeenOverSixYears => f.last_seen_over_six_years(),
            Condition::HiredBefore2019NeverSeen => f.hired_before_2019_never_seen(),
            Condition::AdaptedOrDoctorList => {
                use crate::followup::FollowUp;
                let other_reason = f.night
                    || f.disabled
                    || f.invalidity
                    || f.has("pregnant")
                    || f.has("bio_agents_2")
                    || f.has("emf");
                (f.category == FollowUp::Adapted && (other_reason || !f.minor))
                    || (f.category == FollowUp::Simple && f.s.doctor_list)
            }
            Condition::ExtendedDeadline => subtype == "experimental",
        }
    }
}

/// One line of the schema: `kind` (restricted to `subtypes` when not empty) under
/// `condition` takes `rank` in its queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub rank: u8,
    pub kind: String,
    #[serde(default)]
    pub subtypes: Vec<String>,
    pub condition: Condition,
}

impl Entry {
    fn general(&self) -> bool {
        self.condition == Condition::Any && self.subtypes.is_empty()
    }

    fn matches(&self, f: &Facts, kind: &str, subtype: &str) -> bool {
        self.kind == kind
            && (self.subtypes.is_empty() || self.subtypes.iter().any(|s| s == subtype))
            && self.condition.holds(f, subtype)
    }
}

/// The two queues.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrioritySchema {
    pub doctor: Vec<Entry>,
    pub nurse: Vec<Entry>,
}

/// Kinds only a doctor performs (REGULATION.md "Who may do what"): never in the nurse queue.
pub const DOCTOR_ONLY_KINDS: [&str; 3] = ["EMA_HIRE", "EMA_PERIODIC", "POST_EXPOSURE"];
/// Kinds the doctor may entrust to the nurse by protocol even when the rule names the doctor.
const ENTRUSTABLE_KINDS: [&str; 2] = ["PRE_RETURN", "ON_DEMAND"];
/// The rendez-vous de liaison is not an obligation of the engine.
const QUEUED_KINDS: usize = VISIT_KINDS.len() - 1;

fn entry(rank: u8, kind: &str, subtypes: &[&str], condition: Condition) -> Entry {
    Entry {
        rank,
        kind: kind.into(),
        subtypes: subtypes.iter().map(|s| s.to_string()).collect(),
        condition,
    }
}

impl Default for PrioritySchema {
    /// The 11th edition of SCHEDULING.md. Decisions where it is silent: `EMA_PERIODIC` and
    /// every `ON_DEMAND` (the certificate too) take the doctor's ranks of the hiring
    /// examination and of requests, so that no obligation is left out of both queues.
    fn default() -> Self {
        use Condition::*;
        PrioritySchema {
            doctor: vec![
                entry(1, "RETURN_TO_WORK", &[], Any),
                entry(2, "PRE_RETURN", &[], Any),
                entry(3, "VIP_INITIAL", &[], DisabledOrInvalidity),
                entry(4, "ON_DEMAND", &[], Any),
                entry(5, "POST_EXPOSURE", &[], Any),
                entry(6, "EMA_HIRE", &[], Any),
                entry(6, "EMA_PERIODIC", &[], Any),
                entry(7, "MID_CAREER", &[], Any),
                entry(8, "EMA_HIRE", &[], ExtendedDeadline),
            ],
            nurse: vec![
                entry(1, "RETURN_TO_WORK", &["maternity"], Any),
                entry(1, "PRE_RETURN", &[], Any),
                entry(
                    1,
                    "ON_DEMAND",
                    &["worker", "employer", "occupational_doctor"],
                    Any,
                ),
                entry(2, "VIP_INITIAL", &[], MinorOrApprentice),
                entry(3, "VIP_PERIODIC", &[], LastSeenOverSixYears),
                entry(3, "SIR_INTERMEDIATE", &[], LastSeenOverSixYears),
                entry(4, "VIP_INITIAL", &[], HiredBefore2019NeverSeen),
                entry(5, "VIP_INITIAL", &[], AdaptedOrDoctorList),
                entry(6, "MID_CAREER", &[], Any),
                entry(7, "SIR_INTERMEDIATE", &[], Any),
                entry(8, "VIP_INITIAL", &[], Any),
                entry(9, "VIP_PERIODIC", &[], Any),
            ],
        }
    }
}

fn rank_in(entries: &[Entry], f: &Facts, kind: &str, subtype: &str) -> Option<u8> {
    let matching = || entries.iter().filter(|e| e.matches(f, kind, subtype));
    matching()
        .filter(|e| !e.general())
        .map(|e| e.rank)
        .min()
        .or_else(|| matching().map(|e| e.rank).min())
}

impl PrioritySchema {
    /// The obligation's rank in the doctor's and the nurse's queue (`None`: not taken).
    pub(super) fn ranks(
        &self,
        f: &Facts,
        kind: &str,
        subtype: &str,
        performer: &str,
    ) -> (Option<u8>, Option<u8>) {
        let doctor = rank_in(&self.doctor, f, kind, subtype);
        let nurse_may = performer != "doctor"
            || (ENTRUSTABLE_KINDS.contains(&kind) && subtype != "certificate");
        let nurse = if nurse_may {
            rank_in(&self.nurse, f, kind, subtype)
        } else {
            None
        };
        (doctor, nurse)
    }

    /// Every problem of an edited schema, in French; empty when it can be saved.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for (queue, entries) in [("médecin", &self.doctor), ("infirmier", &self.nurse)] {
            for (i, e) in entries.iter().enumerate() {
                let line = format!("File {queue}, ligne {}", i + 1);
                if !VISIT_KINDS[..QUEUED_KINDS].contains(&e.kind.as_str()) {
                    problems.push(format!("{line} : type de visite « {} » inconnu", e.kind));
                }
                if !(1..=20).contains(&e.rank) {
                    problems.push(format!("{line} : le rang doit être compris entre 1 et 20"));
                }
                if queue == "infirmier" && DOCTOR_ONLY_KINDS.contains(&e.kind.as_str()) {
                    problems.push(format!(
                        "{line} : {} est réservé au médecin (R4624-25), il ne peut pas figurer \
                         dans la file infirmier",
                        e.kind
                    ));
                }
                let mut subtypes = e.subtypes.clone();
                subtypes.sort();
                for other in &entries[..i] {
                    let mut other_subtypes = other.subtypes.clone();
                    other_subtypes.sort();
                    if other.kind == e.kind
                        && other.condition == e.condition
                        && other_subtypes == subtypes
                        && other.rank != e.rank
                    {
                        problems.push(format!(
                            "{line} : {} ({}) est déjà au rang {} ; deux rangs pour la même \
                             visite se contredisent",
                            e.kind,
                            e.condition.label(),
                            other.rank
                        ));
                    }
                }
            }
        }
        for kind in &VISIT_KINDS[..QUEUED_KINDS] {
            let queued = self
                .doctor
                .iter()
                .chain(&self.nurse)
                .any(|e| e.kind == *kind && e.general());
            if !queued {
                problems.push(format!(
                    "{kind} ne figure dans aucune file pour tous les travailleurs : ces visites \
                     ne seraient jamais proposées"
                ));
            }
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_edition_is_valid() {
        assert_eq!(PrioritySchema::default().problems(), Vec::<String>::new());
    }

    #[test]
    fn a_kind_left_out_of_both_queues_is_refused() {
        let mut schema = PrioritySchema::default();
        schema.doctor.retain(|e| e.kind != "MID_CAREER");
        schema.nurse.retain(|e| e.kind != "MID_CAREER");
        let problems = schema.problems();
        assert_eq!(problems.len(), 1);
        assert!(problems[0].starts_with("MID_CAREER ne figure dans aucune file"));
    }

    #[test]
    fn the_same_visit_at_two_ranks_is_a_contradiction() {
        let mut schema = PrioritySchema::default();
        schema
            .doctor
            .push(entry(9, "PRE_RETURN", &[], Condition::Any));
        let problems = schema.problems();
        assert_eq!(problems.len(), 1);
        assert!(problems[0].contains("déjà au rang 2"), "{problems:?}");
    }

    #[test]
    fn doctor_only_kinds_cannot_go_to_the_nurse() {
        let mut schema = PrioritySchema::default();
        schema
            .nurse
            .push(entry(10, "POST_EXPOSURE", &[], Condition::Any));
        assert!(schema.problems()[0].contains("réservé au médecin"));
    }
}
