//! Filtered aggregates for dialects without `FILTER (WHERE …)`: BigQuery,
//! Snowflake and MySQL. `agg(x) FILTER (WHERE c)` becomes
//! `agg(CASE WHEN c THEN x END)` (`count(*)` counts `CASE WHEN c THEN 1
//! END`), which gives the same value: the aggregates Yardstick lowers
//! (count, count distinct, sum, avg, min, max, percentile) skip nulls, and
//! a condition that is null keeps the row out in both forms. PostgreSQL,
//! DuckDB and SQLite (3.30 and later) keep `FILTER`.

use datafusion::sql::sqlparser::ast::helpers::attached_token::AttachedToken;
use datafusion::sql::sqlparser::ast::{
    visit_expressions_mut, CaseWhen, Expr, FunctionArg, FunctionArgExpr, FunctionArguments,
    Statement, Value,
};
use std::ops::ControlFlow;

/// Every `FILTER (WHERE c)` of `statement` moved into the aggregate's
/// first argument as `CASE WHEN c THEN x END`.
pub fn as_case(statement: &mut Statement) {
    let _ = visit_expressions_mut(statement, |e| {
        let Expr::Function(f) = e else {
            return ControlFlow::<()>::Continue(());
        };
        let Some(condition) = f.filter.take() else {
            return ControlFlow::Continue(());
        };
        let guarded = |x: Expr| Expr::Case {
            case_token: AttachedToken::empty(),
            end_token: AttachedToken::empty(),
            operand: None,
            conditions: vec![CaseWhen {
                condition: (*condition).clone(),
                result: x,
            }],
            else_result: None,
        };
        let one = || Expr::value(Value::Number("1".into(), false));
        match &mut f.args {
            FunctionArguments::List(list) => match list.args.first_mut() {
                Some(FunctionArg::Unnamed(arg)) => {
                    let x = match arg {
                        FunctionArgExpr::Expr(x) => x.clone(),
                        _ => one(),
                    };
                    *arg = FunctionArgExpr::Expr(guarded(x));
                }
                Some(_) => {}
                None => list
                    .args
                    .push(FunctionArg::Unnamed(FunctionArgExpr::Expr(guarded(one())))),
            },
            FunctionArguments::None | FunctionArguments::Subquery(_) => {}
        }
        ControlFlow::Continue(())
    });
}
