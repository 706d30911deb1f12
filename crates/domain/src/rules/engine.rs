//! How the engine computes (REGULATION.md): the facts of a situation, then each track of
//! rules reading the tables of `tables.rs`, then the ranks of the priority schema.

use chrono::NaiveDate;

use super::dates::{add_days, add_months, add_years, age_on, first_of_year, last_of_year, year_of};
use super::model::{Obligation, Situation, SituationError, Visit, check};
use super::schema::PrioritySchema;
use super::tables::{self, OtherRule};
use crate::followup::{FollowUp, compute_category};
use crate::french_date as french;

/// The result with the reasons: which rule fired and why, in French.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    pub category: FollowUp,
    pub obligations: Vec<Obligation>,
    pub trace: Vec<Step>,
}

/// One step of the reasoning: a rule that fired (or was set aside) with its article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub reference: String,
    pub text: String,
}

/// Collects the reasoning only when asked: the queues evaluate 100,000 workers without it.
struct Trace {
    steps: Option<Vec<Step>>,
}

impl Trace {
    fn note(&mut self, reference: &str, text: impl FnOnce() -> String) {
        if let Some(steps) = &mut self.steps {
            steps.push(Step {
                reference: reference.into(),
                text: text(),
            });
        }
    }
}

/// The facts the rules read, derived once.
pub struct Facts<'a> {
    pub s: &'a Situation,
    pub category: FollowUp,
    pub minor: bool,
    pub apprentice: bool,
    pub interim: bool,
    pub night: bool,
    pub disabled: bool,
    pub invalidity: bool,
    pub category_a: bool,
    pub assignment: NaiveDate,
}

impl Facts<'_> {
    pub fn has(&self, code: &str) -> bool {
        self.s.exposures.iter().any(|e| e == code)
    }
    /// The workers of R4624-17: 3-year periodicity and look-back.
    pub fn r4624_17(&self) -> bool {
        self.disabled || self.invalidity || self.night
    }
    fn visits<'b>(&'b self, kinds: &'b [&'b str]) -> impl Iterator<Item = &'b Visit> + 'b {
        self.s
            .history
            .iter()
            .filter(move |v| v.date <= self.s.at && kinds.contains(&v.kind.as_str()))
    }
    fn latest(&self, kinds: &[&str]) -> Option<NaiveDate> {
        self.visits(kinds).map(|v| v.date).max()
    }
    pub fn last_seen_over_six_years(&self) -> bool {
        self.latest(&["VIP_INITIAL", "VIP_PERIODIC", "SIR_INTERMEDIATE"])
            .is_some_and(|last| add_years(last, 6) < self.s.at)
    }
    pub fn hired_before_2019_never_seen(&self) -> bool {
        self.s.hired_on < first_of_year(2019) && !self.s.history.iter().any(|v| v.date <= self.s.at)
    }
}

struct Draft {
    kind: &'static str,
    subtype: String,
    earliest: NaiveDate,
    due: Option<NaiveDate>,
    performer: &'static str,
    reference: &'static str,
}

/// The obligations open at `situation.at` with the shipped priority schema.
pub fn evaluate(s: &Situation) -> Result<Vec<Obligation>, SituationError> {
    Ok(run(s, &PrioritySchema::default(), false)?.obligations)
}

/// The obligations open at `situation.at`, ranked by `schema`.
pub fn evaluate_with(
    s: &Situation,
    schema: &PrioritySchema,
) -> Result<Vec<Obligation>, SituationError> {
    Ok(run(s, schema, false)?.obligations)
}

/// The obligations and the reasoning that gave them (`spsti rules explain`, "Expliquer").
pub fn explain(s: &Situation, schema: &PrioritySchema) -> Result<Evaluation, SituationError> {
    run(s, schema, true)
}

