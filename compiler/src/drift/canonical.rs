//! The canonical text of a typed expression: the same for every way of
//! writing the same meaning that Yardstick can recognise, and different
//! whenever it is unsure (LANGUAGE.md §7).
//!
//! Rules: layout and comments never reach the IR; constants are folded,
//! also inside a chain (`25 * 2 * x` is `50 * x`); the operands of
//! `+ * and or == !=` are flattened (for `+ * and or`) and sorted; `a > b`
//! is written `b < a` and `a >= b` `b <= a`; `in` lists are sorted;
//! `count(*)` is `count()`; a percent is its fraction; numbers are written
//! in their shortest exact form (`2` and `2.0` are the same number).

use crate::ir::{BinaryOp, CmpOp, Literal, Node, TypedExpr, UnaryOp};
use crate::syntax::literal::format_date;

/// The canonical text of `expr`.
pub fn canonical(expr: &TypedExpr) -> String {
    match fold(expr) {
        Some(n) => number(n),
        None => text(expr),
    }
}

/// The value of a constant numeric expression.
fn fold(expr: &TypedExpr) -> Option<f64> {
    match &expr.node {
        Node::Literal { value } => value.number(),
        Node::Unary {
            op: UnaryOp::Neg,
            operand,
        } => fold(operand).map(|v| -v),
        Node::Binary { op, left, right } => {
            let (l, r) = (fold(left)?, fold(right)?);
            let v = match op {
                BinaryOp::Add => l + r,
                BinaryOp::Sub => l - r,
                BinaryOp::Mul => l * r,
                // A zero divisor gives null, not a number: leave it unfolded.
                BinaryOp::Div if r != 0.0 => l / r,
                _ => return None,
            };
            v.is_finite().then_some(v)
        }
        _ => None,
    }
}

fn number(v: f64) -> String {
    if v == 0.0 {
        return "0".to_owned();
    }
    let s = format!("{v}");
    s.strip_suffix(".0").map(str::to_owned).unwrap_or(s)
}

fn quote(s: &str) -> String {
    format!("{s:?}")
}

/// Operands of a chain of the same associative operator, flattened.
fn chain<'e>(expr: &'e TypedExpr, op: BinaryOp, out: &mut Vec<&'e TypedExpr>) {
    match &expr.node {
        Node::Binary { op: o, left, right } if *o == op => {
            chain(left, op, out);
            chain(right, op, out);
        }
        _ => out.push(expr),
    }
}

/// The sorted operands of a `+` or `*` chain, its constants folded into one
/// (left out when it is the operation's identity).
fn arithmetic_chain(expr: &TypedExpr, op: BinaryOp) -> Vec<String> {
    let mut operands = Vec::new();
    chain(expr, op, &mut operands);
    let (identity, combine): (f64, fn(f64, f64) -> f64) = match op {
        BinaryOp::Mul => (1.0, |a, b| a * b),
        _ => (0.0, |a, b| a + b),
    };
    let mut constant: Option<f64> = None;
    let mut parts = Vec::new();
    for operand in operands {
        match fold(operand) {
            Some(v) => constant = Some(combine(constant.unwrap_or(identity), v)),
            None => parts.push(canonical(operand)),
        }
    }
    match constant {
        Some(c) if !c.is_finite() => parts.push(number(c)),
        Some(c) if c != identity || parts.is_empty() => parts.push(number(c)),
        _ => {}
    }
    parts.sort();
    parts
}

fn literal(value: &Literal) -> String {
    match value {
        Literal::Int(_) | Literal::Float(_) | Literal::Percent(_) => {
            number(value.number().unwrap_or_default())
        }
        Literal::String(s) => quote(s),
        Literal::Bool(b) => b.to_string(),
        Literal::Null => "null".to_owned(),
        Literal::Date(days) => format!("@{}", format_date(*days)),
        Literal::Timestamp(micros) => format!("@t{micros}"),
    }
}

