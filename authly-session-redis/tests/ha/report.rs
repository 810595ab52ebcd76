//! What a run measured around one event, and the checks of semantic 29 on it.

use std::time::Duration;

use super::load::{Call, Outcome, ReadBack};

/// The share of the baseline throughput the store must be back to.
const RECOVERED: f64 = 0.8;

/// How soon after the cluster settles the store must be back to [`RECOVERED`].
pub const RECOVERY_LIMIT: Duration = Duration::from_secs(5);

/// The window over which throughput is measured.
const RATE_WINDOW: Duration = Duration::from_secs(1);

/// The calls before this are left out of the baseline (connections warming up).
const WARM_UP: Duration = Duration::from_secs(1);

/// One run's figures; times are from the run's start.
#[derive(Debug)]
pub struct Report {
    pub event: &'static str,
    /// The store's `Debug` after the run (it counts connection replacements).
    pub store: String,
    pub callers: usize,
    /// When the event was made.
    pub event_at: Duration,
    /// When the cluster was next seen settled (every slot served, every node agreeing, ok).
    pub settled_at: Duration,
    pub calls: usize,
    pub errors: usize,
    /// Errors of calls that ended before the event or started after the cluster settled.
    pub errors_outside: usize,
    /// The first such error, for the failure message.
    pub first_error_outside: Option<String>,
    /// The longest single call.
    pub longest_call: Duration,
    /// The longest time in which no call succeeded.
    pub longest_stall: Duration,
    /// Successful calls per second before the event.
    pub baseline: f64,
    /// When (after `settled_at`) the first second with at least 80 % of the baseline ended.
    pub back_after: Option<Duration>,
    pub acknowledged: usize,
    pub lost: usize,
    /// Acknowledged sessions that could not be read back after the run (errors).
    pub unreadable: usize,
    /// Saves that returned an error, and how many of those sessions were stored all the same.
    pub failed_saves: (usize, usize),
    /// Each distinct error message (its first 120 characters) and how often it came.
    pub error_kinds: std::collections::BTreeMap<String, usize>,
    /// Successful calls in each second from 2 s before the event to the end.
    pub per_second: Vec<usize>,
    /// Wrong answers seen by the callers (a listing missing a session, ...).
    pub wrong: Vec<String>,
}

impl Report {
    /// The figures of `outcome`, given the event's times and what reading back the acknowledged
    /// sessions and those whose save failed found afterwards.
    pub fn new(
        event: &'static str,
        callers: usize,
        outcome: &Outcome,
        (event_at, settled_at): (Duration, Duration),
        acknowledged: ReadBack,
        failed_saves: ReadBack,
    ) -> Report {
        let failed: Vec<&Call> = outcome.calls.iter().filter(|c| c.error.is_some()).collect();
        let outside: Vec<&&Call> = failed
            .iter()
            .filter(|call| call.end() < event_at || call.start > settled_at)
            .collect();
        let mut ends: Vec<Duration> = outcome
            .calls
            .iter()
            .filter(|call| call.error.is_none())
            .map(Call::end)
            .collect();
        ends.sort();
        // From the first success to the end of the run (a client that stopped answering stalls
        // until then).
        let run_end = outcome
            .calls
            .iter()
            .map(Call::end)
            .max()
            .unwrap_or_default();
        let longest_stall = ends
            .windows(2)
            .map(|pair| pair[1] - pair[0])
            .chain(ends.last().map(|last| run_end.saturating_sub(*last)))
            .max()
            .unwrap_or_default();
        let in_window = |from: Duration, to: Duration| {
            ends.partition_point(|end| *end < to) - ends.partition_point(|end| *end < from)
        };
        let baseline = in_window(WARM_UP, event_at) as f64 / (event_at - WARM_UP).as_secs_f64();
        let last_end = ends.last().copied().unwrap_or_default();
        let back_after = (0..)
            .map(|step| settled_at + Duration::from_millis(100) * step)
            .take_while(|from| *from + RATE_WINDOW <= last_end)
            .find(|from| {
                in_window(*from, *from + RATE_WINDOW) as f64
                    >= RECOVERED * baseline * RATE_WINDOW.as_secs_f64()
            })
            .map(|from| from + RATE_WINDOW - settled_at);
        let mut error_kinds = std::collections::BTreeMap::new();
        for call in &failed {
            let message: String = call
                .error
                .iter()
                .flat_map(|e| e.chars())
                .take(120)
                .collect();
            *error_kinds.entry(message).or_insert(0) += 1;
        }
        let per_second = (0..)
            .map(|second| {
                event_at.saturating_sub(Duration::from_secs(2)) + Duration::from_secs(second)
            })
            .take_while(|from| *from < last_end)
            .map(|from| in_window(from, from + Duration::from_secs(1)))
            .collect();
        Report {
            event,
            store: String::new(),
            error_kinds,
            per_second,
            callers,
            event_at,
            settled_at,
            calls: outcome.calls.len(),
            errors: failed.len(),
            errors_outside: outside.len(),
            first_error_outside: outside.first().and_then(|call| call.error.clone()),
            longest_call: outcome
                .calls
                .iter()
                .map(|c| c.took)
                .max()
                .unwrap_or_default(),
            longest_stall,
            baseline,
            back_after,
            acknowledged: outcome.acknowledged.len(),
            lost: acknowledged.missing,
            unreadable: acknowledged.unreadable,
            failed_saves: (outcome.failed_saves.len(), failed_saves.found),
            wrong: outcome.wrong.clone(),
        }
    }

