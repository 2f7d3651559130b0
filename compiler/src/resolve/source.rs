//! `source` declarations: columns, time, key, excludes, joins and dimensions,
//! and the row scope that expressions over a source resolve names in.

use super::fields::{self, Fields};
use super::suggest::did_you_mean;
use super::{Located, Names};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::ir::{ColumnRef, Node, TypedExpr};
use crate::model::{Column, Format, JoinSpec, Source};
use crate::span::Span;
use crate::syntax::ast::{ColumnDecl, DeclKind, Entry, Field, Ident, Join};
use crate::types::check::{Checker, Lookup, Mode, Scope};
use crate::types::{Type, Unit};
use std::collections::BTreeMap;

/// Names in row-level expressions over `source`: its columns and, through
/// its joins, `joined.column` (nullable: a row may find no partner).
pub struct RowScope<'a> {
    pub source: &'a Source,
    pub sources: &'a BTreeMap<String, Source>,
}

impl RowScope<'_> {
    /// The column a path names, typed.
    pub fn column(&self, parts: &[String]) -> Option<TypedExpr> {
        let (join, column, nullable) = match parts {
            [name] => {
                let c = self.source.column(name)?;
                (None, c, c.nullable)
            }
            [join, name] => {
                let j = self.source.joins.iter().find(|j| j.name() == join)?;
                let c = self.sources.get(&j.source).and_then(|s| s.column(name))?;
                // A row may find no partner.
                (Some(join.clone()), c, true)
            }
            _ => return None,
        };
        Some(TypedExpr {
            node: Node::Column {
                column: ColumnRef {
                    join,
                    name: column.name.clone(),
                },
            },
            ty: column.ty,
            unit: column.unit.clone(),
            nullable,
            span: Span::default(),
        })
    }

    pub fn candidates(&self) -> Vec<String> {
        let mut out: Vec<String> = self.source.columns.iter().map(|c| c.name.clone()).collect();
        for join in &self.source.joins {
            if let Some(s) = self.sources.get(&join.source) {
                out.extend(
                    s.columns
                        .iter()
                        .map(|c| format!("{}.{}", join.name(), c.name)),
                );
            }
        }
        out
    }
}

impl Scope for RowScope<'_> {
    fn lookup(&self, parts: &[String]) -> Lookup {
        match self.column(parts) {
            Some(t) => Lookup::Found(t),
            None => Lookup::Missing {
                kind: "column",
                candidates: self.candidates(),
            },
        }
    }
}

pub(super) fn build_all(
    decls: &[Located<'_>],
    names: &Names,
    diags: &mut Diagnostics,
) -> BTreeMap<String, Source> {
    let mut sources = BTreeMap::new();
    let mut links = Vec::new();
    for located in decls {
        let (source, pending) = build(located, diags);
        links.push(pending);
        sources.insert(source.name.clone(), source);
    }
    // Joins, excludes and dimensions need every source's columns.
    for pending in links {
        link(pending, &mut sources, names, diags);
    }
    sources
}

/// What a source still has to check once all sources are known.
struct Pending<'a> {
    name: String,
    joins: Vec<&'a Join>,
    excludes: Vec<&'a crate::syntax::ast::Expr>,
    dimensions: Vec<(String, Span)>,
}

