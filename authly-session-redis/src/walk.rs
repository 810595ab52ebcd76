//! Listing and "sign out everywhere": walks over an identity's index a page (about 1,000 entries)
//! per command, so no command's work grows with the identity's session count.
//!
//! On a single node a script reads (or deletes) a page of sessions and drops the index entries
//! that no longer lead to one of the identity's sessions: every write there is atomic, so a
//! missing session is gone for good. On a cluster the sessions live in other slots; each is read
//! (or deleted) on its own, all of a page in flight at once, and index entries go only once their
//! score is 5 minutes past by the server's clock.

use std::collections::HashSet;

use authly_session::SessionError;
use futures_util::future::try_join_all;

use crate::RedisStore;
use crate::connection::Connection;
use crate::error::{During, is_wrong_type};
use crate::scripts::{self, PAGE, PRUNE_GRACE_MICROS};
use crate::stored;

/// One page of an index walk: `(next cursor, handles)`; cursor 0 ends the walk.
type Page = (u64, Vec<String>);

impl RedisStore {
    /// The next `ZSCAN` page of `index` after `cursor`, without handles already `seen` (a scan
    /// may repeat some). Every handle indexed for the whole walk comes once, however its score
    /// moves meanwhile.
    async fn scan(
        &self,
        operation: &'static str,
        index: &str,
        cursor: u64,
        seen: &mut HashSet<String>,
    ) -> Result<Page, SessionError> {
        let (next, entries): (u64, Vec<(String, f64)>) = redis::cmd("ZSCAN")
            .arg(index)
            .arg(cursor)
            .arg("COUNT")
            .arg(PAGE)
            .query_async(&mut self.connection.clone())
            .await
            .during(operation)?;
        let handles = entries
            .into_iter()
            .map(|(handle, _score)| handle)
            .filter(|handle| seen.insert(handle.clone()))
            .collect();
        Ok((next, handles))
    }

    /// Every session still stored for `identity_key`, as `(handle, stored value)`, live or not.
    pub(crate) async fn walk_list(
        &self,
        identity_key: &str,
    ) -> Result<Vec<(String, Vec<u8>)>, SessionError> {
        const OPERATION: &str = "list_identity_sessions";
        let index = self.keys.index(identity_key);
        let fallback = self.fallback_time().await?;
        let mut found = Vec::new();
        let (mut cursor, mut seen) = (0, HashSet::new());
        loop {
            let (next, handles) = self.scan(OPERATION, &index, cursor, &mut seen).await?;
            let page = match self.connection {
                Connection::Single(_) => {
                    self.list_page(&index, identity_key, &fallback, handles)
                        .await?
                }
                Connection::Cluster(_) => {
                    try_join_all(handles.into_iter().map(|handle| self.read(handle)))
                        .await?
                        .into_iter()
                        .flatten()
                        .collect()
                }
            };
            for (handle, value) in page {
                if stored::owner(self.keys.context(), &value).ok() == Some(identity_key.as_bytes())
                {
                    found.push((handle, value));
                }
            }
            if next == 0 {
                break;
            }
            cursor = next;
        }
        if let Connection::Cluster(_) = self.connection {
            scripts::PRUNE
                .key(&index)
                .arg(PRUNE_GRACE_MICROS)
                .arg(PAGE)
                .invoke_async::<()>(&mut self.connection.clone())
                .await
                .during(OPERATION)?;
        }
        Ok(found)
    }

    /// Single node: the stored sessions of `handles` that belong to `identity_key`; the others'
    /// index entries are dropped.
    async fn list_page(
        &self,
        index: &str,
        identity_key: &str,
        fallback: &str,
        handles: Vec<String>,
    ) -> Result<Vec<(String, Vec<u8>)>, SessionError> {
        if handles.is_empty() {
            return Ok(Vec::new());
        }
        let mut page = scripts::LIST_PAGE.key(index);
        for handle in &handles {
            page.key(self.keys.session(handle));
        }
        page.arg(identity_key).arg(fallback).arg(&handles);
        let flat: Vec<Vec<u8>> = page
            .invoke_async(&mut self.connection.clone())
            .await
            .during("list_identity_sessions")?;
        let mut pairs = Vec::with_capacity(flat.len() / 2);
        let mut flat = flat.into_iter();
        while let (Some(handle), Some(value)) = (flat.next(), flat.next()) {
            let handle = String::from_utf8(handle).map_err(|_| {
                SessionError::corrupt(self.keys.context(), "an index entry is not UTF-8")
            })?;
            pairs.push((handle, value));
        }
        Ok(pairs)
    }

    /// The session stored under `handle`, if any: a `GET`, or for a hash of schema version 1
    /// or 2, the script that reads it as a string.
    pub(crate) async fn read(
        &self,
        handle: String,
    ) -> Result<Option<(String, Vec<u8>)>, SessionError> {
        const OPERATION: &str = "load_session";
        let session = self.keys.session(&handle);
        let mut connection = self.connection.clone();
        let value: redis::RedisResult<Option<Vec<u8>>> = redis::cmd("GET")
            .arg(&session)
            .query_async(&mut connection)
            .await;
        let value = match value {
            Ok(value) => value,
            Err(error) if is_wrong_type(&error) => scripts::READ
                .key(&session)
                .arg(self.fallback_time().await?)
                .invoke_async::<Option<Vec<u8>>>(&mut connection)
                .await
                .during(OPERATION)?,
            Err(error) => return Err(SessionError::backend(OPERATION, error)),
        };
        Ok(value.map(|value| (handle, value)))
    }

    /// Deletes every session of `identity_key`; how many.
    pub(crate) async fn walk_sign_out(&self, identity_key: &str) -> Result<u64, SessionError> {
        const OPERATION: &str = "delete_identity_sessions";
        let index = self.keys.index(identity_key);
        let fallback = self.fallback_time().await?;
        let mut deleted = 0;
        match self.connection {
            // Each page's entries go with their sessions: take the first page until none is left.
            Connection::Single(_) => loop {
                let handles: Vec<String> = redis::cmd("ZRANGE")
                    .arg(&index)
                    .arg(0)
                    .arg(PAGE - 1)
                    .query_async(&mut self.connection.clone())
                    .await
                    .during(OPERATION)?;
                if handles.is_empty() {
                    return Ok(deleted);
                }
                let mut sign_out = scripts::SIGN_OUT.key(&index);
                for handle in &handles {
                    sign_out.key(self.keys.session(handle));
                }
                sign_out
                    .arg(identity_key)
                    .arg(&fallback)
                    .arg("index")
                    .arg(&handles);
                deleted += sign_out
                    .invoke_async::<u64>(&mut self.connection.clone())
                    .await
                    .during(OPERATION)?;
            },
            Connection::Cluster(_) => {
                let (mut cursor, mut seen) = (0, HashSet::new());
                loop {
                    let (next, handles) = self.scan(OPERATION, &index, cursor, &mut seen).await?;
                    let counts = try_join_all(handles.iter().map(|handle| {
                        let mut connection = self.connection.clone();
                        let mut sign_out = scripts::SIGN_OUT.key(self.keys.session(handle));
                        sign_out
                            .arg(identity_key)
                            .arg(&fallback)
                            .arg("sessions")
                            .arg(handle);
                        async move {
                            sign_out
                                .invoke_async::<u64>(&mut connection)
                                .await
                                .during(OPERATION)
                        }
                    }))
                    .await?;
                    deleted += counts.into_iter().sum::<u64>();
                    if next == 0 {
                        return Ok(deleted);
                    }
                    cursor = next;
                }
            }
        }
    }
}
