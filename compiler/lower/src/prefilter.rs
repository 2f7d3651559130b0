//! The scan's pre-filter: a condition that keeps every row some metric of
//! the scan counts, and is cheap to test on every row of the source.
//!
//! Each metric's aggregates keep only that metric's rows (their `FILTER`),
//! so the pre-filter may keep more rows than any metric counts; it exists
//! to drop, before they are copied and aggregated, the rows that no metric
//! counts. Testing it costs a pass over every row, so it is written to be
//! short rather than exact. Metrics are grouped by their time column:
//! each group keeps the rows inside the union of its metrics' windows,
//! that meet the row filters all of its metrics share, and, when every
//! metric of the group has filters beyond those, one of those. Five
//! metrics over two time columns thus test four time comparisons instead
//! of one window per metric (issue 8's five-metric question: 0.7–0.85 of
//! its time in interleaved runs, `docs/benchmarks.md`). One metric, or
//! metrics with the same window, get exactly the condition their rows
//! meet.

use crate::scan::{conjunction, disjunction};
use crate::translate::timestamp_lit;
use datafusion::logical_expr::Expr as DfExpr;

/// The most row filters of one metric that also pre-filter the scan. A
/// metric deep in a chain of variants has thousands: DataFusion splits a
/// scan filter into its conjuncts, compares them pairwise and joins them
/// back into a chain as deep as their number, which takes minutes and
/// overflows the stack. Past this bound they filter the metric's
/// aggregates only, which gives the same numbers.
const PREFILTER_LIMIT: usize = 64;

/// One metric's row filters that may pre-filter: all of them, or none
/// past [`PREFILTER_LIMIT`].
pub(crate) fn bounded(filters: &[DfExpr]) -> Vec<DfExpr> {
    if filters.len() <= PREFILTER_LIMIT {
        filters.to_vec()
    } else {
        Vec::new()
    }
}

/// The rows one metric counts: a window on its time column (none: all
/// time) and its row filters, each a condition on the row.
pub(crate) struct MetricRows {
    pub window: Option<Window>,
    pub filters: Vec<DfExpr>,
}

/// `start <= time < end`, in microseconds since the epoch (no start:
/// everything before `end`).
#[derive(Clone)]
pub(crate) struct Window {
    pub time: DfExpr,
    pub start: Option<i64>,
    pub end: i64,
}

impl Window {
    /// The conditions of a row inside the window.
    pub(crate) fn conditions(&self) -> Vec<DfExpr> {
        within(&self.time, self.start, self.end)
    }
}

/// `time < end` and, with a start, `time >= start`.
fn within(time: &DfExpr, start: Option<i64>, end: i64) -> Vec<DfExpr> {
    let mut c = vec![time.clone().lt(timestamp_lit(end))];
    if let Some(start) = start {
        c.push(time.clone().gt_eq(timestamp_lit(start)));
    }
    c
}

/// The pre-filter of `metrics`: true of every row any of them counts.
pub(crate) fn union_of(metrics: &[MetricRows]) -> DfExpr {
    // Groups of metrics on one time column (`None`: no window), in the
    // order their first metric was asked for.
    let mut groups: Vec<(Option<&DfExpr>, Vec<&MetricRows>)> = Vec::new();
    for metric in metrics {
        let time = metric.window.as_ref().map(|w| &w.time);
        match groups.iter_mut().find(|(t, _)| *t == time) {
            Some((_, members)) => members.push(metric),
            None => groups.push((time, vec![metric])),
        }
    }
    disjunction(groups.into_iter().map(|(_, g)| group(&g)).collect())
}

