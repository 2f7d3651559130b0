//! `yardstick reconcile [NAME...] [--from D] [--to D] [--format human|json]`:
//! both sides of each `reconcile` declaration per period on stdout
//! (`governance::reconcile`), each variance on stderr with the owner who
//! signs off; exit 1 when there is one.

use crate::cli::{ReconcileArgs, ReconcileFormat};
use crate::governance::reconcile::{self, Range};
use crate::report::Style;
use crate::session::Session;
use crate::{stdio, Exit, Fatal};

pub fn run(args: &ReconcileArgs, style: Style) -> Result<Exit, Fatal> {
    let Some(session) = Session::open(&args.spec.dir()?, false, style)? else {
        return Ok(Exit::Failed);
    };
    let library = session.library();
    let mut chosen = Vec::new();
    for name in &args.names {
        match library.reconciles.get(name) {
            Some(r) => chosen.push(r),
            None => {
                let known: Vec<&str> = library.reconciles.keys().map(String::as_str).collect();
                return Err(Fatal(format!(
                    "no reconcile named `{name}`; the library has: {}",
                    if known.is_empty() {
                        "none".to_owned()
                    } else {
                        known.join(", ")
                    }
                )));
            }
        }
    }
    if args.names.is_empty() {
        chosen.extend(library.reconciles.values());
    }
    if chosen.is_empty() {
        stdio::eprintln("the library declares no `reconcile`; nothing to compare");
        return Ok(Exit::Ok);
    }
    for (flag, date) in [("--from", &args.from), ("--to", &args.to)] {
        if let Some(d) = date {
            if chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_err() {
                return Err(Fatal(format!("{flag} `{d}` is not a date (YYYY-MM-DD)")));
            }
        }
    }
    let range = Range {
        from: args.from.clone(),
        to: args.to.clone(),
    };
    let engine = args.engine.chosen()?;
    let lines = session.block_on(reconcile::run(
        &session.spec,
        library,
        &chosen,
        &range,
        &engine,
    ))??;
    let text = match args.format {
        ReconcileFormat::Human => reconcile::human(library, &lines),
        ReconcileFormat::Json => reconcile::json(&lines)?,
    };
    stdio::print(&text)?;
    let variances = reconcile::variances(&lines);
    for v in &variances {
        stdio::eprintln(v);
    }
    Ok(if variances.is_empty() {
        Exit::Ok
    } else {
        Exit::Failed
    })
}
