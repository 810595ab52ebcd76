//! Results as JSON (one file per backend) and as the Markdown table comparing store and raw.

use std::fmt::Write as _;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::machine::Machine;
use crate::measure::Sample;
use crate::workload::Op;

/// The concurrency at which the throughput bars apply.
pub const BAR_CONCURRENCY: u32 = 32;

/// The concurrency at which the latency bar of a lone request applies (issue 14: coalescing
/// must add no latency when a write arrives alone).
pub const SOLO_CONCURRENCY: u32 = 1;

/// What the store must reach against one side in one cell; `None` is not judged.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Bar {
    /// Least store/side ratio of ops/s.
    pub min_ops: Option<f64>,
    /// Greatest store/side ratio of p50.
    pub max_p50: Option<f64>,
    /// Greatest store/side ratio of p99.
    pub max_p99: Option<f64>,
    /// Greatest p99 of the store, in milliseconds.
    pub max_p99_ms: Option<f64>,
}

/// Whether `backend` (a report's backend name) is one of the SQL backends.
pub fn is_sql(backend: &str) -> bool {
    matches!(backend, "sqlite" | "postgres" | "mysql" | "mariadb")
}

/// The bar against a side of `role` in `op` at `concurrency` on `backend`, if any.
///
/// SQL backends (issue 14; the p99 bar against the floor is issue 5's):
/// - against the raw one-statement-per-request side (`Floor`): at c=32 ops/s >= 1.0x and p99 <=
///   1.2x, except SQLite `save`: ops/s >= 3x the single writer and p99 <= 10 ms; at c=1 p50 <=
///   1.05x;
/// - against tower-sessions' store (`Peer`): at c=32 ops/s >= 1.1x;
/// - against the same store on the smaller table (`Baseline`, the scale mode): at c=32 ops/s >=
///   0.8x (within 20 %).
///
/// Redis (issue 12), at c=32: against the plain key-value workload (`Plain`) `load` ops/s >=
/// 0.9x; against tower-sessions (`Peer`) ops/s >= 1.2x for writes and >= 1.0x for `load`, p99
/// <= 1.0x.
pub fn bar(backend: &str, role: Role, op: &str, concurrency: u32) -> Option<Bar> {
    let write = op != Op::Load.name();
    if is_sql(backend) {
        return match (role, concurrency) {
            (Role::Floor, SOLO_CONCURRENCY) => Some(Bar {
                max_p50: Some(1.05),
                ..Bar::default()
            }),
            (Role::Floor, BAR_CONCURRENCY) if backend == "sqlite" && op == Op::Save.name() => {
                Some(Bar {
                    min_ops: Some(3.0),
                    max_p99_ms: Some(10.0),
                    ..Bar::default()
                })
            }
            (Role::Floor, BAR_CONCURRENCY) => Some(Bar {
                min_ops: Some(1.0),
                max_p99: Some(1.2),
                ..Bar::default()
            }),
            (Role::Peer, BAR_CONCURRENCY) => Some(Bar {
                min_ops: Some(1.1),
                ..Bar::default()
            }),
            (Role::Baseline, BAR_CONCURRENCY) => Some(Bar {
                min_ops: Some(0.8),
                ..Bar::default()
            }),
            _ => None,
        };
    }
    if concurrency != BAR_CONCURRENCY {
        return None;
    }
    match role {
        Role::Plain if !write => Some(Bar {
            min_ops: Some(0.9),
            ..Bar::default()
        }),
        Role::Peer => Some(Bar {
            min_ops: Some(if write { 1.2 } else { 1.0 }),
            max_p99: Some(1.0),
            ..Bar::default()
        }),
        _ => None,
    }
}

/// What a side is for in the comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The session store under test.
    Store,
    /// The raw driver running the store's own statements with its pool layout: what the
    /// store's code costs.
    Floor,
    /// The plain key-value workload without the identity index (GET/SET on Redis): what the
    /// design costs.
    Plain,
    /// Another session store a user would pick instead, on an equal connection setup.
    Peer,
    /// Another raw setup shown for reference (e.g. SQLite's naive single pool, or the store's
    /// loads before a cleanup): no bar.
    Reference,
    /// The same store on the smaller table of a scale run (10,000 sessions): the larger
    /// table's figures must stay within 20 % of it.
    Baseline,
}

