//! `query` warns on stderr about each printed value that breaks its
//! metric's `assert`: the metric, the group, the value, the bound, and
//! who must act (the owner and the escalation path). Stdout and the exit
//! code do not change.

use super::{escalation, number, result_rows, show_bound, within};
use datafusion::arrow::record_batch::RecordBatch;
use yardstick_compiler::model::Library;
use yardstick_lower::OutputColumn;

/// One line per breach, in the result's order.
pub fn breaches(
    library: &Library,
    batches: &[RecordBatch],
    columns: &[OutputColumn],
) -> Vec<String> {
    let mut out = Vec::new();
    for row in result_rows(batches, columns) {
        for (name, value) in &row.values {
            let (Some(metric), Some(value)) = (library.metrics.get(name), value) else {
                continue;
            };
            let Some(bound) = &metric.assert else {
                continue;
            };
            if within(bound, *value) {
                continue;
            }
            out.push(format!(
                "warning: `{name}` = {} ({}) breaks its assert `{}`; owner: {}",
                number(*value),
                row.describe_group(),
                show_bound(bound),
                escalation(library, metric)
            ));
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
