//! The rules a metric must keep beyond its formula: SLA and changelog
//! blocks, variants that only narrow, dimensions, the time column, and the
//! references to owners, outcomes and deprecated metrics.

use super::fields::{self, Fields};
use super::metric::{assemble, review, Draft};
use super::source::RowScope;
use super::Names;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::functions::Function;
use crate::ir::{DurationUnit, Lookback, Node, TypedExpr};
use crate::model::{Definition, Library, Metric, Sla, Tier};
use crate::span::Span;
use crate::syntax::ast::{DeclKind, Expr, ExprKind, Ident, SubBlock};
use crate::types::check::{Checker, Mode};
use crate::types::Type;
use std::collections::BTreeMap;

/// `sla { freshness: 24h  target: >= 70%  review: monthly }`; the flag says
/// whether the target was written as a percent.
pub(super) fn read_sla(block: &SubBlock, diags: &mut Diagnostics) -> (Sla, bool, Span) {
    let mut f = Fields::new("the `sla` block".to_owned(), block.fields.iter().collect());
    let freshness =
        f.one("freshness", diags)
            .and_then(|x| match fields::single_expr(x).map(|e| &e.kind) {
                Some(ExprKind::Duration { value }) => Some(*value),
                Some(ExprKind::Error) => None,
                _ => {
                    diags.push(
                        Diagnostic::error(
                            Code::BoundUnit,
                            x.value.span(),
                            "`freshness` is how old the newest row may be: a duration",
                        )
                        .label("not a duration")
                        .help("write it as a duration, such as `freshness: 24h`"),
                    );
                    None
                }
            });
    let target_field = f.one("target", diags);
    let target = target_field.and_then(|x| fields::bound(x, diags));
    let review = f
        .one("review", diags)
        .and_then(|x| fields::choice(x, &["weekly", "monthly", "quarterly"], diags))
        .and_then(|r| review(&r));
    f.finish(diags);
    let percent = target.as_ref().map(|t| t.1).unwrap_or(false);
    (
        Sla {
            freshness,
            target: target.map(|t| t.0),
            review,
        },
        percent,
        target_field.map(|t| t.span).unwrap_or(block.span),
    )
}

/// `changelog { 3: "..."  2: "..." }`.
pub(super) fn read_changelog(block: &SubBlock, diags: &mut Diagnostics) -> BTreeMap<u32, String> {
    let mut out = BTreeMap::new();
    for field in &block.fields {
        let Ok(version) = field.key.name.parse::<u32>() else {
            diags.push(
                Diagnostic::error(
                    Code::FieldValue,
                    field.key.span,
                    format!(
                        "changelog entries are keyed by version, not `{}`",
                        field.key.name
                    ),
                )
                .label("not a version number")
                .help("write `changelog { 2: \"what changed\" }`"),
            );
            continue;
        };
        if let Some(text) = fields::string(field, diags) {
            out.insert(version, text);
        }
    }
    out
}

/// A metric's own `where` and `exclude` clauses, typed.
pub(super) fn filters(
    wheres: &[&Expr],
    excludes: &[&Expr],
    scope: &RowScope<'_>,
    diags: &mut Diagnostics,
) -> (Vec<TypedExpr>, Vec<TypedExpr>) {
    let wheres = wheres
        .iter()
        .filter_map(|w| Checker::new(scope, Mode::Row, diags).predicate(w, "`where`"))
        .collect();
    let excludes = excludes
        .iter()
        .filter_map(|e| Checker::new(scope, Mode::Row, diags).predicate(e, "`exclude`"))
        .collect();
    (wheres, excludes)
}

/// The longest lookback, in days: a window must stay on the calendar.
pub const MAX_LOOKBACK_DAYS: u64 = 36_600;

