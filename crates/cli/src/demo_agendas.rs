//! Demonstration agendas: every doctor and nurse opens Monday to Friday in a centre of their
//! team's sector (doctors 30-minute slots, nurses 20), and four weeks of slots are created.

use chrono::{NaiveTime, Weekday};
use domain::agenda::OpeningHours;
use domain::org::ProfessionalRole;
use store::{Actor, Db, StoreError};

const WEEK: [Weekday; 5] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
];

fn hours(slot_minutes: u32) -> Vec<OpeningHours> {
    let at = |h, m| NaiveTime::from_hms_opt(h, m, 0).expect("time");
    WEEK.into_iter()
        .flat_map(|weekday| {
            [(at(8, 30), at(12, 0)), (at(13, 30), at(17, 0))]
                .into_iter()
                // Wednesday afternoons are kept for workplace visits.
                .filter(move |(start, _)| weekday != Weekday::Wed || *start < at(12, 0))
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
        db.set_opening_hours(&actor, professional.id.0, centre.id.0, &hours(minutes))
            .await?;
    }
    let today = store::today();
    let created = db
        .generate_agenda_slots(&actor, None, today, today + chrono::Duration::days(27))
        .await?;
    let booked = book_demo_team(db, &actor).await?;
    Ok(format!(
        "{created} créneaux ouverts sur 4 semaines, {booked} rendez-vous planifiés (équipe de l'employeur de démonstration, semaine prochaine)"
    ))
}

/// Plans next week for the team of the demonstration employer, so that agendas, the outbox
/// and the employer portal show convocations.
async fn book_demo_team(db: &Db, actor: &Actor) -> Result<usize, StoreError> {
    let Some(establishment) = db
        .find_establishment_by_siret(crate::demo::DEMO_SIRET)
        .await?
    else {
        return Ok(0);
    };
    let Some(team) = db
        .list_teams()
        .await?
        .into_iter()
        .find(|t| Some(&t.code) == establishment.team.as_ref())
    else {
        return Ok(0);
    };
    let today = store::today();
    let (from, to) = (
        today + chrono::Duration::days(7),
        today + chrono::Duration::days(13),
    );
    let data = db.planning_data(team.id.0, from, to, today, 7).await?;
    let plan =
        domain::planner::solve(&data.problem).map_err(|e| StoreError::Invalid(e.to_string()))?;
    let bookings: Vec<_> = plan
        .placements
        .iter()
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
