//! Date arithmetic of REGULATION.md: adding months keeps the day of the month or takes the
//! last day of the month when that day does not exist; years likewise.

use chrono::{Datelike, Months, NaiveDate};

/// `date` + `months` (negative to go back), clamped to the month's last day.
pub fn add_months(date: NaiveDate, months: i32) -> NaiveDate {
    let result = if months >= 0 {
        date.checked_add_months(Months::new(months as u32))
    } else {
        date.checked_sub_months(Months::new(months.unsigned_abs()))
    };
    result.unwrap_or(date)
}

pub fn add_years(date: NaiveDate, years: i32) -> NaiveDate {
    add_months(date, years * 12)
}

pub fn add_days(date: NaiveDate, days: i64) -> NaiveDate {
    date + chrono::Duration::days(days)
}

/// Age in completed years on `day`.
pub fn age_on(birth: NaiveDate, day: NaiveDate) -> i32 {
    day.years_since(birth).map(|y| y as i32).unwrap_or(-1)
}

pub fn first_of_year(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 1, 1).expect("1 January exists")
}

pub fn last_of_year(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 12, 31).expect("31 December exists")
}

pub fn year_of(date: NaiveDate) -> i32 {
    date.year()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn months_clamp_to_the_last_day() {
        assert_eq!(add_months(d(2025, 11, 30), 3), d(2026, 2, 28));
        assert_eq!(add_months(d(2027, 11, 30), 3), d(2028, 2, 29));
        assert_eq!(add_years(d(2024, 2, 29), 1), d(2025, 2, 28));
        assert_eq!(add_months(d(2026, 5, 31), -6), d(2025, 11, 30));
        assert_eq!(age_on(d(1981, 5, 4), d(2026, 5, 3)), 44);
        assert_eq!(age_on(d(1981, 5, 4), d(2026, 5, 4)), 45);
    }
}
