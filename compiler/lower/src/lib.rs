//! Lowering metric queries to DataFusion logical plans (LANGUAGE.md §6).
//!
//! Like the compiler, this crate does no IO and runs nothing: table schemas
//! come through the [`Catalog`] trait, and the runtime executes the plan.
//! The stages: [`Request::resolve`] checks a query against the library,
//! [`lower`] builds one aggregation per source ([`scan`]) and joins them,
//! computing derived metrics on top ([`combine`]).

mod combine;
pub mod percentile;
mod scan;
pub mod translate;
pub mod window;

use datafusion::logical_expr::{LogicalPlan, TableSource};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use window::Grain;
use yardstick_compiler::diagnostics::Diagnostics;
use yardstick_compiler::model::{BaseMetric, Definition, Library, Metric, Source};
use yardstick_compiler::resolve::suggest::did_you_mean;
use yardstick_compiler::syntax::ast::Expr;

pub use chrono::NaiveDate;

/// Why a query cannot be lowered: the message says what to change.
#[derive(Debug, Clone, PartialEq)]
pub struct LowerError(pub String);

impl std::fmt::Display for LowerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LowerError {}

/// Where lowering finds the tables of sources.
pub trait Catalog {
    fn table(&self, source: &str) -> Result<Arc<dyn TableSource>, LowerError>;
}

/// A query as the command line gives it.
#[derive(Debug, Clone, Default)]
pub struct QueryArgs {
    pub metrics: Vec<String>,
    pub by: Vec<String>,
    pub grain: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub as_of: Option<NaiveDate>,
    /// A row-level expression over dimensions.
    pub filter: Option<String>,
}

/// A query checked against the library.
#[derive(Debug, Clone)]
pub struct Request {
    pub metrics: Vec<String>,
    pub by: Vec<String>,
    pub grain: Option<Grain>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub as_of: Option<NaiveDate>,
    pub filter: Option<Expr>,
}

/// The time a query covers, once defaults are known.
#[derive(Debug, Clone)]
pub enum TimeFrame {
    AsOf(NaiveDate),
    Series {
        grain: Grain,
        periods: Vec<window::Period>,
    },
}

/// One column of the result, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum OutputColumn {
    Dimension(String),
    Period,
    Metric {
        name: String,
        /// With `min_sample`: the hidden column counting its rows, so a
        /// table can show `n<30` instead of an empty cell.
        sample: Option<(String, u64)>,
    },
}

/// A lowered query: the plan and what its columns mean.
pub struct Lowered {
    pub plan: LogicalPlan,
    pub columns: Vec<OutputColumn>,
}

/// Internal column of a computed metric.
pub fn metric_column(metric: &str) -> String {
    format!("__metric__{metric}")
}

/// Internal column counting a metric's rows (for `min_sample`).
pub fn sample_column(metric: &str) -> String {
    format!("__sample__{metric}")
}

impl Request {
    /// Checks the query against the library: metrics exist, dimensions and
    /// the `where` are allowed for every metric, the grain is known.
    pub fn resolve(library: &Library, args: &QueryArgs) -> Result<Request, LowerError> {
        if args.metrics.is_empty() {
            return Err(LowerError("name at least one metric".to_owned()));
        }
        for m in &args.metrics {
            if !library.metrics.contains_key(m) {
                let hint = did_you_mean(m, library.metrics.keys().map(String::as_str))
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                return Err(LowerError(format!("no metric named `{m}`{hint}")));
            }
        }
        let allowed = |dim: &str| -> Option<String> {
            args.metrics
                .iter()
                .find(|m| {
                    library
                        .metrics
                        .get(*m)
                        .is_some_and(|metric| !metric.dimensions.iter().any(|d| d == dim))
                })
                .cloned()
        };
        for dim in &args.by {
            if let Some(m) = allowed(dim) {
                let dims = library
                    .metrics
                    .get(&m)
                    .map(|x| x.dimensions.join(", "))
                    .unwrap_or_default();
                return Err(LowerError(format!(
                    "`{m}` cannot be grouped by `{dim}` (its dimensions: {dims})"
                )));
            }
        }
        let grain = match &args.grain {
            None => None,
            Some(g) => Some(Grain::parse(g).ok_or_else(|| {
                LowerError(format!(
                    "`{g}` is not a grain; use day, week, month, quarter or year"
                ))
            })?),
        };
        if grain.is_none() && (args.from.is_some() || args.to.is_some()) {
            return Err(LowerError(
                "`--from` and `--to` need a `--grain`".to_owned(),
            ));
        }
        if grain.is_some() && args.as_of.is_some() {
            return Err(LowerError(
                "`--as-of` reads one value; with `--grain` use `--from` and `--to`".to_owned(),
            ));
        }
        if let (Some(from), Some(to)) = (args.from, args.to) {
            if from > to {
                return Err(LowerError(format!("`--from {from}` is after `--to {to}`")));
            }
        }
        let filter = match &args.filter {
            None => None,
            Some(text) => Some(where_clause(library, args, text, &allowed)?),
        };
        Ok(Request {
            metrics: args.metrics.clone(),
            by: args.by.clone(),
            grain,
            from: args.from,
            to: args.to,
            as_of: args.as_of,
            filter,
        })
    }

