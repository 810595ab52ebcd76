//! Redis and Redis Cluster session store for authly-session.
//!
//! [`RedisStore`] keeps each session in a hash under its handle (never its id) with a TTL, so
//! Redis itself drops expired sessions, and indexes sessions per identity in a sorted set for
//! "where am I signed in" and "sign out everywhere". On a single server every operation is one
//! round trip and atomic (one Lua script or command); on a Redis Cluster every command touches
//! one slot. The crate's README describes the key layout, memory use and cluster behaviour.
//!
//! # Examples
//!
//! ```no_run
//! use authly_session::{Identity, Session, SessionStore};
//! use authly_session_redis::RedisStore;
//!
//! # async fn demo() -> Result<(), authly_session::SessionError> {
//! let store = RedisStore::connect("redis://127.0.0.1:6379").await?;
//! let session = Session::new(Identity::new("github", "12345"), chrono::Duration::hours(8));
//! store.save_session(&session).await?;
//! let loaded = store.load_session(&session.id).await?.expect("just saved");
//! assert_eq!(loaded.identity, session.identity);
//! # Ok(()) }
//! ```

mod connection;
mod error;
mod keys;
mod schema;
mod scripts;
mod session_store;
mod store;
mod stored;
mod sweep;
mod touch;
mod walk;
mod write;

pub use authly_session;
pub use redis;
pub use store::{DEFAULT_PREFIX, RedisStore};

/// The README's examples, compiled as doctests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
