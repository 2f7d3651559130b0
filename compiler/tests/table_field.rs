//! A source's `table` field: where a warehouse engine reads its rows. It is
//! read as written, and it is not part of any metric's meaning (adding or
//! changing it leaves every fingerprint as it was; docs/engines.md).

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)] // a test: failing loudly is the point

use yardstick_compiler::drift::fingerprint::fingerprints;
use yardstick_compiler::span::SourceFile;
use yardstick_compiler::Compiled;

fn compile(table: &str) -> Compiled {
    let text = format!(
        r#"
source tickets {{
  path: "tickets.csv"
  {table}
  time: opened_at
  columns {{ opened_at: timestamp  channel: string }}
}}
metric opened {{ from: tickets formula: count() lookback: 90d }}
"#
    );
    let compiled = yardstick_compiler::compile(vec![SourceFile {
        path: "lib.yard".to_owned(),
        text,
    }]);
    assert!(
        compiled.diagnostics.is_empty(),
        "{table}: {:?}",
        compiled.diagnostics.iter().next()
    );
    compiled
}

#[test]
fn the_table_is_read_as_written() {
    let name = |t: &str| compile(t).library.sources["tickets"].table.clone();
    assert_eq!(name(""), None);
    assert_eq!(
        name(r#"table: "tickets_raw""#).as_deref(),
        Some("tickets_raw")
    );
    assert_eq!(
        name(r#"table: "Support.Tickets""#).as_deref(),
        Some("Support.Tickets")
    );
}

#[test]
fn the_table_is_not_part_of_any_fingerprint() {
    let print = |t: &str| fingerprints(&compile(t).library)["opened"].1.clone();
    let without = print("");
    assert_eq!(print(r#"table: "cx.tickets""#), without);
    assert_eq!(print(r#"table: "warehouse_tickets""#), without);
}
