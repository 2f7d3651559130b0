//! Writes the sample data of the reference library `specs/cx/data/`:
//! a year of accounts, tickets, surveys, renewals, defects and journey
//! snapshots, from a fixed seed, so every run writes the same bytes.
//!
//! `cargo run -p yardstick --example generate_cx_data [-- OUT_DIR [SCALE]]`
//! (SCALE multiplies the row counts, for benchmarks).

#![allow(clippy::panic, clippy::unwrap_used)] // a test or tool: failing loudly is the point

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use datafusion::arrow::array::{
    ArrayRef, BooleanArray, Date32Array, Float64Array, Int64Array, StringArray,
    TimestampMicrosecondArray,
};
use datafusion::arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use datafusion::arrow::record_batch::RecordBatch;
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use std::path::{Path, PathBuf};
use std::sync::Arc;

const START: (i32, u32, u32) = (2025, 7, 1);
const DAYS: i64 = 365;
const REGIONS: &[&str] = &["NA", "EMEA", "APAC", "LATAM"];
const SEGMENTS: &[&str] = &["smb", "mid_market", "enterprise"];
const PLANS: &[&str] = &["starter", "growth", "scale"];
const CHANNELS: &[&str] = &["email", "chat", "phone", "internal"];
const PRIORITIES: &[&str] = &["low", "normal", "high", "urgent"];

fn start() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(START.0, START.1, START.2)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .expect("start date")
}

fn pick<'a>(rng: &mut ChaCha8Rng, options: &[&'a str]) -> &'a str {
    options[rng.random_range(0..options.len())]
}

fn micros(t: NaiveDateTime) -> i64 {
    t.and_utc().timestamp_micros()
}

fn days(d: NaiveDate) -> i32 {
    (d - NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch")).num_days() as i32
}

fn strings(v: Vec<String>) -> ArrayRef {
    Arc::new(StringArray::from(v))
}

fn batch(fields: Vec<(&str, DataType, ArrayRef)>) -> RecordBatch {
    let schema = Schema::new(
        fields
            .iter()
            .map(|(n, t, _)| Field::new(*n, t.clone(), true))
            .collect::<Vec<_>>(),
    );
    RecordBatch::try_new(Arc::new(schema), fields.into_iter().map(|f| f.2).collect())
        .expect("batch")
}

fn utc() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
}

