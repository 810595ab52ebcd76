//! `TIMESTAMPTZ` read as the raw microseconds PostgreSQL sends, so a value no store writes
//! (`'infinity'`, a year past 9999, a date BC) is corrupt data, never a panic in a conversion.

use authly_session::store_kit::{from_unix_micros, to_unix_micros};
use chrono::{DateTime, FixedOffset, Utc};
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgArgumentBuffer, PgTypeInfo, PgValueFormat, PgValueRef, Postgres};
use sqlx::{Decode, Encode, Type};

/// Microseconds from the Unix epoch to PostgreSQL's, 2000-01-01T00:00:00Z.
const PG_EPOCH_MICROS: i64 = 946_684_800_000_000;

/// A `TIMESTAMPTZ` as PostgreSQL keeps it: microseconds since 2000-01-01T00:00:00Z, with
/// `i64::MAX` and `i64::MIN` for `'infinity'` and `'-infinity'`. Decoding only copies the
/// number; [`PgTimestamp::to_utc`] says whether a time can have come from it.
///
/// # Examples
///
/// ```
/// use authly_session_postgres::PgTimestamp;
/// let now = authly_session::store_kit::truncate_to_micros(chrono::Utc::now());
/// assert_eq!(PgTimestamp::from_utc(now).to_utc(), Some(now));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct PgTimestamp(i64);

impl PgTimestamp {
    /// `time` as PostgreSQL stores it (saturating at the infinities, which no time reaches).
    pub fn from_utc(time: DateTime<Utc>) -> Self {
        PgTimestamp(to_unix_micros(time).saturating_sub(PG_EPOCH_MICROS))
    }

    /// The time this value holds; `None` for an infinity or a time `chrono` cannot represent.
    ///
    /// # Examples
    ///
    /// ```
    /// use authly_session_postgres::PgTimestamp;
    /// assert_eq!(PgTimestamp::INFINITY.to_utc(), None);
    /// assert_eq!(PgTimestamp::NEG_INFINITY.to_utc(), None);
    /// ```
    pub fn to_utc(self) -> Option<DateTime<Utc>> {
        if self == Self::INFINITY || self == Self::NEG_INFINITY {
            return None;
        }
        from_unix_micros(self.0.checked_add(PG_EPOCH_MICROS)?)
    }

    /// PostgreSQL's `'infinity'`.
    pub const INFINITY: PgTimestamp = PgTimestamp(i64::MAX);

    /// PostgreSQL's `'-infinity'`.
    pub const NEG_INFINITY: PgTimestamp = PgTimestamp(i64::MIN);
}

impl Type<Postgres> for PgTimestamp {
    fn type_info() -> PgTypeInfo {
        PgTypeInfo::with_name("timestamptz")
    }

    fn compatible(ty: &PgTypeInfo) -> bool {
        <DateTime<Utc> as Type<Postgres>>::compatible(ty)
    }
}

impl Encode<'_, Postgres> for PgTimestamp {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        buf.extend(&self.0.to_be_bytes());
        Ok(IsNull::No)
    }

    fn size_hint(&self) -> usize {
        size_of::<i64>()
    }
}

impl<'r> Decode<'r, Postgres> for PgTimestamp {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        match value.format() {
            PgValueFormat::Binary => <i64 as Decode<Postgres>>::decode(value).map(PgTimestamp),
            // Only plain-text queries (`raw_sql`) read this way; the store's own queries are
            // binary.
            PgValueFormat::Text => match value.as_str()? {
                "infinity" => Ok(Self::INFINITY),
                "-infinity" => Ok(Self::NEG_INFINITY),
                text => {
                    let time =
                        DateTime::<FixedOffset>::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f%#z")?;
                    Ok(Self::from_utc(time.to_utc()))
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use authly_session::store_kit::max_expiry;

    #[test]
    fn the_epochs_line_up() {
        let y2k = DateTime::parse_from_rfc3339("2000-01-01T00:00:00Z")
            .unwrap()
            .to_utc();
        assert_eq!(PgTimestamp::from_utc(y2k), PgTimestamp(0));
        assert_eq!(PgTimestamp(0).to_utc(), Some(y2k));
        assert_eq!(
            PgTimestamp::from_utc(max_expiry()).to_utc(),
            Some(max_expiry())
        );
    }

    #[test]
    fn values_no_time_has_are_none_not_a_panic() {
        for raw in [i64::MAX, i64::MIN, i64::MAX - 1, i64::MIN + 1] {
            assert_eq!(PgTimestamp(raw).to_utc(), None, "{raw}");
        }
    }
}
