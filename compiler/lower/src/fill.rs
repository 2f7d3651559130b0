//! `fill: 0` (LANGUAGE.md §11): a series carries every period for every
//! group of the result, with 0 for a filled metric where nothing counted.
//!
//! The per-source aggregations, once joined, are the values; the groups
//! present in them (their distinct dimension values) crossed with every
//! period of the series are the spine. The spine is left-joined to the
//! values on the keys (nulls equal, so a null group is a group), and a
//! filled metric's column is 0 where the spine's row found no values. A
//! value that is there but null (withheld by `min_sample`, a sum of nulls)
//! stays null. This runs before derived metrics, so they see 0.
//!
//! An as-of query with dimensions carries every group that has rows in a
//! filled metric's source after the source's and the metric's filters (at
//! any time, [`crate::scan::groups`]): those groups are fully joined to
//! the values, so the result keeps its own groups too.

use crate::scan::{period_value, PERIOD};
use crate::{metric_column, Catalog, LowerError, TimeFrame};
use datafusion::common::{Column, JoinType, NullEquality, ScalarValue};
use datafusion::functions::expr_fn::coalesce;
use datafusion::logical_expr::{col, lit, when, Expr as DfExpr, LogicalPlanBuilder};
use std::collections::BTreeSet;
use yardstick_compiler::model::{Definition, Library, Metric};
use yardstick_compiler::query::Request;

const PRESENT: &str = "__present";

fn df_err(e: datafusion::error::DataFusionError) -> LowerError {
    LowerError(e.to_string())
}

/// The request's base metrics that have `fill: 0`.
pub fn filled_metrics<'l>(library: &'l Library, request: &Request) -> Vec<&'l Metric> {
    request
        .base_metrics(library)
        .into_values()
        .flatten()
        .filter(|m| matches!(&m.definition, Definition::Base(b) if b.fill_zero))
        .collect()
}

/// Their metric columns.
pub fn filled_columns(library: &Library, request: &Request) -> BTreeSet<String> {
    filled_metrics(library, request)
        .into_iter()
        .map(|m| metric_column(&m.name))
        .collect()
}

/// An as-of query's `values` (keyed by `dimensions`) with every group of
/// the filled metrics' sources; unchanged without dimensions or filled
/// metrics (an as-of query without dimensions always has its one row).
pub fn fill_groups(
    values: LogicalPlanBuilder,
    library: &Library,
    request: &Request,
    dimensions: &[String],
    columns: &[String],
    catalog: &dyn Catalog,
) -> Result<LogicalPlanBuilder, LowerError> {
    let metrics = filled_metrics(library, request);
    if dimensions.is_empty() || metrics.is_empty() {
        return Ok(values);
    }
    let mut groups: Option<LogicalPlanBuilder> = None;
    for metric in &metrics {
        let Definition::Base(b) = &metric.definition else {
            continue;
        };
        let source = library
            .sources
            .get(&b.source)
            .ok_or_else(|| LowerError(format!("no source named `{}`", b.source)))?;
        let these = crate::scan::groups(library, source, metric, request, catalog)?;
        groups = Some(match groups {
            None => these,
            Some(g) => g
                .union(these.build().map_err(df_err)?)
                .and_then(|u| u.distinct())
                .map_err(df_err)?,
        });
    }
    let Some(groups) = groups else {
        return Ok(values);
    };
    let spine = groups.alias("s").map_err(df_err)?;
    let marked = mark(values, dimensions, columns)?;
    let types = column_types(&marked, columns)?;
    let joined = join_on(spine, marked, dimensions, JoinType::Full)?;
    let mut projection: Vec<DfExpr> = dimensions
        .iter()
        .map(|k| {
            coalesce(vec![
                DfExpr::Column(Column::new(Some("s"), k.as_str())),
                DfExpr::Column(Column::new(Some("v"), k.as_str())),
            ])
            .alias(k.as_str())
        })
        .collect();
    projection.extend(filled_values(
        columns,
        types,
        &filled_columns(library, request),
    )?);
    joined.project(projection).map_err(df_err)
}

/// `values` aliased `v`, with `__present` true on every row.
fn mark(
    values: LogicalPlanBuilder,
    keys: &[String],
    columns: &[String],
) -> Result<datafusion::logical_expr::LogicalPlan, LowerError> {
    let mut marked: Vec<DfExpr> = keys.iter().map(|k| col(k.as_str())).collect();
    marked.extend(columns.iter().map(|c| col(c.as_str())));
    marked.push(lit(true).alias(PRESENT));
    values
        .project(marked)
        .and_then(|b| b.alias("v"))
        .and_then(|b| b.build())
        .map_err(df_err)
}

