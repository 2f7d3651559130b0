//! `query --order-by`, `--limit`, `--last` and the format inferred from
//! `--output`, through the binary on the `tests/semantics` library over
//! tiny CSV tables. Expected rows are worked out by hand beside each case.

#![allow(clippy::panic, clippy::unwrap_used)] // a test: failing loudly is the point

use serde_json::{json, Value};
use std::path::Path;
use std::process::{Command, Output};

const LIBRARY: &str = include_str!("../../tests/semantics/library.yard");

/// Six events: eu has 3, apac 2, us 1; kinds a (4) and b (2). Dates in
/// January, April, May and June 2026; the newest is 2026-06-20.
const EVENTS: &str = "id,t,kind,region,acct,v,n,is_test\n\
    e1,2026-01-15T00:00:00Z,a,eu,A,,,false\n\
    e2,2026-04-25T00:00:00Z,a,eu,A,,,false\n\
    e3,2026-05-10T00:00:00Z,b,eu,B,,,false\n\
    e4,2026-05-11T00:00:00Z,a,apac,A,,,false\n\
    e5,2026-06-01T00:00:00Z,b,apac,B,,,false\n\
    e6,2026-06-20T00:00:00Z,a,us,A,,,false\n";

fn library() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in [
        ("lib.yard", LIBRARY),
        ("accounts.csv", "acct,tier\nA,gold\nB,silver\n"),
        ("events.csv", EVENTS),
        ("goals.csv", "region,day,target\n"),
    ] {
        std::fs::write(dir.path().join(name), text).expect("write");
    }
    dir
}

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_yardstick"))
        .arg("query")
        .args(args)
        .arg("--spec")
        .arg(dir)
        .output()
        .expect("run yardstick")
}

fn rows(dir: &Path, args: &[&str]) -> Vec<Value> {
    let out = run(dir, &[args, &["--format", "json"]].concat());
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    match serde_json::from_slice(&out.stdout).expect("json") {
        Value::Array(rows) => rows,
        other => panic!("not an array: {other}"),
    }
}

fn periods(rows: &[Value]) -> Vec<&str> {
    rows.iter().map(|r| r["period"].as_str().unwrap()).collect()
}

#[test]
fn order_by_sorts_descending_with_a_minus_and_limit_keeps_the_first_rows() {
    let dir = library();
    let lib = dir.path();
    let by_region = ["events_all", "--by", "region"];
    // eu 3, apac 2, us 1.
    assert_eq!(
        rows(
            lib,
            &[&by_region[..], &["--order-by", "-events_all"]].concat()
        ),
        vec![
            json!({"region": "eu", "events_all": 3}),
            json!({"region": "apac", "events_all": 2}),
            json!({"region": "us", "events_all": 1}),
        ]
    );
    assert_eq!(
        rows(
            lib,
            &[
                &by_region[..],
                &["--order-by", "events_all", "--limit", "2"]
            ]
            .concat()
        ),
        vec![
            json!({"region": "us", "events_all": 1}),
            json!({"region": "apac", "events_all": 2}),
        ]
    );
    // Two keys: kind descending (b before a), then region ascending.
    // a: eu (e1, e2), apac (e4), us (e6); b: eu (e3), apac (e5).
    assert_eq!(
        rows(
            lib,
            &[
                "events_all",
                "--by",
                "kind,region",
                "--order-by=-kind,region",
            ]
        ),
        vec![
            json!({"kind": "b", "region": "apac", "events_all": 1}),
            json!({"kind": "b", "region": "eu", "events_all": 1}),
            json!({"kind": "a", "region": "apac", "events_all": 1}),
            json!({"kind": "a", "region": "eu", "events_all": 2}),
            json!({"kind": "a", "region": "us", "events_all": 1}),
        ]
    );
    // --limit alone.
    assert_eq!(
        rows(lib, &[&by_region[..], &["--limit", "1"]].concat()).len(),
        1
    );
}

#[test]
fn an_unknown_order_by_column_is_exit_2_naming_the_columns() {
    let dir = library();
    let out = run(
        dir.path(),
        &["events_all", "--by", "region", "--order-by", "-evnts_all"],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("evnts_all"), "{err}");
    assert!(err.contains("`region`, `events_all`"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn last_counts_back_from_the_newest_data_or_to() {
    let dir = library();
    let lib = dir.path();
    let series = ["events_all", "--grain", "month"];
    // Without --last: the months with events (a period without rows has
    // no row): January, April, May, June.
    assert_eq!(
        periods(&rows(lib, &series)),
        ["2026-01-01", "2026-04-01", "2026-05-01", "2026-06-01"]
    );
    // Newest 2026-06-20 minus 2 months = 2026-04-20: April, May, June.
    assert_eq!(
        periods(&rows(lib, &[&series[..], &["--last", "2mo"]].concat())),
        ["2026-04-01", "2026-05-01", "2026-06-01"]
    );
    // 2026-06-20 minus 10 days = 2026-06-10: June only.
    assert_eq!(
        periods(&rows(lib, &[&series[..], &["--last", "10d"]].concat())),
        ["2026-06-01"]
    );
    // --to 2026-05-31 minus 1 month = 2026-04-30: April and May.
    assert_eq!(
        periods(&rows(
            lib,
            &[&series[..], &["--to", "2026-05-31", "--last", "1mo"]].concat()
        )),
        ["2026-04-01", "2026-05-01"]
    );
}

#[test]
fn last_is_refused_with_from_without_a_grain_and_when_not_a_duration() {
    let dir = library();
    for (args, says) in [
        (
            &[
                "events_all",
                "--grain",
                "month",
                "--last",
                "90d",
                "--from",
                "2026-01-01",
            ][..],
            "`--last` and `--from`",
        ),
        (&["events_all", "--last", "90d"][..], "needs a `--grain`"),
        (
            &["events_all", "--grain", "month", "--last", "ninety"][..],
            "needs a length of time",
        ),
        (
            &["events_all", "--grain", "month", "--last", "3h"][..],
            "needs a length of time",
        ),
    ] {
        let out = run(dir.path(), args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{args:?}: {err}");
    }
}

#[test]
fn output_infers_the_format_from_the_extension() {
    let dir = library();
    let lib = dir.path();
    let out_dir = tempfile::tempdir().unwrap();
    let query = ["events_all", "--by", "region", "--order-by", "region"];
    let write = |name: &str, extra: &[&str]| -> Vec<u8> {
        let path = out_dir.path().join(name);
        let path_text = path.to_str().unwrap();
        let out = run(lib, &[&query[..], &["--output", path_text], extra].concat());
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::read(&path).unwrap()
    };
    // apac 2, eu 3, us 1, in region order.
    assert_eq!(
        String::from_utf8(write("r.csv", &[])).unwrap(),
        "region,events_all\napac,2\neu,3\nus,1\n"
    );
    let json: Value = serde_json::from_slice(&write("r.JSON", &[])).unwrap();
    assert_eq!(json[1], json!({"region": "eu", "events_all": 3}));
    assert!(write("r.parquet", &[]).starts_with(b"PAR1"));
    assert!(write("r.arrow", &[]).starts_with(b"ARROW1"));
    let table = String::from_utf8(write("r.txt", &[])).unwrap();
    assert!(
        table.starts_with("as of ") && table.contains("\nregion") && table.contains("----"),
        "{table}"
    );
    // An explicit --format wins over the extension.
    assert_eq!(
        String::from_utf8(write("r2.json", &["--format", "csv"])).unwrap(),
        "region,events_all\napac,2\neu,3\nus,1\n"
    );
}