/// Whether a duration (a lookback, an offset) is at most 100 years.
pub(crate) fn within_calendar(duration: crate::ir::Duration) -> bool {
    let days_per = match duration.unit {
        DurationUnit::Second => 1.0 / 86_400.0,
        DurationUnit::Minute => 1.0 / 1_440.0,
        DurationUnit::Hour => 1.0 / 24.0,
        DurationUnit::Day => 1.0,
        DurationUnit::Week => 7.0,
        DurationUnit::Month => 31.0,
        DurationUnit::Quarter => 92.0,
        DurationUnit::Year => 366.0,
    };
    f64::from(duration.amount) * days_per <= MAX_LOOKBACK_DAYS as f64
}

/// The metric's lookback; `None` when it reaches off the calendar.
pub(super) fn lookback(draft: &Draft<'_>, diags: &mut Diagnostics) -> Option<Option<Lookback>> {
    let Some((lookback, span)) = draft.lookback else {
        return Some(None);
    };
    // A period-to-date window is at most a year.
    let Lookback::Duration(duration) = lookback else {
        return Some(Some(lookback));
    };
    if within_calendar(duration) {
        return Some(Some(lookback));
    }
    diags.push(
        Diagnostic::error(
            Code::FieldValue,
            span,
            format!("the lookback `{duration}` reaches back more than 100 years"),
        )
        .label("too long for the calendar")
        .help("a lookback is at most 100 years (100y, 1200mo, 36600d); to count every row up to the as-of date, leave `lookback` out"),
    );
    None
}

/// Whether `fill: 0` holds: only where zero means "none counted", a
/// formula that is one `count`, `count_distinct` or `sum` (of a filter or
/// not). `formula` is `None` for a derived metric, which has no rows.
pub(super) fn fill(
    draft: &Draft<'_>,
    formula: Option<&TypedExpr>,
    diags: &mut Diagnostics,
) -> bool {
    let Some(span) = draft.fill else {
        return false;
    };
    let counts = |f: &TypedExpr| {
        matches!(
            &f.node,
            Node::Call {
                function: Function::Count | Function::CountDistinct | Function::Sum,
                ..
            }
        )
    };
    let (label, help) = match formula {
        Some(f) if counts(f) => return true,
        Some(_) => (
            "its formula is not one count or sum",
            "fill only a metric whose formula is one `count`, `count_distinct` or `sum`; for a ratio, fill its count inputs and derive the ratio from them",
        ),
        None => (
            "a derived metric has no rows of its own",
            "set `fill: 0` on its count or sum inputs; a derived metric sees a filled input as 0",
        ),
    };
    diags.push(
        Diagnostic::error(
            Code::FillNotCount,
            span,
            format!(
                "metric `{}` cannot be filled with 0: an empty period would not mean none counted",
                draft.name.name
            ),
        )
        .label(label)
        .help(help),
    );
    false
}

/// The effective time column: the metric's own, else the source's.
pub(super) fn time_column(
    draft: &Draft<'_>,
    source: &crate::model::Source,
    diags: &mut Diagnostics,
) -> Option<String> {
    let time = match &draft.time {
        Some(t) => {
            let Some(column) = source.column(&t.name) else {
                let mut d = Diagnostic::error(
                    Code::Unresolved,
                    t.span,
                    format!("no column named `{}` in `{}`", t.name, source.name),
                )
                .label("unknown column");
                if let Some(s) = super::suggest::did_you_mean(
                    &t.name,
                    source.columns.iter().map(|c| c.name.as_str()),
                ) {
                    d = d.help(format!("did you mean `{s}`?"));
                }
                diags.push(d);
                return None;
            };
            if !matches!(column.ty, Type::Date | Type::Timestamp) {
                diags.push(
                    Diagnostic::error(
                        Code::TypeMismatch,
                        t.span,
                        format!(
                            "the time column `{}` is {}, not a date or timestamp",
                            t.name, column.ty
                        ),
                    )
                    .label(format!("this is {}", column.ty))
                    .with_secondary(column.span, "declared here")
                    .help("point `time` at a date or timestamp column"),
                );
                return None;
            }
            Some(t.name.clone())
        }
        None => source.time.clone(),
    };
    if time.is_none() {
        if let Some((_, span)) = draft.lookback {
            diags.push(
                Diagnostic::error(
                    Code::MissingField,
                    span,
                    format!(
                        "metric `{}` has a lookback but no time column",
                        draft.name.name
                    ),
                )
                .label("a lookback needs a time column")
                .help(format!(
                    "add `time: <column>` to the metric or to source `{}`",
                    source.name
                )),
            );
        }
    }
    time
}

