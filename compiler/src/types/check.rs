//! The expression checker: infers the type, unit and nullability of an
//! expression and reports every misuse (type and unit mismatches, levels,
//! arity) with the span of the offending operand.
//!
//! Names are looked up through a [`Scope`], so the same checker serves row
//! filters (columns), base formulas (columns inside aggregates) and derived
//! formulas (metrics).

use super::functions::{self, Function};
use super::{Type, Unit};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::resolve::suggest::did_you_mean;
use crate::span::Span;
use crate::syntax::ast::{BinaryOp, Expr, ExprKind, UnaryOp};

/// What an expression evaluates to.
#[derive(Debug, Clone, PartialEq)]
pub struct Typed {
    pub ty: Type,
    pub unit: Unit,
    pub nullable: bool,
    /// A bare number or `null` literal: takes the unit of what it meets in a
    /// comparison, `coalesce` or `if` (`cost_usd > 100`).
    pub literal: bool,
}

impl Typed {
    pub fn new(ty: Type, unit: Unit, nullable: bool) -> Typed {
        Typed {
            ty,
            unit,
            nullable,
            literal: false,
        }
    }

    fn plain(ty: Type) -> Typed {
        Typed::new(ty, Unit::dimensionless(), false)
    }
}

/// The answer of a [`Scope`] for a name.
pub enum Lookup {
    Found(Typed),
    /// Not there; `kind` says what was looked for, `candidates` what exists.
    Missing {
        kind: &'static str,
        candidates: Vec<String>,
    },
    /// Exists but is broken; already reported, say nothing more.
    Poisoned,
}

pub trait Scope {
    fn lookup(&self, parts: &[String]) -> Lookup;
}

/// Where an expression stands, which decides what it may contain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `where`, `exclude`, aggregate arguments: columns, no aggregates.
    Row,
    /// A base metric's formula: aggregates over columns.
    Formula,
    /// A derived metric's formula: metrics, numbers, `+ - * /`, `abs`,
    /// `round`, `coalesce`, `if`.
    Derived,
}

pub struct Checker<'a> {
    scope: &'a dyn Scope,
    mode: Mode,
    in_aggregate: bool,
    diags: &'a mut Diagnostics,
}

