//! Session persistence for Rust authentication.
//!
//! An application signs a user in, creates a [`Session`] carrying the user's [`Identity`], hands
//! the session id to the browser in a cookie, and loads the session back by that id on every
//! request. This crate holds what every backend shares: the data types, the [`SessionStore`]
//! contract, the errors, background cleanup, and (feature `testing`) the conformance suite each
//! store must pass. Applications need only the items at the root; [`store_kit`] holds what
//! store implementations share. Pick a backend crate for storage: `authly-session-postgres`,
//! `authly-session-mysql`, `authly-session-sqlite` or `authly-session-redis`.
//!
//! # Examples
//!
//! ```
//! use authly_session::{Identity, Session, session_handle};
//!
//! let identity = Identity::new("github", "12345");
//! let session = Session::new(identity, chrono::Duration::hours(8));
//! assert_eq!(session.id.len(), 43);
//! assert!(!session.is_expired());
//! // The handle is what a store keeps and what a "where am I signed in" page may show.
//! assert_eq!(session_handle(&session.id).len(), 64);
//! ```

mod cleanup;
mod clock;
mod error;
mod handle;
mod identity;
mod listing;
mod record;
mod save_plan;
mod session;
mod session_id;
mod store;
mod time;
mod timeout;

pub mod store_kit;
#[cfg(feature = "testing")]
pub mod testing;

pub use cleanup::spawn_cleanup;
pub use error::SessionError;
pub use handle::{SessionInfo, session_handle};
pub use identity::Identity;
pub use session::Session;
pub use store::SessionStore;

/// The README's examples, compiled as doctests so they cannot rot (they use the suite).
#[cfg(all(doctest, feature = "testing"))]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
