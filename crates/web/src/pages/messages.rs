//! The outbox (each message's state, sending a failed one again, the letters to print), the
//! admin's message templates, and the employer portal's convocations with the excuse.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{NaiveDateTime, NaiveTime};
use domain::Role;
use domain::messages::{PLACEHOLDERS, TEMPLATES};
use domain::rules::{kind_label, performer_label};
use serde::Deserialize;
use store::{Actor, Attendance, MessageQuery, OutboxCounts, OutboxMessage};

use super::ValidForm;
use super::declarations::employer_establishment;
use super::members::parse_id;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::layout::Layout;
use crate::services::today;
use crate::state::AppState;

/// Who follows the outbox.
pub const OUTBOX_READERS: &[Role] = &[Role::Admin, Role::Assistant];

#[derive(Debug, Default, Deserialize)]
pub struct OutboxParams {
    #[serde(default)]
    status: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "messages/outbox.html")]
struct OutboxPage {
    layout: Layout,
    status: String,
    counts: OutboxCounts,
    messages: Vec<OutboxMessage>,
}

pub async fn show_outbox(
    State(state): State<AppState>,
    layout: Layout,
    Query(params): Query<OutboxParams>,
) -> Result<Response, AppError> {
    let status = match params.status.as_str() {
        "" => None,
        s @ ("queued" | "sent" | "failed") => Some(s.to_string()),
        _ => return Err(AppError::invalid("Statut", "en attente, envoyé ou échec")),
    };
    let db = state.db();
    let messages = db
        .list_messages(&MessageQuery {
            status: status.clone(),
            limit: 200,
            ..Default::default()
        })
        .await?;
    Ok(OutboxPage {
        layout,
        status: status.unwrap_or_default(),
        counts: db.outbox_counts().await?,
        messages,
    }
    .into_response())
}

pub async fn retry_message(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    state
        .db()
        .retry_message(&Actor(user.login.clone()), id)
        .await?;
    Ok(Redirect::to("/outbox?status=failed").into_response())
}

