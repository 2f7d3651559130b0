//! The shapes of LANGUAGE.md §11 change a metric's meaning: each moves its
//! fingerprint and names its own drift part in `diff`.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)] // a test: failing loudly is the point

use yardstick_compiler::drift::diff::{diff, Side};
use yardstick_compiler::drift::fingerprint::fingerprints;
use yardstick_compiler::span::SourceFile;
use yardstick_compiler::Compiled;

const SOURCE: &str = r#"
source tickets {
  time: opened_at
  dimensions: channel
  columns { opened_at: timestamp  channel: string }
}
"#;

fn compile(metric: &str) -> Compiled {
    let compiled = yardstick_compiler::compile(vec![SourceFile {
        path: "lib.yard".to_owned(),
        text: format!("{SOURCE}{metric}\n"),
    }]);
    assert!(
        compiled.diagnostics.is_empty(),
        "{metric}: {:?}",
        compiled.diagnostics.iter().next()
    );
    compiled
}

/// The drift parts of `t` between two definitions.
fn parts(base: &str, head: &str) -> Vec<String> {
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

fn meaning(metric: &str) -> String {
    let compiled = compile(metric);
    fingerprints(&compiled.library)
        .get("t")
        .map(|(m, _)| m.text())
        .expect("meaning of t")
}

#[test]
fn a_period_to_date_lookback_is_the_lookback_part() {
    let qtd = "metric t { from: tickets formula: count() lookback: qtd }";
    assert!(
        meaning(qtd).contains("\nlookback qtd\n"),
        "{}",
        meaning(qtd)
    );
    assert_eq!(
        parts(
            "metric t { from: tickets formula: count() lookback: 90d }",
            qtd
        ),
        vec!["lookback"]
    );
    assert_eq!(
        parts(
            qtd,
            "metric t { from: tickets formula: count() lookback: mtd }"
        ),
        vec!["lookback"]
    );
}

#[test]
fn fill_is_its_own_part_and_leaves_unfilled_meanings_alone() {
    let plain = "metric t { from: tickets formula: count() }";
    let filled = "metric t { from: tickets formula: count() fill: 0 }";
    // No `fill` line without fill, so locks written before it still hold.
    assert!(!meaning(plain).contains("fill"), "{}", meaning(plain));
    assert!(
        meaning(filled).contains("\nfill 0\n"),
        "{}",
        meaning(filled)
    );
    assert_eq!(parts(plain, filled), vec!["fill"]);
    assert_eq!(parts(filled, plain), vec!["fill"]);
}

#[test]
fn snapshot_is_its_own_part_and_leaves_other_meanings_alone() {
    let plain = "metric t { from: tickets formula: count() }";
    let last = "metric t { from: tickets formula: count() snapshot: last }";
    let per = "metric t { from: tickets formula: count() snapshot: last per channel }";
    let first = "metric t { from: tickets formula: count() snapshot: first per channel }";
    // No `snapshot` line without one, so locks written before it still hold.
    assert!(!meaning(plain).contains("snapshot"), "{}", meaning(plain));
    assert!(
        meaning(last).contains("\nsnapshot last\n"),
        "{}",
        meaning(last)
    );
    assert!(
        meaning(per).contains("\nsnapshot last per channel\n"),
        "{}",
        meaning(per)
    );
    assert_eq!(parts(plain, last), vec!["snapshot"]);
    assert_eq!(parts(last, per), vec!["snapshot"]);
    assert_eq!(parts(per, first), vec!["snapshot"]);
    assert_eq!(parts(per, plain), vec!["snapshot"]);
}

#[test]
fn an_offsets_duration_is_part_of_the_formula() {
    let base = "metric opened { from: tickets formula: count() }\n";
    let year = format!("{base}metric t {{ formula: opened - offset(opened, 1y) }}");
    let quarter = format!("{base}metric t {{ formula: opened - offset(opened, 1q) }}");
    assert!(
        meaning(&year).contains("offset(opened, 1y)"),
        "{}",
        meaning(&year)
    );
    assert_eq!(parts(&year, &quarter), vec!["formula"]);
    let plain = format!("{base}metric t {{ formula: opened - opened }}");
    assert_eq!(parts(&plain, &year), vec!["formula"]);
}

#[test]
fn per_is_its_own_part_and_leaves_one_level_meanings_alone() {
    let plain = "metric t { from: tickets formula: count() }";
    let per_channel = "metric t { from: tickets per: channel formula: count() }";
    assert!(!meaning(plain).contains("per"), "{}", meaning(plain));
    assert!(
        meaning(per_channel).contains("\nper channel\n"),
        "{}",
        meaning(per_channel)
    );
    assert_eq!(parts(plain, per_channel), vec!["per"]);
}
