//! The one SQL-identifier validator every SQL store shares, and SQL templates rendered for a table.

use std::fmt;

use authly_session::SessionError;
use authly_session::store_kit::sha256_hex;

/// The longest identifier part accepted: PostgreSQL's limit, and within MySQL's and SQLite's.
const MAX_IDENTIFIER_LEN: usize = 63;

/// The table name SQL templates are written against; [`TableName::render`] replaces it.
const TEMPLATE_TABLE: &str = "authly_sessions";

/// The text after which [`TableName::render`] writes a derived name with the table's schema.
const DROP_INDEX: &str = "DROP INDEX IF EXISTS ";

/// The schema-version table SQL templates are written against.
const TEMPLATE_VERSION_TABLE: &str = "authly_session_schema";

/// A validated SQL table name: `[A-Za-z_][A-Za-z0-9_]{0,62}`, optionally `schema.table` of two
/// such parts where the backend allows it.
///
/// Validation happens once, at construction; afterwards the name can be spliced into SQL text
/// (always quoted) without any risk of injection.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct TableName {
    schema: Option<String>,
    name: String,
}

impl TableName {
    /// A single-part table name.
    ///
    /// # Errors
    ///
    /// [`SessionError::InvalidConfiguration`] unless `name` matches `[A-Za-z_][A-Za-z0-9_]{0,62}`.
    ///
    /// # Examples
    ///
    /// ```
    /// use authly_session_sql::TableName;
    /// assert!(TableName::new("authly_sessions").is_ok());
    /// assert!(TableName::new("public.sessions").is_err());
    /// assert!(TableName::new("x; DROP TABLE users").is_err());
    /// ```
    pub fn new(name: &str) -> Result<Self, SessionError> {
        check_part(name, name)?;
        Ok(TableName {
            schema: None,
            name: name.to_owned(),
        })
    }

    /// A table name that may be qualified by a schema: `table` or `schema.table`.
    ///
    /// # Errors
    ///
    /// [`SessionError::InvalidConfiguration`] unless each part matches
    /// `[A-Za-z_][A-Za-z0-9_]{0,62}` and there are at most two.
    ///
    /// # Examples
    ///
    /// ```
    /// use authly_session_sql::TableName;
    /// let table = TableName::with_optional_schema("auth.sessions")?;
    /// assert_eq!(table.schema(), Some("auth"));
    /// assert_eq!(table.quoted('"'), r#""auth"."sessions""#);
    /// assert!(TableName::with_optional_schema("a.b.c").is_err());
    /// # Ok::<(), authly_session::SessionError>(())
    /// ```
    pub fn with_optional_schema(qualified: &str) -> Result<Self, SessionError> {
        match qualified.split_once('.') {
            None => TableName::new(qualified),
            Some((schema, name)) => {
                check_part(schema, qualified)?;
                check_part(name, qualified)?;
                Ok(TableName {
                    schema: Some(schema.to_owned()),
                    name: name.to_owned(),
                })
            }
        }
    }

    /// The schema part, if any.
    pub fn schema(&self) -> Option<&str> {
        self.schema.as_deref()
    }

    /// The table part, without schema.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The name as SQL text, each part wrapped in `quote` (`"` for PostgreSQL and SQLite, `` ` ``
    /// for MySQL) so reserved words and mixed case are taken literally.
    pub fn quoted(&self, quote: char) -> String {
        match &self.schema {
            Some(schema) => format!("{quote}{schema}{quote}.{quote}{}{quote}", self.name),
            None => format!("{quote}{}{quote}", self.name),
        }
    }

    /// A name for an object that belongs to this table (an index, say): `{table}_{suffix}`,
    /// shortened with a digest of the table name when that would pass 63 characters. Unqualified.
    ///
    /// # Examples
    ///
    /// ```
    /// use authly_session_sql::TableName;
    /// let table = TableName::new("sessions")?;
    /// assert_eq!(table.derived_name("expires_idx"), "sessions_expires_idx");
    /// let long = TableName::new(&"t".repeat(63))?;
    /// assert!(long.derived_name("expires_idx").len() <= 63);
    /// # Ok::<(), authly_session::SessionError>(())
    /// ```
    pub fn derived_name(&self, suffix: &str) -> String {
        let plain = format!("{}_{suffix}", self.name);
        if plain.len() <= MAX_IDENTIFIER_LEN {
            return plain;
        }
        let digest = sha256_hex(self.name.as_bytes());
        let keep = MAX_IDENTIFIER_LEN.saturating_sub(suffix.len() + 10);
        format!(
            "{}_{}_{suffix}",
            &self.name[..keep.min(self.name.len())],
            &digest[..8]
        )
    }

