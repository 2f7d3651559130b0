//! `yardstick reconcile` through the binary: a small library whose months
//! are worked out by hand in the comments, and the reference library's one
//! month out of tolerance computed from its raw files.

#![allow(clippy::panic, clippy::unwrap_used)] // a test: failing loudly is the point

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

const LIBRARY: &str = r#"
owner finance { name: "Finance" escalates_to: cfo }
owner cfo { name: "CFO" }
source tickets {
  path: "tickets.csv"
  time: opened_at
  exclude: is_test
  columns { id: string  opened_at: timestamp  cost: float @usd  is_test: bool }
}
source ledger {
  path: "ledger.csv"
  time: posted_on
  dimensions: account
  columns { posted_on: date  account: string  amount: float @usd }
}
metric cost { from: tickets unit: usd formula: sum(cost) }
metric booked { from: ledger unit: usd where: account == "support" formula: sum(amount) }
reconcile cost_vs_books { metric: cost against: booked grain: month tolerance: 2% owner: finance }
reconcile cost_vs_books_by_5 { metric: cost against: booked grain: month tolerance: 5 }
"#;

// cost (test rows out): January 100 + 50 = 150 (the 1000 is a test);
// February 200; March 80; April nothing.
const TICKETS: &str = "id,opened_at,cost,is_test\n\
t1,2026-01-05T10:00:00Z,100,false\n\
t2,2026-01-31T23:00:00Z,50,false\n\
t3,2026-01-10T10:00:00Z,1000,true\n\
t4,2026-02-14T10:00:00Z,200,false\n\
t5,2026-03-02T10:00:00Z,80,false\n";

// booked (support only): January 152; February 190 + 15 = 205; March
// none (facilities only); April 40.
const LEDGER: &str = "posted_on,account,amount\n\
2026-01-31,support,152\n\
2026-01-31,facilities,999\n\
2026-02-10,support,190\n\
2026-02-28,support,15\n\
2026-03-31,facilities,10\n\
2026-04-30,support,40\n";

fn library() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("lib.yard"), LIBRARY).unwrap();
    std::fs::write(dir.path().join("tickets.csv"), TICKETS).unwrap();
    std::fs::write(dir.path().join("ledger.csv"), LEDGER).unwrap();
    dir
}

fn yardstick(args: &[&str], spec: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_yardstick"))
        .args(args)
        .arg("--spec")
        .arg(spec)
        .output()
        .expect("run yardstick")
}

