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
use datafusion::common::{Column, JoinType, NullEquality};
use datafusion::functions::expr_fn::coalesce;
use datafusion::logical_expr::{col, Expr as DfExpr, LogicalPlanBuilder};
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

/// `left ⟗ right` on the keys (nulls equal), keys coalesced.
pub(crate) fn full_join(
    left: LogicalPlanBuilder,
    right: LogicalPlanBuilder,
    keys: &[String],
    left_columns: &[String],
    right_columns: &[String],
) -> Result<LogicalPlanBuilder, LowerError> {
    let left = left.alias("l").map_err(df_err)?;
    let right = right.alias("r").and_then(|b| b.build()).map_err(df_err)?;
    let joined = if keys.is_empty() {
        left.cross_join(right).map_err(df_err)?
    } else {
        left.join_detailed(
            right,
            JoinType::Full,
            (
                keys.iter()
                    .map(|k| Column::new(Some("l"), k.as_str()))
                    .collect::<Vec<_>>(),
                keys.iter()
                    .map(|k| Column::new(Some("r"), k.as_str()))
                    .collect::<Vec<_>>(),
            ),
            None,
            NullEquality::NullEqualsNull,
        )
        .map_err(df_err)?
    };
    let mut projection: Vec<DfExpr> = keys
        .iter()
        .map(|k| {
            coalesce(vec![
                DfExpr::Column(Column::new(Some("l"), k.as_str())),
                DfExpr::Column(Column::new(Some("r"), k.as_str())),
            ])
            .alias(k.as_str())
        })
        .collect();
    projection.extend(
        left_columns
            .iter()
            .map(|c| DfExpr::Column(Column::new(Some("l"), c.as_str())).alias(c.as_str())),
    );
    projection.extend(
        right_columns
            .iter()
            .map(|c| DfExpr::Column(Column::new(Some("r"), c.as_str())).alias(c.as_str())),
    );
    joined.project(projection).map_err(df_err)
}

fn min_sample(library: &Library, metric: &str) -> Option<u64> {
    match library.metrics.get(metric).map(|m| &m.definition) {
        Some(Definition::Base(b)) => b.min_sample,
        _ => None,
    }
}
