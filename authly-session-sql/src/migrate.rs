//! The migration runner every SQL dialect shares: read the recorded schema version, run the
//! newer migration files in order, record each.

use authly_session::SessionError;
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Type};

use crate::{Dialect, SqlStore, TableName};

/// One schema version: its number and its SQL, written for the default table `authly_sessions`
/// (see [`TableName::render`]) so a DBA can run the file as it is.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    /// The schema version this file brings a table to.
    pub version: i64,
    /// The file's SQL: one or more statements.
    pub sql: &'static str,
}

/// The schema files every SQL backend crate keeps in its `migrations/` folder, by the house's
/// names, as a [`Dialect`](crate::Dialect)'s `VERSION_TABLE` and `MIGRATIONS` (use it inside the
/// `impl Dialect`): `0000_schema_version.sql`, then `0001_create_sessions.sql` (version 1) and
/// `0002_session_facts.sql` (version 2) and `0003_identity_by_handle.sql` (version 3). Paths are relative to the file that invokes it, which
/// must sit in the crate's `src/`.
#[macro_export]
macro_rules! migration_files {
    () => {
        const VERSION_TABLE: &'static str = include_str!("../migrations/0000_schema_version.sql");
        const MIGRATIONS: &'static [$crate::Migration] = &[
            $crate::Migration {
                version: 1,
                sql: include_str!("../migrations/0001_create_sessions.sql"),
            },
            $crate::Migration {
                version: 2,
                sql: include_str!("../migrations/0002_session_facts.sql"),
            },
            $crate::Migration {
                version: 3,
                sql: include_str!("../migrations/0003_identity_by_handle.sql"),
            },
        ];
    };
}

/// The newest schema version `migrations` reaches (`latest(D::MIGRATIONS)` is what `migrate()`
/// brings a table to).
pub fn latest(migrations: &[Migration]) -> i64 {
    migrations.iter().map(|m| m.version).max().unwrap_or(0)
}

/// Brings `store`'s table to version `target` of `D::MIGRATIONS` (never down), on `conn`.
///
/// The dialect calls this while it holds its lock (a transaction, an advisory or named lock),
/// which is what makes concurrent migrations safe; this function only decides and runs.
///
/// # Errors
///
/// [`SessionError::InvalidConfiguration`] when the table records a version newer than this
/// release knows; [`SessionError::Backend`] when a statement fails.
pub async fn run_migrations<D>(
    store: &SqlStore<D>,
    conn: &mut <D::Database as Database>::Connection,
    target: i64,
) -> Result<(), SessionError>
where
    D: Dialect,
    for<'c> &'c mut <D::Database as Database>::Connection: Executor<'c, Database = D::Database>,
    <D::Database as Database>::Arguments: IntoArguments<D::Database>,
    for<'q> String: Encode<'q, D::Database> + Type<D::Database>,
    for<'q> i64: Encode<'q, D::Database> + Decode<'q, D::Database> + Type<D::Database>,
    usize: ColumnIndex<<D::Database as Database>::Row>,
{
    let table = store.table();
    let failed = |e| SessionError::backend(format!("migrate table {table}"), e);
    let render = |sql: &str| sqlx::AssertSqlSafe(table.render(sql, D::QUOTE));

    sqlx::raw_sql(render(D::VERSION_TABLE))
        .execute(&mut *conn)
        .await
        .map_err(failed)?;
    let recorded: Option<i64> = sqlx::query_scalar(render(D::READ_VERSION))
        .bind(table.to_string())
        .fetch_optional(&mut *conn)
        .await
        .map_err(failed)?;
    let recorded = recorded.unwrap_or(0);
    check_known(table, recorded, latest(D::MIGRATIONS))?;

    let pending = D::MIGRATIONS
        .iter()
        .filter(|m| m.version > recorded && m.version <= target);
    for migration in pending {
        sqlx::raw_sql(render(migration.sql))
            .execute(&mut *conn)
            .await
            .map_err(failed)?;
        sqlx::query(render(D::RECORD_VERSION))
            .bind(table.to_string())
            .bind(migration.version)
            .execute(&mut *conn)
            .await
            .map_err(failed)?;
    }
    tracing::debug!(%table, from = recorded, "session table migrated");
    Ok(())
}

/// Refuses a table whose recorded version is newer than this release knows: its rows may mean
/// something this code would misread.
fn check_known(table: &TableName, recorded: i64, known: i64) -> Result<(), SessionError> {
    if recorded > known {
        return Err(SessionError::configuration(format!(
            "table {table} is at schema version {recorded}, newer than version {known}, the \
             newest this release of authly-session knows: upgrade the library"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_newer_recorded_version_is_refused_naming_both() {
        let table = TableName::new("t").unwrap();
        assert!(check_known(&table, 0, 2).is_ok());
        assert!(check_known(&table, 2, 2).is_ok());
        let error = check_known(&table, 3, 2).unwrap_err();
        assert!(
            matches!(error, SessionError::InvalidConfiguration { .. }),
            "{error:?}"
        );
        let text = error.to_string();
        assert!(
            text.contains("version 3") && text.contains("version 2"),
            "{text}"
        );
    }

    #[test]
    fn latest_is_the_highest_version() {
        let m = |version| Migration { version, sql: "" };
        assert_eq!(latest(&[m(1), m(2)]), 2);
        assert_eq!(latest(&[]), 0);
    }
}
