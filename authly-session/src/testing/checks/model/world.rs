//! One run of a sequence: every step applied to the store under test and to the model
//! ([`MemoryStore`]), their results compared.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, Utc};

use super::op::{MALFORMED, Op, SLOTS, Slot, Target, Who, facts};
use super::outcome::{Micros, Outcome, Seen, listed, loaded, outcome, same};
use crate::store_kit::{Clock, truncate_to_micros};
use crate::testing::MemoryStore;
use crate::testing::context::Ctx;
use crate::{Identity, Session, SessionError, SessionInfo, SessionStore, session_handle};

/// How far the lagging instance's clock runs behind.
const LAG: Duration = Duration::hours(3);

/// The pool, the identities and the detail variants of one check, and the stores it drives.
pub(super) struct World<'c, S> {
    ctx: &'c Ctx<S>,
    /// The store under test on a clock 3 h behind, when the suite can build one.
    lagging: Option<S>,
    ids: Vec<String>,
    identities: [Identity; 2],
    facts: Vec<(Identity, BTreeMap<String, String>)>,
}

/// The state of one run: the model, and which slots' `last_seen_at` a touch set.
struct Run {
    model: MemoryStore,
    lagging_model: MemoryStore,
    touched: BTreeSet<usize>,
}

impl<'c, S: SessionStore + Clone> World<'c, S> {
    pub(super) fn new(ctx: &'c Ctx<S>) -> Self {
        let mut ids: Vec<String> = ["s0", "S0", "s1", "s2", "s3", "s4"]
            .iter()
            .map(|tag| ctx.id(&format!("model-{tag}")))
            .collect();
        ids.push(ctx.id("model bad"));
        debug_assert_eq!(ids.len(), SLOTS);
        for id in &ids {
            ctx.remember(id);
        }
        let lagging = ctx.skewed.as_ref().map(|build| build(Clock::shifted(-LAG)));
        World {
            ctx,
            lagging,
            ids,
            identities: [ctx.identity("model-a"), ctx.identity("model-b")],
            facts: facts(),
        }
    }

    /// How many detail variants a write can pick from.
    pub(super) fn fact_variants(&self) -> usize {
        self.facts.len()
    }

    /// Whether [`Op::SaveStale`] can run.
    pub(super) fn has_lagging_instance(&self) -> bool {
        self.lagging.is_some()
    }

    /// Removes every session the check may have written, expired ones included.
    pub(super) async fn reset(&self) {
        let store = &self.ctx.store;
        let mut results = Vec::new();
        for id in &self.ids {
            results.push(store.delete_session(id).await);
        }
        for identity in &self.identities {
            let removed = store
                .delete_identity_sessions(&identity.provider_id, &identity.external_id)
                .await;
            results.push(removed.map(drop));
        }
        results.push(store.delete_expired().await.map(drop));
        if let Some(Err(error)) = results.into_iter().find(Result::is_err) {
            panic!(
                "conformance: model-based check: clearing the store between runs failed: {error}"
            );
        }
    }

    /// Runs `ops` from an empty store, then loads every id and lists both identities. `Ok` with
    /// the steps as run when store and model agree throughout; else the steps up to the first
    /// disagreement and what it was.
    pub(super) async fn run(&self, ops: &[Op]) -> Result<Vec<String>, (Vec<String>, String)> {
        self.reset().await;
        let model = MemoryStore::new();
        let mut run = Run {
            lagging_model: model.clone().with_clock(Clock::shifted(-LAG)),
            model,
            touched: BTreeSet::new(),
        };
        let sweep = (0..SLOTS)
            .map(|slot| Op::Load(Slot(slot)))
            .chain([Op::List(Who(0)), Op::List(Who(1))]);
        let mut trace = Vec::new();
        for (step, op) in ops.iter().cloned().chain(sweep).enumerate() {
            let shown = if step < ops.len() {
                format!("step {step}: {op}")
            } else {
                format!("final check: {op}")
            };
            match self.step(&mut run, &op).await {
                Ok(note) => trace.push(format!("{shown}{note}")),
                Err(divergence) => {
                    trace.push(format!("{shown}  <- diverged"));
                    return Err((trace, format!("{shown}: {divergence}")));
                }
            }
        }
        Ok(trace)
    }

    fn id(&self, slot: Slot) -> &str {
        &self.ids[slot.0]
    }

    fn identity(&self, who: Who) -> &Identity {
        &self.identities[who.0]
    }

    /// The session a write of this step hands to both stores.
    fn session(&self, slot: Slot, who: Who, facts: usize, times: [DateTime<Utc>; 3]) -> Session {
        let (details, metadata) = &self.facts[facts % self.facts.len()];
        let base = self.identity(who);
        let [created_at, last_seen_at, expires_at] = times;
        Session {
            id: self.id(slot).to_owned(),
            identity: Identity {
                provider_id: base.provider_id.clone(),
                external_id: base.external_id.clone(),
                ..details.clone()
            },
            created_at,
            last_seen_at,
            expires_at,
            metadata: metadata.clone(),
        }
    }

