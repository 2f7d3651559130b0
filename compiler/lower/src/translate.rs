//! Typed IR expressions as DataFusion expressions, keeping the language's
//! semantics: true division with `null` on a zero divisor, `exclude` that
//! keeps rows where its predicate is `null`, aggregates that skip nulls,
//! whole-number arithmetic that fails rather than wraps, and branches of
//! `if`/`coalesce` brought to their common type.
//!
//! Every [`Function`] of the registry is matched here without a catch-all,
//! so a function added to the registry and not lowered does not compile.

use crate::{metric_column, LowerError};
use datafusion::arrow::datatypes::{DataType, TimeUnit};
use datafusion::common::ScalarValue;
use datafusion::functions::expr_fn as f;
use datafusion::functions_aggregate::expr_fn as agg;
use datafusion::logical_expr::{
    binary_expr, cast, col, lit, when, Between, Expr as DfExpr, Operator,
};
use std::collections::BTreeMap;
use yardstick_compiler::functions::Function;
use yardstick_compiler::ir::{BinaryOp, CmpOp, ColumnRef, Literal, Node, TypedExpr, UnaryOp};
use yardstick_compiler::types::Type;

/// The internal column name of a source or joined column
/// (`accounts.segment` becomes `accounts__segment`,
/// `listings.users.country` `listings__users__country`).
pub fn column_name(column: &ColumnRef) -> String {
    match &column.join {
        Some(j) => format!("{}__{}", j.replace('.', "__"), column.name),
        None => column.name.clone(),
    }
}

/// The timestamp type every time column is compared as.
pub fn utc_timestamp() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
}

pub fn timestamp_lit(micros: i64) -> DfExpr {
    lit(ScalarValue::TimestampMicrosecond(
        Some(micros),
        Some("UTC".into()),
    ))
}

/// The Arrow type a value of a language type is computed as.
pub fn arrow_type(ty: Type) -> Option<DataType> {
    match ty {
        Type::Int => Some(DataType::Int64),
        Type::Float => Some(DataType::Float64),
        Type::Bool => Some(DataType::Boolean),
        Type::Date => Some(DataType::Date32),
        Type::Timestamp => Some(utc_timestamp()),
        // Strings stay as read (Utf8, Utf8View, ...); decimals keep their
        // precision.
        Type::String | Type::Decimal | Type::Duration | Type::Null => None,
    }
}

/// True division: a float, `null` when the divisor is zero.
pub fn divide(left: DfExpr, right: DfExpr) -> DfExpr {
    let left = cast(left, DataType::Float64);
    let right = f::nullif(cast(right, DataType::Float64), lit(0.0));
    binary_expr(left, Operator::Divide, right)
}

/// Whole numbers are computed as 38-digit decimals inside a chain of
/// `+ - *`, so no step can wrap.
const WIDE: DataType = DataType::Decimal128(38, 0);

/// The operator of whole-number arithmetic, if `expr` is one.
fn integer_operator(expr: &TypedExpr) -> Option<(Operator, &TypedExpr, &TypedExpr)> {
    let Node::Binary { op, left, right } = &expr.node else {
        return None;
    };
    if expr.ty != Type::Int {
        return None;
    }
    let op = match op {
        BinaryOp::Add => Operator::Plus,
        BinaryOp::Sub => Operator::Minus,
        BinaryOp::Mul => Operator::Multiply,
        _ => return None,
    };
    Some((op, left, right))
}

/// A derived whole-number metric's value, wide during derivation, as the
/// `int` the result shows (failing, not wrapping, when it does not fit).
pub fn narrow_integer(value: DfExpr) -> DfExpr {
    cast(value, DataType::Int64)
}

/// A whole-number operand as a wide decimal: a chain of `+ - *` stays
/// wide, anything else is widened.
fn wide(expr: &TypedExpr, place: &mut Place<'_>) -> Result<DfExpr, LowerError> {
    match integer_operator(expr) {
        Some((op, left, right)) => Ok(binary_expr(wide(left, place)?, op, wide(right, place)?)),
        None => Ok(cast(translate(expr, place)?, WIDE)),
    }
}

/// `where: p` keeps a row only where `p` is true. Written so that it holds
/// anywhere and every SQL dialect runs it; in the engine, `fast_filters`
/// recognises this shape (and `keep_unless`'s) and writes a cheaper one
/// where a filter allows.
pub fn keep_where(p: DfExpr) -> DfExpr {
    f::coalesce(vec![p, lit(false)])
}

