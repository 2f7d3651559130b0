//! `yardstick explain`: the logical plan, the optimised physical plan, and
//! with `--sql` the SQL a warehouse can run.

use super::query::{load, query_args, tokio_runtime};
use crate::cli::{Dialect, ExplainCommand};
use crate::report::Style;
use crate::{query, Fatal, Outcome};
use datafusion::physical_plan::displayable;
use datafusion::sql::sqlparser::ast::BinaryOperator;
use datafusion::sql::unparser::dialect::{
    BigQueryDialect, CustomDialectBuilder, MySqlDialect, PostgreSqlDialect, SnowflakeDialect,
    SqliteDialect,
};
use datafusion::sql::unparser::Unparser;

pub fn run(args: &ExplainCommand, style: Style) -> Result<Outcome, Fatal> {
    let Some(library) = load(&args.query, style)? else {
        return Ok(Outcome::Failed);
    };
    let runtime = tokio_runtime()?;
    let text = runtime.block_on(async {
        let prepared =
            query::prepare(&args.query.spec.spec, &library, &query_args(&args.query)).await?;
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
    })?;
    crate::stdio::print(&text)?;
    Ok(Outcome::Ok)
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
        .map(|statement| statement.to_string())
        .map_err(|e| Fatal(format!("this plan cannot be written as SQL: {e}")))
}
