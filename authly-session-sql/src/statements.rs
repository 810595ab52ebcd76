//! The SQL text of every operation, as a dialect writes it for one table.

use std::sync::{Arc, OnceLock};

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

/// The most writes one coalesced round sends in one statement (see `coalesce.rs`): 64 rows of 6
/// parameters stay far below every database's parameter limit.
pub const MAX_ROWS_PER_STATEMENT: usize = 64;

/// How a dialect writes the `n`th bound parameter (counting from 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placeholder {
    /// `$1`, `$2`, … (PostgreSQL).
    Dollar,
    /// `?1`, `?2`, … (SQLite).
    NumberedQuestion,
    /// `?` for each (MySQL, MariaDB).
    Question,
}

impl Placeholder {
    /// The text of parameter number `n` (from 1).
    pub fn nth(self, n: usize) -> String {
        match self {
            Placeholder::Dollar => format!("${n}"),
            Placeholder::NumberedQuestion => format!("?{n}"),
            Placeholder::Question => "?".to_owned(),
        }
    }
}

/// A statement that carries any number of rows: `head`, then one group of `width` parameters per
/// row, then `tail`. Rows are comma-separated; a group of several parameters is parenthesised
/// (`($1, $2), ($3, $4)` for a `VALUES` list), a group of one is not (`$1, $2` for an `IN` list).
#[derive(Debug, Clone)]
pub struct PerRow {
    /// The text before the first row.
    pub head: String,
    /// Parameters per row.
    pub width: usize,
    /// The text after the last row.
    pub tail: String,
}

impl PerRow {
    /// The statement for `rows` rows, its parameters written as `placeholder` says.
    ///
    /// # Examples
    ///
    /// ```
    /// use authly_session_sql::{PerRow, Placeholder};
    /// let delete = PerRow { head: "DELETE FROM t WHERE k IN (".into(), width: 1, tail: ")".into() };
    /// assert_eq!(delete.render(2, Placeholder::Dollar), "DELETE FROM t WHERE k IN ($1, $2)");
    /// let insert = PerRow { head: "INSERT INTO t VALUES ".into(), width: 2, tail: String::new() };
    /// assert_eq!(insert.render(2, Placeholder::Question), "INSERT INTO t VALUES (?, ?), (?, ?)");
    /// ```
    pub fn render(&self, rows: usize, placeholder: Placeholder) -> String {
        let mut sql = self.head.clone();
        let mut n = 0;
        for row in 0..rows {
            if row > 0 {
                sql.push_str(", ");
            }
            let group: Vec<String> = (0..self.width)
                .map(|_| {
                    n += 1;
                    placeholder.nth(n)
                })
                .collect();
            if self.width == 1 {
                sql.push_str(&group[0]);
            } else {
                sql.push('(');
                sql.push_str(&group.join(", "));
                sql.push(')');
            }
        }
        sql.push_str(&self.tail);
        sql
    }
}

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
    /// `(handle, identity_key, data, created_at, last_seen_at, expires_at)` per row: insert each,
    /// or replace every column on that handle. The rows of one statement have distinct handles.
    pub upsert: PerRow,
    /// `(identity_key, data, last_seen_at, expires_at, handle, now)`: replace those four columns
    /// of a live session; one row affected if it was live.
    pub update: String,
    /// `(handle)` per row: remove those sessions.
    pub delete: PerRow,
    /// `(expires_at, last_seen_at, handle, now)`: move a live session's expiry and set when it
    /// was last seen; one row affected if it was live.
    pub touch: String,
    /// `(handle, now)`: remove that session if it is live; one row affected if it was.
    pub end_live: String,
    /// `(now)`: remove at most the `expired_batch` given to
    /// [`Dialect::statements`](crate::Dialect::statements) expired sessions.
    pub delete_expired: String,
    /// `(identity_key, after_handle)` → `(handle, data, created_at, last_seen_at, expires_at)`
    /// of one page of that identity's sessions, live or expired: at most [`IDENTITY_BATCH`]
    /// rows, ordered by handle, after `after_handle` (`""` for the first page). The identity
    /// index `(identity_key, handle)` serves the order, so a page reads at most one page of rows
    /// whatever the expiries; the store leaves out the expired ones.
    pub list: String,
    /// `(identity_key)`: remove at most [`IDENTITY_BATCH`] sessions of that identity; fewer
    /// only when fewer are left (rows removed meanwhile by someone else do not count against
    /// the batch).
    pub delete_identity: String,
}

impl Statements {
    /// Every statement (those of many rows by their head), for checks that hold for all of them
    /// (e.g. that each names the table).
    pub fn all(&self) -> [&String; 9] {
        [
            &self.load,
            &self.upsert.head,
            &self.update,
            &self.delete.head,
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
    pub(crate) upsert: Rendered,
    pub(crate) update: SqlStr,
    pub(crate) delete: Rendered,
    pub(crate) touch: SqlStr,
    pub(crate) end_live: SqlStr,
    pub(crate) delete_expired: SqlStr,
    pub(crate) list: SqlStr,
    pub(crate) delete_identity: SqlStr,
}

/// Audited: a dialect builds statements from constants and a validated TableName only.
fn sql(text: String) -> SqlStr {
    AssertSqlSafe(Arc::<str>::from(text)).into_sql_str()
}

impl Prepared {
    /// The statements of `s`, their parameters written as `placeholder` says.
    pub(crate) fn new(s: Statements, placeholder: Placeholder) -> Self {
        Prepared {
            load: sql(s.load),
            upsert: Rendered::new(s.upsert, placeholder),
            update: sql(s.update),
            delete: Rendered::new(s.delete, placeholder),
            touch: sql(s.touch),
            end_live: sql(s.end_live),
            delete_expired: sql(s.delete_expired),
            list: sql(s.list),
            delete_identity: sql(s.delete_identity),
        }
    }
}

/// A [`PerRow`] statement, rendered for each number of rows the first time it is needed.
pub(crate) struct Rendered {
    template: PerRow,
    placeholder: Placeholder,
    by_rows: [OnceLock<SqlStr>; MAX_ROWS_PER_STATEMENT],
}

impl Rendered {
    fn new(template: PerRow, placeholder: Placeholder) -> Self {
        Rendered {
            template,
            placeholder,
            by_rows: std::array::from_fn(|_| OnceLock::new()),
        }
    }

    /// The statement for `rows` rows (1 to [`MAX_ROWS_PER_STATEMENT`]; more are clamped, and
    /// the caller never asks for more).
    pub(crate) fn rows(&self, rows: usize) -> SqlStr {
        let rows = rows.clamp(1, MAX_ROWS_PER_STATEMENT);
        self.by_rows[rows - 1]
            .get_or_init(|| sql(self.template.render(rows, self.placeholder)))
            .clone()
    }
}
