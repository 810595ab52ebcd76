//! Who a session belongs to.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// The signed-in user, as the authentication provider named them.
///
/// `(provider_id, external_id)` is the identity's key: "where am I signed in" and "sign out
/// everywhere" match both fields exactly.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// The provider that authenticated the user: `"github"`, `"google"`, `"password"`, ...
    pub provider_id: String,
    /// The user's id at that provider.
    pub external_id: String,
    /// The user's e-mail address, when the provider gave one.
    pub email: Option<String>,
    /// The user's display or login name, when the provider gave one.
    pub username: Option<String>,
    /// Anything else the application wants to keep with the session (device label, roles, ...).
    pub attributes: HashMap<String, String>,
}

impl Identity {
    /// An identity with only its key set: no e-mail, no username, no attributes.
    ///
    /// # Examples
    ///
    /// ```
    /// let identity = authly_session::Identity::new("github", "12345");
    /// assert_eq!(identity.provider_id, "github");
    /// assert!(identity.attributes.is_empty());
    /// ```
    pub fn new(provider_id: impl Into<String>, external_id: impl Into<String>) -> Self {
        Identity {
            provider_id: provider_id.into(),
            external_id: external_id.into(),
            email: None,
            username: None,
            attributes: HashMap::new(),
        }
    }

    /// Whether this identity's key is exactly `(provider_id, external_id)`: byte for byte, no
    /// pattern or case folding. Stores look identities up by a digest, then decide with this.
    ///
    /// # Examples
    ///
    /// ```
    /// let identity = authly_session::Identity::new("github", "12345");
    /// assert!(identity.matches("github", "12345"));
    /// assert!(!identity.matches("git", "12345"));
    /// ```
    pub fn matches(&self, provider_id: &str, external_id: &str) -> bool {
        self.provider_id == provider_id && self.external_id == external_id
    }
}
