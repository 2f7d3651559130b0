//! `reconcile` declarations (LANGUAGE.md §10): two metrics that must agree
//! period by period within a tolerance. Both must be metrics with the same
//! unit, allow the `by` dimensions, and the owner who signs off must be an
//! owner.

use super::fields;
use super::outcome::plain_fields;
use super::{Located, Names};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::ir::Grain;
use crate::model::{Library, Reconcile, Tolerance};
use crate::span::Span;
use crate::syntax::ast::{DeclKind, ExprKind, Field};
use std::collections::BTreeMap;

pub(super) fn build_all(
    decls: &[Located<'_>],
    library: &Library,
    names: &Names,
    diags: &mut Diagnostics,
) -> BTreeMap<String, Reconcile> {
    let mut out = BTreeMap::new();
    for located in decls {
        if let Some(r) = build(located, library, names, diags) {
            out.insert(r.name.clone(), r);
        }
    }
    out
}

fn build(
    located: &Located<'_>,
    library: &Library,
    names: &Names,
    diags: &mut Diagnostics,
) -> Option<Reconcile> {
    let decl = located.decl;
    let mut f = plain_fields(located, diags);
    let description = f
        .one("description", diags)
        .and_then(|x| fields::string(x, diags))
        .or_else(|| decl.doc.clone());
    let metric = required(&mut f, "metric", decl.name.span, &decl.name.name, diags)
        .and_then(|x| fields::name(x, diags));
    let against = required(&mut f, "against", decl.name.span, &decl.name.name, diags)
        .and_then(|x| fields::name(x, diags));
    let grain = required(&mut f, "grain", decl.name.span, &decl.name.name, diags)
        .and_then(|x| fields::choice(x, &Grain::NAMES[1..], diags))
        .and_then(|g| Grain::parse(&g));
    let tolerance = required(&mut f, "tolerance", decl.name.span, &decl.name.name, diags)
        .and_then(|x| tolerance(x, diags));
    let by = f
        .one("by", diags)
        .map(|x| fields::paths(x, diags))
        .unwrap_or_default();
    let owner = f.one("owner", diags).and_then(|x| fields::name(x, diags));
    f.finish(diags);

    let mut ok = true;
    if let Some(o) = &owner {
        ok &= names.expect(o, DeclKind::Owner, diags);
    }
    let metric = metric.filter(|m| names.expect(m, DeclKind::Metric, diags));
    let against = against.filter(|m| names.expect(m, DeclKind::Metric, diags));
    let (metric, against) = (metric?, against?);
    // A metric that failed to build was reported where it is declared.
    let (m, a) = (
        library.metrics.get(&metric.name)?,
        library.metrics.get(&against.name)?,
    );
    if m.unit != a.unit && !m.unit.is_opaque() && !a.unit.is_opaque() {
        diags.push(
            Diagnostic::error(
                Code::ReconcileUnit,
                against.span,
                format!(
                    "reconcile `{}` compares {} (`{}`) with {} (`{}`)",
                    decl.name.name, m.unit, metric.name, a.unit, against.name
                ),
            )
            .label(format!("this is {}", a.unit))
            .with_secondary(metric.span, format!("this is {}", m.unit))
            .help("reconcile two metrics of the same unit; a difference between other units means nothing"),
        );
        ok = false;
    }
    for (dim, span) in &by {
        for side in [&metric, &against] {
            let Some(allowed) = library.metrics.get(&side.name).map(|x| &x.dimensions) else {
                continue;
            };
            if !allowed.contains(dim) {
                diags.push(
                    Diagnostic::error(
                        Code::DimensionNotAllowed,
                        *span,
                        format!("`{}` cannot be grouped by `{dim}`", side.name),
                    )
                    .label("not a dimension of both metrics")
                    .with_secondary(side.span, "this metric")
                    .help(if allowed.is_empty() {
                        format!("`{}` offers no dimensions", side.name)
                    } else {
                        format!("`{}` offers: {}", side.name, allowed.join(", "))
                    }),
                );
                ok = false;
            }
        }
    }
    if !ok {
        return None;
    }
    Some(Reconcile {
        name: decl.name.name.clone(),
        description,
        metric: metric.name,
        against: against.name,
        grain: grain?,
        tolerance: tolerance?,
        by: by.into_iter().map(|(d, _)| d).collect(),
        owner: owner.map(|o| o.name),
        span: decl.name.span,
    })
}

fn required<'a>(
    f: &mut fields::Fields<'a>,
    key: &'static str,
    at: Span,
    name: &str,
    diags: &mut Diagnostics,
) -> Option<&'a Field> {
    let field = f.one(key, diags);
    if field.is_none() {
        diags.push(
            Diagnostic::error(
                Code::MissingField,
                at,
                format!("reconcile `{name}` has no `{key}`"),
            )
            .label(format!("no `{key}`"))
            .help("a reconcile needs `metric`, `against`, `grain` and `tolerance`"),
        );
    }
    field
}

/// `2%` (relative to the `against` side) or `500` (in the metrics' unit),
/// zero or more.
fn tolerance(field: &Field, diags: &mut Diagnostics) -> Option<Tolerance> {
    let found = match fields::single_expr(field).map(|e| &e.kind) {
        Some(ExprKind::Percent { value }) if *value >= 0.0 => Some(Tolerance::Relative(*value)),
        Some(ExprKind::Number { value, .. }) if *value >= 0.0 => Some(Tolerance::Absolute(*value)),
        Some(ExprKind::Error) => return None,
        _ => None,
    };
    if found.is_none() {
        diags.push(
            Diagnostic::error(
                Code::FieldValue,
                field.value.span(),
                "`tolerance` expects a percentage or an amount, zero or more",
            )
            .label("not a tolerance")
            .help("write `tolerance: 2%` (of the `against` side) or `tolerance: 500` (in the metrics' unit)"),
        );
    }
    found
}
