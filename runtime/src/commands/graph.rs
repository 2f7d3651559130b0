//! `yardstick graph`: the library's outcomes, metrics and the edges between
//! them on stdout (`governance::graph`), its loose ends as warnings on
//! stderr.

use crate::cli::GraphArgs;
use crate::governance::graph;
use crate::report::Style;
use crate::{stdio, Exit, Fatal};

pub fn run(args: &GraphArgs, style: Style) -> Result<Exit, Fatal> {
    let Some(session) = crate::session::Session::open(&args.spec.dir()?, false, style)? else {
        return Ok(Exit::Failed);
    };
    let compiled = &session.compiled;
    stdio::print(&graph::render(&compiled.library, args.format))?;
    for warning in graph::warnings(&compiled.library) {
        stdio::eprintln(&warning);
    }
    Ok(Exit::Ok)
}
