//! Rewrites of the logical plan before it is unparsed, into shapes every
//! dialect can write, with the same rows: a series' table of periods
//! (a `VALUES` node, which DataFusion's unparser cannot write) becomes a
//! `UNION ALL` of one-row `SELECT`s of literals; a scan with filters or a
//! projection pushed into it becomes a plain scan under a `Filter` (the
//! unparser writes a pushed-down scan as a subquery without the table's
//! name, which the columns above still use); and the result's columns
//! are the user's only (no `__sample__` or other internal column), named
//! as `yardstick query` names them where the dialect allows it.

use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::{DFSchema, Result};
use datafusion::logical_expr::{
    EmptyRelation, Expr, Filter, LogicalPlan, Projection, SubqueryAlias, Union,
};
use std::sync::Arc;

/// Internal columns of a lowered plan start with this (`__sample__nps`,
/// `__metric__fcr`, `__present`); the user's names never do.
const INTERNAL: &str = "__";

/// Every `VALUES` node of `plan` as a union of one-row selects.
pub fn values_as_selects(plan: LogicalPlan) -> Result<LogicalPlan> {
    plan.transform_up(|node| {
        let LogicalPlan::Values(values) = &node else {
            return Ok(Transformed::no(node));
        };
        let one_row = Arc::new(LogicalPlan::EmptyRelation(EmptyRelation {
            produce_one_row: true,
            schema: Arc::new(DFSchema::empty()),
        }));
        let names: Vec<String> = values
            .schema
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        let mut selects = Vec::with_capacity(values.values.len());
        for row in &values.values {
            let exprs = row
                .iter()
                .zip(&names)
                .map(|(value, name)| value.clone().alias(name))
                .collect();
            selects.push(Arc::new(LogicalPlan::Projection(Projection::try_new(
                exprs,
                Arc::clone(&one_row),
            )?)));
        }
        let replaced = match selects.len() {
            0 => return Ok(Transformed::no(node)),
            1 => Arc::unwrap_or_clone(selects.remove(0)),
            _ => LogicalPlan::Union(Union::try_new_with_loose_types(selects)?),
        };
        Ok(Transformed::yes(replaced))
    })
    .map(|t| t.data)
}

/// Every table scan of `plan` reading its whole table, with the filters
/// pushed into it as a `Filter` above it, and the nodes above it with
/// their schemas recomputed.
pub fn plain_scans(plan: LogicalPlan) -> Result<LogicalPlan> {
    plan.transform_up(|node| match node {
        LogicalPlan::TableScan(mut scan)
            if scan.projection.is_some() || !scan.filters.is_empty() =>
        {
            let filters = std::mem::take(&mut scan.filters);
            scan.projection = None;
            scan.projected_schema = Arc::new(DFSchema::try_from_qualified_schema(
                scan.table_name.clone(),
                &scan.source.schema(),
            )?);
            let plain = LogicalPlan::TableScan(scan);
            let replaced = match datafusion::logical_expr::utils::conjunction(filters) {
                Some(predicate) => {
                    LogicalPlan::Filter(Filter::try_new(predicate, Arc::new(plain))?)
                }
                None => plain,
            };
            Ok(Transformed::yes(replaced))
        }
        other => Ok(Transformed::yes(other.recompute_schema()?)),
    })
    .map(|t| t.data)
}

/// A window computed below an aggregate, a join given an alias, and an
/// aggregate joined to something, each in a `SELECT` of its own: the
/// unparser would otherwise write the window functions into the
/// aggregate's `SELECT` (where they cannot be read), the alias onto the
/// join's first table only, and a joined aggregate's grouping into the
/// join's `SELECT` (the per-day totals of rolling series, `lower/rolling.rs`).
pub fn own_selects(plan: LogicalPlan) -> Result<LogicalPlan> {
    plan.transform_up(|node| match node {
        LogicalPlan::Join(mut join)
            if matches!(join.left.as_ref(), LogicalPlan::Aggregate(_))
                || matches!(join.right.as_ref(), LogicalPlan::Aggregate(_)) =>
        {
            for side in [&mut join.left, &mut join.right] {
                if matches!(side.as_ref(), LogicalPlan::Aggregate(_)) {
                    *side = Arc::new(select_all(Arc::clone(side))?);
                }
            }
            Ok(Transformed::yes(LogicalPlan::Join(join)))
        }
        LogicalPlan::Aggregate(mut aggregate)
            if matches!(aggregate.input.as_ref(), LogicalPlan::Window(_)) =>
        {
            aggregate.input = Arc::new(select_all(Arc::clone(&aggregate.input))?);
            Ok(Transformed::yes(LogicalPlan::Aggregate(aggregate)))
        }
        LogicalPlan::SubqueryAlias(alias)
            if matches!(alias.input.as_ref(), LogicalPlan::Join(_)) =>
        {
            let input = Arc::new(select_all(Arc::clone(&alias.input))?);
            Ok(Transformed::yes(LogicalPlan::SubqueryAlias(
                SubqueryAlias::try_new(input, alias.alias.clone())?,
            )))
        }
        other => Ok(Transformed::no(other)),
    })
    .map(|t| t.data)
}

