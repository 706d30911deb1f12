//! Agendas (SCHEDULING.md "Planning"): the public holidays of France, weekly opening-hours
//! templates and the slots they give over a period, minus holidays and exceptions.

mod holidays;
mod templates;

pub use holidays::{easter_sunday, public_holidays};
pub use templates::{
    Closure, OpeningHours, SlotDraft, TemplateError, generate_slots, parse_opening_hours,
};
