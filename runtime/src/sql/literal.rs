//! String literals in exported SQL (`explain --sql`), written so that no
//! value can end its literal early, whatever the dialect. The SQL printer
//! under DataFusion's unparser leaves a quote after a backslash as it is,
//! so `n/a\' END) …; DROP TABLE t; --` in a spec would close the literal
//! and run the rest as SQL. A literal holding a quote or a backslash is
//! rewritten as a concatenation: its quotes as literals of their own,
//! `''''` (or `"'"` in BigQuery, where `''''` opens a triple-quoted
//! string), and its backslashes doubled in the dialects that read a
//! backslash as an escape (MySQL, BigQuery, Snowflake).

use crate::cli::Dialect;
use datafusion::sql::sqlparser::ast::{
    visit_expressions_mut, BinaryOperator, Expr, Function, FunctionArg, FunctionArgExpr,
    FunctionArgumentList, FunctionArguments, Ident, ObjectName, Statement, Value,
};
use std::ops::ControlFlow;

/// Rewrites every string literal of `statement` that holds a quote or a
/// backslash into a safe form for `dialect`.
pub fn make_safe(statement: &mut Statement, dialect: Dialect) {
    let _ = visit_expressions_mut(statement, |e| {
        if let Expr::Value(v) = e {
            if let Value::SingleQuotedString(text) = &v.value {
                if text.contains(['\'', '\\']) {
                    *e = safe(text, dialect);
                }
            }
        }
        ControlFlow::<()>::Continue(())
    });
}

/// Whether `'...'` in the dialect reads a backslash as an escape.
fn backslash_escapes(dialect: Dialect) -> bool {
    matches!(
        dialect,
        Dialect::Mysql | Dialect::Bigquery | Dialect::Snowflake
    )
}

/// `text` as an expression that prints safely: pieces without quotes
/// (backslashes doubled where they escape) and each quote on its own.
fn safe(text: &str, dialect: Dialect) -> Expr {
    let piece = |p: &str| {
        let p = if backslash_escapes(dialect) {
            p.replace('\\', "\\\\")
        } else {
            p.to_owned()
        };
        Expr::value(Value::SingleQuotedString(p))
    };
    let quote = || match dialect {
        Dialect::Bigquery => Expr::value(Value::DoubleQuotedString("'".to_owned())),
        _ => Expr::value(Value::SingleQuotedString("'".to_owned())),
    };
    let mut parts = Vec::new();
    for (i, p) in text.split('\'').enumerate() {
        if i > 0 {
            parts.push(quote());
        }
        if !p.is_empty() {
            parts.push(piece(p));
        }
    }
    if parts.len() == 1 {
        return parts.remove(0);
    }
    match dialect {
        // `||` is a logical or in MySQL.
        Dialect::Mysql => Expr::Function(Function {
            name: ObjectName::from(vec![Ident::new("CONCAT")]),
            uses_odbc_syntax: false,
            parameters: FunctionArguments::None,
            args: FunctionArguments::List(FunctionArgumentList {
                duplicate_treatment: None,
                args: parts
                    .into_iter()
                    .map(|p| FunctionArg::Unnamed(FunctionArgExpr::Expr(p)))
                    .collect(),
                clauses: Vec::new(),
            }),
            filter: None,
            null_treatment: None,
            over: None,
            within_group: Vec::new(),
        }),
        _ => {
            let mut parts = parts.into_iter();
            let first = parts.next().unwrap_or_else(|| piece(""));
            let joined = parts.fold(first, |left, right| Expr::BinaryOp {
                left: Box::new(left),
                op: BinaryOperator::StringConcat,
                right: Box::new(right),
            });
            Expr::Nested(Box::new(joined))
        }
    }
}

#[cfg(test)]
#[allow(clippy::expect_used)] // a test: failing loudly is the point
mod tests {
    use super::*;

    fn printed(text: &str, dialect: Dialect) -> String {
        let mut statement = datafusion::sql::sqlparser::parser::Parser::parse_sql(
            &datafusion::sql::sqlparser::dialect::GenericDialect {},
            "SELECT 'placeholder'",
        )
        .expect("a statement")
        .remove(0);
        let _ = visit_expressions_mut(&mut statement, |e| {
            if let Expr::Value(v) = e {
                v.value = Value::SingleQuotedString(text.to_owned());
            }
            ControlFlow::<()>::Continue(())
        });
        make_safe(&mut statement, dialect);
        statement.to_string()
    }

    const HOSTILE: &str = "n/a\\' END) AS x FROM t; DROP TABLE t; --";

    #[test]
    fn a_quote_after_a_backslash_stays_inside_the_literal() {
        // Standard SQL: the backslash is a character, the quote its own
        // literal.
        assert_eq!(
            printed(HOSTILE, Dialect::Postgres),
            "SELECT ('n/a\\' || '''' || ' END) AS x FROM t; DROP TABLE t; --')"
        );
        assert_eq!(
            printed(HOSTILE, Dialect::Duckdb),
            printed(HOSTILE, Dialect::Postgres)
        );
        // Backslash dialects: the backslash doubled.
        assert_eq!(
            printed(HOSTILE, Dialect::Mysql),
            "SELECT CONCAT('n/a\\\\', '''', ' END) AS x FROM t; DROP TABLE t; --')"
        );
        assert_eq!(
            printed(HOSTILE, Dialect::Bigquery),
            "SELECT ('n/a\\\\' || \"'\" || ' END) AS x FROM t; DROP TABLE t; --')"
        );
    }

    #[test]
    fn a_value_ending_in_a_backslash_closes_its_literal() {
        assert_eq!(printed("C:\\", Dialect::Postgres), "SELECT 'C:\\'");
        assert_eq!(printed("C:\\", Dialect::Mysql), "SELECT 'C:\\\\'");
        assert_eq!(printed("C:\\", Dialect::Snowflake), "SELECT 'C:\\\\'");
    }

    #[test]
    fn plain_values_and_lone_quotes_print_plainly() {
        assert_eq!(printed("email", Dialect::Postgres), "SELECT 'email'");
        assert_eq!(
            printed("it's", Dialect::Sqlite),
            "SELECT ('it' || '''' || 's')"
        );
        assert_eq!(printed("'", Dialect::Postgres), "SELECT ''''");
        assert_eq!(printed("''", Dialect::Postgres), "SELECT ('''' || '''')");
    }
}
