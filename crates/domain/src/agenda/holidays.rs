//! Public holidays of France (Code du travail L3133-1), Easter computed; Alsace-Moselle adds
//! Good Friday and St Stephen's Day (L3134-13).

use chrono::{Datelike, Duration, NaiveDate};

/// Easter Sunday of the Gregorian calendar (anonymous algorithm, Meeus/Jones/Butcher).
pub fn easter_sunday(year: i32) -> NaiveDate {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, month as u32, day as u32).expect("Easter is a date")
}

/// The public holidays of `year`, in date order, with their French name.
pub fn public_holidays(year: i32, alsace_moselle: bool) -> Vec<(NaiveDate, &'static str)> {
    let date = |month, day| NaiveDate::from_ymd_opt(year, month, day).expect("fixed holiday");
    let easter = easter_sunday(year);
    let mut days = vec![
        (date(1, 1), "Jour de l'an"),
        (easter + Duration::days(1), "Lundi de Pâques"),
        (date(5, 1), "Fête du Travail"),
        (date(5, 8), "Victoire 1945"),
        (easter + Duration::days(39), "Ascension"),
        (easter + Duration::days(50), "Lundi de Pentecôte"),
        (date(7, 14), "Fête nationale"),
        (date(8, 15), "Assomption"),
        (date(11, 1), "Toussaint"),
        (date(11, 11), "Armistice 1918"),
        (date(12, 25), "Noël"),
    ];
    if alsace_moselle {
        days.push((easter - Duration::days(2), "Vendredi saint"));
        days.push((date(12, 26), "Saint-Étienne"));
    }
    days.sort();
    debug_assert!(days.iter().all(|(d, _)| d.year() == year));
    days
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn easter_of_known_years() {
        for (year, month, day) in [
            (2024, 3, 31),
            (2025, 4, 20),
            (2026, 4, 5),
            (2027, 3, 28),
            (2038, 4, 25),
            (2008, 3, 23),
            (2000, 4, 23),
        ] {
            assert_eq!(easter_sunday(year), d(year, month, day), "{year}");
        }
    }

    #[test]
    fn the_movable_holidays_of_2026() {
        let days = public_holidays(2026, false);
        assert_eq!(days.len(), 11);
        assert!(days.contains(&(d(2026, 4, 6), "Lundi de Pâques")));
        assert!(days.contains(&(d(2026, 5, 14), "Ascension")));
        assert!(days.contains(&(d(2026, 5, 25), "Lundi de Pentecôte")));
        let moselle = public_holidays(2026, true);
        assert_eq!(moselle.len(), 13);
        assert!(moselle.contains(&(d(2026, 4, 3), "Vendredi saint")));
        assert!(moselle.contains(&(d(2026, 12, 26), "Saint-Étienne")));
    }
}
