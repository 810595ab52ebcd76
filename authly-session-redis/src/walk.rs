//! Listing and "sign out everywhere": walks over an identity's index a `ZSCAN` page (about
//! 1,000 entries) at a time, reading (or deleting) the page's sessions all in flight at once, so
//! no command's work grows with the identity's session count. Index entries are never removed
//! on the way: a save of the same session racing the walk could lose its entry. They go once
//! their score is 5 minutes past by the server's clock (`PRUNE`, run after each walk and by
//! `delete_expired`), when the index key expires, or never matter: every reader verifies them.

use std::collections::HashSet;

use authly_session::SessionError;
use futures_util::future::try_join_all;

use crate::RedisStore;
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
        let mut found = Vec::new();
        let (mut cursor, mut seen) = (0, HashSet::new());
        loop {
            let (next, handles) = self.scan(OPERATION, &index, cursor, &mut seen).await?;
            let page = try_join_all(handles.into_iter().map(|handle| self.read(handle))).await?;
            for (handle, value) in page.into_iter().flatten() {
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
        self.prune(OPERATION, &index).await?;
        Ok(found)
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
            Err(error) => return Err(error).during(OPERATION),
        };
        Ok(value.map(|value| (handle, value)))
    }

    /// Deletes every session of `identity_key`; how many.
    pub(crate) async fn walk_sign_out(&self, identity_key: &str) -> Result<u64, SessionError> {
        const OPERATION: &str = "delete_identity_sessions";
        let index = self.keys.index(identity_key);
        let fallback = self.fallback_time().await?;
        let mut deleted = 0;
        let (mut cursor, mut seen) = (0, HashSet::new());
        loop {
            let (next, handles) = self.scan(OPERATION, &index, cursor, &mut seen).await?;
            let counts = try_join_all(handles.iter().map(|handle| {
                let mut connection = self.connection.clone();
                let mut sign_out = scripts::SIGN_OUT.key(self.keys.session(handle));
                sign_out.arg(identity_key).arg(&fallback);
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
                self.prune(OPERATION, &index).await?;
                return Ok(deleted);
            }
            cursor = next;
        }
    }

    /// Removes at most a page of `index`'s entries whose score is more than the grace in the
    /// past by the server's clock; how many.
    pub(crate) async fn prune(
        &self,
        operation: &'static str,
        index: &str,
    ) -> Result<u64, SessionError> {
        scripts::PRUNE
            .key(index)
            .arg(PRUNE_GRACE_MICROS)
            .arg(PAGE)
            .invoke_async(&mut self.connection.clone())
            .await
            .during(operation)
    }
}
