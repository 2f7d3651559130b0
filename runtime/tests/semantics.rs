//! Every rule of LANGUAGE.md §6 on tiny tables whose answers were worked
//! out by hand (the reasoning is beside each expected value). Nothing here
//! was copied from Yardstick's own output.
//!
//! The cases live as `test` blocks in `tests/semantics/` (`library.yard`,
//! which the Rust tests below share, and one file per rule group), run here
//! through `yardstick test`. What stays in Rust is what those blocks cannot
//! say (their hand-worked values are in the `.yard` files too):
//!
//! - `a_lookback_read_as_a_series_...`: `--from`/`--to` (CLI flags; the
//!   `.yard` copy runs over the data's default range, which gives the same
//!   months, so only this test reaches the flags end to end).
//! - `filters_keep_where_true_...`: the query's own `--where` (a CLI flag).
//! - `min_sample_withholds_...`: the table's `n<3` cell (an output format).
//! - `dimensions_group_...`: JSON `null` for a dimension without a join
//!   partner, and counts as JSON integers. `yardstick test` compares keys as
//!   text and prints a null key as `null`, so it cannot tell a null key from
//!   the string "null" (`(null, 1)` also passes for a key that is "null",
//!   and `("null", 1)` for a null key): a bug in the runner's comparison.
//! - `many_metrics_in_one_query_...`: one query naming several metrics; an
//!   `expect` names one.

#![allow(clippy::panic, clippy::unwrap_used)] // a test or tool: failing loudly is the point

use serde_json::{json, Value};
use std::path::Path;
use std::process::{Command, Output};

/// The library of the `.yard` cases: every Rust test here writes it beside
/// its CSV tables.
const LIBRARY: &str = include_str!("../../tests/semantics/library.yard");

/// The `.yard` cases, and how many `test` blocks they hold.
const SUITE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/semantics");
const SUITE_TESTS: usize = 46;

const ACCOUNTS: &str = "acct,tier\nA,gold\nB,silver\n";
const NO_GOALS: &str = "region,day,target\n";

struct Lib(tempfile::TempDir);

impl Lib {
    /// `LIBRARY` with these rows (CSV without header) in events.
    fn new(events: &str) -> Lib {
        Lib::with(events, NO_GOALS)
    }

    fn with(events: &str, goals: &str) -> Lib {
        let dir = tempfile::tempdir().expect("temp dir");
        let write = |name: &str, text: &str| {
            std::fs::write(dir.path().join(name), text).expect("write");
        };
        write("lib.yard", LIBRARY);
        write("accounts.csv", ACCOUNTS);
        write(
            "events.csv",
            &format!("id,t,kind,region,acct,v,n,is_test\n{events}"),
        );
        write("goals.csv", goals);
        Lib(dir)
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_yardstick"))
            .arg("query")
            .args(args)
            .arg("--spec")
            .arg(self.0.path())
            .output()
            .expect("run yardstick")
    }

    /// The rows of `query ARGS --format json`.
    fn query(&self, args: &[&str]) -> Vec<Value> {
        let mut all = args.to_vec();
        all.extend(["--format", "json"]);
        let out = self.run(&all);
        assert_eq!(
            out.status.code(),
            Some(0),
            "query {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        match serde_json::from_slice(&out.stdout).expect("json") {
            Value::Array(rows) => rows,
            other => panic!("not an array: {other}"),
        }
    }
}

fn one(rows: &[Value], metric: &str) -> Value {
    assert_eq!(rows.len(), 1, "{rows:?}");
    rows[0][metric].clone()
}

fn close(actual: &Value, expected: f64) {
    let a = actual
        .as_f64()
        .unwrap_or_else(|| panic!("not a number: {actual}"));
    assert!(
        (a - expected).abs() <= 1e-9 * expected.abs().max(1.0),
        "{a} != {expected}"
    );
}

