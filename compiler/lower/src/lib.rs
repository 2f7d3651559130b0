//! Lowering checked queries to DataFusion logical plans (LANGUAGE.md §6).
//!
//! Like the compiler, this crate does no IO and runs nothing: table schemas
//! come through the [`Catalog`] trait, and the runtime executes the plan.
//! It reads only the typed IR: a [`Request`] checked by
//! `yardstick_compiler::query::check`, and the library's typed metrics.
//! [`lower`] is the one entry point: it settles the time frame, builds one
//! aggregation per source ([`scan`]) and joins them, fills the periods of
//! `fill: 0` metrics ([`fill`]), joins the metrics moved back by `offset`
//! ([`offset`]) and computes derived metrics on top ([`combine`],
//! [`derive`]). Snapshot metrics keep only their newest (oldest) rows of
//! each window inside their source's scan ([`snapshot`]).
//! A series with trailing windows over counts, sums, minimums, maximums
//! and averages is folded from per-day aggregates ([`rolling`]).

mod bucket;
mod combine;
mod derive;
pub mod fast_filters;
mod fill;
mod offset;
mod per;
pub mod percentile;
mod prefilter;
mod rolling;
mod scan;
mod snapshot;
pub mod translate;
pub mod window;

use datafusion::logical_expr::{LogicalPlan, TableSource};
use std::sync::Arc;
use window::Grain;
use yardstick_compiler::query::Request;

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

/// The dates of the data a query reads, which set its defaults: the as-of
/// date is the newest, a series runs from the oldest to the newest.
/// `today` stands in when there is no data.
#[derive(Debug, Clone, Copy)]
pub struct DataRange {
    pub oldest: Option<NaiveDate>,
    pub newest: Option<NaiveDate>,
    pub today: NaiveDate,
}

/// The time a query covers, once defaults are known.
#[derive(Debug, Clone, PartialEq)]
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

/// A lowered query: the plan, what its columns mean, and the time it
/// covers.
pub struct Lowered {
    pub plan: LogicalPlan,
    pub columns: Vec<OutputColumn>,
    pub frame: TimeFrame,
}

/// Internal column of a computed metric.
pub fn metric_column(metric: &str) -> String {
    format!("__metric__{metric}")
}

/// Internal column counting a metric's rows (for `min_sample`).
pub fn sample_column(metric: &str) -> String {
    format!("__sample__{metric}")
}

/// Whether the query needs the data's range to settle its time frame.
pub fn needs_data_range(request: &Request) -> bool {
    match request.grain {
        None => request.as_of.is_none(),
        Some(_) => (request.from.is_none() && request.last.is_none()) || request.to.is_none(),
    }
}

/// Settles the time frame: the as-of date (default: the newest data), or
/// the series' periods (default: from the oldest to the newest data).
pub fn time_frame(request: &Request, range: DataRange) -> Result<TimeFrame, LowerError> {
    match request.grain {
        None => Ok(TimeFrame::AsOf(
            request.as_of.or(range.newest).unwrap_or(range.today),
        )),
        Some(grain) => {
            let to = request.to.or(range.newest).unwrap_or(range.today);
            let from = match (request.from, request.last) {
                (Some(from), _) => Some(from),
                // `--last 90d`: the end minus the duration (calendar units
                // step by the calendar, as lookbacks do).
                (None, Some(last)) => Some(
                    window::window_start(window::midnight(to), yardstick_compiler::ir::Lookback::Duration(last))
                        .map(|start| start.date())
                        .ok_or_else(|| {
                            LowerError(format!(
                                "`--last {last}` reaches before the calendar starts; give a shorter length"
                            ))
                        })?,
                ),
                (None, None) => None,
            };
            let from = from.or(range.oldest).unwrap_or(to).min(to);
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

/// Lowers a checked request over the data's range: the one call from a
/// request to a plan.
pub fn lower(
    library: &yardstick_compiler::model::Library,
    request: &Request,
    range: DataRange,
    catalog: &dyn Catalog,
) -> Result<Lowered, LowerError> {
    let frame = time_frame(request, range)?;
    combine::lower(library, request, frame, catalog)
}
