//! Captures every `tracing` event emitted while the suite runs, to check that none holds an id.
//!
//! Drivers log from tasks of their own (connection workers, reconnect loops), which a
//! subscriber scoped to the suite's future never sees. So the capture subscriber is also
//! installed as the process's global default when no other is, and every capture reads the
//! events recorded since it began, from whichever task.

use std::io;
use std::sync::{Arc, Mutex, OnceLock};

use tracing::Dispatch;

use super::semantic::{Semantic, ensure};

/// Every event recorded in this process, as text.
fn buffer() -> &'static Arc<Mutex<Vec<u8>>> {
    static BUFFER: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    BUFFER.get_or_init(Default::default)
}

/// A subscriber that records every event at every level, with all fields.
fn capture_dispatch() -> &'static Dispatch {
    static DISPATCH: OnceLock<Dispatch> = OnceLock::new();
    DISPATCH.get_or_init(|| {
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(|| CaptureWriter(buffer().clone()))
            .finish();
        let dispatch = Dispatch::new(subscriber);
        // Fails when the test binary installed its own: then only the suite's own future is seen.
        let _ = tracing::dispatcher::set_global_default(dispatch.clone());
        dispatch
    })
}

struct CaptureWriter(Arc<Mutex<Vec<u8>>>);

impl io::Write for CaptureWriter {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        lock(&self.0).extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn lock(buffer: &Mutex<Vec<u8>>) -> std::sync::MutexGuard<'_, Vec<u8>> {
    buffer
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The events recorded from the moment it was made.
pub(crate) struct LogCapture {
    start: usize,
}

impl LogCapture {
    pub(crate) fn new() -> Self {
        let _ = capture_dispatch();
        LogCapture {
            start: lock(buffer()).len(),
        }
    }

    /// The capture subscriber, to scope to a future with `with_subscriber`.
    pub(crate) fn dispatch(&self) -> Dispatch {
        capture_dispatch().clone()
    }

    pub(crate) fn text(&self) -> String {
        let buffer = lock(buffer());
        String::from_utf8_lossy(buffer.get(self.start..).unwrap_or_default()).into_owned()
    }
}

pub(crate) fn assert_no_id_logged(capture: &LogCapture, ids: &[String]) {
    let text = capture.text();
    for id in ids.iter().filter(|id| id.len() >= 8) {
        ensure!(
            Semantic::SECRET_ID,
            !text.contains(id.as_str()),
            "a log line holds the full session id {}",
            crate::session_id::redact_session_id(id)
        );
    }
}
