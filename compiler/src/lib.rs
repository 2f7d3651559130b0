//! The Yardstick compiler: parse, resolve and type-check a library of
//! `.yard` files. It does no IO: file texts come in, a typed model and
//! diagnostics go out.
//!
//! One public function per stage: [`parse`] (text to syntax trees),
//! [`compile`] (everything, returning the [`model::Library`]).

pub mod diagnostics;
pub mod drift;
pub mod fmt;
pub mod functions;
pub mod ide;
pub mod ir;
pub mod model;
pub mod query;
pub mod resolve;
pub mod span;
pub mod syntax;
pub mod types;

use diagnostics::Diagnostics;
use span::{SourceFile, SourceMap};

/// The outcome of compiling a library: the model, the files it came from,
/// and every problem found, sorted by file and position.
pub struct Compiled {
    pub library: model::Library,
    pub sources: SourceMap,
    pub diagnostics: Diagnostics,
}

/// Parses every file, on as many threads as there are cores. Never fails:
/// problems become diagnostics.
pub fn parse(sources: &SourceMap, diags: &mut Diagnostics) -> Vec<syntax::ast::File> {
    parse_first(sources, usize::MAX, diags)
}

/// Parses the first `count` files of `sources`, spread over the cores
/// (rayon takes the next file as a thread comes free). Trees and
/// diagnostics come back in file order, whichever thread read each file.
fn parse_first(
    sources: &SourceMap,
    count: usize,
    diags: &mut Diagnostics,
) -> Vec<syntax::ast::File> {
    let files: Vec<_> = sources.files().take(count).collect();
    diags.par_map(&files, |(id, file), own| {
        syntax::parse_file(*id, &file.text, own)
    })
}

/// Parses, resolves and type-checks a library given as file texts.
pub fn compile(files: Vec<SourceFile>) -> Compiled {
    compile_with_lock(files, None)
}

/// Like [`compile`], and checks the library against its lock file
/// (`yardstick.lock`) for formula drift.
pub fn compile_with_lock(files: Vec<SourceFile>, lock: Option<SourceFile>) -> Compiled {
    let (compiled, trees) = compile_keeping_trees(files, lock);
    free_in_background(trees);
    compiled
}

/// Frees `value` on a thread of its own. The syntax trees and the model of
/// a large library each take a few percent of `check` to free
/// (docs/benchmarks.md), work the caller need not wait for; a process that
/// exits first skips it. If no thread can be started, `value` is freed
/// here.
pub fn free_in_background<T: Send + 'static>(value: T) {
    let _ = std::thread::Builder::new()
        .name("free".to_owned())
        .spawn(move || drop(value));
}

/// Like [`compile_with_lock`], keeping the syntax tree of each `.yard`
/// file (in the order of the source map): what the editor queries of
/// [`ide`] read.
pub fn compile_keeping_trees(
    files: Vec<SourceFile>,
    lock: Option<SourceFile>,
) -> (Compiled, Vec<syntax::ast::File>) {
    let yard_files = files.len();
    let mut all = files;
    all.extend(lock);
    let sources = SourceMap::new(all);
    let mut diagnostics = Diagnostics::new();
    let trees = parse_first(&sources, yard_files, &mut diagnostics);
    let parsed: Vec<resolve::ParsedFile<'_>> = sources
        .files()
        .zip(&trees)
        .map(|((_, file), ast)| resolve::ParsedFile {
            path: &file.path,
            ast,
        })
        .collect();
    let library = resolve::resolve(&parsed, &mut diagnostics);
    if let Some((id, lock)) = sources.files().nth(yard_files) {
        let lock = drift::lockfile::parse(id, &lock.text, &mut diagnostics);
        if !diagnostics.has_errors() {
            drift::check(&library, &lock, &mut diagnostics);
        }
    }
    diagnostics.sort(&sources);
    let compiled = Compiled {
        library,
        sources,
        diagnostics,
    };
    (compiled, trees)
}