fn text(expr: &TypedExpr) -> String {
    match &expr.node {
        Node::Literal { value } => literal(value),
        Node::Column { column } => column.path(),
        Node::Metric { metric } => metric.to_string(),
        Node::Offset { metric, by } => format!("offset({metric}, {by})"),
        Node::Unary { op, operand } => match op {
            UnaryOp::Neg => format!("(-{})", canonical(operand)),
            UnaryOp::Not => format!("(not {})", canonical(operand)),
        },
        Node::Binary { op, left, right } => match op {
            BinaryOp::Add | BinaryOp::Mul => {
                let parts = arithmetic_chain(expr, *op);
                match parts.as_slice() {
                    [only] => only.clone(),
                    _ => format!("({})", parts.join(&format!(" {} ", op.symbol()))),
                }
            }
            BinaryOp::And | BinaryOp::Or => {
                let mut operands = Vec::new();
                chain(expr, *op, &mut operands);
                let mut parts: Vec<String> = operands.into_iter().map(canonical).collect();
                parts.sort();
                format!("({})", parts.join(&format!(" {} ", op.symbol())))
            }
            BinaryOp::Cmp(CmpOp::Eq) | BinaryOp::Cmp(CmpOp::Ne) => {
                let mut parts = [canonical(left), canonical(right)];
                parts.sort();
                format!("({} {} {})", parts[0], op.symbol(), parts[1])
            }
            BinaryOp::Cmp(CmpOp::Gt) => format!("({} < {})", canonical(right), canonical(left)),
            BinaryOp::Cmp(CmpOp::Ge) => {
                format!("({} <= {})", canonical(right), canonical(left))
            }
            _ => format!("({} {} {})", canonical(left), op.symbol(), canonical(right)),
        },
        Node::In {
            operand,
            list,
            negated,
        } => {
            let mut items: Vec<String> = list.iter().map(canonical).collect();
            items.sort();
            items.dedup();
            let word = if *negated { "not in" } else { "in" };
            format!("({} {word} [{}])", canonical(operand), items.join(", "))
        }
        Node::IsNull { operand, negated } => {
            let word = if *negated { "is not null" } else { "is null" };
            format!("({} {word})", canonical(operand))
        }
        Node::Between {
            operand,
            low,
            high,
            negated,
        } => format!(
            "({} {}between {} and {})",
            canonical(operand),
            if *negated { "not " } else { "" },
            canonical(low),
            canonical(high)
        ),
        Node::Call {
            function,
            args,
            filter,
        } => {
            let args: Vec<String> = args.iter().map(canonical).collect();
            let name = function.name();
            match filter {
                Some(f) => format!("{name}({} where {})", args.join(", "), canonical(f)),
                None => format!("{name}({})", args.join(", ")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::canonical;
    use crate::diagnostics::Diagnostics;
    use crate::ir::{ColumnRef, Node, TypedExpr};
    use crate::span::FileId;
    use crate::syntax::parse_expression;
    use crate::types::check::{Checker, Lookup, Mode, Scope};
    use crate::types::{Type, Unit};

    /// Every name is a float column; aggregates are allowed.
    struct AnyColumn;

    impl Scope for AnyColumn {
        fn lookup(&self, parts: &[String]) -> Lookup {
            Lookup::Found(TypedExpr {
                node: Node::Column {
                    column: ColumnRef::from_path(&parts.join(".")),
                },
                ty: if parts
                    .first()
                    .is_some_and(|p| ["p", "q", "r"].contains(&p.as_str()))
                {
                    Type::Bool
                } else {
                    Type::Float
                },
                unit: Unit::dimensionless(),
                nullable: true,
                span: Default::default(),
            })
        }
    }

    fn c(text: &str) -> String {
        let mut diags = Diagnostics::new();
        let e = parse_expression(FileId(0), text, &mut diags).expect("parses");
        let mode = if text.contains("count") {
            Mode::Formula
        } else {
            Mode::Row
        };
        let typed = Checker::new(&AnyColumn, mode, &mut diags).check(&e);
        assert!(diags.is_empty(), "{text}: {:?}", diags.iter().next());
        canonical(&typed.expect("checks"))
    }

    #[test]
    fn the_same_meaning_has_one_text() {
        assert_eq!(c("a + b + c"), c("c + (b + a)"));
        assert_eq!(c("x > 3"), c("3 < x"));
        assert_eq!(c("x >= 3"), c("3 <= x"));
        assert_eq!(c("k == 2"), c("2 == k"));
        assert_eq!(c("k in [2, 1]"), c("k in [1, 2]"));
        assert_eq!(c("count(*)"), c("count()"));
        assert_eq!(c("100 * count()"), c("count() * (50 + 50)"));
        assert_eq!(c("25 * 2 * count()"), c("50 * count()"));
        assert_eq!(c("1 + count() + 2"), c("count() + 3"));
        assert_eq!(c("1 * count()"), c("count()"));
        assert_eq!(c("x > 70%"), c("x > 0.7"));
        assert_eq!(c("p and q and r"), c("r and (q and p)"));
        assert_eq!(c("count() / 2"), c("count() / 2.0"));
    }

    #[test]
    fn different_meanings_stay_different() {
        assert_ne!(c("a - b"), c("b - a"));
        assert_ne!(c("a / b"), c("b / a"));
        assert_ne!(c("x > 3"), c("x >= 3"));
        assert_ne!(c("count(where p)"), c("count()"));
        assert_ne!(c("p and q or r"), c("p and (q or r)"));
        assert_ne!(c("1 / 0"), c("0"));
        assert_ne!(c("2 * count()"), c("count() + 2"));
    }
}