#[test]
fn a_lookback_read_as_a_series_is_a_trailing_window_at_each_period_end() {
    // 2mo lookback, monthly: January's value covers [Dec 1, Feb 1) = e1;
    // February's [Jan 1, Mar 1) = e1, e2; March's [Feb 1, Apr 1) = e2, e3.
    let lib = Lib::new(
        "e1,2026-01-15T00:00:00Z,a,eu,A,,,false\n\
         e2,2026-02-10T00:00:00Z,a,eu,A,,,false\n\
         e3,2026-03-05T00:00:00Z,a,eu,A,,,false\n",
    );
    let rows = lib.query(&[
        "events_2mo",
        "--grain",
        "month",
        "--from",
        "2026-01-01",
        "--to",
        "2026-03-31",
    ]);
    assert_eq!(
        rows,
        vec![
            json!({"period": "2026-01-01", "events_2mo": 1}),
            json!({"period": "2026-02-01", "events_2mo": 2}),
            json!({"period": "2026-03-01", "events_2mo": 2}),
        ]
    );
}

#[test]
fn filters_keep_where_true_and_drop_excludes_only_where_true() {
    // kind_a: where kind == "a", exclude region == "x", source excludes
    // is_test. e1 counts; e2 is excluded (x); e3 has a null region, so the
    // exclude is null and the row stays; e4 is kind b; e5 is a test row. 2.
    let lib = Lib::new(
        "e1,2026-06-01T00:00:00Z,a,eu,A,,,false\n\
         e2,2026-06-01T00:00:00Z,a,x,A,,,false\n\
         e3,2026-06-01T00:00:00Z,a,,A,,,false\n\
         e4,2026-06-01T00:00:00Z,b,eu,A,,,false\n\
         e5,2026-06-01T00:00:00Z,a,eu,A,,,true\n",
    );
    close(&one(&lib.query(&["kind_a"]), "kind_a"), 2.0);
    // A variant narrows: only e1 is in eu.
    close(&one(&lib.query(&["kind_a_eu"]), "kind_a_eu"), 1.0);
    // The query's own where narrows too: e3's null region is not "eu".
    close(
        &one(
            &lib.query(&["kind_a", "--where", "region == \"eu\""]),
            "kind_a",
        ),
        1.0,
    );
}

#[test]
fn min_sample_withholds_small_counts_and_the_table_says_so() {
    // Two rows, min_sample 3: null in JSON, `n<3` in the table.
    let lib = Lib::new(
        "e1,2026-06-01T00:00:00Z,a,eu,A,,,false\n\
         e2,2026-06-01T00:00:00Z,a,eu,A,,,false\n",
    );
    assert_eq!(one(&lib.query(&["sampled"]), "sampled"), Value::Null);
    let out = lib.run(&["sampled"]);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("n<3"), "{table}");
    // A third row reaches the sample: 3.
    let lib = Lib::new(
        "e1,2026-06-01T00:00:00Z,a,eu,A,,,false\n\
         e2,2026-06-01T00:00:00Z,a,eu,A,,,false\n\
         e3,2026-06-01T00:00:00Z,a,eu,A,,,false\n",
    );
    close(&one(&lib.query(&["sampled"]), "sampled"), 3.0);
}

#[test]
fn dimensions_group_and_joined_ones_come_through_the_key() {
    // By kind: a = 2, b = 1. By accounts.tier: A is gold (e1, e3), B silver
    // (e2), and e4's account Z has no partner: its tier is null.
    let lib = Lib::new(
        "e1,2026-06-01T00:00:00Z,a,eu,A,,,false\n\
         e2,2026-06-01T00:00:00Z,b,eu,B,,,false\n\
         e3,2026-06-01T00:00:00Z,a,us,A,,,false\n\
         e4,2026-06-01T00:00:00Z,a,us,Z,,,false\n",
    );
    assert_eq!(
        lib.query(&["events_all", "--by", "kind"]),
        vec![
            json!({"kind": "a", "events_all": 3}),
            json!({"kind": "b", "events_all": 1}),
        ]
    );
    assert_eq!(
        lib.query(&["events_all", "--by", "accounts.tier"]),
        vec![
            json!({"accounts.tier": "gold", "events_all": 2}),
            json!({"accounts.tier": "silver", "events_all": 1}),
            json!({"accounts.tier": null, "events_all": 1}),
        ]
    );
}

