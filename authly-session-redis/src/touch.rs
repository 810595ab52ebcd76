//! Touch: moving a live session's expiry. The session's identity key comes first (its index is
//! another key); the script then moves the expiry only if the session still belongs to it, and
//! the whole thing starts over, at most three times, when it changed identity meanwhile.

use authly_session::SessionError;
use authly_session::store_kit::from_unix_micros;

use crate::RedisStore;
use crate::connection::Connection;
use crate::error::{Conflict, During, is_wrong_type};
use crate::scripts::{self, PRUNE_GRACE_MICROS};
use crate::stored::{expire_at_millis, header_time};
use crate::write::raise;

const OPERATION: &str = "touch_session";

/// How often touch starts over when the session changes identity under it.
const ATTEMPTS: usize = 3;

impl RedisStore {
    /// The identity key of the session stored under `session` (its key), if any.
    async fn owner(&self, session: &str) -> Result<Option<String>, SessionError> {
        let mut connection = self.connection.clone();
        let owner: redis::RedisResult<Vec<u8>> = redis::cmd("GETRANGE")
            .arg(session)
            .arg(57)
            .arg(120)
            .query_async(&mut connection)
            .await;
        let owner = match owner {
            Ok(owner) => owner,
            // A hash of schema version 1 or 2.
            Err(error) if is_wrong_type(&error) => redis::cmd("HGET")
                .arg(session)
                .arg("k")
                .query_async::<Option<Vec<u8>>>(&mut connection)
                .await
                .during(OPERATION)?
                .unwrap_or_default(),
            Err(error) => return Err(SessionError::backend(OPERATION, error)),
        };
        Ok(String::from_utf8(owner).ok().filter(|o| o.len() == 64))
    }

    /// Moves the expiry of the live session with this handle to `expires_at` (µs), ending it when
    /// that is `<= now`; whether it was live.
    pub(crate) async fn touch_handle(
        &self,
        handle: &str,
        expires_at: i64,
        now: i64,
    ) -> Result<bool, SessionError> {
        let (Some(new_expiry), Some(at)) = (from_unix_micros(expires_at), from_unix_micros(now))
        else {
            return Ok(false);
        };
        let session = self.keys.session(handle);
        let fallback = self.fallback_time().await?;
        let expire_ms = expire_at_millis(new_expiry);
        let index_until_ms = expire_ms.saturating_add(PRUNE_GRACE_MICROS / 1000);
        let mut connection = self.connection.clone();
        for _ in 0..ATTEMPTS {
            let Some(owner) = self.owner(&session).await? else {
                return Ok(false);
            };
            let index = self.keys.index(&owner);
            let mut touch = scripts::TOUCH.key(&session);
            match connection {
                Connection::Cluster(_) if expires_at > now => {
                    let mut pipe = redis::pipe();
                    raise(&mut pipe, &index, handle, expires_at, index_until_ms);
                    pipe.query_async::<()>(&mut connection)
                        .await
                        .during(OPERATION)?;
                }
                Connection::Cluster(_) => {}
                Connection::Single(_) => {
                    touch.key(&index);
                }
            }
            let moved: i64 = touch
                .arg(&owner)
                .arg(header_time(new_expiry))
                .arg(expire_ms)
                .arg(header_time(at))
                .arg(&fallback)
                .arg(handle)
                .arg(index_until_ms)
                .invoke_async(&mut connection)
                .await
                .during(OPERATION)?;
            match moved {
                1 => return Ok(true),
                0 => return Ok(false),
                _ => tracing::debug!(
                    "touch_session: the session changed identity meanwhile, retrying"
                ),
            }
        }
        Err(SessionError::backend(
            OPERATION,
            Conflict("the session kept changing identity during touch_session"),
        ))
    }
}
