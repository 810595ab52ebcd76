//! What is measured: realistic identities, the pre-populated sessions, and the three operations.

use std::collections::HashMap;

use authly_session::store_kit::encode_payload;
use authly_session::{Identity, Session};
use chrono::{DateTime, Utc};

/// How many sessions each table holds before measuring starts.
pub const DEFAULT_SESSIONS: usize = 10_000;

/// How long the benchmark's sessions live: far longer than any run.
pub const SESSION_TTL_HOURS: i64 = 8;

/// Providers the identities come from, in rotation.
const PROVIDERS: [&str; 5] = ["github", "google", "gitlab", "microsoft", "password"];
const FIRST_NAMES: [&str; 8] = [
    "Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken",
];
const LAST_NAMES: [&str; 8] = [
    "Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson",
];
const LOCALES: [&str; 5] = ["en-GB", "de-DE", "fr-FR", "pt-BR", "ja-JP"];
const ROLES: [&str; 3] = [
    "member",
    "member,billing-viewer",
    "admin,member,support-agent",
];
const DEVICES: [&str; 4] = [
    "Firefox 128 on Linux x86_64",
    "Safari 17.5 on iPhone (iOS 17.5.1)",
    "Chrome 126 on Windows 11",
    "Edge 125 on macOS 14.5",
];

/// One operation the benchmark times.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// Load a pre-populated session by id.
    Load,
    /// Save (update) a pre-populated session with a new expiry.
    Save,
    /// Save a brand-new session, then delete it: one operation is both.
    CreateDelete,
}

impl Op {
    /// Every operation, in the order they are measured and reported.
    pub const ALL: [Op; 3] = [Op::Load, Op::Save, Op::CreateDelete];

    /// The operation's name in tables and JSON.
    pub fn name(self) -> &'static str {
        match self {
            Op::Load => "load",
            Op::Save => "save",
            Op::CreateDelete => "create+delete",
        }
    }

    /// The operation called `name`.
    pub fn parse(name: &str) -> Result<Op, String> {
        Op::ALL
            .into_iter()
            .find(|op| op.name() == name)
            .ok_or_else(|| {
                format!("unknown operation {name:?}; expected load, save or create+delete")
            })
    }
}

/// The `user`-th signed-in user: a provider, a numeric external id, an e-mail address, a
/// username and 5 attributes, 300 to 450 bytes once encoded as a stored payload.
pub fn identity(user: usize) -> Identity {
    let provider = PROVIDERS[user % PROVIDERS.len()];
    let external_id = (40_000_000 + user as u64 * 7_919).to_string();
    let first = FIRST_NAMES[user % FIRST_NAMES.len()];
    let last = LAST_NAMES[(user / FIRST_NAMES.len()) % LAST_NAMES.len()];
    let username = format!("{}.{}{}", first.to_lowercase(), last.to_lowercase(), user);
    let attributes = HashMap::from([
        ("display_name".to_owned(), format!("{first} {last}")),
        (
            "avatar_url".to_owned(),
            format!("https://avatars.example.com/u/{external_id}?s=96&v=4"),
        ),
        (
            "locale".to_owned(),
            LOCALES[user % LOCALES.len()].to_owned(),
        ),
        ("roles".to_owned(), ROLES[user % ROLES.len()].to_owned()),
        (
            "device".to_owned(),
            DEVICES[user % DEVICES.len()].to_owned(),
        ),
    ]);
    Identity {
        provider_id: provider.to_owned(),
        external_id,
        email: Some(format!("{username}@mail.example.org")),
        username: Some(username),
        attributes,
    }
}

/// The sessions every table is filled with, and the users new sessions are created for.
///
/// Only the ids are kept: a session is rebuilt from its index when needed (its identity and
/// times follow from the index), so a million sessions take tens of megabytes, not gigabytes.
pub struct Workload {
    /// The pre-populated sessions' ids (a quarter of the users have more than one).
    ids: Vec<String>,
    /// Distinct users among the sessions.
    pub users: usize,
    /// When every pre-populated session was created and last seen.
    created_at: DateTime<Utc>,
    /// When every pre-populated session expires.
    expires_at: DateTime<Utc>,
}

impl Workload {
    /// `count` live sessions of `count * 4 / 5` users, with fresh random ids.
    pub fn new(count: usize) -> Self {
        let now = Utc::now();
        Self::with_times(count, now, now + ttl())
    }

    /// `count` sessions like [`Workload::new`]'s, created nine hours ago and expired an hour
    /// ago: what `delete_expired` finds after a busy day.
    pub fn expired(count: usize) -> Self {
        let expires_at = Utc::now() - chrono::Duration::hours(1);
        Self::with_times(count, expires_at - ttl(), expires_at)
    }

