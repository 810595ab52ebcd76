//! Raw sqlx on MySQL / MariaDB: the statements of `authly-session-mysql/src/queries.rs`, one per
//! operation, with the same hashing and JSON work as `MySqlStore`.

use std::sync::Arc;

use authly_session::{Session, decode_identity, encode_identity, identity_key, session_handle};
use authly_session_mysql::sqlx::{self, AssertSqlSafe, MySqlPool, Row, SqlSafeStr, SqlStr};
use chrono::{NaiveDateTime, Utc};

use super::{BenchError, Target};

/// Raw sqlx on one MySQL table, through one pool. Times cross the wire as UTC `DATETIME`s, as
/// the store sends them.
pub struct RawMySql {
    pool: MySqlPool,
    load: SqlStr,
    upsert: SqlStr,
    delete: SqlStr,
    context: String,
}

fn sql(text: String) -> SqlStr {
    // The only spliced text is a table name the benchmark made up.
    AssertSqlSafe(Arc::<str>::from(text)).into_sql_str()
}

impl RawMySql {
    /// Raw statements on `table` (a plain identifier created by the store's migration).
    pub fn new(pool: MySqlPool, table: &str) -> Self {
        let t = format!("`{table}`");
        RawMySql {
            pool,
            load: sql(format!(
                "SELECT data, expires_at FROM {t} WHERE handle = ? AND expires_at > ?"
            )),
            upsert: sql(format!(
                "INSERT INTO {t} (handle, identity_key, data, expires_at) VALUES (?, ?, ?, ?) \
                 ON DUPLICATE KEY UPDATE identity_key = VALUES(identity_key), \
                 data = VALUES(data), expires_at = VALUES(expires_at)"
            )),
            delete: sql(format!("DELETE FROM {t} WHERE handle = ?")),
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
            .bind(session.expires_at.naive_utc())
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

impl Target for RawMySql {
    async fn load(&self, id: &str) -> Result<bool, BenchError> {
        let row = sqlx::query(self.load.clone())
            .bind(session_handle(id))
            .bind(Utc::now().naive_utc())
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(false) };
        let data: &str = row.try_get(0)?;
        let expires_at: NaiveDateTime = row.try_get(1)?;
        let session = Session {
            id: id.to_owned(),
            identity: decode_identity(data, &self.context)?,
            expires_at: expires_at.and_utc(),
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
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