    /// Applies one step to both stores; `Ok` with a note for the trace, or how they disagree.
    async fn step(&self, run: &mut Run, op: &Op) -> Result<String, String> {
        let store = &self.ctx.store;
        let now = truncate_to_micros(Utc::now());
        let mut note = String::new();
        let (ours, model, doubly_invalid) = match *op {
            Op::Save {
                slot,
                who,
                expiry,
                facts,
            } => {
                let session = self.session(slot, who, facts, [now, now, expiry.at(now)]);
                let ours = outcome(store.save_session(&session).await, |()| Outcome::Done);
                let model = outcome(run.model.save_session(&session).await, |()| Outcome::Done);
                if matches!(model, Outcome::Done) {
                    run.touched.remove(&slot.0);
                }
                (ours, model, slot.0 == MALFORMED && expiry.too_late())
            }
            Op::Update {
                slot,
                who,
                expiry,
                facts,
            } => {
                let session = self.session(slot, who, facts, [now, now, expiry.at(now)]);
                let ours = outcome(store.update_session(&session).await, Outcome::Flag);
                let model = outcome(run.model.update_session(&session).await, Outcome::Flag);
                if matches!(model, Outcome::Flag(true)) {
                    run.touched.remove(&slot.0);
                }
                (ours, model, slot.0 == MALFORMED && expiry.too_late())
            }
            Op::Load(slot) => (
                loaded(store.load_session(self.id(slot)).await),
                loaded(run.model.load_session(self.id(slot)).await),
                false,
            ),
            Op::Touch(slot, expiry) => {
                let (id, at) = (self.id(slot), expiry.at(now));
                let ours = outcome(store.touch_session(id, at).await, Outcome::Flag);
                let model = outcome(run.model.touch_session(id, at).await, Outcome::Flag);
                if matches!(model, Outcome::Flag(true)) {
                    run.touched.insert(slot.0);
                }
                (ours, model, slot.0 == MALFORMED && expiry.too_late())
            }
            Op::Delete(slot) => (
                outcome(store.delete_session(self.id(slot)).await, |()| {
                    Outcome::Done
                }),
                outcome(run.model.delete_session(self.id(slot)).await, |()| {
                    Outcome::Done
                }),
                false,
            ),
            Op::List(who) => {
                let identity = self.identity(who);
                let (provider, external) = (&identity.provider_id, &identity.external_id);
                (
                    listed(store.list_identity_sessions(provider, external).await),
                    listed(run.model.list_identity_sessions(provider, external).await),
                    false,
                )
            }
            Op::DeleteByHandle(target) => {
                let handle = self.handle(run, target).await;
                note = format!(" ({})", self.show_handle(&handle));
                (
                    outcome(store.delete_session_by_handle(&handle).await, |()| {
                        Outcome::Done
                    }),
                    outcome(run.model.delete_session_by_handle(&handle).await, |()| {
                        Outcome::Done
                    }),
                    false,
                )
            }
            Op::DeleteIdentity(who) => {
                let identity = self.identity(who);
                let (provider, external) = (&identity.provider_id, &identity.external_id);
                let live = model_count(run.model.list_identity_sessions(provider, external).await);
                let ours = store.delete_identity_sessions(provider, external).await;
                let model = run.model.delete_identity_sessions(provider, external).await;
                let model = model.unwrap_or_default();
                return match ours {
                    Ok(n) if n == model => Ok(note),
                    // Keys the backend expired by itself are not there to count.
                    Ok(n) if self.ctx.server_side_expiry && (live..=model).contains(&n) => Ok(note),
                    other => Err(format!(
                        "the store gave {}, the model Ok({model}) ({live} of them live)",
                        self.show(&outcome(other, Outcome::Count))
                    )),
                };
            }
            Op::DeleteExpired => {
                let ours = outcome(store.delete_expired().await, Outcome::Count);
                let model = outcome(run.model.delete_expired().await, Outcome::Count);
                // A backend that expires keys itself returns 0: only success is comparable.
                if self.ctx.server_side_expiry && matches!(ours, Outcome::Count(_)) {
                    return Ok(note);
                }
                (ours, model, false)
            }
            Op::SaveStale { slot, who } => {
                let hour = Duration::hours(1);
                let session =
                    self.session(slot, who, 0, [now - hour * 2, now - hour * 2, now - hour]);
                let lagging = self.lagging.as_ref().unwrap_or(store);
                let ours = outcome(lagging.save_session(&session).await, |()| Outcome::Done);
                let model = run.lagging_model.save_session(&session).await;
                let model = outcome(model, |()| Outcome::Done);
                run.touched.remove(&slot.0);
                (ours, model, false)
            }
        };
        let loaded_slot = match op {
            Op::Load(slot) => Some(slot.0),
            _ => None,
        };
        if self.agree(run, (&ours, &model), loaded_slot, doubly_invalid) {
            Ok(note)
        } else {
            Err(format!(
                "the store gave {}, the model {}",
                self.show(&ours),
                self.show(&model)
            ))
        }
    }

