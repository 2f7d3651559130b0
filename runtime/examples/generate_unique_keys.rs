//! Writes the memory benchmark of `docs/benchmarks.md`: a library with one
//! source whose key is also a dimension, and ROWS rows of it in Parquet
//! (written in batches of a million, so generating does not need the
//! memory the query is measured with).
//!
//! `cargo run -p yardstick --example generate_unique_keys -- OUT_DIR [ROWS]`
//! then `yardstick query customers --by ticket_id --spec OUT_DIR --format
//! csv --output /tmp/out.csv [--memory-limit SIZE]`.

#![allow(clippy::panic, clippy::unwrap_used)] // a tool: failing loudly is the point

use datafusion::arrow::array::{ArrayRef, StringArray, TimestampMicrosecondArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use datafusion::arrow::record_batch::RecordBatch;
use std::path::PathBuf;
use std::sync::Arc;

const LIBRARY: &str = r#"
source tickets {
  path: "tickets.parquet"
  time: opened_at
  key: ticket_id
  dimensions: ticket_id
  columns { ticket_id: string  customer: string  opened_at: timestamp }
}

metric customers {
  from: tickets
  formula: count_distinct(customer)
}
"#;

const BATCH: usize = 1_000_000;

fn main() {
    let mut args = std::env::args().skip(1);
    let out = PathBuf::from(args.next().expect("OUT_DIR"));
    let rows: usize = args
        .next()
        .and_then(|s| s.replace('_', "").parse().ok())
        .unwrap_or(20_000_000);
    std::fs::create_dir_all(&out).expect("output folder");
    std::fs::write(out.join("bench.yard"), LIBRARY).expect("library");
    let schema = Arc::new(Schema::new(vec![
        Field::new("ticket_id", DataType::Utf8, false),
        Field::new("customer", DataType::Utf8, false),
        Field::new(
            "opened_at",
            DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
            false,
        ),
    ]));
    let file = std::fs::File::create(out.join("tickets.parquet")).expect("create");
    let mut writer =
        datafusion::parquet::arrow::ArrowWriter::try_new(file, schema.clone(), None).expect("w");
    let start: i64 = 1_767_225_600_000_000; // 2026-01-01
    let mut written = 0;
    while written < rows {
        let n = BATCH.min(rows - written);
        let ids: Vec<String> = (written..written + n).map(|i| format!("T{i:09}")).collect();
        // A customer in every 7 rows, spread over a million customers.
        let customers: Vec<String> = (written..written + n)
            .map(|i| format!("C{:07}", (i * 7_919) % 1_000_000))
            .collect();
        let times: Vec<i64> = (written..written + n)
            .map(|i| start + (i as i64 % 31_536_000) * 1_000_000)
            .collect();
        let columns: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from(ids)),
            Arc::new(StringArray::from(customers)),
            Arc::new(TimestampMicrosecondArray::from(times).with_timezone("UTC")),
        ];
        let batch = RecordBatch::try_new(schema.clone(), columns).expect("batch");
        writer.write(&batch).expect("write");
        written += n;
    }
    writer.close().expect("close");
    eprintln!("wrote {rows} rows to {}", out.display());
}
