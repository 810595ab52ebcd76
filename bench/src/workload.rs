//! What is measured: realistic identities, the pre-populated sessions, and the three operations.

use std::collections::HashMap;

use authly_session::store_kit::encode_payload;
use authly_session::{Identity, Session};

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
pub struct Workload {
    /// The pre-populated sessions (a quarter of the users have more than one).
    pub sessions: Vec<Session>,
    /// Distinct users among the sessions.
    pub users: usize,
}

impl Workload {
    /// `count` live sessions of `count * 4 / 5` users, with fresh random ids.
    pub fn new(count: usize) -> Self {
        let users = (count * 4 / 5).max(1);
        let ttl = chrono::Duration::hours(SESSION_TTL_HOURS);
        let sessions = (0..count)
            .map(|i| Session::new(identity(i % users), ttl))
            .collect();
        Workload { sessions, users }
    }

    /// A pre-populated session chosen by `rng`.
    pub fn pick(&self, rng: &mut Rng) -> &Session {
        &self.sessions[rng.below(self.sessions.len())]
    }

    /// `pick` with a fresh expiry, ready to be saved over the stored one.
    pub fn updated(&self, rng: &mut Rng) -> Session {
        let mut session = self.pick(rng).clone();
        session.expires_at = chrono::Utc::now() + chrono::Duration::hours(SESSION_TTL_HOURS);
        session
    }

    /// A new session (fresh id) for one of the workload's users.
    pub fn fresh(&self, rng: &mut Rng) -> Session {
        Session::new(
            identity(rng.below(self.users)),
            chrono::Duration::hours(SESSION_TTL_HOURS),
        )
    }

    /// The smallest and largest stored payload (`{"v":1,"identity":{...}}`) in bytes.
    pub fn payload_bytes(&self) -> (usize, usize) {
        self.sessions
            .iter()
            .map(|s| encode_payload(&s.identity, &s.metadata).map_or(0, |json| json.len()))
            .fold((usize::MAX, 0), |(lo, hi), n| (lo.min(n), hi.max(n)))
    }
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
        let ids: std::collections::HashSet<_> =
            workload.sessions.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids.len(), 500);
        assert!(workload.sessions.iter().all(|s| !s.is_expired()));
        assert_eq!(workload.users, 400);
        let (lo, hi) = workload.payload_bytes();
        assert!(lo >= 300 && hi <= 450, "{lo}..{hi}");
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
