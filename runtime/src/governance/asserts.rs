//! `query` warns on stderr about each printed value that breaks its
//! metric's `assert`: the metric, the group, the value, the bound, and
//! who must act (the owner and the escalation path). Stdout and the exit
//! code do not change. Only the columns of metrics with an `assert` are
//! read, and a row's group is formatted only when it breaches.

use super::{escalation, number, show_bound, within, BatchView};
use datafusion::arrow::array::Array;
use datafusion::arrow::record_batch::RecordBatch;
use yardstick_compiler::model::Library;
use yardstick_lower::OutputColumn;

/// One line per breach, in the result's order.
pub fn breaches(
    library: &Library,
    batches: &[RecordBatch],
    columns: &[OutputColumn],
) -> Vec<String> {
    let asserted = |name: &str| {
        library
            .metrics
            .get(name)
            .is_some_and(|m| m.assert.is_some())
    };
    let any = columns
        .iter()
        .any(|c| matches!(c, OutputColumn::Metric { name, .. } if asserted(name)));
    let mut out = Vec::new();
    if !any {
        return out;
    }
    for batch in batches {
        let view = BatchView::new(batch, columns, asserted);
        for r in 0..batch.num_rows() {
            for (name, values) in &view.metrics {
                let Some(metric) = library.metrics.get(name) else {
                    continue;
                };
                let Some(bound) = &metric.assert else {
                    continue;
                };
                if !values.is_valid(r) || within(bound, values.value(r)) {
                    continue;
                }
                out.push(format!(
                    "warning: `{name}` = {} ({}) breaks its assert `{}`; owner: {}",
                    number(values.value(r)),
                    view.describe_group(r),
                    show_bound(bound),
                    escalation(library, metric)
                ));
            }
        }
    }
    out
}

/// Prints [`breaches`] to stderr.
pub fn warn(library: &Library, batches: &[RecordBatch], columns: &[OutputColumn]) {
    for line in breaches(library, batches, columns) {
        crate::stdio::eprintln(&line);
    }
}