    /// Every base metric the request computes (inputs of derived metrics
    /// included), grouped by source.
    pub fn base_metrics<'l>(
        &self,
        library: &'l Library,
    ) -> BTreeMap<String, Vec<(&'l Metric, &'l BaseMetric)>> {
        let mut seen = BTreeSet::new();
        let mut out: BTreeMap<String, Vec<(&Metric, &BaseMetric)>> = BTreeMap::new();
        let mut stack: Vec<&str> = self.metrics.iter().map(String::as_str).collect();
        while let Some(name) = stack.pop() {
            if !seen.insert(name.to_owned()) {
                continue;
            }
            let Some(metric) = library.metrics.get(name) else {
                continue;
            };
            match &metric.definition {
                Definition::Base(b) => out.entry(b.source.clone()).or_default().push((metric, b)),
                Definition::Derived(d) => stack.extend(d.inputs.iter().map(String::as_str)),
            }
        }
        for metrics in out.values_mut() {
            metrics.sort_by(|a, b| a.0.name.cmp(&b.0.name));
        }
        out
    }
}

fn where_clause(
    library: &Library,
    args: &QueryArgs,
    text: &str,
    allowed: &dyn Fn(&str) -> Option<String>,
) -> Result<Expr, LowerError> {
    let mut diags = Diagnostics::new();
    let file = yardstick_compiler::span::FileId(0);
    let Some(expr) = yardstick_compiler::syntax::parse_expression(file, text, &mut diags) else {
        let why = diags
            .iter()
            .next()
            .map(|d| d.message.clone())
            .unwrap_or_default();
        return Err(LowerError(format!(
            "`--where {text}` is not an expression: {why}"
        )));
    };
    let mut problem = None;
    expr.walk(&mut |e| {
        if let yardstick_compiler::syntax::ast::ExprKind::Path { parts } = &e.kind {
            let dim = parts.join(".");
            if let Some(m) = allowed(&dim) {
                problem.get_or_insert(format!(
                    "`--where` may only name dimensions every metric allows; `{m}` does not allow `{dim}`"
                ));
            }
        }
    });
    if let Some(p) = problem {
        return Err(LowerError(p));
    }
    let request = Request {
        metrics: args.metrics.clone(),
        by: Vec::new(),
        grain: None,
        from: None,
        to: None,
        as_of: None,
        filter: None,
    };
    for source in request.base_metrics(library).keys() {
        yardstick_compiler::check_predicate(library, source, &expr, &mut diags);
    }
    if let Some(d) = diags.iter().find(|d| d.is_error()) {
        return Err(LowerError(format!("`--where {text}`: {}", d.message)));
    }
    Ok(expr)
}

/// The joined sources a scan of `source` needs for this request.
pub fn joined_sources_used(
    source: &Source,
    request: &Request,
    metrics: &[(&Metric, &BaseMetric)],
) -> BTreeSet<String> {
    let mut used = BTreeSet::new();
    let mut note = |e: &Expr| {
        e.walk(&mut |x| {
            if let yardstick_compiler::syntax::ast::ExprKind::Path { parts } = &x.kind {
                if parts.len() == 2 {
                    used.insert(parts[0].clone());
                }
            }
        })
    };
    for (_, base) in metrics {
        base.filters
            .iter()
            .chain(&base.excludes)
            .for_each(&mut note);
        note(&base.formula);
    }
    source.excludes.iter().for_each(&mut note);
    if let Some(w) = &request.filter {
        note(w);
    }
    for dim in &request.by {
        if let Some((j, _)) = dim.split_once('.') {
            used.insert(j.to_owned());
        }
    }
    used
}

/// The time columns whose range sets a query's defaults: `(source, column)`.
pub fn time_columns(library: &Library, request: &Request) -> Vec<(String, String)> {
    let mut out = BTreeSet::new();
    for (source, metrics) in request.base_metrics(library) {
        for (_, base) in metrics {
            if let Some(t) = &base.time {
                out.insert((source.clone(), t.clone()));
            }
        }
    }
    out.into_iter().collect()
}

/// Settles the time frame: the as-of date (default: the newest data), or
/// the series' periods (default: from the oldest to the newest data).
/// `oldest`/`newest` are the dates of the data's time range, `today` the
/// fallback when there is no data.
pub fn time_frame(
    request: &Request,
    oldest: Option<NaiveDate>,
    newest: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<TimeFrame, LowerError> {
    match request.grain {
        None => Ok(TimeFrame::AsOf(request.as_of.or(newest).unwrap_or(today))),
        Some(grain) => {
            let to = request.to.or(newest).unwrap_or(today);
            let from = request.from.or(oldest).unwrap_or(to).min(to);
            let periods = window::periods(from, to, grain).ok_or_else(|| {
                LowerError(format!(
                    "that series has more than {} periods; narrow it with --from/--to or a coarser --grain",
                    window::MAX_PERIODS
                ))
            })?;
            Ok(TimeFrame::Series { grain, periods })
        }
    }
}

/// Builds the plan of a resolved request over a settled time frame.
pub use combine::lower;