#[test]
fn many_metrics_in_one_query_give_what_each_gives_alone() {
    let lib = Lib::new(
        "e1,2026-01-15T00:00:00Z,a,eu,A,1,3,false\n\
         e2,2026-05-10T00:00:00Z,b,x,B,2,4,false\n\
         e3,2026-06-20T00:00:00Z,a,,A,5,,false\n\
         e4,2026-06-30T00:00:00Z,a,eu,B,7,1,true\n",
    );
    let metrics = [
        "events_90d",
        "events_3mo",
        "events_all",
        "kind_a",
        "mean_n",
        "med",
    ];
    let together = lib.query(&[&metrics[..], &["--as-of", "2026-06-30"]].concat());
    for m in metrics {
        let alone = lib.query(&[m, "--as-of", "2026-06-30"]);
        assert_eq!(together[0][m], alone[0][m], "{m}");
    }
    // Worked by hand: e4 is a test row. 90d from 2026-04-02: e2, e3 = 2.
    // 3mo from 2026-04-01: e2, e3 = 2. all: 3. kind_a: e1, e3 = 2.
    // mean_n: (3 + 4) / 3 rows = 2.333.... median of 1, 2, 5 = 2.
    close(&together[0]["events_90d"], 2.0);
    close(&together[0]["events_3mo"], 2.0);
    close(&together[0]["events_all"], 3.0);
    close(&together[0]["kind_a"], 2.0);
    close(&together[0]["mean_n"], 7.0 / 3.0);
    close(&together[0]["med"], 2.0);
}

/// `yardstick test --spec DIR`.
fn run_tests(spec: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_yardstick"))
        .args(["test", "--spec"])
        .arg(spec)
        .output()
        .expect("run yardstick")
}

#[test]
fn the_yard_cases_all_pass() {
    let out = run_tests(Path::new(SUITE));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout.matches(" ... ok\n").count(), SUITE_TESTS, "{stdout}");
    assert_eq!(
        stdout.lines().last(),
        Some(format!("{SUITE_TESTS} passed, 0 failed").as_str()),
        "{stdout}"
    );
}

#[test]
fn a_wrong_expectation_among_the_yard_cases_fails() {
    // A copy of the cases where mean_n expects integer division's 3.
    let dir = tempfile::tempdir().expect("temp dir");
    for entry in std::fs::read_dir(SUITE).expect("read tests/semantics") {
        let path = entry.expect("entry").path();
        if path.extension().and_then(|e| e.to_str()) == Some("yard") {
            std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).expect("copy");
        }
    }
    let file = dir.path().join("arithmetic.yard");
    let text = std::fs::read_to_string(&file).expect("read");
    assert!(text.contains("expect mean_n == 3.5\n"), "{text}");
    std::fs::write(
        &file,
        text.replace("expect mean_n == 3.5\n", "expect mean_n == 3\n"),
    )
    .expect("write");
    let out = run_tests(dir.path());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("test division_is_true_division_and_null_on_zero ... FAILED"),
        "{stdout}"
    );
    assert!(
        stdout.contains("  expect mean_n\n    expected: (3)\n    actual:   (3.5)\n"),
        "{stdout}"
    );
    assert_eq!(
        stdout.lines().last(),
        Some(format!("{} passed, 1 failed", SUITE_TESTS - 1).as_str()),
        "{stdout}"
    );
}

#[test]
fn a_tolerance_too_tight_fails_with_expected_actual_and_tolerance() {
    // The tolerance case with 0.00001 instead of 0.0001: 4/3 is 0.0000333...
    // from 1.3333, more than 0.00001.
    let dir = tempfile::tempdir().expect("temp dir");
    for name in ["library.yard", "tolerance.yard"] {
        std::fs::copy(Path::new(SUITE).join(name), dir.path().join(name)).expect("copy");
    }
    let file = dir.path().join("tolerance.yard");
    let text = std::fs::read_to_string(&file).expect("read");
    let loose = "== 1.3333 within 0.0001\n";
    assert!(text.contains(loose), "{text}");
    std::fs::write(&file, text.replace(loose, "== 1.3333 within 0.00001\n")).expect("write");
    let out = run_tests(dir.path());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("test a_rounded_expectation_passes_within_its_tolerance ... FAILED"),
        "{stdout}"
    );
    assert!(
        stdout
            .contains("  expect mean_n as of 2026-06-30 within 0.00001\n    expected: (1.3333)\n"),
        "{stdout}"
    );
    assert_eq!(
        stdout.lines().last(),
        Some("0 passed, 1 failed"),
        "{stdout}"
    );
}

