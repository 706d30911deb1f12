use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::*;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn record(kind: &str, outcome: &str) -> VisitRecord {
    VisitRecord {
        kind: kind.into(),
        outcome: outcome.into(),
        next_visit_months: None,
        referral: String::new(),
        prerequisites: InaptitudePrerequisites::default(),
        teleconsultation: false,
        experimental: false,
        duration_min: 20,
        recommendations: String::new(),
        propose_adjustments: false,
    }
}

fn all_prerequisites() -> InaptitudePrerequisites {
    InaptitudePrerequisites {
        examination_on: Some(day(2026, 11, 2)),
        workstation_study_on: Some(day(2026, 11, 5)),
        fiche_updated_on: Some(day(2025, 3, 1)),
        exchange_with_worker_on: Some(day(2026, 11, 6)),
        exchange_with_employer_on: Some(day(2026, 11, 9)),
    }
}

#[test]
fn a_nurse_cannot_issue_an_opinion_nor_perform_a_doctor_only_kind() {
    let opinion = check_visit("nurse", &record("RETURN_TO_WORK", "fit")).unwrap_err();
    assert_eq!(opinion.field, "Conclusion");
    assert!(opinion.message.contains("seul le médecin"));
    let ema = check_visit("nurse", &record("EMA_HIRE", "none")).unwrap_err();
    assert!(ema.message.contains("R4624-25"));
    assert_eq!(
        check_visit("nurse", &record("VIP_INITIAL", "follow_up_certificate")),
        Ok(())
    );
    assert_eq!(check_visit("doctor", &record("EMA_HIRE", "fit")), Ok(()));
    // A nurse refers to the doctor.
    let mut referral = record("VIP_INITIAL", "none");
    referral.referral = "doctor".into();
    assert_eq!(check_visit("nurse", &referral), Ok(()));
    assert!(check_visit("doctor", &referral).is_err());
}

#[test]
fn an_outcome_must_fit_the_kind() {
    let error = check_visit("doctor", &record("VIP_PERIODIC", "fit")).unwrap_err();
    assert!(error.message.contains("ne convient pas"), "{error}");
    assert!(check_visit("doctor", &record("EMA_PERIODIC", "follow_up_certificate")).is_err());
    assert!(check_visit("doctor", &record("PRE_RETURN", "fit")).is_err());
    assert_eq!(check_visit("doctor", &record("PRE_RETURN", "none")), Ok(()));
    assert!(check_visit("doctor", &record("VIP_PERIODIC", "bof")).is_err());
}

#[test]
fn an_inaptitude_needs_each_prerequisite_and_says_which_is_missing() {
    let mut unfit = record("RETURN_TO_WORK", "unfit");
    unfit.recommendations = "Reclassement sur un poste sans port de charges".into();
    let error = check_visit("doctor", &unfit).unwrap_err();
    assert_eq!(error.field, "Inaptitude");
    assert!(error.message.contains("l'étude du poste"));
    unfit.prerequisites = all_prerequisites();
    assert_eq!(check_visit("doctor", &unfit), Ok(()));
    unfit.prerequisites.exchange_with_employer_on = None;
    let error = check_visit("doctor", &unfit).unwrap_err();
    assert!(
        error
            .message
            .ends_with("il manque : l'échange avec l'employeur"),
        "{error}"
    );
}

#[test]
fn the_next_visit_and_the_duration_stay_in_range() {
    let mut later = record("VIP_PERIODIC", "follow_up_certificate");
    later.next_visit_months = Some(72);
    assert_eq!(
        check_visit("nurse", &later).unwrap_err().field,
        "Prochaine visite"
    );
    later.next_visit_months = Some(24);
    assert_eq!(check_visit("nurse", &later), Ok(()));
    later.duration_min = 0;
    assert_eq!(check_visit("nurse", &later).unwrap_err().field, "Durée");
}

