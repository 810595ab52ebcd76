//! The operations of the model-based check, and how proptest draws them.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Duration, Utc};

use proptest::prelude::*;

use crate::Identity;
use crate::store_kit::max_expiry;

/// How many session ids the sequence plays with: `SLOTS - 1` valid ones (two of them differing
/// only in case) and one malformed.
pub(super) const SLOTS: usize = 7;

/// The slot of the malformed id.
pub(super) const MALFORMED: usize = SLOTS - 1;

/// A session id of the pool, shown by its place (`id#3`), never by its text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Slot(pub(super) usize);

impl fmt::Display for Slot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "id#{}", self.0)
    }
}

/// One of the run's two identities.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Who(pub(super) usize);

impl fmt::Display for Who {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(["a", "b"][self.0 % 2])
    }
}

/// An expiry, relative to the moment of the step: far from it on either side, so a store and
/// the model, calling a few milliseconds apart, always judge it alike.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Expiry {
    /// This many minutes from now.
    In(i64),
    /// This many minutes ago: ends the session.
    Ago(i64),
    /// 9999-12-31T23:59:59.999999Z, the latest a store keeps.
    Latest,
    /// One microsecond after [`Expiry::Latest`]: invalid input.
    TooLate,
}

impl fmt::Display for Expiry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expiry::In(minutes) => write!(f, "in {minutes} min"),
            Expiry::Ago(minutes) => write!(f, "{minutes} min ago"),
            Expiry::Latest => f.write_str("at the end of 9999"),
            Expiry::TooLate => f.write_str("1 µs after the end of 9999"),
        }
    }
}

impl Expiry {
    /// The time this expiry names, for a step at `now`.
    pub(super) fn at(self, now: DateTime<Utc>) -> DateTime<Utc> {
        use Expiry::*;
        match self {
            In(minutes) => now + Duration::minutes(minutes),
            Ago(minutes) => now - Duration::minutes(minutes),
            Latest => max_expiry(),
            TooLate => max_expiry() + Duration::microseconds(1),
        }
    }

    pub(super) fn too_late(self) -> bool {
        self == Expiry::TooLate
    }
}

/// Which handle a delete by handle names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Target {
    /// One of the identity's sessions as the model lists them (sorted by handle, counting round),
    /// the handle of `id#0` when it lists none.
    Listed(Who, usize),
    /// The handle of a pool id, listed or not.
    Of(Slot),
    /// A malformed handle derived from a pool id (see [`BOGUS_KINDS`]).
    Bogus(Slot, usize),
}

/// The malformed handles [`Target::Bogus`] tries.
pub(super) const BOGUS_KINDS: [&str; 5] = [
    "its handle in upper case",
    "its handle without the last digit",
    "its id instead of its handle",
    "its handle with a trailing space",
    "the empty string",
];

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Listed(who, pick) => write!(f, "listed session #{pick} of {who}"),
            Target::Of(slot) => write!(f, "handle of {slot}"),
            Target::Bogus(slot, kind) => write!(f, "{slot}: {}", BOGUS_KINDS[*kind]),
        }
    }
}

/// One step of a sequence. `facts` picks one of the variants of identity details and metadata
/// (NUL, emoji and right-to-left text among them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Op {
    Save {
        slot: Slot,
        who: Who,
        expiry: Expiry,
        facts: usize,
    },
    Load(Slot),
    Update {
        slot: Slot,
        who: Who,
        expiry: Expiry,
        facts: usize,
    },
    Touch(Slot, Expiry),
    Delete(Slot),
    List(Who),
    DeleteByHandle(Target),
    DeleteIdentity(Who),
    DeleteExpired,
    /// Saved by an instance whose clock runs 3 h behind: a session that expired an hour ago by
    /// the right clock, live by that one, so it stays stored until cleanup or sign-out.
    SaveStale {
        slot: Slot,
        who: Who,
    },
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Op::Save {
                slot,
                who,
                expiry,
                facts,
            } => write!(f, "save {slot} as {who}, expiring {expiry}, facts #{facts}"),
            Op::Load(slot) => write!(f, "load {slot}"),
            Op::Update {
                slot,
                who,
                expiry,
                facts,
            } => write!(
                f,
                "update {slot} to {who}, expiring {expiry}, facts #{facts}"
            ),
            Op::Touch(slot, expiry) => write!(f, "touch {slot} to expire {expiry}"),
            Op::Delete(slot) => write!(f, "delete {slot}"),
            Op::List(who) => write!(f, "list {who}"),
            Op::DeleteByHandle(target) => write!(f, "delete by handle: {target}"),
            Op::DeleteIdentity(who) => write!(f, "sign out {who} everywhere"),
            Op::DeleteExpired => f.write_str("delete expired"),
            Op::SaveStale { slot, who } => {
                write!(
                    f,
                    "save {slot} as {who} from an instance 3 h behind, expired 1 h ago"
                )
            }
        }
    }
}

