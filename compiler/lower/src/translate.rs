//! Yardstick expressions as DataFusion expressions, keeping the language's
//! semantics: true division with `null` on a zero divisor, `exclude` that
//! keeps rows where its predicate is `null`, aggregates that skip nulls.

use crate::LowerError;
use datafusion::arrow::datatypes::{DataType, TimeUnit};
use datafusion::common::ScalarValue;
use datafusion::functions::expr_fn as f;
use datafusion::functions_aggregate::expr_fn as agg;
use datafusion::logical_expr::{
    binary_expr, cast, col, lit, when, Between, Expr as DfExpr, Operator,
};
use yardstick_compiler::syntax::ast::{BinaryOp, CmpOp, Expr, ExprKind, UnaryOp};

/// The internal column name of a source or joined column
/// (`accounts.segment` becomes `accounts__segment`).
pub fn column_name(parts: &[String]) -> String {
    parts.join("__")
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

/// True division: a float, `null` when the divisor is zero.
pub fn divide(left: DfExpr, right: DfExpr) -> DfExpr {
    let left = cast(left, DataType::Float64);
    let right = f::nullif(cast(right, DataType::Float64), lit(0.0));
    binary_expr(left, Operator::Divide, right)
}

/// `where: p` keeps a row only where `p` is true.
pub fn keep_where(p: DfExpr) -> DfExpr {
    f::coalesce(vec![p, lit(false)])
}

/// `exclude: p` drops a row only where `p` is true.
pub fn keep_unless(p: DfExpr) -> DfExpr {
    DfExpr::Not(Box::new(f::coalesce(vec![p, lit(false)])))
}

/// How names resolve while translating.
pub enum Names<'a> {
    /// Row level: columns of the source (and its joins).
    Row,
    /// A base formula: columns inside aggregates; each aggregate becomes an
    /// output column of the source's aggregation, filtered by `rows`.
    Formula {
        rows: &'a DfExpr,
        prefix: &'a str,
        aggregates: &'a mut Vec<(String, DfExpr)>,
    },
    /// A derived formula: metric names are columns of computed metrics.
    Derived,
}

