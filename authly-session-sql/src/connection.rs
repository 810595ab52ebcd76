//! A pool connection held for one operation, and what its failures mean.
//!
//! An operation abandoned halfway (its timeout passed while a statement was running) drops its
//! connection mid-statement. Returned to the pool, sqlx would test it first, waiting for the
//! abandoned statement's answer: forever, if the network silently lost the server. So a
//! connection dropped while held is closed instead (where the dialect wants it), and the pool
//! opens a fresh one when needed.

use std::ops::{Deref, DerefMut};

use authly_session::SessionError;
use sqlx::pool::PoolConnection;
use sqlx::{Database, Pool};

use crate::Dialect;

/// A connection of `D`'s pool, taken for one operation. Call [`Held::release`] when the
/// operation is over; dropped without it, the connection is closed (if `D::CLOSE_ABANDONED`).
pub(crate) struct Held<D: Dialect> {
    connection: PoolConnection<D::Database>,
    released: bool,
}

impl<D: Dialect> Held<D> {
    /// A connection from `pool`, for `operation` (named in the error).
    pub(crate) async fn acquire(
        pool: &Pool<D::Database>,
        operation: &str,
    ) -> Result<Self, SessionError> {
        let connection = pool
            .acquire()
            .await
            .map_err(|e| failure::<D>(operation, e))?;
        Ok(Held {
            connection,
            released: false,
        })
    }

    /// Hands the connection back to the pool: the operation is over, its statement answered.
    pub(crate) fn release(mut self) {
        self.released = true;
    }
}

impl<D: Dialect> Deref for Held<D> {
    type Target = <D::Database as Database>::Connection;

    fn deref(&self) -> &Self::Target {
        &self.connection
    }
}

impl<D: Dialect> DerefMut for Held<D> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.connection
    }
}

impl<D: Dialect> Drop for Held<D> {
    fn drop(&mut self) {
        if !self.released && D::CLOSE_ABANDONED {
            self.connection.close_on_drop();
        }
    }
}

/// `error` from `operation` as a [`SessionError`]: a timeout when the pool had no connection in
/// time or the server gave up waiting ([`Dialect::is_timeout`]), a backend failure otherwise.
pub(crate) fn failure<D: Dialect>(operation: &str, error: sqlx::Error) -> SessionError {
    if matches!(error, sqlx::Error::PoolTimedOut) || D::is_timeout(&error) {
        tracing::debug!(operation, %error, "the database did not answer in time");
        SessionError::Timeout {
            context: operation.to_owned(),
        }
    } else {
        SessionError::backend(operation, error)
    }
}
