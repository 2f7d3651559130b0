//! Derived metrics on top of the joined aggregations: which of them get a
//! column of their own, and the projections that compute them.
//!
//! A derived metric the result does not show is written into its readers'
//! expressions instead of getting a column, while its written-out
//! expression stays within [`INLINE_LIMIT`] nodes. One that is shown, or
//! has grown past the limit, gets a column. Columns are computed in
//! stages, one projection each, and a stage reads only columns of earlier
//! stages. So a chain of `n` derived metrics costs about
//! `n / INLINE_LIMIT` projections, not `n`, and a metric read many times
//! costs at most `INLINE_LIMIT` nodes in each reader: the plan stays linear
//! in the library, however the metrics are wired.

use crate::translate::{self, Place};
use crate::{metric_column, LowerError};
use datafusion::logical_expr::{col, Expr as DfExpr, LogicalPlanBuilder};
use std::collections::BTreeMap;
use yardstick_compiler::ir::Node;
use yardstick_compiler::model::{Definition, DerivedMetric, Library};
use yardstick_compiler::query::Request;

/// The most expression nodes a derived metric may carry written out before
/// it gets a column of its own. DataFusion's optimizer walks expressions
/// and plans recursively: a bound on both keeps planning linear.
pub const INLINE_LIMIT: usize = 128;

/// One derived metric as it will be computed.
struct Derivation {
    expr: DfExpr,
    /// Nodes of `expr`, written out.
    size: usize,
    /// The stage whose input holds every column `expr` reads (0: the
    /// joined aggregations).
    reads_stage: usize,
    /// The columns `expr` reads.
    reads: Vec<String>,
}

/// Computes the request's derived metrics on `builder`, whose columns are
/// the query's `keys` and the `available` metric columns. Returns the plan
/// and the metric columns it ends with: the `shown` ones (which every
/// stage keeps) and the derived metrics the request shows.
pub fn derive(
    library: &Library,
    request: &Request,
    mut builder: LogicalPlanBuilder,
    keys: &[String],
    available: Vec<String>,
    shown: &[String],
) -> Result<(LogicalPlanBuilder, Vec<String>), LowerError> {
    let order = derived_in_order(library, request);
    let mut inlined: BTreeMap<String, DfExpr> = BTreeMap::new();
    let mut derivations: BTreeMap<String, Derivation> = BTreeMap::new();
    // (stage, metric) for the ones with a column.
    let mut columns: Vec<(usize, String)> = Vec::new();
    for (name, derived) in &order {
        let expr =
            translate::translate(&derived.formula, &mut Place::Derived { inlined: &inlined })?;
        // Its size written out: an input written out counts once per
        // reference, so sharing cannot grow it past the limit unseen.
        let mut size = 0usize;
        derived.formula.walk(&mut |e| {
            size = size.saturating_add(match &e.node {
                Node::Metric { metric } if inlined.contains_key(metric.as_str()) => derivations
                    .get(metric.as_str())
                    .map_or(1, |d: &Derivation| d.size),
                _ => 1,
            });
        });
        let mut reads_stage = 0;
        let mut reads: Vec<String> = Vec::new();
        for input in &derived.inputs {
            let input = input.as_str();
            match derivations.get(input) {
                Some(d) if inlined.contains_key(input) => {
                    reads_stage = reads_stage.max(d.reads_stage);
                    reads.extend(d.reads.iter().cloned());
                }
                Some(d) => {
                    reads_stage = reads_stage.max(d.reads_stage + 1);
                    reads.push(metric_column(input));
                }
                None => reads.push(metric_column(input)),
            }
        }
        // The columns of its `offset`s, computed beside the metrics.
        reads.extend(crate::offset::columns_read(library, name));
        reads.sort();
        reads.dedup();
        if !shown.contains(&metric_column(name)) && size <= INLINE_LIMIT {
            inlined.insert(name.clone(), expr.clone());
        } else {
            columns.push((reads_stage + 1, name.clone()));
        }
        derivations.insert(
            name.clone(),
            Derivation {
                expr,
                size,
                reads_stage,
                reads,
            },
        );
    }

    // For each column, the last stage that reads it; shown ones are kept
    // to the end.
    let mut last_read: BTreeMap<String, usize> = BTreeMap::new();
    for (stage, name) in &columns {
        for column in derivations.get(name).map(|d| &d.reads[..]).unwrap_or(&[]) {
            let last = last_read.entry(column.clone()).or_insert(*stage);
            *last = (*last).max(*stage);
        }
    }
    for column in shown {
        last_read.insert(column.clone(), usize::MAX);
    }

    let stages = columns.iter().map(|(s, _)| *s).max().unwrap_or(0);
    let mut computed = available;
    for stage in 1..=stages {
        let keep: Vec<String> = computed
            .iter()
            .filter(|c| last_read.get(c.as_str()).is_some_and(|s| *s > stage))
            .cloned()
            .collect();
        let mut projection: Vec<DfExpr> = keys.iter().map(|k| col(k.as_str())).collect();
        projection.extend(keep.iter().map(|c| col(c.as_str())));
        computed = keep;
        for (_, name) in columns.iter().filter(|(s, _)| *s == stage) {
            if let Some(d) = derivations.remove(name) {
                projection.push(d.expr.alias(metric_column(name)));
                computed.push(metric_column(name));
            }
        }
        builder = builder
            .project(projection)
            .map_err(|e| LowerError(e.to_string()))?;
        // A stage another reads is aliased: DataFusion merges adjacent
        // projections (writing a column read once into its reader), and
        // merging every stage would give back one expression as deep as
        // the chain.
        if stage < stages {
            builder = builder
                .alias(format!("stage_{stage}"))
                .map_err(|e| LowerError(e.to_string()))?;
        }
    }
    Ok((builder, computed))
}

/// The derived metrics the request needs, each after its inputs.
fn derived_in_order<'l>(
    library: &'l Library,
    request: &Request,
) -> Vec<(String, &'l DerivedMetric)> {
    let mut order: Vec<(String, &DerivedMetric)> = Vec::new();
    let mut seen: std::collections::BTreeSet<&str> = Default::default();
    for start in &request.metrics {
        let mut stack = vec![(start.as_str(), false)];
        while let Some((name, inputs_done)) = stack.pop() {
            let Some((id, Definition::Derived(d))) = library
                .metrics
                .get_key_value(name)
                .map(|(id, m)| (id, &m.definition))
            else {
                continue;
            };
            if inputs_done {
                if seen.insert(id.as_str()) {
                    order.push((id.clone(), d));
                }
                continue;
            }
            if seen.contains(name) {
                continue;
            }
            stack.push((name, true));
            stack.extend(d.inputs.iter().map(|i| (i.as_str(), false)));
        }
    }
    order
}
