//! Indicators of the multi-year plan (KPI.md). This module holds the exact arithmetic every
//! table shares: rates rounded half up on the exact fraction, nearest-rank percentiles.

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
