//! The table of cases: every row of REGULATION.md and its edges, each citing its article.
//! A case is a JSON patch over a base worker (SIS, CDI, born 1960 so that no mid-career visit
//! applies unless the case says so) and the obligations expected, rendered as
//! `KIND[/subtype] due performer reference`, in output order.

use super::{Situation, evaluate};

struct Case {
    article: &'static str,
    name: &'static str,
    patch: &'static str,
    expect: &'static [&'static str],
}

const BASE: &str = r#"{"at": "2026-11-22", "birth_date": "1960-06-15", "hired_on": "2026-10-01", "contract": "CDI"}"#;

const CASES: &[Case] = &[
    // Initial VIP (SIS/SIA).
    Case {
        article: "R4624-10",
        name: "SIS hire: VIP within 3 months",
        patch: r#"{}"#,
        expect: &["VIP_INITIAL 2027-01-01 either R4624-10"],
    },
    Case {
        article: "R4624-10",
        name: "the day before the deadline",
        patch: r#"{"at": "2026-12-31"}"#,
        expect: &["VIP_INITIAL 2027-01-01 either R4624-10"],
    },
    Case {
        article: "R4624-10",
        name: "the day after the deadline: still open, overdue",
        patch: r#"{"at": "2027-01-02"}"#,
        expect: &["VIP_INITIAL 2027-01-01 either R4624-10"],
    },
    Case {
        article: "R4624-10",
        name: "30 November + 3 months = 28 February",
        patch: r#"{"hired_on": "2025-11-30", "at": "2025-12-01"}"#,
        expect: &["VIP_INITIAL 2026-02-28 either R4624-10"],
    },
    Case {
        article: "R4624-10",
        name: "leap year: 29 February",
        patch: r#"{"hired_on": "2027-11-30", "at": "2027-12-01"}"#,
        expect: &["VIP_INITIAL 2028-02-29 either R4624-10"],
    },
    Case {
        article: "R4624-15",
        name: "a visit exactly 5 years before the hire spares the initial VIP",
        patch: r#"{"history": [{"kind": "VIP_PERIODIC", "date": "2021-10-01"}]}"#,
        expect: &["VIP_PERIODIC 2026-10-01 either R4624-16"],
    },
    Case {
        article: "R4624-15",
        name: "one day outside the window",
        patch: r#"{"history": [{"kind": "VIP_PERIODIC", "date": "2021-09-30"}]}"#,
        expect: &["VIP_INITIAL 2027-01-01 either R4624-10"],
    },
    Case {
        article: "R4624-15",
        name: "a fitness examination counts in the VIP track of a SIS worker",
        patch: r#"{"history": [{"kind": "EMA_PERIODIC", "date": "2024-03-01"}]}"#,
        expect: &["VIP_PERIODIC 2029-03-01 either R4624-16"],
    },
    Case {
        article: "R4624-10",
        name: "a visit after the hire closes the initial VIP",
        patch: r#"{"history": [{"kind": "VIP_INITIAL", "date": "2026-11-02"}]}"#,
        expect: &["VIP_PERIODIC 2031-11-02 either R4624-16"],
    },
    Case {
        article: "R4624-10",
        name: "a visit planned after `at` does not close it",
        patch: r#"{"history": [{"kind": "VIP_INITIAL", "date": "2026-11-23"}]}"#,
        expect: &["VIP_INITIAL 2027-01-01 either R4624-10"],
    },
    Case {
        article: "R4625-11",
        name: "temporary worker: 2-year window, inside",
        patch: r#"{"contract": "INTERIM", "history": [{"kind": "VIP_INITIAL", "date": "2024-10-01"}]}"#,
        expect: &["VIP_PERIODIC 2029-10-01 either R4624-16"],
    },
    Case {
        article: "R4625-11",
        name: "temporary worker: 2-year window, one day outside",
        patch: r#"{"contract": "INTERIM", "history": [{"kind": "VIP_INITIAL", "date": "2024-09-30"}]}"#,
        expect: &["VIP_INITIAL 2027-01-01 either R4624-10"],
    },
    Case {
        article: "R4624-17",
        name: "night worker: 3-year window, inside",
        patch: r#"{"exposures": ["night_worker"], "history": [{"kind": "VIP_INITIAL", "date": "2023-10-01"}]}"#,
        expect: &["VIP_PERIODIC 2026-10-01 either R4624-17"],
    },
    Case {
        article: "R4624-18",
        name: "night worker: one day outside the window, seen before assignment",
        patch: r#"{"exposures": ["night_worker"], "history": [{"kind": "VIP_INITIAL", "date": "2023-09-30"}]}"#,
        expect: &["VIP_INITIAL 2026-10-01 either R4624-18"],
    },
    Case {
        article: "R4624-18",
        name: "minor (not apprentice): before assignment",
        patch: r#"{"birth_date": "2009-03-01"}"#,
        expect: &[
            "VIP_INITIAL 2026-10-01 either R4624-18",
            "MID_CAREER 2054-12-31 either L4624-2-2",
        ],
    },
    Case {
        article: "R4624-18",
        name: "18 on the hire date: not a minor",
        patch: r#"{"birth_date": "2008-10-01"}"#,
        expect: &[
            "VIP_INITIAL 2027-01-01 either R4624-10",
            "MID_CAREER 2053-12-31 either L4624-2-2",
        ],
    },
    Case {
        article: "R4624-18",
        name: "18 the day after the hire: a minor",
        patch: r#"{"birth_date": "2008-10-02"}"#,
        expect: &[
            "VIP_INITIAL 2026-10-01 either R4624-18",
            "MID_CAREER 2053-12-31 either L4624-2-2",
        ],
    },
    Case {
        article: "R4624-18",
        name: "biological agents of group 2: before assignment",
        patch: r#"{"exposures": ["bio_agents_2"]}"#,
        expect: &["VIP_INITIAL 2026-10-01 either R4624-18"],
    },
    Case {
        article: "R4624-18",
        name: "electromagnetic fields: before assignment",
        patch: r#"{"exposures": ["emf"]}"#,
        expect: &["VIP_INITIAL 2026-10-01 either R4624-18"],
    },
    Case {
        article: "R6222-40-1",
        name: "adult apprentice: within 2 months",
        patch: r#"{"contract": "APPRENTICE", "birth_date": "2000-01-01"}"#,
        expect: &[
            "VIP_INITIAL 2026-12-01 either R6222-40-1",
            "MID_CAREER 2045-12-31 either L4624-2-2",
        ],
    },
    Case {
        article: "R4624-18",
        name: "minor apprentice: before assignment beats 2 months",
        patch: r#"{"contract": "APPRENTICE", "birth_date": "2010-01-01"}"#,
        expect: &[
            "VIP_INITIAL 2026-10-01 either R4624-18",
            "MID_CAREER 2055-12-31 either L4624-2-2",
        ],
    },
    Case {
        article: "R6222-40-1",
        name: "apprentice hired 31 December: 28 February",
        patch: r#"{"contract": "APPRENTICE", "hired_on": "2026-12-31", "at": "2027-01-05"}"#,
        expect: &["VIP_INITIAL 2027-02-28 either R6222-40-1"],
    },
    Case {
        article: "R4624-20",
        name: "disabled worker: to the doctor, same deadline",
        patch: r#"{"exposures": ["disabled"]}"#,
        expect: &["VIP_INITIAL 2027-01-01 doctor R4624-20"],
    },
    Case {
        article: "R4624-20",
        name: "invalidity pensioner: to the doctor",
        patch: r#"{"exposures": ["invalidity_pension"]}"#,
        expect: &["VIP_INITIAL 2027-01-01 doctor R4624-20"],
    },
    Case {
        article: "R4624-18",
        name: "disabled night worker: earliest deadline wins, doctor wins",
        patch: r#"{"exposures": ["disabled", "night_worker"]}"#,
        expect: &["VIP_INITIAL 2026-10-01 doctor R4624-18"],
    },
    // Periodic VIP.
    Case {
        article: "R4624-16",
        name: "SIS: 5 years after the latest visit",
        patch: r#"{"hired_on": "2015-01-01", "history": [{"kind": "VIP_INITIAL", "date": "2015-02-01"}, {"kind": "VIP_PERIODIC", "date": "2022-02-28"}]}"#,
        expect: &["VIP_PERIODIC 2027-02-28 either R4624-16"],
    },
    Case {
        article: "R4624-16",
        name: "leap day + 5 years = 28 February",
        patch: r#"{"hired_on": "2015-01-01", "history": [{"kind": "VIP_PERIODIC", "date": "2024-02-29"}]}"#,
        expect: &["VIP_PERIODIC 2029-02-28 either R4624-16"],
    },
    Case {
        article: "R4624-16",
        name: "pregnancy: SIA at 5 years",
        patch: r#"{"hired_on": "2015-01-01", "exposures": ["pregnant"], "history": [{"kind": "VIP_PERIODIC", "date": "2023-05-10"}]}"#,
        expect: &["VIP_PERIODIC 2028-05-10 either R4624-16"],
    },
    Case {
        article: "R4624-17",
        name: "disabled worker: every 3 years",
        patch: r#"{"hired_on": "2015-01-01", "exposures": ["disabled"], "history": [{"kind": "VIP_PERIODIC", "date": "2024-05-10"}]}"#,
        expect: &["VIP_PERIODIC 2027-05-10 either R4624-17"],
    },
    Case {
        article: "R4624-17",
        name: "invalidity pensioner: every 3 years",
        patch: r#"{"hired_on": "2015-01-01", "exposures": ["invalidity_pension"], "history": [{"kind": "VIP_PERIODIC", "date": "2024-05-10"}]}"#,
        expect: &["VIP_PERIODIC 2027-05-10 either R4624-17"],
    },
    Case {
        article: "R4624-17",
        name: "night worker leap day + 3 years",
        patch: r#"{"hired_on": "2015-01-01", "exposures": ["night_worker"], "history": [{"kind": "VIP_PERIODIC", "date": "2024-02-29"}]}"#,
        expect: &["VIP_PERIODIC 2027-02-28 either R4624-17"],
    },
    Case {
        article: "R4624-16",
        name: "the doctor's 24-month periodicity is honoured",
        patch: r#"{"hired_on": "2015-01-01", "periodicity_months": 24, "history": [{"kind": "VIP_PERIODIC", "date": "2025-01-15"}]}"#,
        expect: &["VIP_PERIODIC 2027-01-15 either R4624-16"],
    },
    Case {
        article: "R4624-16",
        name: "a periodicity longer than the law is capped by the law",
        patch: r#"{"hired_on": "2015-01-01", "periodicity_months": 72, "history": [{"kind": "VIP_PERIODIC", "date": "2025-01-15"}]}"#,
        expect: &["VIP_PERIODIC 2030-01-15 either R4624-16"],
    },
    // SIR.
    Case {
        article: "R4624-24",
        name: "asbestos: examination before assignment",
        patch: r#"{"exposures": ["asbestos"]}"#,
        expect: &["EMA_HIRE 2026-10-01 doctor R4624-24"],
    },
    Case {
        article: "R4624-27",
        name: "an examination exactly 2 years before the assignment counts",
        patch: r#"{"exposures": ["lead"], "history": [{"kind": "EMA_PERIODIC", "date": "2024-10-01"}]}"#,
        expect: &[
            "SIR_INTERMEDIATE 2026-10-01 either R4624-28",
            "EMA_PERIODIC 2028-10-01 doctor R4624-28",
        ],
    },
    Case {
        article: "R4624-27",
        name: "one day more than 2 years: a new examination",
        patch: r#"{"exposures": ["lead"], "history": [{"kind": "EMA_PERIODIC", "date": "2024-09-30"}]}"#,
        expect: &["EMA_HIRE 2026-10-01 doctor R4624-24"],
    },
    Case {
        article: "R4624-28",
        name: "an intermediate visit after the latest examination closes it",
        patch: r#"{"hired_on": "2020-01-01", "exposures": ["cmr"], "history": [{"kind": "EMA_HIRE", "date": "2023-01-10"}, {"kind": "SIR_INTERMEDIATE", "date": "2025-01-05"}]}"#,
        expect: &["EMA_PERIODIC 2027-01-10 doctor R4624-28"],
    },
    Case {
        article: "R4624-28",
        name: "an intermediate visit before the latest examination does not",
        patch: r#"{"hired_on": "2020-01-01", "exposures": ["cmr"], "history": [{"kind": "SIR_INTERMEDIATE", "date": "2023-06-01"}, {"kind": "EMA_PERIODIC", "date": "2024-01-10"}]}"#,
        expect: &[
            "SIR_INTERMEDIATE 2026-01-10 either R4624-28",
            "EMA_PERIODIC 2028-01-10 doctor R4624-28",
        ],
    },
    Case {
        article: "R4624-28",
        name: "the doctor's 24-month periodicity: the examination replaces the intermediate visit",
        patch: r#"{"hired_on": "2020-01-01", "exposures": ["bio_agents_3_4"], "periodicity_months": 24, "history": [{"kind": "EMA_PERIODIC", "date": "2025-06-01"}]}"#,
        expect: &["EMA_PERIODIC 2027-06-01 doctor R4624-28"],
    },
    Case {
        article: "R4451-82",
        name: "category A: every year, no intermediate visit",
        patch: r#"{"hired_on": "2020-01-01", "exposures": ["ionizing_radiation_a"], "history": [{"kind": "EMA_PERIODIC", "date": "2026-03-01"}]}"#,
        expect: &["EMA_PERIODIC 2027-03-01 doctor R4451-82"],
    },
    Case {
        article: "R4451-82",
        name: "category B: the general SIR periodicity",
        patch: r#"{"hired_on": "2020-01-01", "exposures": ["ionizing_radiation_b"], "history": [{"kind": "EMA_PERIODIC", "date": "2026-03-01"}]}"#,
        expect: &[
            "SIR_INTERMEDIATE 2028-03-01 either R4624-28",
            "EMA_PERIODIC 2030-03-01 doctor R4624-28",
        ],
    },
    Case {
        article: "R4624-23 II",
        name: "manual handling over 55 kg is SIR",
        patch: r#"{"exposures": ["manual_handling_55kg"]}"#,
        expect: &["EMA_HIRE 2026-10-01 doctor R4624-24"],
    },
    Case {
        article: "R4624-23 II",
        name: "a minor on regulated work is SIR",
        patch: r#"{"birth_date": "2009-03-01", "exposures": ["minor_regulated_work"]}"#,
        expect: &[
            "EMA_HIRE 2026-10-01 doctor R4624-24",
            "MID_CAREER 2054-12-31 either L4624-2-2",
        ],
    },
    Case {
        article: "R4624-23 III",
        name: "a post on the employer's list is SIR",
        patch: r#"{"exposures": ["employer_listed"]}"#,
        expect: &["EMA_HIRE 2026-10-01 doctor R4624-24"],
    },
    Case {
        article: "R4624-23",
        name: "the doctor's SIR decision without exposures",
        patch: r#"{"category": "SIR"}"#,
        expect: &["EMA_HIRE 2026-10-01 doctor R4624-24"],
    },
    Case {
        article: "R4624-23",
        name: "a given category wins over the exposures",
        patch: r#"{"category": "SIS", "exposures": ["asbestos"]}"#,
        expect: &["VIP_INITIAL 2027-01-01 either R4624-10"],
    },
    Case {
        article: "R4624-24",
        name: "category change: a new SIR post, examination before it",
        patch: r#"{"hired_on": "2020-01-01", "job_change_on": "2026-11-01", "exposures": ["asbestos"], "history": [{"kind": "VIP_INITIAL", "date": "2022-01-01"}]}"#,
        expect: &["EMA_HIRE 2026-11-01 doctor R4624-24"],
    },
    // Décret 2025-355.
    Case {
        article: "R4323-56",
        name: "driving on 30 September 2025 is still SIR",
        patch: r#"{"at": "2025-09-30", "hired_on": "2025-09-01", "exposures": ["driving_authorisation"]}"#,
        expect: &["EMA_HIRE 2025-09-01 doctor R4624-24"],
    },
    Case {
        article: "R4323-56",
        name: "driving on 1 October 2025: certificate and VIP",
        patch: r#"{"at": "2025-10-01", "hired_on": "2025-09-01", "exposures": ["driving_authorisation"]}"#,
        expect: &[
            "ON_DEMAND/certificate 2025-09-01 doctor R4323-56",
            "VIP_INITIAL 2025-12-01 either R4624-10",
        ],
    },
    Case {
        article: "R4544-11-1",
        name: "electrical clearance from 1 October 2025",
        patch: r#"{"exposures": ["electrical_clearance"]}"#,
        expect: &[
            "ON_DEMAND/certificate 2026-10-01 doctor R4544-11-1",
            "VIP_INITIAL 2027-01-01 either R4624-10",
        ],
    },
    Case {
        article: "R4544-11-1",
        name: "a certificate is valid 5 years",
        patch: r#"{"exposures": ["electrical_clearance"], "history": [{"kind": "ON_DEMAND", "subtype": "certificate", "date": "2025-11-01"}, {"kind": "VIP_INITIAL", "date": "2026-10-20"}]}"#,
        expect: &[
            "ON_DEMAND/certificate 2030-11-01 doctor R4544-11-1",
            "VIP_PERIODIC 2031-10-20 either R4624-16",
        ],
    },
    Case {
        article: "R4323-56",
        name: "a fitness opinion before the decree stands for 5 years",
        patch: r#"{"hired_on": "2025-09-01", "exposures": ["driving_authorisation"], "history": [{"kind": "EMA_HIRE", "date": "2025-09-15"}]}"#,
        expect: &[
            "ON_DEMAND/certificate 2030-09-15 doctor R4323-56",
            "VIP_PERIODIC 2030-09-15 either R4624-16",
        ],
    },
    // Return to work.
    Case {
        article: "R4624-31",
        name: "sickness of exactly 60 days since 2022",
        patch: r#"{"hired_on": "2015-01-01", "history": [{"kind": "VIP_PERIODIC", "date": "2024-01-01"}], "leaves": [{"reason": "sickness", "start": "2026-06-01", "returned_on": "2026-07-31"}]}"#,
        expect: &[
            "RETURN_TO_WORK/sickness 2026-08-08 doctor R4624-31",
            "VIP_PERIODIC 2029-01-01 either R4624-16",
        ],
    },
    Case {
        article: "R4624-31",
        name: "sickness of 59 days: no visit",
        patch: r#"{"hired_on": "2015-01-01", "history": [{"kind": "VIP_PERIODIC", "date": "2024-01-01"}], "leaves": [{"reason": "sickness", "start": "2026-06-01", "returned_on": "2026-07-30"}]}"#,
        expect: &["VIP_PERIODIC 2029-01-01 either R4624-16"],
    },
    Case {
        article: "R4624-31",
        name: "return date computed from the end: end + 1 day",
        patch: r#"{"hired_on": "2015-01-01", "history": [{"kind": "VIP_PERIODIC", "date": "2024-01-01"}], "leaves": [{"reason": "sickness", "start": "2026-06-01", "end": "2026-07-30"}]}"#,
        expect: &[
            "RETURN_TO_WORK/sickness 2026-08-08 doctor R4624-31",
            "VIP_PERIODIC 2029-01-01 either R4624-16",
        ],
    },
    Case {
        article: "R4624-31",
        name: "sickness started on 31/03/2022: the 30-day threshold",
        patch: r#"{"at": "2022-05-02", "hired_on": "2015-01-01", "history": [{"kind": "VIP_PERIODIC", "date": "2021-01-01"}], "leaves": [{"reason": "sickness", "start": "2022-03-31", "returned_on": "2022-04-30"}]}"#,
        expect: &[
            "RETURN_TO_WORK/sickness 2022-05-08 doctor R4624-31",
            "VIP_PERIODIC 2026-01-01 either R4624-16",
        ],
    },
    Case {
        article: "R4624-31",
        name: "sickness started on 01/04/2022: 30 days are not enough",
        patch: r#"{"at": "2022-05-02", "hired_on": "2015-01-01", "history": [{"kind": "VIP_PERIODIC", "date": "2021-01-01"}], "leaves": [{"reason": "sickness", "start": "2022-04-01", "returned_on": "2022-05-01"}]}"#,
        expect: &["VIP_PERIODIC 2026-01-01 either R4624-16"],
    },
    Case {
        article: "R4624-31",
        name: "work accident of exactly 30 days",
        patch: r#"{"hired_on": "2015-01-01", "history": [{"kind": "VIP_PERIODIC", "date": "2024-01-01"}], "leaves": [{"reason": "work_accident", "start": "2026-09-01", "returned_on": "2026-10-01"}]}"#,
        expect: &[
            "RETURN_TO_WORK/work_accident 2026-10-09 doctor R4624-31",
            "VIP_PERIODIC 2029-01-01 either R4624-16",
        ],
    },
    Case {
        article: "R4624-31",
        name: "work accident of 29 days: no visit",
        patch: r#"{"hired_on": "2015-01-01", "history": [{"kind": "VIP_PERIODIC", "date": "2024-01-01"}], "leaves": [{"reason": "work_accident", "start": "2026-09-01", "returned_on": "2026-09-30"}]}"#,
        expect: &["VIP_PERIODIC 2029-01-01 either R4624-16"],
    },
    Case {
        article: "R4624-31",
        name: "occupational disease of any length",
        patch: r#"{"hired_on": "2015-01-01", "history": [{"kind": "VIP_PERIODIC", "date": "2024-01-01"}], "leaves": [{"reason": "occupational_disease", "start": "2026-09-01", "returned_on": "2026-09-04"}]}"#,
        expect: &[
            "RETURN_TO_WORK/occupational_disease 2026-09-12 doctor R4624-31",
            "VIP_PERIODIC 2029-01-01 either R4624-16",
        ],
    },
    Case {
        article: "R4623-14",
        name: "after maternity: either professional",
        patch: r#"{"hired_on": "2015-01-01", "history": [{"kind": "VIP_PERIODIC", "date": "2024-01-01"}], "leaves": [{"reason": "maternity", "start": "2026-05-01", "returned_on": "2026-09-01"}]}"#,
        expect: &[
            "RETURN_TO_WORK/maternity 2026-09-09 either R4624-31",
            "VIP_PERIODIC 2029-01-01 either R4624-16",
        ],
    },
    Case {
        article: "R4624-31",
        name: "still on leave: no return date, no visit yet",
        patch: r#"{"hired_on": "2015-01-01", "history": [{"kind": "VIP_PERIODIC", "date": "2024-01-01"}], "leaves": [{"reason": "sickness", "start": "2026-06-01"}]}"#,
        expect: &["VIP_PERIODIC 2029-01-01 either R4624-16"],
    },
    Case {
        article: "R4624-31",
        name: "a visit on the leave's first day closes it",
        patch: r#"{"hired_on": "2015-01-01", "history": [{"kind": "VIP_PERIODIC", "date": "2024-01-01"}, {"kind": "RETURN_TO_WORK", "date": "2026-06-01"}], "leaves": [{"reason": "occupational_disease", "start": "2026-06-01", "returned_on": "2026-06-10"}]}"#,
        expect: &["VIP_PERIODIC 2029-01-01 either R4624-16"],
    },
    Case {
        article: "R4624-31",
        name: "a visit before the leave does not",
        patch: r#"{"hired_on": "2015-01-01", "history": [{"kind": "VIP_PERIODIC", "date": "2024-01-01"}, {"kind": "RETURN_TO_WORK", "date": "2026-05-31"}], "leaves": [{"reason": "occupational_disease", "start": "2026-06-01", "returned_on": "2026-06-10"}]}"#,
        expect: &[
            "RETURN_TO_WORK/occupational_disease 2026-06-18 doctor R4624-31",
            "VIP_PERIODIC 2029-01-01 either R4624-16",
        ],
    },
    // Requests.
    Case {
        article: "R4624-29",
        name: "pre-return visit asked by the treating doctor",
        patch: r#"{"history": [{"kind": "VIP_INITIAL", "date": "2026-10-15"}], "requests": [{"kind": "PRE_RETURN", "subtype": "treating_doctor", "asked_on": "2026-11-02"}]}"#,
        expect: &[
            "VIP_PERIODIC 2031-10-15 either R4624-16",
            "PRE_RETURN/treating_doctor none doctor R4624-29",
        ],
    },
    Case {
        article: "R4624-34",
        name: "on-demand visit asked by the employer",
        patch: r#"{"history": [{"kind": "VIP_INITIAL", "date": "2026-10-15"}], "requests": [{"kind": "ON_DEMAND", "subtype": "employer", "asked_on": "2026-11-02"}]}"#,
        expect: &[
            "VIP_PERIODIC 2031-10-15 either R4624-16",
            "ON_DEMAND/employer none doctor R4624-34",
        ],
    },
    Case {
        article: "R4624-34",
        name: "a request dated after `at` is not open yet",
        patch: r#"{"history": [{"kind": "VIP_INITIAL", "date": "2026-10-15"}], "requests": [{"kind": "ON_DEMAND", "subtype": "worker", "asked_on": "2026-11-23"}]}"#,
        expect: &["VIP_PERIODIC 2031-10-15 either R4624-16"],
    },
    Case {
        article: "R4624-34",
        name: "a visit before the request does not answer it",
        patch: r#"{"history": [{"kind": "VIP_INITIAL", "date": "2026-10-15"}, {"kind": "ON_DEMAND", "subtype": "worker", "date": "2026-11-01"}], "requests": [{"kind": "ON_DEMAND", "subtype": "worker", "asked_on": "2026-11-02"}]}"#,
        expect: &[
            "VIP_PERIODIC 2031-10-15 either R4624-16",
            "ON_DEMAND/worker none doctor R4624-34",
        ],
    },
    // Mid-career.
    Case {
        article: "L4624-2-2",
        name: "45th birthday on 31 December",
        patch: r#"{"birth_date": "1981-12-31", "hired_on": "2010-01-01", "history": [{"kind": "VIP_PERIODIC", "date": "2024-01-01"}]}"#,
        expect: &[
            "MID_CAREER 2026-12-31 either L4624-2-2",
            "VIP_PERIODIC 2029-01-01 either R4624-16",
        ],
    },
    Case {
        article: "L4624-2-2",
        name: "45 in 2022: the law applies",
        patch: r#"{"birth_date": "1977-01-01", "hired_on": "2010-01-01", "history": [{"kind": "VIP_PERIODIC", "date": "2024-01-01"}]}"#,
        expect: &[
            "MID_CAREER 2022-12-31 either L4624-2-2",
            "VIP_PERIODIC 2029-01-01 either R4624-16",
        ],
    },
    Case {
        article: "L4624-2-2",
        name: "45 in 2021: before the law",
        patch: r#"{"birth_date": "1976-12-31", "hired_on": "2010-01-01", "history": [{"kind": "VIP_PERIODIC", "date": "2024-01-01"}]}"#,
        expect: &["VIP_PERIODIC 2029-01-01 either R4624-16"],
    },
    Case {
        article: "L4624-2-2",
        name: "hired after the year of the 45th birthday",
        patch: r#"{"birth_date": "1981-05-04", "hired_on": "2027-01-01", "at": "2027-01-02"}"#,
        expect: &["VIP_INITIAL 2027-04-01 either R4624-10"],
    },
    Case {
        article: "L4624-2-2",
        name: "done in the year of the 43rd birthday",
        patch: r#"{"birth_date": "1983-05-04", "hired_on": "2010-01-01", "history": [{"kind": "VIP_PERIODIC", "date": "2024-01-01"}, {"kind": "MID_CAREER", "date": "2026-01-01"}]}"#,
        expect: &["VIP_PERIODIC 2029-01-01 either R4624-16"],
    },
    Case {
        article: "L4624-2-2",
        name: "done the year before the 43rd birthday: still due",
        patch: r#"{"birth_date": "1983-05-04", "hired_on": "2010-01-01", "history": [{"kind": "VIP_PERIODIC", "date": "2024-01-01"}, {"kind": "MID_CAREER", "date": "2025-12-31"}]}"#,
        expect: &[
            "MID_CAREER 2028-12-31 either L4624-2-2",
            "VIP_PERIODIC 2029-01-01 either R4624-16",
        ],
    },
    // End of SIR exposure, leaving.
    Case {
        article: "R4624-28-1",
        name: "a SIR worker who left: post-exposure only",
        patch: r#"{"hired_on": "2010-01-01", "exposures": ["asbestos"], "history": [{"kind": "EMA_PERIODIC", "date": "2024-01-01"}], "left_on": "2026-10-31"}"#,
        expect: &["POST_EXPOSURE/post_exposure 2027-04-30 doctor R4624-28-1"],
    },
    Case {
        article: "R4624-28-1",
        name: "a SIS worker who left: nothing",
        patch: r#"{"hired_on": "2010-01-01", "history": [{"kind": "VIP_PERIODIC", "date": "2024-01-01"}], "left_on": "2026-11-22"}"#,
        expect: &[],
    },
    Case {
        article: "R4624-28-1",
        name: "leaving in the future: the others stay, post-exposure added",
        patch: r#"{"hired_on": "2010-01-01", "exposures": ["asbestos"], "history": [{"kind": "EMA_PERIODIC", "date": "2024-01-01"}], "left_on": "2026-12-15"}"#,
        expect: &[
            "SIR_INTERMEDIATE 2026-01-01 either R4624-28",
            "POST_EXPOSURE/post_exposure 2027-06-15 doctor R4624-28-1",
            "EMA_PERIODIC 2028-01-01 doctor R4624-28",
        ],
    },
    Case {
        article: "R4624-28-2",
        name: "a new post without the exposure ends it",
        patch: r#"{"hired_on": "2020-01-01", "job_change_on": "2026-09-01", "history": [{"kind": "EMA_PERIODIC", "date": "2023-01-01"}]}"#,
        expect: &[
            "POST_EXPOSURE/post_exposure 2027-03-01 doctor R4624-28-1",
            "VIP_PERIODIC 2028-01-01 either R4624-16",
        ],
    },
    Case {
        article: "R4624-28-1",
        name: "done one month before the end: closed",
        patch: r#"{"hired_on": "2010-01-01", "exposures": ["asbestos"], "history": [{"kind": "EMA_PERIODIC", "date": "2024-01-01"}, {"kind": "POST_EXPOSURE", "subtype": "post_exposure", "date": "2026-09-30"}], "left_on": "2026-10-31"}"#,
        expect: &[],
    },
    Case {
        article: "R4624-28-1",
        name: "done more than one month before the end: still due",
        patch: r#"{"hired_on": "2010-01-01", "exposures": ["asbestos"], "history": [{"kind": "EMA_PERIODIC", "date": "2024-01-01"}, {"kind": "POST_EXPOSURE", "subtype": "post_exposure", "date": "2026-09-29"}], "left_on": "2026-10-31"}"#,
        expect: &["POST_EXPOSURE/post_exposure 2027-04-30 doctor R4624-28-1"],
    },
];

