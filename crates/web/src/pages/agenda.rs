//! Agendas by day or week, per professional or centre: attendance, moving and cancelling an
//! appointment, manual slots, blocking, the printable day list, and a freed slot's
//! replacement candidates.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Duration, NaiveTime};
use domain::Role;
use domain::rules::kind_label;
use serde::Deserialize;
use store::{Actor, AgendaOf, Attendance, NewBooking};

use super::ValidForm;
use super::members::parse_id;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::layout::Layout;
use crate::services::agenda::{AgendaParams, AgendaRow, agenda_rows, french_day, resolve_agenda};
use crate::services::{parse_date, today};
use crate::state::AppState;

/// Who reads and keeps the agendas (they show workers by name and the kind of visit).
pub const AGENDA_KEEPERS: &[Role] = &[Role::Admin, Role::Assistant, Role::Doctor, Role::Nurse];

#[derive(Template, WebTemplate)]
#[template(path = "agenda/show.html")]
struct AgendaPage {
    layout: Layout,
    title: String,
    params: AgendaParams,
    professionals: Vec<(String, String)>,
    centres: Vec<(String, String)>,
    rows: Vec<AgendaRow>,
    period: String,
    prev_link: String,
    next_link: String,
    print_link: String,
    professional_id: Option<i64>,
    back: String,
    error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "agenda/print.html")]
struct PrintPage {
    title: String,
    service_name: String,
    day: String,
    rows: Vec<AgendaRow>,
}

fn agenda_link(params: &AgendaParams, date: chrono::NaiveDate) -> String {
    let date = date.to_string();
    let pairs = [
        ("professional", params.professional.as_str()),
        ("centre", params.centre.as_str()),
        ("date", date.as_str()),
        ("view", params.view.as_str()),
    ];
    let kept: Vec<(&str, &str)> = pairs.into_iter().filter(|(_, v)| !v.is_empty()).collect();
    serde_urlencoded::to_string(kept).unwrap_or_default()
}

pub async fn show_agenda(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
    Query(params): Query<AgendaParams>,
) -> Result<Response, AppError> {
    let db = state.db();
    let professionals = db
        .list_professionals()
        .await?
        .into_iter()
        .filter(|p| {
            matches!(
                p.role,
                domain::org::ProfessionalRole::Doctor | domain::org::ProfessionalRole::Nurse
            )
        })
        .map(|p| {
            (
                p.id.0.to_string(),
                format!("{} {} ({})", p.first_name, p.last_name, p.role.label()),
            )
        })
        .collect();
    let centres = db
        .list_centres()
        .await?
        .into_iter()
        .map(|c| (c.id.0.to_string(), c.name))
        .collect();
    let mut page = AgendaPage {
        layout,
        title: "Agenda".into(),
        params: params.clone(),
        professionals,
        centres,
        rows: Vec::new(),
        period: String::new(),
        prev_link: String::new(),
        next_link: String::new(),
        print_link: String::new(),
        professional_id: None,
        back: String::new(),
        error: None,
    };
    let agenda = match resolve_agenda(&state, &user, &params).await {
        Ok(agenda) => agenda,
        Err(err @ AppError::Invalid { .. }) => {
            page.error = Some(err.detail());
            return Ok(super::form_response(page, true));
        }
        Err(other) => return Err(other),
    };
    let step = Duration::days(if agenda.week { 7 } else { 1 });
    let mut shown = params.clone();
    match agenda.of {
        AgendaOf::Professional(id) => shown.professional = id.to_string(),
        AgendaOf::Centre(id) => shown.centre = id.to_string(),
    }
    page.rows = agenda_rows(db.list_agenda(agenda.of, agenda.from, agenda.to).await?);
    page.title = agenda.title;
    page.period = if agenda.week {
        format!(
            "Semaine du {} au {}",
            agenda.from.format("%d/%m/%Y"),
            agenda.to.format("%d/%m/%Y")
        )
    } else {
        french_day(agenda.date)
    };
    page.prev_link = format!("/agenda?{}", agenda_link(&shown, agenda.date - step));
    page.next_link = format!("/agenda?{}", agenda_link(&shown, agenda.date + step));
    page.print_link = format!(
        "/agenda/print?{}",
        agenda_link(
            &AgendaParams {
                view: String::new(),
                ..shown.clone()
            },
            agenda.date
        )
    );
    page.back = format!("/agenda?{}", agenda_link(&shown, agenda.date));
    page.professional_id = agenda.professional_id;
    page.params = shown;
    Ok(page.into_response())
}

