//! `offset(metric, duration)` in derived formulas (LANGUAGE.md §11): the
//! metric at the same keys with its window moved back.
//!
//! The metrics offset by one duration are lowered together as a query of
//! their own — same dimensions, `--where` and grain — over the moved time
//! frame: each period of a series becomes the period of the same grain
//! starting that much earlier (still shown as the period it was moved
//! from), an as-of date moves back by the duration. Their own lookbacks,
//! filters, `fill` and derived formulas apply there as usual; the result is
//! fully joined to the query's other metrics on the keys (dimensions and
//! period), one column per offset. Each distinct duration reads its
//! sources once more.

use crate::combine::full_join;
use crate::scan::PERIOD;
use crate::window::{shifted_as_of, shifted_period};
use crate::{translate, Catalog, LowerError, OutputColumn, TimeFrame};
use datafusion::logical_expr::{col, ident, lit, when, Expr as DfExpr, LogicalPlanBuilder};
use std::collections::BTreeSet;
use yardstick_compiler::ir::{Duration, MetricId};
use yardstick_compiler::model::{Definition, Library};
use yardstick_compiler::query::Request;

fn df_err(e: datafusion::error::DataFusionError) -> LowerError {
    LowerError(e.to_string())
}

/// The internal column of `offset(metric, by)`.
pub fn offset_column(metric: &MetricId, by: Duration) -> String {
    format!("__offset_{by}__{}", metric.as_str())
}

/// The offset columns a derived metric's formula reads.
pub fn columns_read(library: &Library, metric: &str) -> Vec<String> {
    match library.metrics.get(metric).map(|m| &m.definition) {
        Some(Definition::Derived(d)) => d
            .formula
            .offsets()
            .into_iter()
            .map(|(m, by)| offset_column(m, by))
            .collect(),
        _ => Vec::new(),
    }
}

/// Every `offset` the request's derived metrics read (inputs of inputs
/// too, as the query computes all of them), by duration, each once.
fn offsets(library: &Library, request: &Request) -> Vec<(Duration, Vec<MetricId>)> {
    let mut seen = BTreeSet::new();
    let mut stack: Vec<&MetricId> = request.metrics.iter().collect();
    let mut out: Vec<(Duration, Vec<MetricId>)> = Vec::new();
    while let Some(id) = stack.pop() {
        if !seen.insert(id.as_str()) {
            continue;
        }
        let Some(Definition::Derived(d)) = library.metric(id).map(|m| &m.definition) else {
            continue;
        };
        for (metric, by) in d.formula.offsets() {
            match out.iter_mut().find(|(b, _)| *b == by) {
                Some((_, metrics)) if !metrics.contains(metric) => metrics.push(metric.clone()),
                Some(_) => {}
                None => out.push((by, vec![metric.clone()])),
            }
        }
        stack.extend(&d.inputs);
    }
    out
}

/// The metric columns of offsets whose metric has `fill: 0`: they are 0,
/// not missing, for a period of a group their moved query did not see.
pub fn filled_columns(library: &Library, request: &Request) -> BTreeSet<String> {
    offsets(library, request)
        .into_iter()
        .flat_map(|(by, metrics)| {
            metrics
                .into_iter()
                .filter(|m| {
                    matches!(
                        library.metric(m).map(|m| &m.definition),
                        Some(Definition::Base(b)) if b.fill_zero
                    )
                })
                .map(move |m| offset_column(&m, by))
        })
        .collect()
}

/// The time frame moved back by `by`.
fn shifted(frame: &TimeFrame, by: Duration) -> Result<TimeFrame, LowerError> {
    match frame {
        TimeFrame::AsOf(date) => shifted_as_of(*date, by).map(TimeFrame::AsOf).ok_or_else(|| {
            LowerError(format!(
                "an offset of `{by}` from the as-of date {date} is not a whole day before a date on the calendar; read it as a series with `--grain hour`, or offset by days"
            ))
        }),
        TimeFrame::Series { grain, periods } => {
            let moved = periods
                .iter()
                .map(|p| shifted_period(*p, *grain, by))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| {
                    LowerError(format!(
                        "an offset of `{by}` moves the series off the calendar"
                    ))
                })?;
            Ok(TimeFrame::Series {
                grain: *grain,
                periods: moved,
            })
        }
    }
}

/// `values` (keyed by `keys`, holding `columns`) with one column per
/// offset the request reads; returns the columns added.
pub fn join(
    mut values: LogicalPlanBuilder,
    columns: &[String],
    keys: &[String],
    library: &Library,
    request: &Request,
    frame: &TimeFrame,
    catalog: &dyn Catalog,
) -> Result<(LogicalPlanBuilder, Vec<String>), LowerError> {
    let mut have: Vec<String> = columns.to_vec();
    let mut added = Vec::new();
    for (by, metrics) in offsets(library, request) {
        let moved_request = Request {
            metrics: metrics.clone(),
            ..request.clone()
        };
        let moved = crate::combine::lower(library, &moved_request, shifted(frame, by)?, catalog)?;
        let mut projection = Vec::new();
        for dimension in &request.by {
            projection.push(
                ident(dimension.name.as_str()).alias(translate::column_name(&dimension.column)),
            );
        }
        if moved.columns.contains(&OutputColumn::Period) {
            projection.push(col("period").alias(PERIOD));
        }
        let mut these = Vec::new();
        for metric in &metrics {
            let name = offset_column(metric, by);
            projection.push(col(metric.as_str()).alias(name.as_str()));
            these.push(name);
        }
        let present = format!("__offset_{by}__present");
        projection.push(lit(1i64).alias(present.as_str())); // an integer: PostgreSQL has no `max` of booleans (combine::full_join)
        let right = LogicalPlanBuilder::from(moved.plan)
            .project(projection)
            .map_err(df_err)?;
        let mut right_columns = these.clone();
        right_columns.push(present.clone());
        values = full_join(values, right, keys, &have, &right_columns)?;
        // A filled metric is 0 on a row the moved query did not have; a
        // value it had, even null, stays.
        let filled = filled_columns(library, request);
        let mut kept: Vec<DfExpr> = keys.iter().map(|k| col(k.as_str())).collect();
        kept.extend(have.iter().map(|c| col(c.as_str())));
        for name in &these {
            let value = if filled.contains(name) {
                when(col(present.as_str()).is_null(), lit(0i64))
                    .otherwise(col(name.as_str()))
                    .map_err(df_err)?
            } else {
                col(name.as_str())
            };
            kept.push(value.alias(name.as_str()));
        }
        values = values.project(kept).map_err(df_err)?;
        have.extend(these.iter().cloned());
        added.extend(these);
    }
    Ok((values, added))
}