    /// SQL written for the default table (`authly_sessions`), rewritten for this one.
    ///
    /// In `template`, the word `authly_sessions` becomes this table (qualified, quoted), each word
    /// `authly_sessions_<suffix>` becomes [`TableName::derived_name`] (quoted; qualified with the
    /// table's schema right after `DROP INDEX IF EXISTS `, where PostgreSQL needs it to find the
    /// index, unqualified elsewhere: index
    /// names), and `authly_session_schema` (the schema-version table) moves into this table's
    /// schema. Migration files stay plain SQL a DBA can run as they are.
    ///
    /// # Examples
    ///
    /// ```
    /// use authly_session_sql::TableName;
    /// let table = TableName::with_optional_schema("auth.logins")?;
    /// let sql = table.render(
    ///     "CREATE INDEX authly_sessions_expires_idx ON authly_sessions (expires_at)",
    ///     '"',
    /// );
    /// assert_eq!(sql, r#"CREATE INDEX "logins_expires_idx" ON "auth"."logins" (expires_at)"#);
    /// # Ok::<(), authly_session::SessionError>(())
    /// ```
    pub fn render(&self, template: &str, quote: char) -> String {
        let mut out = String::with_capacity(template.len() + 32);
        let mut rest = template;
        while let Some(start) = rest.find(|c: char| c.is_ascii_alphanumeric() || c == '_') {
            out.push_str(&rest[..start]);
            rest = &rest[start..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            let word = &rest[..end];
            if word == TEMPLATE_TABLE {
                out.push_str(&self.quoted(quote));
            } else if word == TEMPLATE_VERSION_TABLE {
                let version_table = TableName {
                    schema: self.schema.clone(),
                    name: TEMPLATE_VERSION_TABLE.to_owned(),
                };
                out.push_str(&version_table.quoted(quote));
            } else if let Some(suffix) = word
                .strip_prefix(TEMPLATE_TABLE)
                .and_then(|s| s.strip_prefix('_'))
            {
                let derived = TableName {
                    schema: self.schema.clone(),
                    name: self.derived_name(suffix),
                };
                if out.ends_with(DROP_INDEX) {
                    // Found only through its schema (PostgreSQL).
                    out.push_str(&derived.quoted(quote));
                } else {
                    out.push(quote);
                    out.push_str(&derived.name);
                    out.push(quote);
                }
            } else {
                out.push_str(word);
            }
            rest = &rest[end..];
        }
        out.push_str(rest);
        out
    }
}

fn check_part(part: &str, whole: &str) -> Result<(), SessionError> {
    let mut bytes = part.bytes();
    let first_ok = bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_');
    let rest_ok = bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if first_ok && rest_ok && part.len() <= MAX_IDENTIFIER_LEN {
        Ok(())
    } else {
        Err(SessionError::configuration(format!(
            "table name {whole:?} is not a valid identifier: each part must match [A-Za-z_][A-Za-z0-9_]{{0,62}}"
        )))
    }
}

impl fmt::Display for TableName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.schema {
            Some(schema) => write!(f, "{schema}.{}", self.name),
            None => f.write_str(&self.name),
        }
    }
}

impl fmt::Debug for TableName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TableName({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_rejects_by_the_grammar() {
        for good in ["a", "_", "A_b_9", &"x".repeat(63)] {
            assert!(TableName::new(good).is_ok(), "{good:?}");
        }
        for bad in [
            "",
            "9a",
            "a-b",
            "a b",
            "a\"b",
            "a`b",
            "ä",
            &"x".repeat(64),
            "a.b",
            "a;",
            "a\0",
        ] {
            assert!(TableName::new(bad).is_err(), "{bad:?}");
        }
        assert!(TableName::with_optional_schema("s.t").is_ok());
        for bad in ["s.", ".t", "s.t.u", "s .t", "s.t;"] {
            assert!(TableName::with_optional_schema(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn render_leaves_other_words_alone() {
        let table = TableName::new("t").unwrap();
        assert_eq!(
            table.render(
                "SELECT x_authly_sessions, authly_sessions.a FROM authly_sessions;",
                '`'
            ),
            "SELECT x_authly_sessions, `t`.a FROM `t`;"
        );
        assert_eq!(
            table.render("INSERT INTO authly_session_schema", '"'),
            "INSERT INTO \"authly_session_schema\""
        );
    }

    #[test]
    fn a_dropped_index_is_found_in_the_table_schema() {
        let table = TableName::with_optional_schema("auth.logins").unwrap();
        let sql = table.render(
            "DROP INDEX IF EXISTS authly_sessions_identity_idx; \
             CREATE INDEX IF NOT EXISTS authly_sessions_owner_idx ON authly_sessions (identity_key)",
            '"',
        );
        assert_eq!(
            sql,
            r#"DROP INDEX IF EXISTS "auth"."logins_identity_idx"; CREATE INDEX IF NOT EXISTS "logins_owner_idx" ON "auth"."logins" (identity_key)"#
        );
        let plain = TableName::new("logins").unwrap();
        assert_eq!(
            plain.render("DROP INDEX IF EXISTS authly_sessions_identity_idx", '"'),
            r#"DROP INDEX IF EXISTS "logins_identity_idx""#
        );
    }

    #[test]
    fn derived_names_stay_unique_and_short() {
        let a = TableName::new(&format!("{}a", "t".repeat(62))).unwrap();
        let b = TableName::new(&format!("{}b", "t".repeat(62))).unwrap();
        assert_ne!(
            a.derived_name("identity_idx"),
            b.derived_name("identity_idx")
        );
        assert!(a.derived_name("identity_idx").len() <= 63);
    }
}
