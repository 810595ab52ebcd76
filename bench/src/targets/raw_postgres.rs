//! Raw sqlx on PostgreSQL: the statements of `authly-session-postgres/src/queries.rs`, one per
//! operation, with the same hashing and JSON work as `PostgresStore`.

use std::sync::Arc;

use authly_session::{Session, decode_identity, encode_identity, identity_key, session_handle};
use authly_session_postgres::sqlx::{self, AssertSqlSafe, PgPool, Row, SqlSafeStr, SqlStr};
use chrono::{DateTime, Utc};

use super::{BenchError, Target};

/// Raw sqlx on one PostgreSQL table, through one pool.
pub struct RawPostgres {
    pool: PgPool,
    load: SqlStr,
    upsert: SqlStr,
    delete: SqlStr,
    context: String,
}

fn sql(text: String) -> SqlStr {
    // The only spliced text is a table name the benchmark made up.
    AssertSqlSafe(Arc::<str>::from(text)).into_sql_str()
}

impl RawPostgres {
    /// Raw statements on `table` (a plain identifier created by the store's migration).
    pub fn new(pool: PgPool, table: &str) -> Self {
        let t = format!("\"{table}\"");
        RawPostgres {
            pool,
            load: sql(format!(
                "SELECT data, expires_at FROM {t} WHERE handle = $1 AND expires_at > $2"
            )),
            upsert: sql(format!(
                "INSERT INTO {t} (handle, identity_key, data, expires_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (handle) DO UPDATE SET identity_key = EXCLUDED.identity_key, \
                 data = EXCLUDED.data, expires_at = EXCLUDED.expires_at"
            )),
            delete: sql(format!("DELETE FROM {t} WHERE handle = $1")),
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
            .bind(session.expires_at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

impl Target for RawPostgres {
    async fn load(&self, id: &str) -> Result<bool, BenchError> {
        let row = sqlx::query(self.load.clone())
            .bind(session_handle(id))
            .bind(Utc::now())
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(false) };
        let data: &str = row.try_get(0)?;
        let expires_at: DateTime<Utc> = row.try_get(1)?;
        let session = Session {
            id: id.to_owned(),
            identity: decode_identity(data, &self.context)?,
            expires_at,
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
