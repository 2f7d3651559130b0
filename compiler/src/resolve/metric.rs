//! `metric` declarations: reading their fields, ordering them by dependency
//! (derived inputs, variant bases), and building each one's typed model —
//! base, derived or variant — once what it reads is known.

use super::fields::{self, Fields};
use super::graph;
use super::metric_checks;
use super::offset_time;
use super::per;
use super::snapshot;
use super::source::{unknown_unit, RowScope};
use super::{Located, Names};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::ir::{Lookback, MetricId, Node, TypedExpr};
use crate::model::{
    BaseMetric, Bound, Definition, DerivedMetric, Drive, Library, Metric, Review, Sla,
    SnapshotKeep, Source, Tier,
};
use crate::span::Span;
use crate::syntax::ast::{BinaryOp, DeclKind, Duration, Entry, Expr, ExprKind, Field, Ident};
use crate::types::check::{Checker, Lookup, Mode, Scope};
use crate::types::unit::DIMENSIONLESS_NAMES;
use crate::types::{Type, Unit};
use rayon::prelude::*;
use std::collections::BTreeMap;

/// A metric's fields as written, before anything it refers to is checked.
pub(super) struct Draft<'a> {
    pub name: &'a Ident,
    pub decl_span: Span,
    pub variant_of: Option<&'a Ident>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub version: (u32, Span),
    pub owner: Option<Ident>,
    pub tier: Option<(Tier, Span)>,
    pub drives: Vec<(Ident, Option<Duration>)>,
    pub drives_span: Option<Span>,
    pub unit: Option<&'a Field>,
    pub from: Option<Ident>,
    pub time: Option<Ident>,
    pub wheres: Vec<&'a Expr>,
    pub excludes: Vec<&'a Expr>,
    pub formula: Option<&'a Expr>,
    pub lookback: Option<(Lookback, Span)>,
    pub dimensions: Option<Vec<(String, Span)>>,
    pub min_sample: Option<u64>,
    /// `fill: 0`, where it was written.
    pub fill: Option<Span>,
    /// `snapshot: last|first [per COLUMN]`, where it was written.
    pub snapshot: Option<(SnapshotKeep, Option<Ident>, Span)>,
    /// `per: COLUMN` as written (a two-level metric).
    pub per: Option<&'a Field>,
    pub assert: Option<(Bound, bool, Span)>,
    pub deprecated: bool,
    pub sla: Option<(Sla, bool, Span)>,
    pub changelog: BTreeMap<u32, String>,
    /// Fields that define meaning, with where they were written: a variant
    /// may set none of them.
    pub meaning_fields: Vec<(&'static str, Span)>,
}