/// `exclude: p` drops a row only where `p` is true.
pub fn keep_unless(p: DfExpr) -> DfExpr {
    DfExpr::Not(Box::new(keep_where(p)))
}

/// Where an expression stands, which decides how names and aggregates
/// lower.
pub enum Place<'a> {
    /// Row level: columns of the source (and its joins).
    Row,
    /// A base formula: each aggregate becomes an output column of the
    /// source's aggregation, filtered by `rows`.
    Formula {
        rows: &'a DfExpr,
        prefix: &'a str,
        aggregates: &'a mut Vec<(String, DfExpr)>,
    },
    /// A derived formula: a metric is its expression when it is written
    /// out (`inlined`, see `derive`), or else the column computing it.
    Derived {
        inlined: &'a BTreeMap<String, DfExpr>,
    },
    /// A two-level (`per`) formula: each outer aggregate becomes a column
    /// of the aggregation over entities (`outer`); the aggregates inside
    /// it, columns of the aggregation per entity (`inner`, over `rows`).
    PerEntity {
        rows: &'a DfExpr,
        prefix: &'a str,
        outer: &'a mut Vec<(String, DfExpr)>,
        inner: &'a mut Vec<(String, DfExpr)>,
    },
}

pub fn translate(expr: &TypedExpr, place: &mut Place<'_>) -> Result<DfExpr, LowerError> {
    Ok(match &expr.node {
        Node::Literal { value } => literal(value),
        Node::Column { column } => col(column_name(column)),
        Node::Metric { metric } => match place {
            Place::Derived { inlined } => match inlined.get(metric.as_str()) {
                Some(expr) => expr.clone(),
                None => col(metric_column(metric.as_str())),
            },
            _ => col(metric_column(metric.as_str())),
        },
        // Computed beside the metrics by `crate::offset`.
        Node::Offset { metric, by } => col(crate::offset::offset_column(metric, *by)),
        Node::Unary { op, operand } => {
            let inner = translate(operand, place)?;
            match op {
                UnaryOp::Neg => DfExpr::Negative(Box::new(inner)),
                UnaryOp::Not => DfExpr::Not(Box::new(inner)),
            }
        }
        // Whole-number arithmetic is computed exactly and brought back to
        // `int`, which fails with an error (never a wrong number) when the
        // result does not fit.
        // A derived metric's whole number stays wide (the result's last
        // projection brings it back, `narrow_integer`): casting back and
        // forth at every level of a chain of derived metrics makes
        // DataFusion's simplifier take exponential time.
        Node::Binary { .. } if integer_operator(expr).is_some() => match place {
            Place::Derived { .. } => wide(expr, place)?,
            _ => cast(wide(expr, place)?, DataType::Int64),
        },
        Node::Binary { op, left, right } => {
            let common = common_time(&[left, right]);
            let l = as_time(translate(left, place)?, left, common);
            let r = as_time(translate(right, place)?, right, common);
            match op {
                BinaryOp::Div => divide(l, r),
                BinaryOp::Add => binary_expr(l, Operator::Plus, r),
                BinaryOp::Sub => binary_expr(l, Operator::Minus, r),
                BinaryOp::Mul => binary_expr(l, Operator::Multiply, r),
                BinaryOp::And => l.and(r),
                BinaryOp::Or => l.or(r),
                BinaryOp::Cmp(c) => binary_expr(l, comparison(*c), r),
            }
        }
        Node::In {
            operand,
            list,
            negated,
        } => {
            let all: Vec<&TypedExpr> = std::iter::once(operand.as_ref()).chain(list).collect();
            let common = common_time(&all);
            let operand_df = as_time(translate(operand, place)?, operand, common);
            let list = list
                .iter()
                .map(|e| Ok(as_time(translate(e, place)?, e, common)))
                .collect::<Result<Vec<_>, LowerError>>()?;
            operand_df.in_list(list, *negated)
        }
        Node::IsNull { operand, negated } => {
            let operand = translate(operand, place)?;
            if *negated {
                operand.is_not_null()
            } else {
                operand.is_null()
            }
        }
        Node::Between {
            operand,
            low,
            high,
            negated,
        } => {
            let common = common_time(&[operand, low, high]);
            DfExpr::Between(Between::new(
                Box::new(as_time(translate(operand, place)?, operand, common)),
                *negated,
                Box::new(as_time(translate(low, place)?, low, common)),
                Box::new(as_time(translate(high, place)?, high, common)),
            ))
        }
        Node::Call {
            function,
            args,
            filter,
        } => call(expr, *function, args, filter.as_deref(), place)?,
    })
}

