//! `query --compare previous_period|previous_year`: after each metric's
//! column, `<metric>_prev` (its value for the previous period, or the same
//! period a year before) and `<metric>_delta` (`value - prev`, null when
//! either is). The previous values come from the same query run again on
//! the shifted time: a series one period (or one year) earlier, an as-of
//! value at the date one window length (or one year) earlier. Rows are
//! matched on their dimension values and (shifted) period.

use super::catalog::Tables;
use super::{execute, prepare_reusing};
use crate::Fatal;
use chrono::{Days, Months, NaiveDate, NaiveDateTime};
use datafusion::arrow::array::{
    Array, ArrayRef, Date32Array, Float64Array, TimestampMicrosecondArray,
};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;
use yardstick_compiler::ir::{DurationUnit, Grain, Lookback, MetricId};
use yardstick_compiler::model::{Definition, Library};
use yardstick_compiler::query::Request;
use yardstick_lower::window::{period_of, Period};
use yardstick_lower::{OutputColumn, TimeFrame};

/// What a value is compared with.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compare {
    /// The period before (a series), or the window one window length
    /// earlier (an as-of value).
    #[value(name = "previous_period")]
    PreviousPeriod,
    /// The same period, or the same as-of date, a year before.
    #[value(name = "previous_year")]
    PreviousYear,
}

/// A row's group: its dimension values as text, and its period start.
pub(super) type Key = (Vec<String>, Option<NaiveDateTime>);

/// The result with `<metric>_prev` and `<metric>_delta` after each metric
/// (`lowered` is the query's plan, `batches` its result), the shifted
/// queries run on `engine`.
pub async fn add(
    spec: &Path,
    library: &Library,
    request: &Request,
    lowered: &yardstick_lower::Lowered,
    batches: Vec<RecordBatch>,
    compare: Compare,
    engine: &crate::engine::Engine,
) -> Result<(Vec<RecordBatch>, Vec<OutputColumn>), Fatal> {
    let (frame, columns) = (&lowered.frame, lowered.columns.as_slice());
    let shifted = shifted_requests(library, request, frame, compare)?;
    let mut tables = Tables::on(engine);
    let mut previous: HashMap<Key, HashMap<String, Option<f64>>> = HashMap::new();
    for shifted in shifted {
        let prepared = prepare_reusing(spec, library, &shifted, &mut tables).await?;
        let result = execute(&prepared).await?;
        for batch in &result {
            let keys = keys(batch, &prepared.lowered.columns)?;
            for metric in &shifted.metrics {
                let values = floats(batch, metric.as_str())?;
                for (r, key) in keys.iter().enumerate() {
                    previous.entry(key.clone()).or_default().insert(
                        metric.0.clone(),
                        values.is_valid(r).then(|| values.value(r)),
                    );
                }
            }
        }
    }
    let grain = match frame {
        TimeFrame::Series { grain, .. } => Some(*grain),
        TimeFrame::AsOf(_) => None,
    };
    let mut out = Vec::with_capacity(batches.len());
    for batch in &batches {
        let keys: Vec<Key> = keys(batch, columns)?
            .into_iter()
            .map(|(dims, period)| {
                let shifted = match (period, grain) {
                    (Some(p), Some(g)) => shift(p, g, compare),
                    _ => None,
                };
                (dims, shifted)
            })
            .collect();
        let mut fields = Vec::new();
        let mut arrays: Vec<ArrayRef> = Vec::new();
        let schema = batch.schema();
        for (i, field) in schema.fields().iter().enumerate() {
            fields.push(field.as_ref().clone());
            arrays.push(batch.column(i).clone());
            let name = field.name();
            if !request.metrics.iter().any(|m| m.as_str() == name) {
                continue;
            }
            let prev: Float64Array = keys
                .iter()
                .map(|k| {
                    previous
                        .get(k)
                        .and_then(|v| v.get(name.as_str()))
                        .copied()
                        .flatten()
                })
                .collect();
            let now = floats(batch, name)?;
            let delta: Float64Array = (0..batch.num_rows())
                .map(|r| {
                    (now.is_valid(r) && prev.is_valid(r)).then(|| now.value(r) - prev.value(r))
                })
                .collect();
            let ty = field.data_type();
            for (suffix, values) in [("prev", prev), ("delta", delta)] {
                let array = cast(&values, ty).map_err(|e| {
                    Fatal(format!(
                        "cannot give `{name}_{suffix}` the type of `{name}`: {e}"
                    ))
                })?;
                fields.push(Field::new(format!("{name}_{suffix}"), ty.clone(), true));
                arrays.push(array);
            }
        }
        let batch = RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays)
            .map_err(|e| Fatal(format!("cannot add the compared columns: {e}")))?;
        out.push(batch);
    }
    Ok((
        out,
        super::columns_after_each_metric(columns, request, &["prev", "delta"]),
    ))
}

