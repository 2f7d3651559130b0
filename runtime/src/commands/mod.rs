//! One module per command, and the step most of them share: compiling the
//! library and stopping with its diagnostics when it has errors.

use crate::report::{self, Style};
use crate::{library_files, Fatal};
use std::path::Path;
use yardstick_compiler::Compiled;

/// Compiles the library at `spec` (against its lock when `with_lock`);
/// `None`, with the diagnostics printed, when it has errors.
pub fn compile_or_report(
    spec: &Path,
    with_lock: bool,
    style: Style,
) -> Result<Option<Compiled>, Fatal> {
    let files = library_files::read(spec)?;
    let lock = if with_lock {
        library_files::read_lock(spec)?
    } else {
        None
    };
    let compiled = yardstick_compiler::compile_with_lock(files, lock);
    if compiled.diagnostics.has_errors() {
        eprint!(
            "{}",
            report::human(&compiled.diagnostics, &compiled.sources, style)
        );
        return Ok(None);
    }
    Ok(Some(compiled))
}

pub mod check;
pub mod compile;
pub mod diff;
pub mod diff_data;
pub mod explain;
pub mod lock;
pub mod query;
pub mod test;