fn literal(value: &Literal) -> DfExpr {
    match value {
        Literal::Int(i) => lit(*i),
        Literal::Float(v) | Literal::Percent(v) => lit(*v),
        Literal::String(s) => lit(s.clone()),
        Literal::Bool(b) => lit(*b),
        Literal::Null => lit(ScalarValue::Null),
        Literal::Date(days) => lit(ScalarValue::Date32(Some(*days))),
        Literal::Timestamp(micros) => timestamp_lit(*micros),
    }
}

/// Where dates meet timestamps, both are compared as UTC timestamps.
fn common_time(operands: &[&TypedExpr]) -> Option<Type> {
    let has = |t: Type| operands.iter().any(|o| o.ty == t);
    (has(Type::Date) && has(Type::Timestamp)).then_some(Type::Timestamp)
}

/// A date brought to a UTC timestamp (its midnight) when it meets one; a
/// date literal becomes a timestamp literal, so no engine coerces it
/// through nanoseconds, whose range ends in 2262.
fn as_time(value: DfExpr, operand: &TypedExpr, common: Option<Type>) -> DfExpr {
    if common != Some(Type::Timestamp) || operand.ty != Type::Date {
        return value;
    }
    match &operand.node {
        Node::Literal {
            value: Literal::Date(days),
        } => timestamp_lit(i64::from(*days) * 86_400_000_000),
        _ => cast(value, utc_timestamp()),
    }
}

fn comparison(c: CmpOp) -> Operator {
    match c {
        CmpOp::Eq => Operator::Eq,
        CmpOp::Ne => Operator::NotEq,
        CmpOp::Lt => Operator::Lt,
        CmpOp::Le => Operator::LtEq,
        CmpOp::Gt => Operator::Gt,
        CmpOp::Ge => Operator::GtEq,
    }
}

/// A value brought to the type of the call it is a branch of.
fn as_type_of(value: DfExpr, arg: &TypedExpr, call: &TypedExpr) -> DfExpr {
    match arrow_type(call.ty) {
        Some(ty) if arg.ty != call.ty && arg.ty.is_numeric() => cast(value, ty),
        _ => value,
    }
}

fn call(
    call_expr: &TypedExpr,
    function: Function,
    args: &[TypedExpr],
    filter: Option<&TypedExpr>,
    place: &mut Place<'_>,
) -> Result<DfExpr, LowerError> {
    if function.is_aggregate() {
        return aggregate(function, args, filter, place);
    }
    let mut lowered = Vec::with_capacity(args.len());
    for arg in args {
        lowered.push(translate(arg, place)?);
    }
    let missing = || LowerError(format!("`{}` is missing an argument", function.name()));
    let mut next = lowered.clone().into_iter();
    let mut arg = || next.next().ok_or_else(missing);
    Ok(match function {
        Function::Coalesce => f::coalesce(
            lowered
                .into_iter()
                .zip(args)
                .map(|(v, a)| as_type_of(v, a, call_expr))
                .collect(),
        ),
        Function::Abs => f::abs(arg()?),
        Function::Round => {
            let x = arg()?;
            let digits = arg().unwrap_or(lit(0i64));
            f::round(vec![x, digits])
        }
        Function::Lower => f::lower(arg()?),
        Function::Upper => f::upper(arg()?),
        Function::HoursBetween | Function::DaysBetween => {
            let (from, to) = (arg()?, arg()?);
            let seconds = |t: DfExpr| f::date_part(lit("epoch"), cast(t, utc_timestamp()));
            let per = if function == Function::HoursBetween {
                3_600.0
            } else {
                86_400.0
            };
            binary_expr(
                binary_expr(seconds(to), Operator::Minus, seconds(from)),
                Operator::Divide,
                lit(per),
            )
        }
        Function::If => {
            let (c, then, otherwise) = (arg()?, arg()?, arg()?);
            let (then_arg, else_arg) = (
                args.get(1).ok_or_else(missing)?,
                args.get(2).ok_or_else(missing)?,
            );
            when(keep_where(c), as_type_of(then, then_arg, call_expr))
                .otherwise(as_type_of(otherwise, else_arg, call_expr))
                .map_err(|e| LowerError(e.to_string()))?
        }
        Function::Count
        | Function::CountDistinct
        | Function::Sum
        | Function::Avg
        | Function::Min
        | Function::Max
        | Function::Median
        | Function::Percentile => {
            return Err(LowerError(format!("`{}` is an aggregate", function.name())))
        }
        // The checker makes every `offset` call an `Node::Offset`.
        Function::Offset => {
            return Err(LowerError(
                "`offset` reads a metric, not values: it is lowered as its own node".to_owned(),
            ))
        }
    })
}

