//! Series whose metrics have no lookback: each row counts in the one period
//! holding it, so its period is computed from its time (`date_trunc`)
//! instead of joining every row to a table of periods. The join is kept for
//! lookbacks, where a row counts in several periods.

use crate::scan::time_expr;
use crate::translate::{timestamp_lit, utc_timestamp};
use crate::window::{Grain, Period};
use datafusion::arrow::datatypes::{DataType, TimeUnit};
use datafusion::functions::expr_fn::date_trunc;
use datafusion::logical_expr::{cast, lit, Expr as DfExpr};
use yardstick_compiler::model::{BaseMetric, Metric, Source};

/// The period of a row, as the `period` column shows it (a date, or a UTC
/// timestamp for hours), when every metric reads the same time column and
/// none has a lookback, and each period is shown as itself (not moved by
/// an `offset`, whose periods are shown as the ones they are moved from);
/// `None` otherwise.
pub fn row_period(
    source: &Source,
    metrics: &[(&Metric, &BaseMetric)],
    grain: Grain,
    periods: &[Period],
) -> Option<DfExpr> {
    let (_, first) = metrics.first()?;
    let same_time = metrics.iter().all(|(_, b)| b.time == first.time);
    let shown_as_itself = periods.iter().all(|p| p.label == p.start);
    if !same_time || !shown_as_itself || metrics.iter().any(|(_, b)| b.lookback.is_some()) {
        return None;
    }
    let time = time_expr(source, first)?;
    // `date_trunc` names the grains as the language does; weeks start on
    // Monday there, as in `window::period_of`. Periods of a day or more
    // truncate the UTC date (a cast) as a timestamp without a zone: a third
    // to a half of the cost of truncating a zoned time (docs/benchmarks.md).
    Some(match grain {
        Grain::Hour => cast(date_trunc(lit(grain.name()), time), utc_timestamp()),
        Grain::Day => cast(time, DataType::Date32),
        _ => {
            let date = cast(
                cast(time, DataType::Date32),
                DataType::Timestamp(TimeUnit::Microsecond, None),
            );
            cast(date_trunc(lit(grain.name()), date), DataType::Date32)
        }
    })
}

/// Keeps the rows inside the series, from the first period's start to the
/// last one's end.
pub fn within(
    source: &Source,
    metrics: &[(&Metric, &BaseMetric)],
    periods: &[Period],
) -> Option<DfExpr> {
    let (_, first) = metrics.first()?;
    let time = time_expr(source, first)?;
    let (start, end) = (periods.first()?.start, periods.last()?.end);
    Some(
        time.clone()
            .gt_eq(timestamp_lit(start.and_utc().timestamp_micros()))
            .and(time.lt(timestamp_lit(end.and_utc().timestamp_micros()))),
    )
}
