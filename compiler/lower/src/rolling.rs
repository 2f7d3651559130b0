//! Series with trailing windows over decomposable aggregates (`count`,
//! `sum`, `min`, `max`, `avg`): each metric's aggregates are first computed
//! per key and day, then every period's window is folded from the days it
//! holds. A row counts in every period whose window holds it; joining each
//! row to each period multiplies the rows by the periods a window spans,
//! joining days multiplies only the days.
//!
//! Exact because every window starts and ends at midnight UTC (checked:
//! grains of a day or more, lookbacks of whole days or calendar units), so
//! a row is in a window exactly when its day is; counts and sums add up
//! over days, minimums and maximums fold, and an average is a sum over a
//! count. `count_distinct`, `percentile` and `median` do not fold: a
//! source aggregation with any of them, a snapshot metric, or metrics on
//! different time columns keep the join of rows to periods (`scan`).

use crate::scan::{self, PERIOD, PERIOD_END};
use crate::translate::{timestamp_lit, utc_timestamp};
use crate::window::{self, Grain, Period};
use crate::LowerError;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::JoinType;
use datafusion::functions::expr_fn::coalesce;
use datafusion::functions_aggregate::expr_fn as agg;
use datafusion::logical_expr::{cast, col, lit, Expr as DfExpr, LogicalPlanBuilder};
use yardstick_compiler::ir::{DurationUnit, Lookback};
use yardstick_compiler::model::{BaseMetric, Metric, Source};

/// Column holding a row's day (its UTC date) in the first aggregation.
const DAY: &str = "__day";

fn df_err(e: datafusion::error::DataFusionError) -> LowerError {
    LowerError(e.to_string())
}

fn presence_column(index: usize) -> String {
    format!("__rows_{index}")
}

/// Whether these metrics' series can be folded from days: a grain of a day
/// or more, one time column for all, no snapshot, and every window of every
/// period starting and ending at midnight.
pub fn applies(
    source: &Source,
    metrics: &[(&Metric, &BaseMetric)],
    grain: Grain,
    periods: &[Period],
) -> bool {
    let Some((_, first)) = metrics.first() else {
        return false;
    };
    grain != Grain::Hour
        && scan::time_expr(source, first).is_some()
        && metrics
            .iter()
            .all(|(_, b)| b.time == first.time && b.snapshot.is_none() && b.per.is_none())
        && metrics.iter().all(|(_, b)| whole_days(b.lookback))
        && periods.iter().all(|p| {
            midnight(p.start)
                && midnight(p.end)
                && metrics
                    .iter()
                    .all(|(_, b)| window_start(p, b.lookback).is_some_and(midnight))
        })
}

fn midnight(time: chrono::NaiveDateTime) -> bool {
    time.time() == chrono::NaiveTime::MIN
}

fn whole_days(lookback: Option<Lookback>) -> bool {
    match lookback {
        None => true,
        Some(Lookback::ToDate(grain)) => grain != Grain::Hour,
        Some(Lookback::Duration(d)) => !matches!(
            d.unit,
            DurationUnit::Second | DurationUnit::Minute | DurationUnit::Hour
        ),
    }
}

/// The start of a metric's window at `period` (as `scan::periods_table`).
fn window_start(period: &Period, lookback: Option<Lookback>) -> Option<chrono::NaiveDateTime> {
    match lookback {
        Some(l) => window::window_start(period.end, l),
        None => Some(period.start),
    }
}

/// Whether every aggregate folds over days.
pub fn decomposable(aggregates: &[(String, DfExpr)]) -> bool {
    aggregates.iter().all(|(_, e)| match e {
        DfExpr::AggregateFunction(a) => {
            !a.params.distinct
                && a.params.order_by.is_empty()
                && matches!(a.func.name(), "count" | "sum" | "min" | "max" | "avg")
        }
        _ => false,
    })
}

/// The rows, with their day, that fall in the union of all windows and
/// pass `keep` (the common filters and any metric's pre-filter).
pub fn rows(
    rows: LogicalPlanBuilder,
    source: &Source,
    metrics: &[(&Metric, &BaseMetric)],
    periods: &[Period],
    keep: Vec<DfExpr>,
) -> Result<LogicalPlanBuilder, LowerError> {
    let (_, first) = metrics
        .first()
        .ok_or_else(|| LowerError(format!("no metric reads `{}`", source.name)))?;
    let time = scan::time_expr(source, first)
        .ok_or_else(|| LowerError(format!("no time column on `{}`", source.name)))?;
    let starts = periods.iter().flat_map(|p| {
        metrics
            .iter()
            .map(move |(_, b)| window_start(p, b.lookback))
    });
    let from = starts
        .min()
        .flatten()
        .ok_or_else(|| LowerError("a window falls outside the calendar".to_owned()))?;
    let to = periods
        .iter()
        .map(|p| p.end)
        .max()
        .ok_or_else(|| LowerError("a series has no periods".to_owned()))?;
    let micros = |t: chrono::NaiveDateTime| timestamp_lit(t.and_utc().timestamp_micros());
    let mut keep = keep;
    keep.push(time.clone().gt_eq(micros(from)));
    keep.push(time.clone().lt(micros(to)));
    let rows = rows.filter(scan::conjunction(keep)).map_err(df_err)?;
    let mut columns: Vec<DfExpr> = rows
        .schema()
        .columns()
        .into_iter()
        .map(DfExpr::Column)
        .collect();
    // The date of a UTC time: a cast, half the cost of `date_trunc`.
    columns.push(cast(time, DataType::Date32).alias(DAY));
    rows.project(columns).map_err(df_err)
}