fn build<'a>(located: &Located<'a>, diags: &mut Diagnostics) -> (Source, Pending<'a>) {
    let decl = located.decl;
    let what = format!("source `{}`", decl.name.name);
    let mut plain = Vec::new();
    let mut columns = Vec::new();
    let mut has_columns = false;
    let mut joins = Vec::new();
    for entry in &decl.entries {
        match entry {
            Entry::Field(f) => plain.push(f),
            Entry::Columns(cols, _) => {
                has_columns = true;
                for c in cols {
                    if let Some(c) = column(c, &columns, diags) {
                        columns.push(c);
                    }
                }
            }
            Entry::Join(j) => joins.push(j),
            Entry::Block(b) => diags.push(
                Diagnostic::error(
                    Code::UnknownField,
                    b.name.span,
                    format!("{what} has no block `{}`", b.name.name),
                )
                .label("unknown block")
                .help("a source has one block, `columns { ... }`"),
            ),
        }
    }
    if !has_columns {
        diags.push(
            Diagnostic::error(
                Code::MissingField,
                decl.name.span,
                format!("{what} declares no columns"),
            )
            .label("no `columns { ... }`")
            .help(
                "list the columns with their types: `columns { id: string  amount: float @usd }`",
            ),
        );
    }
    let mut f = Fields::new(what, plain);
    let description = f
        .one("description", diags)
        .and_then(|x| fields::string(x, diags))
        .or_else(|| decl.doc.clone());
    let path = f.one("path", diags).and_then(|x| fields::string(x, diags));
    let format = f
        .one("format", diags)
        .and_then(|x| fields::choice(x, &["parquet", "csv", "json", "arrow"], diags))
        .and_then(|s| Format::parse(&s));
    let table = f.one("table", diags).and_then(|x| table_name(x, diags));
    let time = f.one("time", diags).and_then(|x| fields::name(x, diags));
    let key = f.one("key", diags).and_then(|x| fields::name(x, diags));
    let excludes: Vec<_> = f
        .all("exclude")
        .into_iter()
        .filter_map(|x| fields::expr(x, diags))
        .collect();
    let dimensions = f
        .one("dimensions", diags)
        .map(|x| fields::paths(x, diags))
        .unwrap_or_default();
    f.finish(diags);

    for (name, what) in [(&time, "time column"), (&key, "key")] {
        if let Some(ident) = name {
            check_column(ident, &columns, what, diags);
        }
    }
    if let Some(t) = &time {
        if let Some(c) = columns.iter().find(|c| c.name == t.name) {
            if !matches!(c.ty, Type::Date | Type::Timestamp) {
                diags.push(
                    Diagnostic::error(
                        Code::TypeMismatch,
                        t.span,
                        format!(
                            "the time column `{}` is {}, not a date or timestamp",
                            c.name, c.ty
                        ),
                    )
                    .label(format!("this is {}", c.ty))
                    .with_secondary(c.span, "declared here")
                    .help("point `time` at a date or timestamp column"),
                );
            }
        }
    }

    let source = Source {
        name: decl.name.name.clone(),
        description,
        path,
        format,
        table,
        time: time.map(|t| t.name),
        key: key.map(|k| k.name),
        excludes: Vec::new(),
        joins: Vec::new(),
        dimensions: Vec::new(),
        columns,
        file: located.path.to_owned(),
        span: decl.name.span,
    };
    let pending = Pending {
        name: source.name.clone(),
        joins,
        excludes,
        dimensions,
    };
    (source, pending)
}

/// A `table` field: a string naming `name` or `schema.name`.
fn table_name(field: &Field, diags: &mut Diagnostics) -> Option<String> {
    let name = fields::string(field, diags)?;
    let parts: Vec<&str> = name.split('.').collect();
    let well_formed = parts.len() <= 2
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.trim() == *p && !p.contains('"'));
    if well_formed {
        return Some(name);
    }
    diags.push(
        Diagnostic::error(
            Code::FieldValue,
            field.value.span(),
            format!("`{name}` is not a table name"),
        )
        .label("not `name` or `schema.name`")
        .help("name the warehouse table as `table: \"name\"` or `table: \"schema.name\"` (matched exactly, case included)"),
    );
    None
}

fn column(decl: &ColumnDecl, seen: &[Column], diags: &mut Diagnostics) -> Option<Column> {
    if let Some(first) = seen.iter().find(|c| c.name == decl.name.name) {
        diags.push(
            Diagnostic::error(
                Code::DuplicateName,
                decl.name.span,
                format!("column `{}` is declared twice", decl.name.name),
            )
            .label("declared again here")
            .with_secondary(first.span, "first declared here")
            .help("remove one of them"),
        );
        return None;
    }
    let Some(ty) = Type::parse(&decl.ty.name) else {
        let kinds = [
            "int",
            "float",
            "decimal",
            "string",
            "bool",
            "date",
            "timestamp",
        ];
        let mut d = Diagnostic::error(
            Code::FieldValue,
            decl.ty.span,
            format!("`{}` is not a column type", decl.ty.name),
        )
        .label("unknown type");
        d = match did_you_mean(&decl.ty.name, kinds.iter().copied()) {
            Some(s) => d.help(format!("did you mean `{s}`?")),
            None => d.help(format!("column types: {}", kinds.join(", "))),
        };
        diags.push(d);
        return None;
    };
    let unit = match &decl.unit {
        None => Unit::dimensionless(),
        Some(u) => match Unit::named(&u.name) {
            Some(unit) => unit,
            None => {
                diags.push(unknown_unit(u));
                // Carry on with what was most likely meant (`@USD` is
                // `usd`), or the unknown name as an opaque unit, so that
                // what follows from it is not reported again.
                Unit::named(&u.name.to_ascii_lowercase()).unwrap_or_else(|| Unit::opaque(&u.name))
            }
        },
    };
    Some(Column {
        name: decl.name.name.clone(),
        ty,
        nullable: decl.nullable,
        unit,
        span: decl.name.span,
    })
}

pub(super) fn unknown_unit(u: &Ident) -> Diagnostic {
    let lower = u.name.to_ascii_lowercase();
    let help = if lower != u.name && Unit::named(&lower).is_some() {
        format!("units are written in lower case: `{lower}`")
    } else {
        "units are three-letter currency codes (usd, eur, ...), durations (s, min, h, d), or for a metric ratio, score, count, percent".to_owned()
    };
    Diagnostic::error(
        Code::UnknownUnit,
        u.span,
        format!("`{}` is not a unit", u.name),
    )
    .label("unknown unit")
    .help(help)
}

