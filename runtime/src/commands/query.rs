//! `yardstick query`: compute metrics on the data.

use crate::cli::{QueryCommand, QueryOpts};
use crate::report::{self, Style};
use crate::session::Session;
use crate::{query, Exit, Fatal};
use yardstick_compiler::query::Request;

pub fn run(args: &QueryCommand, style: Style) -> Result<Exit, Fatal> {
    let keys = query::arrange::sort_keys(&args.order_by)?;
    let (session, request) = match checked("query", &args.query, style)? {
        Ok(checked) => checked,
        Err(outcome) => return Ok(outcome),
    };
    let library = session.library();
    let (batches, lowered, columns) = session.block_on(async {
        let prepared = query::prepare(&session.spec, library, &request).await?;
        let batches = query::execute(&prepared).await?;
        let (batches, columns) = match args.compare {
            Some(compare) => {
                query::compare::add(
                    &session.spec,
                    library,
                    &request,
                    &prepared.lowered.frame,
                    &prepared.lowered.columns,
                    batches,
                    compare,
                )
                .await?
            }
            None => (batches, prepared.lowered.columns.clone()),
        };
        let (batches, columns) = if args.ci {
            query::intervals::add(&session.spec, library, &request, &columns, batches).await?
        } else {
            (batches, columns)
        };
        Ok::<_, Fatal>((batches, prepared.lowered, columns))
    })??;
    let batches = query::arrange::apply(batches, &columns, &keys, args.limit)?;
    query::output::write(
        &batches,
        &columns,
        query::output::OutputFormat::infer(args.format, args.output.as_deref()),
        args.output.as_deref(),
    )?;
    crate::governance::asserts::warn(library, &batches, &lowered.columns);
    Ok(Exit::Ok)
}

/// The session and the query checked against its library, for `query` and
/// `explain`; or how the command ends, with the problems printed: exit 1
/// for a library with errors, 2 for a query that cannot run.
pub fn checked(
    command: &str,
    opts: &QueryOpts,
    style: Style,
) -> Result<Result<(Session, Request), Exit>, Fatal> {
    let Some(session) = Session::open(&opts.spec.spec, false, style)? else {
        return Ok(Err(Exit::Failed));
    };
    let mut sources = session.compiled.sources.clone();
    let (args, problems) = query::args::query_args(command, opts, &mut sources);
    let (request, mut diags) = yardstick_compiler::query::check(session.library(), &args);
    problems.into_iter().for_each(|p| diags.push(p));
    match request.filter(|_| !diags.has_errors()) {
        Some(request) => Ok(Ok((session, request))),
        None => {
            crate::stdio::eprint(&report::human(&diags, &sources, style));
            Ok(Err(Exit::Refused))
        }
    }
}
