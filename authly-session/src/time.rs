//! Time as stores keep it: whole microseconds since the Unix epoch, in UTC, up to the end of
//! year 9999 (the latest time every backend can store exactly).

use chrono::{DateTime, Utc};

use crate::SessionError;

/// 9999-12-31T23:59:59.999999Z in microseconds since the epoch: the latest supported expiry.
pub const MAX_EXPIRY_MICROS: i64 = 253_402_300_799_999_999;

/// The latest supported expiry, 9999-12-31T23:59:59.999999Z: every backend stores it exactly.
///
/// # Examples
///
/// ```
/// use authly_session::store_kit::max_expiry;
/// assert_eq!(max_expiry().to_rfc3339(), "9999-12-31T23:59:59.999999+00:00");
/// ```
pub fn max_expiry() -> DateTime<Utc> {
    DateTime::from_timestamp_micros(MAX_EXPIRY_MICROS).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// `Ok` unless `expires_at` is after [`max_expiry`]: then an [`SessionError::InvalidInput`]
/// (semantic 26). A time in the past is fine: it ends the session.
///
/// # Examples
///
/// ```
/// use authly_session::store_kit::{check_expiry, max_expiry};
/// assert!(check_expiry(max_expiry()).is_ok());
/// assert!(check_expiry(chrono::DateTime::UNIX_EPOCH).is_ok());
/// assert!(check_expiry(max_expiry() + chrono::Duration::microseconds(1)).is_err());
/// ```
pub fn check_expiry(expires_at: DateTime<Utc>) -> Result<(), SessionError> {
    if expires_at > max_expiry() {
        return Err(SessionError::invalid_input(
            "expires_at is after 9999-12-31T23:59:59.999999Z, the latest time a store keeps",
        ));
    }
    Ok(())
}

/// `Ok` when `time` (a `created_at` or `last_seen_at`, named `what`) lies between the Unix epoch
/// and [`max_expiry`], the range every backend stores exactly; else [`SessionError::InvalidInput`].
pub(crate) fn check_moment(time: DateTime<Utc>, what: &str) -> Result<(), SessionError> {
    if time < DateTime::UNIX_EPOCH || time > max_expiry() {
        return Err(SessionError::invalid_input(format!(
            "{what} is outside 1970-01-01 to 9999-12-31, the times a store keeps"
        )));
    }
    Ok(())
}

/// `now + ttl`, clamped to [`max_expiry`] (and to the epoch for a ttl far in the past) instead of
/// overflowing.
pub(crate) fn clamped_add(now: DateTime<Utc>, ttl: chrono::Duration) -> DateTime<Utc> {
    match now.checked_add_signed(ttl) {
        Some(time) => time.min(max_expiry()),
        None if ttl > chrono::Duration::zero() => max_expiry(),
        None => DateTime::UNIX_EPOCH,
    }
}

/// Whole microseconds since the Unix epoch: exact, time-zone free, and ordered like the time.
///
/// # Examples
///
/// ```
/// let t = chrono::DateTime::from_timestamp(1, 5_000).unwrap();
/// assert_eq!(authly_session::store_kit::to_unix_micros(t), 1_000_005);
/// ```
pub fn to_unix_micros(time: DateTime<Utc>) -> i64 {
    time.timestamp_micros()
}

/// The inverse of [`to_unix_micros`]; `None` outside the range `chrono` can represent.
///
/// # Examples
///
/// ```
/// use authly_session::store_kit::{from_unix_micros, to_unix_micros, truncate_to_micros};
/// let t = truncate_to_micros(chrono::Utc::now());
/// assert_eq!(from_unix_micros(to_unix_micros(t)), Some(t));
/// ```
pub fn from_unix_micros(micros: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_micros(micros)
}

/// Whether `time` lies between the Unix epoch and [`max_expiry`]: the times a store writes. A
/// stored time outside it came from elsewhere, and reading it is corrupt data (semantic 26).
///
/// # Examples
///
/// ```
/// use authly_session::store_kit::{is_stored_range, max_expiry};
/// assert!(is_stored_range(max_expiry()));
/// assert!(!is_stored_range(chrono::DateTime::UNIX_EPOCH - chrono::Duration::microseconds(1)));
/// ```
pub fn is_stored_range(time: DateTime<Utc>) -> bool {
    (DateTime::UNIX_EPOCH..=max_expiry()).contains(&time)
}

/// `time` without its sub-microsecond part: what every store is required to keep.
///
/// # Examples
///
/// ```
/// let t = chrono::DateTime::from_timestamp(1, 1_999).unwrap();
/// assert_eq!(authly_session::store_kit::truncate_to_micros(t), chrono::DateTime::from_timestamp(1, 1_000).unwrap());
/// ```
pub fn truncate_to_micros(time: DateTime<Utc>) -> DateTime<Utc> {
    from_unix_micros(to_unix_micros(time)).unwrap_or(time)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adding_a_huge_ttl_clamps_instead_of_panicking() {
        let now = Utc::now();
        assert_eq!(clamped_add(now, chrono::Duration::MAX), max_expiry());
        assert_eq!(
            clamped_add(now, chrono::Duration::MIN),
            DateTime::UNIX_EPOCH
        );
        assert_eq!(
            clamped_add(now, chrono::Duration::days(365 * 9000)),
            max_expiry()
        );
        let hour = clamped_add(now, chrono::Duration::hours(1));
        assert_eq!(hour - now, chrono::Duration::hours(1));
    }
}
