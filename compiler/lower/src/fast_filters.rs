//! An analyzer rule for the DataFusion sessions that run Yardstick's plans:
//! the null rules of row filters (`docs/reference/language.md`,
//! Expressions) in the forms DataFusion evaluates fastest, only where they
//! keep exactly the same rows.
//!
//! Lowering writes a `where` as `coalesce(p, false)` and an `exclude` as
//! `NOT coalesce(p, false)`, which hold anywhere a condition is used, and
//! which every SQL dialect can run. DataFusion expands each `coalesce` into
//! `p IS NOT NULL AND p`, testing `p` twice. This rule rewrites, in a
//! `Filter` and in an aggregate's `FILTER`:
//! - `coalesce(p, false)` reached through `AND` and `OR` only: `p`. There
//!   a null condition drops the row as `false` does.
//! - `NOT coalesce(x = v, false)` with `v` a non-null literal:
//!   `x IS DISTINCT FROM v`, which is true exactly when `x` is null or
//!   differs from `v`.
//!
//! Measured on issue 8's benchmark (10M rows, interleaved runs): `fcr`
//! alone, whose `exclude` is tested on every row, takes 0.9 of its time;
//! the five-metric question, which tests it only on the rows its windows
//! keep, is unchanged (`docs/benchmarks.md`). Exported SQL
//! is written from the plan before this rule, so it does not change.

use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::ScalarValue;
use datafusion::config::ConfigOptions;
use datafusion::error::Result;
use datafusion::logical_expr::expr::ScalarFunction;
use datafusion::logical_expr::{BinaryExpr, Expr, LogicalPlan, Operator};
use datafusion::optimizer::AnalyzerRule;

/// The rule; add it to a session with `add_analyzer_rule`.
#[derive(Debug, Default)]
pub struct FastFilters;

impl AnalyzerRule for FastFilters {
    fn analyze(&self, plan: LogicalPlan, _config: &ConfigOptions) -> Result<LogicalPlan> {
        plan.transform_up_with_subqueries(|node| match node {
            LogicalPlan::Filter(_) => node.map_expressions(|e| Ok(Transformed::yes(in_filter(e)))),
            LogicalPlan::Aggregate(_) => node.map_expressions(|e| {
                // The plan above reads each aggregate by its name, which
                // spells out its filter: a rewritten one keeps its name.
                // (The scan's aggregates are named, so this is rarely needed.)
                let name = (!matches!(e, Expr::Alias(_))).then(|| e.schema_name().to_string());
                let rewritten = e.transform_up(|e| match e {
                    Expr::AggregateFunction(mut call) if call.params.filter.is_some() => {
                        call.params.filter = call.params.filter.map(|f| Box::new(in_filter(*f)));
                        Ok(Transformed::yes(Expr::AggregateFunction(call)))
                    }
                    other => Ok(Transformed::no(other)),
                })?;
                if !rewritten.transformed {
                    return Ok(rewritten);
                }
                Ok(rewritten.update_data(|e| match name {
                    Some(name) => e.alias(name),
                    None => e,
                }))
            }),
            other => Ok(Transformed::no(other)),
        })
        .map(|t| t.data)
    }

    fn name(&self) -> &str {
        "yardstick_fast_filters"
    }
}

/// `condition` where only its rows that are true are kept.
fn in_filter(condition: Expr) -> Expr {
    match condition {
        Expr::BinaryExpr(BinaryExpr { left, op, right })
            if matches!(op, Operator::And | Operator::Or) =>
        {
            Expr::BinaryExpr(BinaryExpr::new(
                Box::new(in_filter(*left)),
                op,
                Box::new(in_filter(*right)),
            ))
        }
        Expr::ScalarFunction(call) => match or_false(&call) {
            Some(p) => in_filter(p.clone()),
            None => Expr::ScalarFunction(call),
        },
        Expr::Not(inner) => match equal_to_literal(&inner) {
            Some((left, right)) => Expr::BinaryExpr(BinaryExpr::new(
                Box::new(left.clone()),
                Operator::IsDistinctFrom,
                Box::new(right.clone()),
            )),
            None => Expr::Not(inner),
        },
        other => other,
    }
}

/// `p` of `coalesce(p, false)`.
fn or_false(call: &ScalarFunction) -> Option<&Expr> {
    match call.args.as_slice() {
        [p, Expr::Literal(ScalarValue::Boolean(Some(false)), _)]
            if call.func.name() == "coalesce" =>
        {
            Some(p)
        }
        _ => None,
    }
}

/// The two sides of `coalesce(x = v, false)` (or `v = x`) when `v` is a
/// non-null literal.
fn equal_to_literal(e: &Expr) -> Option<(&Expr, &Expr)> {
    let Expr::ScalarFunction(call) = e else {
        return None;
    };
    match or_false(call)? {
        Expr::BinaryExpr(BinaryExpr {
            left,
            op: Operator::Eq,
            right,
        }) if non_null_literal(left) || non_null_literal(right) => Some((left, right)),
        _ => None,
    }
}

