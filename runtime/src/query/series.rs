//! A series result (a query with `--grain`) read as lines: one per metric
//! and group of the `--by` dimensions, each with a value (or none) for
//! every period of the result, periods in time order. What `--chart`
//! draws, the catalog's charts and the table's sparklines read.

use crate::governance::result_rows;
use datafusion::arrow::record_batch::RecordBatch;
use std::collections::BTreeMap;
use yardstick_lower::OutputColumn;

/// A group: its `--by` dimensions and their values, as printed.
pub type Group = Vec<(String, String)>;

/// The lines of a series over its periods.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Every period of the result, oldest first, as printed (`2025-07-01`).
    pub periods: Vec<String>,
    pub lines: Vec<Line>,
}

/// One metric in one group, across the periods.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub metric: String,
    pub group: Group,
    /// The legend's name: the group (`region=NA`), with the metric first
    /// when the result has several; empty for one metric and no groups.
    pub name: String,
    /// Aligned with `Series::periods`; `None` where the metric is null or
    /// the group has no row for the period.
    pub values: Vec<Option<f64>>,
}

impl Series {
    /// The result as lines, or `None` when it is not a series (no period
    /// column). Lines come in the order their groups first appear, metric
    /// by metric.
    pub fn read(batches: &[RecordBatch], columns: &[OutputColumn]) -> Option<Series> {
        if !columns.iter().any(|c| matches!(c, OutputColumn::Period)) {
            return None;
        }
        let metrics: Vec<&str> = columns
            .iter()
            .filter_map(|c| match c {
                OutputColumn::Metric { name, .. } => Some(name.as_str()),
                _ => None,
            })
            .collect();
        let rows = result_rows(batches, columns);
        let mut periods: Vec<String> = rows
            .iter()
            .filter_map(|r| r.group.iter().find(|(k, _)| k == "period"))
            .map(|(_, v)| v.clone())
            .collect();
        // ISO dates and timestamps of one grain sort as text.
        periods.sort();
        periods.dedup();
        let index: BTreeMap<&str, usize> = periods
            .iter()
            .enumerate()
            .map(|(i, p)| (p.as_str(), i))
            .collect();
        let mut groups: Vec<Group> = Vec::new();
        let mut values: BTreeMap<(usize, &str), Vec<Option<f64>>> = BTreeMap::new();
        for row in &rows {
            let group: Group = row
                .group
                .iter()
                .filter(|(k, _)| k != "period")
                .cloned()
                .collect();
            let Some(period) = row
                .group
                .iter()
                .find(|(k, _)| k == "period")
                .and_then(|(_, p)| index.get(p.as_str()))
            else {
                continue;
            };
            let g = match groups.iter().position(|x| *x == group) {
                Some(g) => g,
                None => {
                    groups.push(group);
                    groups.len() - 1
                }
            };
            for (metric, value) in &row.values {
                let Some(m) = metrics.iter().find(|m| **m == metric.as_str()) else {
                    continue;
                };
                let slot = values
                    .entry((g, m))
                    .or_insert_with(|| vec![None; periods.len()]);
                slot[*period] = *value;
            }
        }
        let mut lines = Vec::new();
        for metric in &metrics {
            for (g, group) in groups.iter().enumerate() {
                let Some(v) = values.remove(&(g, metric)) else {
                    continue;
                };
                let described = group
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                let name = match (metrics.len() > 1, described.is_empty()) {
                    (true, true) => (*metric).to_owned(),
                    (true, false) => format!("{metric}, {described}"),
                    (false, _) => described,
                };
                lines.push(Line {
                    metric: (*metric).to_owned(),
                    group: group.clone(),
                    name,
                    values: v,
                });
            }
        }
        Some(Series { periods, lines })
    }
}

/// The bars of a sparkline, lowest first.
const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// One character per value: the lowest value `▁`, the highest `█`, the
/// others at the nearest of the eight heights between (scaled to this
/// line's own range); a missing or non-finite value is a space; a line
/// whose values are all equal is `▄` throughout.
pub fn sparkline(values: &[Option<f64>]) -> String {
    let finite = || values.iter().flatten().copied().filter(|v| v.is_finite());
    let low = finite().fold(f64::INFINITY, f64::min);
    let high = finite().fold(f64::NEG_INFINITY, f64::max);
    values
        .iter()
        .map(|v| match v.filter(|v| v.is_finite()) {
            None => ' ',
            Some(_) if high <= low => BARS[3],
            Some(v) => {
                let step = ((v - low) / (high - low) * 7.0).round();
                // Within 0..=7 by construction; clamped all the same.
                BARS[(step.clamp(0.0, 7.0)) as usize]
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::sparkline;

    #[test]
    fn sparkline_heights_by_hand() {
        // 1..4 over a range of 3: steps 0, 7/3 = 2.33 -> 2, 14/3 = 4.67 -> 5, 7.
        assert_eq!(
            sparkline(&[Some(1.0), Some(2.0), Some(3.0), Some(4.0)]),
            "▁▃▆█"
        );
        assert_eq!(sparkline(&[Some(5.0), None, Some(5.0)]), "▄ ▄");
        assert_eq!(sparkline(&[Some(-2.0), Some(f64::NAN), Some(6.0)]), "▁ █");
        assert_eq!(sparkline(&[None, None]), "  ");
        assert_eq!(sparkline(&[]), "");
    }
}
