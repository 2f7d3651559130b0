//! The SQL `explain --sql-only` writes for every dialect, on the queries of
//! `tests/sql/*.query` over `specs/cx` (a comment line, then the query's
//! arguments one per line). Each case's snapshot in `tests/sql/snapshots/`
//! holds the query and, per dialect, the SQL or the refusal (exit 2 and
//! its message). DuckDB's SQL is also run against `yardstick query` by
//! `tests/oracle/sql_export.py` (from `.ci/run`); the other dialects are
//! checked here only: every statement parses in its dialect (sqlparser),
//! has no internal column, and uses `FILTER` only where the dialect has it.

#![allow(clippy::panic, clippy::unwrap_used)] // a test: failing loudly is the point

use datafusion::sql::sqlparser::ast::{Expr, SelectItem, SetExpr, Statement};
use datafusion::sql::sqlparser::dialect::{
    BigQueryDialect, Dialect, DuckDbDialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect,
    SnowflakeDialect,
};
use datafusion::sql::sqlparser::parser::Parser;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

const DIALECTS: [&str; 6] = [
    "postgres",
    "duckdb",
    "bigquery",
    "snowflake",
    "mysql",
    "sqlite",
];

fn parser_dialect(name: &str) -> Box<dyn Dialect> {
    match name {
        "postgres" => Box::new(PostgreSqlDialect {}),
        "duckdb" => Box::new(DuckDbDialect {}),
        "bigquery" => Box::new(BigQueryDialect {}),
        "snowflake" => Box::new(SnowflakeDialect {}),
        "mysql" => Box::new(MySqlDialect {}),
        "sqlite" => Box::new(SQLiteDialect {}),
        other => panic!("no dialect {other}"),
    }
}

/// The SQL (or the refusal) of one case in one dialect, checked.
fn export(case: &str, args: &[String], dialect: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_yardstick"))
        .arg("explain")
        .args(args)
        .args(["--spec", "specs/cx", "--sql-only", "--dialect", dialect])
        .current_dir(root())
        .output()
        .expect("run yardstick");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    match out.status.code() {
        Some(0) => {
            let statements = Parser::new(parser_dialect(dialect).as_ref())
                .with_recursion_limit(4096)
                .try_with_sql(&stdout)
                .and_then(|mut p| p.parse_statements())
                .unwrap_or_else(|e| panic!("{case} ({dialect}) does not parse: {e}\n{stdout}"));
            assert_eq!(statements.len(), 1, "{case} ({dialect}): one statement");
            for name in output_names(&statements[0]) {
                assert!(
                    !name.starts_with("__") && !name.contains("_46"),
                    "{case} ({dialect}): internal or mangled column {name}\n{stdout}"
                );
            }
            if matches!(dialect, "bigquery" | "snowflake" | "mysql") {
                assert!(
                    !stdout.contains("FILTER (WHERE"),
                    "{case} ({dialect}) has no FILTER clause\n{stdout}"
                );
            }
            stdout
        }
        Some(2) => {
            assert!(stdout.is_empty(), "{case} ({dialect}): no SQL when refused");
            assert!(
                stderr.contains("cannot be written"),
                "{case} ({dialect}): {stderr}"
            );
            format!("refused (exit 2): {}", stderr.trim())
        }
        other => panic!("{case} ({dialect}): exit {other:?}\n{stderr}"),
    }
}

/// The names of the statement's result columns (its outermost select list).
fn output_names(statement: &Statement) -> Vec<String> {
    let Statement::Query(query) = statement else {
        panic!("not a query: {statement}");
    };
    let SetExpr::Select(select) = query.body.as_ref() else {
        panic!("not a select: {statement}");
    };
    select
        .projection
        .iter()
        .map(|item| match item {
            SelectItem::ExprWithAlias { alias, .. } => alias.value.clone(),
            SelectItem::UnnamedExpr(Expr::Identifier(ident)) => ident.value.clone(),
            other => panic!("an unnamed result column: {other}"),
        })
        .collect()
}

#[test]
fn every_case_exports_for_every_dialect() {
    // Parsing a statement of long chains of unions and nested selects
    // recurses deeply: a deep stack, as the binary's workers have.
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(export_every_case)
        .expect("thread")
        .join()
        .unwrap_or_else(|e| std::panic::resume_unwind(e));
}

fn export_every_case() {
    let dir = root().join("tests/sql");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/sql")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "query"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 5, "the cases are in tests/sql");
    for path in paths {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let mut lines = text.lines();
        let comment = lines.next().unwrap_or_default();
        let args: Vec<String> = lines.filter(|l| !l.is_empty()).map(str::to_owned).collect();
        let mut out = format!("{comment}\n=== query {}\n", args.join(" "));
        for dialect in DIALECTS {
            out.push_str(&format!(
                "=== {dialect}\n{}\n",
                export(&name, &args, dialect).trim_end()
            ));
        }
        insta::with_settings!({
            snapshot_path => dir.join("snapshots"),
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_snapshot!(name.clone(), out);
        });
    }
}
