//! Writing query results: an aligned table for people, csv, json (an array
//! of objects), parquet and arrow. Files are written by `crate::outfile`
//! (whole or absent, never replacing a special file); stdout output is
//! rendered whole first and ends quietly if the reader has gone. Table
//! cells have their control characters escaped.

use crate::Fatal;
use datafusion::arrow::array::{Array, ArrayRef, Int64Array};
use datafusion::arrow::datatypes::{DataType, Schema};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use yardstick_lower::OutputColumn;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Table,
    Csv,
    Json,
    Parquet,
    Arrow,
}

impl OutputFormat {
    /// The format asked for; without one, the extension of the output file
    /// (.csv .json .parquet .arrow, any case); otherwise a table.
    pub fn infer(given: Option<OutputFormat>, output: Option<&Path>) -> OutputFormat {
        if let Some(format) = given {
            return format;
        }
        let extension = output
            .and_then(Path::extension)
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match extension.as_deref() {
            Some("csv") => OutputFormat::Csv,
            Some("json") => OutputFormat::Json,
            Some("parquet") => OutputFormat::Parquet,
            Some("arrow") => OutputFormat::Arrow,
            _ => OutputFormat::Table,
        }
    }
}

/// Writes the result to `output`, or to stdout. A table starts with its
/// `caption` line (the time the numbers are for); the data formats carry
/// only the data.
pub fn write(
    batches: &[RecordBatch],
    columns: &[OutputColumn],
    format: OutputFormat,
    output: Option<&Path>,
    caption: &str,
) -> Result<(), Fatal> {
    let visible = visible(batches, columns)?;
    let render = |sink: &mut (dyn Write + Send)| -> Result<(), Fatal> {
        match format {
            OutputFormat::Table => {
                let table = table(batches, columns)?;
                sink.write_all(format!("{caption}\n{table}").as_bytes())?;
            }
            OutputFormat::Csv => {
                let mut writer = datafusion::arrow::csv::WriterBuilder::new()
                    .with_header(true)
                    .build(&mut *sink);
                for b in &visible {
                    writer.write(b)?;
                }
            }
            OutputFormat::Json => {
                let mut writer = datafusion::arrow::json::WriterBuilder::new()
                    .with_explicit_nulls(true)
                    .build::<_, datafusion::arrow::json::writer::JsonArray>(&mut *sink);
                let refs: Vec<&RecordBatch> = visible.iter().collect();
                writer.write_batches(&refs)?;
                writer.finish()?;
                drop(writer);
                sink.write_all(b"\n")?;
            }
            OutputFormat::Parquet => {
                let schema = schema_of(&visible, columns, batches);
                let mut writer =
                    datafusion::parquet::arrow::ArrowWriter::try_new(&mut *sink, schema, None)?;
                for b in &visible {
                    writer.write(b)?;
                }
                writer.close()?;
            }
            OutputFormat::Arrow => {
                let schema = schema_of(&visible, columns, batches);
                let mut writer =
                    datafusion::arrow::ipc::writer::FileWriter::try_new(&mut *sink, &schema)?;
                for b in &visible {
                    writer.write(b)?;
                }
                writer.finish()?;
            }
        }
        Ok(())
    };
    match output {
        None => {
            if matches!(format, OutputFormat::Parquet | OutputFormat::Arrow) {
                return Err(Fatal(
                    "parquet and arrow output need `--output FILE`".to_owned(),
                ));
            }
            // Rendered whole first, so a failure prints nothing half-done.
            let mut buffer: Vec<u8> = Vec::new();
            render(&mut buffer)?;
            crate::stdio::print_bytes(&buffer)
        }
        Some(path) => {
            let _writing = crate::guard::doing(format!("writing `{}`", path.display()));
            crate::outfile::write(path, |file| {
                let mut buffered = std::io::BufWriter::new(file);
                render(&mut buffered)?;
                buffered.flush()?;
                Ok(())
            })
        }
    }
}

fn hidden(columns: &[OutputColumn]) -> Vec<&str> {
    columns
        .iter()
        .filter_map(|c| match c {
            OutputColumn::Metric {
                sample: Some((n, _)),
                ..
            } => Some(n.as_str()),
            _ => None,
        })
        .collect()
}

/// The batches without the hidden sample-count columns.
fn visible(batches: &[RecordBatch], columns: &[OutputColumn]) -> Result<Vec<RecordBatch>, Fatal> {
    let hidden = hidden(columns);
    batches
        .iter()
        .map(|b| {
            let keep: Vec<usize> = (0..b.num_columns())
                .filter(|i| !hidden.contains(&b.schema().field(*i).name().as_str()))
                .collect();
            Ok(b.project(&keep)?)
        })
        .collect()
}

fn schema_of(
    visible: &[RecordBatch],
    columns: &[OutputColumn],
    all: &[RecordBatch],
) -> Arc<Schema> {
    match visible.first() {
        Some(b) => b.schema(),
        None => {
            let hidden = hidden(columns);
            let fields: Vec<_> = all
                .first()
                .map(|b| {
                    b.schema()
                        .fields()
                        .iter()
                        .filter(|f| !hidden.contains(&f.name().as_str()))
                        .cloned()
                        .collect()
                })
                .unwrap_or_default();
            Arc::new(Schema::new(fields))
        }
    }
}