fn json(out: &Output) -> Vec<Value> {
    serde_json::from_slice::<Value>(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
        .as_array()
        .cloned()
        .unwrap()
}

fn close(v: &Value, expected: f64) -> bool {
    v.as_f64().is_some_and(|x| (x - expected).abs() < 1e-9)
}

#[test]
fn every_month_is_listed_and_each_variance_names_who_signs_off() {
    let dir = library();
    let out = yardstick(
        &["reconcile", "cost_vs_books", "--format", "json"],
        dir.path(),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let rows = json(&out);
    let periods: Vec<&str> = rows.iter().map(|r| r["period"].as_str().unwrap()).collect();
    assert_eq!(
        periods,
        ["2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01"]
    );
    // January: 150 - 152 = -2, 2/152 = 1.3% of booked: within 2%.
    assert!(close(&rows[0]["value"], 150.0) && close(&rows[0]["against"], 152.0));
    assert!(close(&rows[0]["difference"], -2.0));
    assert_eq!(rows[0]["within_tolerance"], true);
    // February: 200 - 205 = -5, 5/205 = 2.4%: a variance.
    assert!(close(&rows[1]["difference"], -5.0));
    assert_eq!(rows[1]["within_tolerance"], false);
    // March: cost 80, nothing booked; April: 40 booked, no cost. One side
    // without a value is a variance, with no difference.
    assert!(close(&rows[2]["value"], 80.0) && rows[2]["against"].is_null());
    assert!(rows[3]["value"].is_null() && close(&rows[3]["against"], 40.0));
    for r in &rows[2..] {
        assert!(r["difference"].is_null());
        assert_eq!(r["within_tolerance"], false);
    }
    for r in &rows {
        assert_eq!(r["reconcile"], "cost_vs_books");
        assert_eq!(r["metric"], "cost");
        assert_eq!(r["against_metric"], "booked");
        assert_eq!(r["owner"], "finance → cfo");
    }
    // One line per variance on stderr, with the owner and escalation.
    assert_eq!(
        stderr.matches("variance: `cost_vs_books`").count(),
        3,
        "{stderr}"
    );
    assert!(
        stderr.contains("in 2026-02-01: cost is 200, booked is 205")
            && stderr.contains("sign-off: finance → cfo"),
        "{stderr}"
    );
}

#[test]
fn an_amount_tolerance_is_in_the_metrics_unit() {
    let dir = library();
    let out = yardstick(
        &["reconcile", "cost_vs_books_by_5", "--format", "json"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    let rows = json(&out);
    let within: Vec<bool> = rows
        .iter()
        .map(|r| r["within_tolerance"].as_bool().unwrap())
        .collect();
    // |-2| <= 5 and |-5| <= 5; March and April still lack a side.
    assert_eq!(within, [true, true, false, false]);
    assert_eq!(rows[0]["owner"], "no owner declared");
}

#[test]
fn from_and_to_narrow_the_months_and_all_agreeing_exits_0() {
    let dir = library();
    let out = yardstick(
        &[
            "reconcile",
            "cost_vs_books_by_5",
            "--from",
            "2026-01-01",
            "--to",
            "2026-02-28",
        ],
        dir.path(),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("2026-01-01") && stdout.contains("2026-02-01"));
    assert!(
        !stdout.contains("2026-03-01") && !stdout.contains("VARIANCE"),
        "{stdout}"
    );
    assert!(out.stderr.is_empty());
}

#[test]
fn human_output_marks_the_variances() {
    let dir = library();
    let out = yardstick(&["reconcile"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    // Both reconciles, each with a header naming who signs off.
    assert!(stdout.contains(
        "cost_vs_books: cost against booked by month, tolerance 2%, signed off by finance → cfo"
    ));
    assert!(stdout.contains("cost_vs_books_by_5: cost against booked by month, tolerance 5"));
    // 3 variances at 2%, 2 at 5 usd.
    assert_eq!(stdout.matches("VARIANCE").count(), 5, "{stdout}");
}

#[test]
fn an_unknown_name_or_date_cannot_run() {
    let dir = library();
    let out = yardstick(&["reconcile", "cost_vs_bookz"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no reconcile named `cost_vs_bookz`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("cost_vs_books, cost_vs_books_by_5"),
        "{stderr}"
    );
    let out = yardstick(&["reconcile", "--from", "January"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--from `January` is not a date"));
}

#[test]
fn a_library_with_a_bad_reconcile_fails_with_its_code() {
    let dir = library();
    let bad = LIBRARY.replace(
        "reconcile cost_vs_books_by_5 { metric: cost against: booked",
        "reconcile cost_vs_books_by_5 { metric: cost against: bookd",
    );
    std::fs::write(dir.path().join("lib.yard"), bad).unwrap();
    let out = yardstick(&["reconcile"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("yardstick::name::unresolved"), "{stderr}");
    assert!(stderr.contains("did you mean `booked`?"), "{stderr}");
}

/// specs/cx: support cost against the ledger, 2% monthly. The sums below
/// come from the raw files (tickets.parquet's cost_usd without test rows
/// by month opened; ledger.csv's support postings by month), worked out
/// with DuckDB when the data was generated (tests/oracle re-derives them):
/// every month agrees but March 2026, booked 5% high: 80458.7 against
/// 84481.64, 4.76% under.
#[test]
fn the_reference_library_has_one_month_out_of_tolerance() {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs/cx");
    let out = yardstick(&["reconcile", "--format", "json"], &spec);
    assert_eq!(out.status.code(), Some(1));
    let rows = json(&out);
    assert_eq!(rows.len(), 12);
    let variances: Vec<&Value> = rows
        .iter()
        .filter(|r| r["within_tolerance"] == false)
        .collect();
    assert_eq!(variances.len(), 1);
    assert_eq!(variances[0]["period"], "2026-03-01");
    assert!((variances[0]["value"].as_f64().unwrap() - 80458.7).abs() < 0.01);
    assert!((variances[0]["against"].as_f64().unwrap() - 84481.64).abs() < 0.01);
    assert_eq!(variances[0]["owner"], "finance");
}

#[test]
fn by_compares_each_group_on_its_own() {
    let dir = tempfile::tempdir().expect("temp dir");
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
    write(
        "lib.yard",
        r#"
source costs { path: "costs.csv" time: day dimensions: team columns { day: date  team: string  usd: float @usd } }
source books { path: "books.csv" time: day dimensions: team columns { day: date  team: string  usd: float @usd } }
metric cost { from: costs unit: usd formula: sum(usd) }
metric booked { from: books unit: usd formula: sum(usd) }
reconcile by_team { metric: cost against: booked grain: month tolerance: 1 by: team }
"#,
    );
    // Team a: 10 against 10.5 (within 1); team b: 20 against 25 (5 apart).
    write(
        "costs.csv",
        "day,team,usd\n2026-01-03,a,10\n2026-01-04,b,20\n",
    );
    write(
        "books.csv",
        "day,team,usd\n2026-01-31,a,10.5\n2026-01-31,b,25\n",
    );
    let out = yardstick(&["reconcile", "--format", "json"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let rows = json(&out);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["team"], "a");
    assert!(close(&rows[0]["difference"], -0.5));
    assert_eq!(rows[0]["within_tolerance"], true);
    assert_eq!(rows[1]["team"], "b");
    assert!(close(&rows[1]["difference"], -5.0));
    assert_eq!(rows[1]["within_tolerance"], false);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("in 2026-01-01, team=b: cost is 20, booked is 25"),
        "{stderr}"
    );
}