#[test]
fn a_tolerance_that_is_not_a_number_is_a_check_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::copy(
        Path::new(SUITE).join("library.yard"),
        dir.path().join("library.yard"),
    )
    .expect("copy");
    std::fs::write(
        dir.path().join("bad.yard"),
        "test t {\n  expect events_all == 3 within \"a bit\"\n  expect mean_n == 1 within -0.1\n}\n",
    )
    .expect("write");
    let out = run_tests(dir.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(
        stderr
            .matches("`within` needs a number, zero or more")
            .count(),
        2,
        "{stderr}"
    );
}

#[test]
fn chained_joins_and_roles_work_in_by_and_where_through_the_binary() {
    // The data of `chained_joins_land_on_keys_hop_by_hop` in joins.yard,
    // read from files: only the command line has `--where`, and only a
    // real query finds the tables a chain or a role needs by itself.
    let lib = Lib::new("");
    let write = |name: &str, text: &str| {
        std::fs::write(lib.0.path().join(name), text).expect("write");
    };
    write("zones.csv", "zone,continent\nZ1,Europe\nZ2,Asia\n");
    write(
        "branches.csv",
        "branch,zone,parent_branch\nB1,Z1,\nB2,Z2,B1\nB3,Z9,B2\nB4,,B9\n",
    );
    write(
        "sales.csv",
        "id,t,branch,amount\n\
         s1,2026-06-01T10:00:00Z,B1,10\n\
         s2,2026-06-02T10:00:00Z,B2,20\n\
         s3,2026-06-03T10:00:00Z,B2,5\n\
         s4,2026-06-04T10:00:00Z,B3,7\n\
         s5,2026-06-05T10:00:00Z,B4,1\n\
         s6,2026-06-06T10:00:00Z,B7,100\n",
    );
    // Sales whose parent branch is in Europe: s2 and s3 (B2 under B1),
    // both sold by an Asian branch.
    let rows = lib.query(&[
        "sold",
        "--by",
        "branches.zones.continent",
        "--as-of",
        "2026-06-30",
        "--where",
        "branches.parent.zones.continent == \"Europe\"",
    ]);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["branches.zones.continent"], json!("Asia"));
    close(&rows[0]["sold"], 25.0);
    // Grouped by the parent's zone (three hops would be its continent):
    // Z1 s2 + s3 = 25; Z2 s4 = 7; none s1 + s5 + s6 = 111.
    let rows = lib.query(&[
        "sold",
        "--by",
        "branches.parent.zone",
        "--as-of",
        "2026-06-30",
    ]);
    let got: Vec<(Value, f64)> = rows
        .iter()
        .map(|r| {
            (
                r["branches.parent.zone"].clone(),
                r["sold"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (json!("Z1"), 25.0),
            (json!("Z2"), 7.0),
            (Value::Null, 111.0)
        ]
    );
    // A role: the receiver's tier (accounts.csv: A gold, B silver). x1 goes
    // to B, x2 to A, x3 to nobody known.
    write(
        "transfers.csv",
        "id,t,from_acct,to_acct,amount\n\
         x1,2026-06-01T10:00:00Z,A,B,10\n\
         x2,2026-06-02T10:00:00Z,B,A,5\n\
         x3,2026-06-03T10:00:00Z,A,C,2\n",
    );
    let rows = lib.query(&[
        "transferred",
        "--by",
        "receiver.tier",
        "--as-of",
        "2026-06-30",
    ]);
    let got: Vec<(Value, f64)> = rows
        .iter()
        .map(|r| {
            (
                r["receiver.tier"].clone(),
                r["transferred"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (json!("gold"), 5.0),
            (json!("silver"), 10.0),
            (Value::Null, 2.0)
        ]
    );
}
