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
use crate::types::check::{Checker, Lookup, Mode, Refusal, Scope};
use crate::types::{Type, Unit};
use std::collections::BTreeMap;

/// The most joins a column path may go through (`a.b.c.column` is three).
/// A source may join itself (`manager.manager.name`), so paths are bounded
/// to keep plans small.
pub const MAX_JOIN_HOPS: usize = 8;

/// Names in row-level expressions over `source`: its columns and, through
/// its joins, `joined.column`, and through the joins of joined sources,
/// `joined.next.column` (nullable: a row may find no partner).
pub struct RowScope<'a> {
    pub source: &'a Source,
    pub sources: &'a BTreeMap<String, Source>,
}

/// Why a path names no column.
pub enum PathProblem {
    /// No such column or join.
    Missing,
    /// A hop names a source that joins the one before it, not one it
    /// joins: read backwards, the join goes from a key to many rows.
    FansOut { from: String, hop: String },
    /// More hops than [`MAX_JOIN_HOPS`].
    TooLong,
}

impl RowScope<'_> {
    /// The column a path names, typed.
    pub fn column(&self, parts: &[String]) -> Option<TypedExpr> {
        self.resolve(parts).ok()
    }

    /// The column a path names, typed, or why it names none.
    pub fn resolve(&self, parts: &[String]) -> Result<TypedExpr, PathProblem> {
        let (name, hops) = parts.split_last().ok_or(PathProblem::Missing)?;
        if hops.len() > MAX_JOIN_HOPS {
            return Err(PathProblem::TooLong);
        }
        let mut at = self.source;
        for hop in hops {
            match at.join(hop) {
                Some(j) => at = self.sources.get(&j.source).ok_or(PathProblem::Missing)?,
                None => {
                    let backwards = self
                        .sources
                        .get(hop.as_str())
                        .is_some_and(|s| s.joins.iter().any(|j| j.source == at.name));
                    return Err(if backwards {
                        PathProblem::FansOut {
                            from: at.name.clone(),
                            hop: hop.clone(),
                        }
                    } else {
                        PathProblem::Missing
                    });
                }
            }
        }
        let column = at.column(name).ok_or(PathProblem::Missing)?;
        let join = (!hops.is_empty()).then(|| hops.join("."));
        Ok(TypedExpr {
            node: Node::Column {
                column: ColumnRef {
                    join,
                    name: column.name.clone(),
                },
            },
            ty: column.ty,
            unit: column.unit.clone(),
            // Through a join, a row may find no partner.
            nullable: column.nullable || !hops.is_empty(),
            span: Span::default(),
        })
    }

    /// The names a path could have meant: the source's columns, its joined
    /// columns, and the columns along as much of `parts` as resolves.
    pub fn candidates(&self, parts: &[String]) -> Vec<String> {
        let mut out: Vec<String> = self.source.columns.iter().map(|c| c.name.clone()).collect();
        let mut prefix = String::new();
        let mut at = self.source;
        let hops = parts.split_last().map_or(&[][..], |(_, hops)| hops);
        for (i, hop) in std::iter::once(None)
            .chain(hops.iter().map(Some))
            .enumerate()
            .take(MAX_JOIN_HOPS)
        {
            if let Some(hop) = hop {
                let Some(next) = at.join(hop).and_then(|j| self.sources.get(&j.source)) else {
                    break;
                };
                at = next;
                if i > 1 {
                    prefix.push('.');
                }
                prefix.push_str(hop);
            }
            for join in &at.joins {
                let Some(s) = self.sources.get(&join.source) else {
                    continue;
                };
                let lead = if prefix.is_empty() {
                    join.name().to_owned()
                } else {
                    format!("{prefix}.{}", join.name())
                };
                out.extend(s.columns.iter().map(|c| format!("{lead}.{}", c.name)));
            }
        }
        out
    }
}

impl Scope for RowScope<'_> {
    fn lookup(&self, parts: &[String]) -> Lookup {
        match self.resolve(parts) {
            Ok(t) => Lookup::Found(t),
            Err(PathProblem::Missing) => Lookup::Missing {
                kind: "column",
                candidates: self.candidates(parts),
            },
            Err(problem) => match refusal(&problem, &parts.join(".")) {
                Some(r) => Lookup::Refused(r),
                None => Lookup::Poisoned,
            },
        }
    }
}