/// A metric's value is a number.
pub(super) fn numeric_formula(typed: TypedExpr, diags: &mut Diagnostics) -> Option<TypedExpr> {
    if matches!(typed.ty, Type::Int | Type::Float | Type::Decimal) {
        return Some(typed);
    }
    diags.push(
        Diagnostic::error(
            Code::TypeMismatch,
            typed.span,
            format!(
                "a metric's value must be a number, but this formula gives {}",
                typed.ty
            ),
        )
        .label(format!("this is {}", typed.ty))
        .help("aggregate to a number, for example `count(where ...)` or `avg(x)`"),
    );
    None
}

/// The dimensions a metric may be grouped by: its declared ones, which must
/// be among `allowed`, or all of `allowed`.
pub(super) fn narrow_dimensions(
    declared: Option<&[(String, Span)]>,
    allowed: &[String],
    from: &str,
    diags: &mut Diagnostics,
) -> Vec<String> {
    let Some(declared) = declared else {
        return allowed.to_vec();
    };
    let mut out = Vec::new();
    for (dim, span) in declared {
        if allowed.contains(dim) {
            out.push(dim.clone());
            continue;
        }
        diags.push(
            Diagnostic::error(
                Code::DimensionNotAllowed,
                *span,
                format!("`{dim}` is not a dimension of {from}"),
            )
            .label("not offered")
            .help(if allowed.is_empty() {
                format!("{from} offers no dimensions")
            } else {
                format!("{from} offers: {}", allowed.join(", "))
            }),
        );
    }
    out
}

/// A variant: its base's definition, narrowed by its own filters.
pub(super) fn variant(
    draft: &Draft<'_>,
    base_name: &Ident,
    library: &Library,
    done: &BTreeMap<String, Metric>,
    names: &Names,
    diags: &mut Diagnostics,
) -> Option<Metric> {
    if !names.expect(base_name, DeclKind::Metric, diags) {
        return None;
    }
    let base = done.get(&base_name.name)?;
    for (key, span) in &draft.meaning_fields {
        diags.push(
            Diagnostic::error(
                Code::VariantWidens,
                *span,
                format!(
                    "variant `{}` cannot set `{key}`: it inherits it from `{}`",
                    draft.name.name, base.name
                ),
            )
            .label("a variant may only narrow")
            .with_secondary(base_name.span, "the base metric")
            .help("a variant may add `where`/`exclude`, restrict `dimensions` and set metadata; for a new formula declare a new metric"),
        );
    }
    let definition = match &base.definition {
        Definition::Base(b) => {
            let source = library.sources.get(&b.source)?;
            let scope = RowScope {
                source,
                sources: &library.sources,
            };
            let (own_filters, own_excludes) =
                filters(&draft.wheres, &draft.excludes, &scope, diags);
            // Only its own filters: the base's stay on the base.
            Definition::Base(crate::model::BaseMetric {
                source: b.source.clone(),
                time: b.time.clone(),
                own_filters,
                own_excludes,
                formula: b.formula.clone(),
                lookback: b.lookback,
                min_sample: b.min_sample,
                fill_zero: b.fill_zero,
                snapshot: b.snapshot.clone(),
                per: b.per.clone(),
            })
        }
        Definition::Derived(d) => {
            if let Some(e) = draft.wheres.first().or(draft.excludes.first()) {
                diags.push(
                    Diagnostic::error(
                        Code::VariantWidens,
                        e.span,
                        format!(
                            "variant `{}` of derived metric `{}` cannot filter rows",
                            draft.name.name, base.name
                        ),
                    )
                    .label("a derived metric has no rows of its own")
                    .with_secondary(base_name.span, "the base metric")
                    .help("make variants of its inputs and derive from those"),
                );
            }
            Definition::Derived(d.clone())
        }
    };
    let from = format!("base metric `{}`", base.name);
    let dimensions = narrow_dimensions(draft.dimensions.as_deref(), &base.dimensions, &from, diags);
    Some(assemble(
        draft,
        definition,
        base.value_type,
        base.unit.clone(),
        dimensions,
        Some(base),
    ))
}

