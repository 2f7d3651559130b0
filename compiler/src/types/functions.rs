//! The functions of the language (LANGUAGE.md §4): their names, arity, where
//! they may stand, and the type and unit of their result.

use super::check::{unify_units, Checker, Typed};
use super::{Type, Unit};
use crate::diagnostics::{Code, Diagnostic};
use crate::syntax::ast::{Expr, ExprKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Function {
    Count,
    CountDistinct,
    Sum,
    Avg,
    Min,
    Max,
    Median,
    Percentile,
    Coalesce,
    Abs,
    Round,
    Lower,
    Upper,
    HoursBetween,
    DaysBetween,
    If,
}

pub const NAMES: &[&str] = &[
    "count",
    "count_distinct",
    "sum",
    "avg",
    "min",
    "max",
    "median",
    "percentile",
    "coalesce",
    "abs",
    "round",
    "lower",
    "upper",
    "hours_between",
    "days_between",
    "if",
];

impl Function {
    pub fn parse(name: &str) -> Option<Function> {
        use Function::*;
        Some(match name {
            "count" => Count,
            "count_distinct" => CountDistinct,
            "sum" => Sum,
            "avg" => Avg,
            "min" => Min,
            "max" => Max,
            "median" => Median,
            "percentile" => Percentile,
            "coalesce" => Coalesce,
            "abs" => Abs,
            "round" => Round,
            "lower" => Lower,
            "upper" => Upper,
            "hours_between" => HoursBetween,
            "days_between" => DaysBetween,
            "if" => If,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        NAMES.get(self as usize).copied().unwrap_or("?")
    }

    pub fn is_aggregate(self) -> bool {
        use Function::*;
        matches!(
            self,
            Count | CountDistinct | Sum | Avg | Min | Max | Median | Percentile
        )
    }

    pub fn allowed_in_derived(self) -> bool {
        use Function::*;
        matches!(self, Abs | Round | Coalesce | If)
    }

    /// Fewest and most arguments.
    pub fn arity(self) -> (usize, usize) {
        use Function::*;
        match self {
            Count => (0, 1),
            CountDistinct | Sum | Avg | Min | Max | Median | Abs | Lower | Upper => (1, 1),
            Percentile | HoursBetween | DaysBetween => (2, 2),
            Round => (1, 2),
            Coalesce => (1, usize::MAX),
            If => (3, 3),
        }
    }

    pub fn signature(self) -> &'static str {
        use Function::*;
        match self {
            Count => "count() or count(x), with an optional `where`: count(where score >= 9)",
            CountDistinct => "count_distinct(x)",
            Sum => "sum(x) of a number",
            Avg => "avg(x) of a number",
            Min => "min(x)",
            Max => "max(x)",
            Median => "median(x) of a number",
            Percentile => "percentile(x, p) with 0 <= p <= 1",
            Coalesce => "coalesce(a, b, ...)",
            Abs => "abs(x)",
            Round => "round(x) or round(x, digits)",
            Lower => "lower(s)",
            Upper => "upper(s)",
            HoursBetween => "hours_between(t1, t2): fractional hours from t1 to t2",
            DaysBetween => "days_between(t1, t2): fractional days from t1 to t2",
            If => "if(condition, then, else)",
        }
    }
}

/// The type of `function(args)`, reporting misfit arguments.
pub(super) fn result(
    cx: &mut Checker<'_>,
    function: Function,
    call: &Expr,
    args: &[Expr],
    typed: &[Typed],
) -> Option<Typed> {
    use Function::*;
    let arg = |i: usize| typed.get(i).cloned();
    let span_of = |i: usize| args.get(i).map(|a| a.span).unwrap_or(call.span);
    let need =
        |cx: &mut Checker<'_>, i: usize, ok: fn(Type) -> bool, what: &str| -> Option<Typed> {
            let t = arg(i)?;
            if ok(t.ty) {
                Some(t)
            } else {
                cx.diagnostics().push(
                    Diagnostic::error(
                        Code::TypeMismatch,
                        span_of(i),
                        format!("`{}` needs {what}, but this is {}", function.name(), t.ty),
                    )
                    .label(format!("this is {}", t.ty))
                    .help(function.signature()),
                );
                None
            }
        };
    let numeric = |t: Type| t.is_numeric();
    Some(match function {
        Count | CountDistinct => Typed::new(Type::Int, Unit::dimensionless(), false),
        Sum => {
            let t = need(cx, 0, numeric, "a number")?;
            Typed::new(t.ty, t.unit, true)
        }
        Avg | Median => {
            let t = need(cx, 0, numeric, "a number")?;
            Typed::new(Type::Float, t.unit, true)
        }
        Percentile => {
            let t = need(cx, 0, numeric, "a number")?;
            let p = match args.get(1).map(|a| &a.kind) {
                Some(ExprKind::Number { value, .. }) => Some(*value),
                Some(ExprKind::Percent { value }) => Some(*value),
                _ => None,
            };
            match p {
                Some(p) if (0.0..=1.0).contains(&p) => {}
                _ => {
                    cx.argument(
                        span_of(1),
                        "`percentile` needs a constant p with 0 <= p <= 1".to_owned(),
                    );
                    return None;
                }
            }
            Typed::new(Type::Float, t.unit, true)
        }
        Min | Max => {
            let t = need(
                cx,
                0,
                |t| t.is_numeric() || t.is_temporal() || t == Type::String,
                "a number, a string or a time",
            )?;
            Typed::new(t.ty, t.unit, true)
        }
        Abs => need(cx, 0, numeric, "a number")?,
        Round => {
            let t = need(cx, 0, numeric, "a number")?;
            if let Some(digits) = args.get(1) {
                if !matches!(digits.kind, ExprKind::Number { integer: true, .. }) {
                    cx.argument(
                        digits.span,
                        "`round` needs a whole number of digits, such as `round(x, 2)`".to_owned(),
                    );
                    return None;
                }
            }
            t
        }
        Lower | Upper => need(cx, 0, |t| t == Type::String || t == Type::Null, "a string")?,
        HoursBetween | DaysBetween => {
            need(cx, 0, |t| t.is_temporal(), "a date or timestamp")?;
            let b = need(cx, 1, |t| t.is_temporal(), "a date or timestamp")?;
            let unit = if function == HoursBetween { "h" } else { "d" };
            let nullable = arg(0).map(|a| a.nullable).unwrap_or(true) || b.nullable;
            Typed::new(Type::Float, Unit::base(unit), nullable)
        }
        Coalesce => {
            let mut acc = arg(0)?;
            for i in 1..typed.len() {
                let next = arg(i)?;
                let unit = cx.expect_comparable(&acc, &args[0], &next, &args[i], "mix")?;
                acc = Typed {
                    ty: merge(acc.ty, next.ty),
                    unit,
                    nullable: acc.nullable && next.nullable,
                    literal: acc.literal && next.literal,
                };
            }
            acc
        }
        If => {
            need(
                cx,
                0,
                |t| t == Type::Bool || t == Type::Null,
                "a condition (true or false)",
            )?;
            let (a, b) = (arg(1)?, arg(2)?);
            let unit = cx.expect_comparable(&a, &args[1], &b, &args[2], "mix")?;
            Typed {
                ty: merge(a.ty, b.ty),
                unit: unify_units(&a, &b).unwrap_or(unit),
                nullable: a.nullable || b.nullable,
                literal: a.literal && b.literal,
            }
        }
    })
}

/// The type two comparable branches share.
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
