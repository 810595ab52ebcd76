//! What store implementations share, and applications never need: id and handle validation,
//! the stored form of a session, time as stores keep it, and the time limit of an operation.
//!
//! A backend crate (ours or a third party's) builds on these so that every store validates,
//! encodes and compares exactly alike; the conformance suite (`testing`) checks the result.
//!
//! # Examples
//!
//! ```
//! use authly_session::store_kit::{SavePlan, is_valid_session_id};
//! use authly_session::{Identity, Session};
//!
//! let session = Session::new(Identity::new("github", "1"), chrono::Duration::hours(1));
//! assert!(is_valid_session_id(&session.id));
//! match SavePlan::new(&session, chrono::Utc::now())? {
//!     SavePlan::Upsert(row) => assert_eq!(row.handle.len(), 64),
//!     SavePlan::Remove { .. } => unreachable!("the session is live"),
//! }
//! # Ok::<(), authly_session::SessionError>(())
//! ```

pub use crate::clock::Clock;
pub use crate::handle::{is_valid_handle, sha256_hex, stored_handle};
pub use crate::listing::{session_from, skip_corrupt};
pub use crate::record::{MAX_PAYLOAD_BYTES, Payload, decode_payload, encode_payload, identity_key};
pub use crate::save_plan::{SavePlan, SessionRow};
pub use crate::session_id::{MAX_SESSION_ID_LEN, is_valid_session_id, validate_session_id};
pub use crate::time::{
    MAX_EXPIRY_MICROS, check_expiry, from_unix_micros, is_stored_range, max_expiry, to_unix_micros,
    truncate_to_micros,
};
pub use crate::timeout::OperationTimeout;
