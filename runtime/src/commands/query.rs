//! `yardstick query`: compute metrics on the data.

use crate::cli::{QueryCommand, QueryOpts};
use crate::report::{self, Style};
use crate::session::Session;
use crate::{chart, query, Exit, Fatal};
use datafusion::arrow::record_batch::RecordBatch;
use std::io::Write;
use yardstick_compiler::model::{Library, Metric};
use yardstick_compiler::query::Request;
use yardstick_lower::OutputColumn;

pub fn run(args: &QueryCommand, style: Style) -> Result<Exit, Fatal> {
    let keys = query::arrange::sort_keys(&args.order_by)?;
    if args.chart.is_some() && args.query.grain.is_none() {
        return Err(Fatal(
            "`--chart` draws a series: add `--grain day|week|month|quarter|year` (and `--by` for one line per group)".to_owned(),
        ));
    }
    let (session, request) = match checked("query", &args.query, style)? {
        Ok(checked) => checked,
        Err(outcome) => return Ok(outcome),
    };
    let library = session.library();
    let engine = args.engine.chosen()?;
    let reading = request
        .sources_read(library)
        .into_iter()
        .map(
            |name| match library.sources.get(&name).and_then(|s| s.path.as_deref()) {
                Some(path) => format!("{name} ({path})"),
                None => name,
            },
        )
        .collect::<Vec<_>>()
        .join(", ");
    let progress = crate::progress::Progress::start(format!("reading {reading}"));
    let (batches, lowered, columns) = session.block_on(async {
        let prepared = query::prepare(&session.spec, library, &request, &engine).await?;
        let batches = query::execute(&prepared).await?;
        let (batches, columns) = match args.compare {
            Some(compare) => {
                query::compare::add(
                    &session.spec,
                    library,
                    &request,
                    &prepared.lowered,
                    batches,
                    compare,
                    &engine,
                )
                .await?
            }
            None => (batches, prepared.lowered.columns.clone()),
        };
        let (batches, columns) = if args.ci {
            query::intervals::add(&session.spec, library, &request, &columns, batches, &engine)
                .await?
        } else {
            (batches, columns)
        };
        Ok::<_, Fatal>((batches, prepared.lowered, columns))
    })??;
    drop(progress);
    let batches = query::arrange::apply(batches, &columns, &keys, args.limit)?;
    // The chart is drawn and written first: a chart that cannot be drawn
    // or written (a folder's path) fails before the result is printed.
    if let Some(path) = &args.chart {
        let svg = chart_svg(library, &request, &batches, &columns)?;
        let _writing = crate::guard::doing(format!("writing `{}`", path.display()));
        crate::outfile::write(path, |file| Ok(file.write_all(svg.as_bytes())?))?;
    }
    query::output::write(
        &batches,
        &columns,
        query::output::OutputFormat::infer(args.format, args.output.as_deref()),
        args.output.as_deref(),
        // The time the numbers are for, which defaults to the newest data
        // and so can move when another metric joins the query.
        &time_caption(&lowered.frame),
    )?;
    crate::governance::asserts::warn(library, &batches, &lowered.columns);
    Ok(Exit::Ok)
}

/// `as of 2026-06-30`, or `by month, 2026-01-01 to 2026-06-30` for a
/// series (its first period's start and its last period's last day).
fn time_caption(frame: &yardstick_lower::TimeFrame) -> String {
    match frame {
        yardstick_lower::TimeFrame::AsOf(date) => format!("as of {date}"),
        yardstick_lower::TimeFrame::Series { grain, periods } => {
            let first = periods.first().map(|p| p.start.date());
            let last = periods
                .last()
                .and_then(|p| p.end.date().pred_opt().or(Some(p.end.date())));
            match (first, last) {
                (Some(first), Some(last)) => {
                    format!("by {}, {first} to {last}", grain.name())
                }
                _ => format!("by {}, no periods", grain.name()),
            }
        }
    }
}

/// The `--chart` of a series: one line per metric and group; the y axis
/// the metrics' unit (each unit named when they differ); for one metric,
/// its SLA target as reference lines.
fn chart_svg(
    library: &Library,
    request: &Request,
    batches: &[RecordBatch],
    columns: &[OutputColumn],
) -> Result<String, Fatal> {
    let series = query::series::Series::read(batches, columns)
        .ok_or_else(|| Fatal("`--chart` draws a series: add `--grain`".to_owned()))?;
    let metrics: Vec<&Metric> = request
        .metrics
        .iter()
        .filter_map(|id| library.metric(id))
        .collect();
    let mut units: Vec<String> = Vec::new();
    for unit in metrics.iter().map(|m| chart::unit_label(m)) {
        if !units.contains(&unit) {
            units.push(unit);
        }
    }
    let references = match metrics.as_slice() {
        [one] => chart::target_lines(one),
        _ => Vec::new(),
    };
    let title = metrics
        .iter()
        .map(|m| m.title.clone().unwrap_or_else(|| m.name.clone()))
        .collect::<Vec<_>>()
        .join(", ");
    chart::svg(&chart::Chart {
        title,
        unit: units.join(", "),
        series: &series,
        references,
    })
}

/// The session and the query checked against its library, for `query` and
/// `explain`; or how the command ends, with the problems printed: exit 1
/// for a library with errors, 2 for a query that cannot run.
pub fn checked(
    command: &str,
    opts: &QueryOpts,
    style: Style,
) -> Result<Result<(Session, Request), Exit>, Fatal> {
    let Some(session) = Session::open(&opts.spec.dir()?, false, style)? else {
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
