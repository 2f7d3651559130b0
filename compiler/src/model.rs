//! The resolved, typed model of a library: what `yardstick compile --emit ir`
//! prints and what later stages (lowering, fingerprints) read.
//!
//! Every reference in the model names a declaration that exists, and every
//! expression is typed IR ([`TypedExpr`]). A variant carries its base's
//! formula and only its own filters: [`Library::filters_of`] walks the chain
//! of bases, so a long chain of variants costs linear, not quadratic, space.

use crate::ir::{ColumnRef, Duration, Literal, Lookback, MetricId, TypedExpr};
use crate::span::Span;
use crate::types::{Type, Unit};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, Serialize)]
pub struct Library {
    pub sources: BTreeMap<String, Source>,
    pub owners: BTreeMap<String, Owner>,
    pub outcomes: BTreeMap<String, Outcome>,
    pub metrics: BTreeMap<String, Metric>,
    pub reconciles: BTreeMap<String, Reconcile>,
    pub tests: Vec<Test>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Source {
    pub name: String,
    pub description: Option<String>,
    /// As written: relative to `file`'s directory; may be a glob.
    pub path: Option<String>,
    pub format: Option<Format>,
    /// The warehouse table a warehouse engine reads (`name` or
    /// `schema.name`, as written); `None` reads the table named like the
    /// source. Not part of any fingerprint: it is where the same rows live
    /// on a warehouse, as `path` is where they live in files.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    pub time: Option<String>,
    pub key: Option<String>,
    pub excludes: Vec<TypedExpr>,
    pub joins: Vec<JoinSpec>,
    /// Columns a query may group by: `channel` or `accounts.segment`.
    pub dimensions: Vec<String>,
    pub columns: Vec<Column>,
    /// The library file that declares it.
    pub file: String,
    #[serde(skip)]
    pub span: Span,
}

impl Source {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Parquet,
    Csv,
    Json,
    Arrow,
}

impl Format {
    pub fn parse(name: &str) -> Option<Format> {
        Some(match name {
            "parquet" => Format::Parquet,
            "csv" => Format::Csv,
            "json" => Format::Json,
            "arrow" => Format::Arrow,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct JoinSpec {
    pub source: String,
    /// `join users as host on host_id`: the name its columns go by
    /// (`host.country`); without it, the source's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// The column of this source that equals the joined source's key.
    pub on: String,
}

impl JoinSpec {
    /// The name the joined columns go by: the role, else the source.
    pub fn name(&self) -> &str {
        self.role.as_deref().unwrap_or(&self.source)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Column {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: Type,
    pub nullable: bool,
    pub unit: Unit,
    #[serde(skip)]
    pub span: Span,
}

#[derive(Debug, Clone, Serialize)]
pub struct Owner {
    pub name: String,
    pub display_name: Option<String>,
    pub contact: Option<String>,
    pub escalates_to: Option<String>,
    pub description: Option<String>,
    #[serde(skip)]
    pub span: Span,
}

#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub name: String,
    pub description: Option<String>,
    pub owner: Option<String>,
    pub direction: Option<Direction>,
    pub measured_by: Option<String>,
    #[serde(skip)]
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Higher,
    Lower,
}

#[derive(Debug, Clone, Serialize)]
pub struct Metric {
    pub name: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub version: u32,
    pub owner: Option<String>,
    pub tier: Option<Tier>,
    pub drives: Vec<Drive>,
    /// The `unit` as written (`score`, `usd/min`), if any.
    pub declared_unit: Option<String>,
    /// The unit the formula has.
    pub unit: Unit,
    pub value_type: Type,
    pub variant_of: Option<String>,
    pub deprecated: bool,
    pub assert: Option<Bound>,
    pub sla: Option<Sla>,
    pub changelog: BTreeMap<u32, String>,
    /// The dimensions a query may group this metric by.
    pub dimensions: Vec<String>,
    pub definition: Definition,
    /// The metric's name where it is declared.
    #[serde(skip)]
    pub span: Span,
    /// The whole declaration, for comparing texts.
    #[serde(skip)]
    pub decl_span: Span,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Definition {
    Base(BaseMetric),
    Derived(DerivedMetric),
}

#[derive(Debug, Clone, Serialize)]
pub struct BaseMetric {
    pub source: String,
    /// The effective time column (the metric's own, else the source's).
    pub time: Option<String>,
    /// Its own `where` clauses (all must hold); a variant's base's are on
    /// the base: read them all through [`Library::filters_of`].
    pub own_filters: Vec<TypedExpr>,
    /// Its own `exclude` clauses (the source's are on the source, a
    /// variant's base's on the base).
    pub own_excludes: Vec<TypedExpr>,
    pub formula: TypedExpr,
    pub lookback: Option<Lookback>,
    pub min_sample: Option<u64>,
    /// `fill: 0`: a series carries every period for every group, with 0
    /// where nothing counted (only counts and sums).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub fill_zero: bool,
    /// `per: COLUMN`: a two-level metric. The aggregates inside the
    /// formula's outer aggregates run per value of this column (and the
    /// query's keys), the outer ones over those entities.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per: Option<ColumnRef>,
    /// `snapshot: last|first [per COLUMN]`: only the newest (oldest) rows
    /// of each window count (LANGUAGE.md §9).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<Snapshot>,
}

/// Which rows of a window a snapshot metric keeps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Snapshot {
    pub keep: SnapshotKeep,
    /// A column of the source: the newest rows are taken per value of it
    /// (each account's latest balance), not per group of the query.
    pub per: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SnapshotKeep {
    /// The rows at the newest time of the window.
    Last,
    /// The rows at the oldest time of the window.
    First,
}

impl Snapshot {
    /// As written after `snapshot:`, and in fingerprints: `last`,
    /// `first per account_id`.
    pub fn text(&self) -> String {
        let keep = match self.keep {
            SnapshotKeep::Last => "last",
            SnapshotKeep::First => "first",
        };
        match &self.per {
            Some(per) => format!("{keep} per {per}"),
            None => keep.to_owned(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct DerivedMetric {
    pub formula: TypedExpr,
    /// The metrics the formula reads, in order of first use.
    pub inputs: Vec<MetricId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    Leading,
    Lagging,
}

#[derive(Debug, Clone, Serialize)]
pub struct Drive {
    pub outcome: String,
    pub after: Option<Duration>,
}

/// `>= 70%`, `<= 5`, `between -100 and 100`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bound {
    pub low: Option<Limit>,
    pub high: Option<Limit>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Limit {
    pub value: f64,
    pub inclusive: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Sla {
    pub freshness: Option<Duration>,
    pub target: Option<Bound>,
    pub review: Option<Review>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Review {
    Weekly,
    Monthly,
    Quarterly,
}

/// A `reconcile` declaration (LANGUAGE.md §10): two metrics with the same
/// unit that must agree period by period within a tolerance.
#[derive(Debug, Clone, Serialize)]
pub struct Reconcile {
    pub name: String,
    pub description: Option<String>,
    pub metric: String,
    pub against: String,
    pub grain: crate::ir::Grain,
    pub tolerance: Tolerance,
    /// Dimensions both sides are compared by (each must allow them).
    pub by: Vec<String>,
    /// Who signs off on a variance.
    pub owner: Option<String>,
    #[serde(skip)]
    pub span: Span,
}

/// How far apart the two sides of a reconciliation may be.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "lowercase")]
pub enum Tolerance {
    /// A fraction of the `against` side's absolute value (`2%` is 0.02).
    Relative(f64),
    /// An amount in the metrics' unit.
    Absolute(f64),
}

impl Tolerance {
    /// Whether `value` and `against` agree. Both present and the
    /// difference within the tolerance; one side without a value is a
    /// variance.
    pub fn agrees(&self, value: Option<f64>, against: Option<f64>) -> bool {
        match (value, against) {
            (Some(v), Some(a)) => {
                let allowed = match *self {
                    Tolerance::Relative(r) => r * a.abs(),
                    Tolerance::Absolute(x) => x,
                };
                // A little room for floating-point sums of the same rows.
                (v - a).abs() <= allowed + 1e-9 * a.abs().max(1.0)
            }
            _ => false,
        }
    }

    /// As written: `2%` or `500`.
    pub fn text(&self) -> String {
        match *self {
            // Rounded to 9 decimals: 0.07 * 100 is 7.000000000000001.
            Tolerance::Relative(r) => format!("{}%", (r * 100.0 * 1e9).round() / 1e9),
            Tolerance::Absolute(x) => format!("{x}"),
        }
    }
}

/// A `test` block: rows in, expected values out.
#[derive(Debug, Clone, Serialize)]
pub struct Test {
    pub name: String,
    pub givens: Vec<GivenRows>,
    pub expects: Vec<Expectation>,
    #[serde(skip)]
    pub span: Span,
}

#[derive(Debug, Clone, Serialize)]
pub struct GivenRows {
    pub source: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Literal>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Expectation {
    pub metric: String,
    pub by: Vec<String>,
    pub grain: Option<String>,
    /// The as-of date, days since 1970-01-01.
    pub as_of: Option<i32>,
    /// One value (no `by`) or rows of dimension values then the value.
    pub rows: Vec<Vec<Literal>>,
    /// `within 0.0001`: the largest difference from an expected value that
    /// passes (without it, the runner allows 1e-9, relative above 1).
    pub tolerance: Option<f64>,
    #[serde(skip)]
    pub span: Span,
}

/// The `where` and `exclude` clauses of a base metric and of the bases it
/// is a variant of (its source's excludes are on the source).
#[derive(Debug, Clone, Default)]
pub struct Filters<'a> {
    pub wheres: Vec<&'a TypedExpr>,
    pub excludes: Vec<&'a TypedExpr>,
}

impl Library {
    pub fn metric(&self, id: &MetricId) -> Option<&Metric> {
        self.metrics.get(id.as_str())
    }

    /// Every filter of a base metric: its own and its bases' (for a
    /// variant). Empty for a derived metric.
    pub fn filters_of<'a>(&'a self, metric: &'a Metric) -> Filters<'a> {
        let mut out = Filters::default();
        let mut next = Some(metric);
        // Bounded: the model has no cycles, and a chain is at most every metric.
        for _ in 0..=self.metrics.len() {
            let Some(m) = next else { break };
            if let Definition::Base(b) = &m.definition {
                out.wheres.extend(&b.own_filters);
                out.excludes.extend(&b.own_excludes);
            }
            next = m.variant_of.as_deref().and_then(|v| self.metrics.get(v));
        }
        out
    }
}
