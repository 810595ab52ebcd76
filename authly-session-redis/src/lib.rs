//! Redis and Redis Cluster session store for authly-session.
//!
//! [`RedisStore`] keeps each session in one string under its handle (never its id) that expires
//! at the session's `expires_at`, so Redis itself drops expired sessions and a load is one
//! `GET`, and indexes sessions per identity in a sorted set for "where am I signed in" and "sign
//! out everywhere". Every command touches one key slot, on a single server and on a Redis
//! Cluster alike. The crate's README describes the key layout, what each operation costs, memory
//! use and cluster behaviour.
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

mod cluster;
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
pub use connection::cluster_builder;
pub use redis;
pub use store::{DEFAULT_PREFIX, RedisStore};

/// The README's examples, compiled as doctests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
