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

use crate::scan::{period_value, PERIOD};
use crate::{metric_column, LowerError, TimeFrame};
use datafusion::common::{Column, JoinType, NullEquality, ScalarValue};
use datafusion::logical_expr::{col, lit, when, Expr as DfExpr, LogicalPlanBuilder};
use std::collections::BTreeSet;
use yardstick_compiler::model::{Definition, Library};
use yardstick_compiler::query::Request;

const PRESENT: &str = "__present";

fn df_err(e: datafusion::error::DataFusionError) -> LowerError {
    LowerError(e.to_string())
}

/// The metric columns of the request's base metrics that have `fill: 0`.
pub fn filled_columns(library: &Library, request: &Request) -> BTreeSet<String> {
    request
        .base_metrics(library)
        .into_values()
        .flatten()
        .filter(|m| matches!(&m.definition, Definition::Base(b) if b.fill_zero))
        .map(|m| metric_column(&m.name))
        .collect()
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
        .map(|p| vec![period_value(p.start, *grain)])
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
    let mut marked: Vec<DfExpr> = keys.iter().map(|k| col(k.as_str())).collect();
    marked.extend(columns.iter().map(|c| col(c.as_str())));
    marked.push(lit(true).alias(PRESENT));
    let marked = LogicalPlanBuilder::from(values)
        .project(marked)
        .and_then(|b| b.alias("v"))
        .and_then(|b| b.build())
        .map_err(df_err)?;
    let types: Vec<_> = columns
        .iter()
        .map(|c| {
            marked
                .schema()
                .qualified_field_with_name(Some(&"v".into()), c)
                .map(|(_, f)| f.data_type().clone())
                .map_err(df_err)
        })
        .collect::<Result<_, _>>()?;

    let joined = spine
        .join_detailed(
            marked,
            JoinType::Left,
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
        .map_err(df_err)?;
    let from_values = |c: &str| DfExpr::Column(Column::new(Some("v"), c));
    let mut projection: Vec<DfExpr> = keys
        .iter()
        .map(|k| DfExpr::Column(Column::new(Some("s"), k.as_str())).alias(k.as_str()))
        .collect();
    for (c, ty) in columns.iter().zip(types) {
        let value = if filled.contains(c) {
            let zero = ScalarValue::new_zero(&ty).map_err(df_err)?;
            when(from_values(PRESENT).is_null(), lit(zero))
                .otherwise(from_values(c))
                .map_err(df_err)?
        } else {
            from_values(c)
        };
        projection.push(value.alias(c.as_str()));
    }
    joined.project(projection).map_err(df_err)
}
