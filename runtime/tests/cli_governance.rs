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
    // Stdout is the table it always was.
    assert_eq!(
        text(&plain.stdout),
        "region  avg_amount\n------  ----------\nEU               6\nUS              25\n"
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
