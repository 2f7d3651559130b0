//! `yardstick check`: every problem in the library, at once.

use crate::cli::{CheckArgs, CheckFormat};
use crate::project::Project;
use crate::report::{self, Style};
use crate::{library_files, stdio, Fatal, Outcome};

pub fn run(args: &CheckArgs, style: Style) -> Result<Outcome, Fatal> {
    let files = library_files::read(&args.spec.spec)?;
    let yard_files = files.len();
    let lock = library_files::read_lock(&args.spec.spec)?;
    let mut compiled = yardstick_compiler::compile_with_lock(files, lock);
    let project = Project::load(&args.spec.spec)?;
    super::check_sources(&project, &args.spec.spec, &mut compiled);
    let as_of = crate::governance::data_check::parse_as_of(args.as_of.as_deref())?;
    if args.data && !compiled.diagnostics.has_errors() {
        crate::governance::data_check::add_findings(&args.spec.spec, as_of, &mut compiled)?;
    }
    let diags = &compiled.diagnostics;
    match args.format {
        CheckFormat::Human => {
            stdio::eprint(&report::human(diags, &compiled.sources, style));
            stdio::eprintln(&report::summary(diags, yard_files));
        }
        CheckFormat::Json => stdio::println(&report::json(diags, &compiled.sources))?,
        CheckFormat::Github => stdio::print(&report::github(diags, &compiled.sources))?,
        CheckFormat::Sarif => stdio::print(&report::sarif::check(diags, &compiled.sources))?,
    }
    Ok(if diags.has_errors() {
        Outcome::Failed
    } else {
        Outcome::Ok
    })
}
