//! The canonical text of an expression: the same for every way of writing
//! the same meaning that Yardstick can recognise, and different whenever it
//! is unsure (LANGUAGE.md §7).
//!
//! Rules: layout and comments never reach the tree; constants are folded;
//! the operands of `+ * and or == !=` are flattened (for `+ * and or`) and
//! sorted; `a > b` is written `b < a` and `a >= b` `b <= a`; `in` lists are
//! sorted; `count(*)` is `count()`; a percent is its fraction; numbers are
//! written in their shortest exact form (`2` and `2.0` are the same number).

use crate::syntax::ast::{BinaryOp, CmpOp, Expr, ExprKind, UnaryOp};

/// The canonical text of `expr`.
pub fn canonical(expr: &Expr) -> String {
    match fold(expr) {
        Some(n) => number(n),
        None => text(expr),
    }
}

/// The value of a constant numeric expression.
fn fold(expr: &Expr) -> Option<f64> {
    match &expr.kind {
        ExprKind::Number { value, .. } | ExprKind::Percent { value } => Some(*value),
        ExprKind::Unary {
            op: UnaryOp::Neg,
            operand,
        } => fold(operand).map(|v| -v),
        ExprKind::Binary { op, left, right } => {
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
fn chain<'e>(expr: &'e Expr, op: BinaryOp, out: &mut Vec<&'e Expr>) {
    match &expr.kind {
        ExprKind::Binary { op: o, left, right } if *o == op => {
            chain(left, op, out);
            chain(right, op, out);
        }
        _ => out.push(expr),
    }
}

fn text(expr: &Expr) -> String {
    match &expr.kind {
        ExprKind::Number { value, .. } | ExprKind::Percent { value } => number(*value),
        ExprKind::String { value } => quote(value),
        ExprKind::Bool { value } => value.to_string(),
        ExprKind::Null => "null".to_owned(),
        ExprKind::Duration { value } => value.to_string(),
        ExprKind::Date { text, .. } => format!("@{text}"),
        ExprKind::Timestamp { micros, .. } => format!("@t{micros}"),
        ExprKind::Path { parts } => parts.join("."),
        ExprKind::Unary { op, operand } => match op {
            UnaryOp::Neg => format!("(-{})", canonical(operand)),
            UnaryOp::Not => format!("(not {})", canonical(operand)),
        },
        ExprKind::Binary { op, left, right } => match op {
            BinaryOp::Add | BinaryOp::Mul | BinaryOp::And | BinaryOp::Or => {
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
        ExprKind::In {
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
        ExprKind::IsNull { operand, negated } => {
            let word = if *negated { "is not null" } else { "is null" };
            format!("({} {word})", canonical(operand))
        }
        ExprKind::Between {
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
        ExprKind::Call {
            function,
            args,
            filter,
            ..
        } => {
            let args: Vec<String> = args.iter().map(canonical).collect();
            match filter {
                Some(f) => format!("{function}({} where {})", args.join(", "), canonical(f)),
                None => format!("{function}({})", args.join(", ")),
            }
        }
        ExprKind::List { items } => {
            let items: Vec<String> = items.iter().map(canonical).collect();
            format!("[{}]", items.join(", "))
        }
        ExprKind::Error => "<error>".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::canonical;
    use crate::diagnostics::Diagnostics;
    use crate::span::FileId;
    use crate::syntax::parse_expression;

    fn c(text: &str) -> String {
        let mut diags = Diagnostics::new();
        let e = parse_expression(FileId(0), text, &mut diags).expect("parses");
        canonical(&e)
    }

    #[test]
    fn the_same_meaning_has_one_text() {
        assert_eq!(c("a + b + c"), c("c + (b + a)"));
        assert_eq!(c("x > 3"), c("3 < x"));
        assert_eq!(c("x >= 3"), c("3 <= x"));
        assert_eq!(c("k == \"a\""), c("\"a\" == k"));
        assert_eq!(c("k in [\"b\", \"a\"]"), c("k in [\"a\", \"b\"]"));
        assert_eq!(c("count(*)"), c("count()"));
        assert_eq!(c("100 * count()"), c("count() * (50 + 50)"));
        assert_eq!(c("x > 70%"), c("x > 0.7"));
        assert_eq!(c("p and q and r"), c("r and (q and p)"));
        assert_eq!(c("count() / 2"), c("count() / 2.0"));
    }

    #[test]
    fn different_meanings_stay_different() {
        assert_ne!(c("a - b"), c("b - a"));
        assert_ne!(c("a / b"), c("b / a"));
        assert_ne!(c("x > 3"), c("x >= 3"));
        assert_ne!(c("count(where x)"), c("count()"));
        assert_ne!(c("a and b or c"), c("a and (b or c)"));
        assert_ne!(c("1 / 0"), c("0"));
    }
}
