//! The keyspace's schema version: what `migrate()` records, and the time of the upgrade that a
//! session written by version 1 (no `created_at`, no `last_seen_at`) reads as both.

use std::sync::{Arc, OnceLock};

use authly_session::SessionError;
use authly_session::store_kit::to_unix_micros;
use chrono::{DateTime, Utc};

use crate::RedisStore;
use crate::error::During;
use crate::scripts;
use crate::stored::decode_time;

/// The schema version this release writes.
pub(crate) const SCHEMA_VERSION: i64 = 3;

/// The time of the first upgrade from version 1, once read: shared by a store's clones.
pub(crate) type UpgradeTime = Arc<OnceLock<DateTime<Utc>>>;

impl RedisStore {
    /// Records schema version 3 for this prefix (once, with the time of the upgrade) and returns
    /// that time. A keyspace with no record was written by version 1 or is new.
    ///
    /// # Errors
    ///
    /// [`SessionError::InvalidConfiguration`] when the keyspace records a newer version;
    /// [`SessionError::Backend`] when Redis fails.
    pub(crate) async fn upgrade(&self) -> Result<DateTime<Utc>, SessionError> {
        const OPERATION: &str = "migrate";
        let (found, since): (i64, Option<Vec<u8>>) = scripts::SCHEMA
            .key(self.keys.schema())
            .arg(SCHEMA_VERSION)
            .arg(to_unix_micros(Utc::now()))
            .invoke_async(&mut self.connection.clone())
            .await
            .during(OPERATION)?;
        if found > SCHEMA_VERSION {
            return Err(SessionError::configuration(format!(
                "{} are at schema version {found}, newer than version {SCHEMA_VERSION}, the \
                 newest this release of authly-session-redis knows: upgrade the library",
                self.keys.context()
            )));
        }
        let since = since.ok_or_else(|| {
            SessionError::corrupt(self.keys.context(), "the schema record has no upgrade time")
        })?;
        let since = decode_time(self.keys.context(), &since, "the upgrade time")?;
        Ok(*self.upgraded_at.get_or_init(|| since))
    }

    /// [`RedisStore::version_one_time`] as the scripts take it: unix microseconds.
    pub(crate) async fn fallback_time(&self) -> Result<String, SessionError> {
        Ok(to_unix_micros(self.version_one_time().await?).to_string())
    }

    /// The `created_at` and `last_seen_at` of a session written by version 1: the time of the
    /// upgrade, recorded by the first `migrate()` (or by the first read that needs it).
    pub(crate) async fn version_one_time(&self) -> Result<DateTime<Utc>, SessionError> {
        match self.upgraded_at.get() {
            Some(since) => Ok(*since),
            None => self.upgrade().await,
        }
    }
}
