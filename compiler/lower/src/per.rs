//! Two-level metrics, `per: COLUMN` (LANGUAGE.md §11): the aggregates
//! inside the formula's outer aggregates are computed once per value of
//! the column (and the query's keys), then the outer aggregates run over
//! those entities. Rows whose `per` column is null belong to no entity.
//!
//! A two-level metric reads its rows like any base metric of its source
//! ([`crate::scan::rows`]) but is aggregated in its own plan: one
//! aggregation grouped by the keys and the entity, one grouped by the keys.

use crate::scan;
use crate::translate::{self, Place};
use crate::{metric_column, sample_column, Catalog, LowerError, TimeFrame};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::ScalarValue;
use datafusion::functions_aggregate::expr_fn::count;
use datafusion::logical_expr::{cast, col, lit, when, Expr as DfExpr, LogicalPlanBuilder};
use yardstick_compiler::model::{BaseMetric, Library, Metric, Source};
use yardstick_compiler::query::Request;

fn df_err(e: datafusion::error::DataFusionError) -> LowerError {
    LowerError(e.to_string())
}

/// The metric's value at the request's keys (dimensions, then the period
/// of a series), and with `min_sample` its entity count.
pub fn plan(
    library: &Library,
    source: &Source,
    (metric, base): (&Metric, &BaseMetric),
    request: &Request,
    frame: &TimeFrame,
    catalog: &dyn Catalog,
) -> Result<LogicalPlanBuilder, LowerError> {
    let per = base
        .per
        .as_ref()
        .ok_or_else(|| LowerError(format!("`{}` has no `per` column", metric.name)))?;
    let (builder, conditions) =
        scan::rows(library, source, &[(metric, base)], request, frame, catalog)?;
    let rows = conditions.first().cloned().unwrap_or(lit(true));
    let entity = translate::column_name(per);
    let builder = builder
        .filter(col(entity.as_str()).is_not_null())
        .map_err(df_err)?;

    let keys = crate::scan::key_names(request, frame);
    let prefix = metric_column(&metric.name);
    let (mut outer, mut inner) = (Vec::new(), Vec::new());
    let value = translate::translate(
        &base.formula,
        &mut Place::PerEntity {
            rows: &rows,
            prefix: &prefix,
            outer: &mut outer,
            inner: &mut inner,
        },
    )?;
    if base.min_sample.is_some() {
        // `min_sample` counts entities.
        outer.push((sample_column(&metric.name), count(lit(1i64))));
    }

    // Per entity: the keys and the entity (once, if it is also a key).
    let mut entity_keys: Vec<DfExpr> = keys.iter().map(|k| col(k.as_str())).collect();
    if !keys.contains(&entity) {
        entity_keys.push(col(entity.as_str()));
    }
    let inner_exprs: Vec<DfExpr> = inner.into_iter().map(|(n, e)| e.alias(n)).collect();
    let outer_exprs: Vec<DfExpr> = outer.into_iter().map(|(n, e)| e.alias(n)).collect();
    let key_exprs: Vec<DfExpr> = keys.iter().map(|k| col(k.as_str())).collect();
    let builder = builder
        .aggregate(entity_keys, inner_exprs)
        .and_then(|b| b.aggregate(key_exprs.clone(), outer_exprs))
        .map_err(df_err)?;

    let value = match base.min_sample {
        Some(min) => when(
            col(sample_column(&metric.name)).lt(lit(min as i64)),
            lit(ScalarValue::Float64(None)),
        )
        .otherwise(cast(value, DataType::Float64))
        .map_err(df_err)?,
        None => value,
    };
    let mut projection = key_exprs;
    projection.push(value.alias(metric_column(&metric.name)));
    if base.min_sample.is_some() {
        projection.push(col(sample_column(&metric.name)));
    }
    builder.project(projection).map_err(df_err)
}
