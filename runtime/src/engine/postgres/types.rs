//! PostgreSQL's types as Arrow sees them: the Arrow type a warehouse
//! column is registered with (so lowering sees the table's real schema),
//! the PostgreSQL type each declared type is created as (for `test`'s given
//! rows), and result rows, which come back as PostgreSQL's text, read into
//! Arrow arrays of the plan's output types.

use crate::Fatal;
use chrono::{NaiveDate, NaiveDateTime};
use datafusion::arrow::array::{
    new_null_array, Array, ArrayRef, BooleanArray, Date32Array, Float64Array, Int64Array,
    StringArray, TimestampMicrosecondArray,
};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, TimeUnit};
use std::sync::Arc;
use yardstick_compiler::types::Type;

/// The Arrow type of a PostgreSQL column (`typname` from `pg_type`, and
/// the column's type modifier for `numeric(p, s)`), or `None` for a type
/// no declared type can be read from.
pub fn arrow_type(typname: &str, typmod: i32) -> Option<DataType> {
    Some(match typname {
        "int2" => DataType::Int16,
        "int4" => DataType::Int32,
        "int8" => DataType::Int64,
        "float4" => DataType::Float32,
        "float8" => DataType::Float64,
        "numeric" => {
            // numeric(p, s) stores ((p << 16) | s) + 4; unconstrained is -1.
            let (p, s) = if typmod >= 4 {
                (((typmod - 4) >> 16) & 0xffff, (typmod - 4) & 0xffff)
            } else {
                (38, 10)
            };
            match (u8::try_from(p), i8::try_from(s)) {
                (Ok(p), Ok(s)) if (1..=38).contains(&p) => DataType::Decimal128(p, s),
                _ => DataType::Decimal128(38, 10),
            }
        }
        "text" | "varchar" | "bpchar" | "name" | "citext" => DataType::Utf8,
        "bool" => DataType::Boolean,
        "date" => DataType::Date32,
        "timestamp" => DataType::Timestamp(TimeUnit::Microsecond, None),
        "timestamptz" => DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
        _ => return None,
    })
}

/// How PostgreSQL names a type in messages: `pg_type`'s short names
/// written as SQL writes them.
pub fn sql_name(typname: &str) -> &str {
    match typname {
        "int2" => "smallint",
        "int4" => "integer",
        "int8" => "bigint",
        "float4" => "real",
        "float8" => "double precision",
        "bpchar" => "character",
        "varchar" => "character varying",
        "bool" => "boolean",
        "timestamp" => "timestamp without time zone",
        "timestamptz" => "timestamp with time zone",
        other => other,
    }
}

/// The PostgreSQL type a declared column is created as.
pub fn column_type(ty: Type) -> &'static str {
    match ty {
        Type::Int => "bigint",
        Type::Float => "double precision",
        Type::Decimal => "numeric(38, 10)",
        Type::String => "text",
        Type::Bool => "boolean",
        Type::Date => "date",
        Type::Timestamp | Type::Duration | Type::Null => "timestamp with time zone",
    }
}

/// One result column, from PostgreSQL's text output (the session runs
/// with `TimeZone` UTC and ISO dates), as an array of type `ty`.
pub fn array(name: &str, values: &[Option<&str>], ty: &DataType) -> Result<ArrayRef, Fatal> {
    let bad = |value: &str| {
        Fatal(format!(
            "PostgreSQL returned `{}` for the result column `{name}`, which cannot be read as {ty}",
            crate::guard::truncate(value, 40)
        ))
    };
    let array: ArrayRef = match ty {
        DataType::Null => new_null_array(ty, values.len()),
        DataType::Int64 => Arc::new(
            values
                .iter()
                .map(|v| v.map(|v| whole(v).ok_or_else(|| bad(v))).transpose())
                .collect::<Result<Int64Array, Fatal>>()?,
        ),
        DataType::Float64 => Arc::new(
            values
                .iter()
                .map(|v| v.map(|v| v.parse::<f64>().map_err(|_| bad(v))).transpose())
                .collect::<Result<Float64Array, Fatal>>()?,
        ),
        DataType::Boolean => Arc::new(
            values
                .iter()
                .map(|v| {
                    v.map(|v| match v {
                        "t" | "true" => Ok(true),
                        "f" | "false" => Ok(false),
                        _ => Err(bad(v)),
                    })
                    .transpose()
                })
                .collect::<Result<BooleanArray, Fatal>>()?,
        ),
        DataType::Date32 => Arc::new(
            values
                .iter()
                .map(|v| v.map(|v| days(v).ok_or_else(|| bad(v))).transpose())
                .collect::<Result<Date32Array, Fatal>>()?,
        ),
        DataType::Timestamp(TimeUnit::Microsecond, zone) => Arc::new(
            values
                .iter()
                .map(|v| v.map(|v| micros(v).ok_or_else(|| bad(v))).transpose())
                .collect::<Result<TimestampMicrosecondArray, Fatal>>()?
                .with_timezone_opt(zone.clone()),
        ),
        DataType::Utf8 => Arc::new(values.iter().copied().collect::<StringArray>()),
        // Other integers, floats, decimals and strings: Arrow's own reading
        // of the text, which refuses what does not fit.
        other => {
            let text: ArrayRef = Arc::new(values.iter().copied().collect::<StringArray>());
            let read = cast(&text, other).map_err(|e| {
                Fatal(format!(
                    "PostgreSQL's result column `{name}` cannot be read as {other}: {e}"
                ))
            })?;
            if read.null_count() != text.null_count() {
                let lost = values
                    .iter()
                    .zip(0..)
                    .find(|(v, i)| v.is_some() && read.is_null(*i))
                    .and_then(|(v, _)| *v)
                    .unwrap_or("");
                return Err(bad(lost));
            }
            read
        }
    };
    Ok(array)
}