fn check_column(ident: &Ident, columns: &[Column], what: &str, diags: &mut Diagnostics) -> bool {
    if columns.iter().any(|c| c.name == ident.name) {
        return true;
    }
    let mut d = Diagnostic::error(
        Code::Unresolved,
        ident.span,
        format!("the {what} `{}` is not a declared column", ident.name),
    )
    .label("unknown column");
    if let Some(s) = did_you_mean(&ident.name, columns.iter().map(|c| c.name.as_str())) {
        d = d.help(format!("did you mean `{s}`?"));
    }
    diags.push(d);
    false
}

fn link(
    pending: Pending<'_>,
    sources: &mut BTreeMap<String, Source>,
    names: &Names,
    diags: &mut Diagnostics,
) {
    let Some(this) = sources.get(&pending.name) else {
        return;
    };
    let mut joins = Vec::new();
    for join in &pending.joins {
        if !names.expect(&join.source, DeclKind::Source, diags) {
            continue;
        }
        let Some(target) = sources.get(&join.source.name) else {
            continue;
        };
        if !check_column(&join.on, &this.columns, "join column", diags) {
            continue;
        }
        // The local column (`on`) meets the joined source's key, whatever
        // its name: the join lands on a key, so no row can fan out.
        let Some(key) = target.key.as_deref() else {
            diags.push(
                Diagnostic::error(
                    Code::JoinNotKey,
                    join.on.span,
                    format!(
                        "the join on `{}` does not land on a key of `{}`: it declares no key",
                        join.on.name, target.name
                    ),
                )
                .label("the joined source has no key")
                .with_secondary(target.span, "joined source declared here")
                .help("a join must land on the joined source's `key`, so no row can fan out; declare `key` there"),
            );
            continue;
        };
        if let (Some(a), Some(b)) = (this.column(&join.on.name), target.column(key)) {
            if !a.ty.comparable(b.ty) {
                diags.push(
                    Diagnostic::error(
                        Code::TypeMismatch,
                        join.on.span,
                        format!(
                            "`{}` is {} here but the key `{key}` of `{}` is {}",
                            join.on.name, a.ty, target.name, b.ty
                        ),
                    )
                    .label(format!("this is {}", a.ty))
                    .with_secondary(b.span, format!("this is {}", b.ty))
                    .help("a join column must have the type of the joined source's key"),
                );
                continue;
            }
        }
        if !join_name_free(join, &joins, &this.columns, diags) {
            continue;
        }
        joins.push(JoinSpec {
            source: join.source.name.clone(),
            role: join.role.as_ref().map(|r| r.name.clone()),
            on: join.on.name.clone(),
        });
    }
    let mut linked = this.clone();
    linked.joins = joins;

    let scope = RowScope {
        source: &linked,
        sources,
    };
    let mut dimensions = Vec::new();
    for (path, span) in &pending.dimensions {
        let parts: Vec<String> = path.split('.').map(str::to_owned).collect();
        if scope.column(&parts).is_some() {
            dimensions.push(path.clone());
            continue;
        }
        let mut d = Diagnostic::error(
            Code::Unresolved,
            *span,
            format!(
                "dimension `{path}` is not a column of `{}` or of a joined source",
                linked.name
            ),
        )
        .label("unknown column");
        if let Some(s) = did_you_mean(path, scope.candidates().iter().map(String::as_str)) {
            d = d.help(format!("did you mean `{s}`?"));
        }
        diags.push(d);
    }
    let excludes = pending
        .excludes
        .iter()
        .filter_map(|e| Checker::new(&scope, Mode::Row, diags).predicate(e, "`exclude`"))
        .collect();
    linked.dimensions = dimensions;
    linked.excludes = excludes;
    sources.insert(linked.name.clone(), linked);
}

/// Whether a join's name (its role, else its source's) is free: not a
/// column of the source (`host.country` must not read like a column) and
/// not the name of an earlier join. Reports when it is not.
fn join_name_free(
    join: &crate::syntax::ast::Join,
    earlier: &[JoinSpec],
    columns: &[Column],
    diags: &mut Diagnostics,
) -> bool {
    let (name, span) = match &join.role {
        Some(r) => (r.name.as_str(), r.span),
        None => (join.source.name.as_str(), join.source.span),
    };
    let problem = if let Some(c) = columns.iter().find(|c| c.name == name) {
        Some((
            format!("the join name `{name}` is also a column of this source"),
            Some(c.span),
            "name the role something no column is called: `join users as host on host_id`",
        ))
    } else if earlier.iter().any(|j| j.name() == name) {
        Some((
            format!("two joins are named `{name}`"),
            None,
            "join the same source again under a role: `join users as host on host_id`",
        ))
    } else {
        None
    };
    let Some((message, column, help)) = problem else {
        return true;
    };
    let mut d = Diagnostic::error(Code::JoinRoleClash, span, message)
        .label("this name is taken")
        .help(help);
    if let Some(c) = column {
        d = d.with_secondary(c, "the column");
    }
    diags.push(d);
    false
}
