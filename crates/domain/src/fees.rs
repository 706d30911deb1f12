//! Yearly fees (cotisations): the board's schedule for a year and the invoice lines it gives
//! for a member's declared workforce. Amounts are `Decimal` in code, integer cents in the
//! database.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::followup::FollowUp;

/// The fee schedule of one year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeSchedule {
    pub year: i32,
    /// Fee per declared worker.
    pub per_worker: Decimal,
    /// Fees per category (SIS, SIA, SIR) when the board differentiates them.
    pub per_category: Option<[Decimal; 3]>,
    /// Least yearly fee of a member.
    pub minimum: Decimal,
    /// Fee for a no-show (0 by default).
    pub no_show: Decimal,
    /// Yearly fee of a self-employed member (specific offer).
    pub self_employed: Decimal,
}

/// Declared workforce by category.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workforce {
    pub sis: u32,
    pub sia: u32,
    pub sir: u32,
}

impl Workforce {
    pub fn total(&self) -> u32 {
        self.sis + self.sia + self.sir
    }
    pub fn of(&self, category: FollowUp) -> u32 {
        match category {
            FollowUp::Simple => self.sis,
            FollowUp::Adapted => self.sia,
            FollowUp::Reinforced => self.sir,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceLine {
    pub label: String,
    pub quantity: u32,
    pub unit_price: Decimal,
    pub amount: Decimal,
}

impl InvoiceLine {
    fn new(label: String, quantity: u32, unit_price: Decimal) -> InvoiceLine {
        InvoiceLine {
            label,
            quantity,
            unit_price,
            amount: unit_price * Decimal::from(quantity),
        }
    }
}

/// The lines of a member's yearly invoice.
pub fn yearly_fee_lines(
    schedule: &FeeSchedule,
    workforce: Workforce,
    self_employed: bool,
) -> Vec<InvoiceLine> {
    if self_employed {
        return vec![InvoiceLine::new(
            format!("Offre spécifique travailleur indépendant {}", schedule.year),
            1,
            schedule.self_employed,
        )];
    }
    let mut lines = match schedule.per_category {
        Some(prices) => FollowUp::ALL
            .iter()
            .zip(prices)
            .filter(|(category, _)| workforce.of(**category) > 0)
            .map(|(category, price)| {
                InvoiceLine::new(
                    format!(
                        "Cotisation {} — salariés en {}",
                        schedule.year,
                        category.code()
                    ),
                    workforce.of(*category),
                    price,
                )
            })
            .collect(),
        None if workforce.total() > 0 => vec![InvoiceLine::new(
            format!("Cotisation {} — salariés déclarés", schedule.year),
            workforce.total(),
            schedule.per_worker,
        )],
        None => Vec::new(),
    };
    let total: Decimal = lines.iter().map(|l| l.amount).sum();
    if total < schedule.minimum {
        lines.push(InvoiceLine::new(
            "Complément à la cotisation minimale".into(),
            1,
            schedule.minimum - total,
        ));
    }
    lines
}

pub fn total(lines: &[InvoiceLine]) -> Decimal {
    lines.iter().map(|l| l.amount).sum()
}

/// Cents (database) to a decimal amount.
pub fn from_cents(cents: i64) -> Decimal {
    Decimal::new(cents, 2)
}

/// A decimal amount to cents, rounded half away from zero to the cent.
pub fn to_cents(amount: Decimal) -> i64 {
    let rounded =
        amount.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    (rounded * Decimal::from(100))
        .trunc()
        .try_into()
        .unwrap_or(i64::MAX)
}

/// French display: `1 234,50 €`.
pub fn format_euros(amount: Decimal) -> String {
    let cents = to_cents(amount);
    let sign = if cents < 0 { "-" } else { "" };
    let units = (cents.abs() / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in units.chars().enumerate() {
        if i > 0 && (units.len() - i).is_multiple_of(3) {
            grouped.push('\u{202f}');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped},{:02} €", cents.abs() % 100)
}

/// Parses an amount typed in French or English style (`1234,5`, `1 234.50`).
pub fn parse_euros(text: &str) -> Option<Decimal> {
    let cleaned: String = text
        .trim()
        .trim_end_matches('€')
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{202f}')
        .map(|c| if c == ',' { '.' } else { c })
        .collect();
    let value: Decimal = cleaned.parse().ok()?;
    (value.scale() <= 2).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn euros(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn schedule(per_category: Option<[Decimal; 3]>) -> FeeSchedule {
        FeeSchedule {
            year: 2026,
            per_worker: euros("98.50"),
            per_category,
            minimum: euros("150"),
            no_show: euros("0"),
            self_employed: euros("120"),
        }
    }

    #[test]
    fn flat_fee_per_worker() {
        let lines = yearly_fee_lines(
            &schedule(None),
            Workforce {
                sis: 3,
                sia: 1,
                sir: 1,
            },
            false,
        );
        assert_eq!(lines.len(), 1);
        assert_eq!(total(&lines), euros("492.50"));
    }

    #[test]
    fn fee_per_category_and_minimum() {
        let prices = Some([euros("90"), euros("100"), euros("130")]);
        let lines = yearly_fee_lines(
            &schedule(prices),
            Workforce {
                sis: 10,
                sia: 0,
                sir: 2,
            },
            false,
        );
        assert_eq!(lines.len(), 2);
        assert_eq!(total(&lines), euros("1160"));
        let small = yearly_fee_lines(
            &schedule(prices),
            Workforce {
                sis: 1,
                sia: 0,
                sir: 0,
            },
            false,
        );
        assert_eq!(total(&small), euros("150"));
        assert_eq!(small[1].label, "Complément à la cotisation minimale");
        // No declared worker: the minimum.
        assert_eq!(
            total(&yearly_fee_lines(
                &schedule(None),
                Workforce::default(),
                false
            )),
            euros("150")
        );
    }

    #[test]
    fn self_employed_pay_the_specific_offer() {
        let lines = yearly_fee_lines(
            &schedule(None),
            Workforce {
                sis: 1,
                sia: 0,
                sir: 0,
            },
            true,
        );
        assert_eq!(total(&lines), euros("120"));
    }

    #[test]
    fn cents_and_french_display() {
        assert_eq!(to_cents(euros("98.505")), 9851);
        assert_eq!(from_cents(123456), euros("1234.56"));
        assert_eq!(format_euros(euros("1234.5")), "1\u{202f}234,50 €");
        assert_eq!(format_euros(euros("0.07")), "0,07 €");
        assert_eq!(parse_euros("1 234,5 €"), Some(euros("1234.5")));
        assert_eq!(parse_euros("12.345"), None);
        assert_eq!(parse_euros("abc"), None);
    }
}
