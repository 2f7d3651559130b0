//! Which confidence interval a formula's shape has (`query --ci`), read on
//! the typed IR:
//!
//! | shape | interval |
//! |---|---|
//! | `count(where p) / count()` | Wilson score interval |
//! | `k * (count(where a) - count(where b)) / count()` (NPS; `k` optional) | normal interval with the standard error of the difference of two proportions of one sample |
//! | `avg(x)` | Student's t interval |
//!
//! Anything else has no interval.

use super::{BinaryOp, Literal, Node, TypedExpr};
use crate::functions::Function;

/// A formula shape with a known interval, and the aggregates it needs.
#[derive(Debug, Clone, PartialEq)]
pub enum IntervalShape {
    /// `hits / total`: a proportion of filtered counts.
    Wilson { hits: TypedExpr, total: TypedExpr },
    /// `scale * (a - b) / total`: a difference of two proportions of the
    /// same rows.
    Difference {
        scale: f64,
        a: TypedExpr,
        b: TypedExpr,
        total: TypedExpr,
    },
    /// `avg(x)`: `n = count(x)`, `sum = sum(x)`, `squares = sum(x * x)`
    /// (with the average's own filter).
    Mean {
        n: TypedExpr,
        sum: TypedExpr,
        squares: TypedExpr,
    },
}

/// The interval shape of a base metric's formula, if it has one.
pub fn interval_shape(formula: &TypedExpr) -> Option<IntervalShape> {
    match &formula.node {
        Node::Call {
            function: Function::Avg,
            args,
            filter,
        } => mean(args.first()?, filter.as_deref()),
        Node::Binary {
            op: BinaryOp::Div,
            left,
            right,
        } if is_count(right, false) => {
            if is_count(left, true) {
                return Some(IntervalShape::Wilson {
                    hits: (**left).clone(),
                    total: (**right).clone(),
                });
            }
            let (scale, difference) = scaled(left)?;
            difference_of(scale, difference, right)
        }
        Node::Binary {
            op: BinaryOp::Mul,
            left,
            right,
        } => {
            let (scale, rest) = match (constant(left), constant(right)) {
                (Some(k), _) => (k, right),
                (_, Some(k)) => (k, left),
                _ => return None,
            };
            let Node::Binary {
                op: BinaryOp::Div,
                left: difference,
                right: total,
            } = &rest.node
            else {
                return None;
            };
            if !is_count(total, false) {
                return None;
            }
            difference_of(scale, difference, total)
        }
        _ => None,
    }
}

/// `k * (a - b)`, `(a - b) * k` or `a - b`: the scale and the difference.
fn scaled(e: &TypedExpr) -> Option<(f64, &TypedExpr)> {
    match &e.node {
        Node::Binary {
            op: BinaryOp::Mul,
            left,
            right,
        } => match (constant(left), constant(right)) {
            (Some(k), _) => Some((k, right)),
            (_, Some(k)) => Some((k, left)),
            _ => None,
        },
        Node::Binary {
            op: BinaryOp::Sub, ..
        } => Some((1.0, e)),
        _ => None,
    }
}

fn difference_of(scale: f64, difference: &TypedExpr, total: &TypedExpr) -> Option<IntervalShape> {
    let Node::Binary {
        op: BinaryOp::Sub,
        left,
        right,
    } = &difference.node
    else {
        return None;
    };
    (is_count(left, true) && is_count(right, true)).then(|| IntervalShape::Difference {
        scale,
        a: (**left).clone(),
        b: (**right).clone(),
        total: total.clone(),
    })
}

/// `count(where p)` (`filtered`) or `count()`.
fn is_count(e: &TypedExpr, filtered: bool) -> bool {
    matches!(
        &e.node,
        Node::Call { function: Function::Count, args, filter }
            if args.is_empty() && filter.is_some() == filtered
    )
}

fn constant(e: &TypedExpr) -> Option<f64> {
    match &e.node {
        Node::Literal { value } => match value {
            Literal::Int(_) | Literal::Float(_) | Literal::Percent(_) => value.number(),
            _ => None,
        },
        _ => None,
    }
}

fn mean(x: &TypedExpr, filter: Option<&TypedExpr>) -> Option<IntervalShape> {
    let call = |function: Function, arg: TypedExpr, ty, unit| TypedExpr {
        node: Node::Call {
            function,
            args: vec![arg],
            filter: filter.map(|f| Box::new(f.clone())),
        },
        ty,
        unit,
        nullable: true,
        span: x.span,
    };
    let square = TypedExpr {
        node: Node::Binary {
            op: BinaryOp::Mul,
            left: Box::new(x.clone()),
            right: Box::new(x.clone()),
        },
        ty: x.ty,
        unit: x.unit.mul(&x.unit),
        nullable: x.nullable,
        span: x.span,
    };
    Some(IntervalShape::Mean {
        n: call(
            Function::Count,
            x.clone(),
            crate::types::Type::Int,
            crate::types::Unit::dimensionless(),
        ),
        sum: call(Function::Sum, x.clone(), x.ty, x.unit.clone()),
        squares: call(Function::Sum, square.clone(), x.ty, square.unit),
    })
}