/// The agenda as JSON.
pub async fn api_agenda(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(params): Query<AgendaParams>,
) -> Result<axum::Json<serde_json::Value>, crate::error::ApiError> {
    let agenda = resolve_agenda(&state, &user, &params).await?;
    let entries = state
        .db()
        .list_agenda(agenda.of, agenda.from, agenda.to)
        .await?;
    Ok(axum::Json(serde_json::json!({
        "from": agenda.from,
        "to": agenda.to,
        "title": agenda.title,
        "entries": entries,
    })))
}

/// The day's list to print (no navigation, print styles).
pub async fn print_agenda(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(params): Query<AgendaParams>,
) -> Result<Response, AppError> {
    let agenda = resolve_agenda(
        &state,
        &user,
        &AgendaParams {
            view: String::new(),
            ..params
        },
    )
    .await?;
    let rows = agenda_rows(
        state
            .db()
            .list_agenda(agenda.of, agenda.date, agenda.date)
            .await?,
    )
    .into_iter()
    .filter(|r| r.appointment_id.is_some())
    .collect();
    Ok(PrintPage {
        title: agenda.title,
        service_name: state.config().service_name.clone(),
        day: french_day(agenda.date),
        rows,
    }
    .into_response())
}

#[derive(Deserialize)]
pub struct BackForm {
    #[serde(default)]
    back: String,
}

#[derive(Deserialize)]
pub struct AttendanceForm {
    status: String,
    #[serde(default)]
    back: String,
}

/// Only links inside the agenda are followed after an action.
fn back_to(back: &str) -> Redirect {
    if back.starts_with("/agenda") {
        Redirect::to(back)
    } else {
        Redirect::to("/agenda")
    }
}

pub async fn record_attendance(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    ValidForm(form): ValidForm<AttendanceForm>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let attendance = Attendance::parse(form.status.trim())
        .ok_or_else(|| AppError::invalid("Présence", "venu, absent ou excusé"))?;
    state
        .db()
        .record_attendance(
            &Actor(user.login.clone()),
            id,
            attendance,
            today(),
            &state.message_context(),
        )
        .await?;
    Ok(back_to(&form.back).into_response())
}

pub async fn cancel_appointment(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    ValidForm(form): ValidForm<BackForm>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    state
        .db()
        .cancel_appointment(&Actor(user.login.clone()), id, &state.message_context())
        .await?;
    Ok(back_to(&form.back).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "agenda/move.html")]
struct MovePage {
    layout: Layout,
    id: i64,
    current: String,
    worker: String,
    visit: String,
    slots: Vec<(i64, String)>,
    error: Option<String>,
}

async fn move_page(
    state: &AppState,
    layout: Layout,
    id: i64,
    error: Option<String>,
) -> Result<Response, AppError> {
    let db = state.db();
    let appointment = db.find_appointment(id).await?;
    if appointment.status != "planned" {
        return Err(AppError::Conflict(
            "seul un rendez-vous prévu peut être déplacé".into(),
        ));
    }
    let professional = db
        .list_agenda_professional_of(id)
        .await?
        .ok_or(AppError::NotFound)?;
    let from = today() + Duration::days(1);
    let slots = db
        .list_agenda(
            AgendaOf::Professional(professional),
            from,
            from + Duration::days(27),
        )
        .await?
        .into_iter()
        .filter(|e| e.appointment_id.is_none() && e.slot_status == "open")
        .map(|e| {
            (
                e.slot_id,
                format!(
                    "{} à {} ({} min, {})",
                    french_day(e.date),
                    e.time,
                    e.duration_min,
                    e.centre_name
                ),
            )
        })
        .collect();
    let notice = &appointment.notice;
    let failed = error.is_some();
    let page = MovePage {
        layout,
        id,
        current: format!("{} à {}", french_day(notice.date), notice.time),
        worker: notice.worker_name.clone(),
        visit: kind_label(&notice.kind).into(),
        slots,
        error,
    };
    Ok(super::form_response(page, failed))
}

pub async fn show_move(
    State(state): State<AppState>,
    layout: Layout,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    move_page(&state, layout, parse_id(&id)?, None).await
}

#[derive(Deserialize)]
pub struct MoveForm {
    #[serde(default)]
    slot: String,
}

pub async fn move_appointment(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
    Path(id): Path<String>,
    ValidForm(form): ValidForm<MoveForm>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let result = async {
        let slot = form
            .slot
            .trim()
            .parse()
            .map_err(|_| AppError::invalid("Nouveau créneau", "à choisir dans la liste"))?;
        state
            .db()
            .move_appointment(
                &Actor(user.login.clone()),
                id,
                slot,
                today(),
                &state.message_context(),
            )
            .await?;
        Ok::<_, AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(Redirect::to("/agenda").into_response()),
        Err(err @ (AppError::Invalid { .. } | AppError::Conflict(_))) => {
            move_page(&state, layout, id, Some(err.detail())).await
        }
        Err(other) => Err(other),
    }
}

