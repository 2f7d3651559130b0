//! Data that does not match its source stops `query` with exit 2 and a
//! message naming the file and the column; nothing panics.

#![allow(clippy::panic, clippy::unwrap_used)] // a test or tool: failing loudly is the point

use datafusion::arrow::array::{ArrayRef, Int64Array, StringArray, TimestampMicrosecondArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use datafusion::arrow::record_batch::RecordBatch;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;

const LIBRARY: &str = r#"
source events {
  path: "events.parquet"
  time: t
  columns { id: string  t: timestamp  n: int }
}
metric total { from: events formula: sum(n) }
"#;

fn library(yard: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("lib.yard"), yard).expect("write");
    dir
}

fn parquet(path: &Path, n_type: DataType, n: ArrayRef, with_t: bool) {
    let mut fields = vec![Field::new("id", DataType::Utf8, true)];
    let mut columns: Vec<ArrayRef> = vec![Arc::new(StringArray::from(vec!["a", "b"]))];
    if with_t {
        fields.push(Field::new(
            "t",
            DataType::Timestamp(TimeUnit::Microsecond, None),
            true,
        ));
        columns.push(Arc::new(TimestampMicrosecondArray::from(vec![
            1_780_000_000_000_000,
            1_780_000_100_000_000,
        ])));
    }
    fields.push(Field::new("n", n_type, true));
    columns.push(n);
    let batch = RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).expect("batch");
    let file = std::fs::File::create(path).expect("create");
    let mut writer =
        datafusion::parquet::arrow::ArrowWriter::try_new(file, batch.schema(), None).expect("w");
    writer.write(&batch).expect("write");
    writer.close().expect("close");
}

fn good(path: &Path) {
    parquet(
        path,
        DataType::Int64,
        Arc::new(Int64Array::from(vec![3, 4])),
        true,
    );
}

fn query(dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_yardstick"))
        .args(["query", "total", "--format", "json", "--spec"])
        .arg(dir)
        .output()
        .expect("run")
}

fn fails_naming(out: &Output, words: &[&str]) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    for w in words {
        assert!(err.contains(w), "`{w}` not in: {err}");
    }
    assert!(!err.contains("panicked"), "{err}");
    assert!(!err.contains("internal error"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn good_data_answers() {
    let dir = library(LIBRARY);
    good(&dir.path().join("events.parquet"));
    let out = query(dir.path());
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(rows, serde_json::json!([{"total": 7}]));
}

#[test]
fn a_missing_file_names_the_path() {
    let dir = library(LIBRARY);
    fails_naming(&query(dir.path()), &["events.parquet", "does not exist"]);
}

#[test]
fn a_glob_matching_nothing_says_so() {
    let dir = library(&LIBRARY.replace("events.parquet", "parts/*.parquet"));
    fails_naming(&query(dir.path()), &["parts/*.parquet", "matches no file"]);
}

#[test]
fn a_corrupt_file_names_the_file() {
    let dir = library(LIBRARY);
    std::fs::write(
        dir.path().join("events.parquet"),
        b"this is not parquet at all",
    )
    .expect("w");
    fails_naming(&query(dir.path()), &["events.parquet"]);
}

#[test]
fn a_truncated_file_names_the_file() {
    let dir = library(LIBRARY);
    let path = dir.path().join("events.parquet");
    good(&path);
    let bytes = std::fs::read(&path).expect("read");
    std::fs::write(&path, &bytes[..bytes.len() / 2]).expect("truncate");
    fails_naming(&query(dir.path()), &["events.parquet"]);
}

#[test]
fn a_wrong_column_type_names_file_column_and_both_types() {
    let dir = library(LIBRARY);
    parquet(
        &dir.path().join("events.parquet"),
        DataType::Utf8,
        Arc::new(StringArray::from(vec!["3", "4"])),
        true,
    );
    fails_naming(
        &query(dir.path()),
        &["events.parquet", "`n`", "declared int", "Utf8"],
    );
}

#[test]
fn a_missing_column_names_file_and_column() {
    let dir = library(LIBRARY);
    parquet(
        &dir.path().join("events.parquet"),
        DataType::Int64,
        Arc::new(Int64Array::from(vec![3, 4])),
        false,
    );
    fails_naming(&query(dir.path()), &["events.parquet", "no column `t`"]);
}

#[test]
fn a_csv_without_a_declared_column_names_it() {
    let dir = library(&LIBRARY.replace("events.parquet", "events.csv"));
    std::fs::write(
        dir.path().join("events.csv"),
        "id,t\na,2026-01-01T00:00:00Z\n",
    )
    .expect("w");
    fails_naming(&query(dir.path()), &["events.csv", "no column `n`"]);
}

#[test]
fn a_csv_value_of_the_wrong_type_names_the_file_line_and_column() {
    let dir = library(&LIBRARY.replace("events.parquet", "events.csv"));
    std::fs::write(
        dir.path().join("events.csv"),
        "id,t,n\na,2026-01-01T00:00:00Z,3\nb,2026-01-02T00:00:00Z,three\n",
    )
    .expect("w");
    // The line and column, not the value: messages never quote data.
    fails_naming(&query(dir.path()), &["events.csv", "line 3", "column `n`"]);
}

#[test]
fn an_unknown_metric_or_dimension_is_a_bad_argument() {
    let dir = library(LIBRARY);
    good(&dir.path().join("events.parquet"));
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_yardstick"))
            .arg("query")
            .args(args)
            .arg("--spec")
            .arg(dir.path())
            .output()
            .expect("run")
    };
    fails_naming(
        &run(&["totl"]),
        &["no metric named `totl`", "did you mean `total`"],
    );
    fails_naming(
        &run(&["total", "--by", "region"]),
        &["cannot be grouped by `region`"],
    );
    fails_naming(&run(&["total", "--grain", "decade"]), &["not a grain"]);
    fails_naming(&run(&["total", "--where", "n >"]), &["--where"]);
    fails_naming(&run(&["total", "--format", "parquet"]), &["--output"]);
}
