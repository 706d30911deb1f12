//! Demonstration prevention history: fiches d'entreprise over the last years (most members
//! covered, some outdated, some never), actions on the work site over four years and a few
//! planned, PDP cases with their follow-up. Deterministic for a given seed.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};
use domain::prevention::pdp::{ADVICE_TYPES, PARTNERS, RESULTS, SIGNALS};
use domain::rules::dates::add_years;
use rand::Rng;
use rand::seq::IndexedRandom;
use rand_chacha::ChaCha8Rng;
use store::{Actor, Db, PastAction, PastPdpCase, PastSheet, PreventionHistory, StoreError};

use crate::demo_members::{DemoMember, DemoWorker};

/// Action types with their weight in a year's activity.
const ACTION_WEIGHTS: [(&str, u32); 11] = [
    ("workstation_study", 25),
    ("measurement_noise", 6),
    ("measurement_chemical", 4),
    ("measurement_ambient", 4),
    ("measurement_physical_load", 3),
    ("awareness_session_held", 10),
    ("awareness_session_cancelled", 2),
    ("cse_meeting", 20),
    ("serious_event", 2),
    ("welcome_old_member", 3),
    ("welcome_new_member_technical", 1),
];

fn between(rng: &mut ChaCha8Rng, from: NaiveDate, to: NaiveDate) -> NaiveDate {
    let span = (to - from).num_days().max(1);
    from + Duration::days(rng.random_range(0..span))
}

