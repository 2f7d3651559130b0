//! `--order-by COL[,-COL]` and `--limit N`: the result's rows rearranged
//! after the query ran, before output. Sorting is done on the Arrow
//! batches (`lexsort_to_indices` then `take`), not on the DataFusion plan:
//! results are one row per group and period, small, and the plan (and
//! `explain`) stay the same with or without these flags.
//!
//! A leading `-` sorts that column descending. Nulls come last either way,
//! and rows that tie keep the order the query gave them.

use crate::Fatal;
use datafusion::arrow::array::{ArrayRef, UInt32Array};
use datafusion::arrow::compute::{concat_batches, lexsort_to_indices, take_record_batch};
use datafusion::arrow::compute::{SortColumn, SortOptions};
use datafusion::arrow::record_batch::RecordBatch;
use std::sync::Arc;
use yardstick_lower::OutputColumn;

/// One `--order-by` key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortKey {
    pub column: String,
    pub descending: bool,
}

/// Reads the words of `--order-by` (already split at commas).
pub fn sort_keys(words: &[String]) -> Result<Vec<SortKey>, Fatal> {
    words
        .iter()
        .map(|word| {
            let word = word.trim();
            let (descending, column) = match word.strip_prefix('-') {
                Some(rest) => (true, rest.trim()),
                None => (false, word),
            };
            if column.is_empty() {
                return Err(Fatal(
                    "`--order-by` has an empty column name: write `--order-by nps` or `--order-by -nps,region`".to_owned(),
                ));
            }
            Ok(SortKey {
                column: column.to_owned(),
                descending,
            })
        })
        .collect()
}

/// The names of the result's columns, in order (what `--order-by` may name).
pub fn column_names(columns: &[OutputColumn]) -> Vec<String> {
    columns
        .iter()
        .map(|c| match c {
            OutputColumn::Dimension(d) => d.clone(),
            OutputColumn::Period => "period".to_owned(),
            OutputColumn::Metric { name, .. } => name.clone(),
        })
        .collect()
}

/// Checks every key names a column of the result.
pub fn check_keys(keys: &[SortKey], columns: &[OutputColumn]) -> Result<(), Fatal> {
    let names = column_names(columns);
    for key in keys {
        if !names.contains(&key.column) {
            return Err(Fatal(format!(
                "`--order-by {}`: the result has no such column; its columns are {}",
                key.column,
                names
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
    }
    Ok(())
}

/// The batches sorted by `keys` and cut to `limit` rows.
pub fn apply(
    batches: Vec<RecordBatch>,
    columns: &[OutputColumn],
    keys: &[SortKey],
    limit: Option<usize>,
) -> Result<Vec<RecordBatch>, Fatal> {
    check_keys(keys, columns)?;
    if keys.is_empty() && limit.is_none() {
        return Ok(batches);
    }
    let Some(schema) = batches.first().map(RecordBatch::schema) else {
        return Ok(batches);
    };
    let all = concat_batches(&schema, &batches)?;
    let rows = all.num_rows();
    let sorted = if keys.is_empty() {
        all
    } else {
        let mut sort_columns = Vec::with_capacity(keys.len() + 1);
        for key in keys {
            let values = all
                .column_by_name(&key.column)
                .cloned()
                .ok_or_else(|| Fatal(format!("the result has no column `{}`", key.column)))?;
            sort_columns.push(SortColumn {
                values,
                options: Some(SortOptions {
                    descending: key.descending,
                    nulls_first: false,
                }),
            });
        }
        // The row number breaks ties, so equal keys keep the query's order.
        let count =
            u32::try_from(rows).map_err(|_| Fatal(format!("{rows} rows are too many to sort")))?;
        let order: ArrayRef = Arc::new(UInt32Array::from_iter_values(0..count));
        sort_columns.push(SortColumn {
            values: order,
            options: None,
        });
        let indices = lexsort_to_indices(&sort_columns, limit)?;
        take_record_batch(&all, &indices)?
    };
    let kept = limit.map_or(sorted.num_rows(), |n| n.min(sorted.num_rows()));
    Ok(vec![sorted.slice(0, kept)])
}
