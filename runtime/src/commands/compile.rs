//! `yardstick compile --emit ir`: the typed, resolved library as JSON.

use crate::cli::{CompileArgs, Emit};
use crate::report::Style;
use crate::{Fatal, Outcome};

pub fn run(args: &CompileArgs, style: Style) -> Result<Outcome, Fatal> {
    let Some(compiled) = super::compile_or_report(&args.spec.spec, false, style)? else {
        return Ok(Outcome::Failed);
    };
    match args.emit {
        Emit::Ir => crate::stdio::println(&serde_json::to_string_pretty(&compiled.library)?)?,
    }
    Ok(Outcome::Ok)
}
