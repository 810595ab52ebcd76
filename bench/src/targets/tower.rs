//! A tower-sessions store measured through its own `SessionStore` trait (tower-sessions-core),
//! keeping the same identity, metadata and times in its session record as our stores keep.
//! The Redis and the SQL peers are both measured by it.

use std::collections::HashMap;

use authly_session::store_kit::{sha256_hex, to_unix_micros};
use authly_session::{Identity, Session};
use time::OffsetDateTime;
use tower_sessions_core::SessionStore;
use tower_sessions_core::session::{Id, Record};

use super::{BenchError, Target, corrupt};
use crate::workload::Workload;

/// A tower-sessions store, with the records of the pre-populated sessions as an application
/// holds them between requests.
pub struct Tower<S> {
    store: S,
    records: HashMap<String, Record>,
}

impl<S: SessionStore> Tower<S> {
    /// `store`, with the record of every session of `workload`.
    pub fn new(store: S, workload: &Workload) -> Result<Self, BenchError> {
        let records = workload
            .sessions()
            .map(|session| Ok((session.id.clone(), record(&session)?)))
            .collect::<Result<_, BenchError>>()?;
        Ok(Tower { store, records })
    }

    /// The ids the pre-populated records are stored under (tower-sessions keys by its id alone).
    pub fn keys(&self) -> Vec<String> {
        self.records.values().map(|r| r.id.to_string()).collect()
    }
}

/// tower-sessions' id for a session: 128 bits of the SHA-256 of our id.
fn tower_id(id: &str) -> Id {
    let hex = sha256_hex(id.as_bytes());
    Id(u128::from_str_radix(&hex[..32], 16).unwrap_or_default() as i128)
}

/// The record an application using tower-sessions keeps for `session`.
fn record(session: &Session) -> Result<Record, BenchError> {
    let data = HashMap::from([
        (
            "identity".to_owned(),
            serde_json::to_value(&session.identity)?,
        ),
        (
            "metadata".to_owned(),
            serde_json::to_value(&session.metadata)?,
        ),
        (
            "created_at".to_owned(),
            to_unix_micros(session.created_at).into(),
        ),
        (
            "last_seen_at".to_owned(),
            to_unix_micros(session.last_seen_at).into(),
        ),
    ]);
    Ok(Record {
        id: tower_id(&session.id),
        data,
        expiry_date: expiry(session)?,
    })
}

fn expiry(session: &Session) -> Result<OffsetDateTime, BenchError> {
    let nanos = session
        .expires_at
        .timestamp_nanos_opt()
        .ok_or("expiry out of range")?;
    Ok(OffsetDateTime::from_unix_timestamp_nanos(nanos.into())?)
}

impl<S: SessionStore> Target for Tower<S> {
    async fn load(&self, id: &str) -> Result<bool, BenchError> {
        let Some(mut record) = self.store.load(&tower_id(id)).await? else {
            return Ok(false);
        };
        let identity = record
            .data
            .remove("identity")
            .ok_or_else(|| corrupt("no identity"))?;
        let identity: Identity = serde_json::from_value(identity)?;
        std::hint::black_box((identity, record));
        Ok(true)
    }

    /// Saves the application's record of a pre-populated session with the new expiry (an
    /// existing record: `SET XX` on Redis, an upsert on SQL).
    async fn save(&self, session: &Session) -> Result<(), BenchError> {
        let mut record = self
            .records
            .get(&session.id)
            .cloned()
            .ok_or_else(|| corrupt("an unknown session"))?;
        record.expiry_date = expiry(session)?;
        Ok(self.store.save(&record).await?)
    }

    async fn insert(&self, session: &Session) -> Result<(), BenchError> {
        let mut record = record(session)?;
        Ok(self.store.create(&mut record).await?)
    }

    /// Signs in (`create`: the record built from the identity; `SET NX` on Redis, an existence
    /// check and an insert in one transaction on SQL), then deletes.
    async fn create_delete(&self, session: &Session) -> Result<(), BenchError> {
        let mut record = record(session)?;
        self.store.create(&mut record).await?;
        Ok(self.store.delete(&record.id).await?)
    }
}