pub fn translate(expr: &Expr, names: &mut Names<'_>) -> Result<DfExpr, LowerError> {
    Ok(match &expr.kind {
        ExprKind::Number { value, integer } => {
            if *integer && value.abs() < 9.0e15 {
                lit(*value as i64)
            } else {
                lit(*value)
            }
        }
        ExprKind::Percent { value } => lit(*value),
        ExprKind::String { value } => lit(value.clone()),
        ExprKind::Bool { value } => lit(*value),
        ExprKind::Null => lit(ScalarValue::Null),
        ExprKind::Date { days, .. } => lit(ScalarValue::Date32(Some(*days))),
        ExprKind::Timestamp { micros, .. } => timestamp_lit(*micros),
        ExprKind::Duration { value } => {
            return Err(LowerError(format!(
                "the duration `{value}` cannot be used as a value in an expression"
            )))
        }
        ExprKind::Path { parts } => match names {
            Names::Derived => col(crate::metric_column(&parts.join("."))),
            _ => col(column_name(parts)),
        },
        ExprKind::Unary { op, operand } => {
            let inner = translate(operand, names)?;
            match op {
                UnaryOp::Neg => DfExpr::Negative(Box::new(inner)),
                UnaryOp::Not => DfExpr::Not(Box::new(inner)),
            }
        }
        ExprKind::Binary { op, left, right } => {
            let l = translate(left, names)?;
            let r = translate(right, names)?;
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
        ExprKind::In {
            operand,
            list,
            negated,
        } => {
            let operand = translate(operand, names)?;
            let list = list
                .iter()
                .map(|e| translate(e, names))
                .collect::<Result<Vec<_>, _>>()?;
            operand.in_list(list, *negated)
        }
        ExprKind::IsNull { operand, negated } => {
            let operand = translate(operand, names)?;
            if *negated {
                operand.is_not_null()
            } else {
                operand.is_null()
            }
        }
        ExprKind::Between {
            operand,
            low,
            high,
            negated,
        } => DfExpr::Between(Between::new(
            Box::new(translate(operand, names)?),
            *negated,
            Box::new(translate(low, names)?),
            Box::new(translate(high, names)?),
        )),
        ExprKind::Call {
            function,
            args,
            filter,
            ..
        } => call(function, args, filter.as_deref(), names)?,
        ExprKind::List { .. } | ExprKind::Error => {
            return Err(LowerError(
                "this expression did not check; run `yardstick check`".to_owned(),
            ))
        }
    })
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

fn call(
    function: &str,
    args: &[Expr],
    filter: Option<&Expr>,
    names: &mut Names<'_>,
) -> Result<DfExpr, LowerError> {
    if is_aggregate(function) {
        return aggregate(function, args, filter, names);
    }
    let mut a = args
        .iter()
        .map(|e| translate(e, names))
        .collect::<Result<Vec<_>, _>>()?
        .into_iter();
    let mut next = || {
        a.next()
            .ok_or_else(|| LowerError(format!("`{function}` is missing an argument")))
    };
    Ok(match function {
        "coalesce" => {
            let mut all = vec![next()?];
            all.extend(a.by_ref());
            f::coalesce(all)
        }
        "abs" => f::abs(next()?),
        "round" => {
            let x = next()?;
            let digits = a.next().unwrap_or(lit(0i64));
            f::round(vec![x, digits])
        }
        "lower" => f::lower(next()?),
        "upper" => f::upper(next()?),
        "hours_between" | "days_between" => {
            let (from, to) = (next()?, next()?);
            let seconds = |t: DfExpr| f::date_part(lit("epoch"), cast(t, utc_timestamp()));
            let per = if function == "hours_between" {
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
        "if" => {
            let (c, then, otherwise) = (next()?, next()?, next()?);
            when(keep_where(c), then)
                .otherwise(otherwise)
                .map_err(|e| LowerError(e.to_string()))?
        }
        other => return Err(LowerError(format!("no function named `{other}`"))),
    })
}

/// Sets an aggregate's `FILTER (WHERE ...)`, keeping its other parameters
/// (`DISTINCT`, the ordering of `percentile_cont`).
pub fn with_filter(aggregate: DfExpr, condition: DfExpr) -> DfExpr {
    match aggregate {
        DfExpr::AggregateFunction(mut a) => {
            a.params.filter = Some(Box::new(condition));
            DfExpr::AggregateFunction(a)
        }
        other => other,
    }
}

fn is_aggregate(function: &str) -> bool {
    matches!(
        function,
        "count" | "count_distinct" | "sum" | "avg" | "min" | "max" | "median" | "percentile"
    )
}

/// An aggregate becomes a column of the source's aggregation, computed over
/// the metric's rows (and its own `where`).
fn aggregate(
    function: &str,
    args: &[Expr],
    filter: Option<&Expr>,
    names: &mut Names<'_>,
) -> Result<DfExpr, LowerError> {
    let (rows, prefix) = match names {
        Names::Formula { rows, prefix, .. } => ((*rows).clone(), prefix.to_string()),
        _ => {
            return Err(LowerError(format!(
                "`{function}` is only allowed in a base metric's formula"
            )))
        }
    };
    let mut row_names = Names::Row;
    let mut a = args
        .iter()
        .map(|e| translate(e, &mut row_names))
        .collect::<Result<Vec<_>, _>>()?
        .into_iter();
    let condition = match filter {
        Some(p) => rows.and(keep_where(translate(p, &mut row_names)?)),
        None => rows,
    };
    let arg = a.next();
    let need = |x: Option<DfExpr>| {
        x.ok_or_else(|| LowerError(format!("`{function}` is missing an argument")))
    };
    let plain = match function {
        "count" => agg::count(arg.unwrap_or(lit(1i64))),
        "count_distinct" => agg::count_distinct(need(arg)?),
        "sum" => agg::sum(need(arg)?),
        "avg" => agg::avg(need(arg)?),
        "min" => agg::min(need(arg)?),
        "max" => agg::max(need(arg)?),
        "median" => crate::percentile::median(need(arg)?),
        "percentile" => {
            let x = need(arg)?;
            let p = match need(a.next())? {
                DfExpr::Literal(ScalarValue::Float64(Some(p)), _) => p,
                DfExpr::Literal(ScalarValue::Int64(Some(p)), _) => p as f64,
                other => {
                    return Err(LowerError(format!(
                        "`percentile` needs a constant p, not {other}"
                    )))
                }
            };
            crate::percentile::percentile(x, p)
        }
        other => return Err(LowerError(format!("no aggregate named `{other}`"))),
    };
    let filtered = with_filter(plain, condition);
    let Names::Formula { aggregates, .. } = names else {
        return Err(LowerError("aggregate outside a formula".to_owned()));
    };
    let name = format!("{prefix}__a{}", aggregates.len());
    aggregates.push((name.clone(), filtered));
    Ok(col(name))
}
