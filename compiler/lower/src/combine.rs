//! Putting the per-source aggregations together: a full outer join on the
//! query's keys (dimensions and period), derived metrics computed on top
//! (a key missing from one input gives `null` for it), and the result's
//! columns named and ordered as CLI.md says.

use crate::scan::{self, PERIOD};
use crate::translate::{self, Names};
use crate::{
    metric_column, sample_column, Catalog, LowerError, Lowered, OutputColumn, Request, TimeFrame,
};
use datafusion::common::{Column, JoinType, NullEquality};
use datafusion::functions::expr_fn::coalesce;
use datafusion::logical_expr::{col, Expr as DfExpr, LogicalPlanBuilder};
use yardstick_compiler::model::{Definition, Library};

fn df_err(e: datafusion::error::DataFusionError) -> LowerError {
    LowerError(e.to_string())
}

pub fn lower(
    library: &Library,
    request: &Request,
    frame: &TimeFrame,
    catalog: &dyn Catalog,
) -> Result<Lowered, LowerError> {
    let mut keys: Vec<String> = request
        .by
        .iter()
        .map(|d| translate::column_name(&d.split('.').map(str::to_owned).collect::<Vec<_>>()))
        .collect();
    if matches!(frame, TimeFrame::Series { .. }) {
        keys.push(PERIOD.to_owned());
    }

    let mut combined: Option<LogicalPlanBuilder> = None;
    let mut computed: Vec<String> = Vec::new();
    for (source_name, metrics) in request.base_metrics(library) {
        let source = library
            .sources
            .get(&source_name)
            .ok_or_else(|| LowerError(format!("no source named `{source_name}`")))?;
        let plan = scan::plan(library, source, &metrics, request, frame, catalog)?;
        let mut columns: Vec<String> = Vec::new();
        for (metric, base) in &metrics {
            columns.push(metric_column(&metric.name));
            if base.min_sample.is_some() {
                columns.push(sample_column(&metric.name));
            }
        }
        combined = Some(match combined {
            None => plan,
            Some(left) => full_join(left, plan, &keys, &computed, &columns)?,
        });
        computed.extend(columns);
    }
    let mut builder =
        combined.ok_or_else(|| LowerError("the query computes no metric".to_owned()))?;

    for name in derived_order(library, request) {
        let Some(Definition::Derived(d)) = library.metrics.get(&name).map(|m| &m.definition) else {
            continue;
        };
        let value = translate::translate(&d.formula, &mut Names::Derived)?;
        let mut projection: Vec<DfExpr> = keys.iter().map(|k| col(k.as_str())).collect();
        projection.extend(computed.iter().map(|c| col(c.as_str())));
        projection.push(value.alias(metric_column(&name)));
        builder = builder.project(projection).map_err(df_err)?;
        computed.push(metric_column(&name));
    }

    let mut output = Vec::new();
    let mut projection = Vec::new();
    for (dim, key) in request.by.iter().zip(&keys) {
        projection.push(col(key.as_str()).alias(dim.as_str()));
        output.push(OutputColumn::Dimension(dim.clone()));
    }
    if matches!(frame, TimeFrame::Series { .. }) {
        projection.push(col(PERIOD).alias("period"));
        output.push(OutputColumn::Period);
    }
    let mut hidden = Vec::new();
    for name in &request.metrics {
        projection.push(col(metric_column(name)).alias(name.as_str()));
        let sample = match library.metrics.get(name).map(|m| &m.definition) {
            Some(Definition::Base(b)) => b.min_sample.map(|min| {
                hidden.push(col(sample_column(name)));
                (sample_column(name), min)
            }),
            _ => None,
        };
        output.push(OutputColumn::Metric {
            name: name.clone(),
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
    })
}

/// `left ⟗ right` on the keys (nulls equal), keys coalesced.
fn full_join(
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

/// Derived metrics the request needs, inputs before the metrics reading
/// them.
fn derived_order(library: &Library, request: &Request) -> Vec<String> {
    fn visit(library: &Library, name: &str, out: &mut Vec<String>) {
        if out.iter().any(|n| n == name) {
            return;
        }
        if let Some(Definition::Derived(d)) = library.metrics.get(name).map(|m| &m.definition) {
            for input in &d.inputs {
                visit(library, input, out);
            }
            out.push(name.to_owned());
        }
    }
    let mut out = Vec::new();
    for m in &request.metrics {
        visit(library, m, &mut out);
    }
    out
}