fn weighted<'a>(rng: &mut ChaCha8Rng, weights: &'a [(&'a str, u32)]) -> &'a str {
    let total: u32 = weights.iter().map(|(_, w)| w).sum();
    let mut pick = rng.random_range(0..total);
    for (code, weight) in weights {
        if pick < *weight {
            return code;
        }
        pick -= weight;
    }
    weights[0].0
}

fn title(kind: &str) -> &'static str {
    match kind {
        "workstation_study" => "Étude du poste de travail",
        "measurement_noise" => "Mesurage du bruit en atelier",
        "measurement_chemical" => "Prélèvements d'agents chimiques",
        "measurement_ambient" => "Mesures d'éclairage et de température",
        "measurement_physical_load" => "Évaluation de la charge physique",
        "awareness_session_held" | "awareness_session_cancelled" => {
            "Sensibilisation aux troubles musculo-squelettiques"
        }
        "cse_meeting" => "Réunion de la CSSCT",
        "serious_event" => "Soutien après un accident grave",
        _ => "Visite d'accueil",
    }
}

pub async fn generate_prevention(
    db: &Db,
    rng: &mut ChaCha8Rng,
    members: &[DemoMember],
    workers: &[DemoWorker],
) -> Result<String, StoreError> {
    if members.is_empty() {
        return Ok("prévention déjà générée".into());
    }
    let today = store::today();
    // Each team's actions are signed by its first preventer; the demo preventer's by its login.
    // The demo preventer account is linked to the first preventer of the demo employer's team
    // (demo_agendas::link_demo_accounts).
    let demo_team = members
        .iter()
        .find(|m| m.demo_employer)
        .and_then(|m| m.team.clone());
    let mut author_of_team: HashMap<String, String> = HashMap::new();
    for p in db.list_professionals().await? {
        if p.role == domain::org::ProfessionalRole::Preventer
            && let Some(team) = p.team
        {
            let author = if Some(&team) == demo_team.as_ref() {
                "preventeur".to_string()
            } else {
                p.reference
            };
            author_of_team.entry(team).or_insert(author);
        }
    }
    let mut staff_of: HashMap<i64, Vec<i64>> = HashMap::new();
    for w in workers {
        staff_of
            .entry(w.establishment_id)
            .or_default()
            .push(w.worker_id);
    }
    let mut history = PreventionHistory::default();
    let four_years_ago = add_years(today, -4);
    for m in members {
        let author = m
            .team
            .as_ref()
            .and_then(|t| author_of_team.get(t))
            .cloned()
            .unwrap_or_else(|| "preventeur".into());
        let staff = staff_of
            .get(&m.establishment_id)
            .map_or(&[][..], Vec::as_slice);
        // The demo employer's fiche is left for the visitor to write.
        if !m.demo_employer && rng.random_bool(0.8) {
            let earliest = (m.joined_on + Duration::days(30)).max(add_years(today, -6));
            let finalised = between(rng, earliest, today - Duration::days(10));
            if rng.random_bool(0.3) && add_years(finalised, -5) > m.joined_on {
                let older = between(rng, add_years(finalised, -6), add_years(finalised, -4));
                history.sheets.push(PastSheet {
                    establishment_id: m.establishment_id,
                    started_on: older - Duration::days(rng.random_range(10..90)),
                    finalised_on: Some(older),
                    delivered_on: Some(older + Duration::days(rng.random_range(0..15))),
                    author: author.clone(),
                });
            }
            let delivered = finalised + Duration::days(rng.random_range(0..15));
            history.sheets.push(PastSheet {
                establishment_id: m.establishment_id,
                started_on: finalised - Duration::days(rng.random_range(10..90)),
                finalised_on: Some(finalised),
                delivered_on: (rng.random_bool(0.9) && delivered <= today).then_some(delivered),
                author: author.clone(),
            });
        }
        let actions = match rng.random_range(0..10) {
            0..=3 => 0,
            4..=6 => 1,
            7 | 8 => 2,
            _ => 4,
        };
        for _ in 0..actions {
            let kind = weighted(rng, &ACTION_WEIGHTS);
            let date = between(rng, four_years_ago.max(m.joined_on), today);
            let individual =
                kind == "workstation_study" && !staff.is_empty() && rng.random_bool(0.5);
            history.actions.push(PastAction {
                establishment_id: m.establishment_id,
                date,
                kind: kind.to_string(),
                title: title(kind).to_string(),
                worker_id: individual.then(|| *staff.choose(rng).expect("staff")),
                workers: (!individual)
                    .then(|| rng.random_range(1..=(staff.len().clamp(1, 25) as i32))),
                author: author.clone(),
            });
        }
        // Some of the next month's CSE meetings and studies are already planned.
        if rng.random_bool(0.05) {
            let kind = if rng.random_bool(0.5) {
                "cse_meeting"
            } else {
                "workstation_study"
            };
            history.actions.push(PastAction {
                establishment_id: m.establishment_id,
                date: today + Duration::days(rng.random_range(1..30)),
                kind: kind.to_string(),
                title: title(kind).to_string(),
                worker_id: None,
                workers: Some(rng.random_range(1..=(staff.len().clamp(1, 12) as i32))),
                author,
            });
        }
    }
    for w in workers {
        if !rng.random_bool(0.004) {
            continue;
        }
        let opened_on = between(rng, add_years(today, -3), today - Duration::days(5));
        let closed_on = opened_on + Duration::days(rng.random_range(30..300));
        let closed = (closed_on < today && rng.random_bool(0.7)).then(|| {
            (
                closed_on,
                RESULTS.choose(rng).expect("results").0.to_string(),
            )
        });
        let last_day = closed.as_ref().map_or(today, |(on, _)| *on);
        let mut items = Vec::new();
        for _ in 0..rng.random_range(1..=4) {
            let date = between(rng, opened_on, last_day);
            let (item, partner) = match rng.random_range(0..10) {
                0..=5 => (ADVICE_TYPES.choose(rng).expect("advice").0, ""),
                6..=8 => ("referral", PARTNERS.choose(rng).expect("partners").0),
                _ => ("supervised_trial", ""),
            };
            items.push((date, item.to_string(), partner.to_string()));
        }
        items.sort();
        history.pdp_cases.push(PastPdpCase {
            worker_id: w.worker_id,
            signal: SIGNALS.choose(rng).expect("signals").0.to_string(),
            opened_on,
            closed,
            items,
            recorded_by: "demo".into(),
        });
    }
    db.insert_prevention_history(&Actor("demo".into()), &history)
        .await?;
    Ok(format!(
        "{} fiches d'entreprise, {} actions en milieu de travail, {} dossiers PDP",
        history.sheets.len(),
        history.actions.len(),
        history.pdp_cases.len()
    ))
}