/// One side of a backend's comparison.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SideInfo {
    /// Short name used in the table (`store`, `raw`, `raw-naive`).
    pub name: String,
    /// How it connects: pools, sizes, settings.
    pub setup: String,
    /// Store, floor or reference.
    pub role: Role,
}

/// The figures of one side in one cell.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CellResult {
    /// `load`, `save` or `create+delete`.
    pub operation: String,
    /// Concurrent tasks.
    pub concurrency: u32,
    /// The side's name.
    pub side: String,
    /// Successful operations measured.
    pub ops: u64,
    /// Successful operations per second.
    pub ops_per_sec: f64,
    /// Median latency in milliseconds.
    pub p50_ms: f64,
    /// 99th-percentile latency in milliseconds.
    pub p99_ms: f64,
    /// Failed operations.
    pub errors: u64,
    /// The first failure's message, if any.
    pub first_error: Option<String>,
}

impl CellResult {
    /// The figures of `sample`.
    pub fn new(op: Op, concurrency: u32, side: &str, sample: &Sample) -> Self {
        let stats = sample.stats();
        CellResult {
            operation: op.name().to_owned(),
            concurrency,
            side: side.to_owned(),
            ops: stats.ops,
            ops_per_sec: stats.ops_per_sec,
            p50_ms: stats.p50_ms,
            p99_ms: stats.p99_ms,
            errors: sample.errors,
            first_error: sample.first_error.clone(),
        }
    }

    /// One progress line.
    pub fn summary(&self) -> String {
        let mut line = format!(
            "{} c={} {}: {:.0} ops/s, p50 {} ms, p99 {} ms",
            self.operation,
            self.concurrency,
            self.side,
            self.ops_per_sec,
            ms(self.p50_ms),
            ms(self.p99_ms)
        );
        if self.errors > 0 {
            let _ = write!(
                line,
                ", {} errors (first: {})",
                self.errors,
                self.first_error.as_deref().unwrap_or("?")
            );
        }
        line
    }
}

/// Everything measured for one backend: the JSON written under `target/bench/`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BackendReport {
    /// Backend name (`sqlite`, `postgres`, `mariadb`, ...).
    pub backend: String,
    /// Server (or library) and version.
    pub server: String,
    /// The machine the client and server shared.
    pub machine: Machine,
    /// Measured seconds per side and cell.
    pub seconds: f64,
    /// Alternating rounds per cell.
    pub rounds: u32,
    /// Pre-populated sessions per table.
    pub sessions: usize,
    /// Smallest and largest stored payload, in bytes.
    pub payload_bytes: (usize, usize),
    /// The sides compared.
    pub sides: Vec<SideInfo>,
    /// Every side's figures in every cell.
    pub cells: Vec<CellResult>,
    /// What a cleanup run (`--cleanup`) measured of `delete_expired`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cleanup: Option<Cleanup>,
}

/// A cleanup run: the store's `delete_expired`, called until it returns 0, through a table of
/// expired rows while loads of live sessions run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cleanup {
    /// Expired rows in the table before the cleanup.
    pub expired_rows: u64,
    /// Rows gone from the table after it (counted before and after).
    pub removed: u64,
    /// Wall time from the first `delete_expired` call to the one that returned 0.
    pub seconds: f64,
    /// `delete_expired` calls made.
    pub calls: u64,
    /// Calls that ended in the store's timeout (what they had removed stays removed).
    pub timeouts: u64,
    /// Concurrent loads during the cleanup (and before it, for comparison).
    pub concurrency: u32,
}

impl Cleanup {
    /// Rows removed per second.
    pub fn rows_per_sec(&self) -> f64 {
        if self.seconds > 0.0 {
            self.removed as f64 / self.seconds
        } else {
            0.0
        }
    }
}

