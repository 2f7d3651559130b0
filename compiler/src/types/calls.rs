//! Typing a call from its entry in the function registry: where it may
//! stand (its level), how many arguments it takes, what each must be, and
//! the type and unit of its result.

use super::check::{typed, Checker, Mode};
use super::{Type, Unit};
use crate::diagnostics::{Code, Diagnostic};
use crate::functions::{ArgKind, Function, Level, ResultRule};
use crate::ir::{Literal, Node, TypedExpr};
use crate::resolve::suggest::did_you_mean;
use crate::syntax::ast::Expr;

impl Checker<'_> {
    pub(super) fn call(
        &mut self,
        expr: &Expr,
        name: &str,
        args: &[Expr],
        star: bool,
        filter: Option<&Expr>,
    ) -> Option<TypedExpr> {
        let Some(function) = Function::parse(name) else {
            let mut d = Diagnostic::error(
                Code::UnknownFunction,
                expr.span,
                format!("no function named `{name}`"),
            )
            .label("unknown function");
            if let Some(s) = did_you_mean(name, Function::ALL.iter().map(|f| f.name())) {
                d = d.help(format!("did you mean `{s}`?"));
            }
            self.diagnostics().push(d);
            return None;
        };
        if function == Function::Offset {
            return self.offset(expr, args, star, filter);
        }
        if !self.level_allows(function, expr, filter) {
            return None;
        }
        if star && function != Function::Count {
            self.argument(
                expr.span,
                format!("`{name}(*)` is not allowed; only `count(*)` is"),
            );
            return None;
        }
        let (min, max) = function.arity();
        if args.len() < min || args.len() > max {
            let expected = if min == max {
                format!("{min}")
            } else if max == usize::MAX {
                format!("at least {min}")
            } else {
                format!("{min} to {max}")
            };
            self.diagnostics().push(
                Diagnostic::error(
                    Code::Arity,
                    expr.span,
                    format!(
                        "`{name}` takes {expected} argument{}, but {} {} given",
                        if expected == "1" { "" } else { "s" },
                        args.len(),
                        if args.len() == 1 { "was" } else { "were" }
                    ),
                )
                .label("wrong number of arguments")
                .help(usage(function)),
            );
            return None;
        }
        let outer = (self.in_aggregate, self.mode, self.entity);
        if function.is_aggregate() {
            // In a two-level metric, an outermost aggregate reads entities;
            // an aggregate inside it reads rows again.
            self.entity = self.per.is_some() && !self.in_aggregate;
            self.in_aggregate = true;
            self.mode = Mode::Row;
        }
        let typed_args: Vec<Option<TypedExpr>> = args.iter().map(|a| self.check(a)).collect();
        let typed_filter = filter.map(|f| self.predicate(f, "an aggregate's `where`"));
        (self.in_aggregate, self.mode, self.entity) = outer;
        let typed_args: Vec<TypedExpr> = typed_args.into_iter().collect::<Option<_>>()?;
        let filter = match typed_filter {
            Some(f) => Some(Box::new(f?)),
            None => None,
        };
        self.result(function, typed_args, filter)
    }

    /// Whether `function` may appear here; reports when it may not.
    fn level_allows(&mut self, function: Function, expr: &Expr, filter: Option<&Expr>) -> bool {
        let name = function.name();
        if function.is_aggregate() {
            let problem = match (self.mode, self.in_aggregate) {
                // The inner aggregate of a two-level metric.
                (Mode::Row, true) if self.entity => None,
                (Mode::Row, true) | (Mode::Formula, true) => Some((
                    Code::NestedAggregate,
                    format!("`{name}` is inside another aggregate"),
                    if self.per.is_some() {
                        "a two-level metric nests aggregates once: the inner ones per entity, the outer ones over entities"
                    } else {
                        "aggregates nest only in a two-level metric: add `per: COLUMN` (e.g. `per: customer_id`) to aggregate per entity first, or compute the inner value as its own metric"
                    },
                )),
                (Mode::Row, false) => Some((
                    Code::AggregateInRow,
                    format!("`{name}` aggregates rows, but only row-level expressions are allowed here"),
                    "`where` and `exclude` look at one row at a time; move the aggregate into `formula`",
                )),
                (Mode::Derived, _) => Some((
                    Code::DerivedFormula,
                    format!("`{name}` aggregates rows, but a derived metric is built only from other metrics"),
                    "give this metric a `from:` source, or define the aggregate as its own metric",
                )),
                (Mode::Formula, false) => None,
            };
            if let Some((code, message, help)) = problem {
                self.diagnostics().push(
                    Diagnostic::error(code, expr.span, message)
                        .label("aggregate here")
                        .help(help),
                );
                return false;
            }
            return true;
        }
        if let Some(f) = filter {
            self.argument(
                f.span,
                format!("`{name}` is not an aggregate and takes no `where`"),
            );
            return false;
        }
        if self.mode == Mode::Derived && !function.spec().in_derived {
            self.diagnostics().push(
                Diagnostic::error(
                    Code::DerivedFormula,
                    expr.span,
                    format!("`{name}` works on rows, but a derived metric is built only from other metrics"),
                )
                .label("row function here")
                .help("derived formulas may use `abs`, `round`, `coalesce` and `if`"),
            );
            return false;
        }
        true
    }

    /// Checks each argument against its kind and types the result.
    fn result(
        &mut self,
        function: Function,
        args: Vec<TypedExpr>,
        filter: Option<Box<TypedExpr>>,
    ) -> Option<TypedExpr> {
        let spec = function.spec();
        let name = spec.name;
        for (i, arg) in args.iter().enumerate() {
            let kind = function.arg_kind(i);
            if function.is_aggregate() && arg.ty == Type::Null && kind != ArgKind::Fraction {
                self.argument(
                    arg.span,
                    format!("`{name}` of `null` is always null: there is nothing to aggregate"),
                );
                return None;
            }
            let ok = match kind {
                ArgKind::Any | ArgKind::Value => true,
                // Only `offset` takes these, and it is typed in `offset.rs`.
                ArgKind::Metric | ArgKind::Duration => false,
                ArgKind::Number => arg.ty.is_numeric(),
                ArgKind::Text => matches!(arg.ty, Type::String | Type::Null),
                ArgKind::Time => arg.ty.is_temporal(),
                ArgKind::Condition => matches!(arg.ty, Type::Bool | Type::Null),
                ArgKind::Ordered => {
                    arg.ty.is_numeric() || arg.ty.is_temporal() || arg.ty == Type::String
                }
                ArgKind::Fraction => {
                    if !matches!(arg.number(), Some(p) if (0.0..=1.0).contains(&p)) {
                        self.argument(
                            arg.span,
                            format!("`{name}` needs a constant p with 0 <= p <= 1"),
                        );
                        return None;
                    }
                    true
                }
                ArgKind::Digits => {
                    let whole = matches!(
                        arg.node,
                        Node::Literal {
                            value: Literal::Int(_)
                        }
                    );
                    if !whole {
                        self.argument(
                            arg.span,
                            format!(
                                "`{name}` needs a whole number of digits, such as `{name}(x, 2)`"
                            ),
                        );
                        return None;
                    }
                    true
                }
            };
            if !ok {
                let what = match kind {
                    ArgKind::Number => "a number",
                    ArgKind::Text => "a string",
                    ArgKind::Time => "a date or timestamp",
                    ArgKind::Condition => "a condition (true or false)",
                    _ => "a number, a string or a time",
                };
                self.diagnostics().push(
                    Diagnostic::error(
                        Code::TypeMismatch,
                        arg.span,
                        format!("`{name}` needs {what}, but this is {}", arg.ty),
                    )
                    .label(format!("this is {}", arg.ty))
                    .help(usage(function)),
                );
                return None;
            }
        }
        let aggregate = spec.level == Level::Aggregate;
        let first = args.first();
        let (ty, unit, nullable) = match spec.result {
            ResultRule::Count => (Type::Int, Unit::dimensionless(), false),
            ResultRule::SameAsFirst => {
                let a = first?;
                (a.ty, a.unit.clone(), a.nullable || aggregate)
            }
            ResultRule::FloatOfFirst => (Type::Float, first?.unit.clone(), true),
            ResultRule::FloatIn(unit) => (
                Type::Float,
                Unit::base(unit),
                args.iter().any(|a| a.nullable),
            ),
            ResultRule::Common | ResultRule::FirstNonNull => {
                let values: Vec<&TypedExpr> = args
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| function.arg_kind(*i) == ArgKind::Value)
                    .map(|(_, a)| a)
                    .collect();
                let (mut ty, mut unit) = (values.first()?.ty, values.first()?.unit.clone());
                let mut anchor = *values.first()?;
                for next in values.iter().skip(1) {
                    let u = self.expect_comparable(anchor, next, "mix")?;
                    ty = merge(ty, next.ty);
                    unit = u;
                    if anchor.takes_other_unit() {
                        anchor = next;
                    }
                }
                let nullable = if spec.result == ResultRule::Common {
                    values.iter().any(|v| v.nullable)
                } else {
                    values.iter().all(|v| v.nullable)
                };
                (ty, unit, nullable)
            }
        };
        Some(typed(
            Node::Call {
                function,
                args,
                filter,
            },
            ty,
            unit,
            nullable,
        ))
    }
}

/// The type two comparable values share.
fn merge(a: Type, b: Type) -> Type {
    if a == b {
        a
    } else if a.is_numeric() && b.is_numeric() {
        a.arithmetic(b)
    } else if a == Type::Null {
        b
    } else {
        a
    }
}

/// The help line for a misused function: how it is called and what it does.
pub(super) fn usage(function: Function) -> String {
    let spec = function.spec();
    format!("{}: {}", spec.signature, spec.doc)
}
