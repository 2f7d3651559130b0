//! `test` blocks (LANGUAGE.md §8): the rows they give must fit their
//! source's columns, and what they expect must name real metrics and
//! dimensions. Running them is the runtime's job.

use super::suggest::did_you_mean;
use super::Names;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::ir::Literal;
use crate::model::{Expectation, GivenRows, Library, Source, Test};
use crate::span::Span;
use crate::syntax::ast::{DeclKind, Expected, Expr, ExprKind, Given, Ident, TestDecl};
use crate::types::check::decode_literal;
use crate::types::Type;
use std::collections::BTreeMap;

pub(super) fn build_all(
    tests: &[&TestDecl],
    library: &Library,
    names: &Names,
    diags: &mut Diagnostics,
) -> Vec<Test> {
    let mut seen: BTreeMap<&str, Span> = BTreeMap::new();
    let mut out = Vec::new();
    for test in tests {
        if let Some(first) = seen.get(test.name.name.as_str()) {
            diags.push(
                Diagnostic::error(
                    Code::DuplicateName,
                    test.name.span,
                    format!("test `{}` is declared twice", test.name.name),
                )
                .label("declared again here")
                .with_secondary(*first, "first declared here")
                .help("give each test its own name"),
            );
            continue;
        }
        seen.insert(&test.name.name, test.name.span);
        out.push(Test {
            name: test.name.name.clone(),
            givens: test
                .givens
                .iter()
                .filter_map(|g| given(g, library, names, diags))
                .collect(),
            expects: test
                .expects
                .iter()
                .filter_map(|e| expect(e, library, names, diags))
                .collect(),
            span: test.name.span,
        });
    }
    out
}

fn shape(span: Span, message: String, help: &str) -> Diagnostic {
    Diagnostic::error(Code::TestShape, span, message)
        .label("does not fit")
        .help(help.to_owned())
}

fn given(
    g: &Given,
    library: &Library,
    names: &Names,
    diags: &mut Diagnostics,
) -> Option<GivenRows> {
    if !names.expect(&g.source, DeclKind::Source, diags) {
        return None;
    }
    let source = library.sources.get(&g.source.name)?;
    let mut types = Vec::new();
    for (i, column) in g.columns.iter().enumerate() {
        if g.columns[..i].iter().any(|c| c.name == column.name) {
            diags.push(shape(
                column.span,
                format!("column `{}` is listed twice", column.name),
                "list each column once",
            ));
            types.push(None);
            continue;
        }
        types.push(column_type(source, column, diags));
    }
    let mut rows = Vec::new();
    for row in &g.rows {
        if row.values.len() != g.columns.len() {
            diags.push(shape(
                row.span,
                format!(
                    "this row has {} values but `given {}` lists {} columns",
                    row.values.len(),
                    g.source.name,
                    g.columns.len()
                ),
                "give one value per listed column, in order",
            ));
            continue;
        }
        for (value, ty) in row.values.iter().zip(&types) {
            if let Some((ty, nullable)) = ty {
                fits(value, *ty, *nullable, diags);
            }
        }
        rows.push(row.values.iter().map(literal_or_null).collect());
    }
    Some(GivenRows {
        source: source.name.clone(),
        columns: g.columns.iter().map(|c| c.name.clone()).collect(),
        rows,
    })
}

fn column_type(source: &Source, column: &Ident, diags: &mut Diagnostics) -> Option<(Type, bool)> {
    if let Some(c) = source.column(&column.name) {
        return Some((c.ty, c.nullable));
    }
    let mut d = Diagnostic::error(
        Code::Unresolved,
        column.span,
        format!("no column named `{}` in `{}`", column.name, source.name),
    )
    .label("unknown column");
    if let Some(s) = did_you_mean(&column.name, source.columns.iter().map(|c| c.name.as_str())) {
        d = d.help(format!("did you mean `{s}`?"));
    }
    diags.push(d);
    None
}

/// Whether a literal in a test row fits a column of type `ty`.
fn fits(value: &Expr, ty: Type, nullable: bool, diags: &mut Diagnostics) {
    let found = match &value.kind {
        ExprKind::Null if nullable => return,
        ExprKind::Null => "null",
        ExprKind::Number { integer: true, .. } if ty.is_numeric() => return,
        ExprKind::Number { .. } if matches!(ty, Type::Float | Type::Decimal) => return,
        ExprKind::String { .. } if ty == Type::String => return,
        ExprKind::Bool { .. } if ty == Type::Bool => return,
        ExprKind::Date { .. } if ty.is_temporal() => return,
        ExprKind::Timestamp { .. } if ty == Type::Timestamp => return,
        ExprKind::Error => return,
        ExprKind::Number { integer: true, .. } => "int",
        ExprKind::Number { .. } | ExprKind::Percent { .. } => "float",
        ExprKind::String { .. } => "string",
        ExprKind::Bool { .. } => "bool",
        ExprKind::Date { .. } => "date",
        ExprKind::Timestamp { .. } => "timestamp",
        _ => "an expression",
    };
    let help = if found == "null" {
        "this column is not nullable (`?`): give a value"
    } else {
        "give a literal of the column's type"
    };
    diags.push(shape(
        value.span,
        format!(
            "this column is {ty}{}, but the value is {found}",
            if nullable { "?" } else { "" }
        ),
        help,
    ));
}

