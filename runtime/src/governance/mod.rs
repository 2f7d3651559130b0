//! Governance acting on data: the words every finding shares (a metric's
//! bound, its owner and escalation path) and reading a query's result as
//! groups and values. `asserts` warns when `query` prints a value its
//! metric's `assert` forbids; `data_check` is `check --data`; `graph`
//! draws outcomes, metrics and `drives` edges.

pub mod asserts;
pub mod data_check;
pub mod graph;

use datafusion::arrow::array::{Array, Float64Array};
use datafusion::arrow::datatypes::DataType;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use yardstick_compiler::model::{Bound, Library, Limit, Metric};
use yardstick_lower::OutputColumn;

/// Whether `value` lies inside `bound` (each limit inclusive or not).
pub fn within(bound: &Bound, value: f64) -> bool {
    let low_ok = bound.low.as_ref().is_none_or(|l| {
        if l.inclusive {
            value >= l.value
        } else {
            value > l.value
        }
    });
    let high_ok = bound.high.as_ref().is_none_or(|h| {
        if h.inclusive {
            value <= h.value
        } else {
            value < h.value
        }
    });
    low_ok && high_ok
}

/// A bound as people write it: `>= 0.7`, `< 5`, `between 0 and 1`.
pub fn show_bound(bound: &Bound) -> String {
    let op = |l: &Limit, inclusive: &'static str, strict: &'static str| {
        format!(
            "{} {}",
            if l.inclusive { inclusive } else { strict },
            number(l.value)
        )
    };
    match (&bound.low, &bound.high) {
        (Some(l), Some(h)) if l.inclusive && h.inclusive && l.value == h.value => {
            format!("= {}", number(l.value))
        }
        (Some(l), Some(h)) if l.inclusive && h.inclusive => {
            format!("between {} and {}", number(l.value), number(h.value))
        }
        (Some(l), Some(h)) => format!("{} and {}", op(l, ">=", ">"), op(h, "<=", "<")),
        (Some(l), None) => op(l, ">=", ">"),
        (None, Some(h)) => op(h, "<=", "<"),
        (None, None) => "any value".to_owned(),
    }
}

/// A value for people: at most four decimals, no trailing zeros.
pub fn number(v: f64) -> String {
    if !v.is_finite() {
        return v.to_string();
    }
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_owned()
    } else {
        s.to_owned()
    }
}

/// `support_ops → cx_leadership`: the metric's owner, then each owner it
/// escalates to; `no owner declared` without one.
pub fn escalation(library: &Library, metric: &Metric) -> String {
    let Some(first) = &metric.owner else {
        return "no owner declared".to_owned();
    };
    let mut path = vec![first.clone()];
    let mut next = library
        .owners
        .get(first)
        .and_then(|o| o.escalates_to.clone());
    // Bounded: owner cycles are compile errors, and a path is at most every owner.
    while let Some(name) = next.take() {
        if path.contains(&name) || path.len() > library.owners.len() {
            break;
        }
        next = library
            .owners
            .get(&name)
            .and_then(|o| o.escalates_to.clone());
        path.push(name);
    }
    path.join(" → ")
}

/// One row of a result: its group (`dimension=value` pairs and the
/// period) and each metric's value as a float (`None` when null).
pub struct ResultRow {
    pub group: Vec<(String, String)>,
    pub values: Vec<(String, Option<f64>)>,
}

impl ResultRow {
    /// `region=NA, period=2025-07-01`, or `overall` with no group.
    pub fn describe_group(&self) -> String {
        if self.group.is_empty() {
            return "overall".to_owned();
        }
        self.group
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The rows of a query's result; a metric whose values are not numbers
/// (or a column the result lacks) is left out.
pub fn result_rows(batches: &[RecordBatch], columns: &[OutputColumn]) -> Vec<ResultRow> {
    let options = FormatOptions::default().with_null("null");
    let mut out = Vec::new();
    for batch in batches {
        let mut keys = Vec::new();
        let mut metrics = Vec::new();
        for c in columns {
            match c {
                OutputColumn::Dimension(d) => keys.push((d.clone(), batch.column_by_name(d))),
                OutputColumn::Period => {
                    keys.push(("period".to_owned(), batch.column_by_name("period")))
                }
                OutputColumn::Metric { name, .. } => {
                    let floats = batch
                        .column_by_name(name)
                        .and_then(|a| datafusion::arrow::compute::cast(a, &DataType::Float64).ok());
                    if let Some(f) = floats {
                        metrics.push((name.clone(), f));
                    }
                }
            }
        }
        let formatters: Vec<(String, Option<ArrayFormatter>)> = keys
            .iter()
            .map(|(k, a)| {
                let f = a.and_then(|a| ArrayFormatter::try_new(a.as_ref(), &options).ok());
                (k.clone(), f)
            })
            .collect();
        for r in 0..batch.num_rows() {
            let group = formatters
                .iter()
                .map(|(k, f)| {
                    let v = f.as_ref().map(|f| f.value(r).to_string());
                    (k.clone(), v.unwrap_or_else(|| "?".to_owned()))
                })
                .collect();
            let values = metrics
                .iter()
                .map(|(name, a)| {
                    let v = a
                        .as_any()
                        .downcast_ref::<Float64Array>()
                        .filter(|f| f.is_valid(r))
                        .map(|f| f.value(r));
                    (name.clone(), v)
                })
                .collect();
            out.push(ResultRow { group, values });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bound(low: Option<(f64, bool)>, high: Option<(f64, bool)>) -> Bound {
        let limit = |(value, inclusive)| Limit { value, inclusive };
        Bound {
            low: low.map(limit),
            high: high.map(limit),
        }
    }

    #[test]
    fn limits_inclusive_or_strict() {
        let b = bound(Some((0.0, true)), Some((1.0, true)));
        assert!(within(&b, 0.0) && within(&b, 1.0) && !within(&b, 1.01));
        let strict = bound(Some((0.0, false)), Some((5.0, false)));
        assert!(!within(&strict, 0.0) && !within(&strict, 5.0) && within(&strict, 2.5));
        assert_eq!(show_bound(&b), "between 0 and 1");
        assert_eq!(show_bound(&strict), "> 0 and < 5");
        assert_eq!(show_bound(&bound(None, Some((10.0, true)))), "<= 10");
        assert_eq!(show_bound(&bound(Some((0.7, false)), None)), "> 0.7");
    }
}
