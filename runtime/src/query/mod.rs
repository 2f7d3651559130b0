//! Running metric queries: register the sources a query reads, settle its
//! time frame from the data, lower it to a plan and execute it, where the
//! tables' engine (`crate::engine`) runs it: in this process, or as SQL
//! inside the warehouse the tables are in.

pub mod args;
pub mod arrange;
pub mod catalog;
pub mod compare;
pub mod files;
pub mod intervals;
pub mod output;
pub mod series;
pub mod validate;

use crate::engine::postgres::Warehouse;
use crate::engine::Engine;
use crate::Fatal;
use catalog::Tables;
use chrono::{DateTime, NaiveDate, Utc};
use datafusion::arrow::array::{Array, TimestampMicrosecondArray};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::functions_aggregate::expr_fn::{max, min};
use datafusion::logical_expr::{cast, col};
use datafusion::prelude::SessionContext;
use std::path::Path;
use std::sync::Arc;
use yardstick_compiler::model::Library;
use yardstick_compiler::query::{Arg, QueryArgs, Request};
use yardstick_lower::translate::utc_timestamp;
use yardstick_lower::{DataRange, Lowered};

/// A query ready to run: its session (with the tables registered) and plan.
pub struct Prepared {
    pub ctx: SessionContext,
    pub lowered: Lowered,
    /// The sources read and their files, for error messages.
    pub sources: String,
    /// The warehouse the plan runs in; `None` runs it in `ctx`.
    pub warehouse: Option<Arc<Warehouse>>,
}

/// A query the runtime itself asks (the test runner, `diff --data`),
/// checked like one from the command line; its problems are ours, so they
/// come back as one message.
pub fn internal_request(
    library: &Library,
    metrics: &[&str],
    by: &[&str],
    grain: Option<&str>,
    as_of: Option<NaiveDate>,
) -> Result<Request, Fatal> {
    let arg = Arg::unplaced;
    let args = QueryArgs {
        metrics: metrics.iter().map(|m| arg(m)).collect(),
        by: by.iter().map(|d| arg(d)).collect(),
        grain: grain.map(arg),
        as_of: as_of.map(|d| arg(&d.to_string())),
        ..QueryArgs::default()
    };
    let (request, diags) = yardstick_compiler::query::check(library, &args);
    request.ok_or_else(|| {
        let why: Vec<String> = diags.iter().map(|d| d.message.clone()).collect();
        Fatal(format!("the query cannot run: {}", why.join("; ")))
    })
}

/// Prepares a checked query over the library's data, read where `engine`
/// reads it.
pub async fn prepare(
    spec: &Path,
    library: &Library,
    request: &Request,
    engine: &Engine,
) -> Result<Prepared, Fatal> {
    prepare_reusing(spec, library, request, &mut Tables::on(engine)).await
}

/// Like [`prepare`], registering only the sources `tables` does not hold
/// yet, so many queries of one library read each source's schema once.
pub async fn prepare_reusing(
    spec: &Path,
    library: &Library,
    request: &Request,
    tables: &mut Tables,
) -> Result<Prepared, Fatal> {
    let ctx = crate::engine::session(tables.engine())?;
    for source_name in request.sources_read(library) {
        if let Some(source) = library.sources.get(&source_name) {
            tables.register(&ctx, spec, source).await?;
        }
    }
    prepare_over(ctx, tables.clone(), library, request).await
}

/// Prepares a checked request over tables already at hand.
pub async fn prepare_over(
    ctx: SessionContext,
    tables: Tables,
    library: &Library,
    request: &Request,
) -> Result<Prepared, Fatal> {
    let (oldest, newest) = if yardstick_lower::needs_data_range(request) {
        time_range(&ctx, &tables, library, request).await?
    } else {
        (None, None)
    };
    let range = DataRange {
        oldest,
        newest,
        today: Utc::now().date_naive(),
    };
    let lowered =
        yardstick_lower::lower(library, request, range, &tables).map_err(|e| Fatal(e.0))?;
    Ok(Prepared {
        ctx,
        lowered,
        sources: tables.describe(),
        warehouse: tables.warehouse(),
    })
}

