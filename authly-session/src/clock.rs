//! The clock a store instance judges expiry by: the application's UTC clock, optionally shifted,
//! so tests can run one store instance as if its host's clock were wrong (semantic 25).

use chrono::{DateTime, Duration, Utc};

/// The application's UTC clock, as one store instance reads it.
///
/// [`Clock::system`] (the default) is `Utc::now()`. [`Clock::shifted`] reads the same clock
/// moved by a fixed offset: what an app instance on a host whose clock runs ahead or behind
/// sees. Stores take one through their `with_clock` method, so the conformance suite can check
/// that a skewed instance never makes revocation fail open on the others.
///
/// # Examples
///
/// ```
/// use authly_session::store_kit::Clock;
/// let ahead = Clock::shifted(chrono::Duration::hours(3));
/// assert!(ahead.now() > Clock::system().now() + chrono::Duration::minutes(179));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Clock {
    offset: Duration,
}

impl Clock {
    /// The application's clock as it is: `Utc::now()`.
    pub const fn system() -> Self {
        Clock {
            offset: Duration::zero(),
        }
    }

    /// The application's clock moved by `offset` (positive: ahead). An offset beyond ±100 years
    /// is clamped to it, so reading the clock never overflows.
    pub fn shifted(offset: Duration) -> Self {
        let limit = Duration::days(36_525);
        Clock {
            offset: offset.clamp(-limit, limit),
        }
    }

    /// How far this clock runs ahead of the system clock (negative: behind).
    pub fn offset(&self) -> Duration {
        self.offset
    }

    /// The current time by this clock.
    pub fn now(&self) -> DateTime<Utc> {
        let now = Utc::now();
        now.checked_add_signed(self.offset).unwrap_or(now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shifted_clock_reads_the_system_clock_plus_its_offset() {
        let behind = Clock::shifted(Duration::hours(-2));
        let read = behind.now();
        let gap = Utc::now() - read;
        assert!(gap >= Duration::hours(2) && gap < Duration::hours(2) + Duration::minutes(1));
        assert_eq!(Clock::default(), Clock::system());
    }

    #[test]
    fn a_huge_offset_is_clamped_instead_of_overflowing() {
        let far = Clock::shifted(Duration::MAX);
        assert_eq!(far.offset(), Duration::days(36_525));
        assert!(far.now() > Utc::now());
    }
}