/// Every column of `input`, selected.
fn select_all(input: Arc<LogicalPlan>) -> Result<LogicalPlan> {
    let exprs = input
        .schema()
        .iter()
        .map(|(q, f)| Expr::Column(datafusion::common::Column::new(q.cloned(), f.name())))
        .collect();
    Ok(LogicalPlan::Projection(Projection::try_new(exprs, input)?))
}

/// The plan with its result's internal columns dropped, and each output
/// name passed through `rename` (BigQuery cannot name a column
/// `accounts.segment`). The result's columns are those of the topmost
/// projection (below any sort or limit).
pub fn user_columns(plan: LogicalPlan, rename: fn(&str) -> String) -> Result<LogicalPlan> {
    match plan {
        LogicalPlan::Projection(projection) => {
            let exprs = projection
                .expr
                .iter()
                .filter(|e| !e.schema_name().to_string().starts_with(INTERNAL))
                .map(|e| {
                    let name = e.schema_name().to_string();
                    let renamed = rename(&name);
                    if renamed == name {
                        e.clone()
                    } else {
                        unaliased(e).alias(renamed)
                    }
                })
                .collect();
            Ok(LogicalPlan::Projection(Projection::try_new(
                exprs,
                projection.input,
            )?))
        }
        LogicalPlan::Sort(_) | LogicalPlan::Limit(_) => {
            let inputs: Vec<LogicalPlan> = plan.inputs().into_iter().cloned().collect();
            let mut rewritten = Vec::with_capacity(inputs.len());
            for input in inputs {
                rewritten.push(user_columns(input, rename)?);
            }
            let exprs = plan
                .expressions()
                .into_iter()
                .map(|e| renamed_columns(e, rename))
                .collect::<Result<Vec<_>>>()?;
            plan.with_new_exprs(exprs, rewritten)
        }
        other => {
            // No projection on top: select the user's columns by name.
            let schema = Arc::clone(other.schema());
            let exprs: Vec<Expr> = schema
                .iter()
                .filter(|(_, f)| !f.name().starts_with(INTERNAL))
                .map(|(q, f)| {
                    let column =
                        Expr::Column(datafusion::common::Column::new(q.cloned(), f.name()));
                    let renamed = rename(f.name());
                    if &renamed == f.name() {
                        column
                    } else {
                        column.alias(renamed)
                    }
                })
                .collect();
            if exprs.len() == schema.fields().len()
                && exprs.iter().all(|e| matches!(e, Expr::Column(_)))
            {
                return Ok(other);
            }
            Ok(LogicalPlan::Projection(Projection::try_new(
                exprs,
                Arc::new(other),
            )?))
        }
    }
}

/// `e` reading the renamed output columns (a sort above the projection).
fn renamed_columns(e: Expr, rename: fn(&str) -> String) -> Result<Expr> {
    e.transform(|e| match &e {
        Expr::Column(c) if rename(&c.name) != c.name => Ok(Transformed::yes(Expr::Column(
            datafusion::common::Column::new_unqualified(rename(&c.name)),
        ))),
        _ => Ok(Transformed::no(e)),
    })
    .map(|t| t.data)
}

fn unaliased(e: &Expr) -> Expr {
    match e {
        Expr::Alias(alias) => (*alias.expr).clone(),
        other => other.clone(),
    }
}

/// Output names as they are (every dialect but BigQuery).
pub fn same_name(name: &str) -> String {
    name.to_owned()
}

/// BigQuery column names are letters, digits and underscores (and a few
/// other characters, not `.`): a joined dimension `accounts.segment` is
/// named `accounts__segment`.
pub fn bigquery_name(name: &str) -> String {
    name.replace('.', "__")
}
