//! Key names: where a store keeps what, under its prefix.
//!
//! ```text
//! {prefix}:s:{handle}               string  the session (layout in `stored.rs`); expires at
//!                                           its expires_at. Schema versions 1 and 2 kept a hash
//!                                           here (d, e, k, c, l), still read.
//! {prefix}:{xy}:i:{identity_key}    zset    handles of that identity, scored by expires_at (µs);
//!                                           expires 5 minutes after its last session
//! {prefix}:schema                   hash    v = schema version, since = time of the upgrade
//! ```
//!
//! `xy` is the first two hex digits of the identity key: a hash tag that spreads the indexes
//! over a cluster's slots. Session keys carry no tag and spread by handle. The key names are
//! those of schema version 2, so its indexes stay valid.

use authly_session::SessionError;

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
}

impl Keys {
    /// A `SCAN MATCH` pattern for every identity index of the prefix (glob characters in the
    /// prefix escaped).
    pub(crate) fn index_pattern(&self) -> String {
        let mut pattern = String::with_capacity(self.prefix.len() + 16);
        for c in self.prefix.chars() {
            if matches!(c, '*' | '?' | '[' | ']' | '\\') {
                pattern.push('\\');
            }
            pattern.push(c);
        }
        pattern.push_str(":{??}:i:*");
        pattern
    }
}

/// The shard of an identity key: its first two hex digits.
fn shard_of(identity_key: &str) -> &str {
    identity_key.get(..2).unwrap_or(identity_key)
}

/// Why `prefix` cannot be used, if it cannot: when its first `{` is directly followed by `}`,
/// Redis Cluster hashes every key name whole and ignores the `{xy}` tag that places an identity
/// index (the slot of every index key must not depend on the prefix's braces). Any other prefix
/// works (one holding a whole hash tag such as `{app}` puts every key of the store into that one
/// slot).
fn prefix_problem(prefix: &str) -> Option<String> {
    let brace = prefix.find('{')?;
    prefix[brace + 1..].starts_with('}').then(|| {
        format!(
            "Redis key prefix {prefix:?} holds an empty hash tag \"{{}}\": \
             Redis Cluster would ignore the hash tag of the identity index keys"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_index_pattern_escapes_the_prefix() {
        assert_eq!(Keys::new("app").unwrap().index_pattern(), "app:{??}:i:*");
        assert_eq!(
            Keys::new("a*b?[c]\\").unwrap().index_pattern(),
            "a\\*b\\?\\[c\\]\\\\:{??}:i:*"
        );
    }

    #[test]
    fn names_follow_the_documented_layout() {
        let keys = Keys::new("app").unwrap();
        let ik = authly_session::store_kit::identity_key("github", "1");
        let handle = authly_session::session_handle("id");
        assert_eq!(keys.session(&handle), format!("app:s:{handle}"));
        assert_eq!(keys.index(&ik), format!("app:{{{}}}:i:{ik}", &ik[..2]));
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
        let names = |k: &Keys| vec![k.session(&handle), k.index(&ik), k.schema()];
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
