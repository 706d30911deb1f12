//! Weekly opening hours of a professional in a centre, and the slots they give over a period
//! (public holidays and closures such as leave or training left out).

use chrono::{Datelike, Duration, NaiveDate, NaiveTime, Weekday};
use serde::{Deserialize, Serialize};

/// One opening of the week: on `weekday`, from `start` to `end`, slots of `slot_minutes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpeningHours {
    pub weekday: Weekday,
    pub start: NaiveTime,
    pub end: NaiveTime,
    pub slot_minutes: u32,
}

/// Days without consultations (leave, training), inclusive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Closure {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub reason: String,
}

/// A slot to create.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SlotDraft {
    pub date: NaiveDate,
    pub time: NaiveTime,
    pub duration_min: u32,
}

/// A template or period that cannot give slots, in French, naming the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} : {message}")]
pub struct TemplateError {
    pub field: String,
    pub message: String,
}

fn invalid(field: &str, message: impl Into<String>) -> TemplateError {
    TemplateError {
        field: field.into(),
        message: message.into(),
    }
}

/// Reads opening hours written `lun=08:30-12:00/30; lun=13:30-17:00/30; mar=…` (French or
/// English day abbreviations, slot minutes after the slash).
pub fn parse_opening_hours(text: &str) -> Result<Vec<OpeningHours>, TemplateError> {
    const DAYS: [(&str, &str, Weekday); 7] = [
        ("lun", "mon", Weekday::Mon),
        ("mar", "tue", Weekday::Tue),
        ("mer", "wed", Weekday::Wed),
        ("jeu", "thu", Weekday::Thu),
        ("ven", "fri", Weekday::Fri),
        ("sam", "sat", Weekday::Sat),
        ("dim", "sun", Weekday::Sun),
    ];
    let mut hours = Vec::new();
    for (i, part) in text
        .split([';', ','])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .enumerate()
    {
        let field = format!("Horaire {}", i + 1);
        let bad = || {
            invalid(
                &field,
                format!("« {part} » : attendu par exemple lun=08:30-12:00/30"),
            )
        };
        let (day, rest) = part.split_once('=').ok_or_else(bad)?;
        let (span, minutes) = rest.split_once('/').ok_or_else(bad)?;
        let (start, end) = span.split_once('-').ok_or_else(bad)?;
        let day = day.trim().to_lowercase();
        let weekday = DAYS
            .iter()
            .find(|(fr, en, _)| day == *fr || day == *en)
            .map(|(_, _, w)| *w)
            .ok_or_else(bad)?;
        let time = |t: &str| NaiveTime::parse_from_str(t.trim(), "%H:%M").map_err(|_| bad());
        hours.push(OpeningHours {
            weekday,
            start: time(start)?,
            end: time(end)?,
            slot_minutes: minutes.trim().parse().map_err(|_| bad())?,
        });
    }
    Ok(hours)
}

/// Longest period generated at once.
const MAX_DAYS: i64 = 400;

fn check(hours: &[OpeningHours], from: NaiveDate, to: NaiveDate) -> Result<(), TemplateError> {
    if to < from {
        return Err(invalid("Fin", "antérieure au début de la période"));
    }
    if (to - from).num_days() > MAX_DAYS {
        return Err(invalid(
            "Fin",
            format!("une période de {MAX_DAYS} jours au plus"),
        ));
    }
    for (i, h) in hours.iter().enumerate() {
        let field = format!("Horaire {}", i + 1);
        if h.end <= h.start {
            return Err(invalid(&field, "la fin doit suivre le début"));
        }
        let open = (h.end - h.start).num_minutes();
        if h.slot_minutes < 5 || i64::from(h.slot_minutes) > open {
            return Err(invalid(
                &field,
                format!("durée de créneau entre 5 et {open} minutes"),
            ));
        }
        let overlapping = hours[..i]
            .iter()
            .any(|o| o.weekday == h.weekday && o.start < h.end && h.start < o.end);
        if overlapping {
            return Err(invalid(&field, "chevauche un autre horaire du même jour"));
        }
    }
    Ok(())
}