/// The queries that give the previous values: a series shifted as a
/// whole; as-of values one query per distinct earlier date.
fn shifted_requests(
    library: &Library,
    request: &Request,
    frame: &TimeFrame,
    compare: Compare,
) -> Result<Vec<Request>, Fatal> {
    match frame {
        TimeFrame::Series { grain, periods } => {
            let (Some(first), Some(last)) = (periods.first(), periods.last()) else {
                return Ok(Vec::new());
            };
            let from = shift(first.start, *grain, compare).ok_or_else(out_of_calendar)?;
            let to = shift(last.start, *grain, compare).ok_or_else(out_of_calendar)?;
            Ok(vec![Request {
                from: Some(from.date()),
                to: Some(to.date()),
                last: None,
                as_of: None,
                ..request.clone()
            }])
        }
        TimeFrame::AsOf(as_of) => {
            let mut by_date: BTreeMap<NaiveDate, Vec<MetricId>> = BTreeMap::new();
            for metric in &request.metrics {
                let date = match compare {
                    Compare::PreviousYear => as_of.checked_sub_months(Months::new(12)),
                    Compare::PreviousPeriod => {
                        let lookback = window_of(library, metric.as_str())?;
                        one_window_earlier(*as_of, lookback, metric.as_str())?
                    }
                }
                .ok_or_else(out_of_calendar)?;
                by_date.entry(date).or_default().push(metric.clone());
            }
            Ok(by_date
                .into_iter()
                .map(|(date, metrics)| Request {
                    metrics,
                    as_of: Some(date),
                    ..request.clone()
                })
                .collect())
        }
    }
}

fn out_of_calendar() -> Fatal {
    Fatal("the compared period falls outside the calendar".to_owned())
}

/// The start of the period compared with the one starting at `start`.
fn shift(start: NaiveDateTime, grain: Grain, compare: Compare) -> Option<NaiveDateTime> {
    match compare {
        Compare::PreviousPeriod => {
            let before = start.checked_sub_signed(chrono::Duration::microseconds(1))?;
            period_of(before, grain).map(|p: Period| p.start)
        }
        Compare::PreviousYear => match grain {
            // The same weekday: 52 weeks back.
            Grain::Week => start.checked_sub_days(Days::new(364)),
            _ => start.checked_sub_months(Months::new(12)),
        },
    }
}

/// The window a metric's as-of value covers: its lookback, or for a
/// derived metric the lookback all its base inputs share.
fn window_of(library: &Library, metric: &str) -> Result<Lookback, Fatal> {
    let m = library
        .metrics
        .get(metric)
        .ok_or_else(|| Fatal(format!("no metric named `{metric}`")))?;
    let lookbacks: Vec<Option<Lookback>> = yardstick_compiler::query::base_metrics(library, [m])
        .iter()
        .map(|b| match &b.definition {
            Definition::Base(base) => base.lookback,
            Definition::Derived(_) => None,
        })
        .collect();
    match lookbacks.split_first() {
        Some((Some(first), rest)) if rest.iter().all(|l| *l == Some(*first)) => Ok(*first),
        Some((first, rest)) if first.is_none() || rest.iter().any(Option::is_none) => Err(Fatal(format!(
            "--compare previous_period needs `{metric}` to read a lookback window, and it has none (every row up to the date counts); use --compare previous_year, or a series with --grain"
        ))),
        _ => Err(Fatal(format!(
            "--compare previous_period cannot tell the window of `{metric}`: its inputs have different lookbacks; use --compare previous_year, or a series with --grain"
        ))),
    }
}

