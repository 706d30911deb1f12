//! The messages of an appointment (SCHEDULING.md "Convocations"): convocation to the worker
//! (e-mail, else a letter to print) and to the employer, reminder, moved, cancelled, no-show;
//! each with its iCalendar attachment when it concerns a date to keep.

mod templates;

use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use icalendar::{Calendar, Component, Event, EventLike, EventStatus, Property};

use crate::french_date;
use crate::rules::{kind_label, performer_label, subtype_label};

pub use templates::{
    PLACEHOLDERS, TEMPLATES, Template, TemplateSpec, Templates, check_template, render,
};

/// How a message travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Email,
    Sms,
    /// A letter to print and post (the worker has no e-mail address).
    Letter,
}

impl Channel {
    pub fn code(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
            Channel::Letter => "letter",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Convocation,
    Reminder,
    Moved,
    Cancelled,
    NoShow,
    /// A certificate or opinion issued at the visit, attached.
    Document,
    /// An invitation to, or a reminder of, a prevention programme.
    Programme,
}

impl Purpose {
    pub fn code(self) -> &'static str {
        match self {
            Purpose::Convocation => "convocation",
            Purpose::Reminder => "reminder",
            Purpose::Moved => "moved",
            Purpose::Cancelled => "cancelled",
            Purpose::NoShow => "no_show",
            Purpose::Document => "document",
            Purpose::Programme => "programme",
        }
    }
}

/// What the messages of one appointment say.
#[derive(Debug, Clone)]
pub struct AppointmentNotice {
    pub appointment_id: i64,
    pub establishment_id: i64,
    pub worker_name: String,
    pub worker_email: Option<String>,
    pub worker_mobile: Option<String>,
    pub establishment_name: String,
    pub establishment_email: Option<String>,
    /// Postal address of the establishment, where letters to the worker are sent.
    pub establishment_address: String,
    pub date: NaiveDate,
    pub time: String,
    pub duration_min: u32,
    pub centre_name: String,
    pub centre_address: String,
    pub role: String,
    pub professional_name: String,
    pub kind: String,
    pub subtype: String,
    /// Date and time before a move.
    pub previous: Option<(NaiveDate, String)>,
    /// How many times the appointment was changed (the iCalendar SEQUENCE).
    pub revision: u32,
}

/// The service's identity and settings the messages quote.
#[derive(Debug, Clone)]
pub struct MessageContext {
    pub service_name: String,
    pub excuse_delay_hours: u32,
    /// The no-show fee in euros, as written on invoices ("25,00 €"), when one applies.
    pub no_show_fee: Option<String>,
}

/// The messages of an issued document (`title`), its PDF attached.
pub fn compose_document(
    templates: &Templates,
    context: &MessageContext,
    notice: &AppointmentNotice,
    title: &str,
    document_id: i64,
) -> Vec<NewMessage> {
    let context = MessageContext {
        no_show_fee: None,
        ..context.clone()
    };
    let mut messages = compose(templates, &context, notice, Purpose::Document);
    for message in &mut messages {
        message.subject = message.subject.replace("{document}", title);
        message.body = message.body.replace("{document}", title);
        message.document_id = Some(document_id);
    }
    messages
}

/// A message ready for the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    pub channel: Channel,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub calendar: Option<String>,
    pub purpose: Purpose,
    pub appointment_id: Option<i64>,
    pub establishment_id: Option<i64>,
    /// Messages with the same key are written once (reminders re-run by a job).
    pub dedup_key: Option<String>,
    /// The issued document attached (a PDF of `medical_documents`).
    pub document_id: Option<i64>,
}

const DOCUMENTS: &str = "une pièce d'identité, vos lunettes ou lentilles si vous en portez, \
la liste de vos traitements en cours et les comptes rendus médicaux utiles";

fn visit_label(notice: &AppointmentNotice) -> String {
    let kind = kind_label(&notice.kind);
    if notice.subtype.is_empty() {
        kind.to_string()
    } else {
        format!("{kind} ({})", subtype_label(&notice.subtype))
    }
}

fn values<'a>(notice: &AppointmentNotice, context: &MessageContext) -> HashMap<&'a str, String> {
    let (previous_date, previous_time) = notice
        .previous
        .as_ref()
        .map(|(date, time)| (french_date(*date), time.clone()))
        .unwrap_or_default();
    let professional = if notice.professional_name.is_empty() {
        performer_label(&notice.role).to_string()
    } else {
        format!(
            "{} {}",
            performer_label(&notice.role),
            notice.professional_name
        )
    };
    HashMap::from([
        ("service", context.service_name.clone()),
        ("salarie", notice.worker_name.clone()),
        ("entreprise", notice.establishment_name.clone()),
        ("visite", visit_label(notice)),
        ("professionnel", professional),
        ("date", french_date(notice.date)),
        ("heure", notice.time.replace(':', " h ")),
        ("duree", notice.duration_min.to_string()),
        ("centre", notice.centre_name.clone()),
        ("adresse_centre", notice.centre_address.clone()),
        ("documents", DOCUMENTS.to_string()),
        ("delai_excuse", context.excuse_delay_hours.to_string()),
        ("ancienne_date", previous_date),
        ("ancienne_heure", previous_time.replace(':', " h ")),
        (
            "frais",
            context
                .no_show_fee
                .as_ref()
                .map(|fee| {
                    format!("Des frais d'absence de {fee} figureront sur votre prochaine facture.")
                })
                .unwrap_or_default(),
        ),
    ])
}

