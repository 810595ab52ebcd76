//! Time as stores keep it: whole microseconds since the Unix epoch, in UTC.

use chrono::{DateTime, Utc};

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
