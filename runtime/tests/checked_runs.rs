//! What checks clean runs (issue "one typed program form"): formulas the
//! checker accepts give the number worked out by hand, or a clear refusal,
//! never an engine's internal error or a wrong number; and a query the
//! library cannot answer is refused before any data is read, with the code
//! and the argument it came from.

#![allow(clippy::panic, clippy::unwrap_used)] // a test: failing loudly is the point

use std::process::{Command, Output};

const LIBRARY: &str = r#"
source t {
  path: "t.csv"
  time: at
  dimensions: k
  columns { at: timestamp  k: string  x: int  flag: bool }
}
metric mixed_branches { from: t formula: sum(if(flag, 1, 2.5)) }
metric before_far_future { from: t formula: count(where at < @9999-12-31) }
metric after_date { from: t formula: count(where at >= @2026-01-02) }
metric large_but_fits { from: t formula: count() * 1000000000000000 }
metric beyond_64_bits { from: t formula: count() * 9007199254740992 * 1024 }
metric nested_constants { from: t formula: 25 * 2 * count() }
"#;

// Two rows: flag true then false; k "a" then "b".
const DATA: &str = "at,k,x,flag\n2026-01-01T00:00:00Z,a,1,true\n2026-01-02T12:00:00Z,b,2,false\n";

fn library() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("lib.yard"), LIBRARY).expect("write library");
    std::fs::write(dir.path().join("t.csv"), DATA).expect("write data");
    dir
}

fn yardstick(dir: &tempfile::TempDir, args: &[&str]) -> Output {
    let spec = dir.path().to_string_lossy().into_owned();
    Command::new(env!("CARGO_BIN_EXE_yardstick"))
        .args(args)
        .args(["--spec", &spec, "--format", "json"])
        .output()
        .expect("run yardstick")
}

fn value(out: &Output, metric: &str) -> serde_json::Value {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    rows[0][metric].clone()
}

#[test]
fn mixed_int_and_float_branches_add_up_as_floats() {
    // Row 1: flag true gives 1; row 2: false gives 2.5. Sum: 3.5.
    let dir = library();
    let out = yardstick(&dir, &["query", "mixed_branches"]);
    assert_eq!(value(&out, "mixed_branches"), serde_json::json!(3.5));
}

#[test]
fn far_dates_compare_with_timestamps() {
    // Both rows are before 9999-12-31; only the second is on or after
    // 2026-01-02 (midnight UTC).
    let dir = library();
    let out = yardstick(&dir, &["query", "before_far_future", "after_date"]);
    assert_eq!(value(&out, "before_far_future"), serde_json::json!(2));
    assert_eq!(value(&out, "after_date"), serde_json::json!(1));
}

#[test]
fn whole_numbers_never_wrap() {
    // 2 rows times 10^15 is 2 * 10^15, which fits in 64 bits.
    let dir = library();
    let out = yardstick(&dir, &["query", "large_but_fits", "nested_constants"]);
    assert_eq!(
        value(&out, "large_but_fits"),
        serde_json::json!(2_000_000_000_000_000_i64)
    );
    // 25 * 2 * 2 rows.
    assert_eq!(value(&out, "nested_constants"), serde_json::json!(100));
    // 2 * 2^53 * 1024 is 2^64, beyond 64 bits: refused, not wrapped to 0.
    let out = yardstick(&dir, &["query", "beyond_64_bits"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("beyond 64 bits"), "{stderr}");
    assert!(stderr.contains("18446744073709551616"), "{stderr}");
    assert!(out.stdout.is_empty());
}

#[test]
fn a_query_the_library_cannot_answer_is_refused_at_its_argument() {
    let dir = library();
    let out = yardstick(&dir, &["query", "mixed_branchs", "--by", "k,k"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    for expected in [
        "yardstick::name::unresolved",
        "did you mean `mixed_branches`?",
        "<command line>",
        "yardstick query mixed_branchs --by k,k",
    ] {
        assert!(stderr.contains(expected), "{expected} in:\n{stderr}");
    }
    let out = yardstick(
        &dir,
        &[
            "query",
            "mixed_branches",
            "--where",
            "k = 'a'",
            "--as-of",
            "2026-02-30",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    for expected in [
        "yardstick::syntax::error",
        "compare with `==`",
        "yardstick::query::date",
        "`--as-of` needs a date, not `2026-02-30`",
    ] {
        assert!(stderr.contains(expected), "{expected} in:\n{stderr}");
    }
}
