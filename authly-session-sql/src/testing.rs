//! What the SQL backends' integration tests share (feature `testing`): fixtures and checks
//! written once, generic over the [`Dialect`].
//!
//! [`Fixtures`] builds stores on fresh tables, drops them afterwards, and drives the core's
//! conformance suite ([`authly_session::testing`]) through what only SQL can arrange: raw rows
//! for the backlog and corruption checks, a dump of the table, the recorded schema version, a
//! server to stop. [`store_tests!`](crate::store_tests), [`server_tests!`](crate::server_tests)
//! and [`fault_test!`](crate::fault_test) declare the `#[tokio::test]`s that run them, so each
//! backend crate's tests hold only what is its own.
//!
//! # Examples
//!
//! `authly-session-postgres/tests/conformance.rs` is a complete user: one `server_tests!` call
//! declares its shared tests, and the rest of the file holds what only PostgreSQL has.

mod coalescing;

pub use coalescing::POISON_MARK;

use std::marker::PhantomData;
use std::str::FromStr;
use std::time::{Duration, Instant};

use authly_session::store_kit::{SavePlan, SessionRow};
use authly_session::testing::{self, FaultProxy, ServerSwitch, server_url, unique_name};
use authly_session::{Session, SessionError};
use sqlx::pool::PoolOptions;
use sqlx::{
    AssertSqlSafe, ColumnIndex, ConnectOptions, Connection, Database, Decode, Encode, Executor,
    IntoArguments, Pool, QueryBuilder, Row, Type,
};

use crate::pool::Options;
use crate::{DELETE_EXPIRED_BATCH, Dialect, SqlStore};

/// The longest a test pool waits for a connection: tests run in parallel on a shared server.
const TEST_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

/// The connections of a test pool: tests run in parallel, and other suites share the server.
const TEST_POOL_SIZE: u32 = 4;

/// The store's acquire timeout (5 s) and a margin: no operation may take longer against a
/// stopped server, nor take longer than this to work again after it is back.
const FAULT_LIMIT: Duration = Duration::from_secs(10);

/// The store timeout of the bounded-time checks: short, so they take seconds.
pub const TEST_TIMEOUT: Duration = Duration::from_secs(2);

/// How long an operation of a store with [`TEST_TIMEOUT`] may take to give up: the timeout
/// and a margin for the scheduler.
pub const TEST_TIMEOUT_BOUND: Duration = Duration::from_secs(3);

/// Expired rows one backlog `INSERT` writes (four parameters each).
const BACKLOG_ROWS_PER_INSERT: u64 = 5_000;

/// The fixtures and checks of dialect `D`'s integration tests.
///
/// Every function works on the table it is given, or on a fresh table of its own that it drops
/// again; none needs another test's data, so tests may run in parallel on one server.
///
pub struct Fixtures<D>(PhantomData<D>);

