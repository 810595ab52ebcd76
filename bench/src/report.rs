//! Results as JSON (one file per backend) and as the Markdown table comparing store and raw.

use std::fmt::Write as _;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::machine::Machine;
use crate::measure::Sample;
use crate::workload::Op;

/// The concurrency at which the bars apply.
pub const BAR_CONCURRENCY: u32 = 32;

/// What the store must reach against one side in one operation: at least `min_ops` times its
/// ops/s and, when set, at most `max_p99` times its p99.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bar {
    /// Least store/side ratio of ops/s.
    pub min_ops: f64,
    /// Greatest store/side ratio of p99, if judged.
    pub max_p99: Option<f64>,
}

/// The bar against a side of `role` in `op`, if any.
///
/// - the raw driver running the store's own statements (`Floor`): 0.9x ops/s, 1.2x p99;
/// - the plain key-value workload without the identity index (`Plain`): 0.9x ops/s for `load`
///   (a write must also index, so only reads are held to the plain figure);
/// - a peer store (`Peer`): 1.2x its ops/s for writes, 1.0x for `load`, and no worse a p99.
pub fn bar(role: Role, op: &str) -> Option<Bar> {
    let write = op != Op::Load.name();
    match role {
        Role::Floor => Some(Bar {
            min_ops: 0.9,
            max_p99: Some(1.2),
        }),
        Role::Plain if !write => Some(Bar {
            min_ops: 0.9,
            max_p99: None,
        }),
        Role::Peer => Some(Bar {
            min_ops: if write { 1.2 } else { 1.0 },
            max_p99: Some(1.0),
        }),
        Role::Plain | Role::Store | Role::Reference => None,
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
    /// Another raw setup shown for reference (e.g. SQLite's naive single pool): no bar.
    Reference,
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
    /// No bar: a reference side, or a concurrency other than [`BAR_CONCURRENCY`].
    NotJudged,
}

/// Judges a store cell against the cell of another side in `role` (see [`bar`]).
pub fn verdict(store: &CellResult, other: &CellResult, role: Role) -> Verdict {
    let Some(bar) = bar(role, &store.operation) else {
        return Verdict::NotJudged;
    };
    if store.concurrency != BAR_CONCURRENCY {
        return Verdict::NotJudged;
    }
    let (ops, p99) = ratios(store, other);
    let p99_ok = bar.max_p99.is_none_or(|max| p99 <= max);
    if ops >= bar.min_ops && p99_ok && store.errors == 0 {
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
                    let bar = match verdict(store, raw, raw_side.role) {
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
    let _ = writeln!(
        out,
        "\nBars (at c={BAR_CONCURRENCY}; every side with the same pool size, TLS and durability): \
         against `raw` (the store's own statements on the raw driver) ops/s >= 0.9x and p99 <= \
         1.2x; against `plain` (no identity index) load ops/s >= 0.9x; against a peer store \
         ops/s >= 1.2x for writes and >= 1.0x for load, p99 <= 1.0x. {passed} of {judged} \
         judged cells pass."
    );
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
            sides: vec![
                side("store", Role::Store),
                side("raw", Role::Floor),
                side("raw-naive", Role::Reference),
            ],
            cells: vec![
                cell("load", 32, "store", 9_500.0, 3.0),
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
    fn the_bar_applies_to_the_floor_at_32_only() {
        let r = report();
        let store = r.cell("load", 32, "store").unwrap();
        let raw = r.cell("load", 32, "raw").unwrap();
        assert_eq!(verdict(store, raw, Role::Floor), Verdict::Pass);
        let naive = r.cell("load", 32, "raw-naive").unwrap();
        assert_eq!(verdict(store, naive, Role::Reference), Verdict::NotJudged);
        let slow = r.cell("save", 32, "store").unwrap();
        let floor = r.cell("save", 32, "raw").unwrap();
        assert_eq!(verdict(slow, floor, Role::Floor), Verdict::Fail);
        let one = r.cell("save", 1, "store").unwrap();
        assert_eq!(
            verdict(one, r.cell("save", 1, "raw").unwrap(), Role::Floor),
            Verdict::NotJudged
        );
    }

    #[test]
    fn markdown_has_a_row_per_raw_side_and_counts_the_bar() {
        let table = markdown(&[report()]);
        assert!(table.contains(
            "| sqlite | load | 32 | 9,500 | 1.500 | 3.000 | raw | 10,000 | 1.300 | 2.600 | 0.95x | 1.15x | pass |"
        ), "{table}");
        assert!(table.contains("| raw-naive | 10,000 | 1.000 | 2.000 | 0.95x | 1.50x | ref. |"));
        assert!(table.contains("| 0.80x | 1.50x | **FAIL** |"));
        assert!(table.contains("| 0.50x | 1.00x | – |"));
        assert!(table.contains("1 of 2 judged cells pass"));
        assert!(table.contains("`raw-naive`: raw-naive setup"));
        assert!(table.contains("Machine: 2 CPUs (Test CPU)"));
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