    /// One line with every figure.
    pub fn summary(&self) -> String {
        let back = self.back_after.map_or_else(
            || "never".to_owned(),
            |d| format!("{:.2} s", d.as_secs_f64()),
        );
        format!(
            "{}, {} callers: cluster unsettled for {:.2} s; {} calls, {} errors ({} outside that \
             window), longest call {} ms, longest stall {} ms, baseline {:.0} ops/s, back to 80 % \
             {back} after settling, {} acknowledged, {} lost, {} unreadable after, {} wrong answers, {} failed saves of \
             which {} were stored",
            self.event,
            self.callers,
            (self.settled_at - self.event_at).as_secs_f64(),
            self.calls,
            self.errors,
            self.errors_outside,
            self.longest_call.as_millis(),
            self.longest_stall.as_millis(),
            self.baseline,
            self.acknowledged,
            self.lost,
            self.unreadable,
            self.wrong.len(),
            self.failed_saves.0,
            self.failed_saves.1,
        ) + &format!(
            "; successes per second from 2 s before the event: {:?}; errors: {:?}; {}",
            self.per_second, self.error_kinds, self.store
        )
    }

    /// Semantic 29 on this run: errors only while the cluster was unsettled (none at all when
    /// `errors_allowed` is false), no call past `timeout`, back to 80 % of the baseline within
    /// 5 s of settling, nothing acknowledged lost, every listing complete.
    ///
    /// # Panics
    ///
    /// When one fails, with the summary.
    pub fn check(&self, errors_allowed: bool, timeout: Duration) {
        let summary = self.summary();
        println!("{summary}");
        if errors_allowed {
            assert_eq!(
                self.errors_outside, 0,
                "errors outside the window the cluster could not serve: {summary}; first: {:?}",
                self.first_error_outside
            );
        } else {
            assert_eq!(
                self.errors, 0,
                "errors although the cluster served every slot: {summary}"
            );
        }
        assert!(
            self.longest_call <= timeout,
            "a call outlived its timeout: {summary}"
        );
        assert!(
            self.back_after.is_some_and(|back| back <= RECOVERY_LIMIT),
            "throughput not back to 80 % within {RECOVERY_LIMIT:?}: {summary}"
        );
        assert!(self.baseline > 0.0, "no baseline throughput: {summary}");
        assert_eq!(self.lost, 0, "acknowledged sessions lost: {summary}");
        assert_eq!(
            self.unreadable, 0,
            "sessions unreadable after the event: {summary}"
        );
        assert!(self.wrong.is_empty(), "{:?}: {summary}", self.wrong);
    }
}
