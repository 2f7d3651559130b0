//! A metric that reads through joins means something only with those
//! joins: each hop it reads through is a `join` line of its meaning, so
//! re-pointing a hop of a chain moves its fingerprint and names the drift
//! part `joins`, while a metric that reads no joined column keeps the
//! meaning it had.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)] // a test: failing loudly is the point

use yardstick_compiler::drift::diff::{diff, Side};
use yardstick_compiler::drift::fingerprint::fingerprints;
use yardstick_compiler::span::SourceFile;
use yardstick_compiler::Compiled;

/// `bookings → listings → users (as host)`; `{host_on}` is the column the
/// second hop joins on.
fn library(host_on: &str, metric: &str) -> String {
    format!(
        r#"
source users {{
  path: "users.csv"
  key: user_id
  columns {{ user_id: string  country: string }}
}}
source listings {{
  path: "listings.csv"
  key: listing_id
  join users as host on {host_on}
  columns {{ listing_id: string  host_id: string  owner_id: string  city: string }}
}}
source bookings {{
  path: "bookings.csv"
  time: booked_at
  join listings on listing_id
  dimensions: listings.city, listings.host.country
  columns {{ booking_id: string  listing_id: string  booked_at: timestamp }}
}}
{metric}
"#
    )
}

const IN_FRANCE: &str =
    r#"metric t { from: bookings where: listings.host.country == "FR" formula: count() }"#;
const IN_PARIS: &str =
    r#"metric t { from: bookings where: listings.city == "Paris" formula: count() }"#;
const ALL: &str = "metric t { from: bookings formula: count() }";

fn compile(text: String) -> Compiled {
    let compiled = yardstick_compiler::compile(vec![SourceFile {
        path: "lib.yard".to_owned(),
        text,
    }]);
    assert!(
        compiled.diagnostics.is_empty(),
        "{:?}",
        compiled.diagnostics.iter().next()
    );
    compiled
}

fn meaning(text: String) -> (String, String) {
    let compiled = compile(text);
    let (m, fp) = fingerprints(&compiled.library)
        .remove("t")
        .expect("meaning of t");
    (m.text(), fp)
}

fn parts(base: String, head: String) -> Vec<String> {
    let (b, h) = (compile(base), compile(head));
    let changes = diff(
        &Side {
            library: &b.library,
            sources: &b.sources,
        },
        &Side {
            library: &h.library,
            sources: &h.sources,
        },
    );
    let change = changes.iter().find(|c| c.metric == "t").expect("t changed");
    change.parts.clone()
}

#[test]
fn each_hop_read_through_is_a_join_line() {
    let (text, _) = meaning(library("host_id", IN_FRANCE));
    assert!(
        text.contains(
            "join listings listings listings.csv on listing_id\njoin listings.host users users.csv on host_id\n"
        ),
        "{text}"
    );
    let (text, _) = meaning(library("host_id", IN_PARIS));
    assert!(
        text.contains("join listings listings listings.csv on listing_id\n"),
        "{text}"
    );
    assert!(!text.contains("listings.host"), "{text}");
}

#[test]
fn re_pointing_a_hop_of_the_chain_changes_the_meaning() {
    let (_, before) = meaning(library("host_id", IN_FRANCE));
    let (_, after) = meaning(library("owner_id", IN_FRANCE));
    assert_ne!(before, after);
    assert_eq!(
        parts(
            library("host_id", IN_FRANCE),
            library("owner_id", IN_FRANCE)
        ),
        vec!["joins"]
    );
}

#[test]
fn a_chain_in_the_filter_instead_of_one_hop_moves_filters_and_joins() {
    assert_eq!(
        parts(library("host_id", IN_PARIS), library("host_id", IN_FRANCE)),
        vec!["filters", "joins"]
    );
}

#[test]
fn a_metric_reading_no_joined_column_keeps_its_meaning() {
    // Joins used only for dimensions decide how a query groups, not what
    // the metric counts: re-pointing one leaves the meaning as it was.
    let (text, before) = meaning(library("host_id", ALL));
    assert!(!text.contains("\njoin "), "{text}");
    let (_, after) = meaning(library("owner_id", ALL));
    assert_eq!(before, after);
}
