//! Governance through the binary on a small library whose numbers are
//! worked out by hand in the comments: `query` warning about asserts,
//! `check --data` (freshness, asserts, targets, columns) and `graph`.

#![allow(clippy::panic, clippy::unwrap_used)] // a test: failing loudly is the point

use std::path::Path;
use std::process::{Command, Output};

const LIBRARY: &str = r#"
owner desk {
  escalates_to: ops_head
}
owner ops_head {
  escalates_to: coo
}
owner coo {
  name: "Chief Operating Officer"
}
outcome retention {
  owner: coo
  measured_by: avg_amount
}
outcome cost {
  owner: coo
}
source orders {
  path: "orders.csv"
  time: at
  dimensions: region
  columns {
    at: date
    region: string
    amount: float
    late: bool
  }
}
metric avg_amount {
  owner: desk
  tier: lagging
  from: orders
  dimensions: region
  formula: avg(amount)
  assert: <= 10
  sla {
    freshness: 48h
    target: >= 8
  }
}
metric late_share {
  owner: ops_head
  tier: leading
  drives: retention after 3mo
  from: orders
  formula: count(where late) / count()
  assert: < 50%
}
metric orders_count {
  tier: leading
  from: orders
  formula: count()
}
metric late_orders variant of orders_count {
  where: late
}
metric late_per_order {
  formula: late_orders / orders_count
}
"#;

// EU: 5 and 7 (avg 6, none late); US: 20 and 30 (avg 25, both late).
// Overall: avg (5+7+20+30)/4 = 15.5; late 2/4 = 0.5. Newest row 2026-01-03.
const DATA: &str = "at,region,amount,late\n\
2026-01-01,EU,5,false\n\
2026-01-02,EU,7,false\n\
2026-01-01,US,20,true\n\
2026-01-03,US,30,true\n";

fn library() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("lib.yard"), LIBRARY).expect("write library");
    std::fs::write(dir.path().join("orders.csv"), DATA).expect("write data");
    dir
}

fn yardstick(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_yardstick"))
        .args(args)
        .args(["--spec", &dir.to_string_lossy()])
        // Annotations name files from the working directory (outside git).
        .current_dir(dir)
        .output()
        .expect("run yardstick")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn query_warns_about_each_value_outside_its_assert() {
    let dir = library();
    let quiet = yardstick(dir.path(), &["query", "avg_amount", "late_share"]);
    let plain = yardstick(dir.path(), &["query", "avg_amount", "--by", "region"]);
    assert_eq!(plain.status.code(), Some(0), "{}", text(&plain.stderr));
    // EU 6 is within `<= 10`; US 25 is not.
    assert_eq!(
        text(&plain.stderr),
        "warning: `avg_amount` = 25 (region=US) breaks its assert `<= 10`; owner: desk → ops_head → coo\n"
    );
    // Stdout is the table, under the as-of date (the newest row's).
    assert_eq!(
        text(&plain.stdout),
        "as of 2026-01-03\nregion  avg_amount\n------  ----------\nEU               6\nUS              25\n"
    );
    // Overall: 15.5 > 10, and 0.5 is not < 50%.
    assert_eq!(quiet.status.code(), Some(0));
    assert_eq!(
        text(&quiet.stderr),
        "warning: `avg_amount` = 15.5 (overall) breaks its assert `<= 10`; owner: desk → ops_head → coo\n\
         warning: `late_share` = 0.5 (overall) breaks its assert `< 0.5`; owner: ops_head → coo\n"
    );
    // A series names the period; January holds all four rows.
    let series = yardstick(dir.path(), &["query", "avg_amount", "--grain", "month"]);
    assert_eq!(series.status.code(), Some(0));
    assert_eq!(
        text(&series.stderr),
        "warning: `avg_amount` = 15.5 (period=2026-01-01) breaks its assert `<= 10`; owner: desk → ops_head → coo\n"
    );
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).expect("json")
}

fn messages(report: &serde_json::Value) -> Vec<(String, String)> {
    report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                d["code"].as_str().expect("code").to_owned(),
                d["message"].as_str().expect("message").to_owned(),
            )
        })
        .collect()
}

const CHAIN: &str = "owner: desk → ops_head → coo";

