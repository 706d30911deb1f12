//! The default priority schema of SCHEDULING.md (11th edition): the rank of an obligation in
//! the doctor's queue and in the nurse's queue (`None`: that queue does not take it).

use super::dates::add_years;
use super::engine::Facts;

pub(super) fn rank(
    f: &Facts,
    kind: &str,
    subtype: &str,
    performer: &str,
) -> (Option<u8>, Option<u8>) {
    let s = f.s;
    let doctor = match kind {
        "RETURN_TO_WORK" => Some(1),
        "PRE_RETURN" => Some(2),
        "VIP_INITIAL" if f.disabled || f.invalidity => Some(3),
        "ON_DEMAND" => Some(4),
        "POST_EXPOSURE" => Some(5),
        // The schema ranks the hiring examination; the periodic one shares its rank.
        "EMA_HIRE" | "EMA_PERIODIC" => Some(6),
        "MID_CAREER" => Some(7),
        _ => None,
    };
    let never_seen = !s.history.iter().any(|v| v.date <= s.at);
    let last_old = s
        .history
        .iter()
        .filter(|v| {
            matches!(
                v.kind.as_str(),
                "VIP_INITIAL" | "VIP_PERIODIC" | "SIR_INTERMEDIATE"
            ) && v.date <= s.at
        })
        .map(|v| v.date)
        .max()
        .is_some_and(|last| add_years(last, 6) < s.at);
    let hired_before_2019 = s.hired_on < super::dates::first_of_year(2019);
    let nurse = match kind {
        _ if performer == "doctor" && !matches!(kind, "PRE_RETURN" | "ON_DEMAND") => None,
        "ON_DEMAND" if subtype == "certificate" => None,
        "RETURN_TO_WORK" | "PRE_RETURN" | "ON_DEMAND" => Some(1),
        "VIP_INITIAL" if f.minor || f.apprentice => Some(2),
        "VIP_PERIODIC" | "SIR_INTERMEDIATE" if last_old => Some(3),
        "VIP_INITIAL" if hired_before_2019 && never_seen => Some(4),
        "VIP_INITIAL" if f.category == crate::followup::FollowUp::Adapted => Some(5),
        "MID_CAREER" => Some(6),
        "SIR_INTERMEDIATE" => Some(7),
        "VIP_INITIAL" => Some(8),
        "VIP_PERIODIC" => Some(9),
        _ => None,
    };
    (doctor, nurse)
}
