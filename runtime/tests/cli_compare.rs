//! `query --compare previous_period|previous_year` through the binary, on
//! tiny data worked out by hand in the comments; each `_prev` is also
//! checked against the metric's own value for the earlier period, queried
//! separately.

#![allow(clippy::panic, clippy::unwrap_used)] // a test: failing loudly is the point

use serde_json::Value;
use std::process::{Command, Output};

const LIBRARY: &str = r#"
source orders {
  path: "orders.csv"
  time: at
  dimensions: region
  columns { at: date  region: string  amount: float }
}
metric revenue { from: orders formula: sum(amount) }
metric orders_7d { from: orders formula: count() lookback: 7d }
"#;

const ORDERS: &str = "at,region,amount\n\
2025-01-15,EU,7\n\
2025-02-10,EU,5\n\
2026-01-05,EU,10\n\
2026-01-20,US,4\n\
2026-02-03,EU,20\n\
2026-02-05,EU,1\n\
2026-02-10,US,8\n\
2026-03-01,US,2\n";

fn library() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("lib.yard"), LIBRARY).unwrap();
    std::fs::write(dir.path().join("orders.csv"), ORDERS).unwrap();
    dir
}

fn run(dir: &tempfile::TempDir, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_yardstick"))
        .arg("query")
        .args(args)
        .arg("--spec")
        .arg(dir.path())
        .output()
        .expect("run yardstick")
}

fn rows(dir: &tempfile::TempDir, args: &[&str]) -> Vec<Value> {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let out = run(dir, &all);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice::<Value>(&out.stdout)
        .unwrap()
        .as_array()
        .cloned()
        .unwrap()
}

/// `(value, prev, delta)` of `metric` in each row; null as `None`.
fn triples(rows: &[Value], metric: &str) -> Vec<(Option<f64>, Option<f64>, Option<f64>)> {
    rows.iter()
        .map(|r| {
            (
                r[metric].as_f64(),
                r[format!("{metric}_prev")].as_f64(),
                r[format!("{metric}_delta")].as_f64(),
            )
        })
        .collect()
}

#[test]
fn a_series_compares_each_period_with_the_one_before() {
    let dir = library();
    let got = rows(
        &dir,
        &[
            "revenue",
            "--grain",
            "month",
            "--from",
            "2026-01-01",
            "--to",
            "2026-03-31",
            "--compare",
            "previous_period",
        ],
    );
    // January 10 + 4 = 14 (December 2025 has no row: prev null); February
    // 20 + 1 + 8 = 29, prev 14, delta 15; March 2, prev 29, delta -27.
    assert_eq!(
        triples(&got, "revenue"),
        [
            (Some(14.0), None, None),
            (Some(29.0), Some(14.0), Some(15.0)),
            (Some(2.0), Some(29.0), Some(-27.0)),
        ]
    );
    // February's prev is January's own value, queried on its own.
    let january = rows(
        &dir,
        &[
            "revenue",
            "--grain",
            "month",
            "--from",
            "2026-01-01",
            "--to",
            "2026-01-31",
        ],
    );
    assert_eq!(january[0]["revenue"], got[1]["revenue_prev"]);
}

#[test]
fn groups_are_matched_on_their_dimension_values() {
    let dir = library();
    let got = rows(
        &dir,
        &[
            "revenue",
            "--by",
            "region",
            "--grain",
            "month",
            "--from",
            "2026-01-01",
            "--to",
            "2026-03-31",
            "--compare",
            "previous_period",
        ],
    );
    let regions: Vec<&str> = got.iter().map(|r| r["region"].as_str().unwrap()).collect();
    assert_eq!(regions, ["EU", "EU", "US", "US", "US"]);
    // EU: January 10, February 21 (prev 10). US: January 4, February 8
    // (prev 4), March 2 (prev 8).
    assert_eq!(
        triples(&got, "revenue"),
        [
            (Some(10.0), None, None),
            (Some(21.0), Some(10.0), Some(11.0)),
            (Some(4.0), None, None),
            (Some(8.0), Some(4.0), Some(4.0)),
            (Some(2.0), Some(8.0), Some(-6.0)),
        ]
    );
}

#[test]
fn previous_year_is_the_same_period_a_year_before() {
    let dir = library();
    let got = rows(
        &dir,
        &[
            "revenue",
            "--grain",
            "month",
            "--from",
            "2026-01-01",
            "--to",
            "2026-03-31",
            "--compare",
            "previous_year",
        ],
    );
    // January 2025: 7; February 2025: 5; March 2025: no row.
    assert_eq!(
        triples(&got, "revenue"),
        [
            (Some(14.0), Some(7.0), Some(7.0)),
            (Some(29.0), Some(5.0), Some(24.0)),
            (Some(2.0), None, None),
        ]
    );
}

#[test]
fn an_as_of_value_compares_with_the_window_one_length_earlier() {
    let dir = library();
    // 7 days as of 2026-02-10: [02-04, 02-11) holds 02-05 and 02-10: 2.
    // One window earlier, as of 02-03: [01-28, 02-04) holds 02-03: 1.
    let got = rows(
        &dir,
        &[
            "orders_7d",
            "--as-of",
            "2026-02-10",
            "--compare",
            "previous_period",
        ],
    );
    assert_eq!(
        triples(&got, "orders_7d"),
        [(Some(2.0), Some(1.0), Some(1.0))]
    );
    // A count stays a whole number.
    assert!(got[0]["orders_7d_prev"].is_i64(), "{:?}", got[0]);
    let earlier = rows(&dir, &["orders_7d", "--as-of", "2026-02-03"]);
    assert_eq!(earlier[0]["orders_7d"], got[0]["orders_7d_prev"]);
    // A year earlier, as of 2025-02-10: [2025-02-04, 2025-02-11) holds one.
    let got = rows(
        &dir,
        &[
            "orders_7d",
            "--as-of",
            "2026-02-10",
            "--compare",
            "previous_year",
        ],
    );
    assert_eq!(
        triples(&got, "orders_7d"),
        [(Some(2.0), Some(1.0), Some(1.0))]
    );
}

#[test]
fn an_as_of_value_without_a_window_has_no_previous_period() {
    let dir = library();
    let out = run(&dir, &["revenue", "--compare", "previous_period"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("needs `revenue` to read a lookback window"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
    let out = run(&dir, &["revenue", "--compare", "last_week"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_table_shows_the_compared_columns_after_each_metric() {
    let dir = library();
    let out = run(
        &dir,
        &[
            "orders_7d",
            "--as-of",
            "2026-02-10",
            "--compare",
            "previous_period",
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut lines = stdout.lines();
    assert_eq!(lines.next(), Some("as of 2026-02-10"));
    let header: Vec<&str> = lines.next().unwrap().split_whitespace().collect();
    assert_eq!(header, ["orders_7d", "orders_7d_prev", "orders_7d_delta"]);
}