impl BackendReport {
    /// Writes the report as pretty JSON, creating the directory.
    pub fn write_json(&self, path: &Path) -> Result<(), String> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        let json = serde_json::to_string_pretty(self).map_err(|e| e.to_string())?;
        std::fs::write(path, json + "\n")
            .map_err(|e| format!("cannot write {}: {e}", path.display()))
    }

    /// Reads a report written by [`BackendReport::write_json`].
    pub fn read_json(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    fn cell(&self, operation: &str, concurrency: u32, side: &str) -> Option<&CellResult> {
        self.cells
            .iter()
            .find(|c| c.operation == operation && c.concurrency == concurrency && c.side == side)
    }

    fn concurrencies(&self) -> Vec<u32> {
        let mut levels: Vec<u32> = self.cells.iter().map(|c| c.concurrency).collect();
        levels.sort_unstable();
        levels.dedup();
        levels
    }
}

/// The outcome of one store-vs-raw comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Meets both bars.
    Pass,
    /// Misses at least one.
    Fail,
    /// No bar for this side and cell (see [`bar`]).
    NotJudged,
}

/// Judges a store cell of `backend` against the cell of another side in `role` (see [`bar`]).
pub fn verdict(backend: &str, store: &CellResult, other: &CellResult, role: Role) -> Verdict {
    let Some(bar) = bar(backend, role, &store.operation, store.concurrency) else {
        return Verdict::NotJudged;
    };
    let (ops, p99) = ratios(store, other);
    let p50 = if other.p50_ms > 0.0 {
        store.p50_ms / other.p50_ms
    } else {
        f64::NAN
    };
    let ok = bar.min_ops.is_none_or(|min| ops >= min)
        && bar.max_p50.is_none_or(|max| p50 <= max)
        && bar.max_p99.is_none_or(|max| p99 <= max)
        && bar.max_p99_ms.is_none_or(|max| store.p99_ms <= max);
    if ok && store.errors == 0 && other.ops > 0 {
        Verdict::Pass
    } else {
        Verdict::Fail
    }
}

/// Store/raw for ops/s and for p99.
pub fn ratios(store: &CellResult, raw: &CellResult) -> (f64, f64) {
    let ops = if raw.ops_per_sec > 0.0 {
        store.ops_per_sec / raw.ops_per_sec
    } else {
        f64::NAN
    };
    let p99 = if raw.p99_ms > 0.0 {
        store.p99_ms / raw.p99_ms
    } else {
        f64::NAN
    };
    (ops, p99)
}

/// Milliseconds with three decimals below 10 ms, one above.
fn ms(value: f64) -> String {
    if value < 10.0 {
        format!("{value:.3}")
    } else {
        format!("{value:.1}")
    }
}