/// Paris local time to UTC: CET (UTC+1), CEST (UTC+2) from the last Sunday of March to the
/// last Sunday of October at 01:00 UTC (the EU rule since 1996). Appointments are in the
/// daytime, so the hour that repeats or vanishes at a change never occurs.
pub fn paris_to_utc(local: NaiveDateTime) -> DateTime<Utc> {
    let last_sunday = |month: u32| {
        let last = NaiveDate::from_ymd_opt(local.year(), month, 31)
            .expect("March and October have 31 days");
        last - chrono::Duration::days(i64::from(last.weekday().num_days_from_sunday()))
    };
    let switch = |month: u32| last_sunday(month).and_hms_opt(1, 0, 0).expect("01:00");
    let winter = local - chrono::Duration::hours(1);
    let summer = local - chrono::Duration::hours(2);
    let utc = if summer >= switch(3) && summer < switch(10) {
        summer
    } else {
        winter
    };
    utc.and_utc()
}

/// The appointment as an iCalendar event (RFC 5545), its times in UTC (no time-zone
/// definition needed); a cancelled one is sent with `METHOD:CANCEL` so that calendars remove
/// it.
pub fn calendar(notice: &AppointmentNotice, context: &MessageContext, cancelled: bool) -> String {
    let time = NaiveTime::parse_from_str(&notice.time, "%H:%M").unwrap_or(NaiveTime::MIN);
    let start = paris_to_utc(NaiveDateTime::new(notice.date, time));
    let end = start + chrono::Duration::minutes(i64::from(notice.duration_min));
    let mut event = Event::new();
    event
        .uid(&format!("appointment-{}@spsti", notice.appointment_id))
        .summary(&format!(
            "{} — {}",
            visit_label(notice),
            context.service_name
        ))
        .location(&format!(
            "{}, {}",
            notice.centre_name, notice.centre_address
        ))
        .starts(start)
        .ends(end)
        .append_property(Property::new("SEQUENCE", notice.revision.to_string()));
    if cancelled {
        event.status(EventStatus::Cancelled);
    }
    let mut calendar = Calendar::new();
    calendar
        .append_property(Property::new(
            "METHOD",
            if cancelled { "CANCEL" } else { "PUBLISH" },
        ))
        .push(event.done());
    calendar.done().to_string()
}

/// The messages of `purpose` for one appointment: to the worker (e-mail when known, else a
/// letter; a reminder also by SMS when a mobile number is known) and, except reminders, to
/// the employer by e-mail when its address is known.
pub fn compose(
    templates: &Templates,
    context: &MessageContext,
    notice: &AppointmentNotice,
    purpose: Purpose,
) -> Vec<NewMessage> {
    let values = values(notice, context);
    let message = |channel: Channel, recipient: &str, code: &str| {
        let template = templates.get(code);
        let calendar = match (channel, purpose) {
            (Channel::Sms | Channel::Letter, _) | (_, Purpose::NoShow | Purpose::Document) => None,
            (_, Purpose::Cancelled) => Some(calendar(notice, context, true)),
            _ => Some(calendar(notice, context, false)),
        };
        NewMessage {
            channel,
            recipient: recipient.to_string(),
            subject: render(&template.subject, &values),
            body: render(&template.body, &values),
            calendar,
            purpose,
            appointment_id: Some(notice.appointment_id),
            establishment_id: Some(notice.establishment_id),
            document_id: None,
            dedup_key: (purpose == Purpose::Reminder).then(|| {
                format!(
                    "reminder:{}:{}:{}",
                    notice.appointment_id,
                    notice.revision,
                    channel.code()
                )
            }),
        }
    };
    let worker_letter = || {
        message(
            Channel::Letter,
            &format!(
                "{}\naux bons soins de {}\n{}",
                notice.worker_name, notice.establishment_name, notice.establishment_address
            ),
            purpose_template(purpose, false),
        )
    };
    let mut messages = Vec::new();
    match purpose {
        Purpose::Reminder => {
            if let Some(email) = &notice.worker_email {
                messages.push(message(Channel::Email, email, "reminder"));
            }
            if let Some(mobile) = &notice.worker_mobile {
                messages.push(message(Channel::Sms, mobile, "reminder_sms"));
            }
        }
        Purpose::NoShow => {}
        // Handed to the worker at the visit; e-mailed too when the address is known.
        Purpose::Document => {
            if let Some(email) = &notice.worker_email {
                messages.push(message(Channel::Email, email, "document"));
            }
        }
        _ => match &notice.worker_email {
            Some(email) => messages.push(message(
                Channel::Email,
                email,
                purpose_template(purpose, false),
            )),
            None => messages.push(worker_letter()),
        },
    }
    if purpose != Purpose::Reminder
        && let Some(email) = &notice.establishment_email
    {
        messages.push(message(
            Channel::Email,
            email,
            purpose_template(purpose, true),
        ));
    }
    messages
}

fn purpose_template(purpose: Purpose, employer: bool) -> &'static str {
    match (purpose, employer) {
        (Purpose::Convocation, false) => "convocation",
        (Purpose::Convocation, true) => "convocation_employer",
        (Purpose::Reminder, _) => "reminder",
        (Purpose::Moved, _) => "moved",
        (Purpose::Cancelled, _) => "cancelled",
        (Purpose::NoShow, _) => "no_show",
        (Purpose::Document, false) => "document",
        (Purpose::Document, true) => "document_employer",
        // Written by the programme module itself, never from an appointment's templates.
        (Purpose::Programme, _) => "programme",
    }
}

#[cfg(test)]
mod tests;
