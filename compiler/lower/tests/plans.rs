//! Snapshots of the logical plans of representative queries over the
//! reference library `specs/cx`, built without data: the catalog gives each
//! source its declared schema.

#![allow(clippy::panic, clippy::unwrap_used)] // a test or tool: failing loudly is the point

use std::path::Path;
use yardstick_compiler::model::Library;
use yardstick_compiler::query::{Arg, QueryArgs};
use yardstick_compiler::span::SourceFile;
use yardstick_lower::{DataRange, NaiveDate};

#[path = "../../../tests/support/declared_catalog.rs"]
mod declared_catalog;

use declared_catalog::Declared;

fn library() -> Library {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../specs/cx");
    let mut files = Vec::new();
    let mut paths: Vec<_> = std::fs::read_dir(&root)
        .expect("specs/cx")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "yard"))
        .collect();
    paths.sort();
    for p in paths {
        files.push(SourceFile {
            path: p.file_name().expect("name").to_string_lossy().into_owned(),
            text: std::fs::read_to_string(&p).expect("read"),
        });
    }
    let compiled = yardstick_compiler::compile(files);
    assert!(compiled.diagnostics.is_empty(), "specs/cx must be clean");
    compiled.library
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

fn plan(args: QueryArgs) -> String {
    let library = library();
    let (request, diags) = yardstick_compiler::query::check(&library, &args);
    let request = request.unwrap_or_else(|| panic!("request: {:?}", diags.iter().next()));
    let range = DataRange {
        oldest: Some(date("2026-01-01")),
        newest: Some(date("2026-06-30")),
        today: date("2026-06-30"),
    };
    let lowered =
        yardstick_lower::lower(&library, &request, range, &Declared(&library)).expect("lower");
    format!("{}", lowered.plan.display_indent())
}

fn arg(text: &str) -> Arg {
    Arg {
        text: text.to_owned(),
        span: Default::default(),
    }
}

fn args(metrics: &[&str]) -> QueryArgs {
    QueryArgs {
        metrics: metrics.iter().map(|m| arg(m)).collect(),
        ..QueryArgs::default()
    }
}

#[test]
fn several_metrics_of_one_source_share_one_scan() {
    insta::assert_snapshot!(plan(QueryArgs {
        as_of: Some(arg("2026-06-30")),
        ..args(&[
            "fcr",
            "repeat_contact_rate",
            "cost_per_ticket",
            "tickets_opened"
        ])
    }));
}

#[test]
fn a_series_with_a_lookback_folds_days_into_its_windows() {
    insta::assert_snapshot!(plan(QueryArgs {
        grain: Some(arg("quarter")),
        by: vec![arg("region")],
        ..args(&["nps"])
    }));
}

#[test]
fn a_derived_metric_joins_its_sources_at_the_same_keys() {
    insta::assert_snapshot!(plan(QueryArgs {
        by: vec![arg("accounts.segment")],
        filter: Some(arg("accounts.segment != \"smb\"")),
        ..args(&["experience_health"])
    }));
}

#[test]
fn percentiles_lower_to_the_exact_aggregate() {
    insta::assert_snapshot!(plan(QueryArgs {
        as_of: Some(arg("2026-06-30")),
        ..args(&["time_to_resolve", "urgent_resolve_p90"])
    }));
}
