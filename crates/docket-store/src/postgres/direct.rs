//! Connections for the pipeline's hot single statements, without sqlx's pool.
//!
//! sqlx's pool tests every connection when it comes back (a `Sync` round trip
//! to the server after every query), which doubled the round trips of the
//! statements every document makes several times (lease, transition, claims).
//! This pool hands a connection back without that test, and stays safe the
//! other way: a connection goes back only when its statement finished (a
//! result, or an error the server reported); one whose statement was cut off
//! (an I/O error, or the future dropped mid-flight) is closed, never reused.
//! A transaction goes back only after its commit ([`Taken::give_back`]).

use std::sync::Mutex;

use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{ConnectOptions, Error};
use tokio::sync::{Semaphore, SemaphorePermit};

use crate::StoreResult;

/// A bounded set of connections opened on demand and kept while idle.
#[derive(Debug)]
pub(super) struct DirectPool {
    options: PgConnectOptions,
    idle: Mutex<Vec<PgConnection>>,
    permits: Semaphore,
}

/// One connection taken from a [`DirectPool`].
pub(super) struct Taken<'a> {
    conn: Option<PgConnection>,
    pool: &'a DirectPool,
    _permit: SemaphorePermit<'a>,
}

impl DirectPool {
    /// At most `size` connections with `options`.
    pub fn new(options: PgConnectOptions, size: u32) -> Self {
        DirectPool {
            options,
            idle: Mutex::new(Vec::new()),
            permits: Semaphore::new(usize::try_from(size.max(1)).unwrap_or(1)),
        }
    }

    /// An idle connection, or a new one when none is idle.
    pub async fn take(&self) -> StoreResult<Taken<'_>> {
        let permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| crate::StoreError::Transient("the store is closing".to_string()))?;
        let idle = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        let conn = match idle {
            Some(conn) => conn,
            None => self.options.connect().await?,
        };
        Ok(Taken {
            conn: Some(conn),
            pool: self,
            _permit: permit,
        })
    }
}

impl DirectPool {
    /// Runs one statement on a connection of the pool.
    pub async fn run<T>(
        &self,
        statement: impl AsyncFnOnce(&mut PgConnection) -> Result<T, Error>,
    ) -> StoreResult<T> {
        let mut taken = self.take().await?;
        let result = statement(taken.conn()).await;
        Ok(taken.finish(result)?)
    }
}

impl Taken<'_> {
    /// The connection, to run one statement on.
    pub fn conn(&mut self) -> &mut PgConnection {
        // Present until `finish` consumes the guard.
        self.conn
            .as_mut()
            .expect("a taken connection is present until finished")
    }

    /// Gives the connection back after work that finished well (a committed
    /// transaction). A guard dropped without this closes its connection.
    pub fn give_back(self) {
        let _ = self.finish(Ok::<(), Error>(()));
    }

    /// Returns the statement's result, giving the connection back when the
    /// statement finished (a result, or an error the server reported).
    pub fn finish<T>(mut self, result: Result<T, Error>) -> Result<T, Error> {
        let finished = matches!(
            &result,
            Ok(_) | Err(Error::Database(_) | Error::RowNotFound)
        );
        if finished
            && let Some(conn) = self.conn.take()
            && let Ok(mut idle) = self.pool.idle.lock()
        {
            idle.push(conn);
        }
        result
    }
}