impl<D: Dialect> Fixtures<D>
where
    for<'c> &'c mut <D::Database as Database>::Connection: Executor<'c, Database = D::Database>,
    <D::Database as Database>::Arguments: IntoArguments<D::Database>,
    for<'q> String: Encode<'q, D::Database> + Decode<'q, D::Database> + Type<D::Database>,
    for<'r> &'r str: Decode<'r, D::Database> + Type<D::Database>,
    for<'q> i64: Encode<'q, D::Database> + Decode<'q, D::Database> + Type<D::Database>,
    usize: ColumnIndex<<D::Database as Database>::Row>,
{
    /// A pool of at most 4 connections on `url`, waiting at most 10 s for one.
    ///
    /// # Panics
    ///
    /// When the server cannot be reached.
    pub async fn small_pool(url: &str) -> Pool<D::Database> {
        PoolOptions::<D::Database>::new()
            .max_connections(TEST_POOL_SIZE)
            .acquire_timeout(TEST_ACQUIRE_TIMEOUT)
            .connect(url)
            .await
            .expect("connect to the test server")
    }

    /// A migrated store on a fresh table `{base}_{16 hex digits}`, on a [`Fixtures::small_pool`].
    /// Drop the table with [`Fixtures::drop_table`] when done.
    ///
    /// # Panics
    ///
    /// When the server cannot be reached or the migration fails.
    pub async fn fresh_store(url: &str, base: &str) -> SqlStore<D> {
        let store = SqlStore::<D>::with_table_name(Self::small_pool(url).await, &unique_name(base))
            .expect("valid table name");
        store.migrate().await.expect("migrate");
        store
    }

    /// Drops the store's table and forgets its schema-version record.
    ///
    /// # Panics
    ///
    /// When a statement fails.
    pub async fn drop_table(store: &SqlStore<D>) {
        let table = store.table();
        let drop = format!("DROP TABLE IF EXISTS {}", table.quoted(D::QUOTE));
        sqlx::query(AssertSqlSafe(drop))
            .execute(store.pool())
            .await
            .expect("drop table");
        let forget = "DELETE FROM authly_session_schema WHERE table_name = ";
        QueryBuilder::<D::Database>::new(table.render(forget, D::QUOTE))
            .push_bind(table.to_string())
            .build()
            .execute(store.pool())
            .await
            .expect("forget the schema version");
    }

    /// The schema version recorded for the store's table, read with the dialect's own
    /// [`Dialect::READ_VERSION`]; `None` when no row records one.
    ///
    /// # Panics
    ///
    /// When the query fails.
    pub async fn recorded_version(store: &SqlStore<D>) -> Option<i64> {
        let table = store.table();
        sqlx::query_scalar(AssertSqlSafe(table.render(D::READ_VERSION, D::QUOTE)))
            .bind(table.to_string())
            .fetch_optional(store.pool())
            .await
            .expect("read the schema version")
    }

    /// The conformance suite for `store`, with a second instance on the same table for the
    /// skewed-clock semantic (25).
    pub fn suite(store: &SqlStore<D>) -> testing::Conformance<SqlStore<D>> {
        let data = store.clone();
        testing::Conformance::new(store.clone())
            .clock_skew(move |clock| data.clone().with_clock(clock))
    }

    /// The whole conformance suite on a fresh table, through a store that opened its own pool
    /// with [`SqlStore::connect`], as an application's does; then drops the table.
    ///
    /// # Panics
    ///
    /// When a semantic does not hold, or the server cannot be reached.
    pub async fn conformance(url: &str) {
        let store = SqlStore::<D>::connect(url)
            .await
            .expect("connect")
            .on_table(&unique_name("conformance"))
            .expect("valid table name");
        store.migrate().await.expect("migrate");
        let started = Instant::now();
        Self::suite(&store).run().await;
        println!(
            "conformance suite on {} took {:?}",
            D::NAME,
            started.elapsed()
        );
        Self::drop_table(&store).await;
    }

    /// Semantic 27 ([`testing::check_bounded_time`]) through a [`FaultProxy`] in front of the
    /// server at `url`: a store that connected through it, with a timeout of [`TEST_TIMEOUT`],
    /// has every operation give up with a timeout error within [`TEST_TIMEOUT_BOUND`] while the
    /// proxy blackholes its connections, and works again once the proxy forwards. Drops the
    /// table afterwards.
    ///
    /// # Panics
    ///
    /// When the proxy cannot start, or the store misbehaves.
    pub async fn check_bounded_time(url: &str) {
        let (proxy, proxied) = FaultProxy::in_front_of(url).await.expect("start the proxy");
        let store = SqlStore::<D>::connect(&proxied)
            .await
            .expect("connect through the proxy")
            .on_table(&unique_name("bounded_time"))
            .expect("valid table name")
            .with_timeout(TEST_TIMEOUT);
        store.migrate().await.expect("migrate");
        println!("{} behind a blackholing proxy:", D::NAME);
        testing::check_bounded_time(&store, &proxy, TEST_TIMEOUT_BOUND).await;
        Self::drop_table(&store).await;
    }

    /// Semantic 27 behind a lock that is never released: while another connection to the server
    /// at `url` holds the lock that `lock` takes on the store's table (`lock` gets the quoted
    /// table name and returns the SQL, e.g. `BEGIN; LOCK TABLE {table} IN ACCESS EXCLUSIVE
    /// MODE`), every operation of a store with a timeout of [`TEST_TIMEOUT`] gives up with a
    /// timeout error within [`TEST_TIMEOUT_BOUND`] ([`testing::check_bounded_time_with`]); once
    /// that connection closes, the same store works again. The store opens its own pool
    /// ([`SqlStore::connect`]), with the server-side limits that brings. Drops the table
    /// afterwards.
    ///
    /// # Panics
    ///
    /// When the lock cannot be taken, or the store misbehaves.
    pub async fn check_lock_held_forever(url: &str, lock: impl FnOnce(&str) -> String) {
        let store = SqlStore::<D>::connect(url)
            .await
            .expect("connect")
            .on_table(&unique_name("locked"))
            .expect("valid table name")
            .with_timeout(TEST_TIMEOUT);
        store.migrate().await.expect("migrate");
        let lock = lock(&store.table().quoted(D::QUOTE));
        let holder = <D::Database as Database>::Connection::connect(url)
            .await
            .expect("a connection of its own to hold the lock");
        // The connection passes from the lock to its release.
        let slot = std::sync::Mutex::new(Some(holder));
        let take = || {
            slot.lock()
                .expect("not poisoned")
                .take()
                .expect("the holder")
        };
        let silence = async {
            let mut holder = take();
            sqlx::raw_sql(AssertSqlSafe(lock))
                .execute(&mut holder)
                .await
                .expect("take the lock");
            *slot.lock().expect("not poisoned") = Some(holder);
        };
        let answer = async {
            take().close().await.expect("release the lock");
        };
        println!("{} behind a lock held by another connection:", D::NAME);
        testing::check_bounded_time_with(&store, silence, answer, TEST_TIMEOUT_BOUND).await;
        Self::drop_table(&store).await;
    }

    /// Semantics 14 and 21: two migrations of one fresh table at once, each through a store on
    /// its own pool (as two processes would), and a third afterwards all succeed
    /// ([`testing::check_concurrent_migrate`]); then the table records the newest version of
    /// [`Dialect::MIGRATIONS`] ([`testing::check_version_recorded`]).
    ///
    /// # Panics
    ///
    /// When a migration fails or the wrong version is recorded.
    pub async fn check_migrate(url: &str) {
        let table = unique_name("migrate");
        let table = table.as_str();
        let store = move || async move {
            SqlStore::<D>::connect(url)
                .await
                .and_then(|store| store.on_table(table))
        };
        testing::check_concurrent_migrate(|| async { store().await?.migrate().await }).await;
        let store = store().await.expect("connect");
        let newest = D::MIGRATIONS.last().expect("a dialect has migrations");
        testing::check_version_recorded(Self::recorded_version(&store), newest.version).await;
        Self::drop_table(&store).await;
    }

    /// Semantic 13 ([`testing::check_table_names`]) for stores on `pool`, which need never
    /// connect: with `allows_schema`, `schema.table` names must be accepted.
    ///
    /// # Panics
    ///
    /// When a name is accepted or refused wrongly.
    pub fn check_table_names(pool: Pool<D::Database>, allows_schema: bool) {
        testing::check_table_names(
            |name| SqlStore::<D>::with_table_name(pool.clone(), name).map(drop),
            allows_schema,
        );
    }

    /// Semantic 15 ([`testing::check_isolation`]): `store` and a store on another fresh table
    /// of its database share nothing. Drops the other table afterwards.
    ///
    /// # Panics
    ///
    /// When the two stores see or remove each other's sessions.
    pub async fn check_isolation(store: &SqlStore<D>) {
        let other = store
            .on_table(&unique_name("isolation"))
            .expect("valid table name");
        other.migrate().await.expect("migrate");
        testing::check_isolation(store, &other).await;
        Self::drop_table(&other).await;
    }

    /// Semantic 18 ([`testing::check_hashed_at_rest`]) on a dump of every column of the store's
    /// table: the handle, the identity key, the payload and the expiry (as the time it holds).
    ///
    /// # Panics
    ///
    /// When the table holds a session id, or lacks the handle or the versioned payload.
    pub async fn check_hashed_at_rest(store: &SqlStore<D>) {
        let select = format!(
            "SELECT handle, identity_key, data, expires_at FROM {}",
            store.table().quoted(D::QUOTE)
        );
        testing::check_hashed_at_rest(store, || async {
            let rows = sqlx::query(AssertSqlSafe(select))
                .fetch_all(store.pool())
                .await
                .expect("dump the table");
            let text = |row: &<D::Database as Database>::Row, column: usize| -> String {
                row.try_get(column).expect("a text column")
            };
            rows.iter()
                .map(|row| {
                    let expiry: D::Expiry = row.try_get(3).expect("the expiry column");
                    let expiry = D::from_expiry(expiry).map(|at| at.to_rfc3339());
                    let columns = (0..3).map(|column| text(row, column));
                    columns.chain(expiry).collect::<Vec<_>>().join(" ")
                })
                .collect::<Vec<_>>()
                .join("\n")
        })
        .await;
    }

    /// A row whose payload is not JSON ([`testing::check_corrupted_payload`]): loading it is a
    /// corrupt-data error naming the table, and the table's other sessions still load.
    ///
    /// # Panics
    ///
    /// When the corrupted row loads, fails otherwise, or stops its neighbours from loading.
    pub async fn check_corrupted_row(store: &SqlStore<D>) {
        let table = store.table();
        let update = format!(
            "UPDATE {} SET data = 'not json {{' WHERE handle = ",
            table.quoted(D::QUOTE)
        );
        testing::check_corrupted_payload(store, &table.to_string(), |handle| async move {
            QueryBuilder::<D::Database>::new(update)
                .push_bind(handle)
                .build()
                .execute(store.pool())
                .await
                .expect("corrupt a row");
        })
        .await;
    }

    /// Semantic 26, stored half ([`testing::check_foreign_values`]): every payload of
    /// [`testing::FOREIGN_PAYLOADS`] (bound as text) and every time of `times` (SQL literals
    /// this database can hold in that column, e.g. `'infinity'`, spliced into the `UPDATE`)
    /// written over one session is corrupt data for that session only, and stays revocable.
    ///
    /// # Panics
    ///
    /// When a foreign value panics, loads, breaks its neighbours or cannot be revoked.
    pub async fn check_foreign_values(store: &SqlStore<D>, times: &[testing::ForeignValue]) {
        let payloads = testing::FOREIGN_PAYLOADS
            .iter()
            .map(|text| testing::ForeignValue::new(testing::StoredField::Payload, text));
        let values: Vec<_> = payloads.chain(times.iter().copied()).collect();
        let table = store.table().quoted(D::QUOTE);
        testing::check_foreign_values(
            store,
            &store.table().to_string(),
            &values,
            |handle, foreign| {
                let update = QueryBuilder::<D::Database>::new(format!("UPDATE {table} SET "));
                Self::overwrite(store, update, handle, foreign)
            },
        )
        .await;
    }

    /// Completes `update` (`UPDATE table SET `) to write `foreign` into the row of `handle`, and runs it.
    async fn overwrite(
        store: &SqlStore<D>,
        mut update: QueryBuilder<D::Database>,
        handle: String,
        foreign: testing::ForeignValue,
    ) {
        update.push(foreign.field.column()).push(" = ");
        match foreign.field {
            testing::StoredField::Payload => update.push_bind(foreign.value.to_owned()),
            // Test constants of the backend's own list, never input.
            _ => update.push(foreign.value),
        };
        update
            .push(" WHERE handle = ")
            .push_bind(handle)
            .build()
            .execute(store.pool())
            .await
            .unwrap_or_else(|e| panic!("write {foreign}: {e}"));
    }

    /// Semantic 28 ([`testing::check_bounded_work`]): 100,000 sessions of one identity,
    /// bulk-inserted, are listed and signed out while another client (its own connection)
    /// reads one row of the table by primary key over and over; that client's p99 stays under
    /// 50 ms and its slowest read under 100 ms. Returns the figures.
    ///
    /// # Panics
    ///
    /// When a count is wrong or the other client waits too long.
    pub async fn check_bounded_work(store: &SqlStore<D>) -> testing::BoundedWork {
        let options = (*store.pool().connect_options()).clone();
        let other_client = PoolOptions::<D::Database>::new()
            .max_connections(1)
            .acquire_timeout(TEST_ACQUIRE_TIMEOUT)
            .connect_with(options)
            .await
            .expect("connect another client");
        let read = format!(
            "SELECT handle FROM {} WHERE handle = ",
            store.table().quoted(D::QUOTE)
        );
        let probe = move || {
            let (pool, read) = (other_client.clone(), read.clone());
            async move {
                QueryBuilder::<D::Database>::new(read)
                    .push_bind("0".repeat(64))
                    .build()
                    .fetch_optional(&pool)
                    .await
                    .map(drop)
            }
        };
        testing::check_bounded_work(
            store,
            |sessions| Self::insert_sessions(store, sessions),
            probe,
        )
        .await
    }

    /// Semantics 28 and 23 ([`testing::check_batched_sign_out_races_writes`]): a sign-out of
    /// several batches, raced by touches and updates of the sessions it removes, leaves none.
    ///
    /// # Panics
    ///
    /// When a session survives or an operation fails.
    pub async fn check_batched_sign_out(store: &SqlStore<D>) {
        testing::check_batched_sign_out_races_writes(store, |sessions| {
            Self::insert_sessions(store, sessions)
        })
        .await;
    }

    /// Writes `sessions` straight into the table as the store would, 5,000 rows a statement.
    async fn insert_sessions(store: &SqlStore<D>, sessions: Vec<Session>) {
        let insert = format!(
            "INSERT INTO {} (handle, identity_key, data, created_at, last_seen_at, expires_at) ",
            store.table().quoted(D::QUOTE)
        );
        let now = chrono::Utc::now();
        let rows: Vec<SessionRow> = sessions
            .iter()
            .map(|session| match SavePlan::new(session, now) {
                Ok(SavePlan::Upsert(row)) => row,
                other => panic!("a live session to insert, not {other:?}"),
            })
            .collect();
        for chunk in rows.chunks(BACKLOG_ROWS_PER_INSERT as usize) {
            QueryBuilder::<D::Database>::new(&insert)
                .push_values(chunk, |mut values, row| {
                    values
                        .push_bind(row.handle.clone())
                        .push_bind(row.identity_key.clone())
                        .push_bind(row.payload.clone())
                        .push_bind(D::to_expiry(row.created_at))
                        .push_bind(D::to_expiry(row.last_seen_at))
                        .push_bind(D::to_expiry(row.expires_at));
                })
                .build()
                .execute(store.pool())
                .await
                .expect("insert sessions");
        }
    }

    /// Semantic 21 ([`testing::check_expired_backlog`]) with [`DELETE_EXPIRED_BATCH`]: a
    /// backlog of expired rows, written straight into the table, more than two batches long,
    /// is removed and counted exactly by one `delete_expired`.
    ///
    /// # Panics
    ///
    /// When the count is wrong or a live session is removed.
    pub async fn check_expired_backlog(store: &SqlStore<D>) {
        testing::check_expired_backlog(store, DELETE_EXPIRED_BATCH, |count| {
            Self::insert_expired(store, count)
        })
        .await;
    }

    /// Semantic 24 ([`testing::check_upgrade_in_place`]): a table of `store`'s database made by
    /// schema version 1 (`migrate_to(1)`, the version-1 files as they are), holding sessions
    /// written in the version-1 format, is upgraded in place by `migrate()` run twice at once
    /// and once more, losing no session. Drops that table afterwards.
    ///
    /// # Panics
    ///
    /// When the upgrade fails or loses or alters a session.
    pub async fn check_upgrade(store: &SqlStore<D>) {
        let old = store
            .on_table(&unique_name("version_one"))
            .expect("valid table name");
        old.migrate_to(1).await.expect("create a version-1 table");
        let insert = format!(
            "INSERT INTO {} (handle, identity_key, data, expires_at) ",
            old.table().quoted(D::QUOTE)
        );
        let newest = crate::latest(D::MIGRATIONS);
        testing::check_upgrade_in_place(
            &old,
            |rows: Vec<testing::VersionOneRow>| async {
                QueryBuilder::<D::Database>::new(&insert)
                    .push_values(rows, |mut row, session| {
                        row.push_bind(session.handle)
                            .push_bind(session.identity_key)
                            .push_bind(session.payload)
                            .push_bind(D::to_expiry(session.expires_at));
                    })
                    .build()
                    .execute(old.pool())
                    .await
                    .expect("insert version-1 rows");
            },
            || old.migrate(),
            || async { Self::recorded_version(&old).await.unwrap_or(0) },
            newest,
        )
        .await;
        Self::drop_table(&old).await;
    }

    /// Semantic 24 ([`testing::check_refuses_newer_schema`]): once `store`'s table records a
    /// schema version newer than this release knows, `migrate()` refuses naming both versions.
    ///
    /// # Panics
    ///
    /// When migrate succeeds or fails otherwise.
    pub async fn check_refuses_newer(store: &SqlStore<D>) {
        let record = |version: i64| async move {
            sqlx::query(AssertSqlSafe(
                store.table().render(D::RECORD_VERSION, D::QUOTE),
            ))
            .bind(store.table().to_string())
            .bind(version)
            .execute(store.pool())
            .await
            .expect("record a newer version");
        };
        testing::check_refuses_newer_schema(
            || store.migrate(),
            record,
            crate::latest(D::MIGRATIONS),
        )
        .await;
    }

    /// Writes `count` rows that expired an hour ago, with handles `000…1` to `count` in hex.
    async fn insert_expired(store: &SqlStore<D>, count: u64) {
        let insert = format!(
            "INSERT INTO {} (handle, identity_key, data, created_at, last_seen_at, expires_at) ",
            store.table().quoted(D::QUOTE)
        );
        let expired = chrono::Utc::now() - chrono::Duration::hours(1);
        let numbers: Vec<u64> = (1..=count).collect();
        for chunk in numbers.chunks(BACKLOG_ROWS_PER_INSERT as usize) {
            QueryBuilder::<D::Database>::new(&insert)
                .push_values(chunk, |mut row, number| {
                    row.push_bind(format!("{number:064x}"))
                        .push("'k'")
                        .push("'{}'")
                        .push_bind(D::to_expiry(expired))
                        .push_bind(D::to_expiry(expired))
                        .push_bind(D::to_expiry(expired));
                })
                .build()
                .execute(store.pool())
                .await
                .expect("insert expired rows");
        }
    }

    /// Connecting to a URL of another database is a configuration error; to a server that is
    /// not there, a backend error within the acquire timeout that names where it looked and
    /// never the password.
    ///
    /// # Panics
    ///
    /// When either error is of the wrong kind, late, or leaks the password.
    pub async fn check_connect_errors() {
        let own = <D::Database as Database>::URL_SCHEMES;
        for foreign in ["postgres", "mysql", "sqlite", "redis"]
            .into_iter()
            .filter(|scheme| !own.contains(scheme))
        {
            let error = SqlStore::<D>::connect(&format!("{foreign}://root@127.0.0.1/test"))
                .await
                .expect_err("a URL of another database");
            assert!(
                matches!(error, SessionError::InvalidConfiguration { .. }),
                "{foreign}: {error:?}"
            );
        }
        let started = Instant::now();
        let unreachable = format!("{}://user:hunter2secret@127.0.0.1:1/sessions", own[0]);
        let error = SqlStore::<D>::connect(&unreachable)
            .await
            .expect_err("nothing listens on port 1");
        assert!(
            started.elapsed() < TEST_ACQUIRE_TIMEOUT,
            "{:?}",
            started.elapsed()
        );
        assert!(matches!(error, SessionError::Backend { .. }), "{error:?}");
        let text = format!("{error} {error:?}");
        assert!(text.contains("127.0.0.1:1/sessions"), "{text}");
        assert!(!text.contains("hunter2secret"), "{text}");
    }

    /// Semantic 16 ([`testing::check_fault_recovery`]) against the server at the URL in
    /// `url_variable`, stopped and started with the commands in `{switch_prefix}_STOP` and
    /// `{switch_prefix}_START` ([`ServerSwitch`]): with the server down, every operation and a
    /// new connection fail within 10 s; once it is back, the same store works again.
    ///
    /// # Panics
    ///
    /// When a variable is unset, or the store misbehaves; the server is running afterwards
    /// either way.
    pub async fn check_server_faults(url_variable: &str, switch_prefix: &str) {
        let url = server_url(url_variable);
        let switch = ServerSwitch::from_env(switch_prefix, &server_address::<D::Database>(&url));
        let store = SqlStore::<D>::connect(&url)
            .await
            .expect("connect")
            .on_table(&unique_name("faults"))
            .expect("valid table name");
        store.migrate().await.expect("migrate");
        let stop_server = async {
            switch.stop().await;
            // A store cannot be built against a stopped server either, and says so in time.
            let began = Instant::now();
            let connect = tokio::time::timeout(FAULT_LIMIT, SqlStore::<D>::connect(&url)).await;
            assert!(
                matches!(connect, Ok(Err(_))),
                "connect to a stopped server gave {connect:?} after {:?}",
                began.elapsed()
            );
        };
        testing::check_fault_recovery(&store, stop_server, switch.start(), FAULT_LIMIT).await;
        // The recovered store's pool works for the cleanup too.
        Self::drop_table(&store).await;
    }
}

