//! `spsti plan solve`: the planner's pure core with the JSON contract of DATA-FORMATS.md.

use std::io::{Read, Write};

use domain::planner::{Problem, solve as solve_problem};

use crate::{Failure, invalid};

pub(crate) fn solve() -> Result<(), Failure> {
    let mut input = String::new();
    std::io::stdin().read_to_string(&mut input)?;
    let problem: Problem = serde_json::from_str(&input)
        .map_err(|e| invalid(format!("champ manquant ou invalide : {e}")))?;
    let plan = solve_problem(&problem).map_err(|e| invalid(e.to_string()))?;
    let mut stdout = std::io::stdout().lock();
    serde_json::to_writer(&mut stdout, &plan)?;
    writeln!(stdout)?;
    Ok(())
}

/// `spsti plan --team T --from D --to D [--dry-run]`: proposes (and, unless dry-run, books)
/// the team's appointments for the period.
pub(crate) async fn plan_team(
    db: &store::Db,
    team: &str,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
    notice_days: u32,
    dry_run: bool,
) -> Result<(), Failure> {
    let team_id = db
        .list_teams()
        .await?
        .into_iter()
        .find(|t| t.code == team)
        .ok_or_else(|| invalid(format!("Équipe : code « {team} » inconnu")))?
        .id
        .0;
    if to < from {
        return Err(invalid("Fin : antérieure au début de la période"));
    }
    let started = std::time::Instant::now();
    let data = db
        .planning_data(team_id, from, to, store::today(), notice_days)
        .await?;
    let loaded = started.elapsed();
    let plan = solve_problem(&data.problem).map_err(|e| invalid(e.to_string()))?;
    let solved = started.elapsed() - loaded;
    let rank_of: std::collections::HashMap<&str, u8> = data
        .problem
        .requests
        .iter()
        .map(|r| (r.id.as_str(), r.rank))
        .collect();
    let mut per_rank = std::collections::BTreeMap::new();
    for p in &plan.placements {
        *per_rank.entry(rank_of[p.request.as_str()]).or_insert(0) += 1;
    }
    let ranks: Vec<String> = per_rank
        .iter()
        .map(|(rank, n)| format!("rang {rank} : {n}"))
        .collect();
    let by_rank = if ranks.is_empty() {
        String::new()
    } else {
        format!(" ({})", ranks.join(", "))
    };
    println!(
        "{} créneau(x) libre(s), {} salarié(s) à convoquer ; proposition : {} rendez-vous{by_rank} (lecture {} ms, calcul {} ms)",
        data.problem.slots.len(),
        data.problem.requests.len(),
        plan.placements.len(),
        loaded.as_millis(),
        solved.as_millis(),
    );
    let mut reasons = std::collections::BTreeMap::new();
    for u in &plan.unplaced {
        *reasons.entry(u.reason.as_str()).or_insert(0) += 1;
    }
    for (reason, n) in reasons {
        println!("  non placés : {n} — {reason}");
    }
    if dry_run {
        println!("simulation : rien n'est réservé");
        return Ok(());
    }
    let bookings: Vec<(store::SlotFacts, store::RequestFacts)> = plan
        .placements
        .iter()
        .map(|p| {
            (
                data.slots[&p.slot].clone(),
                data.requests[&p.request].clone(),
            )
        })
        .collect();
    let booking = std::time::Instant::now();
    let booked = db
        .book_plan(
            &store::Actor("cli".into()),
            &bookings,
            &notify::message_context_from_env(),
        )
        .await
        .map_err(|e| invalid(e.to_string()))?;
    println!(
        "{booked} rendez-vous réservés, convocations mises en file d'envoi ({} ms)",
        booking.elapsed().as_millis()
    );
    Ok(())
}
