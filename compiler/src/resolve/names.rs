//! The library's global name table: which name is which kind of
//! declaration, duplicates, and checking a reference against an expected kind.

use super::suggest::did_you_mean;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::span::Span;
use crate::syntax::ast::{Decl, DeclKind, Ident};
use std::collections::{HashMap, HashSet};

#[derive(Default)]
pub struct Names {
    declared: HashMap<String, (DeclKind, Span)>,
    /// Declarations that failed to parse or to resolve: references to them
    /// are not reported again.
    broken: HashSet<String>,
}

impl Names {
    /// Records a declaration; `false` (and a diagnostic) for a duplicate.
    pub fn declare(&mut self, decl: &Decl, diags: &mut Diagnostics) -> bool {
        if decl.name.name.is_empty() {
            return false;
        }
        if let Some((kind, first)) = self.declared.get(&decl.name.name) {
            diags.push(
                Diagnostic::error(
                    Code::DuplicateName,
                    decl.name.span,
                    format!(
                        "`{}` is declared twice ({} and {})",
                        decl.name.name,
                        a(kind.word()),
                        a(decl.kind.word())
                    ),
                )
                .label("declared again here")
                .with_secondary(*first, "first declared here")
                .help("names are global in a library: rename one of them"),
            );
            return false;
        }
        self.declared
            .insert(decl.name.name.clone(), (decl.kind, decl.name.span));
        true
    }

    pub fn add_broken(&mut self, names: impl Iterator<Item = String>) {
        self.broken.extend(names);
    }

    pub fn is_broken(&self, name: &str) -> bool {
        self.broken.contains(name)
    }

    pub fn kind(&self, name: &str) -> Option<DeclKind> {
        self.declared.get(name).map(|(k, _)| *k)
    }

    pub fn span(&self, name: &str) -> Option<Span> {
        self.declared.get(name).map(|(_, s)| *s)
    }

    /// Every name of one kind, sorted (for suggestions, which are rare).
    pub fn of_kind(&self, kind: DeclKind) -> impl Iterator<Item = &str> {
        let mut names: Vec<&str> = self
            .declared
            .iter()
            .filter(move |(_, (k, _))| *k == kind)
            .map(|(n, _)| n.as_str())
            .collect();
        names.sort_unstable();
        names.into_iter()
    }

    /// Checks that `reference` names a declaration of kind `want`; reports
    /// an unresolved name (with a suggestion) or a wrong kind otherwise.
    pub fn expect(&self, reference: &Ident, want: DeclKind, diags: &mut Diagnostics) -> bool {
        let name = &reference.name;
        if self.broken.contains(name) {
            return false;
        }
        match self.declared.get(name) {
            Some((kind, _)) if *kind == want => true,
            Some((kind, span)) => {
                diags.push(
                    Diagnostic::error(
                        Code::WrongKind,
                        reference.span,
                        format!("`{name}` is {}, not {}", a(kind.word()), a(want.word())),
                    )
                    .label(format!("expected {}", a(want.word())))
                    .with_secondary(*span, format!("`{name}` is declared here"))
                    .help(wrong_kind_help(*kind, want)),
                );
                false
            }
            None => {
                let mut d = Diagnostic::error(
                    Code::Unresolved,
                    reference.span,
                    format!("no {} named `{name}`", want.word()),
                )
                .label(format!("unknown {}", want.word()));
                if let Some(s) = did_you_mean(name, self.of_kind(want)) {
                    d = d.help(format!("did you mean `{s}`?"));
                }
                diags.push(d);
                false
            }
        }
    }
}

fn wrong_kind_help(found: DeclKind, want: DeclKind) -> String {
    match (found, want) {
        (DeclKind::Metric, DeclKind::Outcome) => {
            "`drives` points at outcomes; a metric that explains another is an input of a derived metric".to_owned()
        }
        _ => format!("name {} here", a(want.word())),
    }
}

/// "a metric", "an outcome".
pub fn a(word: &str) -> String {
    let article = if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {word}")
}
