//! Coalesced writes: the saves and deletes that arrive while a write is in flight queue, and the
//! next round sends them together, one multi-row statement per kind.
//!
//! - A write that finds a round free goes out at once, alone: no added wait at low load.
//! - A round holds at most one write per handle, and a write waits while an earlier write to
//!   its handle is queued or in flight, so writes to one handle run in the order they arrived.
//! - Each caller gets its own result, and only after the statement carrying its write has
//!   committed (every statement runs in autocommit). When a multi-row statement fails (and a
//!   retry cannot help), each of its writes runs again on its own, so one bad write fails only
//!   its own caller.
//! - Rounds run in tasks of their own: a caller that gives up (its timeout passed, its future
//!   was dropped) never cancels the writes of others. A write whose caller gave up before its
//!   round started is not sent.

use std::collections::{HashSet, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use authly_session::SessionError;
use authly_session::store_kit::SessionRow;
use sqlx::{Database, Encode, Executor, IntoArguments, Pool, Type};
use tokio::sync::oneshot;
use tokio::time::Instant;

use crate::Dialect;
use crate::retry::write_with_retry;
use crate::statements::{MAX_ROWS_PER_STATEMENT, Prepared};

/// One write a round can carry.
pub(crate) enum Write {
    /// Insert or replace this row.
    Upsert(SessionRow),
    /// Remove the session with this handle, whatever its expiry.
    Delete(String),
}

impl Write {
    fn handle(&self) -> &str {
        match self {
            Write::Upsert(row) => &row.handle,
            Write::Delete(handle) => handle,
        }
    }
}

/// A write waiting for its round, with where its result goes.
struct Pending {
    write: Write,
    /// The caller's operation (`save_session`), named in its errors.
    operation: &'static str,
    /// When the caller stops waiting.
    deadline: Instant,
    reply: oneshot::Sender<Result<(), SessionError>>,
}

/// What the queue holds between rounds.
#[derive(Default)]
struct Queue {
    waiting: VecDeque<Pending>,
    /// Handles of the writes in rounds now running.
    in_flight: HashSet<String>,
    /// Rounds now running.
    rounds: usize,
}

impl Queue {
    /// The next round: the waiting writes, in order, whose handle is neither in flight nor
    /// already in this round (nor held back behind an earlier write to it), at most
    /// [`MAX_ROWS_PER_STATEMENT`]. Writes whose caller gave up are dropped unsent.
    fn take_round(&mut self) -> Vec<Pending> {
        let now = Instant::now();
        let mut round = Vec::new();
        let mut held_back = VecDeque::new();
        let mut handles: HashSet<String> = HashSet::new();
        while let Some(pending) = self.waiting.pop_front() {
            if pending.reply.is_closed() || pending.deadline <= now {
                continue;
            }
            let handle = pending.write.handle();
            if round.len() == MAX_ROWS_PER_STATEMENT
                || self.in_flight.contains(handle)
                || handles.contains(handle)
            {
                // Later writes to this handle stay behind this one.
                handles.insert(handle.to_owned());
                held_back.push_back(pending);
            } else {
                handles.insert(handle.to_owned());
                round.push(pending);
            }
        }
        self.waiting = held_back;
        for pending in &round {
            self.in_flight.insert(pending.write.handle().to_owned());
        }
        round
    }
}

/// The write queue of one table: saves and deletes go through it (see the module docs).
pub(crate) struct Coalescer<D: Dialect> {
    writer: Pool<D::Database>,
    statements: Arc<Prepared>,
    queue: Mutex<Queue>,
    /// Multi-row statements that succeeded.
    together: AtomicU64,
    /// Multi-row statements that failed, whose writes then ran on their own.
    split: AtomicU64,
}

/// How the queue of one table has sent its writes so far, for tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct WriteCounts {
    /// Multi-row statements that succeeded.
    pub(crate) together: u64,
    /// Multi-row statements that failed, whose writes then ran on their own.
    pub(crate) split: u64,
}

