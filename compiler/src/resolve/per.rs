//! `per: COLUMN` (LANGUAGE.md §11): the column a two-level metric counts
//! its entities by. Only a base metric has one, as only a base metric has
//! rows; it names a column of the source or of a joined source.

use super::fields;
use super::metric::Draft;
use super::source::{refusal, RowScope};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::ir::{ColumnRef, Node};
use crate::resolve::suggest::did_you_mean;
use crate::syntax::ast::ExprKind;

/// The metric's `per` column: `Some(None)` without one, `None` when it is
/// broken (reported).
pub(super) fn column(
    draft: &Draft<'_>,
    scope: &RowScope<'_>,
    diags: &mut Diagnostics,
) -> Option<Option<ColumnRef>> {
    let Some(field) = draft.per else {
        return Some(None);
    };
    let parts = match fields::single_expr(field).map(|e| &e.kind) {
        Some(ExprKind::Path { parts }) => parts,
        Some(ExprKind::Error) => return None,
        _ => {
            diags.push(
                Diagnostic::error(
                    Code::FieldValue,
                    field.value.span(),
                    "`per` expects one column, such as `per: customer_id`",
                )
                .label("not a column name")
                .help("`per: COLUMN` computes the inner aggregates once per value of the column"),
            );
            return None;
        }
    };
    let resolved = scope.resolve(parts);
    if let Err(problem) = &resolved {
        if let Some(r) = refusal(problem, &parts.join(".")) {
            diags.push(r.at(field.value.span()));
            return None;
        }
    }
    match resolved.ok().map(|t| t.node) {
        Some(Node::Column { column }) => Some(Some(column)),
        _ => {
            let name = parts.join(".");
            let mut d = Diagnostic::error(
                Code::Unresolved,
                field.value.span(),
                format!("source `{}` has no column `{name}`", scope.source.name),
            )
            .label("unknown column");
            if let Some(s) = did_you_mean(&name, scope.candidates(parts).iter().map(String::as_str))
            {
                d = d.help(format!("did you mean `{s}`?"));
            }
            diags.push(d);
            None
        }
    }
}

/// `per` on a derived metric: reported, as it has no rows to group.
pub(super) fn on_derived(draft: &Draft<'_>, diags: &mut Diagnostics) {
    if let Some(field) = draft.per {
        diags.push(
            Diagnostic::error(
                Code::PerDerived,
                field.key.span,
                format!(
                    "derived metric `{}` cannot have `per`: it has no rows to group",
                    draft.name.name
                ),
            )
            .label("only for metrics with `from`")
            .help(
                "put `per` on a base metric (`from: orders  per: customer_id`) and derive from it",
            ),
        );
    }
}