/// The dates of the oldest and newest values of the query's time columns.
async fn time_range(
    ctx: &SessionContext,
    tables: &Tables,
    library: &Library,
    request: &Request,
) -> Result<(Option<NaiveDate>, Option<NaiveDate>), Fatal> {
    let mut oldest: Option<i64> = None;
    let mut newest: Option<i64> = None;
    for (source, column) in request.time_columns(library) {
        let (lo, hi) = time_bounds(ctx, tables, &source, &column).await?;
        oldest = match (oldest, lo) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        newest = match (newest, hi) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
    }
    let date = |m: i64| DateTime::<Utc>::from_timestamp_micros(m).map(|t| t.date_naive());
    Ok((oldest.and_then(date), newest.and_then(date)))
}

/// The oldest and newest values (microseconds since the epoch, UTC) of a
/// registered source's time column, read where its table is: `None`s for
/// a source not registered or without values.
pub async fn time_bounds(
    ctx: &SessionContext,
    tables: &Tables,
    source: &str,
    column: &str,
) -> Result<(Option<i64>, Option<i64>), Fatal> {
    if let Some(warehouse) = tables.warehouse() {
        return warehouse.time_bounds(source, column).await;
    }
    let Some(table) = tables.get(source) else {
        return Ok((None, None));
    };
    let reading = |e: datafusion::error::DataFusionError| {
        Fatal(format!(
            "source `{source}`: reading the time column `{column}` failed: {e}"
        ))
    };
    let time = cast(col(column), utc_timestamp());
    let batches = ctx
        .read_table(table)
        .and_then(|df| df.aggregate(vec![], vec![min(time.clone()), max(time)]))
        .map_err(reading)?
        .collect()
        .await
        .map_err(reading)?;
    // One row: the aggregate has no groups.
    let oldest = batches.iter().find_map(|b| first_micros(b, 0));
    let newest = batches.iter().find_map(|b| first_micros(b, 1));
    Ok((oldest, newest))
}

fn first_micros(batch: &RecordBatch, column: usize) -> Option<i64> {
    let array = batch
        .column(column)
        .as_any()
        .downcast_ref::<TimestampMicrosecondArray>()?;
    (!array.is_empty() && array.is_valid(0)).then(|| array.value(0))
}

/// Runs a prepared query to completion.
pub async fn execute(prepared: &Prepared) -> Result<Vec<RecordBatch>, Fatal> {
    if let Some(warehouse) = &prepared.warehouse {
        // The plan as lowered, as `explain --sql` writes it: the
        // unparser cannot write every optimised plan (runtime/src/sql/).
        return warehouse.run(&prepared.lowered.plan).await;
    }
    let _running = crate::guard::doing(format!("reading the data of {}", prepared.sources));
    let df = prepared
        .ctx
        .execute_logical_plan(prepared.lowered.plan.clone())
        .await
        .map_err(|e| Fatal(format!("the query could not be planned: {e}")))?;
    df.collect().await.map_err(|e| {
        let text = e.to_string();
        // The only casts to a 64-bit int the plan holds are whole-number
        // arithmetic brought back from 38 digits (translate.rs).
        if text.contains("out of range Int64") {
            return Fatal(format!(
                "a metric's whole-number arithmetic gives a value beyond 64 bits ({}); Yardstick stops rather than print a wrapped number: divide by a constant first, or write a factor as a float (1e15)",
                text.rsplit("value of ").next().and_then(|v| v.split_whitespace().next()).unwrap_or("too large")
            ));
        }
        Fatal(format!(
            "reading the data of {} failed: {e}",
            prepared.sources
        ))
    })
}

/// The result's columns with `<metric>_<suffix>` columns after each metric
/// the request shows (`--compare`'s `_prev`/`_delta`, `--ci`'s `_lo`/`_hi`).
pub fn columns_after_each_metric(
    columns: &[yardstick_lower::OutputColumn],
    request: &yardstick_compiler::query::Request,
    suffixes: &[&str],
) -> Vec<yardstick_lower::OutputColumn> {
    use yardstick_lower::OutputColumn;
    let mut with = Vec::new();
    for c in columns {
        with.push(c.clone());
        if let OutputColumn::Metric { name, .. } = c {
            if request.metrics.iter().any(|m| m.as_str() == name) {
                for suffix in suffixes {
                    with.push(OutputColumn::Metric {
                        name: format!("{name}_{suffix}"),
                        sample: None,
                    });
                }
            }
        }
    }
    with
}