/// Owner, outcome and deprecation references, `drives` rules, bounds that
/// must fit the unit, and the changelog lint.
pub(super) fn references(
    draft: &Draft<'_>,
    done: &BTreeMap<String, Metric>,
    names: &Names,
    diags: &mut Diagnostics,
) {
    if let Some(owner) = &draft.owner {
        names.expect(owner, DeclKind::Owner, diags);
    }
    for (outcome, _) in &draft.drives {
        names.expect(outcome, DeclKind::Outcome, diags);
    }
    let tier = draft.tier.map(|t| t.0).or_else(|| {
        draft
            .variant_of
            .and_then(|b| done.get(&b.name))
            .and_then(|b| b.tier)
    });
    if let (Some(Tier::Lagging), Some(span)) = (tier, draft.drives_span) {
        let mut d = Diagnostic::error(
            Code::Lagging,
            span,
            format!("lagging metric `{}` declares `drives`", draft.name.name),
        )
        .label("only leading metrics drive outcomes")
        .help("a lagging metric measures an outcome through the outcome's `measured_by`; make it `tier: leading` or drop `drives`");
        if let Some((_, tier_span)) = draft.tier {
            d = d.with_secondary(tier_span, "declared lagging here");
        }
        diags.push(d);
    }
    if let Some(metric) = done.get(&draft.name.name) {
        bounds_fit(draft, metric, diags);
        deprecated_inputs(draft, metric, done, diags);
    }
    let (version, span) = draft.version;
    if version > 1 && !draft.changelog.contains_key(&version) {
        diags.push(
            Diagnostic::warning(
                Code::ChangelogMissing,
                span,
                format!(
                    "metric `{}` is at version {version} but its changelog has no entry for it",
                    draft.name.name
                ),
            )
            .label("no changelog line for this version")
            .help(format!(
                "add `changelog {{ {version}: \"what changed and why\" }}`"
            )),
        );
    }
}

/// A percent bound (`>= 70%`) only fits a dimensionless metric.
fn bounds_fit(draft: &Draft<'_>, metric: &Metric, diags: &mut Diagnostics) {
    if metric.unit.is_dimensionless() {
        return;
    }
    let bounds = [
        draft.assert.as_ref().map(|a| (a.1, a.2, "assert")),
        draft.sla.as_ref().map(|s| (s.1, s.2, "sla target")),
    ];
    for (percent, span, what) in bounds.into_iter().flatten() {
        if percent {
            diags.push(
                Diagnostic::error(
                    Code::BoundUnit,
                    span,
                    format!(
                        "the {what} is a percent, but `{}` is in {}",
                        metric.name, metric.unit
                    ),
                )
                .label("a percent is dimensionless")
                .help(format!(
                    "state the bound in {} as a plain number",
                    metric.unit
                )),
            );
        }
    }
}

fn deprecated_inputs(
    draft: &Draft<'_>,
    metric: &Metric,
    done: &BTreeMap<String, Metric>,
    diags: &mut Diagnostics,
) {
    if metric.deprecated {
        return;
    }
    let mut uses: Vec<(String, Span)> = Vec::new();
    if let Some(base) = draft.variant_of {
        uses.push((base.name.clone(), base.span));
    } else if let (Definition::Derived(_), Some(formula)) = (&metric.definition, draft.formula) {
        formula.walk(&mut |e| {
            if let Some(n) = e.as_name() {
                uses.push((n.to_owned(), e.span));
            }
        });
    }
    for (name, span) in uses {
        if done.get(&name).map(|m| m.deprecated).unwrap_or(false) {
            diags.push(
                Diagnostic::warning(
                    Code::DeprecatedUse,
                    span,
                    format!("`{}` uses the deprecated metric `{name}`", metric.name),
                )
                .label("deprecated")
                .help(format!("move off `{name}` before it is removed")),
            );
        }
    }
}
