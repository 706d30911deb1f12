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
    Ok(format!("{created} créneaux ouverts sur 4 semaines"))
}
