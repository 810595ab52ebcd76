//! Raw sqlx on any SQL backend: the very statements the store's dialect writes
//! (`Dialect::statements`), one per operation, with the same hashing and JSON work, and none of
//! the store's plumbing (no trait object, no save planning, no retry).

use std::sync::Arc;

use authly_session::store_kit::{decode_payload, encode_payload, identity_key};
use authly_session::{Session, session_handle};
use authly_session_sql::sqlx::{
    self, AssertSqlSafe, ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Pool, Row,
    SqlSafeStr, SqlStr, Type,
};
use authly_session_sql::{DELETE_EXPIRED_BATCH, Dialect};
use chrono::Utc;

use super::{BenchError, Target, corrupt};

/// Raw sqlx on one table of dialect `D`: reads on `reader`, writes on `writer` (the same pool
/// unless the side mirrors a split layout).
pub struct RawSql<D: Dialect> {
    reader: Pool<D::Database>,
    writer: Pool<D::Database>,
    load: SqlStr,
    upsert: SqlStr,
    delete: SqlStr,
    context: String,
}

fn sql(text: String) -> SqlStr {
    // Built by the dialect from a validated table name.
    AssertSqlSafe(Arc::<str>::from(text)).into_sql_str()
}

impl<D: Dialect> RawSql<D> {
    /// Raw statements on `table`, as the store's dialect writes them.
    ///
    /// # Panics
    ///
    /// When `table` is not a valid table name (the benchmark makes up plain identifiers).
    pub fn new(reader: Pool<D::Database>, writer: Pool<D::Database>, table: &str) -> Self {
        let table =
            D::table_name(table).expect("the benchmark's table names are plain identifiers");
        let statements = D::statements(&table, DELETE_EXPIRED_BATCH);
        RawSql {
            reader,
            writer,
            load: sql(statements.load),
            upsert: sql(statements.upsert.render(1, D::PLACEHOLDER)),
            delete: sql(statements.delete.render(1, D::PLACEHOLDER)),
            context: format!("table {table}"),
        }
    }
}

/// The values the store binds to its upsert for `session`, in the statement's order
/// (`Statements::upsert`): what one row of its table holds.
pub struct StoredRow<D: Dialect> {
    /// `session_handle(id)`: the row's key (the id itself is never stored).
    pub handle: String,
    /// `identity_key(provider, external id)`: what the identity index holds.
    pub identity_key: String,
    /// The JSON payload: identity and metadata.
    pub data: String,
    /// When the session was created.
    pub created_at: D::Expiry,
    /// When it was last seen.
    pub last_seen_at: D::Expiry,
    /// When it expires.
    pub expires_at: D::Expiry,
}

impl<D: Dialect> StoredRow<D> {
    /// The row the store writes for `session`.
    pub fn of(session: &Session) -> Result<Self, BenchError> {
        Ok(StoredRow {
            handle: session_handle(&session.id),
            identity_key: identity_key(
                &session.identity.provider_id,
                &session.identity.external_id,
            ),
            data: encode_payload(&session.identity, &session.metadata)?,
            created_at: D::to_expiry(session.created_at),
            last_seen_at: D::to_expiry(session.last_seen_at),
            expires_at: D::to_expiry(session.expires_at),
        })
    }
}

impl<D: Dialect> Target for RawSql<D>
where
    for<'c> &'c mut <D::Database as Database>::Connection: Executor<'c, Database = D::Database>,
    <D::Database as Database>::Arguments: IntoArguments<D::Database>,
    for<'q> String: Encode<'q, D::Database> + Type<D::Database>,
    for<'r> &'r str: Decode<'r, D::Database> + Type<D::Database>,
    usize: ColumnIndex<<D::Database as Database>::Row>,
{
    async fn load(&self, id: &str) -> Result<bool, BenchError> {
        let row = sqlx::query(self.load.clone())
            .bind(session_handle(id))
            .bind(D::to_expiry(Utc::now()))
            .fetch_optional(&self.reader)
            .await?;
        let Some(row) = row else { return Ok(false) };
        let data: &str = row.try_get(0)?;
        let time = |index: usize| -> Result<_, BenchError> {
            let value: D::Expiry = row.try_get(index)?;
            D::from_expiry(value).ok_or_else(|| corrupt("time"))
        };
        let payload = decode_payload(data, &self.context)?;
        let session = Session {
            id: id.to_owned(),
            identity: payload.identity,
            created_at: time(1)?,
            last_seen_at: time(2)?,
            expires_at: time(3)?,
            metadata: payload.metadata,
        };
        std::hint::black_box(session);
        Ok(true)
    }

    async fn save(&self, session: &Session) -> Result<(), BenchError> {
        let row = StoredRow::<D>::of(session)?;
        sqlx::query(self.upsert.clone())
            .bind(row.handle)
            .bind(row.identity_key)
            .bind(row.data)
            .bind(row.created_at)
            .bind(row.last_seen_at)
            .bind(row.expires_at)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn create_delete(&self, session: &Session) -> Result<(), BenchError> {
        self.save(session).await?;
        sqlx::query(self.delete.clone())
            .bind(session_handle(&session.id))
            .execute(&self.writer)
            .await?;
        Ok(())
    }
}
