//! Which declared thing a name at an offset refers to ([`symbol_at`]) and
//! where that thing is declared ([`definition`]).
//!
//! A name's meaning comes from where it stands: `from:` names a source,
//! `owner:` an owner, `drives:` outcomes, a path in a base metric's
//! formula a column of its source (`accounts.segment`: a column of the
//! joined source), a path in a derived formula a metric.

use super::Analysis;
use crate::functions::Function;
use crate::span::{FileId, Span};
use crate::syntax::ast::{Decl, DeclKind, Entry, Expr, ExprKind, Field, Ident, TestDecl};

/// A declared thing, by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Symbol {
    Metric(String),
    Source(String),
    Owner(String),
    Outcome(String),
    Column { source: String, name: String },
    Function(Function),
}

/// A symbol and the text that names it at the offset asked about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub symbol: Symbol,
    pub span: Span,
}

/// The symbol named at `offset` of `file`, if a name stands there (an
/// offset just after a name counts, as a cursor at the end of a word).
pub fn symbol_at(analysis: &Analysis, file: FileId, offset: u32) -> Option<Found> {
    let tree = analysis.tree(file)?;
    let at = |span: Span| span.start <= offset && offset <= span.end;
    if let Some(decl) = tree.decls.iter().find(|d| at(d.span)) {
        return in_decl(analysis, decl, offset);
    }
    let test = tree.tests.iter().find(|t| at(t.span))?;
    in_test(analysis, test, offset)
}

/// Where `symbol` is declared: the name in its declaration.
pub fn definition(analysis: &Analysis, symbol: &Symbol) -> Option<Span> {
    let decl = |kind, name: &str| analysis.decl(kind, name).map(|d| d.name.span);
    match symbol {
        Symbol::Metric(name) => decl(DeclKind::Metric, name),
        Symbol::Source(name) => decl(DeclKind::Source, name),
        Symbol::Owner(name) => decl(DeclKind::Owner, name),
        Symbol::Outcome(name) => decl(DeclKind::Outcome, name),
        Symbol::Column { source, name } => analysis.column_span(source, name),
        Symbol::Function(_) => None,
    }
}

fn touches(span: Span, offset: u32) -> bool {
    span.start <= offset && offset <= span.end
}

fn found(symbol: Symbol, span: Span) -> Option<Found> {
    Some(Found { symbol, span })
}

fn in_decl(analysis: &Analysis, decl: &Decl, offset: u32) -> Option<Found> {
    let name = decl.name.name.clone();
    if touches(decl.name.span, offset) {
        let symbol = match decl.kind {
            DeclKind::Metric => Symbol::Metric(name),
            DeclKind::Source => Symbol::Source(name),
            DeclKind::Owner => Symbol::Owner(name),
            DeclKind::Outcome => Symbol::Outcome(name),
            // A reconciliation is read by no other declaration.
            DeclKind::Reconcile => return None,
        };
        return found(symbol, decl.name.span);
    }
    if let Some(base) = decl.variant_of.as_ref().filter(|b| touches(b.span, offset)) {
        return found(Symbol::Metric(base.name.clone()), base.span);
    }
    // The source whose columns the paths of this declaration name.
    let rows_of = match decl.kind {
        DeclKind::Source => Some(name.clone()),
        DeclKind::Metric => analysis.source_of_metric(&name),
        _ => None,
    };
    for entry in &decl.entries {
        match entry {
            Entry::Field(f) if touches(f.span, offset) => {
                return in_field(analysis, decl.kind, rows_of.as_deref(), f, offset);
            }
            Entry::Block(b) if touches(b.span, offset) => {
                let field = b.fields.iter().find(|f| touches(f.span, offset))?;
                return in_field(analysis, decl.kind, rows_of.as_deref(), field, offset);
            }
            Entry::Columns(columns, span) if touches(*span, offset) => {
                let column = columns.iter().find(|c| touches(c.name.span, offset))?;
                let symbol = Symbol::Column {
                    source: name,
                    name: column.name.name.clone(),
                };
                return found(symbol, column.name.span);
            }
            Entry::Join(j) if touches(j.span, offset) => {
                if touches(j.source.span, offset) {
                    return found(Symbol::Source(j.source.name.clone()), j.source.span);
                }
                if touches(j.on.span, offset) {
                    return column(name, &j.on);
                }
                return None;
            }
            _ => {}
        }
    }
    None
}

fn column(source: String, ident: &Ident) -> Option<Found> {
    let symbol = Symbol::Column {
        source,
        name: ident.name.clone(),
    };
    found(symbol, ident.span)
}

