//! One module per command, and the step most of them share: compiling the
//! library (with its sources checked against the project's roots) and
//! stopping with its diagnostics when it has errors.

use crate::project::Project;
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
    compile_within(spec, &Project::load(spec)?, with_lock, style)
}

/// Like [`compile_or_report`], with sources allowed where `project` says
/// (for `diff`, the base library's project).
pub fn compile_within(
    spec: &Path,
    project: &Project,
    with_lock: bool,
    style: Style,
) -> Result<Option<Compiled>, Fatal> {
    let files = library_files::read(spec)?;
    let lock = if with_lock {
        library_files::read_lock(spec)?
    } else {
        None
    };
    let mut compiled = yardstick_compiler::compile_with_lock(files, lock);
    check_sources(project, spec, &mut compiled);
    if compiled.diagnostics.has_errors() {
        crate::stdio::eprint(&report::human(
            &compiled.diagnostics,
            &compiled.sources,
            style,
        ));
        return Ok(None);
    }
    Ok(Some(compiled))
}

/// Adds `yardstick::source::outside_roots` for sources outside `project`.
pub fn check_sources(project: &Project, spec: &Path, compiled: &mut Compiled) {
    let found = crate::project::check_sources(project, spec, &compiled.library, &compiled.sources);
    if !found.is_empty() {
        compiled.diagnostics.extend(found);
        compiled.diagnostics.sort(&compiled.sources);
    }
}

pub mod check;
pub mod compile;
pub mod completions;
pub mod describe;
pub mod diff;
pub mod diff_data;
pub mod explain;
pub mod graph;
pub mod list;
pub mod lock;
pub mod query;
pub mod test;
