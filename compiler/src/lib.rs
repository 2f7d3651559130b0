//! The Yardstick compiler: parse, resolve and type-check a library of
//! `.yard` files. It does no IO: file texts come in, a typed model and
//! diagnostics go out.
//!
//! One public function per stage: [`parse`] (text to syntax trees),
//! [`compile`] (everything, returning the [`model::Library`]).

pub mod diagnostics;
pub mod model;
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

/// Parses every file. Never fails: problems become diagnostics.
pub fn parse(sources: &SourceMap, diags: &mut Diagnostics) -> Vec<syntax::ast::File> {
    sources
        .files()
        .map(|(id, file)| syntax::parse_file(id, &file.text, diags))
        .collect()
}

/// Parses, resolves and type-checks a library given as file texts.
pub fn compile(files: Vec<SourceFile>) -> Compiled {
    let sources = SourceMap::new(files);
    let mut diagnostics = Diagnostics::new();
    let trees = parse(&sources, &mut diagnostics);
    let parsed: Vec<resolve::ParsedFile<'_>> = sources
        .files()
        .zip(&trees)
        .map(|((_, file), ast)| resolve::ParsedFile {
            path: &file.path,
            ast,
        })
        .collect();
    let library = resolve::resolve(&parsed, &mut diagnostics);
    diagnostics.sort(&sources);
    Compiled {
        library,
        sources,
        diagnostics,
    }
}