fn main() {
    let mut args = std::env::args().skip(1);
    let out: PathBuf = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs/cx/data"));
    let scale: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(1);
    std::fs::create_dir_all(&out).expect("output folder");
    let mut rng = ChaCha8Rng::seed_from_u64(20_260_630);

    // Accounts.
    let n_accounts = 400 * scale;
    let mut acc = (vec![], vec![], vec![], vec![], vec![], vec![]);
    let mut account_segment = Vec::new();
    for i in 0..n_accounts {
        let segment = pick(&mut rng, SEGMENTS);
        acc.0.push(format!("A{i:05}"));
        acc.1.push(segment.to_owned());
        acc.2.push(pick(&mut rng, PLANS).to_owned());
        acc.3.push(pick(&mut rng, REGIONS).to_owned());
        let base = match segment {
            "smb" => 5_000.0,
            "mid_market" => 40_000.0,
            _ => 250_000.0,
        };
        acc.4.push((base * rng.random_range(0.5..1.5_f64)).round());
        acc.5.push(days(
            NaiveDate::from_ymd_opt(2022, 1, 1).expect("d")
                + Duration::days(rng.random_range(0..1200)),
        ));
        account_segment.push(segment);
    }
    let accounts = batch(vec![
        ("account_id", DataType::Utf8, strings(acc.0.clone())),
        ("segment", DataType::Utf8, strings(acc.1)),
        ("plan", DataType::Utf8, strings(acc.2)),
        ("region", DataType::Utf8, strings(acc.3.clone())),
        (
            "arr_usd",
            DataType::Float64,
            Arc::new(Float64Array::from(acc.4.clone())),
        ),
        (
            "signed_on",
            DataType::Date32,
            Arc::new(Date32Array::from(acc.5)),
        ),
    ]);
    write_csv(&out.join("accounts.csv"), &accounts);

    // Tickets: opened over the year; most resolve within days.
    let n_tickets = 20_000 * scale;
    let mut t = (
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
    );
    for i in 0..n_tickets {
        let a = rng.random_range(0..n_accounts);
        let opened = start() + Duration::seconds(rng.random_range(0..DAYS * 86_400));
        let channel = pick(&mut rng, CHANNELS);
        let resolved = (rng.random_range(0.0..1.0) < 0.92)
            .then(|| opened + Duration::minutes(rng.random_range(10..(6 * 24 * 60))));
        let contacts = resolved.map(|_| {
            let r: f64 = rng.random_range(0.0..1.0);
            if r < 0.7 {
                1
            } else if r < 0.9 {
                2
            } else {
                3 + (r * 10.0) as i64 % 3
            }
        });
        let minutes = rng.random_range(4.0..90.0_f64).round();
        let rate = if channel == "phone" { 1.4 } else { 0.9 };
        t.0.push(format!("T{i:07}"));
        t.1.push(acc.0[a].clone());
        t.2.push(channel.to_owned());
        t.3.push(acc.3[a].clone());
        t.4.push(pick(&mut rng, PRIORITIES).to_owned());
        t.5.push(micros(opened));
        t.6.push(resolved.map(micros));
        t.7.push(contacts);
        t.8.push((minutes * rate * 100.0).round() / 100.0);
        t.9.push(minutes);
        t.10.push(rng.random_range(0..100) == 0);
    }
    // What the ledger books as support cost, month by month: every ticket
    // but the test ones, by the month it was opened (`support_cost`).
    let mut monthly_cost: std::collections::BTreeMap<(i32, u32), f64> = Default::default();
    for k in 0..t.8.len() {
        if !t.10[k] {
            let opened = chrono::DateTime::from_timestamp_micros(t.5[k])
                .expect("opened_at")
                .naive_utc();
            *monthly_cost
                .entry((opened.year(), opened.month()))
                .or_default() += t.8[k];
        }
    }
    // Naive timestamps on purpose: the runtime reads them as UTC.
    let naive = DataType::Timestamp(TimeUnit::Microsecond, None);
    let tickets = batch(vec![
        ("ticket_id", DataType::Utf8, strings(t.0)),
        ("account_id", DataType::Utf8, strings(t.1)),
        ("channel", DataType::Utf8, strings(t.2)),
        ("region", DataType::Utf8, strings(t.3)),
        ("priority", DataType::Utf8, strings(t.4)),
        (
            "opened_at",
            naive.clone(),
            Arc::new(TimestampMicrosecondArray::from(t.5)),
        ),
        (
            "resolved_at",
            naive,
            Arc::new(TimestampMicrosecondArray::from(t.6)),
        ),
        (
            "contacts_to_resolve",
            DataType::Int64,
            Arc::new(Int64Array::from(t.7)),
        ),
        (
            "cost_usd",
            DataType::Float64,
            Arc::new(Float64Array::from(t.8)),
        ),
        (
            "handle_minutes",
            DataType::Float64,
            Arc::new(Float64Array::from(t.9)),
        ),
        (
            "is_test",
            DataType::Boolean,
            Arc::new(BooleanArray::from(t.10)),
        ),
    ]);
    write_parquet(&out.join("tickets.parquet"), &tickets);

    // Surveys: NPS, CSAT and CES answers; enterprise accounts score higher.
    let n_surveys = 8_000 * scale;
    let mut s = (vec![], vec![], vec![], vec![], vec![], vec![], vec![]);
    for i in 0..n_surveys {
        let a = rng.random_range(0..n_accounts);
        let kind = pick(&mut rng, &["nps", "nps", "csat", "ces"]);
        let lift = if account_segment[a] == "enterprise" {
            1.0
        } else {
            0.0
        };
        let score = match kind {
            "nps" => (rng.random_range(3.0..10.99_f64) + lift).min(10.0) as i64,
            "csat" => (rng.random_range(1.5..5.99_f64) + lift * 0.5).min(5.0) as i64,
            _ => rng.random_range(1..8),
        };
        s.0.push(format!("R{i:06}"));
        s.1.push(acc.0[a].clone());
        s.2.push(kind.to_owned());
        s.3.push(pick(&mut rng, &CHANNELS[..3]).to_owned());
        s.4.push(acc.3[a].clone());
        s.5.push(score);
        s.6.push(micros(
            start() + Duration::seconds(rng.random_range(0..DAYS * 86_400)),
        ));
    }
    let surveys = batch(vec![
        ("response_id", DataType::Utf8, strings(s.0)),
        ("account_id", DataType::Utf8, strings(s.1)),
        ("survey_type", DataType::Utf8, strings(s.2)),
        ("channel", DataType::Utf8, strings(s.3)),
        ("region", DataType::Utf8, strings(s.4)),
        ("score", DataType::Int64, Arc::new(Int64Array::from(s.5))),
        (
            "answered_at",
            utc(),
            Arc::new(TimestampMicrosecondArray::from(s.6).with_timezone("UTC")),
        ),
    ]);
    write_csv(&out.join("surveys.csv"), &surveys);

    // Renewals: each account comes due once in the year.
    let mut r = (vec![], vec![], vec![], vec![], vec![], vec![]);
    for (a, segment) in account_segment.iter().enumerate() {
        let due = start().date() + Duration::days(rng.random_range(0..DAYS));
        let renewed =
            rng.random_range(0.0..1.0) < if *segment == "enterprise" { 0.93 } else { 0.82 };
        let before = acc.4[a];
        let after = if renewed {
            (before * rng.random_range(0.9..1.3_f64)).round()
        } else {
            0.0
        };
        r.0.push(format!("N{a:05}"));
        r.1.push(acc.0[a].clone());
        r.2.push(days(due));
        r.3.push(renewed);
        r.4.push(before);
        r.5.push(after);
    }
    let renewals = batch(vec![
        ("renewal_id", DataType::Utf8, strings(r.0)),
        ("account_id", DataType::Utf8, strings(r.1)),
        ("due_on", DataType::Date32, Arc::new(Date32Array::from(r.2))),
        (
            "renewed",
            DataType::Boolean,
            Arc::new(BooleanArray::from(r.3)),
        ),
        (
            "arr_before_usd",
            DataType::Float64,
            Arc::new(Float64Array::from(r.4)),
        ),
        (
            "arr_after_usd",
            DataType::Float64,
            Arc::new(Float64Array::from(r.5)),
        ),
    ]);
    write_csv(&out.join("renewals.csv"), &renewals);

    // Defects across stages; live ones take hours to days to fix.
    let journeys: Vec<String> = (0..20).map(|j| format!("journey_{j:02}")).collect();
    let journey_refs: Vec<&str> = journeys.iter().map(String::as_str).collect();
    let n_defects = 600 * scale;
    let mut d = (vec![], vec![], vec![], vec![], vec![], vec![]);
    for i in 0..n_defects {
        let stage = pick(
            &mut rng,
            &["design", "build", "build", "test", "test", "live"],
        );
        let found = start() + Duration::seconds(rng.random_range(0..DAYS * 86_400));
        let fixed = (rng.random_range(0.0..1.0) < 0.85)
            .then(|| found + Duration::minutes(rng.random_range(30..(10 * 24 * 60))));
        d.0.push(format!("D{i:05}"));
        d.1.push(stage.to_owned());
        d.2.push(pick(&mut rng, &["minor", "major", "critical"]).to_owned());
        d.3.push(pick(&mut rng, &journey_refs).to_owned());
        d.4.push(micros(found));
        d.5.push(fixed.map(micros));
    }
    let defects = batch(vec![
        ("defect_id", DataType::Utf8, strings(d.0)),
        ("stage", DataType::Utf8, strings(d.1)),
        ("severity", DataType::Utf8, strings(d.2)),
        ("journey", DataType::Utf8, strings(d.3)),
        (
            "found_at",
            utc(),
            Arc::new(TimestampMicrosecondArray::from(d.4).with_timezone("UTC")),
        ),
        (
            "fixed_at",
            utc(),
            Arc::new(TimestampMicrosecondArray::from(d.5).with_timezone("UTC")),
        ),
    ]);
    write_json(&out.join("defects.json"), &defects);

    // Journey snapshots: monitoring coverage grows through the year.
    let areas = ["onboarding", "support", "billing", "product"];
    let mut j = (vec![], vec![], vec![], vec![]);
    for day in 0..DAYS {
        for (k, journey) in journeys.iter().enumerate() {
            let coverage = 0.55 + 0.4 * (day as f64 / DAYS as f64);
            j.0.push(journey.clone());
            j.1.push(areas[k % areas.len()].to_owned());
            j.2.push(days(start().date() + Duration::days(day)));
            j.3.push(rng.random_range(0.0..1.0) < coverage);
        }
    }
    let snapshots = batch(vec![
        ("journey", DataType::Utf8, strings(j.0)),
        ("area", DataType::Utf8, strings(j.1)),
        (
            "observed_on",
            DataType::Date32,
            Arc::new(Date32Array::from(j.2)),
        ),
        (
            "monitored",
            DataType::Boolean,
            Arc::new(BooleanArray::from(j.3)),
        ),
    ]);
    write_arrow(&out.join("journeys.arrow"), &snapshots);

    // From here on a second generator, so the files above stay as they were.
    let mut rng = ChaCha8Rng::seed_from_u64(20_261_202);
    write_arr_snapshots(&out, &mut rng, &acc.0, &account_segment, &acc.4);
    write_ledger(&out, &mut rng, &monthly_cost);
    println!("wrote the sample data to {}", out.display());
}