fn column_types(
    marked: &datafusion::logical_expr::LogicalPlan,
    columns: &[String],
) -> Result<Vec<datafusion::arrow::datatypes::DataType>, LowerError> {
    columns
        .iter()
        .map(|c| {
            marked
                .schema()
                .qualified_field_with_name(Some(&"v".into()), c)
                .map(|(_, f)| f.data_type().clone())
                .map_err(df_err)
        })
        .collect()
}

/// `spine` (aliased `s`) joined to `marked` (aliased `v`) on `keys`, nulls
/// equal.
fn join_on(
    spine: LogicalPlanBuilder,
    marked: datafusion::logical_expr::LogicalPlan,
    keys: &[String],
    join: JoinType,
) -> Result<LogicalPlanBuilder, LowerError> {
    spine
        .join_detailed(
            marked,
            join,
            (
                keys.iter()
                    .map(|k| Column::new(Some("s"), k.as_str()))
                    .collect::<Vec<_>>(),
                keys.iter()
                    .map(|k| Column::new(Some("v"), k.as_str()))
                    .collect::<Vec<_>>(),
            ),
            None,
            NullEquality::NullEqualsNull,
        )
        .map_err(df_err)
}

/// Each metric column from `v`; a filled one is 0 where `v` had no row.
fn filled_values(
    columns: &[String],
    types: Vec<datafusion::arrow::datatypes::DataType>,
    filled: &BTreeSet<String>,
) -> Result<Vec<DfExpr>, LowerError> {
    let from_values = |c: &str| DfExpr::Column(Column::new(Some("v"), c));
    let mut out = Vec::new();
    for (c, ty) in columns.iter().zip(types) {
        let value = if filled.contains(c) {
            let zero = ScalarValue::new_zero(&ty).map_err(df_err)?;
            when(from_values(PRESENT).is_null(), lit(zero))
                .otherwise(from_values(c))
                .map_err(df_err)?
        } else {
            from_values(c)
        };
        out.push(value.alias(c.as_str()));
    }
    Ok(out)
}

/// `values` (keys: `dimensions`, then the period) with every period for
/// every group; `columns` are its metric columns, `filled` those that take
/// 0 where the spine found nothing. Unchanged unless the frame is a series
/// and some column is filled.
pub fn fill(
    values: LogicalPlanBuilder,
    dimensions: &[String],
    frame: &TimeFrame,
    columns: &[String],
    filled: &BTreeSet<String>,
) -> Result<LogicalPlanBuilder, LowerError> {
    let TimeFrame::Series { grain, periods } = frame else {
        return Ok(values);
    };
    if filled.is_empty() || periods.is_empty() {
        return Ok(values);
    }
    let values = values.build().map_err(df_err)?;
    let period_rows: Vec<Vec<DfExpr>> = periods
        .iter()
        .map(|p| vec![period_value(p.label, *grain)])
        .collect();
    let periods_plan = LogicalPlanBuilder::values(period_rows)
        .and_then(|b| b.project(vec![col("column1").alias(PERIOD)]))
        .and_then(|b| b.build())
        .map_err(df_err)?;
    let spine = if dimensions.is_empty() {
        LogicalPlanBuilder::from(periods_plan)
    } else {
        LogicalPlanBuilder::from(values.clone())
            .project(dimensions.iter().map(|d| col(d.as_str())))
            .and_then(|b| b.distinct())
            .and_then(|b| b.cross_join(periods_plan))
            .map_err(df_err)?
    };
    let spine = spine.alias("s").map_err(df_err)?;

    let mut keys: Vec<String> = dimensions.to_vec();
    keys.push(PERIOD.to_owned());
    let marked = mark(LogicalPlanBuilder::from(values), &keys, columns)?;
    let types = column_types(&marked, columns)?;
    let joined = join_on(spine, marked, &keys, JoinType::Left)?;
    let mut projection: Vec<DfExpr> = keys
        .iter()
        .map(|k| DfExpr::Column(Column::new(Some("s"), k.as_str())).alias(k.as_str()))
        .collect();
    projection.extend(filled_values(columns, types, filled)?);
    joined.project(projection).map_err(df_err)
}
