//! Every rule of LANGUAGE.md §6, run through the binary on tiny tables whose
//! answers were worked out by hand (the reasoning is beside each expected
//! value). Nothing here was copied from Yardstick's own output.

#![allow(clippy::panic, clippy::unwrap_used)] // a test or tool: failing loudly is the point

use serde_json::{json, Value};
use std::process::Command;

const LIBRARY: &str = r#"
source accounts {
  path: "accounts.csv"
  key: acct
  dimensions: tier
  columns { acct: string  tier: string }
}

source events {
  path: "events.csv"
  time: t
  exclude: is_test
  join accounts on acct
  dimensions: kind, region, accounts.tier
  columns {
    id: string
    t: timestamp
    kind: string
    region: string?
    acct: string?
    v: float?
    n: int?
    is_test: bool
  }
}

source goals {
  path: "goals.csv"
  time: day
  dimensions: region
  columns { region: string  day: date  target: float }
}

metric events_90d { from: events formula: count() lookback: 90d }
metric events_3mo { from: events formula: count() lookback: 3mo }
metric events_all { from: events formula: count() }
metric events_1d { from: events formula: count() lookback: 1d }
metric events_2mo { from: events formula: count() lookback: 2mo }
metric kind_a {
  from: events
  where: kind == "a"
  exclude: region == "x"
  formula: count()
}
metric kind_a_eu variant of kind_a { where: region == "eu" }
metric mean_n { from: events formula: sum(n) / count() }
metric never { from: events formula: count(where kind == "zzz") / count(where kind == "zzz") }
metric med { from: events formula: median(v) }
metric p90 { from: events formula: percentile(v, 0.9) }
metric accounts_seen { from: events formula: count_distinct(acct) }
metric sampled { from: events formula: count() min_sample: 3 }
metric goal { from: goals formula: sum(target) }
metric events_per_goal { formula: events_all / goal }
"#;

const ACCOUNTS: &str = "acct,tier\nA,gold\nB,silver\n";
const NO_GOALS: &str = "region,day,target\n";

struct Lib(tempfile::TempDir);

impl Lib {
    /// The library above with these rows (CSV without header) in events.
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

