//! Libraries wired deeper than anyone writes by hand, through the binary:
//! a long chain of derived metrics, a chain in which every metric reads its
//! input three times, and a long chain of variants. Each query must answer,
//! with the value worked out by hand, instead of running for minutes or
//! overflowing the stack (LANGUAGE.md promises time linear in the library).

#![allow(clippy::panic, clippy::unwrap_used)] // a test: failing loudly is the point

use std::fmt::Write as _;
use std::process::Command;

const SOURCE: &str = r#"
source t {
  path: "t.csv"
  time: at
  dimensions: k
  columns { at: timestamp  k: string  x: int }
}
"#;

/// Three rows; `x` is 1, 2 and 5000.
const ROWS: &str =
    "at,k,x\n2026-01-01T00:00:00Z,a,1\n2026-01-02T00:00:00Z,b,2\n2026-01-02T00:00:00Z,b,5000\n";

/// Runs `query METRIC --format csv` on a library of `SOURCE` and `metrics`
/// and returns the one value it prints.
fn query_value(metrics: &str, metric: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lib.yard"), format!("{SOURCE}{metrics}")).unwrap();
    std::fs::write(dir.path().join("t.csv"), ROWS).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_yardstick"))
        .args(["query", metric, "--as-of", "2026-01-03", "--format", "csv"])
        .arg("--spec")
        .arg(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut lines = stdout.lines();
    assert_eq!(lines.next(), Some(metric), "{stdout}");
    lines.next().unwrap().to_owned()
}

#[test]
fn a_chain_of_two_thousand_derived_metrics_answers() {
    let mut lib = String::from("metric d0 { from: t formula: count() }\n");
    for i in 1..2000 {
        writeln!(lib, "metric d{i} {{ formula: d{} + 1 }}", i - 1).unwrap();
    }
    // count() is 3 and each of the 1999 links adds one.
    assert_eq!(query_value(&lib, "d1999"), "2002");
}

#[test]
fn a_chain_that_reads_each_input_three_times_answers() {
    // Written out, d300 would have 3^300 nodes: sharing must not blow up.
    let mut lib = String::from("metric d0 { from: t formula: count() }\n");
    for i in 1..300 {
        let p = i - 1;
        writeln!(lib, "metric d{i} {{ formula: d{p} + d{p} - d{p} }}").unwrap();
    }
    // d + d - d = d, all the way down to count() = 3.
    assert_eq!(query_value(&lib, "d299"), "3");
}

#[test]
fn a_chain_of_three_thousand_variants_answers() {
    let mut lib = String::from("metric v0 { from: t formula: count() }\n");
    for i in 1..3000 {
        writeln!(
            lib,
            "metric v{i} variant of v{} {{ where: x != {i} }}",
            i - 1
        )
        .unwrap();
    }
    // v2999 drops x = 1 ..= 2999: only the row with x = 5000 is left.
    assert_eq!(query_value(&lib, "v2999"), "1");
    // v1 drops only x = 1.
    assert_eq!(query_value(&lib, "v1"), "2");
}