fn run(s: &Situation, schema: &PrioritySchema, traced: bool) -> Result<Evaluation, SituationError> {
    check(s)?;
    let mut trace = Trace {
        steps: traced.then(Vec::new),
    };
    let minor = age_on(s.birth_date, s.hired_on) < 18;
    let category = match &s.category {
        Some(code) => {
            trace.note("", || {
                format!("Catégorie {code} donnée (déclaration ou décision du médecin).")
            });
            FollowUp::from_code(code).unwrap_or(FollowUp::Simple)
        }
        None => {
            let (category, fired) =
                compute_category(s.exposures.iter().map(String::as_str), minor, s.at);
            for rule in &fired {
                trace.note(rule.reference, || {
                    format!(
                        "{} : {} au {}.",
                        rule.label,
                        category.code(),
                        s.at.format("%d/%m/%Y")
                    )
                });
            }
            if fired.is_empty() {
                trace.note("", || {
                    "Aucune exposition ni situation particulière : SIS.".into()
                });
            }
            category
        }
    };
    let facts = Facts {
        s,
        category,
        minor,
        apprentice: s.contract.as_deref() == Some("APPRENTICE"),
        interim: s.contract.as_deref() == Some("INTERIM"),
        night: s.exposures.iter().any(|e| e == "night_worker"),
        disabled: s.exposures.iter().any(|e| e == "disabled"),
        invalidity: s.exposures.iter().any(|e| e == "invalidity_pension"),
        category_a: s.exposures.iter().any(|e| e == "ionizing_radiation_a"),
        assignment: s.job_change_on.map_or(s.hired_on, |c| c.max(s.hired_on)),
    };
    let mut drafts = Vec::new();
    let left = s.left_on.is_some_and(|l| l <= s.at);
    if left {
        trace.note("", || {
            "Le travailleur a quitté l'entreprise : seule une visite post-exposition peut rester due."
                .into()
        });
    } else {
        if category == FollowUp::Reinforced {
            sir_track(&facts, &mut drafts, &mut trace);
        } else {
            vip_track(&facts, &mut drafts, &mut trace);
        }
        certificate(&facts, &mut drafts, &mut trace);
        returns_to_work(&facts, &mut drafts, &mut trace);
        requests(&facts, &mut drafts, &mut trace);
        mid_career(&facts, &mut drafts, &mut trace);
    }
    post_exposure(&facts, &mut drafts, &mut trace);
    let mut obligations: Vec<Obligation> = drafts
        .into_iter()
        .map(|d| {
            let (doctor_rank, nurse_rank) = schema.ranks(&facts, d.kind, &d.subtype, d.performer);
            Obligation {
                kind: d.kind.into(),
                subtype: d.subtype,
                earliest: d.earliest,
                due: d.due,
                performer: d.performer.into(),
                reference: d.reference.into(),
                doctor_rank,
                nurse_rank,
            }
        })
        .collect();
    obligations.sort_by(|a, b| {
        (a.due.is_none(), a.due, &a.kind, &a.subtype).cmp(&(
            b.due.is_none(),
            b.due,
            &b.kind,
            &b.subtype,
        ))
    });
    Ok(Evaluation {
        category,
        obligations,
        trace: trace.steps.unwrap_or_default(),
    })
}

const EMA_KINDS: [&str; 2] = ["EMA_HIRE", "EMA_PERIODIC"];
const VIP_TRACK_NON_SIR: [&str; 4] = ["VIP_INITIAL", "VIP_PERIODIC", "EMA_HIRE", "EMA_PERIODIC"];

