//! What a dialect cannot compute, found in the written SQL and refused
//! with a message naming the construct and the dialect (exit 2), rather
//! than SQL that fails in the warehouse or computes something else.

use crate::cli::Dialect;
use crate::Fatal;
use datafusion::sql::sqlparser::ast::{visit_expressions, Expr, Statement};
use std::ops::ControlFlow;

/// The functions of the written SQL that `dialect` lacks, with what
/// Yardstick construct they come from.
fn missing(dialect: Dialect) -> &'static [(&'static str, &'static str)] {
    const PERCENTILE: (&str, &str) = (
        "percentile_cont",
        "`median` and `percentile` (an exact percentile aggregate)",
    );
    match dialect {
        Dialect::Postgres | Dialect::Duckdb | Dialect::Snowflake => &[],
        Dialect::Bigquery | Dialect::Mysql => &[PERCENTILE],
        // DataFusion's SQLite dialect writes `date_trunc` and `date_part`
        // with `strftime`, whose periods (`2026-06` for June) and whole
        // seconds are not Yardstick's; nothing else writes `strftime`.
        Dialect::Sqlite => &[
            PERCENTILE,
            (
                "strftime",
                "the periods of a series without lookback, `hours_between` and `days_between` (date_trunc and date_part)",
            ),
        ],
    }
}

/// `Ok` when `dialect` has every function `statement` calls.
pub fn check(statement: &Statement, dialect: Dialect) -> Result<(), Fatal> {
    let missing = missing(dialect);
    let found = visit_expressions(statement, |e| {
        if let Expr::Function(f) = e {
            let name = f.name.to_string().to_ascii_lowercase();
            if let Some((_, what)) = missing.iter().find(|(n, _)| *n == name) {
                return ControlFlow::Break(*what);
            }
        }
        ControlFlow::Continue(())
    });
    match found {
        ControlFlow::Break(what) => Err(Fatal(format!(
            "this query cannot be written as {} SQL: it needs {what}, which {} lacks; \
             export it for another dialect, or leave out the metric that needs it",
            super::dialect_name(dialect),
            super::dialect_name(dialect)
        ))),
        ControlFlow::Continue(()) => Ok(()),
    }
}