fn slot() -> impl Strategy<Value = Slot, Tree: Send> {
    prop_oneof![
        9 => (0..MALFORMED).prop_map(Slot),
        1 => Just(Slot(MALFORMED)),
    ]
}

fn who() -> impl Strategy<Value = Who, Tree: Send> {
    (0..2usize).prop_map(Who)
}

fn expiry() -> impl Strategy<Value = Expiry, Tree: Send> {
    prop_oneof![
        12 => (5..600i64).prop_map(Expiry::In),
        4 => (5..600i64).prop_map(Expiry::Ago),
        1 => Just(Expiry::Latest),
        1 => Just(Expiry::TooLate),
    ]
}

fn target() -> impl Strategy<Value = Target, Tree: Send> {
    prop_oneof![
        3 => (who(), 0..SLOTS).prop_map(|(who, pick)| Target::Listed(who, pick)),
        2 => slot().prop_map(Target::Of),
        1 => (slot(), 0..BOGUS_KINDS.len()).prop_map(|(slot, kind)| Target::Bogus(slot, kind)),
    ]
}

/// One operation; `stale` adds [`Op::SaveStale`] (only when the suite can build an instance on
/// another clock). Simpler operations come first, so shrinking moves towards them; shrinking
/// never moves to a later one, so with weight 0 the last is never drawn.
pub(super) fn op(facts: usize, stale: bool) -> impl Strategy<Value = Op, Tree: Send> {
    let write = move || (slot(), who(), expiry(), 0..facts);
    prop_oneof![
        8 => write().prop_map(|(slot, who, expiry, facts)| Op::Save { slot, who, expiry, facts }),
        6 => slot().prop_map(Op::Load),
        3 => write().prop_map(|(slot, who, expiry, facts)| Op::Update { slot, who, expiry, facts }),
        3 => (slot(), expiry()).prop_map(|(slot, expiry)| Op::Touch(slot, expiry)),
        2 => slot().prop_map(Op::Delete),
        3 => who().prop_map(Op::List),
        3 => target().prop_map(Op::DeleteByHandle),
        1 => who().prop_map(Op::DeleteIdentity),
        1 => Just(Op::DeleteExpired),
        u32::from(stale) * 2 => (slot(), who()).prop_map(|(slot, who)| Op::SaveStale { slot, who }),
    ]
}

/// The variants of identity details (the key aside) and metadata a write can pick.
pub(super) fn facts() -> Vec<(Identity, BTreeMap<String, String>)> {
    let plain = Identity::new("", "");
    let mut renamed = plain.clone();
    renamed.username = Some("renamed ✓".to_owned());
    renamed
        .attributes
        .insert("role".into(), "admin\0\"'%_\\".into());
    let mut mailed = plain.clone();
    mailed.email = Some("ü@example.test".to_owned());
    let meta = |pairs: &[(&str, String)]| -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    };
    vec![
        (plain.clone(), BTreeMap::new()),
        (plain, meta(&[("label", "laptop".into())])),
        (
            renamed,
            meta(&[
                ("label", "phone 😀 \u{202e}עברית".into()),
                ("ip\0", "::1 \0 '; --".into()),
            ]),
        ),
        (mailed, meta(&[("user_agent", "Mozilla/5.0 ".repeat(200))])),
    ]
}
