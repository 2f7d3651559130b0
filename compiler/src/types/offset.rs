//! Typing `offset(metric, duration)` (LANGUAGE.md §11): the one call whose
//! arguments are not values. The first must name a metric (only a derived
//! formula reads metrics), the second must be a duration literal; the
//! result is an [`Node::Offset`] with the metric's type and unit.

use super::calls::usage;
use super::check::{typed, Checker, Lookup, Mode};
use crate::diagnostics::{Code, Diagnostic};
use crate::functions::Function;
use crate::ir::{Node, TypedExpr};
use crate::resolve::metric_checks::within_calendar;
use crate::resolve::suggest::did_you_mean;
use crate::syntax::ast::{Expr, ExprKind};

const HELP: &str =
    "`offset` moves a metric back in time inside a derived metric: `formula: csat - offset(csat, 1y)`";

impl Checker<'_> {
    pub(super) fn offset(
        &mut self,
        expr: &Expr,
        args: &[Expr],
        star: bool,
        filter: Option<&Expr>,
    ) -> Option<TypedExpr> {
        if self.mode != Mode::Derived || self.in_aggregate {
            let what = match args.first().map(|a| &a.kind) {
                Some(ExprKind::Path { parts }) => format!("`{}` is a column", parts.join(".")),
                _ => "this formula reads rows".to_owned(),
            };
            self.diagnostics().push(
                Diagnostic::error(
                    Code::OffsetNotMetric,
                    expr.span,
                    format!(
                        "`offset` takes a metric, but {what}: only a derived metric can offset"
                    ),
                )
                .label("offset of rows")
                .help(HELP),
            );
            return None;
        }
        if let Some(f) = filter {
            self.argument(
                f.span,
                "`offset` is not an aggregate and takes no `where`".to_owned(),
            );
            return None;
        }
        let [metric, by] = args else {
            self.diagnostics().push(
                Diagnostic::error(
                    Code::Arity,
                    expr.span,
                    format!(
                        "`offset` takes 2 arguments, but {} {} given",
                        if star { 1 } else { args.len() },
                        if args.len() == 1 || star {
                            "was"
                        } else {
                            "were"
                        }
                    ),
                )
                .label("wrong number of arguments")
                .help(usage(Function::Offset)),
            );
            return None;
        };
        let found = match &metric.kind {
            ExprKind::Path { parts } => match self.lookup(parts) {
                Lookup::Found(t) => match t.node {
                    Node::Metric { metric } => Some((metric, t.ty, t.unit)),
                    _ => None,
                },
                Lookup::Poisoned => return None,
                Lookup::Refused(r) => {
                    self.diagnostics().push(r.at(metric.span));
                    return None;
                }
                Lookup::Missing { candidates, .. } => {
                    let name = parts.join(".");
                    let help = match did_you_mean(&name, candidates.iter().map(String::as_str)) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => HELP.to_owned(),
                    };
                    self.diagnostics().push(
                        Diagnostic::error(
                            Code::OffsetNotMetric,
                            metric.span,
                            format!(
                                "`offset` takes a metric, but there is no metric named `{name}`"
                            ),
                        )
                        .label("not a metric")
                        .help(help),
                    );
                    return None;
                }
            },
            _ => None,
        };
        let Some((id, ty, unit)) = found else {
            self.diagnostics().push(
                Diagnostic::error(
                    Code::OffsetNotMetric,
                    metric.span,
                    "`offset` takes a metric by name, not an expression",
                )
                .label("not a metric name")
                .help("offset each metric on its own: `offset(a, 1y) / offset(b, 1y)`"),
            );
            return None;
        };
        let duration = match &by.kind {
            ExprKind::Duration { value } if value.amount > 0 && within_calendar(*value) => *value,
            ExprKind::Duration { value } if value.amount > 0 => {
                self.argument(
                    by.span,
                    format!("the offset `{value}` reaches back more than 100 years"),
                );
                return None;
            }
            ExprKind::Duration { value } => {
                self.argument(
                    by.span,
                    format!(
                        "an offset of `{value}` is the metric itself; give a positive duration"
                    ),
                );
                return None;
            }
            _ => {
                self.argument(
                    by.span,
                    "`offset` needs a duration such as `1y`, `1q`, `4w` or `24h`".to_owned(),
                );
                return None;
            }
        };
        Some(typed(
            Node::Offset {
                metric: id,
                by: duration,
            },
            ty,
            unit,
            true,
        ))
    }
}
