//! The conformance suite: the executable form of the [`SessionStore`] contract, one numbered
//! [`Semantic`] at a time.
//!
//! Every backend's tests call [`run_conformance`] (or [`Conformance`] for stores whose backend
//! expires keys by itself), plus the helpers for what only the backend can arrange:
//! [`check_table_names`], [`check_concurrent_migrate`], [`check_isolation`],
//! [`check_hashed_at_rest`], [`check_corrupted_payload`], [`check_foreign_values`],
//! [`check_fault_recovery`], [`check_bounded_work`], [`check_upgrade_in_place`],
//! [`check_refuses_newer_schema`] and [`check_bounded_time`] (with a [`FaultProxy`] between
//! store and server) and, for SQL stores,
//! [`check_expired_backlog`] and [`check_version_recorded`]. A third-party store passes the
//! same suite. A failed check panics with a message that names the semantic it broke, e.g.
//! `conformance: semantic 7 (ids are case-sensitive and byte-exact): ...`.
//!
//! Hand the suite a store that nobody else uses during the run (a fresh table or key prefix):
//! it counts what `delete_expired` removes.
//!
//! # Examples
//!
//! ```no_run
//! # async fn demo<S: authly_session::SessionStore + Clone>(store: S) {
//! authly_session::testing::run_conformance(store).await;
//! # }
//! ```

mod backend;
mod bounded;
mod bounded_time;
mod check;
mod checks;
mod context;
mod fault_proxy;
mod foreign;
mod logs;
mod memory_store;
mod operations;
mod semantic;
mod server_switch;
mod upgrade;

pub use backend::{
    INVALID_TABLE_NAMES, VALID_TABLE_NAMES, check_concurrent_migrate, check_corrupted_payload,
    check_expired_backlog, check_fault_recovery, check_hashed_at_rest, check_isolation,
    check_table_names, check_version_recorded, server_url, unique_name,
};
pub use bounded::{
    BOUNDED_WORK_SESSIONS, BoundedWork, PROBE_MAX_LIMIT, PROBE_P99_LIMIT, RACE_SESSIONS,
    check_batched_sign_out_races_writes, check_bounded_work, save_concurrently,
};
pub use bounded_time::{BoundedTime, RECOVERY_LIMIT, check_bounded_time, check_bounded_time_with};
pub use fault_proxy::{FaultMode, FaultProxy};
pub use foreign::{FOREIGN_PAYLOADS, ForeignValue, StoredField, check_foreign_values};
pub use memory_store::MemoryStore;
pub use semantic::Semantic;
pub use server_switch::ServerSwitch;
pub use upgrade::{VersionOneRow, check_refuses_newer_schema, check_upgrade_in_place};

use tracing::instrument::WithSubscriber;

use crate::SessionStore;
use crate::store_kit::Clock;
use context::Ctx;

/// Runs every semantic checkable through the trait against `store` (1 to 12, 17, 19, 20, 22, 23
/// and 26), for a store that removes expired sessions itself in `delete_expired` (the SQL
/// stores). Semantic 25 needs a second instance on a skewed clock: see
/// [`Conformance::clock_skew`].
///
/// # Panics
///
/// On the first check that fails, naming its semantic.
pub async fn run_conformance<S: SessionStore + Clone>(store: S) {
    Conformance::new(store).run().await;
}

/// The conformance suite with its options; [`run_conformance`] is the common case.
///
/// # Examples
///
/// ```no_run
/// # async fn demo<S: authly_session::SessionStore + Clone>(redis_store: S) {
/// use authly_session::testing::Conformance;
/// Conformance::new(redis_store).server_side_expiry().run().await;
/// # }
/// ```
pub struct Conformance<S> {
    store: S,
    server_side_expiry: bool,
    skewed: Option<context::Skewed<S>>,
}

impl<S: SessionStore + Clone> Conformance<S> {
    /// The suite for `store`, with default options.
    pub fn new(store: S) -> Self {
        Conformance {
            store,
            server_side_expiry: false,
            skewed: None,
        }
    }

    /// How to build another instance of the store, on the same data, reading a given clock
    /// (`with_clock` on every store of this workspace). With it the suite checks semantic 25:
    /// an instance hours ahead or behind never makes another's revocation miss a session.
    /// Without it, [`Conformance::run`] leaves semantic 25 out.
    ///
    /// # Examples
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// use authly_session::testing::{Conformance, MemoryStore};
    /// let store = MemoryStore::new();
    /// let data = store.clone();
    /// Conformance::new(store)
    ///     .clock_skew(move |clock| data.clone().with_clock(clock))
    ///     .run_semantic(authly_session::testing::Semantic::CLOCK_SKEW)
    ///     .await;
    /// # });
    /// ```
    pub fn clock_skew(mut self, instance: impl Fn(Clock) -> S + Send + Sync + 'static) -> Self {
        self.skewed = Some(std::sync::Arc::new(instance));
        self
    }

    /// The backend drops expired sessions by itself (Redis key TTLs): `delete_expired` then
    /// returns 0, and the suite checks instead that expired sessions vanish from every read.
    pub fn server_side_expiry(mut self) -> Self {
        self.server_side_expiry = true;
        self
    }

    /// Runs the checks of one numbered semantic, then checks that no log line emitted meanwhile
    /// held a full session id: a backend's tests can give each semantic a test of its own.
    /// Semantics 13 to 16, 18, 21 and 24 need the backend's help: see [`check_table_names`],
    /// [`check_concurrent_migrate`], [`check_isolation`], [`check_fault_recovery`],
    /// [`check_hashed_at_rest`], [`check_expired_backlog`], [`check_version_recorded`],
    /// [`check_upgrade_in_place`] and [`check_refuses_newer_schema`].
    ///
    /// # Panics
    ///
    /// When the semantic does not hold, or is not checkable through the trait alone.
    pub async fn run_semantic(self, semantic: Semantic) {
        let ctx = Ctx::new(self.store, self.server_side_expiry, self.skewed);
        let capture = logs::LogCapture::new();
        let checkable = checks::semantic(&ctx, semantic)
            .with_subscriber(capture.dispatch())
            .await;
        assert!(
            checkable,
            "{semantic} is not checkable through the trait alone; use the backend helpers"
        );
        logs::assert_no_id_logged(&capture, &ctx.ids_used());
    }

    /// Runs every check, then the model-based check (a few hundred random operations on the
    /// store and on [`MemoryStore`] side by side, every result compared), then checks that no
    /// log line emitted meanwhile held a full session id.
    ///
    /// The model-based check draws a new sequence each run; its failure prints the seed, and
    /// the environment variable `AUTHLY_MODEL_SEED` set to it replays the same sequence.
    ///
    /// # Panics
    ///
    /// On the first check that fails, naming its semantic, or `model-based check` with the
    /// shrunk sequence that shows the store and the model disagreeing.
    pub async fn run(self) {
        let ctx = Ctx::new(self.store, self.server_side_expiry, self.skewed);
        let capture = logs::LogCapture::new();
        checks::all(&ctx).with_subscriber(capture.dispatch()).await;
        logs::assert_no_id_logged(&capture, &ctx.ids_used());
    }
}
