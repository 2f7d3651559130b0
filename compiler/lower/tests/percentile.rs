//! The exact `percentile` aggregate run by DataFusion over in-memory tables,
//! against values worked out by hand. Tables are split into several
//! partitions so the partial and final phases (and repartitioning) run.

#![allow(clippy::panic, clippy::unwrap_used)] // a test or tool: failing loudly is the point

use datafusion::arrow::array::{Array, ArrayRef, BooleanArray, Float64Array, Int64Array};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::datasource::MemTable;
use datafusion::logical_expr::{col, lit, Expr};
use datafusion::prelude::{SessionConfig, SessionContext};
use std::collections::BTreeMap;
use std::sync::Arc;
use yardstick_lower::percentile::{exact_percentile, median, percentile};
use yardstick_lower::translate::with_filter;

/// A table of `k` (group key), `x` (value) and `keep` (a flag), one batch
/// of at most `batch` rows each, spread over `partitions` partitions.
fn table(
    k: Vec<i64>,
    x: Vec<Option<f64>>,
    keep: Vec<Option<bool>>,
    partitions: usize,
    batch: usize,
) -> MemTable {
    let schema = Arc::new(Schema::new(vec![
        Field::new("k", DataType::Int64, false),
        Field::new("x", DataType::Float64, true),
        Field::new("keep", DataType::Boolean, true),
    ]));
    let columns: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from(k)),
        Arc::new(Float64Array::from(x)),
        Arc::new(BooleanArray::from(keep)),
    ];
    let all = RecordBatch::try_new(schema.clone(), columns).unwrap();
    let mut parts = vec![Vec::new(); partitions];
    let mut offset = 0;
    let mut i = 0;
    while offset < all.num_rows() {
        let len = batch.min(all.num_rows() - offset);
        parts[i % partitions].push(all.slice(offset, len));
        offset += len;
        i += 1;
    }
    MemTable::try_new(schema, parts).unwrap()
}

fn context() -> SessionContext {
    SessionContext::new_with_config(SessionConfig::new().with_target_partitions(4))
}

/// Runs the aggregates over the table without grouping.
async fn run(t: MemTable, aggregates: Vec<Expr>) -> Vec<Option<f64>> {
    let ctx = context();
    let named: Vec<Expr> = aggregates
        .into_iter()
        .enumerate()
        .map(|(i, e)| e.alias(format!("a{i}")))
        .collect();
    let n = named.len();
    let batches = ctx
        .read_table(Arc::new(t))
        .unwrap()
        .aggregate(vec![], named)
        .unwrap()
        .collect()
        .await
        .unwrap();
    assert_eq!(batches.iter().map(|b| b.num_rows()).sum::<usize>(), 1);
    let b = batches.iter().find(|b| b.num_rows() == 1).unwrap();
    (0..n)
        .map(|i| {
            let a = b.column(i).as_any().downcast_ref::<Float64Array>().unwrap();
            a.is_valid(0).then(|| a.value(0))
        })
        .collect()
}

/// A table of these values, two rows a batch over three partitions.
fn values(x: &[Option<f64>]) -> MemTable {
    let n = x.len();
    table(vec![0; n], x.to_vec(), vec![Some(true); n], 3, 2)
}

fn some(x: &[f64]) -> Vec<Option<f64>> {
    x.iter().copied().map(Some).collect()
}

fn close(got: Option<f64>, want: f64) {
    let got = got.unwrap_or_else(|| panic!("null, want {want}"));
    assert!((got - want).abs() < 1e-12, "got {got}, want {want}");
}

#[tokio::test]
async fn interpolates_exactly() {
    // 0..17: h = 17 * 0.99 = 16.83, between 16 and 17: 16.83 (DataFusion's
    // percentile_cont gives 16.829999).
    let x: Vec<f64> = (0..18).map(f64::from).collect();
    let got = run(values(&some(&x)), vec![percentile(col("x"), 0.99)]).await;
    close(got[0], 16.83);
    // The same without DataFusion.
    close(exact_percentile(&mut x.clone(), 0.99), 16.83);
}

#[tokio::test]
async fn p_0_is_the_minimum_and_p_1_the_maximum() {
    let x = some(&[5.0, -3.0, 10.0, 2.0, 7.5]);
    let got = run(
        values(&x),
        vec![percentile(col("x"), 0.0), percentile(col("x"), 1.0)],
    )
    .await;
    close(got[0], -3.0);
    close(got[1], 10.0);
}

#[tokio::test]
async fn median_of_odd_and_even_counts() {
    // 3, 1, 2 -> 2. 4, 1, 3, 2 -> (2 + 3) / 2 = 2.5.
    close(
        run(values(&some(&[3.0, 1.0, 2.0])), vec![median(col("x"))]).await[0],
        2.0,
    );
    close(
        run(values(&some(&[4.0, 1.0, 3.0, 2.0])), vec![median(col("x"))]).await[0],
        2.5,
    );
    // 10, 20, 30, 40 at 0.25: h = 0.75, 10 + 0.75 * 10 = 17.5.
    close(
        run(
            values(&some(&[40.0, 30.0, 20.0, 10.0])),
            vec![percentile(col("x"), 0.25)],
        )
        .await[0],
        17.5,
    );
}

