//! The check that coalesced writes keep each caller's result its own.

use authly_session::testing::unique_name;
use authly_session::{Identity, Session, SessionError, SessionStore};
use sqlx::{AssertSqlSafe, ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Type};

use super::Fixtures;
use crate::{Dialect, SqlStore};

/// What a poisoned write carries in its stored data; the poison refuses any row holding it.
pub const POISON_MARK: &str = "xPOISONx";

/// Saves one burst sends at once.
const BURST: usize = 64;

/// Bursts tried until one puts a poisoned write into a multi-row statement.
const BURSTS: usize = 8;

impl<D: Dialect> Fixtures<D>
where
    for<'c> &'c mut <D::Database as Database>::Connection: Executor<'c, Database = D::Database>,
    <D::Database as Database>::Arguments: IntoArguments<D::Database>,
    for<'q> String: Encode<'q, D::Database> + Decode<'q, D::Database> + Type<D::Database>,
    for<'r> &'r str: Decode<'r, D::Database> + Type<D::Database>,
    for<'q> i64: Encode<'q, D::Database> + Decode<'q, D::Database> + Type<D::Database>,
    usize: ColumnIndex<<D::Database as Database>::Row>,
{
    /// Coalesced writes: after `poison` (SQL that makes the database refuse any row whose `data`
    /// holds [`POISON_MARK`]; it gets the quoted table name) runs on the store's table, bursts
    /// of 64 concurrent saves, every eighth poisoned, and 16 deletes go through the store until
    /// a multi-row statement carrying a poisoned write has failed. Every poisoned save must
    /// then fail (and leave nothing loadable), every other save succeed and load back as
    /// saved, and every delete succeed and leave nothing loadable.
    ///
    /// # Panics
    ///
    /// When a caller gets another's result, or no burst ever shared a statement.
    pub async fn check_failing_write_in_a_batch(
        store: &SqlStore<D>,
        poison: impl FnOnce(&str) -> String,
    ) {
        let doomed: Vec<Session> = (0..16)
            .map(|i| Session::new(Identity::new("batch", format!("doomed{i}")), hours(1)))
            .collect();
        for session in &doomed {
            store
                .save_session(session)
                .await
                .expect("save before the poison");
        }
        sqlx::raw_sql(AssertSqlSafe(poison(&store.table().quoted(D::QUOTE))))
            .execute(store.pool())
            .await
            .expect("the poison");
        let before = store.writes.counts();
        let mut deletes = Some(doomed);
        for burst in 0..BURSTS {
            let sessions: Vec<(bool, Session)> = (0..BURST)
                .map(|i| {
                    let poisoned = i % 8 == 3;
                    let user = match poisoned {
                        true => format!("{POISON_MARK}{burst}-{i}"),
                        false => unique_name("clean"),
                    };
                    (
                        poisoned,
                        Session::new(Identity::new("batch", user), hours(1)),
                    )
                })
                .collect();
            let mut tasks = tokio::task::JoinSet::new();
            for (index, (_, session)) in sessions.iter().enumerate() {
                let (store, session) = (store.clone(), session.clone());
                tasks.spawn(async move { (index, store.save_session(&session).await) });
            }
            let mut delete_tasks = tokio::task::JoinSet::new();
            for session in deletes.take().unwrap_or_default() {
                let store = store.clone();
                delete_tasks.spawn(async move {
                    let deleted = store.delete_session(&session.id).await;
                    (session, deleted)
                });
            }
            while let Some(joined) = tasks.join_next().await {
                let (index, result) = joined.expect("save task");
                let (poisoned, session) = &sessions[index];
                let loaded = store.load_session(&session.id).await.expect("load");
                if *poisoned {
                    assert!(
                        matches!(result, Err(SessionError::Backend { .. })),
                        "a poisoned save must fail as a backend error, got {result:?}"
                    );
                    assert!(loaded.is_none(), "a refused save left a session");
                } else {
                    result.expect("a clean save beside a poisoned one must succeed");
                    let loaded = loaded.expect("a clean save must load back");
                    assert_eq!(loaded.identity, session.identity);
                    // Stored to the microsecond.
                    assert_eq!(
                        loaded.expires_at.timestamp_micros(),
                        session.expires_at.timestamp_micros()
                    );
                }
            }
            while let Some(joined) = delete_tasks.join_next().await {
                let (session, deleted) = joined.expect("delete task");
                deleted.expect("a delete beside a poisoned save must succeed");
                assert!(
                    store
                        .load_session(&session.id)
                        .await
                        .expect("load")
                        .is_none()
                );
            }
            if store.writes.counts().split > before.split {
                return;
            }
        }
        panic!(
            "in {BURSTS} bursts of {BURST} concurrent saves, no poisoned save shared a statement"
        );
    }
}

fn hours(hours: i64) -> chrono::Duration {
    chrono::Duration::hours(hours)
}
