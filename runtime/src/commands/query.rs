//! `yardstick query`: compute metrics on the data.

use crate::cli::{QueryCommand, QueryOpts};
use crate::report::Style;
use crate::{query, Fatal, Outcome};
use yardstick_compiler::model::Library;
use yardstick_lower::QueryArgs;

pub fn run(args: &QueryCommand, style: Style) -> Result<Outcome, Fatal> {
    let Some(library) = load(&args.query, style)? else {
        return Ok(Outcome::Failed);
    };
    let runtime = tokio_runtime()?;
    let batches = runtime.block_on(async {
        let prepared =
            query::prepare(&args.query.spec.spec, &library, &query_args(&args.query)).await?;
        let batches = query::execute(&prepared).await?;
        Ok::<_, Fatal>((batches, prepared.lowered.columns))
    })?;
    query::output::write(&batches.0, &batches.1, args.format, args.output.as_deref())?;
    Ok(Outcome::Ok)
}

/// Compiles the library; `None` (diagnostics printed) when it has errors.
pub fn load(opts: &QueryOpts, style: Style) -> Result<Option<Library>, Fatal> {
    Ok(super::compile_or_report(&opts.spec.spec, false, style)?.map(|c| c.library))
}

pub fn query_args(opts: &QueryOpts) -> QueryArgs {
    QueryArgs {
        metrics: opts.metrics.clone(),
        by: opts.by.clone(),
        grain: opts.grain.clone(),
        from: opts.from,
        to: opts.to,
        as_of: opts.as_of,
        filter: opts.filter.clone(),
    }
}

pub fn tokio_runtime() -> Result<tokio::runtime::Runtime, Fatal> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Fatal(format!("cannot start the query runtime: {e}")))
}
