//! How long a medical file is kept (REGULATION.md "Records that must last"): 40 years after
//! the last visit or examination, no more than 10 years after death (R4624-45-9); for
//! ionising radiation, until the worker is or would be 75 and at least 50 years after the end
//! of exposed work (R4451-83).

use chrono::{Months, NaiveDate};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RetentionFacts {
    pub birth_date: Option<NaiveDate>,
    pub last_visit_on: Option<NaiveDate>,
    pub died_on: Option<NaiveDate>,
    /// End of work exposed to ionising radiation, when there was such work.
    pub ionising_exposure_ended_on: Option<NaiveDate>,
}

fn years_after(date: NaiveDate, years: u32) -> NaiveDate {
    date.checked_add_months(Months::new(12 * years))
        .unwrap_or(NaiveDate::MAX)
}

/// The date after which the file may be purged, or `None` while it cannot be computed (no
/// visit yet: nothing to purge).
pub fn retention_end(facts: &RetentionFacts) -> Option<NaiveDate> {
    let mut end = years_after(facts.last_visit_on?, 40);
    if let Some(exposure_end) = facts.ionising_exposure_ended_on {
        let at_75 = facts.birth_date.map(|b| years_after(b, 75));
        let radiation = years_after(exposure_end, 50).max(at_75.unwrap_or(NaiveDate::MIN));
        end = end.max(radiation);
    }
    if let Some(death) = facts.died_on {
        // "No more than 10 years after death" bounds the general rule, not the longer
        // radiation rule, which another text sets.
        let bound = years_after(death, 10);
        if facts.ionising_exposure_ended_on.is_none() {
            end = end.min(bound);
        }
    }
    Some(end)
}
