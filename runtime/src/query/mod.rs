//! Running metric queries: register the sources a query reads, settle its
//! time frame from the data, lower it to a plan and execute it.

pub mod catalog;
pub mod files;
pub mod output;
pub mod validate;

use crate::Fatal;
use catalog::Tables;
use chrono::{DateTime, NaiveDate, Utc};
use datafusion::arrow::array::{Array, TimestampMicrosecondArray};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::functions_aggregate::expr_fn::{max, min};
use datafusion::logical_expr::{cast, col};
use datafusion::prelude::SessionContext;
use std::path::Path;
use yardstick_compiler::model::Library;
use yardstick_lower::translate::utc_timestamp;
use yardstick_lower::{Lowered, QueryArgs, Request};

/// A query ready to run: its session (with the tables registered) and plan.
pub struct Prepared {
    pub ctx: SessionContext,
    pub lowered: Lowered,
    /// The sources read and their files, for error messages.
    pub sources: String,
}

fn bad_query(e: yardstick_lower::LowerError) -> Fatal {
    Fatal(e.0)
}

/// Prepares a query over the library's data files.
pub async fn prepare(spec: &Path, library: &Library, args: &QueryArgs) -> Result<Prepared, Fatal> {
    prepare_reusing(spec, library, args, &mut Tables::new()).await
}

/// Like [`prepare`], registering only the sources `tables` does not hold
/// yet, so many queries of one library read each source's schema once.
pub async fn prepare_reusing(
    spec: &Path,
    library: &Library,
    args: &QueryArgs,
    tables: &mut Tables,
) -> Result<Prepared, Fatal> {
    let request = Request::resolve(library, args).map_err(bad_query)?;
    let ctx = crate::session::new_session();
    for (source_name, metrics) in request.base_metrics(library) {
        let Some(source) = library.sources.get(&source_name) else {
            continue;
        };
        tables.register(&ctx, spec, source).await?;
        for joined in yardstick_lower::joined_sources_used(source, &request, &metrics) {
            if let Some(j) = library.sources.get(&joined) {
                tables.register(&ctx, spec, j).await?;
            }
        }
    }
    prepare_over(ctx, tables.clone(), library, request).await
}

/// Prepares a checked request over tables already at hand.
pub async fn prepare_over(
    ctx: SessionContext,
    tables: Tables,
    library: &Library,
    request: Request,
) -> Result<Prepared, Fatal> {
    let needs_bounds = match request.grain {
        None => request.as_of.is_none(),
        Some(_) => request.from.is_none() || request.to.is_none(),
    };
    let (oldest, newest) = if needs_bounds {
        time_range(&ctx, &tables, library, &request).await?
    } else {
        (None, None)
    };
    let today = Utc::now().date_naive();
    let frame = yardstick_lower::time_frame(&request, oldest, newest, today).map_err(bad_query)?;
    let lowered = yardstick_lower::lower(library, &request, &frame, &tables).map_err(bad_query)?;
    Ok(Prepared {
        ctx,
        lowered,
        sources: tables.describe(),
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
    for (source, column) in yardstick_lower::time_columns(library, request) {
        let Some(table) = tables.get(&source) else {
            continue;
        };
        let reading = |e: datafusion::error::DataFusionError| {
            Fatal(format!(
                "source `{source}`: reading the time column `{column}` failed: {e}"
            ))
        };
        let time = cast(col(column.as_str()), utc_timestamp());
        let batches = ctx
            .read_table(table)
            .and_then(|df| df.aggregate(vec![], vec![min(time.clone()), max(time)]))
            .map_err(reading)?
            .collect()
            .await
            .map_err(reading)?;
        for batch in &batches {
            let lo = first_micros(batch, 0);
            let hi = first_micros(batch, 1);
            oldest = match (oldest, lo) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            newest = match (newest, hi) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (a, b) => a.or(b),
            };
        }
    }
    let date = |m: i64| DateTime::<Utc>::from_timestamp_micros(m).map(|t| t.date_naive());
    Ok((oldest.and_then(date), newest.and_then(date)))
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
    let _running = crate::guard::doing(format!("reading the data of {}", prepared.sources));
    let df = prepared
        .ctx
        .execute_logical_plan(prepared.lowered.plan.clone())
        .await
        .map_err(|e| Fatal(format!("the query could not be planned: {e}")))?;
    df.collect().await.map_err(|e| {
        Fatal(format!(
            "reading the data of {} failed: {e}",
            prepared.sources
        ))
    })
}