/// Whether a day (its midnight) is in metric `index`'s window at the
/// period of the periods table.
fn in_window(index: usize) -> DfExpr {
    let day = cast(col(DAY), utc_timestamp());
    day.clone()
        .gt_eq(col(scan::window_start_column(index)))
        .and(day.lt(col(PERIOD_END)))
}

/// Aggregates `rows` (from [`rows`]) per `dimensions` and day, each
/// aggregate over its metric's rows (`aggregates`, filtered without their
/// windows), then per period, each day in the metric's window at that
/// period folded in. `presence[i]` is metric `i`'s pre-filter: a period
/// has a row for a group when some day of some metric's window has a row
/// passing that metric's pre-filter, as with the join of rows. The result
/// has the dimensions, `__period` and each aggregate under its name.
pub fn aggregate(
    rows: LogicalPlanBuilder,
    dimensions: &[String],
    metric_of: &[usize],
    aggregates: Vec<(String, DfExpr)>,
    presence: Vec<DfExpr>,
    table: datafusion::logical_expr::LogicalPlan,
) -> Result<LogicalPlanBuilder, LowerError> {
    let mut daily_keys: Vec<DfExpr> = dimensions.iter().map(|d| col(d.as_str())).collect();
    daily_keys.push(col(DAY));
    let mut partials = Vec::new();
    let mut folds = Vec::new();
    for ((name, expr), metric) in aggregates.into_iter().zip(metric_of) {
        let in_window = in_window(*metric);
        let DfExpr::AggregateFunction(a) = expr else {
            return Err(LowerError(format!("`{name}` is not an aggregate")));
        };
        let filter = a.params.filter.clone();
        let with = |e: DfExpr| match &filter {
            Some(f) => crate::translate::with_filter(e, (**f).clone()),
            None => e,
        };
        let folded = |e: DfExpr| crate::translate::with_filter(e, in_window.clone());
        let arg = a.params.args.first().cloned().unwrap_or(lit(1i64));
        let part = format!("{name}__day");
        match a.func.name() {
            "count" => {
                partials.push(with(agg::count(arg)).alias(&part));
                folds.push(coalesce(vec![folded(agg::sum(col(&part))), lit(0i64)]).alias(&name));
            }
            "sum" => {
                partials.push(with(agg::sum(arg)).alias(&part));
                folds.push(folded(agg::sum(col(&part))).alias(&name));
            }
            "min" => {
                partials.push(with(agg::min(arg)).alias(&part));
                folds.push(folded(agg::min(col(&part))).alias(&name));
            }
            "max" => {
                partials.push(with(agg::max(arg)).alias(&part));
                folds.push(folded(agg::max(col(&part))).alias(&name));
            }
            "avg" => {
                let n = format!("{name}__day_n");
                partials.push(with(agg::sum(cast(arg.clone(), DataType::Float64))).alias(&part));
                partials.push(with(agg::count(arg)).alias(&n));
                let total = folded(agg::sum(col(&part)));
                let count = cast(folded(agg::sum(col(&n))), DataType::Float64);
                folds.push((total / count).alias(&name));
            }
            other => return Err(LowerError(format!("`{other}` does not fold over days"))),
        }
    }
    let mut joins = Vec::new();
    for (i, p) in presence.into_iter().enumerate() {
        let n = presence_column(i);
        partials.push(crate::translate::with_filter(agg::count(lit(1i64)), p).alias(&n));
        joins.push(in_window(i).and(col(n).gt(lit(0i64))));
    }
    let mut keys: Vec<DfExpr> = dimensions.iter().map(|d| col(d.as_str())).collect();
    keys.push(col(PERIOD));
    rows.aggregate(daily_keys, partials)
        .and_then(|b| b.join_on(table, JoinType::Inner, vec![scan::disjunction(joins)]))
        .and_then(|b| b.aggregate(keys, folds))
        .map_err(df_err)
}