    fn with_times(count: usize, created_at: DateTime<Utc>, expires_at: DateTime<Utc>) -> Self {
        let users = (count * 4 / 5).max(1);
        let ids = (0..count)
            .map(|_| Session::new(Identity::new("bench", "id"), ttl()).id)
            .collect();
        Workload {
            ids,
            users,
            created_at,
            expires_at,
        }
    }

    /// How many pre-populated sessions there are.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// The `index`-th pre-populated session, as stored.
    ///
    /// # Panics
    ///
    /// When `index >= self.len()`.
    pub fn session(&self, index: usize) -> Session {
        Session {
            id: self.ids[index].clone(),
            identity: identity(index % self.users),
            created_at: self.created_at,
            last_seen_at: self.created_at,
            expires_at: self.expires_at,
            metadata: Default::default(),
        }
    }

    /// Every pre-populated session, in order.
    pub fn sessions(&self) -> impl Iterator<Item = Session> + '_ {
        (0..self.len()).map(|index| self.session(index))
    }

    /// The id of a pre-populated session chosen by `rng`.
    pub fn pick(&self, rng: &mut Rng) -> &str {
        &self.ids[rng.below(self.ids.len())]
    }

    /// A pre-populated session chosen by `rng`, with a fresh expiry, ready to be saved over the
    /// stored one.
    pub fn updated(&self, rng: &mut Rng) -> Session {
        let mut session = self.session(rng.below(self.ids.len()));
        session.expires_at = Utc::now() + ttl();
        session
    }

    /// A new session (fresh id) for one of the workload's users.
    pub fn fresh(&self, rng: &mut Rng) -> Session {
        Session::new(identity(rng.below(self.users)), ttl())
    }

    /// The smallest and largest stored payload (`{"v":1,"identity":{...}}`) in bytes, over the
    /// users of the first 10,000 sessions (identities repeat beyond them).
    pub fn payload_bytes(&self) -> (usize, usize) {
        (0..self.len().min(10_000))
            .map(|index| identity(index % self.users))
            .map(|identity| {
                encode_payload(&identity, &Default::default()).map_or(0, |json| json.len())
            })
            .fold((usize::MAX, 0), |(lo, hi), n| (lo.min(n), hi.max(n)))
    }
}

/// How long the benchmark's sessions live.
fn ttl() -> chrono::Duration {
    chrono::Duration::hours(SESSION_TTL_HOURS)
}

/// A small, fast, seeded generator (SplitMix64): each task picks its sessions from its own.
pub struct Rng(u64);

impl Rng {
    /// A generator whose sequence is fixed by `seed`.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_are_300_to_450_bytes() {
        for user in 0..2_000 {
            let json = encode_payload(&identity(user), &Default::default()).unwrap();
            assert!(
                (300..=450).contains(&json.len()),
                "user {user}: {} bytes: {json}",
                json.len()
            );
        }
    }

    #[test]
    fn identities_are_realistic() {
        let identity = identity(17);
        assert!(identity.external_id.bytes().all(|b| b.is_ascii_digit()));
        assert!(identity.email.as_deref().unwrap().contains('@'));
        assert!(identity.username.is_some());
        assert_eq!(identity.attributes.len(), 5);
    }

    #[test]
    fn workload_has_distinct_live_sessions() {
        let workload = Workload::new(500);
        let ids: std::collections::HashSet<_> = workload.sessions().map(|s| s.id).collect();
        assert_eq!(ids.len(), 500);
        assert!(workload.sessions().all(|s| !s.is_expired()));
        assert_eq!(workload.users, 400);
        let (lo, hi) = workload.payload_bytes();
        assert!(lo >= 300 && hi <= 450, "{lo}..{hi}");
    }

    #[test]
    fn a_session_is_rebuilt_alike_and_expired_workloads_are_expired() {
        let workload = Workload::new(10);
        assert!(workload.session(3) == workload.session(3));
        assert_eq!(workload.session(3).identity, identity(3));
        let mut rng = Rng::new(7);
        let updated = workload.updated(&mut rng);
        assert!(updated.expires_at > workload.session(0).expires_at);
        let expired = Workload::expired(20);
        assert_eq!(expired.len(), 20);
        assert!(expired.sessions().all(|s| s.is_expired()));
        assert!(expired.sessions().all(|s| s.created_at < s.expires_at));
    }

    #[test]
    fn operation_names_round_trip() {
        for op in Op::ALL {
            assert_eq!(Op::parse(op.name()), Ok(op));
        }
        assert!(Op::parse("update").is_err());
    }

    #[test]
    fn rng_stays_in_range_and_depends_on_the_seed() {
        let mut a = Rng::new(1);
        let mut b = Rng::new(2);
        assert_ne!(a.next_u64(), b.next_u64());
        assert!((0..1000).all(|_| a.below(7) < 7));
    }
}
