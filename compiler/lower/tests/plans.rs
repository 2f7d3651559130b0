//! Snapshots of the logical plans of representative queries over the
//! reference library `specs/cx`, built without data: the catalog gives each
//! source its declared schema.

#![allow(clippy::panic, clippy::unwrap_used)] // a test or tool: failing loudly is the point

use datafusion::arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use datafusion::logical_expr::builder::LogicalTableSource;
use datafusion::logical_expr::TableSource;
use std::path::Path;
use std::sync::Arc;
use yardstick_compiler::model::Library;
use yardstick_compiler::span::SourceFile;
use yardstick_compiler::types::Type;
use yardstick_lower::{Catalog, LowerError, NaiveDate, QueryArgs, Request};

struct Declared<'a>(&'a Library);

impl Catalog for Declared<'_> {
    fn table(&self, source: &str) -> Result<Arc<dyn TableSource>, LowerError> {
        let s = self
            .0
            .sources
            .get(source)
            .ok_or_else(|| LowerError(format!("no source {source}")))?;
        let fields: Vec<Field> = s
            .columns
            .iter()
            .map(|c| {
                let ty = match c.ty {
                    Type::Int => DataType::Int64,
                    Type::Float => DataType::Float64,
                    Type::Bool => DataType::Boolean,
                    Type::Date => DataType::Date32,
                    Type::Timestamp => {
                        DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
                    }
                    _ => DataType::Utf8,
                };
                Field::new(&c.name, ty, true)
            })
            .collect();
        Ok(Arc::new(LogicalTableSource::new(Arc::new(Schema::new(
            fields,
        )))))
    }
}

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
    let request = Request::resolve(&library, &args).expect("request");
    let frame = yardstick_lower::time_frame(
        &request,
        Some(date("2026-01-01")),
        Some(date("2026-06-30")),
        date("2026-06-30"),
    )
    .expect("frame");
    let lowered =
        yardstick_lower::lower(&library, &request, &frame, &Declared(&library)).expect("lower");
    format!("{}", lowered.plan.display_indent())
}

fn args(metrics: &[&str]) -> QueryArgs {
    QueryArgs {
        metrics: metrics.iter().map(|m| m.to_string()).collect(),
        ..QueryArgs::default()
    }
}

#[test]
fn several_metrics_of_one_source_share_one_scan() {
    insta::assert_snapshot!(plan(QueryArgs {
        as_of: Some(date("2026-06-30")),
        ..args(&[
            "fcr",
            "repeat_contact_rate",
            "cost_per_ticket",
            "tickets_opened"
        ])
    }));
}

#[test]
fn a_series_with_a_lookback_joins_the_periods() {
    insta::assert_snapshot!(plan(QueryArgs {
        grain: Some("quarter".into()),
        by: vec!["region".into()],
        ..args(&["nps"])
    }));
}

#[test]
fn a_derived_metric_joins_its_sources_at_the_same_keys() {
    insta::assert_snapshot!(plan(QueryArgs {
        by: vec!["accounts.segment".into()],
        filter: Some("accounts.segment != \"smb\"".into()),
        ..args(&["experience_health"])
    }));
}

#[test]
fn percentiles_lower_to_the_exact_aggregate() {
    insta::assert_snapshot!(plan(QueryArgs {
        as_of: Some(date("2026-06-30")),
        ..args(&["time_to_resolve", "urgent_resolve_p90"])
    }));
}