/// A literal that is not null, or a cast of one (type coercion casts a
/// string literal compared with a view column).
fn non_null_literal(e: &Expr) -> bool {
    match e {
        Expr::Literal(v, _) => !v.is_null(),
        Expr::Cast(c) => non_null_literal(&c.expr),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{ArrayRef, Int64Array, RecordBatch, StringArray};
    use datafusion::arrow::datatypes::{DataType, Field, Schema};
    use datafusion::datasource::MemTable;
    use datafusion::logical_expr::{col, lit};
    use datafusion::prelude::SessionContext;
    use std::sync::Arc;

    /// Six rows (channel, n), each a case of the null rules.
    fn context(with_rule: bool) -> SessionContext {
        let schema = Arc::new(Schema::new(vec![
            Field::new("channel", DataType::Utf8, true),
            Field::new("n", DataType::Int64, true),
        ]));
        let channel: ArrayRef = Arc::new(StringArray::from(vec![
            Some("web"),
            Some("internal"),
            None,
            Some("web"),
            None,
            Some("web"),
        ]));
        let n: ArrayRef = Arc::new(Int64Array::from(vec![
            Some(1),
            Some(1),
            Some(1),
            None,
            None,
            Some(2),
        ]));
        let batch = RecordBatch::try_new(schema.clone(), vec![channel, n]).expect("batch");
        let table = MemTable::try_new(schema, vec![vec![batch]]).expect("table");
        let ctx = SessionContext::new();
        if with_rule {
            ctx.add_analyzer_rule(Arc::new(FastFilters));
        }
        ctx.register_table("t", Arc::new(table)).expect("register");
        ctx
    }

    async fn counts(with_rule: bool, sql: &str) -> String {
        let batches = context(with_rule)
            .sql(sql)
            .await
            .expect("plan")
            .collect()
            .await
            .expect("run");
        datafusion::arrow::util::pretty::pretty_format_batches(&batches)
            .expect("format")
            .to_string()
    }

    #[tokio::test]
    async fn the_rewritten_null_rules_keep_the_rows_worked_out_by_hand() {
        // `where n == 1`, `exclude channel == "internal"`: row 1 counts;
        // row 2 is internal; row 3's channel is null, so the exclude is
        // null and the row stays; rows 4 and 5 have a null n, which the
        // where drops; row 6 has n = 2. Two rows, in a FILTER and a WHERE.
        let rows = "NOT coalesce(channel = 'internal', false) AND coalesce(n = 1, false)";
        let sql = format!(
            "SELECT count(*) FILTER (WHERE {rows}) AS in_filter, \
             (SELECT count(*) FROM t WHERE {rows}) AS in_where, \
             count(*) FILTER (WHERE coalesce(n = 1, false) OR coalesce(n = 2, false)) AS either \
             FROM t GROUP BY channel ORDER BY channel NULLS LAST"
        );
        // By channel: internal (row 2), web (rows 1, 4 and 6), null
        // (rows 3 and 5); `in_where` counts the whole table.
        let expected = "+-----------+----------+--------+\n\
                        | in_filter | in_where | either |\n\
                        +-----------+----------+--------+\n\
                        | 0         | 2        | 1      |\n\
                        | 1         | 2        | 2      |\n\
                        | 1         | 2        | 1      |\n\
                        +-----------+----------+--------+";
        assert_eq!(counts(true, &sql).await, expected);
        assert_eq!(counts(false, &sql).await, expected);
    }

    #[test]
    fn only_filter_positions_and_literal_equalities_are_rewritten() {
        let or_false = |p| datafusion::functions::expr_fn::coalesce(vec![p, lit(false)]);
        // Two columns may both be null, where `IS DISTINCT FROM` would
        // drop a row the exclude keeps: unchanged.
        let columns = Expr::Not(Box::new(or_false(col("a").eq(col("b")))));
        assert_eq!(in_filter(columns.clone()), columns);
        let literal = Expr::Not(Box::new(or_false(col("a").eq(lit("x")))));
        assert_eq!(
            in_filter(literal),
            Expr::BinaryExpr(BinaryExpr::new(
                Box::new(col("a")),
                Operator::IsDistinctFrom,
                Box::new(lit("x"))
            ))
        );
        // Under NOT, `coalesce(p, false)` is not `p`: unchanged.
        let negated = Expr::Not(Box::new(or_false(col("a").gt(lit(1)))));
        assert_eq!(in_filter(negated.clone()), negated);
        assert_eq!(
            in_filter(or_false(col("a").gt(lit(1))).and(or_false(col("b")))),
            col("a").gt(lit(1)).and(col("b"))
        );
    }
}