/// The as-of date one window length before `as_of`.
fn one_window_earlier(
    as_of: NaiveDate,
    lookback: Lookback,
    metric: &str,
) -> Result<Option<NaiveDate>, Fatal> {
    Ok(match lookback {
        Lookback::Duration(d) => match d.unit {
            DurationUnit::Day => as_of.checked_sub_days(Days::new(u64::from(d.amount))),
            DurationUnit::Week => as_of.checked_sub_days(Days::new(7 * u64::from(d.amount))),
            DurationUnit::Month => as_of.checked_sub_months(Months::new(d.amount)),
            DurationUnit::Quarter => as_of.checked_sub_months(Months::new(3 * d.amount)),
            DurationUnit::Year => as_of.checked_sub_months(Months::new(12 * d.amount)),
            _ => {
                return Err(Fatal(format!(
                    "--compare previous_period shifts an as-of date by whole days, and the lookback of `{metric}` is {d}; use a series with --grain hour"
                )))
            }
        },
        Lookback::ToDate(grain) => match grain {
            Grain::Month => as_of.checked_sub_months(Months::new(1)),
            Grain::Quarter => as_of.checked_sub_months(Months::new(3)),
            Grain::Year => as_of.checked_sub_months(Months::new(12)),
            _ => as_of.checked_sub_days(Days::new(1)),
        },
    })
}

/// Each row's dimension values (as text) and period start.
pub(super) fn keys(batch: &RecordBatch, columns: &[OutputColumn]) -> Result<Vec<Key>, Fatal> {
    let options = FormatOptions::default().with_null("\u{0}null");
    let mut dims = Vec::new();
    let mut period: Option<&ArrayRef> = None;
    for c in columns {
        match c {
            OutputColumn::Dimension(d) => {
                let array = batch
                    .column_by_name(d)
                    .ok_or_else(|| Fatal(format!("the result has no column `{d}`")))?;
                dims.push(
                    ArrayFormatter::try_new(array.as_ref(), &options)
                        .map_err(|e| Fatal(e.to_string()))?,
                );
            }
            OutputColumn::Period => period = batch.column_by_name("period"),
            OutputColumn::Metric { .. } => {}
        }
    }
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    let start = |r: usize| -> Option<NaiveDateTime> {
        let p = period?;
        if let Some(d) = p.as_any().downcast_ref::<Date32Array>() {
            return (d.is_valid(r))
                .then(|| epoch.checked_add_signed(chrono::Duration::days(i64::from(d.value(r)))))
                .flatten()
                .map(yardstick_lower::window::midnight);
        }
        let t = p.as_any().downcast_ref::<TimestampMicrosecondArray>()?;
        t.is_valid(r)
            .then(|| chrono::DateTime::from_timestamp_micros(t.value(r)))
            .flatten()
            .map(|t| t.naive_utc())
    };
    Ok((0..batch.num_rows())
        .map(|r| {
            (
                dims.iter().map(|f| f.value(r).to_string()).collect(),
                start(r),
            )
        })
        .collect())
}

/// A metric's column as floats.
pub(super) fn floats(batch: &RecordBatch, name: &str) -> Result<Float64Array, Fatal> {
    let array = batch
        .column_by_name(name)
        .ok_or_else(|| Fatal(format!("the result has no column `{name}`")))?;
    let floats = cast(array, &DataType::Float64)
        .map_err(|e| Fatal(format!("`{name}` is not a number: {e}")))?;
    floats
        .as_any()
        .downcast_ref::<Float64Array>()
        .cloned()
        .ok_or_else(|| Fatal(format!("`{name}` is not a number")))
}
