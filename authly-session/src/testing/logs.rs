//! Captures every `tracing` event emitted while the suite runs, to check that none holds an id.

use std::io;
use std::sync::{Arc, Mutex};

use tracing::Dispatch;

use super::semantic::{SECRET_ID, ensure};

#[derive(Clone, Default)]
pub(crate) struct LogCapture {
    buffer: Arc<Mutex<Vec<u8>>>,
}

struct CaptureWriter(Arc<Mutex<Vec<u8>>>);

impl io::Write for CaptureWriter {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .expect("log buffer poisoned")
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl LogCapture {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// A subscriber that records every event at every level, with all fields.
    pub(crate) fn dispatch(&self) -> Dispatch {
        let buffer = self.buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || CaptureWriter(buffer.clone()))
            .finish();
        Dispatch::new(subscriber)
    }

    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.buffer.lock().expect("log buffer poisoned")).into_owned()
    }
}

pub(crate) fn assert_no_id_logged(capture: &LogCapture, ids: &[String]) {
    let text = capture.text();
    for id in ids.iter().filter(|id| id.len() >= 8) {
        ensure!(
            SECRET_ID,
            !text.contains(id.as_str()),
            "a log line holds the full session id {}",
            crate::redact_session_id(id)
        );
    }
}