/// A whole number, also when PostgreSQL writes it as `numeric` (`12.000`).
fn whole(text: &str) -> Option<i64> {
    match text.split_once('.') {
        None => text.parse().ok(),
        Some((int, fraction)) if fraction.bytes().all(|b| b == b'0') => int.parse().ok(),
        Some(_) => None,
    }
}

fn days(text: &str) -> Option<i32> {
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1)?;
    i32::try_from((date - epoch).num_days()).ok()
}

/// `2026-01-31 10:00:00.25+00` (a UTC `timestamptz`) or without the offset
/// (a `timestamp`), as microseconds since the epoch.
fn micros(text: &str) -> Option<i64> {
    let naive = text.strip_suffix("+00").unwrap_or(text);
    let time = NaiveDateTime::parse_from_str(naive, "%Y-%m-%d %H:%M:%S%.f").ok()?;
    Some(time.and_utc().timestamp_micros())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::panic, clippy::unwrap_used)] // a test: failing loudly is the point
    use super::*;
    use datafusion::arrow::array::{AsArray, Decimal128Array};
    use datafusion::arrow::datatypes::{Float64Type, Int64Type, TimestampMicrosecondType};

    #[test]
    fn numeric_type_modifiers_give_precision_and_scale() {
        // numeric(12, 2): (12 << 16 | 2) + 4
        let typmod = ((12 << 16) | 2) + 4;
        assert_eq!(
            arrow_type("numeric", typmod),
            Some(DataType::Decimal128(12, 2))
        );
        assert_eq!(
            arrow_type("numeric", -1),
            Some(DataType::Decimal128(38, 10))
        );
        assert_eq!(arrow_type("jsonb", -1), None);
    }

    #[test]
    fn text_results_are_read_as_the_plan_types() {
        let ints = array("n", &[Some("3"), None, Some("12.000")], &DataType::Int64).ok();
        let ints = ints.map(|a| a.as_primitive::<Int64Type>().iter().collect::<Vec<_>>());
        assert_eq!(ints, Some(vec![Some(3), None, Some(12)]));
        let floats = array(
            "x",
            &[Some("0.1"), Some("-Infinity"), Some("NaN")],
            &DataType::Float64,
        );
        let floats = floats
            .map(|a| a.as_primitive::<Float64Type>().values().to_vec())
            .ok();
        let floats = floats.unwrap_or_default();
        assert_eq!(floats[0], 0.1);
        assert_eq!(floats[1], f64::NEG_INFINITY);
        assert!(floats[2].is_nan());
        let utc = DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()));
        let times = array("t", &[Some("2026-01-31 10:00:00.25+00")], &utc).ok();
        let times = times.map(|a| a.as_primitive::<TimestampMicrosecondType>().value(0));
        assert_eq!(times, Some(1_769_853_600_250_000));
        let decimal = array("d", &[Some("1.50")], &DataType::Decimal128(12, 2)).ok();
        let decimal = decimal.map(|a| {
            a.as_any()
                .downcast_ref::<Decimal128Array>()
                .map(|d| d.value(0))
        });
        assert_eq!(decimal, Some(Some(150)));
    }

    #[test]
    fn unreadable_values_are_refused_by_name() {
        let Err(Fatal(why)) = array("n", &[Some("1.5")], &DataType::Int64) else {
            panic!("1.5 read as a whole number")
        };
        assert!(why.contains("`n`") && why.contains("Int64"), "{why}");
        assert!(array("d", &[Some("x")], &DataType::Decimal128(12, 2)).is_err());
        assert!(array("b", &[Some("yes")], &DataType::Boolean).is_err());
    }
}