/// ARR snapshots: most accounts report their ARR once a month, each on a
/// day of its own; some months an account does not report at all.
fn write_arr_snapshots(
    out: &Path,
    rng: &mut ChaCha8Rng,
    ids: &[String],
    segments: &[&str],
    arr: &[f64],
) {
    let mut a = (vec![], vec![], vec![], vec![]);
    for (i, id) in ids.iter().enumerate() {
        let mut value = arr[i];
        for month in 0..12 {
            let first = start().date() + chrono::Months::new(month);
            value = (value * rng.random_range(0.97..1.05_f64)).round();
            if rng.random_range(0.0..1.0) < 0.15 {
                continue;
            }
            a.0.push(id.clone());
            a.1.push(segments[i].to_owned());
            a.2.push(days(first + Duration::days(rng.random_range(0..28))));
            a.3.push(value);
        }
    }
    let snapshots = batch(vec![
        ("account_id", DataType::Utf8, strings(a.0)),
        ("segment", DataType::Utf8, strings(a.1)),
        (
            "as_of_date",
            DataType::Date32,
            Arc::new(Date32Array::from(a.2)),
        ),
        (
            "arr_usd",
            DataType::Float64,
            Arc::new(Float64Array::from(a.3)),
        ),
    ]);
    write_csv(&out.join("arr_snapshots.csv"), &snapshots);
}