pub(super) fn build_all(
    decls: &[Located<'_>],
    library: &Library,
    names: &Names,
    diags: &mut Diagnostics,
) -> BTreeMap<String, Metric> {
    // Reading a declaration needs nothing else: spread over the cores,
    // diagnostics kept in declaration order.
    let drafts = diags.par_map(decls, read);
    // Each draft's place by name. Built whole from the names (not inserted
    // one by one), and holding places rather than the drafts themselves.
    let by_name: BTreeMap<&str, usize> = drafts
        .iter()
        .enumerate()
        .map(|(i, d)| (d.name.name.as_str(), i))
        .collect();
    let draft_named = |name: &str| by_name.get(name).map(|i| &drafts[*i]);

    let edges = by_name
        .iter()
        .map(|(name, i)| (name.to_string(), dependencies(&drafts[*i], names)))
        .collect();
    let spans = by_name
        .iter()
        .map(|(name, i)| (name.to_string(), drafts[*i].name.span))
        .collect();
    let order = graph::order(&edges, &spans, "metrics", diags);

    // A base metric reads its source, never another metric, so all of them
    // are built at once, ahead of the dependency walk; the walk then takes
    // each one's result and diagnostics in its turn, so the diagnostics come
    // in the same order as if everything were built one by one.
    let no_metrics = BTreeMap::new();
    let mut bases: Vec<Option<(Option<Metric>, Diagnostics)>> = order
        .order
        .par_iter()
        .map(|name| {
            // No dependencies, so never on a cycle.
            let draft = draft_named(name).filter(|d| reads_no_metric(d))?;
            let mut own = Diagnostics::new();
            Some((build(draft, library, &no_metrics, names, &mut own), own))
        })
        .collect();

    let mut done: BTreeMap<String, Metric> = BTreeMap::new();
    for (name, base) in order.order.iter().zip(&mut bases) {
        if order.cyclic.contains(name) {
            continue;
        }
        let Some(draft) = draft_named(name) else {
            continue;
        };
        let built = match base.take() {
            Some((metric, own)) => {
                diags.extend(own);
                metric
            }
            None => build(draft, library, &done, names, diags),
        };
        if let Some(metric) = built {
            done.insert(name.clone(), metric);
        }
    }
    // Checking what each metric refers to reads the built metrics only.
    let in_name_order: Vec<usize> = by_name.values().copied().collect();
    diags.par_map(&in_name_order, |i, own| {
        metric_checks::references(&drafts[*i], &done, names, own)
    });
    done
}

/// A base metric (`from: source`, not a variant): what it builds from is
/// its source alone.
fn reads_no_metric(draft: &Draft<'_>) -> bool {
    draft.variant_of.is_none() && draft.from.is_some()
}

/// The metrics a draft reads: its base, or the metric names in a derived
/// formula.
fn dependencies(draft: &Draft<'_>, names: &Names) -> Vec<String> {
    if let Some(base) = draft.variant_of {
        return vec![base.name.clone()];
    }
    if draft.from.is_some() {
        return Vec::new();
    }
    let mut inputs = Vec::new();
    if let Some(formula) = draft.formula {
        formula.walk(&mut |e| {
            if let Some(n) = e.as_name() {
                if names.kind(n) == Some(DeclKind::Metric) && !inputs.iter().any(|i| i == n) {
                    inputs.push(n.to_owned());
                }
            }
        });
    }
    inputs
}

fn read<'a>(located: &Located<'a>, diags: &mut Diagnostics) -> Draft<'a> {
    let decl = located.decl;
    let what = format!("metric `{}`", decl.name.name);
    let mut plain = Vec::new();
    let mut sla = None;
    let mut changelog = BTreeMap::new();
    for entry in &decl.entries {
        match entry {
            Entry::Field(f) => plain.push(f),
            Entry::Block(b) if b.name.name == "sla" => {
                sla = Some(metric_checks::read_sla(b, diags));
            }
            Entry::Block(b) if b.name.name == "changelog" => {
                changelog = metric_checks::read_changelog(b, diags);
            }
            Entry::Block(b) => diags.push(unknown_entry(&what, &b.name.name, b.name.span)),
            Entry::Columns(_, span) => diags.push(unknown_entry(&what, "columns", *span)),
            Entry::Join(j) => diags.push(unknown_entry(&what, "join", j.span)),
        }
    }
    let mut f = Fields::new(what, plain);
    let mut meaning_fields = Vec::new();
    let mut meaning = |key: &'static str, field: Option<&Field>| {
        if let Some(field) = field {
            meaning_fields.push((key, field.key.span));
        }
    };
    let title = f.one("title", diags).and_then(|x| fields::string(x, diags));
    let description = f
        .one("description", diags)
        .and_then(|x| fields::string(x, diags))
        .or_else(|| decl.doc.clone());
    let version = match f.one("version", diags) {
        Some(x) => (
            fields::integer(x, diags).map(|v| v as u32).unwrap_or(1),
            x.span,
        ),
        None => (1, decl.name.span),
    };
    let owner = f.one("owner", diags).and_then(|x| fields::name(x, diags));
    let tier = f.one("tier", diags).and_then(|x| {
        let t = fields::choice(x, &["leading", "lagging"], diags)?;
        Some((
            if t == "leading" {
                Tier::Leading
            } else {
                Tier::Lagging
            },
            x.span,
        ))
    });
    let drives_field = f.one("drives", diags);
    let drives = drives_field
        .map(|x| read_drives(x, diags))
        .unwrap_or_default();
    let unit = f.one("unit", diags);
    meaning("unit", unit);
    let from_field = f.one("from", diags);
    meaning("from", from_field);
    let from = from_field.and_then(|x| fields::name(x, diags));
    let time_field = f.one("time", diags);
    meaning("time", time_field);
    let time = time_field.and_then(|x| fields::name(x, diags));
    let wheres = f
        .all("where")
        .into_iter()
        .filter_map(|x| fields::expr(x, diags))
        .collect();
    let excludes = f
        .all("exclude")
        .into_iter()
        .filter_map(|x| fields::expr(x, diags))
        .collect();
    let formula_field = f.one("formula", diags);
    meaning("formula", formula_field);
    let formula = formula_field.and_then(|x| fields::expr(x, diags));
    let lookback_field = f.one("lookback", diags);
    meaning("lookback", lookback_field);
    let lookback = lookback_field.and_then(|x| fields::lookback(x, diags).map(|l| (l, x.span)));
    let dimensions = f.one("dimensions", diags).map(|x| fields::paths(x, diags));
    let min_sample_field = f.one("min_sample", diags);
    meaning("min_sample", min_sample_field);
    let min_sample = min_sample_field.and_then(|x| fields::integer(x, diags));
    let fill_field = f.one("fill", diags);
    meaning("fill", fill_field);
    let fill = fill_field.and_then(|x| fields::fill_zero(x, diags).map(|_| x.span));
    let snapshot_field = f.one("snapshot", diags);
    meaning("snapshot", snapshot_field);
    let snapshot = snapshot_field
        .and_then(|x| fields::snapshot(x, diags).map(|(keep, per)| (keep, per, x.key.span)));
    let per = f.one("per", diags);
    meaning("per", per);
    let assert = f
        .one("assert", diags)
        .and_then(|x| fields::bound(x, diags).map(|(b, pct)| (b, pct, x.span)));
    let deprecated = f
        .one("deprecated", diags)
        .and_then(|x| fields::boolean(x, diags))
        .unwrap_or(false);
    f.finish(diags);
    Draft {
        name: &decl.name,
        decl_span: decl.span,
        variant_of: decl.variant_of.as_ref(),
        title,
        description,
        version,
        owner,
        tier,
        drives,
        drives_span: drives_field.map(|f| f.key.span),
        unit,
        from,
        time,
        wheres,
        excludes,
        formula,
        lookback,
        dimensions,
        min_sample,
        fill,
        snapshot,
        per,
        assert,
        deprecated,
        sla,
        changelog,
        meaning_fields,
    }
}

