//! The compiler's diagnostics as the protocol's: the primary label's span
//! becomes the range, the stable code (`yardstick::name::unresolved`)
//! the code, the help line part of the message, and the other labels
//! related information — the same content `yardstick check` renders with
//! miette, laid out for an editor.

use super::library::Loaded;
use super::position::{Encoding, LineIndex};
use lsp_types::{
    Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Url,
};
use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};
use yardstick_compiler::diagnostics::{Diagnostic as Found, Severity};
use yardstick_compiler::span::{FileId, Span};

/// Every diagnostic of a library, grouped by the document it is in.
pub fn by_document(loaded: &Loaded, encoding: Encoding) -> BTreeMap<Url, Vec<Diagnostic>> {
    let mut ranges = Ranges::new(loaded, encoding);
    let mut out: BTreeMap<Url, Vec<Diagnostic>> = BTreeMap::new();
    for d in loaded.analysis.compiled.diagnostics.iter() {
        let Some(uri) = loaded.uri(d.primary.span.file) else {
            continue;
        };
        if let Some(at) = ranges.range(d.primary.span) {
            let converted = convert(loaded, &mut ranges, d, at);
            out.entry(uri.clone()).or_default().push(converted);
        }
    }
    out
}

/// The range of a span, in its file.
pub fn range(loaded: &Loaded, span: Span, encoding: Encoding) -> Option<lsp_types::Range> {
    Ranges::new(loaded, encoding).range(span)
}

/// Spans to ranges, each file's lines indexed once.
struct Ranges<'l> {
    loaded: &'l Loaded,
    encoding: Encoding,
    indexes: HashMap<FileId, LineIndex<'l>>,
}

impl<'l> Ranges<'l> {
    fn new(loaded: &'l Loaded, encoding: Encoding) -> Ranges<'l> {
        Ranges {
            loaded,
            encoding,
            indexes: HashMap::new(),
        }
    }

    fn range(&mut self, span: Span) -> Option<lsp_types::Range> {
        let index = match self.indexes.entry(span.file) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => {
                let file = self.loaded.analysis.compiled.sources.file(span.file)?;
                e.insert(LineIndex::new(&file.text, self.encoding))
            }
        };
        Some(index.range(span.start as usize, span.end as usize))
    }
}

fn convert(
    loaded: &Loaded,
    ranges: &mut Ranges<'_>,
    d: &Found,
    at: lsp_types::Range,
) -> Diagnostic {
    let mut message = d.message.clone();
    if !d.primary.message.is_empty() {
        message.push_str(&format!(" ({})", d.primary.message));
    }
    if let Some(help) = &d.help {
        message.push_str(&format!("\nhelp: {help}"));
    }
    let related: Vec<DiagnosticRelatedInformation> = d
        .secondary
        .iter()
        .filter_map(|label| {
            Some(DiagnosticRelatedInformation {
                location: Location::new(
                    loaded.uri(label.span.file)?.clone(),
                    ranges.range(label.span)?,
                ),
                message: label.message.clone(),
            })
        })
        .collect();
    Diagnostic {
        range: at,
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(d.code.id().to_owned())),
        code_description: None,
        source: Some("yardstick".to_owned()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}