impl<'a> Checker<'a> {
    pub fn new(scope: &'a dyn Scope, mode: Mode, diags: &'a mut Diagnostics) -> Checker<'a> {
        Checker {
            scope,
            mode,
            in_aggregate: false,
            diags,
        }
    }

    /// Checks a predicate (`where`, `exclude`, an aggregate's filter).
    pub fn predicate(&mut self, expr: &Expr, what: &str) {
        if let Some(t) = self.check(expr) {
            if t.ty != Type::Bool && t.ty != Type::Null {
                self.diags.push(
                    Diagnostic::error(
                        Code::TypeMismatch,
                        expr.span,
                        format!("{what} must be true or false, but this is {}", t.ty),
                    )
                    .label(format!("this is {}", t.ty))
                    .help("compare it with something, for example `x == \"a\"` or `x is not null`"),
                );
            }
        }
    }

    /// Infers the type of `expr`; `None` when it is broken (already reported).
    pub fn check(&mut self, expr: &Expr) -> Option<Typed> {
        match &expr.kind {
            ExprKind::Number { integer, .. } => Some(Typed {
                literal: true,
                ..Typed::plain(if *integer { Type::Int } else { Type::Float })
            }),
            ExprKind::Percent { .. } => Some(Typed::plain(Type::Float)),
            ExprKind::String { .. } => Some(Typed::plain(Type::String)),
            ExprKind::Bool { .. } => Some(Typed::plain(Type::Bool)),
            ExprKind::Null => Some(Typed {
                literal: true,
                nullable: true,
                ..Typed::plain(Type::Null)
            }),
            ExprKind::Duration { .. } => Some(Typed::plain(Type::Duration)),
            ExprKind::Date { .. } => Some(Typed::plain(Type::Date)),
            ExprKind::Timestamp { .. } => Some(Typed::plain(Type::Timestamp)),
            ExprKind::Path { parts } => self.path(parts, expr.span),
            ExprKind::Unary { op, operand } => self.unary(*op, operand),
            ExprKind::Binary { op, left, right } => self.binary(*op, left, right),
            ExprKind::In { operand, list, .. } => {
                let t = self.check(operand)?;
                for item in list {
                    if let Some(i) = self.check(item) {
                        self.expect_comparable(&t, operand, &i, item, "compare");
                    }
                }
                Some(Typed::new(Type::Bool, Unit::dimensionless(), t.nullable))
            }
            ExprKind::IsNull { operand, .. } => {
                self.check(operand)?;
                Some(Typed::plain(Type::Bool))
            }
            ExprKind::Between {
                operand, low, high, ..
            } => {
                let t = self.check(operand);
                let l = self.check(low);
                let h = self.check(high);
                let t = t?;
                if let Some(l) = l {
                    self.expect_comparable(&t, operand, &l, low, "compare");
                }
                if let Some(h) = h {
                    self.expect_comparable(&t, operand, &h, high, "compare");
                }
                Some(Typed::new(Type::Bool, Unit::dimensionless(), t.nullable))
            }
            ExprKind::Call {
                function,
                args,
                star,
                filter,
            } => self.call(expr, function, args, *star, filter.as_deref()),
            ExprKind::List { .. } => {
                self.diags.push(
                    Diagnostic::error(
                        Code::TypeMismatch,
                        expr.span,
                        "a list is only allowed after `in`",
                    )
                    .label("list here")
                    .help("write `x in [\"a\", \"b\"]`"),
                );
                None
            }
            ExprKind::Error => None,
        }
    }

    fn path(&mut self, parts: &[String], span: Span) -> Option<Typed> {
        match self.scope.lookup(parts) {
            Lookup::Found(t) => {
                if self.mode == Mode::Formula && !self.in_aggregate {
                    self.diags.push(
                        Diagnostic::error(
                            Code::Unaggregated,
                            span,
                            format!(
                                "column `{}` is used outside an aggregate",
                                parts.join(".")
                            ),
                        )
                        .label("not aggregated")
                        .help(format!(
                            "a metric's formula must be fully aggregated: wrap it, e.g. `sum({0})` or `count({0})`",
                            parts.join(".")
                        )),
                    );
                    return None;
                }
                Some(t)
            }
            Lookup::Poisoned => None,
            Lookup::Missing { kind, candidates } => {
                let name = parts.join(".");
                let mut d =
                    Diagnostic::error(Code::Unresolved, span, format!("no {kind} named `{name}`"))
                        .label(format!("unknown {kind}"));
                if let Some(s) = did_you_mean(&name, candidates.iter().map(String::as_str)) {
                    d = d.help(format!("did you mean `{s}`?"));
                }
                self.diags.push(d);
                None
            }
        }
    }

    fn unary(&mut self, op: UnaryOp, operand: &Expr) -> Option<Typed> {
        let t = self.check(operand)?;
        let ok = match op {
            UnaryOp::Neg => t.ty.is_numeric(),
            UnaryOp::Not => matches!(t.ty, Type::Bool | Type::Null),
        };
        if !ok {
            let (needs, word) = match op {
                UnaryOp::Neg => ("a number", "-"),
                UnaryOp::Not => ("true or false", "not"),
            };
            self.mismatch(
                operand.span,
                format!("`{word}` needs {needs}, but this is {}", t.ty),
                &t,
                None,
            );
            return None;
        }
        Some(t)
    }

    fn binary(&mut self, op: BinaryOp, left: &Expr, right: &Expr) -> Option<Typed> {
        let l = self.check(left);
        let r = self.check(right);
        let (l, r) = (l?, r?);
        let nullable = l.nullable || r.nullable;
        match op {
            BinaryOp::And | BinaryOp::Or => {
                for (t, e) in [(&l, left), (&r, right)] {
                    if !matches!(t.ty, Type::Bool | Type::Null) {
                        self.mismatch(
                            e.span,
                            format!(
                                "`{}` needs true or false, but this is {}",
                                op.symbol(),
                                t.ty
                            ),
                            t,
                            None,
                        );
                        return None;
                    }
                }
                Some(Typed::new(Type::Bool, Unit::dimensionless(), nullable))
            }
            BinaryOp::Cmp(_) => {
                self.expect_comparable(&l, left, &r, right, "compare")?;
                Some(Typed::new(Type::Bool, Unit::dimensionless(), nullable))
            }
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div => {
                for (t, e) in [(&l, left), (&r, right)] {
                    if !t.ty.is_numeric() {
                        let other = if std::ptr::eq(e, left) {
                            (&r, right)
                        } else {
                            (&l, left)
                        };
                        self.mismatch(
                            e.span,
                            format!("`{}` needs numbers, but this is {}", op.symbol(), t.ty),
                            t,
                            Some(other),
                        );
                        return None;
                    }
                }
                let unit = match op {
                    BinaryOp::Mul => l.unit.mul(&r.unit),
                    BinaryOp::Div => l.unit.div(&r.unit),
                    _ => {
                        if l.unit != r.unit {
                            self.diags.push(
                                Diagnostic::error(
                                    Code::UnitMismatch,
                                    right.span,
                                    format!(
                                        "cannot {} {} and {}",
                                        if op == BinaryOp::Add {
                                            "add"
                                        } else {
                                            "subtract"
                                        },
                                        l.unit,
                                        r.unit
                                    ),
                                )
                                .label(format!("this is {}", r.unit))
                                .with_secondary(left.span, format!("this is {}", l.unit))
                                .help(
                                    "only values of the same unit add up; convert one side first",
                                ),
                            );
                            return None;
                        }
                        l.unit.clone()
                    }
                };
                let ty = if op == BinaryOp::Div {
                    Type::Float
                } else {
                    l.ty.arithmetic(r.ty)
                };
                // True division: a zero divisor gives null.
                let nullable = nullable || op == BinaryOp::Div;
                Some(Typed::new(ty, unit, nullable))
            }
        }
    }

    /// Reports a type or unit clash between two operands; `None` on a clash.
    pub(crate) fn expect_comparable(
        &mut self,
        l: &Typed,
        left: &Expr,
        r: &Typed,
        right: &Expr,
        verb: &str,
    ) -> Option<Unit> {
        if !l.ty.comparable(r.ty) {
            self.mismatch(
                right.span,
                format!("cannot {verb} {} with {}", l.ty, r.ty),
                r,
                Some((l, left)),
            );
            return None;
        }
        match unify_units(l, r) {
            Some(u) => Some(u),
            None => {
                self.diags.push(
                    Diagnostic::error(
                        Code::UnitMismatch,
                        right.span,
                        format!("cannot {verb} {} with {}", l.unit, r.unit),
                    )
                    .label(format!("this is {}", r.unit))
                    .with_secondary(left.span, format!("this is {}", l.unit))
                    .help("both sides must have the same unit; a percent such as 70% is dimensionless"),
                );
                None
            }
        }
    }

    fn mismatch(
        &mut self,
        span: Span,
        message: String,
        found: &Typed,
        other: Option<(&Typed, &Expr)>,
    ) {
        let mut d = Diagnostic::error(Code::TypeMismatch, span, message)
            .label(format!("this is {}", found.ty));
        if let Some((t, e)) = other {
            d = d.with_secondary(e.span, format!("this is {}", t.ty));
        }
        self.diags.push(d);
    }

    fn call(
        &mut self,
        expr: &Expr,
        name: &str,
        args: &[Expr],
        star: bool,
        filter: Option<&Expr>,
    ) -> Option<Typed> {
        let Some(function) = Function::parse(name) else {
            let mut d = Diagnostic::error(
                Code::UnknownFunction,
                expr.span,
                format!("no function named `{name}`"),
            )
            .label("unknown function");
            if let Some(s) = did_you_mean(name, functions::NAMES.iter().copied()) {
                d = d.help(format!("did you mean `{s}`?"));
            }
            self.diags.push(d);
            return None;
        };
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
            self.diags.push(
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
                .help(function.signature()),
            );
            return None;
        }
        let outer = self.in_aggregate;
        let outer_mode = self.mode;
        if function.is_aggregate() {
            self.in_aggregate = true;
            self.mode = Mode::Row;
        }
        let typed: Vec<Option<Typed>> = args.iter().map(|a| self.check(a)).collect();
        if let Some(f) = filter {
            self.predicate(f, "an aggregate's `where`");
        }
        self.in_aggregate = outer;
        self.mode = outer_mode;
        let typed: Option<Vec<Typed>> = typed.into_iter().collect();
        functions::result(self, function, expr, args, &typed?)
    }

    /// Whether `function` may appear here; reports when it may not.
    fn level_allows(&mut self, function: Function, expr: &Expr, filter: Option<&Expr>) -> bool {
        let name = function.name();
        if function.is_aggregate() {
            let problem = match (self.mode, self.in_aggregate) {
                (Mode::Row, true) | (Mode::Formula, true) => Some((
                    Code::NestedAggregate,
                    format!("`{name}` is inside another aggregate"),
                    "aggregates cannot nest; compute the inner value as its own metric",
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
                self.diags.push(
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
        if self.mode == Mode::Derived && !function.allowed_in_derived() {
            self.diags.push(
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

    pub(crate) fn argument(&mut self, span: Span, message: String) {
        self.diags.push(
            Diagnostic::error(Code::Argument, span, message)
                .label("not accepted here")
                .help("see docs/language.md for what each function takes"),
        );
    }

    pub(crate) fn diagnostics(&mut self) -> &mut Diagnostics {
        self.diags
    }
}

/// The common unit of two values that meet in a comparison, `coalesce` or
/// `if`; a bare literal takes the other side's unit.
pub(crate) fn unify_units(l: &Typed, r: &Typed) -> Option<Unit> {
    if l.unit == r.unit {
        Some(l.unit.clone())
    } else if l.literal {
        Some(r.unit.clone())
    } else if r.literal {
        Some(l.unit.clone())
    } else {
        None
    }
}
