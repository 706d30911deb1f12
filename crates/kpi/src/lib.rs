//! Indicators of the multi-year plan (KPI.md): the facts of a year loaded into polars frames
//! (lazy API), every table computed from them, and the exact arithmetic they share (rates
//! rounded half up on the exact fraction, nearest-rank percentiles).

mod compliance;
pub mod export;
mod frames;
mod members;
mod prevention;
pub mod report;
mod table;
mod visits;
pub mod xlsx;

pub use table::{Cell, Table};

use domain::indicators::IndicatorFacts;

/// Restricts the tables to one team or one sector (a sector's teams).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    pub team: Option<String>,
    pub sector: Option<String>,
}

/// Why the tables cannot be computed.
#[derive(Debug, thiserror::Error)]
pub enum KpiError {
    #[error("{0}")]
    Invalid(String),
    #[error("calcul des indicateurs : {0}")]
    Frames(#[from] polars::error::PolarsError),
}

/// Every table of KPI.md for `year`, in the order of KPI.md.
pub fn compute_tables(
    facts: &IndicatorFacts,
    year: i32,
    scope: &Scope,
) -> Result<Vec<Table>, KpiError> {
    let facts = frames::restrict(facts, scope)?;
    // K11 runs the regulation engine worker by worker: beside the frames, not after them.
    std::thread::scope(|threads| {
        let k11 = threads.spawn(|| compliance::k11(&facts, year));
        let frames = frames::Frames::load(&facts, year)?;
        let mut tables = Vec::new();
        tables.extend(members::k1_k2(&frames)?);
        tables.extend(visits::k3_k4_k5(&frames)?);
        tables.extend(prevention::k6(&frames, &facts.sectors, &facts.teams)?);
        tables.push(prevention::k7(&frames)?);
        tables.push(prevention::k8(&frames)?);
        tables.push(members::k9(&frames)?);
        tables.push(members::k10(&frames)?);
        tables.push(k11.join().expect("K11 thread"));
        Ok(tables)
    })
}

/// `n` copies of the facts, every id offset per copy (members, workers, employments): the
/// facts of a service `n` times larger, for the benchmark at scale.
pub fn replicate(facts: &IndicatorFacts, n: usize) -> IndicatorFacts {
    if n <= 1 {
        return facts.clone();
    }
    let mut out = IndicatorFacts {
        sectors: facts.sectors.clone(),
        teams: facts.teams.clone(),
        ..IndicatorFacts::default()
    };
    const OFFSET: i64 = 1 << 40;
    for copy in 0..n as i64 {
        let shift = copy * OFFSET;
        out.members
            .extend(facts.members.iter().cloned().map(|mut m| {
                m.establishment_id += shift;
                m
            }));
        out.declared
            .extend(facts.declared.iter().cloned().map(|mut l| {
                l.establishment_id += shift;
                l.employment_id += shift;
                l.worker_id += shift;
                l
            }));
        out.employments
            .extend(facts.employments.iter().cloned().map(|mut e| {
                e.employment_id += shift;
                e.worker_id += shift;
                e.establishment_id += shift;
                e
            }));
        out.appointments
            .extend(facts.appointments.iter().cloned().map(|mut a| {
                a.worker_id += shift;
                a.establishment_id = a.establishment_id.map(|e| e + shift);
                a
            }));
        out.slots.extend(facts.slots.iter().cloned());
        out.sheets.extend(facts.sheets.iter().cloned().map(|mut s| {
            s.establishment_id += shift;
            s
        }));
        out.actions
            .extend(facts.actions.iter().cloned().map(|mut a| {
                a.establishment_id += shift;
                a.worker_id = a.worker_id.map(|w| w + shift);
                a
            }));
        out.retention
            .extend(facts.retention.iter().cloned().map(|mut r| {
                r.worker_id += shift;
                r
            }));
    }
    out
}

/// The tables as the JSON contract of KPI.md: one object keyed by table id.
pub fn tables_json(tables: &[Table]) -> serde_json::Value {
    serde_json::Value::Object(
        tables
            .iter()
            .map(|t| (t.id.to_string(), t.records_json()))
            .collect(),
    )
}

/// `100·part/whole` rounded half up to one decimal on the exact fraction (6.25 → 6.3);
/// `None` when `whole` is 0.
pub fn rate(part: u64, whole: u64) -> Option<f64> {
    if whole == 0 {
        return None;
    }
    // Tenths of a percent, rounded half up, in integers: no binary rounding on the way.
    let tenths = (2 * 1000 * u128::from(part) + u128::from(whole)) / (2 * u128::from(whole));
    Some(tenths as f64 / 10.0)
}

/// Nearest-rank percentile: the ⌈p·n⌉-th smallest value (p in 0..=1); `None` when empty.
pub fn percentile_nearest_rank(values: &[i64], p: f64) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let rank = (p * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted.get(rank.min(sorted.len()) - 1).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_round_half_up_on_the_exact_fraction() {
        assert_eq!(rate(1, 16), Some(6.3)); // 6.25
        assert_eq!(rate(1, 3), Some(33.3));
        assert_eq!(rate(2, 3), Some(66.7));
        assert_eq!(rate(72, 1000), Some(7.2));
        assert_eq!(rate(0, 5), Some(0.0));
        assert_eq!(rate(5, 5), Some(100.0));
        assert_eq!(rate(1, 0), None);
        // 1/8000 = 0.0125 % → 0.0; 1/2000 = 0.05 % → 0.1 (half up).
        assert_eq!(rate(1, 8000), Some(0.0));
        assert_eq!(rate(1, 2000), Some(0.1));
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let days = [30, 10, 20, 50, 40];
        assert_eq!(percentile_nearest_rank(&days, 0.5), Some(30));
        assert_eq!(percentile_nearest_rank(&days, 0.9), Some(50));
        assert_eq!(percentile_nearest_rank(&[7], 0.9), Some(7));
        assert_eq!(percentile_nearest_rank(&[1, 2, 3, 4], 0.5), Some(2));
        assert_eq!(percentile_nearest_rank(&[], 0.5), None);
    }
}