fn unknown_entry(what: &str, entry: &str, span: Span) -> Diagnostic {
    Diagnostic::error(Code::UnknownField, span, format!("{what} has no `{entry}`"))
        .label("not part of a metric")
        .help("a metric has the blocks `sla { ... }` and `changelog { ... }`")
}

fn read_drives(field: &Field, diags: &mut Diagnostics) -> Vec<(Ident, Option<Duration>)> {
    let crate::syntax::ast::Value::List(items, _) = &field.value else {
        diags.push(
            Diagnostic::error(
                Code::FieldValue,
                field.value.span(),
                "`drives` expects outcomes",
            )
            .label("not a list of outcomes")
            .help("write `drives: retention after 6mo, cost_to_serve`"),
        );
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in items {
        match item.expr.as_name() {
            Some(n) => out.push((
                Ident {
                    name: n.to_owned(),
                    span: item.expr.span,
                },
                item.after.map(|(d, _)| d),
            )),
            None => diags.push(
                Diagnostic::error(
                    Code::FieldValue,
                    item.expr.span,
                    "`drives` expects outcome names",
                )
                .label("not a name")
                .help("write `drives: retention after 6mo, cost_to_serve`"),
            ),
        }
    }
    out
}

/// Metric names in a derived formula resolve to metrics already built.
struct MetricScope<'a> {
    done: &'a BTreeMap<String, Metric>,
    names: &'a Names,
}

impl Scope for MetricScope<'_> {
    fn lookup(&self, parts: &[String]) -> Lookup {
        let name = parts.join(".");
        if let Some(m) = self.done.get(&name) {
            return Lookup::Found(TypedExpr {
                node: Node::Metric {
                    metric: MetricId(name),
                },
                ty: m.value_type,
                unit: m.unit.clone(),
                nullable: true,
                span: Span::default(),
            });
        }
        if self.names.kind(&name) == Some(DeclKind::Metric) || self.names.is_broken(&name) {
            return Lookup::Poisoned;
        }
        Lookup::Missing {
            kind: "metric",
            candidates: self
                .names
                .of_kind(DeclKind::Metric)
                .map(str::to_owned)
                .collect(),
        }
    }
}

fn build(
    draft: &Draft<'_>,
    library: &Library,
    done: &BTreeMap<String, Metric>,
    names: &Names,
    diags: &mut Diagnostics,
) -> Option<Metric> {
    if let Some(base) = draft.variant_of {
        return metric_checks::variant(draft, base, library, done, names, diags);
    }
    let Some(formula) = draft.formula else {
        diags.push(
            Diagnostic::error(
                Code::MissingField,
                draft.name.span,
                format!("metric `{}` has no formula", draft.name.name),
            )
            .label("no `formula`")
            .help("add `formula: ...`, or make it `variant of` another metric"),
        );
        return None;
    };
    let (definition, allowed) = match &draft.from {
        Some(from) => base(draft, from, formula, library, names, diags)?,
        None => derived(draft, formula, &library.sources, done, names, diags)?,
    };
    let typed = match &definition {
        Definition::Base(b) => &b.formula,
        Definition::Derived(d) => &d.formula,
    };
    let dimensions = metric_checks::narrow_dimensions(
        draft.dimensions.as_deref(),
        &allowed,
        "its source",
        diags,
    );
    let unit = unit_of(draft, typed, diags);
    let value_type = typed.ty;
    Some(assemble(
        draft, definition, value_type, unit, dimensions, None,
    ))
}

