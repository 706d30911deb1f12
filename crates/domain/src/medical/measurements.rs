//! Measurements taken at a visit, the BMI computed from them, and the values outside a
//! plausible range (a typing error more often than a finding): the form warns and asks the
//! professional to confirm before saving.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Measurements {
    pub height_cm: Option<u32>,
    pub weight_kg: Option<Decimal>,
    pub systolic_mmhg: Option<u32>,
    pub diastolic_mmhg: Option<u32>,
    /// Visual acuity of each eye in tenths (10/10 = 10).
    pub vision_left: Option<u32>,
    pub vision_right: Option<u32>,
    /// Hearing loss at 4 kHz, in dB, each ear.
    pub hearing_left_db: Option<u32>,
    pub hearing_right_db: Option<u32>,
    /// Urine dipstick result as written (e.g. "glucose -, protéines -").
    pub urine: Option<String>,
}

/// A value outside the plausible range, named in French.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeasurementWarning {
    pub field: &'static str,
    pub message: String,
}

/// Body-mass index (kg/m²), one decimal.
pub fn bmi(height_cm: u32, weight_kg: Decimal) -> Option<Decimal> {
    if height_cm == 0 {
        return None;
    }
    let metres = Decimal::from(height_cm) / Decimal::from(100);
    Some((weight_kg / (metres * metres)).round_dp(1))
}

impl Measurements {
    pub fn bmi(&self) -> Option<Decimal> {
        bmi(self.height_cm?, self.weight_kg?)
    }

    /// Values outside a plausible range.
    pub fn warnings(&self) -> Vec<MeasurementWarning> {
        let mut warnings = Vec::new();
        let mut check = |field: &'static str,
                         value: Option<f64>,
                         low: f64,
                         high: f64,
                         unit: &str| {
            if let Some(v) = value
                && !(low..=high).contains(&v)
            {
                warnings.push(MeasurementWarning {
                    field,
                    message: format!("{v} {unit} est hors de l'intervalle habituel ({low}–{high} {unit}) : vérifiez la saisie"),
                });
            }
        };
        check("Taille", self.height_cm.map(f64::from), 120.0, 220.0, "cm");
        check(
            "Poids",
            self.weight_kg.and_then(|w| w.to_f64()),
            30.0,
            250.0,
            "kg",
        );
        check(
            "Tension systolique",
            self.systolic_mmhg.map(f64::from),
            80.0,
            220.0,
            "mmHg",
        );
        check(
            "Tension diastolique",
            self.diastolic_mmhg.map(f64::from),
            40.0,
            130.0,
            "mmHg",
        );
        check(
            "Vision œil gauche",
            self.vision_left.map(f64::from),
            0.0,
            12.0,
            "/10",
        );
        check(
            "Vision œil droit",
            self.vision_right.map(f64::from),
            0.0,
            12.0,
            "/10",
        );
        check(
            "Audition gauche",
            self.hearing_left_db.map(f64::from),
            0.0,
            120.0,
            "dB",
        );
        check(
            "Audition droite",
            self.hearing_right_db.map(f64::from),
            0.0,
            120.0,
            "dB",
        );
        if let (Some(s), Some(d)) = (self.systolic_mmhg, self.diastolic_mmhg)
            && d >= s
        {
            warnings.push(MeasurementWarning {
                field: "Tension diastolique",
                message: "supérieure ou égale à la systolique : vérifiez la saisie".into(),
            });
        }
        warnings
    }
}