/// `host:port` of the server a URL of `DB` names (its default port when the URL has none).
fn server_address<DB: Database>(url: &str) -> String {
    let url = Options::<DB>::from_str(url)
        .expect("a valid test URL")
        .to_url_lossy();
    let host = url.host_str().expect("a server URL names a host");
    let port = url.port().expect("the driver spells out the port");
    format!("{host}:{port}")
}

/// Declares one `#[tokio::test]` per SQL check of [`Fixtures`] that works on a store: table
/// isolation, hashing at rest, a corrupted row, foreign stored values, an expired backlog. Each
/// test makes its store with `$store` (an expression that may `.await`), runs the check, then
/// drops the store's table. `foreign:` lists the foreign times this database can hold
/// ([`Fixtures::check_foreign_values`]).
///
/// `$attrs` are attributes for every test, in brackets: `[]`, or
/// `[#[ignore = "needs AUTHLY_TEST_POSTGRES_URL"]]` for a server the test needs.
///
#[macro_export]
macro_rules! store_tests {
    ($dialect:ty, $attrs:tt, $store:expr, foreign: $foreign:expr $(,)?) => {
        $crate::store_tests!(@foreign $dialect, $attrs, $store, $foreign);
        $crate::store_tests!(@each $dialect, $attrs, $store,
            tables_are_isolated: check_isolation,
            sessions_are_hashed_at_rest: check_hashed_at_rest,
            a_corrupted_row_is_a_decode_error_naming_the_table: check_corrupted_row,
            delete_expired_works_through_a_backlog_of_many_batches: check_expired_backlog,
            a_batched_sign_out_raced_by_writes_leaves_nothing: check_batched_sign_out,
            a_version_1_table_is_upgraded_in_place: check_upgrade,
            a_newer_recorded_schema_version_is_refused: check_refuses_newer,
        );
    };
    (@each $dialect:ty, $attrs:tt, $store:expr, $($test:ident: $check:ident,)*) => {
        $($crate::store_tests!(@one $dialect, $attrs, $store, $test, $check);)*
    };
    (@foreign $dialect:ty, [$(#[$attr:meta])*], $store:expr, $foreign:expr) => {
        #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
        $(#[$attr])*
        async fn foreign_stored_values_are_corrupt_data_for_that_session_only() {
            let store: $crate::SqlStore<$dialect> = $store;
            $crate::testing::Fixtures::<$dialect>::check_foreign_values(&store, $foreign).await;
            $crate::testing::Fixtures::drop_table(&store).await;
        }
    };
    (@one $dialect:ty, [$(#[$attr:meta])*], $store:expr, $test:ident, $check:ident) => {
        #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
        $(#[$attr])*
        async fn $test() {
            let store: $crate::SqlStore<$dialect> = $store;
            $crate::testing::Fixtures::<$dialect>::$check(&store).await;
            $crate::testing::Fixtures::drop_table(&store).await;
        }
    };
}

/// Declares the tests every server-backed SQL backend runs: the [`store_tests!`] on fresh
/// tables, the whole conformance suite, concurrent migration with its recorded version, bounded
/// time behind a blackholing proxy (all `#[ignore = $needs]`, reading the server's URL from the
/// environment variable named by `$url`; `foreign:` as for [`store_tests!`]),
/// and, needing no server, table-name validation (`schema_tables`: whether `schema.table` is a
/// valid name) and the connection errors.
///
#[macro_export]
macro_rules! server_tests {
    (
        $dialect:ty,
        schema_tables: $schema_tables:literal,
        url: $url:expr,
        ignore: $needs:literal,
        foreign: $foreign:expr $(,)?
    ) => {
        $crate::store_tests!(
            $dialect,
            [#[ignore = $needs]],
            $crate::testing::Fixtures::<$dialect>::fresh_store(
                &$crate::authly_session::testing::server_url($url),
                "sql_check",
            )
            .await,
            foreign: $foreign,
        );
        $crate::server_tests!(@each_url $dialect, $url, $needs,
            conformance: conformance,
            migrate_is_idempotent_concurrent_safe_and_records_the_version: check_migrate,
            every_operation_times_out_on_a_blackholed_connection_and_recovers: check_bounded_time,
        );

        #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
        #[ignore = $needs]
        async fn an_identity_with_100000_sessions_never_stalls_another_client() {
            let url = $crate::authly_session::testing::server_url($url);
            let store = $crate::testing::Fixtures::<$dialect>::fresh_store(&url, "bounded").await;
            $crate::testing::Fixtures::<$dialect>::check_bounded_work(&store).await;
            $crate::testing::Fixtures::drop_table(&store).await;
        }

        #[::tokio::test]
        async fn table_names_are_validated() {
            // A lazy pool never connects: validation needs no server.
            let scheme = <<$dialect as $crate::Dialect>::Database as $crate::sqlx::Database>::URL_SCHEMES[0];
            let url = format!("{scheme}://nobody@127.0.0.1:1/none");
            let pool = $crate::sqlx::Pool::connect_lazy(&url).expect("a lazy pool");
            $crate::testing::Fixtures::<$dialect>::check_table_names(pool, $schema_tables);
        }

        #[::tokio::test]
        async fn connect_errors_are_typed_bounded_and_hide_the_password() {
            $crate::testing::Fixtures::<$dialect>::check_connect_errors().await;
        }
    };
    (@each_url $dialect:ty, $url:expr, $needs:literal, $($test:ident: $check:ident,)*) => {
        $(
            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[ignore = $needs]
            async fn $test() {
                let url = $crate::authly_session::testing::server_url($url);
                $crate::testing::Fixtures::<$dialect>::$check(&url).await;
            }
        )*
    };
}

/// Declares the fault test of a server-backed SQL backend,
/// `fault_server_stop_gives_errors_and_restart_recovers` ([`Fixtures::check_server_faults`]),
/// `#[ignore = $needs]`: it stops and restarts the server at the URL in `$url` with the commands
/// in `{$switch}_STOP` and `{$switch}_START`. Runners keep it apart from the other tests (its
/// name starts with `fault_`), since it disturbs every client of the server.
///
#[macro_export]
macro_rules! fault_test {
    ($dialect:ty, url: $url:expr, switch: $switch:expr, ignore: $needs:literal $(,)?) => {
        #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
        #[ignore = $needs]
        async fn fault_server_stop_gives_errors_and_restart_recovers() {
            $crate::testing::Fixtures::<$dialect>::check_server_faults($url, $switch).await;
        }
    };
}
