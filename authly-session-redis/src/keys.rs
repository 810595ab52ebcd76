//! Key names: where a store keeps what, under its prefix.
//!
//! ```text
//! {prefix}:s:{handle}               hash   d = payload JSON, e = expires_at (unix µs), k = identity
//!                                          key, c = created_at, l = last_seen_at (µs; no c and l
//!                                          in a hash written by schema version 1)
//! {prefix}:schema                   hash   v = schema version, since = time of the upgrade to it
//! {prefix}:{xy}:i:{identity_key}    zset   handles of that identity, scored by expires_at (µs)
//! {prefix}:{xy}:r                   zset   identity keys of shard xy, scored by the lowest score
//!                                          of their index (when it next needs pruning)
//! ```
//!
//! `xy` is the first two hex digits of the identity key: an index and its registry shard carry
//! the same hash tag, so they share a Redis Cluster slot, while the 256 shards spread over the
//! cluster. Session keys carry no tag and spread by handle. `lua/common.lua` builds the same
//! names; the two must change together.
//!
//! A session key expires at its `expires_at` by the server's clock; index and registry keys live
//! 5 minutes longer (the pruning grace of `lua/common.lua`).

use authly_session::SessionError;

/// How many registry shards a prefix has (`00` to `ff`).
pub(crate) const SHARDS: u16 = 256;

/// The key names of one store prefix.
#[derive(Debug)]
pub(crate) struct Keys {
    prefix: String,
    context: String,
}

impl Keys {
    /// The keys under `prefix`, validated once.
    ///
    /// # Errors
    ///
    /// [`SessionError::InvalidConfiguration`] when the prefix cannot be used (see
    /// [`prefix_problem`]).
    pub(crate) fn new(prefix: &str) -> Result<Self, SessionError> {
        if let Some(problem) = prefix_problem(prefix) {
            return Err(SessionError::configuration(problem));
        }
        Ok(Keys {
            prefix: prefix.to_owned(),
            context: format!("Redis keys under prefix {prefix:?}"),
        })
    }

    /// The prefix, as given.
    pub(crate) fn prefix(&self) -> &str {
        &self.prefix
    }

    /// Where the store's data lives, for error messages: names the prefix, never a session.
    pub(crate) fn context(&self) -> &str {
        &self.context
    }

    /// The hash holding the session with this handle.
    pub(crate) fn session(&self, handle: &str) -> String {
        format!("{}:s:{handle}", self.prefix)
    }

    /// The hash recording the keyspace's schema version.
    pub(crate) fn schema(&self) -> String {
        format!("{}:schema", self.prefix)
    }

    /// The sorted set indexing the sessions of the identity with this [`identity_key`].
    ///
    /// [`identity_key`]: authly_session::store_kit::identity_key
    pub(crate) fn index(&self, identity_key: &str) -> String {
        format!(
            "{}:{{{}}}:i:{identity_key}",
            self.prefix,
            shard_of(identity_key)
        )
    }

    /// The registry shard that lists the index of this identity key.
    pub(crate) fn registry(&self, identity_key: &str) -> String {
        self.registry_shard(shard_of(identity_key))
    }

    /// Every registry shard of the prefix.
    pub(crate) fn registry_shards(&self) -> impl Iterator<Item = String> + '_ {
        (0..SHARDS).map(|shard| self.registry_shard(&format!("{shard:02x}")))
    }

    fn registry_shard(&self, shard: &str) -> String {
        format!("{}:{{{shard}}}:r", self.prefix)
    }
}

/// The shard of an identity key: its first two hex digits.
fn shard_of(identity_key: &str) -> &str {
    identity_key.get(..2).unwrap_or(identity_key)
}

/// Why `prefix` cannot be used, if it cannot: when its first `{` is directly followed by `}`,
/// Redis Cluster hashes every key whole, and an index would no longer share a slot with its
/// registry shard. Any other prefix works (one holding a whole hash tag such as `{app}` puts
/// every key of the store into that one slot).
fn prefix_problem(prefix: &str) -> Option<String> {
    let brace = prefix.find('{')?;
    prefix[brace + 1..].starts_with('}').then(|| {
        format!(
            "Redis key prefix {prefix:?} holds an empty hash tag \"{{}}\": \
             Redis Cluster would scatter an identity index and its registry over two slots"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What Redis Cluster hashes of `key`: the hash tag if there is one, else the whole key.
    fn hashed_part(key: &str) -> &str {
        if let Some(open) = key.find('{')
            && let Some(len) = key[open + 1..].find('}')
            && len > 0
        {
            return &key[open + 1..open + 1 + len];
        }
        key
    }

    #[test]
    fn names_follow_the_documented_layout() {
        let keys = Keys::new("app").unwrap();
        let ik = authly_session::store_kit::identity_key("github", "1");
        let handle = authly_session::session_handle("id");
        assert_eq!(keys.session(&handle), format!("app:s:{handle}"));
        assert_eq!(keys.index(&ik), format!("app:{{{}}}:i:{ik}", &ik[..2]));
        assert_eq!(keys.registry(&ik), format!("app:{{{}}}:r", &ik[..2]));
        let shards: Vec<String> = keys.registry_shards().collect();
        assert_eq!(shards.len(), 256);
        assert_eq!(shards[0], "app:{00}:r");
        assert_eq!(shards[255], "app:{ff}:r");
        assert!(shards.contains(&keys.registry(&ik)));
    }

    #[test]
    fn an_index_shares_its_registry_shard_slot_under_any_accepted_prefix() {
        let ik = authly_session::store_kit::identity_key("github", "1");
        for prefix in [
            "authly_session",
            "",
            "a{b",
            "a}b",
            "{app}",
            "x{tag}y",
            "a{b}{}",
            "}{x",
        ] {
            let keys = Keys::new(prefix).expect("usable prefix");
            assert_eq!(
                hashed_part(&keys.index(&ik)),
                hashed_part(&keys.registry(&ik)),
                "prefix {prefix:?}"
            );
        }
    }

    #[test]
    fn refuses_a_prefix_whose_first_hash_tag_is_empty() {
        for prefix in ["a{}b", "{}", "x{}{y}"] {
            let error = Keys::new(prefix).unwrap_err();
            assert!(
                matches!(error, SessionError::InvalidConfiguration { .. }),
                "{error:?}"
            );
            assert!(error.to_string().contains("empty hash tag"), "{error}");
        }
    }

    #[test]
    fn distinct_prefixes_never_share_a_key() {
        // Every suffix starts with ':' and ends in fixed-length hex or a fixed word, so a key of
        // one prefix is never a key of another, even when one prefix extends the other.
        let ik = authly_session::store_kit::identity_key("p", "e");
        let handle = authly_session::session_handle("id");
        let a = Keys::new("a").unwrap();
        let names = |k: &Keys| {
            let mut v = vec![k.session(&handle), k.index(&ik), k.schema()];
            v.extend(k.registry_shards());
            v
        };
        let mine = names(&a);
        for other in [
            "a:s".to_owned(),
            format!("a:{{{}}}", &ik[..2]),
            format!("a:{{{}}}:i", &ik[..2]),
            "a:".to_owned(),
        ] {
            for name in names(&Keys::new(&other).unwrap()) {
                assert!(!mine.contains(&name), "{other:?} shares {name:?}");
            }
        }
    }
}
