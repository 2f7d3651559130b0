//! `yardstick graph`: the library's outcomes, metrics and the edges between
//! them on stdout (`governance::graph`), its loose ends as warnings on
//! stderr.

use crate::cli::GraphArgs;
use crate::governance::graph;
use crate::report::Style;
use crate::{stdio, Fatal, Outcome};

pub fn run(args: &GraphArgs, style: Style) -> Result<Outcome, Fatal> {
    let Some(compiled) = super::compile_or_report(&args.spec.spec, false, style)? else {
        return Ok(Outcome::Failed);
    };
    stdio::print(&graph::render(&compiled.library, args.format))?;
    for warning in graph::warnings(&compiled.library) {
        stdio::eprintln(&warning);
    }
    Ok(Outcome::Ok)
}