/// The next periodic visit: the shortest applicable periodicity of the table, shortened by
/// the doctor's periodicity for the worker when it is shorter still.
fn periodic_due(
    f: &Facts,
    kind: &str,
    latest: NaiveDate,
    trace: &mut Trace,
) -> Option<(NaiveDate, &'static str)> {
    let row = tables::PERIODIC
        .iter()
        .filter(|r| r.kind == kind && (r.applies)(f))
        .min_by_key(|r| r.years)?;
    trace.note(row.reference, || format!("Périodicité : {}.", row.label));
    // A visit of an earlier job whose periodicity ran out before the hire (category A: one
    // year) is renewed before the assignment, never "due" before the worker was there.
    let legal = add_years(latest, row.years).max(f.s.hired_on);
    match f.s.periodicity_months {
        // The doctor decided it at a visit of this employment: it does not reach back to a
        // visit of an earlier job, which would put the deadline before the hire.
        Some(months) if kind != "SIR_INTERMEDIATE" && latest >= f.s.hired_on => {
            let chosen = add_months(latest, months as i32);
            if chosen < legal {
                trace.note(row.reference, || {
                    format!("Périodicité fixée par le médecin : {months} mois.")
                });
                return Some((chosen, row.reference));
            }
            Some((legal, row.reference))
        }
        _ => Some((legal, row.reference)),
    }
}

/// SIS and SIA: initial VIP, then periodic VIP from the latest visit of the track.
fn vip_track(f: &Facts, out: &mut Vec<Draft>, trace: &mut Trace) {
    let s = f.s;
    let window = tables::LOOK_BACK
        .iter()
        .filter(|r| (r.applies)(f))
        .min_by_key(|r| r.years)
        .expect("the general window always applies");
    let window_start = add_years(s.hired_on, -window.years);
    let covered = f.visits(&VIP_TRACK_NON_SIR).any(|v| v.date >= window_start);
    if !covered {
        let rows: Vec<_> = tables::INITIAL_VISIT
            .iter()
            .filter(|r| (r.applies)(f))
            .collect();
        for row in &rows {
            trace.note(row.reference, || {
                format!("Règle applicable : {}.", row.label)
            });
        }
        let row = rows
            .iter()
            .min_by_key(|r| (add_months(s.hired_on, r.months), !r.doctor))
            .expect("the general row always applies");
        let doctor = rows.iter().any(|r| r.doctor);
        trace.note(row.reference, || {
            format!(
                "Aucune visite depuis le {} (fenêtre de {}, {}) : VIP initiale due le {}.",
                french(window_start),
                window.label,
                window.reference,
                french(add_months(s.hired_on, row.months))
            )
        });
        out.push(Draft {
            kind: "VIP_INITIAL",
            subtype: String::new(),
            earliest: s.hired_on,
            due: Some(add_months(s.hired_on, row.months)),
            performer: if doctor { "doctor" } else { "either" },
            reference: row.reference,
        });
        return;
    }
    let latest = f.latest(&VIP_TRACK_NON_SIR).expect("covered by a visit");
    trace.note(window.reference, || {
        format!(
            "Visite du {} dans la fenêtre de {} : pas de VIP initiale ; la suivante compte de \
             cette date.",
            french(latest),
            window.label
        )
    });
    if let Some((due, reference)) = periodic_due(f, "VIP_PERIODIC", latest, trace) {
        out.push(Draft {
            kind: "VIP_PERIODIC",
            subtype: String::new(),
            earliest: add_months(due, -6),
            due: Some(due),
            performer: "either",
            reference,
        });
    }
}