/// An aligned table; a value withheld by `min_sample` shows as `n<30`; a
/// series ends with a sparkline column per metric (`with_sparklines`).
fn table(batches: &[RecordBatch], columns: &[OutputColumn]) -> Result<String, Fatal> {
    let visible: Vec<&OutputColumn> = columns.iter().collect();
    let headers: Vec<String> = visible
        .iter()
        .map(|c| match c {
            OutputColumn::Dimension(d) => d.clone(),
            OutputColumn::Period => "period".to_owned(),
            OutputColumn::Metric { name, .. } => name.clone(),
        })
        .collect();
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut numeric = vec![false; headers.len()];
    let options = FormatOptions::default().with_null("null");
    for batch in batches {
        let mut cells: Vec<Vec<String>> = Vec::new();
        for (i, (column, header)) in visible.iter().zip(&headers).enumerate() {
            let array = batch
                .column_by_name(header)
                .ok_or_else(|| Fatal(format!("the result has no column `{header}`")))?;
            numeric[i] = array.data_type().is_numeric();
            let sample = match column {
                OutputColumn::Metric {
                    sample: Some((n, min)),
                    ..
                } => batch.column_by_name(n).cloned().map(|a| (a, *min)),
                _ => None,
            };
            cells.push(format_column(array, sample, &options)?);
        }
        for r in 0..batch.num_rows() {
            rows.push(cells.iter().map(|c| c[r].clone()).collect());
        }
    }
    let (headers, rows, numeric) = with_sparklines(batches, columns, headers, rows, numeric);
    let widths: Vec<usize> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| {
            rows.iter()
                .map(|r| r[i].chars().count())
                .chain(std::iter::once(h.chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: &[String]| -> String {
        let parts: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if numeric[i] {
                    format!("{c:>w$}", w = widths[i])
                } else {
                    format!("{c:<w$}", w = widths[i])
                }
            })
            .collect();
        parts.join("  ").trim_end().to_owned() + "\n"
    };
    let mut out = line(&headers);
    out.push_str(
        &(widths
            .iter()
            .map(|w| "-".repeat(*w))
            .collect::<Vec<_>>()
            .join("  ")
            + "\n"),
    );
    for r in &rows {
        out.push_str(&line(r));
    }
    Ok(out)
}

/// For a series, a column `<metric> trend` per metric: on the first row
/// printed of each group, the sparkline of that group's values across every
/// period of the result, oldest left, one character per period (a space
/// where it has none); empty on the group's other rows. Another result is
/// left as it is.
fn with_sparklines(
    batches: &[RecordBatch],
    columns: &[OutputColumn],
    mut headers: Vec<String>,
    mut rows: Vec<Vec<String>>,
    mut numeric: Vec<bool>,
) -> (Vec<String>, Vec<Vec<String>>, Vec<bool>) {
    use super::series::{Group, Series};
    let Some(series) = Series::read(batches, columns) else {
        return (headers, rows, numeric);
    };
    let metrics: Vec<&str> = columns
        .iter()
        .filter_map(|c| match c {
            OutputColumn::Metric { name, .. } => Some(name.as_str()),
            _ => None,
        })
        .collect();
    let groups: Vec<Group> = crate::governance::result_rows(batches, columns)
        .into_iter()
        .map(|r| r.group.into_iter().filter(|(k, _)| k != "period").collect())
        .collect();
    let mut trends: std::collections::HashMap<(&str, &Group), String> = series
        .lines
        .iter()
        .map(|l| {
            (
                (l.metric.as_str(), &l.group),
                super::series::sparkline(&l.values),
            )
        })
        .collect();
    for metric in &metrics {
        headers.push(format!("{metric} trend"));
        numeric.push(false);
        for (row, group) in rows.iter_mut().zip(&groups) {
            // Taken on the group's first row, so its other rows stay empty.
            row.push(trends.remove(&(*metric, group)).unwrap_or_default());
        }
    }
    (headers, rows, numeric)
}

fn format_column(
    array: &ArrayRef,
    sample: Option<(ArrayRef, u64)>,
    options: &FormatOptions,
) -> Result<Vec<String>, Fatal> {
    let formatter = ArrayFormatter::try_new(array.as_ref(), options)?;
    let counts = sample
        .as_ref()
        .and_then(|(a, _)| a.as_any().downcast_ref::<Int64Array>());
    let mut out = Vec::with_capacity(array.len());
    for i in 0..array.len() {
        if array.is_null(i) {
            if let (Some(counts), Some((_, min))) = (counts, &sample) {
                if counts.is_valid(i) && (counts.value(i) as u64) < *min {
                    out.push(format!("n<{min}"));
                    continue;
                }
            }
            out.push("null".to_owned());
            continue;
        }
        let text = formatter.value(i).to_string();
        out.push(match array.data_type() {
            DataType::Float64 | DataType::Float32 => round_for_people(&text),
            _ => crate::guard::escape_cell(&text),
        });
    }
    Ok(out)
}

/// A float cell as `report::number_for_people` writes numbers.
fn round_for_people(text: &str) -> String {
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => crate::report::number_for_people(v),
        _ => text.to_owned(),
    }
}
