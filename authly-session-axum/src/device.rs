//! Devices: a user's sessions as "where you are signed in" shows them.

use authly_session::SessionInfo;
use serde::Serialize;

use crate::control::DEVICE_KEY;

/// One of the signed-in user's sessions, as [`SessionControl::devices`](crate::SessionControl::devices)
/// lists them: no secret in it (the handle, not the id), safe to render or serialise.
///
/// # Examples
///
/// ```
/// use authly_session::{Identity, SessionInfo};
/// use authly_session_axum::Device;
/// let now = chrono::Utc::now();
/// let info = SessionInfo {
///     handle: "ab".repeat(32),
///     identity: Identity::new("github", "1"),
///     created_at: now,
///     last_seen_at: now,
///     expires_at: now + chrono::Duration::hours(8),
///     metadata: [("device".to_owned(), "Firefox on Linux".to_owned())].into(),
/// };
/// let device = Device { info, this_device: true };
/// assert_eq!(device.label(), "Firefox on Linux");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Device {
    /// The session as the store lists it: handle, identity, sign-in, last activity, expiry,
    /// metadata.
    #[serde(flatten)]
    pub info: SessionInfo,
    /// Whether this is the session of the request that listed it.
    pub this_device: bool,
}

impl Device {
    /// The device label recorded at sign-in ("Chrome on Android"), or `"unknown device"`.
    ///
    /// # Examples
    ///
    /// ```
    /// use authly_session::{Identity, SessionInfo};
    /// let now = chrono::Utc::now();
    /// let info = SessionInfo {
    ///     handle: "ab".repeat(32),
    ///     identity: Identity::new("github", "1"),
    ///     created_at: now,
    ///     last_seen_at: now,
    ///     expires_at: now,
    ///     metadata: Default::default(),
    /// };
    /// let device = authly_session_axum::Device { info, this_device: false };
    /// assert_eq!(device.label(), "unknown device");
    /// ```
    pub fn label(&self) -> &str {
        self.info
            .metadata
            .get(DEVICE_KEY)
            .map_or(UNKNOWN_DEVICE, String::as_str)
    }
}

const UNKNOWN_DEVICE: &str = "unknown device";

/// "Firefox on Linux", "Safari on iPhone", ... from a `User-Agent`, by the `woothee` parser;
/// `"unknown device"` when it recognises neither browser nor system.
///
/// # Examples
///
/// ```
/// use authly_session_axum::device_label;
/// let ua = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
/// assert_eq!(device_label(Some(ua)), "Firefox on Linux");
/// assert_eq!(device_label(None), "unknown device");
/// ```
pub fn device_label(user_agent: Option<&str>) -> String {
    let Some(parsed) = user_agent.and_then(|ua| woothee::parser::Parser::new().parse(ua)) else {
        return UNKNOWN_DEVICE.to_owned();
    };
    let known = |value: &str| value != woothee::woothee::VALUE_UNKNOWN && !value.is_empty();
    match (known(parsed.name), known(parsed.os)) {
        (true, true) => format!("{} on {}", parsed.name, parsed.os),
        (true, false) => parsed.name.to_owned(),
        (false, true) => parsed.os.to_owned(),
        (false, false) => UNKNOWN_DEVICE.to_owned(),
    }
}
