//! Putting the per-source aggregations together: a full outer join on the
//! query's keys (dimensions and period), derived metrics computed on top
//! (a key missing from one input gives `null` for it), and the result's
//! columns named and ordered as CLI.md says.

use crate::derive;
use crate::fill;
use crate::offset;
use crate::scan::{self, PERIOD};
use crate::translate;
use crate::{metric_column, sample_column, Catalog, LowerError, Lowered, OutputColumn, TimeFrame};
use datafusion::common::{Column, ScalarValue};
use datafusion::functions_aggregate::expr_fn::max;
use datafusion::logical_expr::{col, lit, Expr as DfExpr, LogicalPlan, LogicalPlanBuilder};
use yardstick_compiler::model::{Definition, Library};
use yardstick_compiler::query::Request;
use yardstick_compiler::types::Type;

fn df_err(e: datafusion::error::DataFusionError) -> LowerError {
    LowerError(e.to_string())
}

pub fn lower(
    library: &Library,
    request: &Request,
    frame: TimeFrame,
    catalog: &dyn Catalog,
) -> Result<Lowered, LowerError> {
    let frame = &frame;
    let keys = scan::key_names(request, frame);

    let mut combined: Option<LogicalPlanBuilder> = None;
    let mut computed: Vec<String> = Vec::new();
    for (source_name, metrics) in request.base_metrics(library) {
        let source = library
            .sources
            .get(&source_name)
            .ok_or_else(|| LowerError(format!("no source named `{source_name}`")))?;
        let plan = scan::plan(library, source, &metrics, request, frame, catalog)?;
        let mut columns: Vec<String> = Vec::new();
        for metric in &metrics {
            columns.push(metric_column(&metric.name));
            if min_sample(library, &metric.name).is_some() {
                columns.push(sample_column(&metric.name));
            }
        }
        combined = Some(match combined {
            None => plan,
            Some(left) => full_join(left, plan, &keys, &computed, &columns)?,
        });
        computed.extend(columns);
    }
    let builder = combined.ok_or_else(|| LowerError("the query computes no metric".to_owned()))?;
    let (builder, offsets) =
        offset::join(builder, &computed, &keys, library, request, frame, catalog)?;
    computed.extend(offsets);
    let dimensions: Vec<String> = request
        .by
        .iter()
        .map(|d| translate::column_name(&d.column))
        .collect();
    let mut filled = fill::filled_columns(library, request);
    filled.extend(offset::filled_columns(library, request));
    let builder = fill::fill(builder, &dimensions, frame, &computed, &filled)?;
    let builder = match frame {
        TimeFrame::AsOf(_) => {
            fill::fill_groups(builder, library, request, &dimensions, &computed, catalog)?
        }
        TimeFrame::Series { .. } => builder,
    };

    let mut shown: Vec<String> = Vec::new();
    for id in &request.metrics {
        shown.push(metric_column(id.as_str()));
        if min_sample(library, id.as_str()).is_some() {
            shown.push(sample_column(id.as_str()));
        }
    }
    let (mut builder, _) = derive::derive(library, request, builder, &keys, computed, &shown)?;

    let mut output = Vec::new();
    let mut projection = Vec::new();
    for (dim, key) in request.by.iter().zip(&keys) {
        projection.push(col(key.as_str()).alias(dim.name.as_str()));
        output.push(OutputColumn::Dimension(dim.name.clone()));
    }
    if matches!(frame, TimeFrame::Series { .. }) {
        projection.push(col(PERIOD).alias("period"));
        output.push(OutputColumn::Period);
    }
    let mut hidden = Vec::new();
    for id in &request.metrics {
        let name = id.as_str();
        let value = col(metric_column(name));
        let value = match library.metric(id) {
            Some(m)
                if m.value_type == Type::Int && matches!(m.definition, Definition::Derived(_)) =>
            {
                translate::narrow_integer(value)
            }
            _ => value,
        };
        projection.push(value.alias(name));
        let sample = min_sample(library, name).map(|min| {
            hidden.push(col(sample_column(name)));
            (sample_column(name), min)
        });
        output.push(OutputColumn::Metric {
            name: name.to_owned(),
            sample,
        });
    }
    projection.extend(hidden);
    let order: Vec<_> = keys
        .iter()
        .map(|k| col(k.as_str()).sort(true, false))
        .collect();
    if !order.is_empty() {
        builder = builder.sort(order).map_err(df_err)?;
    }
    let plan = builder
        .project(projection)
        .and_then(|b| b.build())
        .map_err(df_err)?;
    Ok(Lowered {
        plan,
        columns: output,
        frame: frame.clone(),
    })
}

/// `left ⟗ right` on the keys (nulls equal), written as a union of the
/// two sides, each padded with nulls for the other's columns, grouped by
/// the keys. Both sides are aggregates by the keys, so each holds a key at
/// most once and each column's one value is its `max`. A full join would
/// say the same, but Ballista 55 never finishes some full joins of one-row
/// sides (docs/engines.md); a union and an aggregate run on every engine.
/// Without keys, both sides are one row each and are crossed.
pub(crate) fn full_join(
    left: LogicalPlanBuilder,
    right: LogicalPlanBuilder,
    keys: &[String],
    left_columns: &[String],
    right_columns: &[String],
) -> Result<LogicalPlanBuilder, LowerError> {
    if keys.is_empty() {
        let left = left.alias("l").map_err(df_err)?;
        let right = right.alias("r").and_then(|b| b.build()).map_err(df_err)?;
        let mut projection: Vec<DfExpr> = left_columns
            .iter()
            .map(|c| DfExpr::Column(Column::new(Some("l"), c.as_str())).alias(c.as_str()))
            .collect();
        projection.extend(
            right_columns
                .iter()
                .map(|c| DfExpr::Column(Column::new(Some("r"), c.as_str())).alias(c.as_str())),
        );
        return left
            .cross_join(right)
            .and_then(|b| b.project(projection))
            .map_err(df_err);
    }
    let left = left.build().map_err(df_err)?;
    let right = right.build().map_err(df_err)?;
    // One side's rows with every column: its own, and the other side's as
    // nulls of their type.
    let padded = |plan: LogicalPlan, is_left: bool, other: &LogicalPlan| {
        let mut projection: Vec<DfExpr> = keys.iter().map(|k| col(k.as_str())).collect();
        for (columns, own) in [(left_columns, is_left), (right_columns, !is_left)] {
            for c in columns {
                if own {
                    projection.push(col(c.as_str()));
                } else {
                    let field = other
                        .schema()
                        .field_with_unqualified_name(c)
                        .map_err(df_err)?;
                    let null = ScalarValue::try_from(field.data_type()).map_err(df_err)?;
                    projection.push(lit(null).alias(c.as_str()));
                }
            }
        }
        LogicalPlanBuilder::from(plan)
            .project(projection)
            .and_then(|b| b.build())
            .map_err(df_err)
    };
    let from_left = padded(left.clone(), true, &right)?;
    let from_right = padded(right, false, &left)?;
    let values: Vec<DfExpr> = left_columns
        .iter()
        .chain(right_columns)
        .map(|c| max(col(c.as_str())).alias(c.as_str()))
        .collect();
    LogicalPlanBuilder::from(from_left)
        .union(from_right)
        .and_then(|b| b.aggregate(keys.iter().map(|k| col(k.as_str())), values))
        .map_err(df_err)
}

fn min_sample(library: &Library, metric: &str) -> Option<u64> {
    match library.metrics.get(metric).map(|m| &m.definition) {
        Some(Definition::Base(b)) => b.min_sample,
        _ => None,
    }
}
