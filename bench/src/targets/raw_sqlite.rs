//! Raw sqlx on SQLite: the statements of `authly-session-sqlite/src/queries.rs`, one per
//! operation, with the same hashing and JSON work as `SqliteStore`.

use std::sync::Arc;

use authly_session::{
    Session, decode_identity, encode_identity, from_unix_micros, identity_key, session_handle,
    to_unix_micros,
};
use authly_session_sqlite::sqlx::{self, AssertSqlSafe, Row, SqlSafeStr, SqlStr, SqlitePool};
use chrono::Utc;

use super::{BenchError, Target, corrupt};

/// Raw sqlx on one SQLite table: reads on `reader`, writes on `writer` (the same pool for the
/// naive single-pool setup).
pub struct RawSqlite {
    reader: SqlitePool,
    writer: SqlitePool,
    load: SqlStr,
    upsert: SqlStr,
    delete: SqlStr,
    context: String,
}

fn sql(text: String) -> SqlStr {
    // The only spliced text is a table name the benchmark made up.
    AssertSqlSafe(Arc::<str>::from(text)).into_sql_str()
}

impl RawSqlite {
    /// Raw statements on `table` (a plain identifier created by the store's migration).
    pub fn new(reader: SqlitePool, writer: SqlitePool, table: &str) -> Self {
        let t = format!("\"{table}\"");
        RawSqlite {
            reader,
            writer,
            load: sql(format!(
                "SELECT data, expires_at FROM {t} WHERE handle = ?1 AND expires_at > ?2"
            )),
            upsert: sql(format!(
                "INSERT INTO {t} (handle, identity_key, data, expires_at) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT (handle) DO UPDATE SET identity_key = excluded.identity_key, \
                 data = excluded.data, expires_at = excluded.expires_at"
            )),
            delete: sql(format!("DELETE FROM {t} WHERE handle = ?1")),
            context: format!("table {table}"),
        }
    }

    async fn upsert(&self, session: &Session) -> Result<(), BenchError> {
        sqlx::query(self.upsert.clone())
            .bind(session_handle(&session.id))
            .bind(identity_key(
                &session.identity.provider_id,
                &session.identity.external_id,
            ))
            .bind(encode_identity(&session.identity)?)
            .bind(to_unix_micros(session.expires_at))
            .execute(&self.writer)
            .await?;
        Ok(())
    }
}

impl Target for RawSqlite {
    async fn load(&self, id: &str) -> Result<bool, BenchError> {
        let row = sqlx::query(self.load.clone())
            .bind(session_handle(id))
            .bind(to_unix_micros(Utc::now()))
            .fetch_optional(&self.reader)
            .await?;
        let Some(row) = row else { return Ok(false) };
        let data: &str = row.try_get(0)?;
        let expires_at: i64 = row.try_get(1)?;
        let session = Session {
            id: id.to_owned(),
            identity: decode_identity(data, &self.context)?,
            expires_at: from_unix_micros(expires_at).ok_or_else(|| corrupt("expiry"))?,
        };
        std::hint::black_box(session);
        Ok(true)
    }

    async fn save(&self, session: &Session) -> Result<(), BenchError> {
        self.upsert(session).await
    }

    async fn create_delete(&self, session: &Session) -> Result<(), BenchError> {
        self.upsert(session).await?;
        sqlx::query(self.delete.clone())
            .bind(session_handle(&session.id))
            .execute(&self.writer)
            .await?;
        Ok(())
    }
}
