//! `yardstick query`: compute metrics on the data.

use crate::cli::{QueryCommand, QueryOpts};
use crate::report::{self, Style};
use crate::{query, Fatal, Outcome};
use yardstick_compiler::model::Library;
use yardstick_compiler::query::Request;

pub fn run(args: &QueryCommand, style: Style) -> Result<Outcome, Fatal> {
    let keys = query::arrange::sort_keys(&args.order_by)?;
    let (library, request) = match checked("query", &args.query, style)? {
        Ok(checked) => checked,
        Err(outcome) => return Ok(outcome),
    };
    let runtime = tokio_runtime()?;
    let (batches, lowered) = runtime.block_on(async {
        let prepared = query::prepare(&args.query.spec.spec, &library, &request).await?;
        let batches = query::execute(&prepared).await?;
        Ok::<_, Fatal>((batches, prepared.lowered))
    })?;
    let batches = query::arrange::apply(batches, &lowered.columns, &keys, args.limit)?;
    query::output::write(
        &batches,
        &lowered.columns,
        query::output::Format::infer(args.format, args.output.as_deref()),
        args.output.as_deref(),
    )?;
    crate::governance::asserts::warn(&library, &batches, &lowered.columns);
    Ok(Outcome::Ok)
}

/// The library compiled and the query checked against it, for `query` and
/// `explain`; or how the command ends, with the problems printed: exit 1
/// for a library with errors, 2 for a query that cannot run.
pub fn checked(
    command: &str,
    opts: &QueryOpts,
    style: Style,
) -> Result<Result<(Library, Request), Outcome>, Fatal> {
    let Some(compiled) = super::compile_or_report(&opts.spec.spec, false, style)? else {
        return Ok(Err(Outcome::Failed));
    };
    let mut sources = compiled.sources;
    let (args, problems) = query::args::query_args(command, opts, &mut sources);
    let (request, mut diags) = yardstick_compiler::query::check(&compiled.library, &args);
    problems.into_iter().for_each(|p| diags.push(p));
    match request.filter(|_| !diags.has_errors()) {
        Some(request) => Ok(Ok((compiled.library, request))),
        None => {
            eprint!("{}", report::human(&diags, &sources, style));
            Ok(Err(Outcome::Refused))
        }
    }
}

pub fn tokio_runtime() -> Result<tokio::runtime::Runtime, Fatal> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(crate::DEEP_STACK / 8)
        .build()
        .map_err(|e| Fatal(format!("cannot start the query runtime: {e}")))
}
