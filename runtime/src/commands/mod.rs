//! One module per command. What they share — loading the library and the
//! query runtime — is a `crate::session::Session`.

use crate::project::Project;
use std::path::Path;
use yardstick_compiler::Compiled;

/// Adds `yardstick::source::outside_roots` for sources outside `project`.
pub fn check_sources(project: &Project, spec: &Path, compiled: &mut Compiled) {
    let found = crate::project::check_sources(project, spec, &compiled.library, &compiled.sources);
    if !found.is_empty() {
        compiled.diagnostics.extend(found);
        compiled.diagnostics.sort(&compiled.sources);
    }
}

pub mod check;
pub mod cluster;
pub mod compile;
pub mod completions;
pub mod describe;
pub mod diff;
pub mod diff_data;
pub mod docs;
pub mod explain;
pub mod fmt;
pub mod graph;
pub mod list;
pub mod lock;
pub mod query;
pub mod reconcile;
pub mod test;