/// Thousands separated by commas.
fn thousands(value: f64) -> String {
    let digits = format!("{:.0}", value.max(0.0));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The bars as the table states them (see [`bar`]).
const BARS: &str = "Bars (every SQL side with the same pool size, TLS mode and durability). \
SQL: against `raw` (one statement per request) ops/s >= 1.0x and p99 <= 1.2x at c=32 (SQLite \
`save`: ops/s >= 3x the single writer and p99 <= 10 ms) and p50 <= 1.05x at c=1; against \
`tower-sessions` ops/s >= 1.1x at c=32; against `store-small` (scale mode) ops/s >= 0.8x at \
c=32. Redis, at c=32: against `plain` load ops/s >= 0.9x; against `tower-sessions` ops/s >= \
1.2x for writes and >= 1.0x for load, p99 <= 1.0x.";

/// The combined Markdown report: one row per store cell and raw side, then each side's setup.
pub fn markdown(reports: &[BackendReport]) -> String {
    let mut out = String::new();
    if let Some(first) = reports.first() {
        let _ = writeln!(out, "Machine: {}.", first.machine.describe());
        let _ = writeln!(
            out,
            "Each cell: {} s per side in {} alternating rounds (plus warm-up), {} pre-populated \
             sessions, payloads of {}-{} bytes. Latencies in ms.\n",
            first.seconds,
            first.rounds,
            first.sessions,
            first.payload_bytes.0,
            first.payload_bytes.1
        );
    }
    out.push_str(
        "| backend | operation | c | store ops/s | store p50 | store p99 | other side | its ops/s | its p50 | its p99 | ops/s store/other | p99 store/other | bar |\n",
    );
    out.push_str("|---|---|--:|--:|--:|--:|---|--:|--:|--:|--:|--:|---|\n");
    let mut judged = 0;
    let mut passed = 0;
    let mut errors = Vec::new();
    for report in reports {
        let raws: Vec<&SideInfo> = report
            .sides
            .iter()
            .filter(|s| s.role != Role::Store)
            .collect();
        let Some(store_side) = report.sides.iter().find(|s| s.role == Role::Store) else {
            continue;
        };
        for op in Op::ALL {
            for concurrency in report.concurrencies() {
                let Some(store) = report.cell(op.name(), concurrency, &store_side.name) else {
                    continue;
                };
                for raw_side in &raws {
                    let Some(raw) = report.cell(op.name(), concurrency, &raw_side.name) else {
                        continue;
                    };
                    let (ops, p99) = ratios(store, raw);
                    let bar = match verdict(&report.backend, store, raw, raw_side.role) {
                        Verdict::Pass => "pass",
                        Verdict::Fail => "**FAIL**",
                        Verdict::NotJudged if raw_side.role == Role::Reference => "ref.",
                        Verdict::NotJudged => "–",
                    };
                    if bar == "pass" || bar == "**FAIL**" {
                        judged += 1;
                        passed += usize::from(bar == "pass");
                    }
                    let _ = writeln!(
                        out,
                        "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {:.2}x | {:.2}x | {} |",
                        report.backend,
                        op.name(),
                        concurrency,
                        thousands(store.ops_per_sec),
                        ms(store.p50_ms),
                        ms(store.p99_ms),
                        raw_side.name,
                        thousands(raw.ops_per_sec),
                        ms(raw.p50_ms),
                        ms(raw.p99_ms),
                        ops,
                        p99,
                        bar
                    );
                }
            }
        }
        for cell in report.cells.iter().filter(|c| c.errors > 0) {
            errors.push(format!(
                "- {} {} c={} {}: {} errors (first: {})",
                report.backend,
                cell.operation,
                cell.concurrency,
                cell.side,
                cell.errors,
                cell.first_error.as_deref().unwrap_or("?")
            ));
        }
    }
    let _ = writeln!(out, "\n{BARS} {passed} of {judged} judged cells pass.");
    cleanup_table(&mut out, reports);
    if !errors.is_empty() {
        out.push_str("\nErrors:\n");
        for line in errors {
            out.push_str(&line);
            out.push('\n');
        }
    }
    out.push_str("\nSides:\n");
    for report in reports {
        let _ = writeln!(out, "- {} ({}):", report.backend, report.server);
        for side in &report.sides {
            let _ = writeln!(out, "  - `{}`: {}", side.name, side.setup);
        }
    }
    out
}

/// The cleanup runs' table: rate, and the loads' figures before and during the cleanup.
fn cleanup_table(out: &mut String, reports: &[BackendReport]) {
    let runs: Vec<_> = reports
        .iter()
        .filter_map(|r| r.cleanup.as_ref().map(|c| (r, c)))
        .collect();
    if runs.is_empty() {
        return;
    }
    out.push_str(
        "\nCleanup (`delete_expired` called until it returns 0, loads running meanwhile):\n\n\
         | backend | expired rows | removed | seconds | rows/s | calls (timeouts) | c | loads/s before | during | p99 before | during | p99 during/before |\n\
         |---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n",
    );
    for (report, cleanup) in runs {
        let load = |side: &str| report.cell(Op::Load.name(), cleanup.concurrency, side);
        let (Some(during), Some(before)) = (load(CLEANUP_SIDE), load(IDLE_SIDE)) else {
            continue;
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {:.1} | {} | {} ({}) | {} | {} | {} | {} | {} | {:.2}x |",
            report.backend,
            thousands(cleanup.expired_rows as f64),
            thousands(cleanup.removed as f64),
            cleanup.seconds,
            thousands(cleanup.rows_per_sec()),
            cleanup.calls,
            cleanup.timeouts,
            cleanup.concurrency,
            thousands(before.ops_per_sec),
            thousands(during.ops_per_sec),
            ms(before.p99_ms),
            ms(during.p99_ms),
            ratios(during, before).1
        );
    }
}

/// The side of a cleanup run whose loads ran during the cleanup.
pub const CLEANUP_SIDE: &str = "store";
/// The side of a cleanup run whose loads ran before it, on the same table.
pub const IDLE_SIDE: &str = "store-before-cleanup";

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(operation: &str, concurrency: u32, side: &str, ops: f64, p99: f64) -> CellResult {
        CellResult {
            operation: operation.into(),
            concurrency,
            side: side.into(),
            ops: ops as u64,
            ops_per_sec: ops,
            p50_ms: p99 / 2.0,
            p99_ms: p99,
            errors: 0,
            first_error: None,
        }
    }

    fn report() -> BackendReport {
        let side = |name: &str, role| SideInfo {
            name: name.into(),
            setup: format!("{name} setup"),
            role,
        };
        BackendReport {
            backend: "sqlite".into(),
            server: "SQLite 3.46".into(),
            machine: Machine {
                cpus: 2,
                cpu_model: "Test CPU".into(),
                memory_gib: 4.0,
                kernel: "6.1".into(),
            },
            seconds: 5.0,
            rounds: 2,
            sessions: 10_000,
            payload_bytes: (310, 420),
            cleanup: None,
            sides: vec![
                side("store", Role::Store),
                side("raw", Role::Floor),
                side("raw-naive", Role::Reference),
            ],
            cells: vec![
                cell("load", 32, "store", 10_500.0, 3.0),
                cell("load", 32, "raw", 10_000.0, 2.6),
                cell("load", 32, "raw-naive", 10_000.0, 2.0),
                cell("save", 32, "store", 8_000.0, 3.0),
                cell("save", 32, "raw", 10_000.0, 2.0),
                cell("save", 1, "store", 1_000.0, 1.0),
                cell("save", 1, "raw", 2_000.0, 1.0),
            ],
        }
    }

    #[test]
    fn sql_bars_are_issue_14s_and_redis_keeps_issue_12s() {
        let ops = |min| Bar {
            min_ops: Some(min),
            ..Bar::default()
        };
        let floor = Bar {
            min_ops: Some(1.0),
            max_p99: Some(1.2),
            ..Bar::default()
        };
        assert_eq!(bar("postgres", Role::Floor, "save", 32), Some(floor));
        assert_eq!(
            bar("mariadb", Role::Floor, "create+delete", 32),
            Some(floor)
        );
        let sqlite_save = Bar {
            min_ops: Some(3.0),
            max_p99_ms: Some(10.0),
            ..Bar::default()
        };
        assert_eq!(bar("sqlite", Role::Floor, "save", 32), Some(sqlite_save));
        assert_eq!(bar("sqlite", Role::Floor, "load", 32), Some(floor));
        let solo = Bar {
            max_p50: Some(1.05),
            ..Bar::default()
        };
        assert_eq!(bar("mysql", Role::Floor, "load", 1), Some(solo));
        assert_eq!(bar("postgres", Role::Peer, "load", 32), Some(ops(1.1)));
        assert_eq!(bar("postgres", Role::Peer, "load", 1), None);
        assert_eq!(bar("postgres", Role::Baseline, "save", 32), Some(ops(0.8)));
        assert_eq!(bar("sqlite", Role::Reference, "save", 32), None);
        assert_eq!(bar("postgres", Role::Floor, "save", 8), None);
        let redis_peer = Bar {
            min_ops: Some(1.2),
            max_p99: Some(1.0),
            ..Bar::default()
        };
        assert_eq!(bar("redis", Role::Peer, "save", 32), Some(redis_peer));
        assert_eq!(bar("redis", Role::Plain, "load", 32), Some(ops(0.9)));
        assert_eq!(bar("redis", Role::Plain, "save", 32), None);
        assert_eq!(bar("redis-cluster", Role::Peer, "load", 1), None);
    }

    #[test]
    fn verdicts_judge_every_part_of_the_bar() {
        let r = report();
        let judge = |op, c, side, role| {
            verdict(
                "sqlite",
                r.cell(op, c, "store").unwrap(),
                r.cell(op, c, side).unwrap(),
                role,
            )
        };
        assert_eq!(judge("load", 32, "raw", Role::Floor), Verdict::Pass);
        assert_eq!(
            judge("load", 32, "raw-naive", Role::Reference),
            Verdict::NotJudged
        );
        // SQLite save: 0.8x the single writer, not 3x.
        assert_eq!(judge("save", 32, "raw", Role::Floor), Verdict::Fail);
        // Concurrency 1: equal p50 passes although ops/s is half.
        assert_eq!(judge("save", 1, "raw", Role::Floor), Verdict::Pass);
        let store = cell("save", 32, "store", 30_000.0, 9.0);
        let raw = cell("save", 32, "raw", 10_000.0, 9.0);
        assert_eq!(verdict("sqlite", &store, &raw, Role::Floor), Verdict::Pass);
        let slow_tail = cell("save", 32, "store", 30_000.0, 10.5);
        assert_eq!(
            verdict("sqlite", &slow_tail, &raw, Role::Floor),
            Verdict::Fail
        );
        let failing = CellResult {
            errors: 1,
            ..store.clone()
        };
        assert_eq!(
            verdict("sqlite", &failing, &raw, Role::Floor),
            Verdict::Fail
        );
        let late = cell("save", 1, "store", 1_000.0, 2.2);
        let early = cell("save", 1, "raw", 1_000.0, 2.0);
        assert_eq!(
            verdict("postgres", &late, &early, Role::Floor),
            Verdict::Fail
        );
    }

    #[test]
    fn markdown_has_a_row_per_raw_side_and_counts_the_bar() {
        let table = markdown(&[report()]);
        assert!(table.contains(
            "| sqlite | load | 32 | 10,500 | 1.500 | 3.000 | raw | 10,000 | 1.300 | 2.600 | 1.05x | 1.15x | pass |"
        ), "{table}");
        assert!(table.contains("| raw-naive | 10,000 | 1.000 | 2.000 | 1.05x | 1.50x | ref. |"));
        assert!(table.contains("| 0.80x | 1.50x | **FAIL** |"));
        assert!(table.contains("| 0.50x | 1.00x | pass |"));
        assert!(table.contains("2 of 3 judged cells pass"));
        assert!(table.contains("`raw-naive`: raw-naive setup"));
        assert!(table.contains("Machine: 2 CPUs (Test CPU)"));
        assert!(!table.contains("Cleanup"));
    }

    #[test]
    fn a_cleanup_run_gets_its_own_table() {
        let mut r = report();
        r.backend = "postgres".into();
        r.cells = vec![
            cell("load", 32, CLEANUP_SIDE, 9_000.0, 6.0),
            cell("load", 32, IDLE_SIDE, 10_000.0, 3.0),
        ];
        r.cleanup = Some(Cleanup {
            expired_rows: 1_000_000,
            removed: 1_000_000,
            seconds: 40.0,
            calls: 5,
            timeouts: 4,
            concurrency: 32,
        });
        let table = markdown(&[r]);
        assert!(
            table.contains(
                "| postgres | 1,000,000 | 1,000,000 | 40.0 | 25,000 | 5 (4) | 32 | 10,000 | 9,000 | 3.000 | 6.000 | 2.00x |"
            ),
            "{table}"
        );
    }

    #[test]
    fn json_round_trips() {
        let dir = std::env::temp_dir().join(format!("authly-bench-test-{}", std::process::id()));
        let path = dir.join("sqlite.json");
        let r = report();
        r.write_json(&path).unwrap();
        assert_eq!(BackendReport::read_json(&path).unwrap(), r);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn numbers_are_readable() {
        assert_eq!(thousands(1_234_567.4), "1,234,567");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(ms(0.04321), "0.043");
        assert_eq!(ms(130.26), "130.3");
    }
}
