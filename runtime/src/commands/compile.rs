//! `yardstick compile --emit ir`: the typed, resolved library as JSON.

use crate::cli::{CompileArgs, Emit};
use crate::report::{self, Style};
use crate::{library_files, Fatal, Outcome};

pub fn run(args: &CompileArgs, style: Style) -> Result<Outcome, Fatal> {
    let files = library_files::read(&args.spec.spec)?;
    let compiled = yardstick_compiler::compile(files);
    if compiled.diagnostics.has_errors() {
        eprint!(
            "{}",
            report::human(&compiled.diagnostics, &compiled.sources, style)
        );
        return Ok(Outcome::Failed);
    }
    match args.emit {
        Emit::Ir => println!("{}", serde_json::to_string_pretty(&compiled.library)?),
    }
    Ok(Outcome::Ok)
}
