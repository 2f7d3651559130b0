//! `yardstick compile --emit ir`: the typed, resolved library as JSON.

use crate::cli::{CompileArgs, Emit};
use crate::report::Style;
use crate::{Exit, Fatal};

pub fn run(args: &CompileArgs, style: Style) -> Result<Exit, Fatal> {
    let Some(session) = crate::session::Session::open(&args.spec.dir()?, false, style)? else {
        return Ok(Exit::Failed);
    };
    let compiled = &session.compiled;
    match args.emit {
        Emit::Ir => crate::stdio::println(&serde_json::to_string_pretty(&compiled.library)?)?,
    }
    Ok(Exit::Ok)
}