/// Builds the model once the definition is known.
pub(super) fn assemble(
    draft: &Draft<'_>,
    definition: Definition,
    value_type: Type,
    unit: Unit,
    dimensions: Vec<String>,
    base: Option<&Metric>,
) -> Metric {
    let inherit = |own: Option<String>, theirs: Option<&Option<String>>| {
        own.or_else(|| theirs.cloned().flatten())
    };
    Metric {
        name: draft.name.name.clone(),
        title: inherit(draft.title.clone(), base.map(|b| &b.title)),
        description: inherit(draft.description.clone(), base.map(|b| &b.description)),
        version: draft.version.0,
        owner: inherit(
            draft.owner.as_ref().map(|o| o.name.clone()),
            base.map(|b| &b.owner),
        ),
        tier: draft.tier.map(|t| t.0).or(base.and_then(|b| b.tier)),
        drives: if draft.drives.is_empty() {
            base.map(|b| b.drives.clone()).unwrap_or_default()
        } else {
            draft
                .drives
                .iter()
                .map(|(o, after)| Drive {
                    outcome: o.name.clone(),
                    after: *after,
                })
                .collect()
        },
        declared_unit: draft
            .unit
            .and_then(fields::single_expr)
            .map(unit_text)
            .or_else(|| base.and_then(|b| b.declared_unit.clone())),
        unit,
        value_type,
        variant_of: draft.variant_of.map(|v| v.name.clone()),
        deprecated: draft.deprecated,
        assert: draft
            .assert
            .as_ref()
            .map(|a| a.0.clone())
            .or_else(|| base.and_then(|b| b.assert.clone())),
        sla: draft
            .sla
            .as_ref()
            .map(|s| s.0.clone())
            .or_else(|| base.and_then(|b| b.sla.clone())),
        changelog: draft.changelog.clone(),
        dimensions,
        definition,
        span: draft.name.span,
        decl_span: draft.decl_span,
    }
}

/// The definition and the dimensions it allows.
type Built = (Definition, Vec<String>);

fn base(
    draft: &Draft<'_>,
    from: &Ident,
    formula: &Expr,
    library: &Library,
    names: &Names,
    diags: &mut Diagnostics,
) -> Option<Built> {
    if !names.expect(from, DeclKind::Source, diags) {
        return None;
    }
    let source = library.sources.get(&from.name)?;
    let scope = RowScope {
        source,
        sources: &library.sources,
    };
    let (own_filters, own_excludes) =
        metric_checks::filters(&draft.wheres, &draft.excludes, &scope, diags);
    // A broken `per` would make every nested aggregate an error too.
    let per = per::column(draft, &scope, diags)?;
    let typed = match &per {
        Some(column) => Checker::new(&scope, Mode::Formula, diags)
            .per(column.clone())
            .check(formula),
        None => Checker::new(&scope, Mode::Formula, diags).check(formula),
    };
    let time = metric_checks::time_column(draft, source, diags);
    let lookback = metric_checks::lookback(draft, diags);
    let typed = metric_checks::numeric_formula(typed?, diags)?;
    let fill_zero = metric_checks::fill(draft, Some(&typed), diags);
    let snapshot = snapshot::check(draft, source, time.as_deref(), diags);
    let definition = Definition::Base(BaseMetric {
        source: source.name.clone(),
        time,
        own_filters,
        own_excludes,
        formula: typed,
        lookback: lookback?,
        min_sample: draft.min_sample,
        fill_zero,
        snapshot: snapshot?,
        per,
    });
    Some((definition, source.dimensions.clone()))
}

