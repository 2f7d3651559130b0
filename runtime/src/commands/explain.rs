//! `yardstick explain`: the logical plan, the optimised physical plan, and
//! with `--sql` the SQL a warehouse can run.

use super::query::checked;
use crate::cli::{Dialect, ExplainCommand};
use crate::report::Style;
use crate::{query, Exit, Fatal};
use datafusion::physical_plan::displayable;
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

pub fn run(args: &ExplainCommand, style: Style) -> Result<Exit, Fatal> {
    let (session, request) = match checked("explain", &args.query, style)? {
        Ok(checked) => checked,
        Err(outcome) => return Ok(outcome),
    };
    let text = session.block_on(async {
        let prepared = query::prepare(&session.spec, session.library(), &request).await?;
        let plan = &prepared.lowered.plan;
        let state = prepared.ctx.state();
        let optimized = state
            .optimize(plan)
            .map_err(|e| Fatal(format!("the plan could not be optimised: {e}")))?;
        let physical = state
            .create_physical_plan(plan)
            .await
            .map_err(|e| Fatal(format!("the plan could not be made physical: {e}")))?;
        let mut text = format!(
            "== logical plan\n{}\n\n== optimised logical plan\n{}\n\n== physical plan\n{}",
            plan.display_indent(),
            optimized.display_indent(),
            displayable(physical.as_ref()).indent(true)
        );
        if args.sql {
            text.push_str(&format!(
                "\n== sql ({:?})\n{};\n",
                args.dialect,
                sql(&optimized, args.dialect)?
            ));
        }
        Ok::<_, Fatal>(text)
    })??;
    crate::stdio::print(&text)?;
    Ok(Exit::Ok)
}

fn sql(plan: &datafusion::logical_expr::LogicalPlan, dialect: Dialect) -> Result<String, Fatal> {
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
            crate::sql_literal::make_safe(&mut statement, dialect);
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