/// The slots of `hours` from `from` to `to` (inclusive), in date and time order, except on
/// `holidays` and during `closures`.
pub fn generate_slots(
    hours: &[OpeningHours],
    from: NaiveDate,
    to: NaiveDate,
    holidays: &[NaiveDate],
    closures: &[Closure],
) -> Result<Vec<SlotDraft>, TemplateError> {
    check(hours, from, to)?;
    let mut slots = Vec::new();
    let mut day = from;
    while day <= to {
        let closed =
            holidays.contains(&day) || closures.iter().any(|c| c.from <= day && day <= c.to);
        if !closed {
            for h in hours.iter().filter(|h| h.weekday == day.weekday()) {
                let step = Duration::minutes(i64::from(h.slot_minutes));
                let mut time = h.start;
                while time + step <= h.end && time + step > time {
                    slots.push(SlotDraft {
                        date: day,
                        time,
                        duration_min: h.slot_minutes,
                    });
                    time += step;
                }
            }
        }
        day += Duration::days(1);
    }
    slots.sort();
    Ok(slots)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agenda::public_holidays;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn a_week_of_mornings_without_ascension_and_leave() {
        let hours: Vec<OpeningHours> = [
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
        ]
        .into_iter()
        .map(|weekday| OpeningHours {
            weekday,
            start: t(8, 30),
            end: t(12, 0),
            slot_minutes: 30,
        })
        .collect();
        let holidays: Vec<NaiveDate> = public_holidays(2026, false)
            .into_iter()
            .map(|(d, _)| d)
            .collect();
        let leave = Closure {
            from: d(2026, 5, 15),
            to: d(2026, 5, 15),
            reason: "congé".into(),
        };
        // Week of 11 May 2026: Thursday 14 is Ascension, Friday 15 on leave.
        let slots =
            generate_slots(&hours, d(2026, 5, 11), d(2026, 5, 17), &holidays, &[leave]).unwrap();
        assert_eq!(slots.len(), 3 * 7);
        assert_eq!(
            slots[0],
            SlotDraft {
                date: d(2026, 5, 11),
                time: t(8, 30),
                duration_min: 30
            }
        );
        assert_eq!(slots.last().unwrap().time, t(11, 30));
        assert!(
            slots
                .iter()
                .all(|s| s.date != d(2026, 5, 14) && s.date != d(2026, 5, 15))
        );
    }

    #[test]
    fn opening_hours_are_read_from_text() {
        let hours = parse_opening_hours("lun=08:30-12:00/30; tue=13:30-17:00/20").unwrap();
        assert_eq!(hours.len(), 2);
        assert_eq!(
            (hours[1].weekday, hours[1].start, hours[1].slot_minutes),
            (Weekday::Tue, t(13, 30), 20)
        );
        let error = parse_opening_hours("lun=08:30-12:00/30; lundi 9h").unwrap_err();
        assert_eq!(error.field, "Horaire 2");
    }

    #[test]
    fn bad_templates_are_refused_with_the_field() {
        let monday = |start, end, slot_minutes| OpeningHours {
            weekday: Weekday::Mon,
            start,
            end,
            slot_minutes,
        };
        let day = d(2026, 6, 1);
        let error =
            generate_slots(&[monday(t(12, 0), t(9, 0), 20)], day, day, &[], &[]).unwrap_err();
        assert_eq!(error.field, "Horaire 1");
        let error = generate_slots(
            &[
                monday(t(9, 0), t(12, 0), 20),
                monday(t(11, 0), t(13, 0), 20),
            ],
            day,
            day,
            &[],
            &[],
        )
        .unwrap_err();
        assert_eq!(
            (error.field.as_str(), error.message.as_str()),
            ("Horaire 2", "chevauche un autre horaire du même jour")
        );
        let error =
            generate_slots(&[monday(t(9, 0), t(9, 15), 20)], day, day, &[], &[]).unwrap_err();
        assert!(error.message.contains("entre 5 et 15 minutes"));
        let error = generate_slots(&[], day, d(2026, 5, 1), &[], &[]).unwrap_err();
        assert_eq!(error.field, "Fin");
    }
}