fn derived(
    draft: &Draft<'_>,
    formula: &Expr,
    sources: &BTreeMap<String, Source>,
    done: &BTreeMap<String, Metric>,
    names: &Names,
    diags: &mut Diagnostics,
) -> Option<Built> {
    for (key, span) in [
        ("where", draft.wheres.first().map(|e| e.span)),
        ("exclude", draft.excludes.first().map(|e| e.span)),
        ("time", draft.time.as_ref().map(|t| t.span)),
        ("lookback", draft.lookback.map(|l| l.1)),
        ("min_sample", draft.min_sample.map(|_| draft.name.span)),
    ] {
        if let Some(span) = span {
            diags.push(
                Diagnostic::error(
                    Code::UnknownField,
                    span,
                    format!("derived metric `{}` cannot have `{key}`", draft.name.name),
                )
                .label("only for metrics with `from`")
                .help("a derived metric reads rows only through its inputs: set this on the inputs, or add `from:`"),
            );
        }
    }
    metric_checks::fill(draft, None, diags);
    snapshot::not_derived(draft, diags);
    per::on_derived(draft, diags);
    let scope = MetricScope { done, names };
    let typed = Checker::new(&scope, Mode::Derived, diags).check(formula)?;
    let typed = metric_checks::numeric_formula(typed, diags)?;
    offset_time::check(&typed, done, sources, diags);
    let inputs: Vec<MetricId> = typed.metrics().into_iter().cloned().collect();
    let mut allowed: Option<Vec<String>> = None;
    for input in inputs.iter().filter_map(|i| done.get(i.as_str())) {
        allowed = Some(match allowed {
            None => input.dimensions.clone(),
            Some(a) => a
                .into_iter()
                .filter(|d| input.dimensions.contains(d))
                .collect(),
        });
    }
    let definition = Definition::Derived(DerivedMetric {
        formula: typed,
        inputs,
    });
    Some((definition, allowed.unwrap_or_default()))
}

/// The metric's unit: the formula's, checked against a declared `unit`.
fn unit_of(draft: &Draft<'_>, typed: &TypedExpr, diags: &mut Diagnostics) -> Unit {
    let Some(field) = draft.unit else {
        return typed.unit.clone();
    };
    let Some(declared) = fields::single_expr(field).and_then(|e| parse_unit(e, diags)) else {
        return typed.unit.clone();
    };
    // An unknown unit in the formula was reported where it was declared.
    if declared != typed.unit && !typed.unit.is_opaque() {
        diags.push(
            Diagnostic::error(
                Code::DeclaredUnit,
                field.value.span(),
                format!(
                    "`unit` says {} but the formula gives {}",
                    declared, typed.unit
                ),
            )
            .label(format!("declared {declared}"))
            .help(format!(
                "declare `unit: {}` or change the formula",
                if typed.unit.is_dimensionless() {
                    "ratio".to_owned()
                } else {
                    typed.unit.to_string()
                }
            )),
        );
    }
    typed.unit.clone()
}

/// `usd`, `score`, `usd/min`: a unit written as a small expression.
fn parse_unit(expr: &Expr, diags: &mut Diagnostics) -> Option<Unit> {
    match &expr.kind {
        ExprKind::Path { parts } if parts.len() == 1 => {
            let name = parts.first()?;
            if DIMENSIONLESS_NAMES.contains(&name.as_str()) {
                return Some(Unit::dimensionless());
            }
            let unit = Unit::named(name);
            if unit.is_none() {
                diags.push(unknown_unit(&Ident {
                    name: name.clone(),
                    span: expr.span,
                }));
            }
            unit
        }
        ExprKind::Number { value, .. } if *value == 1.0 => Some(Unit::dimensionless()),
        ExprKind::Binary { op, left, right } if matches!(op, BinaryOp::Mul | BinaryOp::Div) => {
            let (l, r) = (parse_unit(left, diags), parse_unit(right, diags));
            let (l, r) = (l?, r?);
            Some(if *op == BinaryOp::Mul {
                l.mul(&r)
            } else {
                l.div(&r)
            })
        }
        ExprKind::Error => None,
        _ => {
            diags.push(
                Diagnostic::error(Code::FieldValue, expr.span, "`unit` expects a unit such as `usd`, `ratio` or `usd/min`")
                    .label("not a unit")
                    .help("units: ratio, score, count, percent, a currency code, s, min, h, d, and products or quotients of them"),
            );
            None
        }
    }
}

fn unit_text(expr: &Expr) -> String {
    match &expr.kind {
        ExprKind::Path { parts } => parts.join("."),
        ExprKind::Number { value, .. } => value.to_string(),
        ExprKind::Binary { op, left, right } => {
            format!("{}{}{}", unit_text(left), op.symbol(), unit_text(right))
        }
        _ => String::new(),
    }
}

pub(super) fn review(name: &str) -> Option<Review> {
    Some(match name {
        "weekly" => Review::Weekly,
        "monthly" => Review::Monthly,
        "quarterly" => Review::Quarterly,
        _ => return None,
    })
}