impl<D: Dialect> Coalescer<D> {
    /// A queue writing through `writer` with `statements`.
    pub(crate) fn new(writer: Pool<D::Database>, statements: Arc<Prepared>) -> Self {
        Coalescer {
            writer,
            statements,
            queue: Mutex::new(Queue::default()),
            together: AtomicU64::new(0),
            split: AtomicU64::new(0),
        }
    }

    /// How this queue has sent its writes so far.
    #[cfg_attr(not(feature = "testing"), allow(dead_code))]
    pub(crate) fn counts(&self) -> WriteCounts {
        WriteCounts {
            together: self.together.load(Ordering::Relaxed),
            split: self.split.load(Ordering::Relaxed),
        }
    }

    /// Rounds that may run at once.
    const ROUNDS: usize = if D::WRITE_ROUNDS == 0 {
        1
    } else {
        D::WRITE_ROUNDS
    };

    fn lock(&self) -> std::sync::MutexGuard<'_, Queue> {
        // The queue is consistent between statements: a panic elsewhere leaves nothing half done.
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl<D: Dialect> Coalescer<D>
where
    for<'c> &'c mut <D::Database as Database>::Connection: Executor<'c, Database = D::Database>,
    <D::Database as Database>::Arguments: IntoArguments<D::Database>,
    for<'q> String: Encode<'q, D::Database> + Type<D::Database>,
{
    /// Sends `write` and waits for its result: at once in the caller's task when it is alone
    /// (no round running it must wait for, nothing queued), else queued for the next round.
    /// Gives up at `deadline` with [`SessionError::Timeout`]; a queued write is then sent only
    /// if its round had started.
    pub(crate) async fn submit(
        self: &Arc<Self>,
        operation: &'static str,
        write: Write,
        deadline: Instant,
    ) -> Result<(), SessionError> {
        let (reply, result) = oneshot::channel();
        let round = {
            let mut queue = self.lock();
            let alone = queue.waiting.is_empty()
                && queue.rounds < Self::ROUNDS
                && !queue.in_flight.contains(write.handle());
            if alone {
                queue.rounds += 1;
                queue.in_flight.insert(write.handle().to_owned());
                Err(write)
            } else {
                queue.waiting.push_back(Pending {
                    write,
                    operation,
                    deadline,
                    reply,
                });
                Ok(self.start_round(&mut queue))
            }
        };
        let round = match round {
            Ok(round) => round,
            Err(write) => {
                // Only this caller's write is in this round: cancelling it harms no one else.
                let _slot = self.slot(vec![write.handle().to_owned()]);
                return self.execute(operation, &[&write]).await;
            }
        };
        if let Some(round) = round {
            self.spawn(round);
        }
        match tokio::time::timeout_at(deadline, result).await {
            Ok(Ok(result)) => result,
            // The round's task ended without answering: it ran out of time.
            Ok(Err(_)) | Err(_) => Err(SessionError::Timeout {
                context: operation.to_owned(),
            }),
        }
    }

    /// A round to start now, if one is free and a write can go.
    fn start_round(&self, queue: &mut Queue) -> Option<Vec<Pending>> {
        if queue.rounds >= Self::ROUNDS {
            return None;
        }
        let round = queue.take_round();
        if round.is_empty() {
            return None;
        }
        queue.rounds += 1;
        Some(round)
    }

    /// The claim of a round writing `handles`, which has been counted among the running ones.
    fn slot(self: &Arc<Self>, handles: Vec<String>) -> RoundSlot<D> {
        RoundSlot {
            coalescer: self.clone(),
            handles,
            start: Self::spawn,
        }
    }

    /// Runs `round` in a task of its own.
    fn spawn(self: &Arc<Self>, round: Vec<Pending>) {
        tokio::spawn(self.clone().drive(round));
    }

    /// Runs `round` and answers its callers; its slot then starts what queued meanwhile.
    async fn drive(self: Arc<Self>, mut round: Vec<Pending>) {
        let _slot = self.slot(round.iter().map(|p| p.write.handle().to_owned()).collect());
        let Some(deadline) = round.iter().map(|p| p.deadline).max() else {
            return;
        };
        match tokio::time::timeout_at(deadline, self.run(&round)).await {
            Ok(results) => {
                for (pending, result) in round.drain(..).zip(results) {
                    // A caller that gave up no longer listens.
                    let _ = pending.reply.send(result);
                }
            }
            // Dropping the senders tells the callers still waiting that time ran out.
            Err(_) => round.clear(),
        }
    }

    /// Every write of `round`, as one statement per kind; the results in the round's order.
    async fn run(&self, round: &[Pending]) -> Vec<Result<(), SessionError>> {
        let mut results: Vec<Option<Result<(), SessionError>>> =
            std::iter::repeat_with(|| None).take(round.len()).collect();
        let (upserts, deletes): (Vec<usize>, Vec<usize>) =
            (0..round.len()).partition(|&i| matches!(round[i].write, Write::Upsert(_)));
        for indexes in [upserts, deletes] {
            self.run_kind(round, indexes, &mut results).await;
        }
        results
            .into_iter()
            .map(|r| r.unwrap_or_else(|| Ok(())))
            .collect()
    }

    /// The writes of one kind at `indexes` of `round`: together when there are several, each
    /// on its own when that fails.
    async fn run_kind(
        &self,
        round: &[Pending],
        mut indexes: Vec<usize>,
        results: &mut [Option<Result<(), SessionError>>],
    ) {
        if indexes.is_empty() {
            return;
        }
        // Concurrent rounds lock their rows in one order: no deadlock between them.
        indexes.sort_by(|&a, &b| round[a].write.handle().cmp(round[b].write.handle()));
        let writes: Vec<&Write> = indexes.iter().map(|&i| &round[i].write).collect();
        let together = match writes.len() {
            1 => None,
            _ => Some(self.execute(round[indexes[0]].operation, &writes).await),
        };
        match together {
            Some(Ok(())) => {
                self.together.fetch_add(1, Ordering::Relaxed);
                for i in indexes {
                    results[i] = Some(Ok(()));
                }
            }
            Some(Err(error)) => {
                self.split.fetch_add(1, Ordering::Relaxed);
                tracing::debug!(%error, rows = writes.len(), "a coalesced write failed; each of its writes runs on its own");
                for i in indexes {
                    let (operation, write) = (round[i].operation, &round[i].write);
                    results[i] = Some(self.execute(operation, &[write]).await);
                }
            }
            None => {
                let i = indexes[0];
                results[i] = Some(self.execute(round[i].operation, &writes).await);
            }
        }
    }

    /// One statement carrying `writes`, all of one kind.
    async fn execute(&self, operation: &str, writes: &[&Write]) -> Result<(), SessionError> {
        let statement = match writes[0] {
            Write::Upsert(_) => self.statements.upsert.rows(writes.len()),
            Write::Delete(_) => self.statements.delete.rows(writes.len()),
        };
        write_with_retry::<D>(&self.writer, operation, || {
            let mut query = sqlx::query(statement.clone());
            for write in writes {
                query = match write {
                    Write::Upsert(row) => query
                        .bind(row.handle.clone())
                        .bind(row.identity_key.clone())
                        .bind(row.payload.clone())
                        .bind(D::to_expiry(row.created_at))
                        .bind(D::to_expiry(row.last_seen_at))
                        .bind(D::to_expiry(row.expires_at)),
                    Write::Delete(handle) => query.bind(handle.clone()),
                };
            }
            query
        })
        .await
        .map(drop)
    }
}

/// A running round's claim: its place among the rounds and the handles it writes. Dropped when
/// the round ends (done, or its task or caller cancelled), it hands both back and starts what
/// queued meanwhile, so no write waits behind a round that is over.
struct RoundSlot<D: Dialect> {
    coalescer: Arc<Coalescer<D>>,
    handles: Vec<String>,
    /// How a round is started ([`Coalescer::spawn`]).
    start: fn(&Arc<Coalescer<D>>, Vec<Pending>),
}

impl<D: Dialect> Drop for RoundSlot<D> {
    fn drop(&mut self) {
        let coalescer = &self.coalescer;
        let (next, extra) = {
            let mut queue = coalescer.lock();
            for handle in self.handles.drain(..) {
                queue.in_flight.remove(&handle);
            }
            let next = queue.take_round();
            if next.is_empty() {
                queue.rounds -= 1;
            }
            // More than one round's worth may be waiting: start another while one is free.
            let extra = match queue.rounds < Coalescer::<D>::ROUNDS {
                true => queue.take_round(),
                false => Vec::new(),
            };
            if !extra.is_empty() {
                queue.rounds += 1;
            }
            (next, extra)
        };
        let runtime = tokio::runtime::Handle::try_current().is_ok();
        for round in [next, extra] {
            if round.is_empty() {
                continue;
            }
            if runtime {
                (self.start)(coalescer, round);
            } else {
                // No runtime left to run it (it is shutting down): the callers hear that time
                // ran out.
                coalescer.lock().rounds -= 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending(handle: &str) -> (Pending, oneshot::Receiver<Result<(), SessionError>>) {
        let (reply, receiver) = oneshot::channel();
        let deadline = Instant::now() + std::time::Duration::from_secs(60);
        let write = Write::Delete(handle.to_owned());
        let pending = Pending {
            write,
            operation: "delete_session",
            deadline,
            reply,
        };
        (pending, receiver)
    }

    fn handles(round: &[Pending]) -> Vec<&str> {
        round.iter().map(|p| p.write.handle()).collect()
    }

    #[test]
    fn a_round_holds_one_write_per_handle_and_later_writes_keep_their_order() {
        let mut queue = Queue::default();
        let mut listening = Vec::new();
        for handle in ["a", "b", "a", "c", "a", "b"] {
            let (pending, receiver) = pending(handle);
            queue.waiting.push_back(pending);
            listening.push(receiver);
        }
        let first = queue.take_round();
        assert_eq!(handles(&first), ["a", "b", "c"]);
        // While the first round runs, its handles stay out of any other round.
        assert!(queue.take_round().is_empty());
        for handle in handles(&first) {
            queue.in_flight.remove(handle);
        }
        let second = queue.take_round();
        assert_eq!(handles(&second), ["a", "b"]);
        for handle in handles(&second) {
            queue.in_flight.remove(handle);
        }
        assert_eq!(handles(&queue.take_round()), ["a"]);
    }

    #[test]
    fn a_write_behind_a_running_one_waits_for_it() {
        let mut queue = Queue::default();
        queue.in_flight.insert("a".to_owned());
        let (first, _r1) = pending("a");
        let (second, _r2) = pending("b");
        queue.waiting.extend([first, second]);
        assert_eq!(handles(&queue.take_round()), ["b"]);
        assert_eq!(queue.waiting.len(), 1);
    }

    #[test]
    fn writes_whose_caller_gave_up_are_not_sent() {
        let mut queue = Queue::default();
        let (gone, receiver) = pending("a");
        drop(receiver);
        let (kept, _receiver) = pending("b");
        queue.waiting.extend([gone, kept]);
        assert_eq!(handles(&queue.take_round()), ["b"]);
        assert!(queue.waiting.is_empty());
    }

    #[test]
    fn a_round_is_at_most_one_statement_of_rows() {
        let mut queue = Queue::default();
        let mut listening = Vec::new();
        for i in 0..MAX_ROWS_PER_STATEMENT + 5 {
            let (pending, receiver) = pending(&format!("h{i}"));
            queue.waiting.push_back(pending);
            listening.push(receiver);
        }
        assert_eq!(queue.take_round().len(), MAX_ROWS_PER_STATEMENT);
        assert_eq!(queue.take_round().len(), 5);
    }
}
