//! What the agenda pages share: which agenda to show, its period, and the rows they render.

use chrono::{Datelike, Duration, NaiveDate};
use domain::org::ProfessionalRole;
use domain::rules::kind_label;
use serde::Deserialize;
use store::{AgendaEntry, AgendaOf};

use crate::error::AppError;
use crate::state::AppState;
use domain::authz::Principal;

/// The agenda form: a professional or a centre, a date, a day or a week.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AgendaParams {
    #[serde(default)]
    pub professional: String,
    #[serde(default)]
    pub centre: String,
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub view: String,
}

/// An agenda resolved: whose, its title, its period.
pub struct ResolvedAgenda {
    pub of: AgendaOf,
    pub title: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub date: NaiveDate,
    pub week: bool,
    /// (id, label) of the professional's centres for a manual slot, when a professional's.
    pub professional_id: Option<i64>,
}

fn id_field(field: &str, text: &str) -> Result<Option<i64>, AppError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse()
        .map(Some)
        .map_err(|_| AppError::invalid(field, "identifiant invalide"))
}

/// The agenda the parameters name; by default the user's own (matched by name) or the
/// first professional's, today, by day.
pub async fn resolve_agenda(
    state: &AppState,
    user: &Principal,
    params: &AgendaParams,
) -> Result<ResolvedAgenda, AppError> {
    let date = if params.date.trim().is_empty() {
        crate::services::today()
    } else {
        crate::services::parse_date("Date", &params.date)?
    };
    let week = params.view == "week";
    let (from, to) = if week {
        let monday = date - Duration::days(i64::from(date.weekday().num_days_from_monday()));
        (monday, monday + Duration::days(6))
    } else {
        (date, date)
    };
    let db = state.db();
    if let Some(centre) = id_field("Centre", &params.centre)? {
        let found = db
            .list_centres()
            .await?
            .into_iter()
            .find(|c| c.id.0 == centre)
            .ok_or_else(|| AppError::invalid("Centre", "inconnu"))?;
        return Ok(ResolvedAgenda {
            of: AgendaOf::Centre(centre),
            title: format!("Agenda du centre {}", found.name),
            from,
            to,
            date,
            week,
            professional_id: None,
        });
    }
    let professionals: Vec<_> = db
        .list_professionals()
        .await?
        .into_iter()
        .filter(|p| matches!(p.role, ProfessionalRole::Doctor | ProfessionalRole::Nurse))
        .collect();
    let chosen = match id_field("Professionnel", &params.professional)? {
        Some(id) => professionals.iter().find(|p| p.id.0 == id),
        None => professionals
            .iter()
            .find(|p| format!("{} {}", p.first_name, p.last_name) == user.display_name)
            .or(professionals.first()),
    }
    .ok_or_else(|| AppError::invalid("Professionnel", "inconnu"))?;
    Ok(ResolvedAgenda {
        of: AgendaOf::Professional(chosen.id.0),
        title: format!(
            "Agenda de {} {} ({})",
            chosen.first_name,
            chosen.last_name,
            chosen.role.label()
        ),
        from,
        to,
        date,
        week,
        professional_id: Some(chosen.id.0),
    })
}

pub fn status_label(status: Option<&str>, slot_status: &str) -> &'static str {
    match (status, slot_status) {
        (Some("planned"), _) => "prévu",
        (Some("done"), _) => "venu",
        (Some("absent"), _) => "absent",
        (Some("excused"), _) => "excusé",
        (Some("excused_replaced"), _) => "excusé, remplacé",
        (None, "blocked") => "bloqué",
        _ => "libre",
    }
}

/// A line of an agenda page, every text formatted.
pub struct AgendaRow {
    pub slot_id: i64,
    pub day: String,
    pub time: String,
    pub duration: i32,
    pub professional: String,
    pub centre: String,
    pub status: &'static str,
    pub appointment_id: Option<i64>,
    pub planned: bool,
    pub excused: bool,
    pub free: bool,
    pub blocked: bool,
    pub worker_id: Option<i64>,
    pub worker: String,
    pub visit: String,
    pub company: String,
    pub replacement: bool,
}

pub fn french_day(date: NaiveDate) -> String {
    const DAYS: [&str; 7] = [
        "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
    ];
    format!(
        "{} {}",
        DAYS[date.weekday().num_days_from_monday() as usize],
        date.format("%d/%m/%Y")
    )
}

pub fn agenda_rows(entries: Vec<AgendaEntry>) -> Vec<AgendaRow> {
    entries
        .into_iter()
        .map(|e| {
            let status = e.appointment_status.as_deref();
            AgendaRow {
                slot_id: e.slot_id,
                day: french_day(e.date),
                time: e.time,
                duration: e.duration_min,
                professional: e.professional_name,
                centre: e.centre_name,
                status: status_label(status, &e.slot_status),
                appointment_id: e.appointment_id,
                planned: status == Some("planned"),
                excused: status == Some("excused"),
                free: status.is_none() && e.slot_status == "open",
                blocked: status.is_none() && e.slot_status == "blocked",
                worker_id: e.worker_id,
                worker: e.worker_name.unwrap_or_default(),
                visit: e.kind.as_deref().map(kind_label).unwrap_or("").to_string(),
                company: e.establishment_name.unwrap_or_default(),
                replacement: e.replaces_id.is_some(),
            }
        })
        .collect()
}
