//! `yardstick query` against the same query written by hand in DataFusion
//! SQL, on generated data (10M ticket rows in parquet by default), side by
//! side. Also the cost of five metrics of one source against one.
//!
//! Run: `cargo bench -p yardstick --bench query_vs_sql [-- ROWS]`.
//! The data is generated once into `target/bench-data/`.

#![allow(clippy::panic, clippy::unwrap_used)] // a test or tool: failing loudly is the point

use chrono::NaiveDate;
use datafusion::arrow::array::{
    ArrayRef, BooleanArray, Float64Array, Int64Array, StringArray, TimestampMicrosecondArray,
};
use datafusion::arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::prelude::{ParquetReadOptions, SessionContext};
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

const LIBRARY: &str = r#"
source tickets {
  path: "tickets.parquet"
  time: opened_at
  exclude: is_test
  dimensions: channel, region
  columns {
    channel: string
    region: string
    opened_at: timestamp
    resolved_at: timestamp?
    contacts_to_resolve: int?
    cost_usd: float @usd
    handle_minutes: float @min
    is_test: bool
  }
}
metric fcr {
  from: tickets
  time: resolved_at
  where: resolved_at is not null
  exclude: channel == "internal"
  formula: count(where contacts_to_resolve == 1) / count()
  lookback: 90d
}
metric repeat_contact_rate {
  from: tickets
  time: resolved_at
  where: resolved_at is not null
  formula: count(where contacts_to_resolve > 1) / count()
  lookback: 30d
}
metric cost_per_ticket { from: tickets formula: sum(cost_usd) / count() lookback: 1q }
metric tickets_opened { from: tickets formula: count() lookback: 7d }
metric cost_per_minute { from: tickets formula: sum(cost_usd) / sum(handle_minutes) lookback: 90d }
"#;

const ONE_SQL: &str = "
SELECT region,
       CAST(count(*) FILTER (WHERE contacts_to_resolve = 1) AS DOUBLE)
         / NULLIF(CAST(count(*) AS DOUBLE), 0) AS fcr
FROM tickets
WHERE NOT is_test AND resolved_at IS NOT NULL AND channel <> 'internal'
  AND resolved_at >= TIMESTAMP '2026-04-02 00:00:00' AND resolved_at < TIMESTAMP '2026-07-01 00:00:00'
GROUP BY region ORDER BY region";

const FIVE_SQL: &str = "
SELECT region,
  CAST(count(*) FILTER (WHERE f AND contacts_to_resolve = 1) AS DOUBLE) / NULLIF(CAST(count(*) FILTER (WHERE f) AS DOUBLE), 0) AS fcr,
  CAST(count(*) FILTER (WHERE r AND contacts_to_resolve > 1) AS DOUBLE) / NULLIF(CAST(count(*) FILTER (WHERE r) AS DOUBLE), 0) AS repeat_contact_rate,
  sum(cost_usd) FILTER (WHERE q) / NULLIF(CAST(count(*) FILTER (WHERE q) AS DOUBLE), 0) AS cost_per_ticket,
  count(*) FILTER (WHERE w) AS tickets_opened,
  sum(cost_usd) FILTER (WHERE a) / NULLIF(sum(handle_minutes) FILTER (WHERE a), 0) AS cost_per_minute
FROM (
  SELECT *,
    resolved_at IS NOT NULL AND channel <> 'internal' AND resolved_at >= TIMESTAMP '2026-04-02 00:00:00' AND resolved_at < TIMESTAMP '2026-07-01 00:00:00' AS f,
    resolved_at IS NOT NULL AND resolved_at >= TIMESTAMP '2026-06-01 00:00:00' AND resolved_at < TIMESTAMP '2026-07-01 00:00:00' AS r,
    opened_at >= TIMESTAMP '2026-04-01 00:00:00' AND opened_at < TIMESTAMP '2026-07-01 00:00:00' AS q,
    opened_at >= TIMESTAMP '2026-06-24 00:00:00' AND opened_at < TIMESTAMP '2026-07-01 00:00:00' AS w,
    opened_at >= TIMESTAMP '2026-04-02 00:00:00' AND opened_at < TIMESTAMP '2026-07-01 00:00:00' AS a
  FROM tickets WHERE NOT is_test
) t
WHERE f OR r OR q OR w OR a
GROUP BY region ORDER BY region";

