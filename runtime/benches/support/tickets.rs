//! The benchmarks' tickets table: ROWS rows over a year from 2025-07-01
//! (four channels, four regions, 92 % resolved within five days, 1 % test
//! rows), in Parquet, from a fixed seed so every run writes the same bytes.
//! Shared by `benches/query_vs_sql.rs` and `examples/generate_tickets.rs`.

use chrono::NaiveDate;
use datafusion::arrow::array::{
    ArrayRef, BooleanArray, Float64Array, Int64Array, StringArray, TimestampMicrosecondArray,
};
use datafusion::arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use datafusion::arrow::record_batch::RecordBatch;
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use std::path::Path;
use std::sync::Arc;

pub fn generate(path: &Path, rows: usize) {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let start = NaiveDate::from_ymd_opt(2025, 7, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .expect("start")
        .and_utc()
        .timestamp_micros();
    let year = 365 * 86_400 * 1_000_000_i64;
    let utc = DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()));
    let schema = Arc::new(Schema::new(vec![
        Field::new("channel", DataType::Utf8, true),
        Field::new("region", DataType::Utf8, true),
        Field::new("opened_at", utc.clone(), true),
        Field::new("resolved_at", utc, true),
        Field::new("contacts_to_resolve", DataType::Int64, true),
        Field::new("cost_usd", DataType::Float64, true),
        Field::new("handle_minutes", DataType::Float64, true),
        Field::new("is_test", DataType::Boolean, true),
    ]));
    let file = std::fs::File::create(path).expect("create");
    let mut writer =
        datafusion::parquet::arrow::ArrowWriter::try_new(file, schema.clone(), None).expect("w");
    let channels = ["email", "chat", "phone", "internal"];
    let regions = ["NA", "EMEA", "APAC", "LATAM"];
    let chunk = 1_000_000;
    let mut done = 0;
    while done < rows {
        let n = chunk.min(rows - done);
        let mut opened = Vec::with_capacity(n);
        let mut resolved = Vec::with_capacity(n);
        let mut contacts = Vec::with_capacity(n);
        let mut cost = Vec::with_capacity(n);
        let mut minutes = Vec::with_capacity(n);
        let mut channel = Vec::with_capacity(n);
        let mut region = Vec::with_capacity(n);
        let mut test = Vec::with_capacity(n);
        for _ in 0..n {
            let o = start + rng.random_range(0..year);
            let done_ok = rng.random_range(0..100) < 92;
            opened.push(o);
            resolved.push(done_ok.then(|| o + rng.random_range(0..5 * 86_400_000_000_i64)));
            contacts.push(done_ok.then(|| rng.random_range(1..4)));
            let m = rng.random_range(4.0..90.0_f64);
            minutes.push(m);
            cost.push(m * 0.9);
            channel.push(channels[rng.random_range(0..4)]);
            region.push(regions[rng.random_range(0..4)]);
            test.push(rng.random_range(0..100) == 0);
        }
        let columns: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from(channel)),
            Arc::new(StringArray::from(region)),
            Arc::new(TimestampMicrosecondArray::from(opened).with_timezone("UTC")),
            Arc::new(TimestampMicrosecondArray::from(resolved).with_timezone("UTC")),
            Arc::new(Int64Array::from(contacts)),
            Arc::new(Float64Array::from(cost)),
            Arc::new(Float64Array::from(minutes)),
            Arc::new(BooleanArray::from(test)),
        ];
        writer
            .write(&RecordBatch::try_new(schema.clone(), columns).expect("batch"))
            .expect("write");
        done += n;
    }
    writer.close().expect("close");
}
