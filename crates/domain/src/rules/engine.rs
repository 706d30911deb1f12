//! The rules of REGULATION.md "Obligations the engine derives" and "How the engine computes".

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::dates::{add_days, add_months, add_years, age_on, first_of_year, last_of_year, year_of};
use super::ranks::rank;
use crate::followup::{FollowUp, check_codes, compute_category};

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

fn invalid(field: &str, message: impl Into<String>) -> SituationError {
    SituationError {
        field: field.into(),
        message: message.into(),
    }
}

const VISIT_KINDS: [&str; 11] = [
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
const LEAVE_REASONS: [&str; 4] = [
    "sickness",
    "maternity",
    "work_accident",
    "occupational_disease",
];

fn check(s: &Situation) -> Result<(), SituationError> {
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
    for (i, r) in s.requests.iter().enumerate() {
        if !matches!(r.kind.as_str(), "PRE_RETURN" | "ON_DEMAND") {
            return Err(invalid(
                &format!("requests[{i}].kind"),
                format!("« {} » : PRE_RETURN ou ON_DEMAND attendu", r.kind),
            ));
        }
    }
    Ok(())
}

/// The facts the rules read, derived once.
pub(super) struct Facts<'a> {
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
    fn has(&self, code: &str) -> bool {
        self.s.exposures.iter().any(|e| e == code)
    }
    /// The workers of R4624-17: 3-year periodicity and look-back.
    fn r4624_17(&self) -> bool {
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
}

struct Draft {
    kind: &'static str,
    subtype: String,
    earliest: NaiveDate,
    due: Option<NaiveDate>,
    performer: &'static str,
    reference: &'static str,
}

/// The obligations open at `situation.at`, sorted by due date (none last) then kind.
pub fn evaluate(s: &Situation) -> Result<Vec<Obligation>, SituationError> {
    check(s)?;
    let minor = age_on(s.birth_date, s.hired_on) < 18;
    let category = match &s.category {
        Some(code) => FollowUp::from_code(code).unwrap_or(FollowUp::Simple),
        None => compute_category(s.exposures.iter().map(String::as_str), minor, s.at).0,
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
    if !left {
        if category == FollowUp::Reinforced {
            sir_track(&facts, &mut drafts);
        } else {
            vip_track(&facts, &mut drafts);
        }
        certificate(&facts, &mut drafts);
        returns_to_work(&facts, &mut drafts);
        requests(&facts, &mut drafts);
        mid_career(&facts, &mut drafts);
    }
    post_exposure(&facts, &mut drafts);
    let mut obligations: Vec<Obligation> = drafts
        .into_iter()
        .map(|d| {
            let (doctor_rank, nurse_rank) = rank(&facts, d.kind, &d.subtype, d.performer);
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
    Ok(obligations)
}

const EMA_KINDS: [&str; 2] = ["EMA_HIRE", "EMA_PERIODIC"];
const VIP_TRACK_NON_SIR: [&str; 4] = ["VIP_INITIAL", "VIP_PERIODIC", "EMA_HIRE", "EMA_PERIODIC"];

/// SIS and SIA: initial VIP, then periodic VIP from the latest visit of the track.
fn vip_track(f: &Facts, out: &mut Vec<Draft>) {
    let s = f.s;
    let mut lookback = 5;
    if f.r4624_17() {
        lookback = 3;
    }
    if f.interim {
        lookback = 2;
    }
    let window_start = add_years(s.hired_on, -lookback);
    let covered = f.visits(&VIP_TRACK_NON_SIR).any(|v| v.date >= window_start);
    if !covered {
        // Every applicable row; the earliest due wins with its reference, doctor over either.
        let mut rows: Vec<(NaiveDate, bool, &'static str)> =
            vec![(add_months(s.hired_on, 3), false, "R4624-10")];
        if f.night || f.minor || f.has("bio_agents_2") || f.has("emf") {
            rows.push((s.hired_on, false, "R4624-18"));
        }
        if f.apprentice {
            rows.push((add_months(s.hired_on, 2), false, "R6222-40-1"));
        }
        if f.disabled || f.invalidity {
            rows.push((add_months(s.hired_on, 3), true, "R4624-20"));
        }
        let (due, _, reference) = rows
            .iter()
            .copied()
            .min_by_key(|(d, doctor, _)| (*d, !*doctor))
            .expect("one row");
        let performer = if f.disabled || f.invalidity {
            "doctor"
        } else {
            "either"
        };
        out.push(Draft {
            kind: "VIP_INITIAL",
            subtype: String::new(),
            earliest: s.hired_on,
            due: Some(due),
            performer,
            reference,
        });
        return;
    }
    let latest = f.latest(&VIP_TRACK_NON_SIR).expect("covered by a visit");
    let (years, reference) = if f.r4624_17() {
        (3, "R4624-17")
    } else {
        (5, "R4624-16")
    };
    let due = add_years(latest, years);
    out.push(Draft {
        kind: "VIP_PERIODIC",
        subtype: String::new(),
        earliest: add_months(due, -6),
        due: Some(due),
        performer: "either",
        reference,
    });
}

/// SIR: examination before assignment, then periodic examinations and intermediate visits.
fn sir_track(f: &Facts, out: &mut Vec<Draft>) {
    let window_start = add_years(f.assignment, -2);
    let covered = f.visits(&EMA_KINDS).any(|v| v.date >= window_start);
    if !covered {
        out.push(Draft {
            kind: "EMA_HIRE",
            subtype: String::new(),
            earliest: f.s.hired_on.min(f.assignment),
            due: Some(f.assignment),
            performer: "doctor",
            reference: "R4624-24",
        });
        return;
    }
    let latest = f.latest(&EMA_KINDS).expect("covered by an examination");
    let (due, reference) = if f.category_a {
        (add_years(latest, 1), "R4451-82")
    } else {
        (add_years(latest, 4), "R4624-28")
    };
    out.push(Draft {
        kind: "EMA_PERIODIC",
        subtype: String::new(),
        earliest: add_months(due, -6),
        due: Some(due),
        performer: "doctor",
        reference,
    });
    if !f.category_a {
        let intermediate_done = f.visits(&["SIR_INTERMEDIATE"]).any(|v| v.date > latest);
        if !intermediate_done {
            let due = add_years(latest, 2);
            out.push(Draft {
                kind: "SIR_INTERMEDIATE",
                subtype: String::new(),
                earliest: add_months(due, -6),
                due: Some(due),
                performer: "either",
                reference: "R4624-28",
            });
        }
    }
}

/// Certificate of no contra-indication for driving or electrical work, from 1 October 2025.
fn certificate(f: &Facts, out: &mut Vec<Draft>) {
    let decree = NaiveDate::from_ymd_opt(2025, 10, 1).expect("date");
    let driving = f.has("driving_authorisation");
    let electrical = f.has("electrical_clearance");
    if f.s.at < decree || !(driving || electrical) {
        return;
    }
    let certificates = f
        .visits(&["ON_DEMAND"])
        .filter(|v| v.subtype == "certificate")
        .map(|v| v.date);
    let old_examinations = f
        .visits(&EMA_KINDS)
        .filter(|v| v.date < decree)
        .map(|v| v.date);
    let latest = certificates.chain(old_examinations).max();
    let (earliest, due) = match latest {
        None => (f.assignment.min(f.s.at), f.assignment),
        Some(last) => {
            let due = add_years(last, 5);
            (add_months(due, -6), due)
        }
    };
    out.push(Draft {
        kind: "ON_DEMAND",
        subtype: "certificate".into(),
        earliest,
        due: Some(due),
        performer: "doctor",
        reference: if driving { "R4323-56" } else { "R4544-11-1" },
    });
}

/// Return-to-work visits after the leaves that qualify.
fn returns_to_work(f: &Facts, out: &mut Vec<Draft>) {
    let reform = NaiveDate::from_ymd_opt(2022, 3, 31).expect("date");
    for leave in &f.s.leaves {
        let Some(returned) = leave.returned_on.or(leave.end.map(|e| add_days(e, 1))) else {
            continue;
        };
        let length = (returned - leave.start).num_days();
        let qualifies = match leave.reason.as_str() {
            "maternity" | "occupational_disease" => true,
            "work_accident" => length >= 30,
            "sickness" => length >= if leave.start > reform { 60 } else { 30 },
            _ => false,
        };
        let done = f.visits(&["RETURN_TO_WORK"]).any(|v| v.date >= leave.start);
        if qualifies && !done {
            out.push(Draft {
                kind: "RETURN_TO_WORK",
                subtype: leave.reason.clone(),
                earliest: returned,
                due: Some(add_days(returned, 8)),
                performer: if leave.reason == "maternity" {
                    "either"
                } else {
                    "doctor"
                },
                reference: "R4624-31",
            });
        }
    }
}

/// Pre-return and on-demand visits asked for, until one of that kind is done.
fn requests(f: &Facts, out: &mut Vec<Draft>) {
    for request in &f.s.requests {
        let done = f
            .visits(&[request.kind.as_str()])
            .any(|v| v.date >= request.asked_on);
        if done || request.asked_on > f.s.at {
            continue;
        }
        let (kind, reference) = if request.kind == "PRE_RETURN" {
            ("PRE_RETURN", "R4624-29")
        } else {
            ("ON_DEMAND", "R4624-34")
        };
        out.push(Draft {
            kind,
            subtype: request.subtype.clone(),
            earliest: request.asked_on,
            due: None,
            performer: "doctor",
            reference,
        });
    }
}

/// Mid-career visit in the year of the 45th birthday (law in force 31 March 2022).
fn mid_career(f: &Facts, out: &mut Vec<Draft>) {
    let year45 = year_of(f.s.birth_date) + 45;
    if year45 < 2022 || f.s.hired_on > last_of_year(year45) {
        return;
    }
    let earliest = first_of_year(year45 - 2);
    if f.visits(&["MID_CAREER"]).any(|v| v.date >= earliest) {
        return;
    }
    out.push(Draft {
        kind: "MID_CAREER",
        subtype: String::new(),
        earliest,
        due: Some(last_of_year(year45)),
        performer: "either",
        reference: "L4624-2-2",
    });
}

/// Post-exposure visit when a worker who is or was SIR ends the exposure.
fn post_exposure(f: &Facts, out: &mut Vec<Draft>) {
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
        .any(|v| v.kind == "POST_EXPOSURE" && v.date >= earliest && v.date <= s.at)
    {
        return;
    }
    out.push(Draft {
        kind: "POST_EXPOSURE",
        subtype: "post_exposure".into(),
        earliest,
        due: Some(add_months(end, 6)),
        performer: "doctor",
        reference: "R4624-28-1",
    });
}