fn main() {
    let rows: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(10_000_000);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../target/bench-data")
        .join(format!("tickets-{rows}"));
    let data = dir.join("tickets.parquet");
    if !data.exists() {
        std::fs::create_dir_all(&dir).expect("bench dir");
        eprintln!("generating {rows} rows into {} ...", data.display());
        generate(&data, rows);
    }
    std::fs::write(dir.join("lib.yard"), LIBRARY).expect("library");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let runs = 9;
    let as_of = NaiveDate::from_ymd_opt(2026, 6, 30);
    let ours = |metrics: &[&str]| {
        median((0..runs).map(|_| {
            let start = Instant::now();
            let files = yardstick::library_files::read(&dir).expect("read");
            let library = yardstick_compiler::compile(files).library;
            let request =
                yardstick::query::internal_request(&library, metrics, &["region"], None, as_of)
                    .expect("request");
            runtime.block_on(async {
                let prepared = yardstick::query::prepare(
                    &dir,
                    &library,
                    &request,
                    &yardstick::engine::Engine::Embedded,
                )
                .await
                .expect("prepare");
                std::hint::black_box(yardstick::query::execute(&prepared).await.expect("run"));
            });
            start.elapsed()
        }))
    };
    let by_hand = |sql: &str| {
        median((0..runs).map(|_| {
            let start = Instant::now();
            runtime.block_on(async {
                let ctx = SessionContext::new();
                ctx.register_parquet(
                    "tickets",
                    data.to_string_lossy().as_ref(),
                    ParquetReadOptions::default(),
                )
                .await
                .expect("register");
                let df = ctx.sql(sql).await.expect("sql");
                std::hint::black_box(df.collect().await.expect("run"));
            });
            start.elapsed()
        }))
    };
    let one = ours(&["fcr"]);
    let one_sql = by_hand(ONE_SQL);
    let five = ours(&[
        "fcr",
        "repeat_contact_rate",
        "cost_per_ticket",
        "tickets_opened",
        "cost_per_minute",
    ]);
    let five_sql = by_hand(FIVE_SQL);
    check_same_answers(&runtime, &dir, &data, as_of);
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "rows: {rows} (parquet, {} MB)",
        std::fs::metadata(&data)
            .map(|m| m.len() / 1_000_000)
            .unwrap_or(0)
    );
    println!(
        "one metric   yardstick {:>8.1} ms   hand-written SQL {:>8.1} ms   ratio {:.2}",
        ms(one),
        ms(one_sql),
        ms(one) / ms(one_sql)
    );
    println!(
        "five metrics yardstick {:>8.1} ms   hand-written SQL {:>8.1} ms   ratio {:.2}",
        ms(five),
        ms(five_sql),
        ms(five) / ms(five_sql)
    );
    println!(
        "five metrics / one metric (yardstick): {:.2}",
        ms(five) / ms(one)
    );
}

/// Both ways must give the same numbers, or the timings mean nothing.
fn check_same_answers(
    runtime: &tokio::runtime::Runtime,
    dir: &Path,
    data: &Path,
    as_of: Option<NaiveDate>,
) {
    use datafusion::arrow::array::Array;
    let metrics = [
        "fcr",
        "repeat_contact_rate",
        "cost_per_ticket",
        "tickets_opened",
        "cost_per_minute",
    ];
    let column = |batches: &[RecordBatch], name: &str| -> Vec<f64> {
        let mut out = Vec::new();
        for b in batches {
            let a = b.column_by_name(name).expect("column");
            let a = datafusion::arrow::compute::cast(a, &DataType::Float64).expect("cast");
            let a = a.as_any().downcast_ref::<Float64Array>().expect("f64");
            out.extend((0..a.len()).map(|i| a.value(i)));
        }
        out
    };
    runtime.block_on(async {
        let files = yardstick::library_files::read(dir).expect("read");
        let library = yardstick_compiler::compile(files).library;
        let request =
            yardstick::query::internal_request(&library, &metrics, &["region"], None, as_of)
                .expect("request");
        let prepared = yardstick::query::prepare(
            dir,
            &library,
            &request,
            &yardstick::engine::Engine::Embedded,
        )
        .await
        .expect("prepare");
        let ours = yardstick::query::execute(&prepared).await.expect("run");
        let ctx = SessionContext::new();
        ctx.register_parquet(
            "tickets",
            data.to_string_lossy().as_ref(),
            ParquetReadOptions::default(),
        )
        .await
        .expect("register");
        let theirs = ctx
            .sql(FIVE_SQL)
            .await
            .expect("sql")
            .collect()
            .await
            .expect("run");
        for m in metrics {
            let (a, b) = (column(&ours, m), column(&theirs, m));
            assert_eq!(a.len(), b.len(), "{m}");
            for (x, y) in a.iter().zip(&b) {
                assert!((x - y).abs() <= 1e-9 * y.abs().max(1.0), "{m}: {x} != {y}");
            }
        }
    });
}

fn median(runs: impl Iterator<Item = Duration>) -> Duration {
    let mut all: Vec<Duration> = runs.collect();
    all.sort();
    all[all.len() / 2]
}

fn generate(path: &PathBuf, rows: usize) {
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