/// Sets an aggregate's `FILTER (WHERE ...)`, keeping its other parameters
/// (`DISTINCT`, the ordering of `percentile_cont`).
pub fn with_filter(aggregate: DfExpr, condition: DfExpr) -> DfExpr {
    if condition == lit(true) {
        return aggregate;
    }
    match aggregate {
        DfExpr::AggregateFunction(mut a) => {
            a.params.filter = Some(Box::new(condition));
            DfExpr::AggregateFunction(a)
        }
        other => other,
    }
}

/// An aggregate becomes a column of the source's aggregation, computed over
/// the metric's rows (and its own `where`).
fn aggregate(
    function: Function,
    args: &[TypedExpr],
    filter: Option<&TypedExpr>,
    place: &mut Place<'_>,
) -> Result<DfExpr, LowerError> {
    match place {
        Place::Formula {
            rows,
            prefix,
            aggregates,
        } => {
            let mut row = Place::Row;
            let mut lowered = Vec::with_capacity(args.len());
            for arg in args {
                lowered.push(translate(arg, &mut row)?);
            }
            let condition = match filter {
                Some(p) => (*rows).clone().and(keep_where(translate(p, &mut row)?)),
                None => (*rows).clone(),
            };
            let plain = plain_aggregate(function, args, lowered)?;
            let name = format!("{prefix}__a{}", aggregates.len());
            aggregates.push((name.clone(), with_filter(plain, condition)));
            Ok(col(name))
        }
        Place::PerEntity {
            rows,
            prefix,
            outer,
            inner,
        } => {
            // The arguments and filter read entities: the `per` column and
            // inner aggregates over each entity's rows.
            let inner_prefix = format!("{prefix}__in");
            let mut entity = Place::Formula {
                rows,
                prefix: &inner_prefix,
                aggregates: inner,
            };
            let mut lowered = Vec::with_capacity(args.len());
            for arg in args {
                lowered.push(translate(arg, &mut entity)?);
            }
            let condition = match filter {
                Some(p) => Some(keep_where(translate(p, &mut entity)?)),
                None => None,
            };
            let plain = plain_aggregate(function, args, lowered)?;
            let value = match condition {
                Some(c) => with_filter(plain, c),
                None => plain,
            };
            let name = format!("{prefix}__o{}", outer.len());
            outer.push((name.clone(), value));
            Ok(col(name))
        }
        Place::Row | Place::Derived { .. } => Err(LowerError(format!(
            "`{}` is only allowed in a base metric's formula",
            function.name()
        ))),
    }
}

/// The aggregate itself, over lowered arguments, before its filter.
fn plain_aggregate(
    function: Function,
    args: &[TypedExpr],
    lowered: Vec<DfExpr>,
) -> Result<DfExpr, LowerError> {
    let mut lowered = lowered.into_iter();
    let mut arg = || {
        lowered
            .next()
            .ok_or_else(|| LowerError(format!("`{}` is missing an argument", function.name())))
    };
    let plain = match function {
        Function::Count => agg::count(arg().unwrap_or(lit(1i64))),
        Function::CountDistinct => agg::count_distinct(arg()?),
        Function::Sum => agg::sum(arg()?),
        Function::Avg => agg::avg(arg()?),
        Function::Min => agg::min(arg()?),
        Function::Max => agg::max(arg()?),
        Function::Median => crate::percentile::median(arg()?),
        Function::Percentile => {
            let x = arg()?;
            // The checker keeps p a constant in [0, 1].
            let p = args.get(1).and_then(TypedExpr::number).ok_or_else(|| {
                LowerError("`percentile` needs a constant p from 0 to 1".to_owned())
            })?;
            crate::percentile::percentile(x, p)
        }
        Function::Coalesce
        | Function::Abs
        | Function::Round
        | Function::Lower
        | Function::Upper
        | Function::HoursBetween
        | Function::DaysBetween
        | Function::If
        | Function::Offset => {
            return Err(LowerError(format!(
                "`{}` is not an aggregate",
                function.name()
            )))
        }
    };
    Ok(plain)
}
