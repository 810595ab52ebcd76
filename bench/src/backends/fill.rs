//! Filling a SQL table fast: the very rows the store writes ([`StoredRow`]), a thousand per
//! multi-row `INSERT`, from a few connections at once. A million sessions through the store one
//! by one would take longer than the measurement; the rows are the same either way.

use std::sync::Arc;

use authly_session_sql::sqlx::{Database, Executor, IntoArguments, Pool, QueryBuilder};
use authly_session_sql::{DELETE_EXPIRED_BATCH, Dialect, TableName};

use crate::targets::BenchError;
use crate::targets::raw_sql::StoredRow;
use crate::workload::Workload;

/// Rows per `INSERT`: 6,000 parameters, within every database's limit (SQLite's is 32,766).
pub const ROWS_PER_INSERT: usize = 1_000;

/// The `INSERT INTO table (columns)` head of the store's upsert on `table`, so the fill writes
/// the columns the store writes, in its order.
pub fn insert_head<D: Dialect>(table: &TableName) -> Result<String, BenchError> {
    let upsert = D::statements(table, DELETE_EXPIRED_BATCH).upsert;
    let head = upsert
        .head
        .split_once(" VALUES")
        .map(|(head, _)| head.to_owned())
        .ok_or("the store's upsert has no VALUES clause")?;
    Ok(head)
}

/// Inserts every session of `workload` into `table` of `pool` (which must not hold them yet),
/// from `tasks` connections at once; prints progress every 100,000 rows.
pub async fn fill<D: Dialect>(
    pool: &Pool<D::Database>,
    table: &TableName,
    workload: &Arc<Workload>,
    tasks: usize,
) -> Result<(), BenchError>
where
    for<'c> &'c mut <D::Database as Database>::Connection: Executor<'c, Database = D::Database>,
    <D::Database as Database>::Arguments: IntoArguments<D::Database> + Default,
    for<'q> String: authly_session_sql::sqlx::Encode<'q, D::Database>
        + authly_session_sql::sqlx::Type<D::Database>,
{
    let head = Arc::new(insert_head::<D>(table)?);
    let batches = workload.len().div_ceil(ROWS_PER_INSERT);
    let tasks: Vec<_> = (0..tasks.max(1))
        .map(|task| {
            let (pool, head, workload) = (pool.clone(), Arc::clone(&head), Arc::clone(workload));
            let step = tasks.max(1);
            tokio::spawn(async move {
                for batch in (task..batches).step_by(step) {
                    let start = batch * ROWS_PER_INSERT;
                    let end = (start + ROWS_PER_INSERT).min(workload.len());
                    let rows = (start..end)
                        .map(|index| StoredRow::<D>::of(&workload.session(index)))
                        .collect::<Result<Vec<_>, _>>()?;
                    let mut insert = QueryBuilder::<D::Database>::new(format!("{head} "));
                    insert.push_values(rows, |mut values, row| {
                        values
                            .push_bind(row.handle)
                            .push_bind(row.identity_key)
                            .push_bind(row.data)
                            .push_bind(row.created_at)
                            .push_bind(row.last_seen_at)
                            .push_bind(row.expires_at);
                    });
                    insert.build().execute(&pool).await?;
                    if end % 100_000 == 0 {
                        eprintln!("authly-bench: filled {end} rows");
                    }
                }
                Ok::<(), BenchError>(())
            })
        })
        .collect();
    for task in tasks {
        task.await??;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use authly_session_postgres::PostgresDialect;

    use super::*;

    #[test]
    fn the_head_names_the_store_columns_in_its_order() {
        let table = PostgresDialect::table_name("t").unwrap();
        assert_eq!(
            insert_head::<PostgresDialect>(&table).unwrap(),
            "INSERT INTO \"t\" (handle, identity_key, data, created_at, last_seen_at, expires_at)"
        );
    }
}