fn render(situation: &Situation) -> Vec<String> {
    super::evaluate(situation)
        .unwrap()
        .into_iter()
        .map(|o| {
            let subtype = if o.subtype.is_empty() {
                String::new()
            } else {
                format!("/{}", o.subtype)
            };
            let due = o.due.map_or("none".to_string(), |d| d.to_string());
            format!("{}{subtype} {due} {} {}", o.kind, o.performer, o.reference)
        })
        .collect()
}

pub(super) fn situation(patch: &str) -> Situation {
    let mut base: serde_json::Value = serde_json::from_str(BASE).unwrap();
    let patch: serde_json::Value = serde_json::from_str(patch).expect("patch is JSON");
    for (key, value) in patch.as_object().expect("patch is an object") {
        base[key] = value.clone();
    }
    serde_json::from_value(base).expect("a valid situation")
}

#[test]
fn every_case_of_the_table() {
    assert!(CASES.len() >= 60, "{} cases", CASES.len());
    let mut failures = Vec::new();
    for case in CASES {
        let got = render(&situation(case.patch));
        if got != case.expect {
            failures.push(format!(
                "{} — {}\n  expected {:?}\n  got      {:?}",
                case.article, case.name, case.expect, got
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_case_is_valid_input_and_cites_an_article() {
    for case in CASES {
        assert!(!case.article.is_empty() && !case.name.is_empty());
        assert!(evaluate(&situation(case.patch)).is_ok(), "{}", case.name);
    }
}