fn expect(
    e: &crate::syntax::ast::Expect,
    library: &Library,
    names: &Names,
    diags: &mut Diagnostics,
) -> Option<Expectation> {
    if !names.expect(&e.metric, DeclKind::Metric, diags) {
        return None;
    }
    let metric = library.metrics.get(&e.metric.name)?;
    for dim in &e.by {
        if !metric.dimensions.contains(&dim.name) {
            diags.push(
                Diagnostic::error(
                    Code::DimensionNotAllowed,
                    dim.span,
                    format!("`{}` cannot be grouped by `{}`", metric.name, dim.name),
                )
                .label("not a dimension of this metric")
                .help(format!("its dimensions: {}", metric.dimensions.join(", "))),
            );
        }
    }
    if let Some(g) = &e.grain {
        if crate::query::Grain::parse(&g.name).is_none() {
            diags.push(shape(
                g.span,
                format!("`{}` is not a grain", g.name),
                crate::query::Grain::HELP,
            ));
        }
    }
    let width = e.by.len() + usize::from(e.grain.is_some()) + 1;
    let rows = match &e.outcome {
        Expected::Value(v) => {
            if width != 1 {
                diags.push(shape(
                    v.span,
                    "an expectation grouped `by` or with a `grain` lists rows, not one value"
                        .to_owned(),
                    "write `{ (\"email\", 0.5) }` with the dimension values first",
                ));
            }
            vec![vec![v]]
        }
        Expected::Rows(rows) => {
            for row in rows {
                if row.values.len() != width {
                    diags.push(shape(
                        row.span,
                        format!("this row has {} value{}; expected {width}", row.values.len(), if row.values.len() == 1 { "" } else { "s" }),
                        "give the `by` values (and the period date with a grain), then the metric value",
                    ));
                }
            }
            rows.iter().map(|r| r.values.iter().collect()).collect()
        }
    };
    for row in &rows {
        if let Some(last) = row.last() {
            if !matches!(
                last.kind,
                ExprKind::Number { .. }
                    | ExprKind::Null
                    | ExprKind::Percent { .. }
                    | ExprKind::Error
            ) {
                diags.push(shape(
                    last.span,
                    "an expected metric value must be a number or null".to_owned(),
                    "write the value as a number",
                ));
            }
        }
    }
    let as_of = e.as_of.as_ref().and_then(|d| as_of_date(d, diags));
    let tolerance = e.tolerance.as_ref().and_then(|t| tolerance(t, diags));
    Some(Expectation {
        metric: metric.name.clone(),
        by: e.by.iter().map(|d| d.name.clone()).collect(),
        grain: e.grain.as_ref().map(|g| g.name.clone()),
        as_of,
        rows: rows
            .iter()
            .map(|r| r.iter().map(|v| literal_or_null(v)).collect())
            .collect(),
        tolerance,
        span: e.span,
    })
}

/// The `within` of an expectation: a number, zero or more.
fn tolerance(e: &Expr, diags: &mut Diagnostics) -> Option<f64> {
    let value = match e.kind {
        ExprKind::Number { value, .. } | ExprKind::Percent { value } => {
            Some(value).filter(|v| v.is_finite() && *v >= 0.0)
        }
        ExprKind::Error => return None,
        _ => None,
    };
    if value.is_none() {
        diags.push(shape(
            e.span,
            "`within` needs a number, zero or more".to_owned(),
            "write the largest difference that still passes, such as `within 0.0001`",
        ));
    }
    value
}

/// A literal of a test row; what is not one was reported by `fits` or the
/// shape checks, and stands as null.
fn literal_or_null(e: &Expr) -> Literal {
    decode_literal(e).unwrap_or(Literal::Null)
}

/// The date of `as of @2026-06-30` (a timestamp counts by its UTC date).
fn as_of_date(e: &Expr, diags: &mut Diagnostics) -> Option<i32> {
    match decode_literal(e) {
        Some(Literal::Date(days)) => Some(days),
        Some(Literal::Timestamp(micros)) => Some(micros.div_euclid(86_400_000_000) as i32),
        _ => {
            if e.kind != ExprKind::Error {
                diags.push(shape(
                    e.span,
                    "`as of` needs a date".to_owned(),
                    "write `as of @2026-06-30`",
                ));
            }
            None
        }
    }
}