#[test]
fn bmi_and_implausible_measurements() {
    let m = Measurements {
        height_cm: Some(175),
        weight_kg: Some(Decimal::from(70)),
        systolic_mmhg: Some(125),
        diastolic_mmhg: Some(80),
        ..Default::default()
    };
    assert_eq!(m.bmi(), Some("22.9".parse().unwrap()));
    assert!(m.warnings().is_empty());
    let typo = Measurements {
        height_cm: Some(17),
        systolic_mmhg: Some(80),
        diastolic_mmhg: Some(120),
        ..Default::default()
    };
    let fields: Vec<&str> = typo.warnings().iter().map(|w| w.field).collect();
    assert_eq!(fields, ["Taille", "Tension diastolique"]);
}

#[test]
fn a_file_is_kept_forty_years_after_the_last_visit() {
    let facts = RetentionFacts {
        birth_date: Some(day(1960, 5, 4)),
        last_visit_on: Some(day(2020, 3, 1)),
        ..Default::default()
    };
    assert_eq!(retention_end(&facts), Some(day(2060, 3, 1)));
    assert_eq!(retention_end(&RetentionFacts::default()), None);
    // Ten years after death at most.
    let dead = RetentionFacts {
        died_on: Some(day(2030, 1, 15)),
        ..facts.clone()
    };
    assert_eq!(retention_end(&dead), Some(day(2040, 1, 15)));
    // Ionising radiation: 75 years old and 50 years after the exposure, the longer.
    let exposed = RetentionFacts {
        ionising_exposure_ended_on: Some(day(2022, 6, 30)),
        ..dead
    };
    assert_eq!(retention_end(&exposed), Some(day(2072, 6, 30)));
}

#[test]
fn an_opinion_with_adjustments_carries_its_recommendations() {
    let mut adjusted = record("EMA_PERIODIC", "fit_with_adjustments");
    assert_eq!(
        check_visit("doctor", &adjusted).unwrap_err().field,
        "Recommandations"
    );
    adjusted.recommendations = "Pas de port de charges de plus de 10 kg".into();
    assert_eq!(check_visit("doctor", &adjusted), Ok(()));
    assert_eq!(document_title(&record("PRE_RETURN", "none")), None);
    assert_eq!(
        document_title(&record("EMA_HIRE", "unfit")),
        Some("Avis d'inaptitude")
    );
}

#[test]
fn attachments_are_pdf_or_images_under_the_limit() {
    assert_eq!(
        attachment_media_type(b"%PDF-1.7 ..."),
        Ok("application/pdf")
    );
    assert_eq!(
        attachment_media_type(b"\x89PNG\r\n\x1a\n...."),
        Ok("image/png")
    );
    assert_eq!(
        attachment_media_type(&[0xFF, 0xD8, 0xFF, 0xE0]),
        Ok("image/jpeg")
    );
    let exe = attachment_media_type(b"MZ\x90\x00").unwrap_err();
    assert_eq!(exe.field, "Fichier");
    assert!(exe.message.contains("PDF"));
    assert!(attachment_media_type(b"").is_err());
    let mut big = b"%PDF-".to_vec();
    big.resize(ATTACHMENT_MAX_BYTES + 1, b' ');
    assert!(
        attachment_media_type(&big)
            .unwrap_err()
            .message
            .contains("limite")
    );
}

#[test]
fn a_doctor_proposes_adjustments_at_a_visit_without_opinion() {
    let mut proposal = record("PRE_RETURN", "none");
    proposal.propose_adjustments = true;
    assert_eq!(
        check_visit("doctor", &proposal).unwrap_err().field,
        "Recommandations"
    );
    proposal.recommendations = "Reprise à mi-temps thérapeutique, poste assis".into();
    assert_eq!(check_visit("doctor", &proposal), Ok(()));
    assert!(
        document_title(&proposal)
            .unwrap()
            .starts_with("Proposition de mesures")
    );
    assert_eq!(
        check_visit("nurse", &proposal).unwrap_err().field,
        "Proposition d'aménagement"
    );
    let mut with_opinion = record("EMA_PERIODIC", "fit");
    with_opinion.propose_adjustments = true;
    with_opinion.recommendations = "x".into();
    assert!(check_visit("doctor", &with_opinion).is_err());
}
