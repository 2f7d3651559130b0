//! `yardstick lock`: writes `yardstick.lock`, the version and fingerprint of
//! every metric. It refuses to record drift: a library that fails `check`
//! (against the old lock too) is not locked.

use crate::cli::SpecArg;
use crate::report::Style;
use crate::{library_files, Exit, Fatal};
use std::io::Write;

pub fn run(args: &SpecArg, style: Style) -> Result<Exit, Fatal> {
    let spec = args.dir()?;
    let Some(session) = crate::session::Session::open(&spec, true, style)? else {
        crate::stdio::eprintln("not locked: fix the problems above first");
        return Ok(Exit::Failed);
    };
    let compiled = &session.compiled;
    let text = yardstick_compiler::drift::lock_text(&compiled.library);
    let path = spec.join(library_files::LOCK_FILE);
    crate::outfile::write(&path, |file| Ok(file.write_all(text.as_bytes())?))?;
    crate::stdio::eprintln(&format!(
        "locked {} metrics in {}",
        compiled.library.metrics.len(),
        path.display()
    ));
    Ok(Exit::Ok)
}
