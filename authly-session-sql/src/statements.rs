//! The SQL text of every operation, as a dialect writes it for one table.

use std::sync::Arc;

use sqlx::{AssertSqlSafe, SqlSafeStr, SqlStr};

/// The most rows a SQL store deletes in one `delete_expired` statement, so a large backlog
/// never holds one long lock (semantic 21). Dialects receive it through
/// [`Dialect::statements`](crate::Dialect::statements), and the store's loop uses the same number.
pub const DELETE_EXPIRED_BATCH: u64 = 10_000;

/// The most rows a SQL store lists or deletes in one statement of `list_identity_sessions` or
/// `delete_identity_sessions`, so an identity with very many sessions never makes one long
/// statement (semantic 28); the store loops, page after page. Dialects write it into
/// [`Statements::list`] and [`Statements::delete_identity`], and the store's loops use the
/// same number.
pub const IDENTITY_BATCH: u64 = 1_000;

/// The SQL of each store operation for one table, written by a [`Dialect`](crate::Dialect).
///
/// Parameters are bound in the order listed for each statement (`?` dialects take them in that
/// order; numbered dialects use `$1`.. / `?1`.. in that order). Selected columns come in the order
/// listed. The only text spliced in besides constants is a validated [`TableName`](crate::TableName).
#[derive(Debug, Clone)]
pub struct Statements {
    /// `(handle, now)` → `(data, created_at, last_seen_at, expires_at)` of the live session
    /// with that handle.
    pub load: String,
    /// `(handle, identity_key, data, created_at, last_seen_at, expires_at)`: insert, or replace
    /// every column on that handle.
    pub upsert: String,
    /// `(identity_key, data, last_seen_at, expires_at, handle, now)`: replace those four columns
    /// of a live session; one row affected if it was live.
    pub update: String,
    /// `(handle)`: remove that session.
    pub delete: String,
    /// `(expires_at, last_seen_at, handle, now)`: move a live session's expiry and set when it
    /// was last seen; one row affected if it was live.
    pub touch: String,
    /// `(handle, now)`: remove that session if it is live; one row affected if it was.
    pub end_live: String,
    /// `(now)`: remove at most the `expired_batch` given to
    /// [`Dialect::statements`](crate::Dialect::statements) expired sessions.
    pub delete_expired: String,
    /// `(identity_key, now, after_expires_at, after_expires_at, after_handle)` → `(handle, data,
    /// created_at, last_seen_at, expires_at)` of one page of that identity's live sessions: at
    /// most [`IDENTITY_BATCH`] rows, ordered by `(expires_at, handle)`, after the row
    /// `(after_expires_at, after_handle)` (the last row of the previous page; `(now, "")` for
    /// the first). The identity index serves the order, so a page reads about one page of rows.
    pub list: String,
    /// `(identity_key)`: remove at most [`IDENTITY_BATCH`] sessions of that identity; fewer
    /// only when fewer are left (rows removed meanwhile by someone else do not count against
    /// the batch).
    pub delete_identity: String,
}

impl Statements {
    /// Every statement, for checks that hold for all of them (e.g. that each names the table).
    pub fn all(&self) -> [&String; 9] {
        [
            &self.load,
            &self.upsert,
            &self.update,
            &self.delete,
            &self.touch,
            &self.end_live,
            &self.delete_expired,
            &self.list,
            &self.delete_identity,
        ]
    }
}

/// [`Statements`] ready to run: cloning one is a reference-count bump, not a copy.
pub(crate) struct Prepared {
    pub(crate) load: SqlStr,
    pub(crate) upsert: SqlStr,
    pub(crate) update: SqlStr,
    pub(crate) delete: SqlStr,
    pub(crate) touch: SqlStr,
    pub(crate) end_live: SqlStr,
    pub(crate) delete_expired: SqlStr,
    pub(crate) list: SqlStr,
    pub(crate) delete_identity: SqlStr,
}

impl From<Statements> for Prepared {
    fn from(s: Statements) -> Self {
        // Audited: a dialect builds these from constants and a validated TableName only.
        fn sql(text: String) -> SqlStr {
            AssertSqlSafe(Arc::<str>::from(text)).into_sql_str()
        }
        Prepared {
            load: sql(s.load),
            upsert: sql(s.upsert),
            update: sql(s.update),
            delete: sql(s.delete),
            touch: sql(s.touch),
            end_live: sql(s.end_live),
            delete_expired: sql(s.delete_expired),
            list: sql(s.list),
            delete_identity: sql(s.delete_identity),
        }
    }
}