#[test]
fn check_data_finds_stale_data_asserts_and_targets() {
    let dir = library();
    // At the end of 2026-01-05 the newest row (2026-01-03 00:00) is 72h
    // old, beyond 48h. Values as of 2026-01-05 cover every row:
    // avg_amount 15.5 overall (> 10), EU 6 (fine; misses target >= 8),
    // US 25 (> 10); late_share 0.5 overall (not < 0.5), EU 0, US 1.
    let out = yardstick(
        dir.path(),
        &[
            "check",
            "--data",
            "--as-of",
            "2026-01-05",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let report = json(&out);
    let mut found = messages(&report);
    found.sort();
    let at = |g: &str| format!("{g} as of 2026-01-05");
    let mut expected = vec![
        ("assert", format!("`avg_amount` = 15.5 ({}) breaks its assert `<= 10`; {CHAIN}", at("overall"))),
        ("assert", format!("`avg_amount` = 25 ({}) breaks its assert `<= 10`; {CHAIN}", at("region=US"))),
        ("assert", format!("`late_share` = 0.5 ({}) breaks its assert `< 0.5`; owner: ops_head → coo", at("overall"))),
        ("assert", format!("`late_share` = 1 ({}) breaks its assert `< 0.5`; owner: ops_head → coo", at("region=US"))),
        ("stale", format!("`avg_amount`'s newest data (`orders.at` at 2026-01-03 00:00 UTC) is 3d old at 2026-01-06 00:00 UTC, beyond its freshness `48h`; {CHAIN}")),
        ("target", format!("`avg_amount` = 6 ({}) breaks its target `>= 8`; {CHAIN}", at("region=EU"))),
    ]
    .into_iter()
    .map(|(code, m)| (format!("yardstick::data::{code}"), m))
    .collect::<Vec<_>>();
    expected.sort();
    assert_eq!(found, expected);
    // A missed target is a warning (CLI.md); the rest are errors.
    assert_eq!(report["errors"], 5);
    assert_eq!(report["warnings"], 1);

    // At the end of 2026-01-04 the newest row is exactly 48h old: fresh.
    let fresh = yardstick(
        dir.path(),
        &[
            "check",
            "--data",
            "--as-of",
            "2026-01-04",
            "--format",
            "json",
        ],
    );
    assert!(messages(&json(&fresh))
        .iter()
        .all(|(code, _)| code != "yardstick::data::stale"));

    // The other formats carry the same findings.
    let github = yardstick(
        dir.path(),
        &[
            "check",
            "--data",
            "--as-of",
            "2026-01-05",
            "--format",
            "github",
        ],
    );
    assert_eq!(github.status.code(), Some(1));
    let lines = text(&github.stdout);
    assert_eq!(
        lines
            .lines()
            .filter(|l| l.starts_with("::error file=lib.yard"))
            .count(),
        5,
        "{lines}"
    );
    assert_eq!(
        lines
            .lines()
            .filter(|l| l.starts_with("::warning file=lib.yard"))
            .count(),
        1,
        "{lines}"
    );
    let sarif = yardstick(
        dir.path(),
        &[
            "check",
            "--data",
            "--as-of",
            "2026-01-05",
            "--format",
            "sarif",
        ],
    );
    assert_eq!(sarif.status.code(), Some(1));
    let log: serde_json::Value = serde_json::from_slice(&sarif.stdout).expect("sarif");
    let results = log["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 6);
    assert!(
        results
            .iter()
            .any(|r| r["ruleId"] == "yardstick::data::stale"),
        "{log}"
    );
    let human = yardstick(
        dir.path(),
        &[
            "check",
            "--data",
            "--as-of",
            "2026-01-05",
            "--color",
            "never",
        ],
    );
    assert_eq!(human.status.code(), Some(1));
    assert!(
        text(&human.stderr).ends_with("5 errors, 1 warning in 1 file\n"),
        "{}",
        text(&human.stderr)
    );

    // Without --data, check reads no data and passes.
    assert_eq!(yardstick(dir.path(), &["check"]).status.code(), Some(0));
}

#[test]
fn check_data_reports_files_that_do_not_hold_the_declared_columns() {
    let dir = library();
    let orders = dir.path().join("orders.csv");
    std::fs::write(&orders, "at,region,late\n2026-01-01,EU,false\n").expect("write");
    let out = yardstick(dir.path(), &["check", "--data", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let found = messages(&json(&out));
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "yardstick::data::source");
    assert!(
        found[0]
            .1
            .contains("has no column `amount` (declared float)"),
        "{found:?}"
    );
    assert!(found[0].1.contains("orders.csv"), "{found:?}");

    std::fs::write(&orders, "at,region,amount,late\n2026-01-01,EU,lots,false\n").expect("write");
    let out = yardstick(dir.path(), &["check", "--data", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let found = messages(&json(&out));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].1.contains("`amount` is declared float"),
        "{found:?}"
    );

    let bad_date = yardstick(dir.path(), &["check", "--data", "--as-of", "yesterday"]);
    assert_eq!(bad_date.status.code(), Some(2));
    assert!(text(&bad_date.stderr).contains("--as-of `yesterday`"));
}

#[test]
fn check_data_runs_on_the_reference_library() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs/cx");
    let out = yardstick(
        &root,
        &[
            "check",
            "--data",
            "--as-of",
            "2026-06-30",
            "--format",
            "json",
        ],
    );
    let report = json(&out);
    let found = messages(&report);
    assert!(!found.is_empty());
    // Every finding is a data finding naming who must act.
    for (code, message) in &found {
        assert!(code.starts_with("yardstick::data::"), "{code}");
        assert!(message.contains("owner: "), "{message}");
    }
    let errors = report["errors"].as_u64().expect("errors");
    assert_eq!(out.status.code(), Some(if errors > 0 { 1 } else { 0 }));
}

#[test]
fn graph_draws_outcomes_metrics_and_edges() {
    let dir = library();
    let out = yardstick(dir.path(), &["graph"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // Outcomes then metrics by name; a variant inherits its base's tier.
    // Edges per metric (variant base, inputs, drives), then measured_by.
    assert_eq!(
        text(&out.stdout),
        r#"flowchart LR
  o_cost(["cost"])
  o_retention(["retention"])
  m_avg_amount["avg_amount (lagging)"]
  m_late_orders["late_orders (leading)"]
  m_late_per_order["late_per_order"]
  m_late_share["late_share (leading)"]
  m_orders_count["orders_count (leading)"]
  m_orders_count -->|variant| m_late_orders
  m_late_orders -->|input| m_late_per_order
  m_orders_count -->|input| m_late_per_order
  m_late_share -->|"drives after 3mo"| o_retention
  m_avg_amount -->|measures| o_retention
"#
    );
    assert_eq!(
        text(&out.stderr),
        "warning: leading metric `late_orders` drives no outcome\n\
         warning: leading metric `orders_count` drives no outcome\n\
         warning: outcome `cost` is measured or driven by no metric\n"
    );
    let dot = yardstick(dir.path(), &["graph", "--format", "dot"]);
    assert_eq!(dot.status.code(), Some(0));
    assert_eq!(
        text(&dot.stdout),
        r#"digraph yardstick {
  rankdir=LR;
  "o_cost" [label="cost", shape=ellipse];
  "o_retention" [label="retention", shape=ellipse];
  "m_avg_amount" [label="avg_amount (lagging)", shape=box];
  "m_late_orders" [label="late_orders (leading)", shape=box];
  "m_late_per_order" [label="late_per_order", shape=box];
  "m_late_share" [label="late_share (leading)", shape=box];
  "m_orders_count" [label="orders_count (leading)", shape=box];
  "m_orders_count" -> "m_late_orders" [label="variant"];
  "m_late_orders" -> "m_late_per_order" [label="input"];
  "m_orders_count" -> "m_late_per_order" [label="input"];
  "m_late_share" -> "o_retention" [label="drives after 3mo"];
  "m_avg_amount" -> "o_retention" [label="measures"];
}
"#
    );
}

#[test]
fn graph_renders_the_reference_library() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs/cx");
    let out = yardstick(&root, &["graph"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let mermaid = text(&out.stdout);
    // From the library's text: fcr drives retention after 6mo and
    // cost_to_serve after 3mo; renewal_rate measures retention; csat_email
    // is a variant of csat_rate; experience_health reads fcr.
    for line in [
        "flowchart LR",
        r#"  o_retention(["retention"])"#,
        r#"  m_fcr -->|"drives after 6mo"| o_retention"#,
        r#"  m_fcr -->|"drives after 3mo"| o_cost_to_serve"#,
        "  m_renewal_rate -->|measures| o_retention",
        "  m_csat_rate -->|variant| m_csat_email",
        "  m_fcr -->|input| m_experience_health",
    ] {
        assert!(mermaid.lines().any(|l| l == line), "{line}\n{mermaid}");
    }
    let dot = yardstick(&root, &["graph", "--format", "dot"]);
    assert_eq!(dot.status.code(), Some(0));
    assert!(text(&dot.stdout).starts_with("digraph yardstick {\n"));
}