/// Why a path that fans out or is too long is refused (`None` for a
/// missing one, which is reported with its candidates).
pub fn refusal(problem: &PathProblem, path: &str) -> Option<Refusal> {
    Some(match problem {
        PathProblem::Missing => return None,
        PathProblem::FansOut { from, hop } => Refusal {
            code: Code::JoinChainNotKey,
            message: format!(
                "`{path}` does not land on a key: `{from}` does not join `{hop}`, `{hop}` joins `{from}`, so one `{from}` row has many `{hop}` rows"
            ),
            label: format!("`{hop}` from `{from}` fans out"),
            help: format!(
                "each hop of a path must be a join of the source before it (many-to-one); to read `{hop}` by `{from}`, write the metric over `{hop}` and group by its join to `{from}`"
            ),
        },
        PathProblem::TooLong => Refusal {
            code: Code::JoinChainTooLong,
            message: format!("`{path}` goes through more than {MAX_JOIN_HOPS} joins"),
            label: "too many joins".to_owned(),
            help: format!(
                "a path may go through at most {MAX_JOIN_HOPS} joins; join the far source more directly"
            ),
        },
    })
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
    // Joins need every source's columns; dimensions and excludes, which
    // may read through a chain of joins, need every source's joins.
    for pending in &links {
        link_joins(pending, &mut sources, names, diags);
    }
    for pending in &links {
        link_rows(pending, &mut sources, diags);
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
        let kinds = Type::DECLARABLE;
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

fn link_joins(
    pending: &Pending<'_>,
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
        if !join_name_free(join, &joins, this, diags) {
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
    sources.insert(linked.name.clone(), linked);
}

/// A source's dimensions and excludes, once every source's joins are known.
fn link_rows(
    pending: &Pending<'_>,
    sources: &mut BTreeMap<String, Source>,
    diags: &mut Diagnostics,
) {
    let Some(linked) = sources.get(&pending.name) else {
        return;
    };
    let scope = RowScope {
        source: linked,
        sources,
    };
    let mut dimensions = Vec::new();
    for (path, span) in &pending.dimensions {
        let parts: Vec<String> = path.split('.').map(str::to_owned).collect();
        let problem = match scope.resolve(&parts) {
            Ok(_) => {
                dimensions.push(path.clone());
                continue;
            }
            Err(problem) => problem,
        };
        if let Some(r) = refusal(&problem, path) {
            diags.push(r.at(*span));
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
        if let Some(s) = did_you_mean(path, scope.candidates(&parts).iter().map(String::as_str)) {
            d = d.help(format!("did you mean `{s}`?"));
        }
        diags.push(d);
    }
    let excludes = pending
        .excludes
        .iter()
        .filter_map(|e| Checker::new(&scope, Mode::Row, diags).predicate(e, "`exclude`"))
        .collect();
    let mut linked = linked.clone();
    linked.dimensions = dimensions;
    linked.excludes = excludes;
    sources.insert(linked.name.clone(), linked);
}

/// Whether a join's name (its role, else its source's) is free: not a
/// column of the source (`host.country` must not read like a column), not
/// the name of an earlier join, and not the source's own name (a source
/// joining itself names the role: `manager.country`, never
/// `users.country`, which reads like the row's own column). Reports when
/// it is not.
fn join_name_free(
    join: &crate::syntax::ast::Join,
    earlier: &[JoinSpec],
    this: &Source,
    diags: &mut Diagnostics,
) -> bool {
    let (name, span) = match &join.role {
        Some(r) => (r.name.as_str(), r.span),
        None => (join.source.name.as_str(), join.source.span),
    };
    let problem = if let Some(c) = this.columns.iter().find(|c| c.name == name) {
        Some((
            format!("the join name `{name}` is also a column of this source"),
            Some(c.span),
            "name the role something no column is called: `join users as host on host_id`"
                .to_owned(),
        ))
    } else if earlier.iter().any(|j| j.name() == name) {
        Some((
            format!("two joins are named `{name}`"),
            None,
            "join the same source again under a role: `join users as host on host_id`".to_owned(),
        ))
    } else if name == this.name {
        Some((
            format!("`{name}` joins itself under its own name, so `{name}.column` would read like the row's own column"),
            None,
            format!(
                "name the role of the joined row: `join {name} as parent on {}`",
                join.on.name
            ),
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