#[derive(Deserialize)]
pub struct SlotForm {
    professional: String,
    centre: String,
    date: String,
    time: String,
    duration: String,
    #[serde(default)]
    back: String,
}

pub async fn add_slot(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ValidForm(form): ValidForm<SlotForm>,
) -> Result<Response, AppError> {
    let professional = parse_id(&form.professional)?;
    let centre: i64 = form
        .centre
        .trim()
        .parse()
        .map_err(|_| AppError::invalid("Centre", "à choisir dans la liste"))?;
    let date = parse_date("Date", &form.date)?;
    let time = NaiveTime::parse_from_str(form.time.trim(), "%H:%M")
        .map_err(|_| AppError::invalid("Heure", "au format HH:MM"))?;
    let duration: u32 = form
        .duration
        .trim()
        .parse()
        .map_err(|_| AppError::invalid("Durée", "un nombre de minutes"))?;
    if date < today() {
        return Err(AppError::invalid("Date", "déjà passée"));
    }
    state
        .db()
        .add_manual_slot(
            &Actor(user.login.clone()),
            professional,
            centre,
            date,
            time,
            duration,
        )
        .await?;
    Ok(back_to(&form.back).into_response())
}

#[derive(Deserialize)]
pub struct BlockForm {
    blocked: String,
    #[serde(default)]
    back: String,
}

pub async fn block_slot(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    ValidForm(form): ValidForm<BlockForm>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    state
        .db()
        .set_slot_blocked(&Actor(user.login.clone()), id, form.blocked == "1")
        .await?;
    Ok(back_to(&form.back).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "agenda/candidates.html")]
struct CandidatesPage {
    layout: Layout,
    slot_id: i64,
    slot: String,
    replaces: Option<i64>,
    rows: Vec<(i64, String, u8, String, String)>,
}

const CANDIDATES: usize = 10;

/// The excused appointment on a slot, if any.
async fn excused_on(state: &AppState, slot_id: i64) -> Result<Option<i64>, AppError> {
    let day = state
        .db()
        .slot_day(slot_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(state
        .db()
        .list_agenda(AgendaOf::Professional(day.1), day.0, day.0)
        .await?
        .into_iter()
        .find(|e| e.slot_id == slot_id && e.appointment_status.as_deref() == Some("excused"))
        .and_then(|e| e.appointment_id))
}

pub async fn show_candidates(
    State(state): State<AppState>,
    layout: Layout,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let slot_id = parse_id(&id)?;
    let db = state.db();
    let (date, _) = db.slot_day(slot_id).await?.ok_or(AppError::NotFound)?;
    let candidates = db
        .replacement_candidates(slot_id, today(), CANDIDATES)
        .await?;
    let rows = candidates
        .into_iter()
        .map(|c| {
            (
                c.facts.worker_id,
                c.worker_name,
                c.rank,
                kind_label(&c.facts.kind).to_string(),
                c.due
                    .map(|d| d.format("%d/%m/%Y").to_string())
                    .unwrap_or_default(),
            )
        })
        .collect();
    Ok(CandidatesPage {
        layout,
        slot_id,
        slot: french_day(date),
        replaces: excused_on(&state, slot_id).await?,
        rows,
    }
    .into_response())
}

#[derive(Deserialize)]
pub struct BookForm {
    worker: String,
}

/// Books a candidate into the slot (a replacement when the slot was freed by an excuse).
pub async fn book_candidate(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    ValidForm(form): ValidForm<BookForm>,
) -> Result<Response, AppError> {
    let slot_id = parse_id(&id)?;
    let worker = parse_id(&form.worker)?;
    let db = state.db();
    let candidate = db
        .replacement_candidates(slot_id, today(), usize::MAX)
        .await?
        .into_iter()
        .find(|c| c.facts.worker_id == worker)
        .ok_or_else(|| AppError::invalid("Salarié", "ne peut pas prendre ce créneau"))?;
    let booking = NewBooking {
        slot_id,
        worker_id: worker,
        establishment_id: candidate.facts.establishment_id,
        kind: candidate.facts.kind,
        subtype: candidate.facts.subtype,
        replaces_id: excused_on(&state, slot_id).await?,
    };
    db.book_appointment(
        &Actor(user.login.clone()),
        &booking,
        today(),
        &state.message_context(),
    )
    .await?;
    Ok(Redirect::to("/agenda").into_response())
}