/// The general ledger: support cost booked in three postings a month,
/// within 1% of the tickets' cost, except March 2026, booked 5% high (the
/// one month out of the reconciliation's 2% tolerance); and facilities
/// postings the reconciliation leaves out.
fn write_ledger(
    out: &Path,
    rng: &mut ChaCha8Rng,
    monthly_cost: &std::collections::BTreeMap<(i32, u32), f64>,
) {
    let cents = |x: f64| (x * 100.0).round() / 100.0;
    let mut l = (vec![], vec![], vec![]);
    for (&(year, month), &cost) in monthly_cost {
        let factor = if (year, month) == (2026, 3) {
            1.05
        } else {
            1.0 + rng.random_range(-0.01..0.01_f64)
        };
        let total = cents(cost * factor);
        let first = cents(total * 0.4);
        let second = cents(total * 0.35);
        let postings = [
            (4, first),
            (14, second),
            (24, cents(total - first - second)),
        ];
        let day = |d: i64| {
            days(NaiveDate::from_ymd_opt(year, month, 1).expect("month") + Duration::days(d))
        };
        for (d, amount) in postings {
            l.0.push(day(d));
            l.1.push("support".to_owned());
            l.2.push(amount);
        }
        l.0.push(day(9));
        l.1.push("facilities".to_owned());
        l.2.push(cents(rng.random_range(8_000.0..12_000.0_f64)));
    }
    let ledger = batch(vec![
        (
            "posted_on",
            DataType::Date32,
            Arc::new(Date32Array::from(l.0)),
        ),
        ("account", DataType::Utf8, strings(l.1)),
        (
            "amount_usd",
            DataType::Float64,
            Arc::new(Float64Array::from(l.2)),
        ),
    ]);
    write_csv(&out.join("ledger.csv"), &ledger);
}

fn write_csv(path: &Path, batch: &RecordBatch) {
    let file = std::fs::File::create(path).expect("create csv");
    let mut w = datafusion::arrow::csv::WriterBuilder::new()
        .with_header(true)
        .build(file);
    w.write(batch).expect("write csv");
}

fn write_parquet(path: &Path, batch: &RecordBatch) {
    let file = std::fs::File::create(path).expect("create parquet");
    let mut w = datafusion::parquet::arrow::ArrowWriter::try_new(file, batch.schema(), None)
        .expect("parquet writer");
    w.write(batch).expect("write parquet");
    w.close().expect("close parquet");
}

fn write_json(path: &Path, batch: &RecordBatch) {
    let file = std::fs::File::create(path).expect("create json");
    let mut w = datafusion::arrow::json::LineDelimitedWriter::new(file);
    w.write(batch).expect("write json");
    w.finish().expect("finish json");
}

fn write_arrow(path: &Path, batch: &RecordBatch) {
    let file = std::fs::File::create(path).expect("create arrow");
    let mut w = datafusion::arrow::ipc::writer::FileWriter::try_new(file, &batch.schema())
        .expect("arrow writer");
    w.write(batch).expect("write arrow");
    w.finish().expect("finish arrow");
}