/// The letters waiting to be printed, as one PDF; they are marked printed.
pub async fn print_letters(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<Response, AppError> {
    let letters = state
        .db()
        .take_letters_to_print(&Actor(user.login.clone()))
        .await?;
    let date = today().format("%d/%m/%Y").to_string();
    let pages: Vec<notify::pdf::Letter> = letters
        .iter()
        .map(|m| notify::pdf::Letter {
            service_name: state.config().service_name.clone(),
            date: date.clone(),
            recipient: m.recipient.lines().map(str::to_string).collect(),
            subject: m.subject.clone(),
            body: m.body.clone(),
        })
        .collect();
    Ok(super::file_response(
        "application/pdf",
        "attachment",
        &format!("courriers-{}.pdf", today()),
        notify::pdf::letters_pdf(&pages),
    ))
}

#[derive(Template, WebTemplate)]
#[template(path = "messages/templates.html")]
struct TemplatesPage {
    layout: Layout,
    templates: Vec<(&'static str, &'static str, String, String)>,
    placeholders: &'static [(&'static str, &'static str)],
    notice: Option<String>,
    error: Option<String>,
}

async fn templates_page(
    state: &AppState,
    layout: Layout,
    notice: Option<String>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let current = state.db().message_templates().await?;
    let failed = error.is_some();
    let page = TemplatesPage {
        layout,
        templates: TEMPLATES
            .iter()
            .map(|spec| {
                let t = current.get(spec.code);
                (
                    spec.code,
                    spec.description,
                    t.subject.clone(),
                    t.body.clone(),
                )
            })
            .collect(),
        placeholders: PLACEHOLDERS,
        notice,
        error,
    };
    Ok(super::form_response(page, failed))
}

pub async fn show_templates(
    State(state): State<AppState>,
    layout: Layout,
) -> Result<Response, AppError> {
    templates_page(&state, layout, None, None).await
}

#[derive(Deserialize)]
pub struct TemplateForm {
    subject: String,
    body: String,
    #[serde(default)]
    reset: String,
}

pub async fn save_template(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
    Path(code): Path<String>,
    ValidForm(form): ValidForm<TemplateForm>,
) -> Result<Response, AppError> {
    let Some(spec) = TEMPLATES.iter().find(|spec| spec.code == code) else {
        return Err(AppError::NotFound);
    };
    let actor = Actor(user.login.clone());
    if form.reset == "1" {
        state.db().reset_message_template(&actor, spec.code).await?;
        return templates_page(
            &state,
            layout,
            Some(format!(
                "« {} » : modèle d'origine rétabli",
                spec.description
            )),
            None,
        )
        .await;
    }
    let template = domain::messages::Template {
        subject: form.subject.trim().to_string(),
        body: form.body.replace("\r\n", "\n"),
    };
    match state
        .db()
        .save_message_template(&actor, spec.code, &template)
        .await
    {
        Ok(()) => {
            templates_page(
                &state,
                layout,
                Some(format!("« {} » enregistré", spec.description)),
                None,
            )
            .await
        }
        Err(store::StoreError::Invalid(message)) => {
            templates_page(
                &state,
                layout,
                None,
                Some(format!("« {} » : {message}", spec.description)),
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

struct PortalAppointment {
    id: i64,
    day: String,
    time: String,
    worker: String,
    visit: String,
    professional: &'static str,
    centre: String,
    status: &'static str,
    may_excuse: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "portal/appointments.html")]
struct PortalAppointmentsPage {
    layout: Layout,
    rows: Vec<PortalAppointment>,
    delay_hours: u32,
    notice: Option<String>,
    error: Option<String>,
}

/// May the employer still excuse the appointment (at least the delay before it)?
fn may_excuse(date: chrono::NaiveDate, time: &str, now: NaiveDateTime, delay_hours: u32) -> bool {
    let at = NaiveTime::parse_from_str(time, "%H:%M").unwrap_or(NaiveTime::MIN);
    NaiveDateTime::new(date, at) - now >= chrono::Duration::hours(i64::from(delay_hours))
}

async fn portal_appointments_page(
    state: &AppState,
    user: &domain::authz::Principal,
    layout: Layout,
    notice: Option<String>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let e = employer_establishment(state, user).await?;
    let delay_hours = state.message_context().excuse_delay_hours;
    let now = chrono::Utc::now().naive_utc();
    let rows = state
        .db()
        .list_establishment_appointments(e.id, today())
        .await?
        .into_iter()
        .map(|a| PortalAppointment {
            may_excuse: a.status == "planned" && may_excuse(a.date, &a.time, now, delay_hours),
            id: a.id,
            day: crate::services::agenda::french_day(a.date),
            time: a.time,
            worker: a.worker_name,
            visit: kind_label(&a.kind).into(),
            professional: performer_label(&a.performer),
            centre: a.centre_name,
            status: crate::services::agenda::status_label(Some(a.status.as_str()), "open"),
        })
        .collect();
    let failed = error.is_some();
    let page = PortalAppointmentsPage {
        layout,
        rows,
        delay_hours,
        notice,
        error,
    };
    Ok(super::form_response(page, failed))
}

pub async fn show_portal_appointments(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
) -> Result<Response, AppError> {
    portal_appointments_page(&state, &user, layout, None, None).await
}

/// The employer excuses a worker, up to the configured delay before the appointment.
pub async fn excuse_from_portal(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    layout: Layout,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let e = employer_establishment(&state, &user).await?;
    let appointment = state.db().find_appointment(id).await?;
    // Another establishment's appointment does not exist for this employer.
    if appointment.notice.establishment_id != e.id {
        return Err(AppError::NotFound);
    }
    let context = state.message_context();
    let now = chrono::Utc::now().naive_utc();
    if appointment.status != "planned"
        || !may_excuse(
            appointment.notice.date,
            &appointment.notice.time,
            now,
            context.excuse_delay_hours,
        )
    {
        let message = format!(
            "Excuse : possible jusqu'à {} heures avant le rendez-vous ; appelez le service.",
            context.excuse_delay_hours
        );
        return portal_appointments_page(&state, &user, layout, None, Some(message)).await;
    }
    state
        .db()
        .record_attendance(
            &Actor(user.login.clone()),
            id,
            Attendance::Excused,
            today(),
            &context,
        )
        .await?;
    let notice = format!(
        "{} est excusé(e) pour le {}",
        appointment.notice.worker_name,
        appointment.notice.date.format("%d/%m/%Y")
    );
    portal_appointments_page(&state, &user, layout, Some(notice), None).await
}

#[cfg(test)]
mod tests {
    use super::may_excuse;
    use chrono::NaiveDate;

    #[test]
    fn an_excuse_is_possible_up_to_the_delay_before() {
        let date = NaiveDate::from_ymd_opt(2026, 12, 10).unwrap();
        let at = |d: u32, h: u32| {
            NaiveDate::from_ymd_opt(2026, 12, d)
                .unwrap()
                .and_hms_opt(h, 0, 0)
                .unwrap()
        };
        assert!(may_excuse(date, "09:00", at(8, 9), 48));
        assert!(!may_excuse(date, "09:00", at(8, 10), 48));
        assert!(may_excuse(date, "09:00", at(10, 8), 0));
    }
}
