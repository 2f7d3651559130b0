//! Editor queries over a compiled library: which name stands at an offset
//! ([`symbol`]), where it is declared, and what may be written at a cursor
//! ([`complete`]). Pure like the rest of the compiler: texts and syntax
//! trees in, answers out; the language server in the runtime speaks the
//! protocol and reads the files.
//!
//! The queries read the syntax trees, not only the resolved model, so
//! they keep working while the library has errors: a metric whose formula
//! does not type-check is still declared, and its name still jumps there.

pub mod complete;
pub mod context;
pub mod fields;
pub mod symbol;

use crate::model::{Definition, Library};
use crate::span::{FileId, SourceFile, Span};
use crate::syntax::ast::{self, Decl, DeclKind, Entry};
use crate::Compiled;

/// A compiled library with the syntax tree of each of its `.yard` files.
pub struct Analysis {
    pub compiled: Compiled,
    /// One tree per `.yard` file, indexed by [`FileId`].
    pub trees: Vec<ast::File>,
}

impl Analysis {
    /// Compiles `files` (and the lock, when there is one) for the editor.
    pub fn new(files: Vec<SourceFile>, lock: Option<SourceFile>) -> Analysis {
        let (compiled, trees) = crate::compile_keeping_trees(files, lock);
        Analysis { compiled, trees }
    }

    pub fn library(&self) -> &Library {
        &self.compiled.library
    }

    /// The id of the file at `path` (as given to [`Analysis::new`]).
    pub fn file_id(&self, path: &str) -> Option<FileId> {
        self.compiled
            .sources
            .files()
            .find(|(_, f)| f.path == path)
            .map(|(id, _)| id)
    }

    pub fn tree(&self, file: FileId) -> Option<&ast::File> {
        self.trees.get(file.0 as usize)
    }

    /// Every declaration of every file, in file order.
    pub fn decls(&self) -> impl Iterator<Item = &Decl> {
        self.trees.iter().flat_map(|t| t.decls.iter())
    }

    /// The first declaration of `kind` named `name`.
    pub fn decl(&self, kind: DeclKind, name: &str) -> Option<&Decl> {
        self.decls().find(|d| d.kind == kind && d.name.name == name)
    }

    /// The names declared with `kind`, sorted and without repeats.
    pub fn names(&self, kind: DeclKind) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .decls()
            .filter(|d| d.kind == kind)
            .map(|d| d.name.name.as_str())
            .collect();
        names.sort_unstable();
        names.dedup();
        names
    }

    /// The source a metric reads its rows from: its `from`, or its base's
    /// for a variant (through the model when it resolved, else the trees).
    pub fn source_of_metric(&self, metric: &str) -> Option<String> {
        if let Some(m) = self.library().metrics.get(metric) {
            return match &m.definition {
                Definition::Base(b) => Some(b.source.clone()),
                Definition::Derived(_) => None,
            };
        }
        let mut name = metric;
        // Bounded: a chain of variants visits each metric at most once.
        for _ in 0..=self.trees.iter().map(|t| t.decls.len()).sum::<usize>() {
            let decl = self.decl(DeclKind::Metric, name)?;
            if let Some(from) = field_name(decl, "from") {
                return Some(from.to_owned());
            }
            name = &decl.variant_of.as_ref()?.name;
        }
        None
    }

    /// The columns a source declares, as written.
    pub fn columns(&self, source: &str) -> Vec<&ast::ColumnDecl> {
        self.decl(DeclKind::Source, source)
            .map(|d| {
                d.entries
                    .iter()
                    .filter_map(|e| match e {
                        Entry::Columns(columns, _) => Some(columns.iter()),
                        _ => None,
                    })
                    .flatten()
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The sources a source joins.
    pub fn joins(&self, source: &str) -> Vec<&str> {
        self.decl(DeclKind::Source, source)
            .map(|d| {
                d.entries
                    .iter()
                    .filter_map(|e| match e {
                        Entry::Join(j) => Some(j.source.name.as_str()),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Where a column is declared: its name in its source's `columns`.
    pub fn column_span(&self, source: &str, column: &str) -> Option<Span> {
        self.columns(source)
            .into_iter()
            .find(|c| c.name.name == column)
            .map(|c| c.name.span)
    }
}

/// The single name a field of `decl` holds (`from: tickets` gives `tickets`).
pub fn field_name<'d>(decl: &'d Decl, key: &str) -> Option<&'d str> {
    decl.entries.iter().find_map(|e| match e {
        Entry::Field(f) if f.key.name == key => {
            crate::resolve::fields::single_expr(f).and_then(ast::Expr::as_name)
        }
        _ => None,
    })
}
