//! Governance acting on data: the words every finding shares (a metric's
//! bound, its owner and escalation path) and reading a query's result as
//! groups and values. `asserts` warns when `query` prints a value its
//! metric's `assert` forbids; `data_check` is `check --data`; `graph`
//! draws outcomes, metrics and `drives` edges; `reconcile` compares the
//! two sides of each `reconcile` declaration period by period.

pub mod asserts;
pub mod data_check;
pub mod graph;
pub mod reconcile;

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

pub use crate::report::number_for_people as number;

/// `support_ops → cx_leadership`: the metric's owner, then each owner it
/// escalates to; `no owner declared` without one.
pub fn escalation(library: &Library, metric: &Metric) -> String {
    owner_path(library, metric.owner.as_deref())
}

/// `finance → cfo`: an owner and each owner it escalates to; `no owner
/// declared` without one.
pub fn owner_path(library: &Library, owner: Option<&str>) -> String {
    let Some(first) = owner else {
        return "no owner declared".to_owned();
    };
    let mut path = vec![first.to_owned()];
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
        describe(&self.group)
    }
}

fn describe(group: &[(String, String)]) -> String {
    if group.is_empty() {
        return "overall".to_owned();
    }
    group
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One batch of a result, read lazily: the metrics `wanted` as floats (a
/// metric whose values are not numbers is left out), and each row's
/// group formatted only when asked for.
pub struct BatchView<'a> {
    keys: Vec<(String, Option<ArrayFormatter<'a>>)>,
    pub metrics: Vec<(String, Float64Array)>,
}

impl<'a> BatchView<'a> {
    pub fn new(
        batch: &'a RecordBatch,
        columns: &[OutputColumn],
        wanted: impl Fn(&str) -> bool,
    ) -> BatchView<'a> {
        let options = FormatOptions::default().with_null("null");
        let formatter = |name: &str| {
            batch
                .column_by_name(name)
                .and_then(|a| ArrayFormatter::try_new(a.as_ref(), &options).ok())
        };
        let mut keys = Vec::new();
        let mut metrics = Vec::new();
        for c in columns {
            match c {
                OutputColumn::Dimension(d) => keys.push((d.clone(), formatter(d))),
                OutputColumn::Period => keys.push(("period".to_owned(), formatter("period"))),
                OutputColumn::Metric { name, .. } if wanted(name) => {
                    let floats = batch
                        .column_by_name(name)
                        .and_then(|a| datafusion::arrow::compute::cast(a, &DataType::Float64).ok())
                        .and_then(|a| a.as_any().downcast_ref::<Float64Array>().cloned());
                    if let Some(f) = floats {
                        metrics.push((name.clone(), f));
                    }
                }
                OutputColumn::Metric { .. } => {}
            }
        }
        BatchView { keys, metrics }
    }

    /// Row `r`'s dimension values and period.
    pub fn group(&self, r: usize) -> Vec<(String, String)> {
        self.keys
            .iter()
            .map(|(k, f)| {
                let v = f.as_ref().map(|f| f.value(r).to_string());
                (k.clone(), v.unwrap_or_else(|| "?".to_owned()))
            })
            .collect()
    }

    /// `region=NA, period=2025-07-01` for row `r`, or `overall`.
    pub fn describe_group(&self, r: usize) -> String {
        describe(&self.group(r))
    }
}

/// Every row of a (small) result, with every numeric metric.
pub fn result_rows(batches: &[RecordBatch], columns: &[OutputColumn]) -> Vec<ResultRow> {
    let mut out = Vec::new();
    for batch in batches {
        let view = BatchView::new(batch, columns, |_| true);
        for r in 0..batch.num_rows() {
            let values = view
                .metrics
                .iter()
                .map(|(name, f)| (name.clone(), f.is_valid(r).then(|| f.value(r))))
                .collect();
            out.push(ResultRow {
                group: view.group(r),
                values,
            });
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
