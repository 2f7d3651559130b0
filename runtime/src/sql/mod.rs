//! SQL a warehouse can run, written from a logical plan: the plan's
//! shapes made writable (`shape.rs`), the unparser per dialect, then the
//! rewrites each dialect needs (filtered aggregates, exact percentiles,
//! literals that cannot break out) and the refusal of what it lacks.

mod aggregate_filter;
mod derived_names;
pub mod literal;
mod shape;
mod unsupported;

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

/// The dialect as its users name it.
pub fn dialect_name(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Postgres => "PostgreSQL",
        Dialect::Duckdb => "DuckDB",
        Dialect::Bigquery => "BigQuery",
        Dialect::Snowflake => "Snowflake",
        Dialect::Mysql => "MySQL",
        Dialect::Sqlite => "SQLite",
    }
}

/// The plan as one SQL statement in `dialect`, giving the rows the plan
/// gives, without its internal columns. `plan` is best the plan as
/// lowered, before DataFusion's optimiser: the unparser writes its
/// pushed-down projections and common subexpressions as subqueries whose
/// columns the statement then cannot name.
pub fn write(
    plan: &datafusion::logical_expr::LogicalPlan,
    dialect: Dialect,
) -> Result<String, Fatal> {
    write_columns(plan, dialect, true)
}

/// Like [`write`], keeping every column of the plan's result, internal
/// ones too (a metric's sample size, which `min_sample` and the outputs
/// read): for an engine that runs the SQL and hands the rows to the same
/// outputs as the embedded engine.
pub fn write_for_engine(
    plan: &datafusion::logical_expr::LogicalPlan,
    dialect: Dialect,
) -> Result<String, Fatal> {
    write_columns(plan, dialect, false)
}

fn write_columns(
    plan: &datafusion::logical_expr::LogicalPlan,
    dialect: Dialect,
    only_users: bool,
) -> Result<String, Fatal> {
    let cannot = |e: datafusion::error::DataFusionError| {
        Fatal(format!("this plan cannot be written as SQL: {e}"))
    };
    let rename = match dialect {
        Dialect::Bigquery => shape::bigquery_name,
        _ => shape::same_name,
    };
    let plan = shape::values_as_selects(plan.clone()).map_err(cannot)?;
    let plan = shape::plain_scans(plan).map_err(cannot)?;
    let plan = shape::own_selects(plan).map_err(cannot)?;
    let plan = if only_users {
        shape::user_columns(plan, rename).map_err(cannot)?
    } else {
        plan
    };
    let plan = &plan;
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
    let mut statement = unparsed.map_err(cannot)?;
    derived_names::number(&mut statement);
    if matches!(
        dialect,
        Dialect::Bigquery | Dialect::Snowflake | Dialect::Mysql
    ) {
        aggregate_filter::as_case(&mut statement);
    }
    percentile_cont(&mut statement);
    literal::make_safe(&mut statement, dialect);
    unsupported::check(&statement, dialect)?;
    Ok(statement.to_string())
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
