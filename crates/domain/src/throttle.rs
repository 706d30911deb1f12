//! Login throttling: after a few failures an account is locked for a delay that doubles with
//! each further failure; an address that fails too often is slowed down the same way.

/// Failures tolerated before the first lock.
pub const FREE_FAILURES: u32 = 5;
/// Failures from one address within the window before it is slowed down.
pub const FREE_FAILURES_PER_ADDRESS: u32 = 20;
/// Longest lock, in seconds (one hour).
pub const MAX_LOCK_SECONDS: i64 = 3600;

/// How long an account (or address) stays locked after `failures` consecutive failures,
/// given `free` failures tolerated: 0 below the threshold, then 30 s doubling each time.
pub fn lock_seconds(failures: u32, free: u32) -> i64 {
    if failures < free {
        return 0;
    }
    let excess = (failures - free).min(16);
    (30i64 << excess).min(MAX_LOCK_SECONDS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delay_grows_then_caps() {
        assert_eq!(lock_seconds(4, FREE_FAILURES), 0);
        assert_eq!(lock_seconds(5, FREE_FAILURES), 30);
        assert_eq!(lock_seconds(6, FREE_FAILURES), 60);
        assert_eq!(lock_seconds(7, FREE_FAILURES), 120);
        assert_eq!(lock_seconds(40, FREE_FAILURES), MAX_LOCK_SECONDS);
    }
}