    /// Whether the store's outcome is the model's. `loaded_slot`: the id a load read.
    /// `doubly_invalid`: a malformed id with an expiry past 9999, where the contract fixes no
    /// precedence between the two refusals.
    fn agree(
        &self,
        run: &Run,
        (ours, model): (&Outcome, &Outcome),
        loaded_slot: Option<usize>,
        doubly_invalid: bool,
    ) -> bool {
        use Outcome::*;
        match (ours, model) {
            (Failed(kind, _), Failed(..)) if doubly_invalid => {
                matches!(*kind, "InvalidSessionId" | "InvalidInput")
            }
            (Flag(false), Failed(..)) if doubly_invalid => true,
            (Done, Done) => true,
            (Flag(a), Flag(b)) => a == b,
            (Count(a), Count(b)) => a == b,
            (Failed(a, _), Failed(b, _)) => a == b,
            (Loaded(a), Loaded(b)) => match (a, b) {
                (None, None) => true,
                (Some(a), Some(b)) => same(touched(run, loaded_slot), a, b),
                _ => false,
            },
            (Listed(a, entries), Listed(b, model_entries)) => {
                entries == model_entries
                    && a.len() == b.len()
                    && a.iter().all(|(handle, seen)| {
                        let slot = self.slot_of(handle);
                        b.get(handle)
                            .is_some_and(|m| same(touched(run, slot), seen, m))
                    })
            }
            _ => false,
        }
    }

    fn slot_of(&self, handle: &str) -> Option<usize> {
        self.ids.iter().position(|id| session_handle(id) == handle)
    }

    /// The handle a delete by handle sends.
    async fn handle(&self, run: &Run, target: Target) -> String {
        match target {
            Target::Listed(who, pick) => {
                let identity = self.identity(who);
                let listed = run
                    .model
                    .list_identity_sessions(&identity.provider_id, &identity.external_id)
                    .await
                    .unwrap_or_default();
                let handles: BTreeSet<String> = listed.into_iter().map(|i| i.handle).collect();
                match handles.len() {
                    0 => session_handle(self.id(Slot(0))),
                    n => handles.into_iter().nth(pick % n).unwrap_or_default(),
                }
            }
            Target::Of(slot) => session_handle(self.id(slot)),
            Target::Bogus(slot, kind) => {
                let handle = session_handle(self.id(slot));
                match kind {
                    0 => handle.to_uppercase(),
                    1 => handle[..63].to_owned(),
                    2 => self.id(slot).to_owned(),
                    3 => format!("{handle} "),
                    _ => String::new(),
                }
            }
        }
    }

    /// A handle as a failure shows it: by the pool id it belongs to, else its first 8 characters.
    fn show_handle(&self, handle: &str) -> String {
        match self.slot_of(handle) {
            Some(slot) => format!("handle of {}", Slot(slot)),
            None if self.ids.iter().any(|id| id == handle) => "an id, not a handle".to_owned(),
            None => format!("handle {:?}…", handle.get(..8).unwrap_or(handle)),
        }
    }

    fn show(&self, outcome: &Outcome) -> String {
        match outcome {
            Outcome::Done => "Ok(())".to_owned(),
            Outcome::Flag(flag) => format!("Ok({flag})"),
            Outcome::Count(count) => format!("Ok({count})"),
            Outcome::Loaded(None) => "Ok(None)".to_owned(),
            Outcome::Loaded(Some(seen)) => format!("Ok(Some({}))", self.show_seen(seen)),
            Outcome::Listed(listed, entries) => {
                let shown: Vec<String> = listed
                    .iter()
                    .map(|(handle, seen)| {
                        format!("{}: {}", self.show_handle(handle), self.show_seen(seen))
                    })
                    .collect();
                let repeated = entries
                    .checked_sub(listed.len())
                    .filter(|&extra| extra > 0)
                    .map(|extra| format!(" and {extra} repeated entries"))
                    .unwrap_or_default();
                format!("Ok([{}]{repeated})", shown.join("; "))
            }
            Outcome::Failed(kind, message) => format!("Err({kind}: {message})"),
        }
    }

    fn show_seen(&self, seen: &Seen) -> String {
        let who = match self
            .identities
            .iter()
            .position(|i| i.matches(&seen.identity.provider_id, &seen.identity.external_id))
        {
            Some(who) => Who(who).to_string(),
            None => "another identity".to_owned(),
        };
        let details = match self.facts.iter().position(|(details, metadata)| {
            *metadata == seen.metadata
                && details.email == seen.identity.email
                && details.username == seen.identity.username
                && details.attributes == seen.identity.attributes
        }) {
            Some(facts) => format!("facts #{facts}"),
            None => format!("other facts {:?} {:?}", seen.identity, seen.metadata),
        };
        format!(
            "{who}, {details}, created {}, last seen {}, expires {}",
            Micros(seen.created_at),
            Micros(seen.last_seen_at),
            Micros(seen.expires_at)
        )
    }
}

/// Whether a touch set `last_seen_at` of the session in `slot` since it was last written.
fn touched(run: &Run, slot: Option<usize>) -> bool {
    slot.is_some_and(|slot| run.touched.contains(&slot))
}

fn model_count(listed: Result<Vec<SessionInfo>, SessionError>) -> u64 {
    listed.map(|l| l.len() as u64).unwrap_or_default()
}
