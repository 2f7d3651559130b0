//! `yardstick check`: every problem in the library, at once.

use crate::cli::{CheckArgs, CheckFormat};
use crate::report::{self, Style};
use crate::session::Session;
use crate::{stdio, Exit, Fatal};

pub fn run(args: &CheckArgs, style: Style) -> Result<Exit, Fatal> {
    let mut session = Session::compile(&args.spec.dir()?, true)?;
    let as_of = crate::governance::data_check::parse_as_of(args.as_of.as_deref())?;
    if args.data && !session.compiled.diagnostics.has_errors() {
        let engine = args.engine.chosen()?;
        crate::governance::data_check::add_findings(&mut session, as_of, &engine)?;
    }
    let (compiled, yard_files) = (&session.compiled, session.yard_files);
    let diags = &compiled.diagnostics;
    match args.format {
        CheckFormat::Human => {
            stdio::eprint(&report::human(diags, &compiled.sources, style));
            stdio::eprintln(&report::summary(diags, yard_files));
        }
        CheckFormat::Json => stdio::println(&report::json(diags, &compiled.sources))?,
        CheckFormat::Github => stdio::print(&report::github(
            diags,
            &compiled.sources,
            &report::RepoPaths::of(&session.spec),
        ))?,
        CheckFormat::Sarif => stdio::print(&report::sarif::check(
            diags,
            &compiled.sources,
            &report::RepoPaths::of(&session.spec),
        ))?,
    }
    let exit = if diags.has_errors() {
        Exit::Failed
    } else {
        Exit::Ok
    };
    // The command is done with the model; the process exits next.
    yardstick_compiler::free_in_background(session);
    Ok(exit)
}