/// The condition of one group of metrics on one time column.
fn group(members: &[&MetricRows]) -> DfExpr {
    let windows: Vec<Window> = members.iter().filter_map(|m| m.window.clone()).collect();
    let mut parts = Vec::new();
    if let Some(time) = windows.first().map(|w| w.time.clone()) {
        let spans = merged(windows.iter().map(|w| (w.start, w.end)).collect());
        parts.push(disjunction(
            spans
                .into_iter()
                .map(|(start, end)| conjunction(within(&time, start, end)))
                .collect(),
        ));
    }
    // A metric past the bound makes the group's filter count pass it too;
    // leaving early also spares comparing thousands of filters pairwise.
    let too_many = members.iter().any(|m| m.filters.len() > PREFILTER_LIMIT);
    let Some((first, others)) = members.split_first().filter(|_| !too_many) else {
        return conjunction(parts);
    };
    let shared: Vec<DfExpr> = first
        .filters
        .iter()
        .filter(|f| others.iter().all(|m| m.filters.contains(f)))
        .cloned()
        .collect();
    let rest: Vec<Vec<DfExpr>> = members
        .iter()
        .map(|m| {
            m.filters
                .iter()
                .filter(|f| !shared.contains(f))
                .cloned()
                .collect()
        })
        .collect();
    let filter_count = shared.len() + rest.iter().map(Vec::len).sum::<usize>();
    if filter_count > PREFILTER_LIMIT {
        return conjunction(parts);
    }
    parts.extend(shared);
    // Only when every metric has a filter of its own does any of them
    // narrow the group: otherwise some metric counts every row left.
    if rest.iter().all(|r| !r.is_empty()) {
        parts.push(disjunction(rest.into_iter().map(conjunction).collect()));
    }
    conjunction(parts)
}

/// The union of `[start, end)` spans as the fewest disjoint spans, in
/// order (no start: from the beginning of time).
fn merged(mut spans: Vec<(Option<i64>, i64)>) -> Vec<(Option<i64>, i64)> {
    // `None` (unbounded) sorts first.
    spans.sort();
    let mut out: Vec<(Option<i64>, i64)> = Vec::new();
    for (start, end) in spans {
        match out.last_mut() {
            // Overlapping or touching: one span.
            Some(last) if start.is_none_or(|s| s <= last.1) => last.1 = last.1.max(end),
            _ => out.push((start, end)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::logical_expr::col;

    fn window(start: i64, end: i64) -> Option<Window> {
        Some(Window {
            time: col("t"),
            start: Some(start),
            end,
        })
    }

    fn inside(start: i64, end: i64) -> DfExpr {
        col("t")
            .lt(timestamp_lit(end))
            .and(col("t").gt_eq(timestamp_lit(start)))
    }

    #[test]
    fn one_metric_keeps_exactly_its_rows() {
        let only = MetricRows {
            window: window(0, 10),
            filters: vec![col("p"), col("q")],
        };
        assert_eq!(union_of(&[only]), inside(0, 10).and(col("p").and(col("q"))));
    }

    #[test]
    fn past_the_bound_filters_leave_the_pre_filter_to_the_windows() {
        let many = MetricRows {
            window: window(0, 10),
            filters: (0..=PREFILTER_LIMIT)
                .map(|i| col(format!("c{i}")))
                .collect(),
        };
        let few = MetricRows {
            window: window(5, 20),
            filters: vec![col("c0")],
        };
        assert_eq!(union_of(&[many, few]), inside(0, 20));
    }

    #[test]
    fn metrics_on_one_time_column_share_a_window_and_their_common_filters() {
        let a = MetricRows {
            window: window(0, 10),
            filters: vec![col("p"), col("q")],
        };
        let b = MetricRows {
            window: window(5, 10),
            filters: vec![col("p")],
        };
        let c = MetricRows {
            window: window(20, 30),
            filters: vec![col("p"), col("r")],
        };
        // `b` has no filter of its own, so `q` cannot narrow the group.
        assert_eq!(union_of(&[a, b]), inside(0, 10).and(col("p")));
        let a = MetricRows {
            window: window(0, 10),
            filters: vec![col("p"), col("q")],
        };
        // Two spans with a gap; each metric has a filter of its own.
        assert_eq!(
            union_of(&[a, c]),
            inside(0, 10)
                .or(inside(20, 30))
                .and(col("p").and(col("q").or(col("r"))))
        );
    }

    #[test]
    fn spans_that_overlap_or_touch_merge_and_gaps_stay() {
        assert_eq!(
            merged(vec![
                (Some(5), 9),
                (Some(0), 5),
                (Some(20), 30),
                (Some(25), 28)
            ]),
            vec![(Some(0), 9), (Some(20), 30)]
        );
        assert_eq!(
            merged(vec![(Some(5), 9), (None, 3)]),
            vec![(None, 3), (Some(5), 9)]
        );
        assert_eq!(merged(vec![(Some(5), 9), (None, 7)]), vec![(None, 9)]);
    }
}