#[tokio::test]
async fn nulls_are_skipped() {
    // 1 and 3 (nulls skipped): median 2, p90 = 1 + 0.9 * 2 = 2.8.
    let x = vec![None, Some(1.0), None, Some(3.0), None];
    let got = run(
        values(&x),
        vec![median(col("x")), percentile(col("x"), 0.9)],
    )
    .await;
    close(got[0], 2.0);
    close(got[1], 2.8);
}

#[tokio::test]
async fn no_values_give_null() {
    assert_eq!(run(values(&[]), vec![median(col("x"))]).await, vec![None]);
    assert_eq!(
        run(values(&[None, None, None]), vec![percentile(col("x"), 0.3)]).await,
        vec![None]
    );
}

#[tokio::test]
async fn integers_are_cast_to_floats() {
    // k = 0, 1, 2, 3: median 1.5.
    let t = table(vec![0, 1, 2, 3], vec![None; 4], vec![None; 4], 2, 1);
    close(run(t, vec![median(col("k"))]).await[0], 1.5);
}

#[tokio::test]
async fn a_filter_keeps_only_its_rows() {
    // Kept (true): 1, 5, 9 (false and null drop 100, 200, 300).
    // median 5; p25: h = 0.5, 1 + 0.5 * 4 = 3.
    let x = some(&[1.0, 100.0, 5.0, 200.0, 9.0, 300.0]);
    let keep = vec![
        Some(true),
        Some(false),
        Some(true),
        None,
        Some(true),
        Some(false),
    ];
    let t = table(vec![0; 6], x, keep, 3, 2);
    let got = run(
        t,
        vec![
            with_filter(median(col("x")), col("keep")),
            with_filter(percentile(col("x"), 0.25), col("keep")),
            with_filter(median(col("x")), lit(false)),
        ],
    )
    .await;
    close(got[0], 5.0);
    close(got[1], 3.0);
    assert_eq!(got[2], None);
}

#[tokio::test]
async fn a_near_unique_group_key_over_300k_rows() {
    // Row i has x = i and key i, except that every 100th row joins the key
    // before it: group 99 holds 99 and 100. Every 7th row is filtered out
    // of the filtered aggregate, and x is null on every 1000th row + 1.
    let n = 300_000i64;
    let k: Vec<i64> = (0..n)
        .map(|i| if i > 0 && i % 100 == 0 { i - 1 } else { i })
        .collect();
    let x: Vec<Option<f64>> = (0..n)
        .map(|i| (i % 1000 != 1).then_some(i as f64))
        .collect();
    let keep: Vec<Option<bool>> = (0..n).map(|i| Some(i % 7 != 0)).collect();
    let t = table(k, x, keep, 2, 8192);
    // Each partition's partial aggregation checks after 10,000 rows whether
    // grouping reduces them, finds it does not, and passes rows on as states
    // (where DataFusion's percentile_cont panics).
    let mut config = SessionConfig::new().with_target_partitions(4);
    let execution = &mut config.options_mut().execution;
    execution.skip_partial_aggregation_probe_rows_threshold = 10_000;
    let ctx = SessionContext::new_with_config(config);
    let batches = ctx
        .read_table(Arc::new(t))
        .unwrap()
        .aggregate(
            vec![col("k")],
            vec![
                median(col("x")).alias("med"),
                percentile(col("x"), 0.9).alias("p90"),
                with_filter(median(col("x")), col("keep")).alias("kept"),
            ],
        )
        .unwrap()
        .collect()
        .await
        .unwrap();
    let mut rows: BTreeMap<i64, [Option<f64>; 3]> = BTreeMap::new();
    for b in &batches {
        let k = b.column(0).as_any().downcast_ref::<Int64Array>().unwrap();
        let v = |c: usize| {
            b.column(c)
                .as_any()
                .downcast_ref::<Float64Array>()
                .unwrap()
                .clone()
        };
        let (med, p90, kept) = (v(1), v(2), v(3));
        for r in 0..b.num_rows() {
            let get = |a: &Float64Array| a.is_valid(r).then(|| a.value(r));
            rows.insert(k.value(r), [get(&med), get(&p90), get(&kept)]);
        }
    }
    // 300,000 rows, less the 2,999 that join the key before them.
    assert_eq!(rows.len(), 297_001);
    // Group 5: {5}.
    assert_eq!(rows[&5], [Some(5.0), Some(5.0), Some(5.0)]);
    // Group 99: {99, 100}; p90 = 99 + 0.9; 98 is not 7's multiple, 99 and
    // 100 are kept: median 99.5.
    close(rows[&99][0], 99.5);
    close(rows[&99][1], 99.9);
    close(rows[&99][2], 99.5);
    // Group 1001: x is null on row 1001: null everywhere.
    assert_eq!(rows[&1001], [None, None, None]);
    // Group 699: {699, 700}; 700 = 7 * 100 is filtered out: kept is 699.
    close(rows[&699][0], 699.5);
    close(rows[&699][2], 699.0);
    // Group 7: {7}, filtered out: null.
    assert_eq!(rows[&7][2], None);
    close(rows[&7][0], 7.0);
    // Group 299_999: {299_999}.
    close(rows[&299_999][1], 299_999.0);
}

#[test]
fn plans_print_the_aggregate_and_its_p() {
    let e = percentile(col("x"), 0.9);
    assert_eq!(
        e.to_string(),
        "percentile(CAST(x AS Float64), Float64(0.9))"
    );
    assert_eq!(
        median(col("x")).to_string(),
        "percentile(CAST(x AS Float64), Float64(0.5))"
    );
}
