//! The two ways a session hash is written: a save (upsert) or an update (only while live).

/// Which write: both run the same script, which an update makes conditional.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Write {
    /// `save_session`: insert or replace, `created_at` included.
    Save,
    /// `update_session`: only a live session, keeping its `created_at`.
    Update,
}

impl Write {
    /// The mode argument the scripts take.
    pub(crate) fn mode(self) -> &'static str {
        match self {
            Write::Save => "save",
            Write::Update => "update",
        }
    }

    /// The operation, for errors.
    pub(crate) fn operation(self) -> &'static str {
        match self {
            Write::Save => "save_session",
            Write::Update => "update_session",
        }
    }
}
