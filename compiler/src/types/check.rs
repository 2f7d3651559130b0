//! The expression checker: turns a syntax expression into a [`TypedExpr`],
//! inferring each node's type, unit and nullability, resolving names and
//! decoding literals, and reporting every misuse (type and unit mismatches,
//! levels, arity) with the span of the offending operand.
//!
//! Names are looked up through a [`Scope`], so the same checker serves row
//! filters (columns), base formulas (columns inside aggregates) and derived
//! formulas (metrics). Calls are typed from the function registry in
//! [`super::calls`].

use super::{Type, Unit};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::ir::{BinaryOp, ColumnRef, Literal, Node, TypedExpr, UnaryOp};
use crate::resolve::suggest::did_you_mean;
use crate::span::Span;
use crate::syntax::ast::{Expr, ExprKind};

/// The answer of a [`Scope`] for a name.
pub enum Lookup {
    /// The resolved reference, typed (its span is set by the checker).
    Found(TypedExpr),
    /// Not there; `kind` says what was looked for, `candidates` what exists.
    Missing {
        kind: &'static str,
        candidates: Vec<String>,
    },
    /// Exists but is broken; already reported, say nothing more.
    Poisoned,
    /// Names something that may not be read from here (a join path that
    /// fans out); reported at the name.
    Refused(Refusal),
}

/// A name refused by a [`Scope`]: the diagnostic without its span.
#[derive(Debug, Clone)]
pub struct Refusal {
    pub code: Code,
    pub message: String,
    pub label: String,
    pub help: String,
}

impl Refusal {
    pub fn at(self, span: Span) -> Diagnostic {
        Diagnostic::error(self.code, span, self.message)
            .label(self.label)
            .help(self.help)
    }
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
    pub(super) mode: Mode,
    pub(super) in_aggregate: bool,
    /// `per: COLUMN` of a two-level metric: its outer aggregates may hold
    /// inner ones.
    pub(super) per: Option<ColumnRef>,
    /// Inside an outer aggregate of a two-level metric and outside any
    /// inner one: one row per entity, where only the `per` column and
    /// inner aggregates have a value.
    pub(super) entity: bool,
    diags: &'a mut Diagnostics,
}

/// A node with its type, unit and nullability, before its span is set.
pub(super) fn typed(node: Node, ty: Type, unit: Unit, nullable: bool) -> TypedExpr {
    TypedExpr {
        node,
        ty,
        unit,
        nullable,
        span: Span::default(),
    }
}

/// The value of a literal expression; `None` for anything else.
pub fn decode_literal(expr: &Expr) -> Option<Literal> {
    Some(match &expr.kind {
        ExprKind::Number { value, integer } => {
            if *integer {
                // The parser keeps whole literals within f64's exact range.
                Literal::Int(*value as i64)
            } else {
                Literal::Float(*value)
            }
        }
        ExprKind::Percent { value } => Literal::Percent(*value),
        ExprKind::String { value } => Literal::String(value.clone()),
        ExprKind::Bool { value } => Literal::Bool(*value),
        ExprKind::Null => Literal::Null,
        ExprKind::Date { days, .. } => Literal::Date(*days),
        ExprKind::Timestamp { micros, .. } => Literal::Timestamp(*micros),
        _ => return None,
    })
}

fn literal(value: Literal, ty: Type) -> TypedExpr {
    let nullable = value == Literal::Null;
    typed(Node::Literal { value }, ty, Unit::dimensionless(), nullable)
}