/// What a name in field `field` of a `kind` declaration refers to.
fn in_field(
    analysis: &Analysis,
    kind: DeclKind,
    rows_of: Option<&str>,
    field: &Field,
    offset: u32,
) -> Option<Found> {
    let (expr, word) = innermost_name(field, offset)?;
    let (name, span) = match word {
        Word::Function(f, span) => return found(Symbol::Function(f), span),
        Word::Path(name, span) => (name, span),
    };
    let symbol = match (kind, field.key.name.as_str()) {
        (DeclKind::Metric, "from") => Symbol::Source(name),
        (DeclKind::Metric | DeclKind::Outcome, "owner") => Symbol::Owner(name),
        (DeclKind::Owner, "escalates_to") => Symbol::Owner(name),
        (DeclKind::Metric, "drives") => Symbol::Outcome(name),
        (DeclKind::Outcome, "measured_by") => Symbol::Metric(name),
        _ => return row_name(analysis, rows_of, expr, offset),
    };
    found(symbol, span)
}

/// A path inside an expression over rows (or, without rows, over metrics).
fn row_name(analysis: &Analysis, rows_of: Option<&str>, path: &Expr, offset: u32) -> Option<Found> {
    let ExprKind::Path { parts } = &path.kind else {
        return None;
    };
    let first = parts.first()?;
    let first_end = path.span.start.saturating_add(first.len() as u32);
    let first_span = Span {
        end: first_end.min(path.span.end),
        ..path.span
    };
    match parts.get(1) {
        // `accounts.segment`: the joined source, then its column.
        Some(second) => {
            if offset <= first_end {
                return found(Symbol::Source(first.clone()), first_span);
            }
            let span = Span {
                start: first_end.saturating_add(1).min(path.span.end),
                ..path.span
            };
            let symbol = Symbol::Column {
                source: first.clone(),
                name: second.clone(),
            };
            found(symbol, span)
        }
        None => {
            let symbol = match rows_of {
                Some(source) if analysis.column_span(source, first).is_some() => Symbol::Column {
                    source: source.to_owned(),
                    name: first.clone(),
                },
                _ if analysis.decl(DeclKind::Metric, first).is_some() => {
                    Symbol::Metric(first.clone())
                }
                _ => return None,
            };
            found(symbol, path.span)
        }
    }
}

enum Word {
    Function(Function, Span),
    Path(String, Span),
}

/// The innermost path or function name of a field's value at `offset`,
/// with the path expression it belongs to.
fn innermost_name(field: &Field, offset: u32) -> Option<(&Expr, Word)> {
    let mut best: Option<(&Expr, Word)> = None;
    for expr in field_exprs(field) {
        expr.walk(&mut |e| {
            if !touches(e.span, offset) {
                return;
            }
            match &e.kind {
                ExprKind::Path { parts } => {
                    best = Some((e, Word::Path(parts.join("."), e.span)));
                }
                ExprKind::Call { function, .. } => {
                    let end = e.span.start.saturating_add(function.len() as u32);
                    if offset <= end {
                        if let Some(f) = Function::parse(function) {
                            let span = Span {
                                end: end.min(e.span.end),
                                ..e.span
                            };
                            best = Some((e, Word::Function(f, span)));
                        }
                    }
                }
                _ => {}
            }
        });
    }
    best
}

fn field_exprs(field: &Field) -> Vec<&Expr> {
    use crate::syntax::ast::Value;
    match &field.value {
        Value::Bound(_, e, _) => vec![e],
        Value::Between(a, b, _) => vec![a, b],
        Value::List(items, _) => items.iter().map(|i| &i.expr).collect(),
    }
}

fn in_test(analysis: &Analysis, test: &TestDecl, offset: u32) -> Option<Found> {
    for given in test.givens.iter().filter(|g| touches(g.span, offset)) {
        if touches(given.source.span, offset) {
            return found(Symbol::Source(given.source.name.clone()), given.source.span);
        }
        if let Some(c) = given.columns.iter().find(|c| touches(c.span, offset)) {
            return column(given.source.name.clone(), c);
        }
    }
    let expect = test.expects.iter().find(|e| touches(e.span, offset))?;
    if touches(expect.metric.span, offset) {
        return found(
            Symbol::Metric(expect.metric.name.clone()),
            expect.metric.span,
        );
    }
    let by = expect.by.iter().find(|b| touches(b.span, offset))?;
    let rows_of = analysis.source_of_metric(&expect.metric.name);
    let path = Expr::new(
        ExprKind::Path {
            parts: by.name.split('.').map(str::to_owned).collect(),
        },
        by.span,
    );
    row_name(analysis, rows_of.as_deref(), &path, offset)
}
