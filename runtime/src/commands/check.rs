//! `yardstick check`: every problem in the library, at once.

use crate::cli::{CheckArgs, CheckFormat};
use crate::report::{self, Style};
use crate::{library_files, Fatal, Outcome};

pub fn run(args: &CheckArgs, style: Style) -> Result<Outcome, Fatal> {
    let files = library_files::read(&args.spec.spec)?;
    let yard_files = files.len();
    let lock = library_files::read_lock(&args.spec.spec)?;
    let compiled = yardstick_compiler::compile_with_lock(files, lock);
    let diags = &compiled.diagnostics;
    match args.format {
        CheckFormat::Human => {
            eprint!("{}", report::human(diags, &compiled.sources, style));
            eprintln!("{}", report::summary(diags, yard_files));
        }
        CheckFormat::Json => println!("{}", report::json(diags, &compiled.sources)),
        CheckFormat::Github => print!("{}", report::github(diags, &compiled.sources)),
        CheckFormat::Sarif => print!("{}", report::sarif::check(diags, &compiled.sources)),
    }
    Ok(if diags.has_errors() {
        Outcome::Failed
    } else {
        Outcome::Ok
    })
}
