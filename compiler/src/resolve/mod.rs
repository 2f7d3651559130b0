//! Name resolution: builds the typed [`Library`] model from the syntax trees
//! of every file, with declarations in any order, and reports every broken
//! reference, duplicate, cycle and type error on the way.

pub(crate) mod fields;
mod graph;
mod metric;
pub(crate) mod metric_checks;
mod names;
pub mod offset_time;
mod outcome;
mod per;
mod reconcile;
mod snapshot;
pub mod source;
pub mod suggest;
mod tests_block;

pub use names::Names;
pub use source::RowScope;

use crate::diagnostics::Diagnostics;
use crate::model::Library;
use crate::syntax::ast::{Decl, DeclKind, File};
use std::collections::BTreeMap;

/// One parsed file with the path users know it by.
pub struct ParsedFile<'a> {
    pub path: &'a str,
    pub ast: &'a File,
}

/// A declaration and the file it came from.
#[derive(Clone, Copy)]
pub(crate) struct Located<'a> {
    pub decl: &'a Decl,
    pub path: &'a str,
}

pub fn resolve(files: &[ParsedFile<'_>], diags: &mut Diagnostics) -> Library {
    let mut names = Names::default();
    let mut by_kind: BTreeMap<&str, Vec<Located<'_>>> = BTreeMap::new();
    for file in files {
        names.add_broken(file.ast.broken_names.iter().cloned());
        for decl in &file.ast.decls {
            if names.declare(decl, diags) {
                by_kind.entry(decl.kind.word()).or_default().push(Located {
                    decl,
                    path: file.path,
                });
            }
        }
    }
    let of = |kind: DeclKind| by_kind.get(kind.word()).cloned().unwrap_or_default();

    let mut library = Library {
        sources: source::build_all(&of(DeclKind::Source), &names, diags),
        ..Library::default()
    };
    library.owners = outcome::owners(&of(DeclKind::Owner), &names, diags);
    library.metrics = metric::build_all(&of(DeclKind::Metric), &library, &names, diags);
    library.outcomes = outcome::outcomes(&of(DeclKind::Outcome), &library, &names, diags);
    library.reconciles = reconcile::build_all(&of(DeclKind::Reconcile), &library, &names, diags);
    let tests: Vec<_> = files.iter().flat_map(|f| f.ast.tests.iter()).collect();
    library.tests = tests_block::build_all(&tests, &library, &names, diags);
    library
}
