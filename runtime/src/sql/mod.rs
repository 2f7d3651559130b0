//! SQL a warehouse can run, written from an optimised logical plan: the
//! unparser per dialect, then the rewrites each dialect needs (exact
//! percentiles, literals that cannot break out).

pub mod literal;

use crate::cli::Dialect;
use crate::Fatal;
use datafusion::sql::sqlparser::ast::{
    visit_expressions_mut, BinaryOperator, Expr, FunctionArg, FunctionArgExpr, FunctionArguments,
    Ident, ObjectName, OrderByExpr, OrderByOptions, Statement,
};
use datafusion::sql::unparser::dialect::{
    BigQueryDialect, CustomDialectBuilder, MySqlDialect, PostgreSqlDialect, SnowflakeDialect,
    SqliteDialect,
};
use datafusion::sql::unparser::Unparser;
use std::ops::ControlFlow;

/// The plan as one SQL statement in `dialect`.
pub fn write(
    plan: &datafusion::logical_expr::LogicalPlan,
    dialect: Dialect,
) -> Result<String, Fatal> {
    let unparsed = match dialect {
        Dialect::Postgres => Unparser::new(&PostgreSqlDialect {}).plan_to_sql(plan),
        // DataFusion's DuckDB dialect writes `/` as `//`, which DuckDB reads
        // as integer division; Yardstick's `/` is true division.
        Dialect::Duckdb => Unparser::new(
            &CustomDialectBuilder::new()
                .with_identifier_quote_style('"')
                .with_division_operator(BinaryOperator::Divide)
                .build(),
        )
        .plan_to_sql(plan),
        Dialect::Bigquery => Unparser::new(&BigQueryDialect {}).plan_to_sql(plan),
        Dialect::Snowflake => Unparser::new(&SnowflakeDialect::new()).plan_to_sql(plan),
        Dialect::Mysql => Unparser::new(&MySqlDialect {}).plan_to_sql(plan),
        Dialect::Sqlite => Unparser::new(&SqliteDialect {}).plan_to_sql(plan),
    };
    unparsed
        .map(|mut statement| {
            percentile_cont(&mut statement);
            literal::make_safe(&mut statement, dialect);
            statement.to_string()
        })
        .map_err(|e| Fatal(format!("this plan cannot be written as SQL: {e}")))
}

/// Writes Yardstick's exact `percentile(x, p)` aggregate (which `median`
/// lowers to as well) as SQL's `percentile_cont(p) WITHIN GROUP (ORDER BY x)`,
/// which computes the same. Postgres, DuckDB and Snowflake run it;
/// BigQuery, MySQL and SQLite have no such aggregate.
fn percentile_cont(statement: &mut Statement) {
    let _ = visit_expressions_mut(statement, |e| {
        let Expr::Function(f) = e else {
            return ControlFlow::<()>::Continue(());
        };
        if !f
            .name
            .to_string()
            .eq_ignore_ascii_case(yardstick_lower::percentile::NAME)
        {
            return ControlFlow::Continue(());
        }
        let FunctionArguments::List(list) = &mut f.args else {
            return ControlFlow::Continue(());
        };
        if let [FunctionArg::Unnamed(FunctionArgExpr::Expr(x)), p] = list.args.as_slice() {
            f.within_group = vec![OrderByExpr {
                expr: x.clone(),
                options: OrderByOptions {
                    asc: None,
                    nulls_first: None,
                },
                with_fill: None,
            }];
            list.args = vec![p.clone()];
            f.name = ObjectName::from(vec![Ident::new("percentile_cont")]);
        }
        ControlFlow::Continue(())
    });
}
