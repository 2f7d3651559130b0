//! Snapshot metrics (LANGUAGE.md §9): of the rows a metric would count in a
//! window, only those at the newest (`last`) or oldest (`first`) time of the
//! window count, per group of the query (its dimensions and, in a series,
//! its period) or, with `per COLUMN`, per value of that column.
//!
//! Exact, and inside the one scan of the source: a window function gives
//! each row the newest (oldest) time among the rows of its partition that
//! pass the metric's condition (window, filters); the metric's aggregates
//! then keep only its rows at that time.

use crate::scan::{time_expr, PERIOD};
use crate::translate::column_name;
use crate::LowerError;
use datafusion::common::ScalarValue;
use datafusion::functions_aggregate::min_max::{max_udaf, min_udaf};
use datafusion::logical_expr::expr::WindowFunction;
use datafusion::logical_expr::{
    col, lit, when, Expr as DfExpr, ExprFunctionExt, LogicalPlanBuilder, WindowFunctionDefinition,
};
use yardstick_compiler::ir::ColumnRef;
use yardstick_compiler::model::{BaseMetric, Metric, SnapshotKeep, Source};
use yardstick_compiler::query::Request;

fn snapshot_column(index: usize) -> String {
    format!("__snapshot_time_{index}")
}

/// Narrows the row conditions of snapshot metrics to their snapshot rows,
/// adding the window that finds each one's newest (oldest) time. Metrics
/// without `snapshot` keep their conditions; with none, the plan is as it
/// was.
pub fn keep_snapshot_rows(
    builder: LogicalPlanBuilder,
    source: &Source,
    request: &Request,
    series: bool,
    metrics: &[(&Metric, &BaseMetric)],
    conditions: Vec<DfExpr>,
) -> Result<(LogicalPlanBuilder, Vec<DfExpr>), LowerError> {
    let mut windows: Vec<(DfExpr, String)> = Vec::new();
    let mut narrowed = Vec::with_capacity(conditions.len());
    for (i, ((metric, base), rows)) in metrics.iter().zip(conditions).enumerate() {
        let Some(snapshot) = &base.snapshot else {
            narrowed.push(rows);
            continue;
        };
        let time = time_expr(source, base).ok_or_else(|| {
            LowerError(format!(
                "snapshot metric `{}` has no time column",
                metric.name
            ))
        })?;
        let mut partition: Vec<DfExpr> = match &snapshot.per {
            Some(per) => vec![col(column_name(&ColumnRef::from_path(per)))],
            None => request
                .by
                .iter()
                .map(|d| col(column_name(&d.column)))
                .collect(),
        };
        if series {
            partition.push(col(PERIOD));
        }
        let udaf = match snapshot.keep {
            SnapshotKeep::Last => max_udaf(),
            SnapshotKeep::First => min_udaf(),
        };
        // The time of the rows this metric counts; other rows give null,
        // which min and max pass over.
        let counted_time = when(rows.clone(), time.clone())
            .otherwise(lit(ScalarValue::Null))
            .map_err(df_err)?;
        let window = DfExpr::from(WindowFunction::new(
            WindowFunctionDefinition::AggregateUDF(udaf),
            vec![counted_time],
        ))
        .partition_by(partition)
        .build()
        .map_err(df_err)?;
        // Metrics with the same rows and partition share one window (two
        // equal window functions also trip DataFusion's common
        // subexpression elimination).
        let name = match windows.iter().find(|(w, _)| *w == window) {
            Some((_, name)) => name.clone(),
            None => {
                let name = snapshot_column(i);
                windows.push((window, name.clone()));
                name
            }
        };
        narrowed.push(rows.and(time.eq(col(name))));
    }
    // One window node per metric: a node's functions share one
    // partitioning in DataFusion's physical plan.
    let mut builder = builder;
    for (window, name) in windows {
        builder = builder.window(vec![window.alias(name)]).map_err(df_err)?;
    }
    Ok((builder, narrowed))
}

fn df_err(e: datafusion::error::DataFusionError) -> LowerError {
    LowerError(e.to_string())
}