impl<'a> Checker<'a> {
    pub fn new(scope: &'a dyn Scope, mode: Mode, diags: &'a mut Diagnostics) -> Checker<'a> {
        Checker {
            scope,
            mode,
            in_aggregate: false,
            per: None,
            entity: false,
            diags,
        }
    }

    /// A checker for a two-level metric's formula, grouped per `column`.
    pub fn per(mut self, column: ColumnRef) -> Checker<'a> {
        self.per = Some(column);
        self
    }

    /// Checks a predicate (`where`, `exclude`, an aggregate's filter).
    pub fn predicate(&mut self, expr: &Expr, what: &str) -> Option<TypedExpr> {
        let t = self.check(expr)?;
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
            return None;
        }
        Some(t)
    }

    /// Types `expr`; `None` when it is broken (already reported).
    pub fn check(&mut self, expr: &Expr) -> Option<TypedExpr> {
        let mut out = self.node(expr)?;
        out.span = expr.span;
        Some(out)
    }

    fn node(&mut self, expr: &Expr) -> Option<TypedExpr> {
        match &expr.kind {
            ExprKind::Number { .. }
            | ExprKind::Percent { .. }
            | ExprKind::String { .. }
            | ExprKind::Bool { .. }
            | ExprKind::Null
            | ExprKind::Date { .. }
            | ExprKind::Timestamp { .. } => {
                let value = decode_literal(expr)?;
                let ty = value.ty();
                Some(literal(value, ty))
            }
            ExprKind::Duration { value } => {
                self.diags.push(
                    Diagnostic::error(
                        Code::TypeMismatch,
                        expr.span,
                        format!("the duration `{value}` is not a value an expression can use"),
                    )
                    .label("a duration")
                    .help("durations belong in `lookback`, `freshness` and `after`; to compare times use `hours_between(t1, t2) > 24`"),
                );
                None
            }
            ExprKind::Path { parts } => self.path(parts, expr.span),
            ExprKind::Unary { op, operand } => self.unary(*op, operand),
            ExprKind::Binary { op, left, right } => self.binary(*op, left, right),
            ExprKind::In {
                operand,
                list,
                negated,
            } => {
                let t = self.check(operand)?;
                let mut items = Vec::new();
                for item in list {
                    if let Some(i) = self.check(item) {
                        self.expect_comparable(&t, &i, "compare")?;
                        items.push(i);
                    }
                }
                let nullable = t.nullable;
                Some(typed(
                    Node::In {
                        operand: Box::new(t),
                        list: items,
                        negated: *negated,
                    },
                    Type::Bool,
                    Unit::dimensionless(),
                    nullable,
                ))
            }
            ExprKind::IsNull { operand, negated } => {
                let t = self.check(operand)?;
                Some(typed(
                    Node::IsNull {
                        operand: Box::new(t),
                        negated: *negated,
                    },
                    Type::Bool,
                    Unit::dimensionless(),
                    false,
                ))
            }
            ExprKind::Between {
                operand,
                low,
                high,
                negated,
            } => {
                let t = self.check(operand);
                let l = self.check(low);
                let h = self.check(high);
                let (t, l, h) = (t?, l?, h?);
                self.expect_comparable(&t, &l, "compare")?;
                self.expect_comparable(&t, &h, "compare")?;
                let nullable = t.nullable || l.nullable || h.nullable;
                Some(typed(
                    Node::Between {
                        operand: Box::new(t),
                        low: Box::new(l),
                        high: Box::new(h),
                        negated: *negated,
                    },
                    Type::Bool,
                    Unit::dimensionless(),
                    nullable,
                ))
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

    /// What the scope finds for a name, without reporting anything.
    pub(super) fn lookup(&self, parts: &[String]) -> Lookup {
        self.scope.lookup(parts)
    }

    fn path(&mut self, parts: &[String], span: Span) -> Option<TypedExpr> {
        match self.scope.lookup(parts) {
            Lookup::Found(t) => {
                if let (true, Some(per), Node::Column { column }) =
                    (self.entity, &self.per, &t.node)
                {
                    if column != per {
                        self.diags.push(
                            Diagnostic::error(
                                Code::Unaggregated,
                                span,
                                format!(
                                    "column `{}` is read once per `{per}`, but it can differ within one",
                                    parts.join(".")
                                ),
                            )
                            .label("not aggregated per entity")
                            .help(format!(
                                "the outer aggregates see one row per `{per}`: aggregate the column inside, e.g. `avg(sum({0}))`",
                                parts.join(".")
                            )),
                        );
                        return None;
                    }
                }
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
            Lookup::Refused(r) => {
                self.diags.push(r.at(span));
                None
            }
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

    fn unary(&mut self, op: UnaryOp, operand: &Expr) -> Option<TypedExpr> {
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
                "`-` takes a number and `not` a condition",
            );
            return None;
        }
        let (ty, unit, nullable) = (t.ty, t.unit.clone(), t.nullable);
        Some(typed(
            Node::Unary {
                op,
                operand: Box::new(t),
            },
            ty,
            unit,
            nullable,
        ))
    }

    fn binary(&mut self, op: BinaryOp, left: &Expr, right: &Expr) -> Option<TypedExpr> {
        let l = self.check(left);
        let r = self.check(right);
        let (l, r) = (l?, r?);
        let nullable = l.nullable || r.nullable;
        let (ty, unit, nullable) = match op {
            BinaryOp::And | BinaryOp::Or => {
                for t in [&l, &r] {
                    if !matches!(t.ty, Type::Bool | Type::Null) {
                        let message = format!(
                            "`{}` needs true or false, but this is {}",
                            op.symbol(),
                            t.ty
                        );
                        self.mismatch(
                            t.span,
                            message,
                            t,
                            None,
                            "combine conditions, such as `region == \"EU\" and score >= 9`",
                        );
                        return None;
                    }
                }
                (Type::Bool, Unit::dimensionless(), nullable)
            }
            BinaryOp::Cmp(_) => {
                self.expect_comparable(&l, &r, "compare")?;
                (Type::Bool, Unit::dimensionless(), nullable)
            }
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div => {
                for (t, other) in [(&l, &r), (&r, &l)] {
                    if !t.ty.is_numeric() {
                        let message =
                            format!("`{}` needs numbers, but this is {}", op.symbol(), t.ty);
                        self.mismatch(
                            t.span,
                            message,
                            t,
                            Some(other),
                            "arithmetic works on numbers; count or sum a column to get one",
                        );
                        return None;
                    }
                }
                let unit = match op {
                    BinaryOp::Mul => l.unit.mul(&r.unit),
                    BinaryOp::Div => l.unit.div(&r.unit),
                    _ => {
                        if l.unit != r.unit && !l.unit.is_opaque() && !r.unit.is_opaque() {
                            let verb = if op == BinaryOp::Add {
                                "add"
                            } else {
                                "subtract"
                            };
                            self.diags.push(
                                Diagnostic::error(
                                    Code::UnitMismatch,
                                    r.span,
                                    format!("cannot {verb} {} and {}", l.unit, r.unit),
                                )
                                .label(format!("this is {}", r.unit))
                                .with_secondary(l.span, format!("this is {}", l.unit))
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
                (ty, unit, nullable || op == BinaryOp::Div)
            }
        };
        Some(typed(
            Node::Binary {
                op,
                left: Box::new(l),
                right: Box::new(r),
            },
            ty,
            unit,
            nullable,
        ))
    }

    /// Reports a type or unit clash between two operands; `None` on a clash.
    pub(super) fn expect_comparable(
        &mut self,
        l: &TypedExpr,
        r: &TypedExpr,
        verb: &str,
    ) -> Option<Unit> {
        if !l.ty.comparable(r.ty) {
            self.mismatch(
                r.span,
                format!("cannot {verb} {} with {}", l.ty, r.ty),
                r,
                Some(l),
                "both sides must be of one type: a string in double quotes, a number, or a date such as @2026-06-30",
            );
            return None;
        }
        match unify_units(l, r) {
            Some(u) => Some(u),
            None => {
                self.diags.push(
                    Diagnostic::error(
                        Code::UnitMismatch,
                        r.span,
                        format!("cannot {verb} {} with {}", l.unit, r.unit),
                    )
                    .label(format!("this is {}", r.unit))
                    .with_secondary(l.span, format!("this is {}", l.unit))
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
        found: &TypedExpr,
        other: Option<&TypedExpr>,
        help: &str,
    ) {
        let mut d = Diagnostic::error(Code::TypeMismatch, span, message)
            .label(format!("this is {}", found.ty))
            .help(help.to_owned());
        if let Some(o) = other {
            d = d.with_secondary(o.span, format!("this is {}", o.ty));
        }
        self.diags.push(d);
    }

    pub(crate) fn argument(&mut self, span: Span, message: String) {
        self.diags.push(
            Diagnostic::error(Code::Argument, span, message)
                .label("not accepted here")
                .help("see docs/functions.md for what each function takes"),
        );
    }

    pub(crate) fn diagnostics(&mut self) -> &mut Diagnostics {
        self.diags
    }
}

/// The common unit of two values that meet in a comparison, `coalesce` or
/// `if`; a bare literal takes the other side's unit.
pub(crate) fn unify_units(l: &TypedExpr, r: &TypedExpr) -> Option<Unit> {
    if l.unit == r.unit || r.unit.is_opaque() {
        Some(l.unit.clone())
    } else if l.takes_other_unit() || l.unit.is_opaque() {
        Some(r.unit.clone())
    } else if r.takes_other_unit() {
        Some(l.unit.clone())
    } else {
        None
    }
}
