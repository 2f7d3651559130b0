//! `yardstick docs --out DIR`: the library as a static HTML catalog
//! (`crate::catalog`), each metric page with a chart of its recent series
//! when its data files are there (`catalog::charts`). The charts' window
//! (`--grain`, `--last`, `--to`) is checked like a query's arguments first:
//! a bad one is exit 2 with the command line pointed at.

use crate::catalog::{self, charts};
use crate::cli::{DocsArgs, QueryOpts, SpecArg};
use crate::report::{self, Style};
use crate::session::Session;
use crate::{query, Exit, Fatal};
use std::collections::BTreeMap;

pub fn run(args: &DocsArgs, style: Style) -> Result<Exit, Fatal> {
    let spec_dir = args.spec.dir()?;
    let Some(session) = Session::open(&spec_dir, false, style)? else {
        return Ok(Exit::Failed);
    };
    let window = charts::Window {
        grain: args.grain.clone(),
        last: args.last.clone(),
        to: args.to.clone(),
    };
    let recent = if args.no_data {
        BTreeMap::new()
    } else {
        if let Some(refused) = check_window(&session, args, style) {
            return Ok(refused);
        }
        charts::recent(&session, &window)?
    };
    let spec = spec_dir.display().to_string();
    let files = catalog::files(session.library(), &session.compiled.sources, &spec, &recent);
    catalog::write(&args.out, &files)?;
    let drawn = recent
        .values()
        .filter(|r| matches!(r, charts::Recent::Drawn { .. }))
        .count();
    crate::stdio::eprintln(&format!(
        "wrote {} ({} metric pages, {drawn} with a chart): open {}",
        args.out.display(),
        session.library().metrics.len(),
        args.out.join("index.html").display()
    ));
    Ok(Exit::Ok)
}

/// The charts' `--grain`, `--last` and `--to` checked as a query's (on the
/// library's first metric: these checks do not depend on the metric), or
/// exit 2 with the problems printed.
fn check_window(session: &Session, args: &DocsArgs, style: Style) -> Option<Exit> {
    let first = session.library().metrics.keys().next()?;
    let opts = QueryOpts {
        metrics: vec![first.clone()],
        spec: SpecArg {
            spec: args.spec.spec.clone(),
        },
        by: Vec::new(),
        grain: Some(args.grain.clone()),
        from: None,
        to: args.to.clone(),
        last: Some(args.last.clone()),
        as_of: None,
        filter: None,
    };
    let mut sources = session.compiled.sources.clone();
    let (query_args, problems) = query::args::query_args("docs", &opts, &mut sources);
    let (_, mut diags) = yardstick_compiler::query::check(session.library(), &query_args);
    problems.into_iter().for_each(|p| diags.push(p));
    if !diags.has_errors() {
        return None;
    }
    crate::stdio::eprint(&report::human(&diags, &sources, style));
    Some(Exit::Refused)
}