/// SIR: examination before assignment, then periodic examinations and intermediate visits.
fn sir_track(f: &Facts, out: &mut Vec<Draft>, trace: &mut Trace) {
    let window_start = add_years(f.assignment, -2);
    let covered = f.visits(&EMA_KINDS).any(|v| v.date >= window_start);
    if !covered {
        trace.note(tables::EMA_HIRE.reference, || {
            format!(
                "{} Aucun examen depuis le {} : dû le {}.",
                capitalised(tables::EMA_HIRE.label),
                french(window_start),
                french(f.assignment)
            )
        });
        out.push(Draft {
            kind: "EMA_HIRE",
            subtype: String::new(),
            earliest: f.s.hired_on.min(f.assignment),
            due: Some(f.assignment),
            performer: "doctor",
            reference: tables::EMA_HIRE.reference,
        });
        return;
    }
    let latest = f.latest(&EMA_KINDS).expect("covered by an examination");
    trace.note("R4624-27", || {
        format!(
            "Dernier examen d'aptitude le {} : le suivi compte de cette date.",
            french(latest)
        )
    });
    let Some((periodic, reference)) = periodic_due(f, "EMA_PERIODIC", latest, trace) else {
        return;
    };
    out.push(Draft {
        kind: "EMA_PERIODIC",
        subtype: String::new(),
        earliest: add_months(periodic, -6),
        due: Some(periodic),
        performer: "doctor",
        reference,
    });
    if f.visits(&["SIR_INTERMEDIATE"]).any(|v| v.date > latest) {
        trace.note("R4624-28", || {
            "Visite intermédiaire déjà faite après ce dernier examen.".into()
        });
        return;
    }
    if let Some((due, reference)) = periodic_due(f, "SIR_INTERMEDIATE", latest, trace)
        && due < periodic
    {
        out.push(Draft {
            kind: "SIR_INTERMEDIATE",
            subtype: String::new(),
            earliest: add_months(due, -6),
            due: Some(due),
            performer: "either",
            reference,
        });
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn in_force(rule: &OtherRule, at: NaiveDate) -> bool {
    rule.valid_from.is_none_or(|from| at >= from)
}

/// Certificate of no contra-indication for driving or electrical work, from 1 October 2025.
fn certificate(f: &Facts, out: &mut Vec<Draft>, trace: &mut Trace) {
    let rule = if f.has("driving_authorisation") {
        &tables::DRIVING_CERTIFICATE
    } else if f.has("electrical_clearance") {
        &tables::ELECTRICAL_CERTIFICATE
    } else {
        return;
    };
    if !in_force(rule, f.s.at) {
        trace.note(rule.reference, || {
            "Avant le 01/10/2025 la conduite et l'habilitation électrique relèvent du SIR.".into()
        });
        return;
    }
    let certificates = f
        .visits(&["ON_DEMAND"])
        .filter(|v| v.subtype == "certificate")
        .map(|v| v.date);
    let old_examinations = f
        .visits(&EMA_KINDS)
        .filter(|v| v.date < tables::DECREE_2025_355)
        .map(|v| v.date);
    let latest = certificates.chain(old_examinations).max();
    let (earliest, due) = match latest {
        None => (f.assignment.min(f.s.at), f.assignment),
        Some(last) => {
            // A certificate that expired before the assignment is needed before it.
            let due = add_years(last, 5).max(f.assignment);
            (add_months(due, -6), due)
        }
    };
    trace.note(rule.reference, || {
        format!(
            "{} Certificat dû le {}.",
            capitalised(rule.label),
            french(due)
        )
    });
    out.push(Draft {
        kind: rule.kind,
        subtype: rule.subtype.into(),
        earliest,
        due: Some(due),
        performer: "doctor",
        reference: rule.reference,
    });
}

/// Return-to-work visits after the leaves that qualify.
fn returns_to_work(f: &Facts, out: &mut Vec<Draft>, trace: &mut Trace) {
    for leave in &f.s.leaves {
        let Some(returned) = leave.returned_on.or(leave.end.map(|e| add_days(e, 1))) else {
            continue;
        };
        let length = (returned - leave.start).num_days();
        let row = tables::RETURN_TO_WORK.iter().find(|r| {
            r.reason == leave.reason
                && r.started_from.is_none_or(|from| leave.start >= from)
                && r.started_to.is_none_or(|to| leave.start <= to)
        });
        let Some(row) = row.filter(|r| length >= r.min_days) else {
            trace.note(tables::RETURN_REFERENCE, || {
                format!(
                    "Arrêt du {} ({length} jours) : sous le seuil, pas de visite de reprise.",
                    french(leave.start)
                )
            });
            continue;
        };
        if f.visits(&["RETURN_TO_WORK"]).any(|v| v.date >= leave.start) {
            trace.note(tables::RETURN_REFERENCE, || {
                format!(
                    "Reprise après l'arrêt du {} déjà faite.",
                    french(leave.start)
                )
            });
            continue;
        }
        trace.note(tables::RETURN_REFERENCE, || {
            format!(
                "{} ({length} jours) : visite de reprise du {} au {}.",
                capitalised(row.label),
                french(returned),
                french(add_days(returned, 8))
            )
        });
        out.push(Draft {
            kind: "RETURN_TO_WORK",
            subtype: leave.reason.clone(),
            earliest: returned,
            due: Some(add_days(returned, 8)),
            performer: if row.doctor { "doctor" } else { "either" },
            reference: tables::RETURN_REFERENCE,
        });
    }
}

/// Pre-return and on-demand visits asked for, until one of that kind is done.
fn requests(f: &Facts, out: &mut Vec<Draft>, trace: &mut Trace) {
    for request in &f.s.requests {
        let done = f
            .visits(&[request.kind.as_str()])
            .any(|v| v.date >= request.asked_on);
        if done || request.asked_on > f.s.at {
            continue;
        }
        let rule = if request.kind == "PRE_RETURN" {
            &tables::PRE_RETURN
        } else {
            &tables::ON_DEMAND
        };
        trace.note(rule.reference, || {
            format!("Demande du {} : {}.", french(request.asked_on), rule.label)
        });
        out.push(Draft {
            kind: rule.kind,
            subtype: request.subtype.clone(),
            earliest: request.asked_on,
            due: None,
            performer: "doctor",
            reference: rule.reference,
        });
    }
}

/// Mid-career visit in the year of the 45th birthday (law in force 31 March 2022).
fn mid_career(f: &Facts, out: &mut Vec<Draft>, trace: &mut Trace) {
    let rule = &tables::MID_CAREER;
    let year45 = year_of(f.s.birth_date) + 45;
    let law_year = rule.valid_from.map_or(i32::MIN, year_of);
    if year45 < law_year || f.s.hired_on > last_of_year(year45) {
        return;
    }
    let earliest = first_of_year(year45 - 2);
    if f.visits(&["MID_CAREER"]).any(|v| v.date >= earliest) {
        trace.note(rule.reference, || {
            "Visite de mi-carrière déjà faite.".into()
        });
        return;
    }
    trace.note(rule.reference, || {
        format!(
            "{} : 45 ans en {year45}, possible dès le {}.",
            capitalised(rule.label),
            french(earliest)
        )
    });
    out.push(Draft {
        kind: rule.kind,
        subtype: String::new(),
        earliest,
        due: Some(last_of_year(year45)),
        performer: "either",
        reference: rule.reference,
    });
}

/// Post-exposure visit when a worker who is or was SIR ends the exposure.
fn post_exposure(f: &Facts, out: &mut Vec<Draft>, trace: &mut Trace) {
    let rule = &tables::POST_EXPOSURE;
    let s = f.s;
    let sir_now = f.category == FollowUp::Reinforced;
    let examined = s
        .history
        .iter()
        .any(|v| EMA_KINDS.contains(&v.kind.as_str()));
    let mut ends = Vec::new();
    if let Some(left) = s.left_on
        && (sir_now || examined)
    {
        ends.push(left);
    }
    if let Some(change) = s.job_change_on
        && !sir_now
        && s.history
            .iter()
            .any(|v| EMA_KINDS.contains(&v.kind.as_str()) && v.date < change)
    {
        ends.push(change);
    }
    let Some(end) = ends.into_iter().min() else {
        return;
    };
    let earliest = add_months(end, -1);
    if s.history
        .iter()
        .any(|v| v.kind == rule.kind && v.date >= earliest && v.date <= s.at)
    {
        trace.note(rule.reference, || {
            "Visite post-exposition déjà faite.".into()
        });
        return;
    }
    trace.note(rule.reference, || {
        format!(
            "{} Fin d'exposition le {}.",
            capitalised(rule.label),
            french(end)
        )
    });
    out.push(Draft {
        kind: rule.kind,
        subtype: rule.subtype.into(),
        earliest,
        due: Some(add_months(end, 6)),
        performer: "doctor",
        reference: rule.reference,
    });
}