    fn run(&self, args: &[&str]) -> std::process::Output {
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
fn a_90_day_window_ends_with_the_as_of_day_inclusive() {
    // [2026-04-02T00:00Z, 2026-07-01T00:00Z): e1 is a second early, e4 is
    // the first instant after the as-of day. e2 and e3 count: 2.
    let lib = Lib::new(
        "e1,2026-04-01T23:59:59Z,a,eu,A,,,false\n\
         e2,2026-04-02T00:00:00Z,a,eu,A,,,false\n\
         e3,2026-06-30T23:59:59Z,a,eu,A,,,false\n\
         e4,2026-07-01T00:00:00Z,a,eu,A,,,false\n",
    );
    close(
        &one(
            &lib.query(&["events_90d", "--as-of", "2026-06-30"]),
            "events_90d",
        ),
        2.0,
    );
}

#[test]
fn calendar_lookbacks_step_back_from_the_day_after_the_as_of_date() {
    // 3mo as of 2026-06-30: from 2026-07-01 back three months, 2026-04-01.
    // e1 (March 31, late) is out; e2 and e3 are in: 2.
    let lib = Lib::new(
        "e1,2026-03-31T23:59:59Z,a,eu,A,,,false\n\
         e2,2026-04-01T00:00:00Z,a,eu,A,,,false\n\
         e3,2026-06-30T12:00:00Z,a,eu,A,,,false\n",
    );
    close(
        &one(
            &lib.query(&["events_3mo", "--as-of", "2026-06-30"]),
            "events_3mo",
        ),
        2.0,
    );
}

#[test]
fn without_lookback_every_row_up_to_the_as_of_date_counts() {
    // e1 (years before) and e2 count; e3 is after the as-of day: 2.
    let lib = Lib::new(
        "e1,2020-01-01T00:00:00Z,a,eu,A,,,false\n\
         e2,2026-06-30T10:00:00Z,a,eu,A,,,false\n\
         e3,2026-07-01T00:00:01Z,a,eu,A,,,false\n",
    );
    close(
        &one(
            &lib.query(&["events_all", "--as-of", "2026-06-30"]),
            "events_all",
        ),
        2.0,
    );
}

#[test]
fn the_default_as_of_date_is_the_newest_data() {
    // Newest row: 2026-05-10T08:00Z, so the as-of date is 2026-05-10 and a
    // 1-day lookback holds that day only: e2 and e3.
    let lib = Lib::new(
        "e1,2026-05-09T12:00:00Z,a,eu,A,,,false\n\
         e2,2026-05-10T01:00:00Z,a,eu,A,,,false\n\
         e3,2026-05-10T08:00:00Z,a,eu,A,,,false\n",
    );
    close(&one(&lib.query(&["events_1d"]), "events_1d"), 2.0);
}

#[test]
fn a_monthly_series_has_one_row_per_period_with_data() {
    // Two rows in January, none in February, one in March.
    let lib = Lib::new(
        "e1,2026-01-03T00:00:00Z,a,eu,A,,,false\n\
         e2,2026-01-31T23:59:59Z,a,eu,A,,,false\n\
         e3,2026-03-01T00:00:00Z,a,eu,A,,,false\n",
    );
    let rows = lib.query(&["events_all", "--grain", "month"]);
    assert_eq!(
        rows,
        vec![
            json!({"period": "2026-01-01", "events_all": 2}),
            json!({"period": "2026-03-01", "events_all": 1}),
        ]
    );
}

#[test]
fn weeks_start_on_monday() {
    // 2026-06-28 is a Sunday (week of Monday 06-22), 06-29 a Monday.
    let lib = Lib::new(
        "e1,2026-06-28T23:00:00Z,a,eu,A,,,false\n\
         e2,2026-06-29T01:00:00Z,a,eu,A,,,false\n",
    );
    let rows = lib.query(&["events_all", "--grain", "week"]);
    assert_eq!(
        rows,
        vec![
            json!({"period": "2026-06-22", "events_all": 1}),
            json!({"period": "2026-06-29", "events_all": 1}),
        ]
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
fn division_is_true_division_and_null_on_zero() {
    // sum(n) / count() = (3 + 4) / 2 = 3.5, not 3; a zero divisor is null.
    let lib = Lib::new(
        "e1,2026-06-01T00:00:00Z,a,eu,A,,3,false\n\
         e2,2026-06-02T00:00:00Z,a,eu,A,,4,false\n",
    );
    let rows = lib.query(&["mean_n", "never"]);
    close(&rows[0]["mean_n"], 3.5);
    assert_eq!(rows[0]["never"], Value::Null);
}

#[test]
fn percentiles_are_exact_and_interpolate() {
    // v = 1, 2, 3, 4 (and a null, skipped). median = (2 + 3) / 2 = 2.5.
    // percentile 0.9: position 0.9 * (4 - 1) = 2.7 between 3 and 4: 3.7.
    // count_distinct(acct) over A, A, B, null = 2.
    let lib = Lib::new(
        "e1,2026-06-01T00:00:00Z,a,eu,A,4,,false\n\
         e2,2026-06-01T00:00:00Z,a,eu,A,1,,false\n\
         e3,2026-06-01T00:00:00Z,a,eu,B,3,,false\n\
         e4,2026-06-01T00:00:00Z,a,eu,,2,,false\n\
         e5,2026-06-01T00:00:00Z,a,eu,B,,,false\n",
    );
    let rows = lib.query(&["med", "p90", "accounts_seen"]);
    close(&rows[0]["med"], 2.5);
    close(&rows[0]["p90"], 3.7);
    close(&rows[0]["accounts_seen"], 2.0);
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
fn derived_metrics_compute_inputs_at_the_same_keys() {
    // By region: events eu = 2, us = 1; goals eu = 4, apac = 10.
    // events_per_goal: eu 2 / 4 = 0.5; us has no goal (null); apac has no
    // events (null events_all, so null).
    let lib = Lib::with(
        "e1,2026-06-01T00:00:00Z,a,eu,A,,,false\n\
         e2,2026-06-01T00:00:00Z,a,eu,A,,,false\n\
         e3,2026-06-01T00:00:00Z,a,us,A,,,false\n",
        "region,day,target\neu,2026-06-01,4\napac,2026-06-01,10\n",
    );
    let rows = lib.query(&["events_per_goal", "--by", "region", "--as-of", "2026-06-30"]);
    assert_eq!(
        rows,
        vec![
            json!({"region": "apac", "events_per_goal": null}),
            json!({"region": "eu", "events_per_goal": 0.5}),
            json!({"region": "us", "events_per_goal": null}),
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

#[test]
fn empty_data_is_not_an_error() {
    let lib = Lib::new("");
    let rows = lib.query(&["events_all"]);
    close(&one(&rows, "events_all"), 0.0);
    assert!(lib.query(&["events_all", "--grain", "month"]).is_empty());
    assert!(lib.query(&["events_all", "--by", "kind"]).is_empty());
}
