//! Table-driven cases of the engine, each citing the article it checks.

use chrono::NaiveDate;

use super::{Leave, Request, Situation, Visit, evaluate};

fn d(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn worker(at: &str, birth: &str, hired: &str) -> Situation {
    Situation {
        at: d(at),
        birth_date: d(birth),
        hired_on: d(hired),
        category: None,
        exposures: Vec::new(),
        contract: Some("CDI".into()),
        job_change_on: None,
        history: Vec::new(),
        leaves: Vec::new(),
        requests: Vec::new(),
        left_on: None,
        periodicity_months: None,
        doctor_list: false,
    }
}

fn visit(kind: &str, date: &str) -> Visit {
    Visit {
        kind: kind.into(),
        subtype: String::new(),
        date: d(date),
        performer: "either".into(),
    }
}

/// (kind, subtype, due, performer, reference) of every obligation but the mid-career visit
/// (listed however far, it is checked on its own), in output order.
fn summary(s: &Situation) -> Vec<(String, String, Option<String>, String, String)> {
    evaluate(s)
        .unwrap()
        .into_iter()
        .filter(|o| o.kind != "MID_CAREER")
        .map(|o| {
            (
                o.kind,
                o.subtype,
                o.due.map(|d| d.to_string()),
                o.performer,
                o.reference,
            )
        })
        .collect()
}

fn one(
    kind: &str,
    subtype: &str,
    due: Option<&str>,
    performer: &str,
    reference: &str,
) -> (String, String, Option<String>, String, String) {
    (
        kind.into(),
        subtype.into(),
        due.map(str::to_string),
        performer.into(),
        reference.into(),
    )
}

#[test]
fn r4624_10_sis_hire_gives_a_vip_within_three_months() {
    let s = worker("2026-01-10", "1990-01-01", "2025-11-30");
    assert_eq!(
        summary(&s),
        vec![one(
            "VIP_INITIAL",
            "",
            Some("2026-02-28"),
            "either",
            "R4624-10"
        )]
    );
}

#[test]
fn r4624_15_a_vip_in_the_last_five_years_spares_the_initial_visit() {
    let mut s = worker("2026-01-10", "1990-01-01", "2025-11-30");
    s.history.push(visit("VIP_PERIODIC", "2021-12-01"));
    assert_eq!(
        summary(&s),
        vec![one(
            "VIP_PERIODIC",
            "",
            Some("2026-12-01"),
            "either",
            "R4624-16"
        )]
    );
    // One day outside the window: the initial visit is due.
    s.history[0].date = d("2020-11-29");
    assert_eq!(summary(&s)[0].0, "VIP_INITIAL");
}

#[test]
fn r4624_18_night_workers_and_minors_are_seen_before_assignment() {
    let mut night = worker("2026-01-10", "1990-01-01", "2026-01-05");
    night.exposures.push("night_worker".into());
    assert_eq!(
        summary(&night),
        vec![one(
            "VIP_INITIAL",
            "",
            Some("2026-01-05"),
            "either",
            "R4624-18"
        )]
    );
    let minor = worker("2026-01-10", "2009-03-01", "2026-01-05");
    assert_eq!(summary(&minor)[0].2.as_deref(), Some("2026-01-05"));
}

#[test]
fn r6222_40_1_apprentices_within_two_months() {
    let mut s = worker("2026-01-10", "2005-01-01", "2026-01-05");
    s.contract = Some("APPRENTICE".into());
    assert_eq!(
        summary(&s),
        vec![one(
            "VIP_INITIAL",
            "",
            Some("2026-03-05"),
            "either",
            "R6222-40-1"
        )]
    );
}

#[test]
fn r4624_20_disabled_workers_go_to_the_doctor() {
    let mut s = worker("2026-01-10", "1990-01-01", "2026-01-05");
    s.exposures.push("disabled".into());
    let result = evaluate(&s).unwrap();
    assert_eq!(
        (result[0].performer.as_str(), result[0].reference.as_str()),
        ("doctor", "R4624-20")
    );
    assert_eq!(
        (result[0].doctor_rank, result[0].nurse_rank),
        (Some(3), None)
    );
}

#[test]
fn r4624_17_night_workers_every_three_years() {
    let mut s = worker("2026-01-10", "1990-01-01", "2020-01-05");
    s.exposures.push("night_worker".into());
    s.history.push(visit("VIP_INITIAL", "2024-02-29"));
    assert_eq!(
        summary(&s),
        vec![one(
            "VIP_PERIODIC",
            "",
            Some("2027-02-28"),
            "either",
            "R4624-17"
        )]
    );
}

#[test]
fn r4624_24_sir_examination_before_assignment_then_r4624_28() {
    let mut s = worker("2026-11-22", "1981-05-04", "2026-10-01");
    s.exposures.push("asbestos".into());
    let first = evaluate(&s).unwrap();
    assert_eq!(
        (
            first[0].kind.as_str(),
            first[0].due,
            first[0].performer.as_str()
        ),
        ("EMA_HIRE", Some(d("2026-10-01")), "doctor")
    );
    assert_eq!(first[0].nurse_rank, None);
    // An examination more than 2 years before the assignment does not count (R4624-27).
    s.history.push(visit("EMA_HIRE", "2022-09-20"));
    assert_eq!(
        summary(&s),
        vec![one(
            "EMA_HIRE",
            "",
            Some("2026-10-01"),
            "doctor",
            "R4624-24"
        )]
    );
    s.history.push(visit("EMA_PERIODIC", "2025-01-15"));
    assert_eq!(
        summary(&s),
        vec![
            one(
                "SIR_INTERMEDIATE",
                "",
                Some("2027-01-15"),
                "either",
                "R4624-28"
            ),
            one("EMA_PERIODIC", "", Some("2029-01-15"), "doctor", "R4624-28"),
        ]
    );
}

#[test]
fn r4451_82_category_a_every_year_without_intermediate_visit() {
    let mut s = worker("2026-06-01", "1981-05-04", "2020-01-01");
    s.exposures.push("ionizing_radiation_a".into());
    s.history.push(visit("EMA_PERIODIC", "2026-03-01"));
    assert_eq!(
        summary(&s),
        vec![one(
            "EMA_PERIODIC",
            "",
            Some("2027-03-01"),
            "doctor",
            "R4451-82"
        )]
    );
}

#[test]
fn decree_2025_355_driving_needs_a_certificate_not_sir() {
    let mut s = worker("2025-09-30", "1981-05-04", "2025-09-01");
    s.exposures.push("driving_authorisation".into());
    assert_eq!(summary(&s)[0].0, "EMA_HIRE");
    s.at = d("2025-10-01");
    let kinds: Vec<String> = summary(&s)
        .into_iter()
        .map(|o| format!("{}/{}", o.0, o.1))
        .collect();
    assert_eq!(
        kinds,
        vec!["ON_DEMAND/certificate".to_string(), "VIP_INITIAL/".into()]
    );
    // A fitness opinion before the decree stands for five years.
    s.history.push(visit("EMA_HIRE", "2025-09-15"));
    let certificate = evaluate(&s)
        .unwrap()
        .into_iter()
        .find(|o| o.subtype == "certificate")
        .unwrap();
    assert_eq!(
        (certificate.due, certificate.reference.as_str()),
        (Some(d("2030-09-15")), "R4323-56")
    );
}

#[test]
fn r4624_31_return_after_sixty_days_of_sickness_since_2022() {
    let mut s = worker("2026-11-22", "1981-05-04", "2010-01-01");
    s.history.push(visit("VIP_PERIODIC", "2024-01-01"));
    s.leaves.push(Leave {
        reason: "sickness".into(),
        start: d("2026-06-01"),
        end: Some(d("2026-07-30")),
        returned_on: None,
    });
    // 2026-06-01 → 2026-07-31 is 60 days.
    assert!(
        summary(&s)
            .iter()
            .any(|o| o.0 == "RETURN_TO_WORK" && o.2.as_deref() == Some("2026-08-08"))
    );
    s.leaves[0].end = Some(d("2026-07-29"));
    assert!(
        !summary(&s).iter().any(|o| o.0 == "RETURN_TO_WORK"),
        "59 days"
    );
    // Before 31 March 2022 the threshold was 30 days.
    s.leaves[0] = Leave {
        reason: "sickness".into(),
        start: d("2022-01-01"),
        end: None,
        returned_on: Some(d("2022-01-31")),
    };
    assert!(summary(&s).iter().any(|o| o.0 == "RETURN_TO_WORK"));
    // A return-to-work visit done after the start closes it.
    s.history.push(visit("RETURN_TO_WORK", "2022-02-03"));
    assert!(!summary(&s).iter().any(|o| o.0 == "RETURN_TO_WORK"));
}

#[test]
fn r4624_31_maternity_may_be_entrusted_to_the_nurse() {
    let mut s = worker("2026-11-22", "1990-05-04", "2015-01-01");
    s.history.push(visit("VIP_PERIODIC", "2024-01-01"));
    s.leaves.push(Leave {
        reason: "maternity".into(),
        start: d("2026-05-01"),
        end: None,
        returned_on: Some(d("2026-09-01")),
    });
    let rtw = evaluate(&s)
        .unwrap()
        .into_iter()
        .find(|o| o.kind == "RETURN_TO_WORK")
        .unwrap();
    assert_eq!(
        (rtw.performer.as_str(), rtw.doctor_rank, rtw.nurse_rank),
        ("either", Some(1), Some(1))
    );
}

#[test]
fn r4624_34_requests_stay_open_until_a_visit_of_that_kind() {
    let mut s = worker("2026-11-22", "1981-05-04", "2026-10-01");
    s.history.push(visit("VIP_INITIAL", "2026-10-15"));
    s.requests.push(Request {
        kind: "ON_DEMAND".into(),
        subtype: "worker".into(),
        asked_on: d("2026-11-10"),
    });
    let last = evaluate(&s).unwrap().pop().unwrap();
    assert_eq!(
        (last.kind.as_str(), last.due, last.reference.as_str()),
        ("ON_DEMAND", None, "R4624-34")
    );
    s.history.push(visit("ON_DEMAND", "2026-11-20"));
    assert!(!summary(&s).iter().any(|o| o.0 == "ON_DEMAND"));
}

#[test]
fn l4624_2_2_mid_career_in_the_year_of_the_45th_birthday() {
    let mut s = worker("2026-11-22", "1981-12-31", "2010-01-01");
    s.history.push(visit("VIP_PERIODIC", "2024-01-01"));
    let mid = evaluate(&s)
        .unwrap()
        .into_iter()
        .find(|o| o.kind == "MID_CAREER")
        .unwrap();
    assert_eq!(
        (mid.earliest, mid.due),
        (d("2024-01-01"), Some(d("2026-12-31")))
    );
    // Born in 1976: 45 in 2021, before the law.
    s.birth_date = d("1976-06-01");
    assert!(!summary(&s).iter().any(|o| o.0 == "MID_CAREER"));
}

#[test]
fn r4624_28_1_post_exposure_when_a_sir_worker_leaves() {
    let mut s = worker("2026-11-22", "1970-05-04", "2010-01-01");
    s.exposures.push("asbestos".into());
    s.history.push(visit("EMA_PERIODIC", "2024-01-01"));
    s.left_on = Some(d("2026-10-31"));
    assert_eq!(
        summary(&s),
        vec![one(
            "POST_EXPOSURE",
            "post_exposure",
            Some("2027-04-30"),
            "doctor",
            "R4624-28-1"
        )]
    );
}

#[test]
fn invalid_input_names_the_field() {
    let mut s = worker("2026-11-22", "1990-01-01", "1980-01-01");
    assert_eq!(evaluate(&s).unwrap_err().field, "hired_on");
    s.hired_on = d("2020-01-01");
    s.exposures.push("noise".into());
    assert_eq!(evaluate(&s).unwrap_err().field, "exposures");
    s.exposures.clear();
    s.leaves.push(Leave {
        reason: "sickness".into(),
        start: d("2026-02-01"),
        end: Some(d("2026-01-01")),
        returned_on: None,
    });
    assert_eq!(evaluate(&s).unwrap_err().field, "leaves[0]");
    s.leaves.clear();
    s.requests.push(Request {
        kind: "PRE_RETURN".into(),
        subtype: "employer".into(),
        asked_on: d("2026-01-01"),
    });
    let error = evaluate(&s).unwrap_err();
    assert_eq!(error.field, "requests[0].subtype");
    assert!(
        error
            .message
            .contains("demandeur « employer » inconnu pour PRE_RETURN")
    );
    s.requests.clear();
    s.history.push(visit("VIP_INITIAL", "1985-01-01"));
    assert_eq!(evaluate(&s).unwrap_err().field, "history[0].date");
}

#[test]
fn the_history_order_does_not_matter() {
    let mut s = worker("2026-11-22", "1981-05-04", "2010-01-01");
    s.exposures.push("asbestos".into());
    s.history = vec![
        visit("EMA_HIRE", "2012-01-01"),
        visit("EMA_PERIODIC", "2024-01-01"),
        visit("SIR_INTERMEDIATE", "2018-01-01"),
    ];
    let forward = evaluate(&s).unwrap();
    s.history.reverse();
    assert_eq!(evaluate(&s).unwrap(), forward);
}

/// (doctor rank, nurse rank) of the first obligation of `kind` in the 11th edition.
fn ranks_of(patch: &str, kind: &str) -> (Option<u8>, Option<u8>) {
    let o = evaluate(&super::cases::situation(patch))
        .unwrap()
        .into_iter()
        .find(|o| o.kind == kind)
        .unwrap_or_else(|| panic!("no {kind}"));
    (o.doctor_rank, o.nurse_rank)
}

#[test]
fn the_11th_edition_ranks_each_queue() {
    // Nurse rank 2: minors and apprentices.
    assert_eq!(
        ranks_of(r#"{"birth_date": "2009-03-01"}"#, "VIP_INITIAL"),
        (None, Some(2))
    );
    assert_eq!(
        ranks_of(r#"{"contract": "APPRENTICE"}"#, "VIP_INITIAL"),
        (None, Some(2))
    );
    // Nurse rank 3: last visit more than 6 years ago.
    assert_eq!(
        ranks_of(
            r#"{"hired_on": "2010-01-01", "history": [{"kind": "VIP_INITIAL", "date": "2019-01-01"}]}"#,
            "VIP_PERIODIC"
        ),
        (None, Some(3))
    );
    // Nurse rank 4: hired before 2019, never seen.
    assert_eq!(
        ranks_of(r#"{"hired_on": "2018-12-31"}"#, "VIP_INITIAL"),
        (None, Some(4))
    );
    assert_eq!(
        ranks_of(r#"{"hired_on": "2019-01-01"}"#, "VIP_INITIAL"),
        (None, Some(8))
    );
    // Nurse rank 5: SIA for another reason than age, or SIS on the doctor's list.
    assert_eq!(
        ranks_of(r#"{"exposures": ["pregnant"]}"#, "VIP_INITIAL"),
        (None, Some(5))
    );
    assert_eq!(
        ranks_of(r#"{"doctor_list": true}"#, "VIP_INITIAL"),
        (None, Some(5))
    );
    // Doctor rank 3 for disabled workers; the nurse does not take them.
    assert_eq!(
        ranks_of(r#"{"exposures": ["disabled"]}"#, "VIP_INITIAL"),
        (Some(3), None)
    );
    // Ranks 6 and 7: the hiring examination (doctor), the intermediate visit (nurse).
    assert_eq!(
        ranks_of(r#"{"exposures": ["asbestos"]}"#, "EMA_HIRE"),
        (Some(6), None)
    );
    assert_eq!(
        ranks_of(
            r#"{"exposures": ["asbestos"], "history": [{"kind": "EMA_HIRE", "date": "2026-10-01"}]}"#,
            "SIR_INTERMEDIATE"
        ),
        (None, Some(7))
    );
    // Mid-career: doctor 7, nurse 6; periodic VIP: nurse 9; post-exposure: doctor 5.
    assert_eq!(
        ranks_of(r#"{"birth_date": "1981-05-04"}"#, "MID_CAREER"),
        (Some(7), Some(6))
    );
    assert_eq!(
        ranks_of(
            r#"{"history": [{"kind": "VIP_INITIAL", "date": "2026-10-02"}]}"#,
            "VIP_PERIODIC"
        ),
        (None, Some(9))
    );
    assert_eq!(
        ranks_of(
            r#"{"exposures": ["asbestos"], "left_on": "2026-11-01"}"#,
            "POST_EXPOSURE"
        ),
        (Some(5), None)
    );
    // Pre-return: doctor 2, entrusted to the nurse at rank 1.
    assert_eq!(
        ranks_of(
            r#"{"requests": [{"kind": "PRE_RETURN", "subtype": "worker", "asked_on": "2026-11-01"}]}"#,
            "PRE_RETURN"
        ),
        (Some(2), Some(1))
    );
}

#[test]
fn an_edited_schema_changes_the_ranks() {
    let mut schema = super::PrioritySchema::default();
    for entry in &mut schema.nurse {
        if entry.kind == "VIP_INITIAL" && entry.condition == super::Condition::Any {
            entry.rank = 1;
        }
    }
    let s = super::cases::situation("{}");
    let obligations = super::evaluate_with(&s, &schema).unwrap();
    assert_eq!(obligations[0].nurse_rank, Some(1));
}

#[test]
fn explain_says_which_rule_fired_and_why_in_french() {
    let s = super::cases::situation(r#"{"exposures": ["night_worker"]}"#);
    let explained = super::explain(&s, &super::PrioritySchema::default()).unwrap();
    assert_eq!(explained.obligations, evaluate(&s).unwrap());
    let text: Vec<String> = explained
        .trace
        .iter()
        .map(|step| format!("{} {}", step.reference, step.text))
        .collect();
    assert!(
        text.iter()
            .any(|t| t.starts_with("R4624-18") && t.contains("avant l'affectation")),
        "{text:?}"
    );
    assert!(
        text.iter()
            .any(|t| t.contains("VIP initiale due le 01/10/2026")),
        "{text:?}"
    );
    assert!(text[0].contains("SIA"), "{text:?}");
}
