//! Demonstration agendas: every doctor and nurse opens Monday to Friday in a centre of their
//! team's sector (doctors 30-minute slots, nurses 20), and four weeks of slots are created.

use chrono::{NaiveTime, Weekday};
use domain::agenda::OpeningHours;
use domain::org::ProfessionalRole;
use store::{Actor, Db, StoreError};

const WEEK: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

/// Weekdays; the demo accounts' own doctor and nurse also open weekend mornings, so that
/// "Ma journée" has appointments whatever the day the demo runs.
fn hours(slot_minutes: u32, every_day: bool) -> Vec<OpeningHours> {
    let at = |h, m| NaiveTime::from_hms_opt(h, m, 0).expect("time");
    let days = if every_day { 7 } else { 5 };
    WEEK[..days]
        .iter()
        .copied()
        .flat_map(|weekday| {
            [(at(8, 30), at(12, 0)), (at(13, 30), at(17, 0))]
                .into_iter()
                // Wednesday afternoons are kept for workplace visits; weekends are mornings.
                .filter(move |(start, _)| {
                    !matches!(weekday, Weekday::Wed | Weekday::Sat | Weekday::Sun)
                        || *start < at(12, 0)
                })
                .map(move |(start, end)| OpeningHours {
                    weekday,
                    start,
                    end,
                    slot_minutes,
                })
        })
        .collect()
}

pub async fn generate_agendas(db: &Db) -> Result<String, StoreError> {
    let actor = Actor("demo".into());
    let teams = db.list_teams().await?;
    let centres = db.list_centres().await?;
    let demo_professionals = link_demo_accounts(db, &actor).await?;
    for professional in db.list_professionals().await? {
        let minutes = match professional.role {
            ProfessionalRole::Doctor => 30,
            ProfessionalRole::Nurse => 20,
            _ => continue,
        };
        if !db.list_opening_hours(professional.id.0).await?.is_empty() {
            continue;
        }
        let sector = teams
            .iter()
            .find(|t| Some(&t.code) == professional.team.as_ref())
            .map(|t| t.sector.clone());
        let Some(centre) = centres.iter().find(|c| Some(&c.sector) == sector.as_ref()) else {
            continue;
        };
        let every_day = demo_professionals.contains(&professional.id.0);
        db.set_opening_hours(
            &actor,
            professional.id.0,
            centre.id.0,
            &hours(minutes, every_day),
        )
        .await?;
    }
    let today = store::today();
    let created = db
        .generate_agenda_slots(&actor, None, today, today + chrono::Duration::days(27))
        .await?;
    let today_booked = book_demo_day(db, &actor, &demo_professionals).await?;
    let booked = book_demo_team(db, &actor).await?;
    Ok(format!(
        "{created} créneaux ouverts sur 4 semaines, {today_booked} rendez-vous aujourd'hui pour le médecin et l'infirmier de démonstration, {booked} rendez-vous planifiés (équipe de l'employeur de démonstration, semaine prochaine)"
    ))
}

/// The demo's doctor, nurse and preventer accounts work in the demo employer's team: they
/// are linked to its first doctor, nurse and preventer, whose ids are returned.
async fn link_demo_accounts(db: &Db, actor: &Actor) -> Result<Vec<i64>, StoreError> {
    let Some(establishment) = db
        .find_establishment_by_siret(crate::demo::DEMO_SIRET)
        .await?
    else {
        return Ok(Vec::new());
    };
    let professionals = db.list_professionals().await?;
    let mut linked = Vec::new();
    for (login, role) in [
        ("medecin", ProfessionalRole::Doctor),
        ("infirmier", ProfessionalRole::Nurse),
        ("preventeur", ProfessionalRole::Preventer),
    ] {
        let (Some(user), Some(professional)) = (
            db.find_user_by_login(login).await?,
            professionals
                .iter()
                .find(|p| p.role == role && p.team == establishment.team),
        ) else {
            continue;
        };
        let name = format!("{} {}", professional.first_name, professional.last_name);
        db.link_user_to_professional(actor, user.id, professional.id, &name)
            .await?;
        linked.push(professional.id.0);
    }
    Ok(linked)
}

/// The demonstration employer's establishment id and its team id.
async fn demo_employer_team(db: &Db) -> Result<Option<(i64, i64)>, StoreError> {
    let Some(establishment) = db
        .find_establishment_by_siret(crate::demo::DEMO_SIRET)
        .await?
    else {
        return Ok(None);
    };
    Ok(db
        .list_teams()
        .await?
        .into_iter()
        .find(|t| Some(&t.code) == establishment.team.as_ref())
        .map(|t| (establishment.id, t.id.0)))
}

/// Solves the planning problem and books the placements `keep` retains.
async fn solve_and_book(
    db: &Db,
    actor: &Actor,
    data: &store::PlanningData,
    mut keep: impl FnMut(&store::SlotFacts) -> bool,
) -> Result<usize, StoreError> {
    let plan =
        domain::planner::solve(&data.problem).map_err(|e| StoreError::Invalid(e.to_string()))?;
    let bookings: Vec<_> = plan
        .placements
        .iter()
        .filter(|p| keep(&data.slots[&p.slot]))
        .map(|p| {
            (
                data.slots[&p.slot].clone(),
                data.requests[&p.request].clone(),
            )
        })
        .collect();
    db.book_plan(actor, &bookings, &notify::message_context_from_env())
        .await
}

/// Today's slots of the demo doctor and nurse, given to the demo employer's workers.
async fn book_demo_day(db: &Db, actor: &Actor, professionals: &[i64]) -> Result<usize, StoreError> {
    let Some((establishment, team)) = demo_employer_team(db).await? else {
        return Ok(0);
    };
    let today = store::today();
    let mut data = db.planning_data(team, today, today, today, 0).await?;
    let mine: Vec<String> = professionals.iter().map(|p| format!("p{p}")).collect();
    data.problem
        .slots
        .retain(|s| mine.contains(&s.professional));
    let requests = &data.requests;
    data.problem
        .requests
        .retain(|r| requests[&r.id].establishment_id == establishment);
    // One appointment each, the employer's other workers are kept for next week.
    let mut seen = std::collections::HashSet::new();
    solve_and_book(db, actor, &data, |slot| seen.insert(slot.professional_id)).await
}

/// Plans next week for the team of the demonstration employer, its own workers first, so
/// that agendas, the outbox and the employer portal show convocations.
async fn book_demo_team(db: &Db, actor: &Actor) -> Result<usize, StoreError> {
    let Some((establishment, team)) = demo_employer_team(db).await? else {
        return Ok(0);
    };
    let today = store::today();
    let (from, to) = (
        today + chrono::Duration::days(7),
        today + chrono::Duration::days(13),
    );
    let mut booked = 0;
    for employer_first in [true, false] {
        let mut data = db.planning_data(team, from, to, today, 7).await?;
        if employer_first {
            let requests = &data.requests;
            data.problem
                .requests
                .retain(|r| requests[&r.id].establishment_id == establishment);
        }
        booked += solve_and_book(db, actor, &data, |_| true).await?;
    }
    Ok(booked)
}
