//! Diagnostics as people read them: miette reports, each with its source
//! snippet, labels, code and help; labels in other files become related
//! reports. Rendering makes a string and touches no terminal, so the
//! compiler's case suite renders without the runtime.

use super::{Diagnostic, Diagnostics, Severity};
use crate::span::{SourceMap, Span};
use miette::{
    Diagnostic as MietteDiagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan,
    NamedSource, SourceSpan,
};

/// Every diagnostic rendered, in order, in colour or not.
pub fn human(diags: &Diagnostics, sources: &SourceMap, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
    let mut out = String::new();
    for d in diags.iter() {
        let report = Report::new(d, sources);
        if handler.render_report(&mut out, &report).is_err() {
            out.push_str(&format!("{}: {}\n", d.code, d.message));
        }
        out.push('\n');
    }
    out
}

/// "2 errors, 1 warning in 3 files" — the last line of `check`.
pub fn summary(diags: &Diagnostics, files: usize) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {} in {}",
        plural(diags.error_count(), "error"),
        plural(diags.warning_count(), "warning"),
        plural(files, "file")
    )
}

/// One diagnostic as miette wants it.
#[derive(Debug)]
struct Report {
    code: &'static str,
    severity: miette::Severity,
    message: String,
    help: Option<String>,
    source: NamedSource<String>,
    labels: Vec<LabeledSpan>,
    related: Vec<Report>,
}

impl Report {
    fn new(d: &Diagnostic, sources: &SourceMap) -> Report {
        let file = d.primary.span.file;
        let mut labels = vec![labeled(d.primary.span, &d.primary.message, true)];
        let mut related = Vec::new();
        for label in &d.secondary {
            if label.span.file == file {
                labels.push(labeled(label.span, &label.message, false));
            } else {
                related.push(Report {
                    code: d.code.id(),
                    severity: miette::Severity::Advice,
                    message: label.message.clone(),
                    help: None,
                    source: named(label.span, sources),
                    labels: vec![labeled(label.span, "", true)],
                    related: Vec::new(),
                });
            }
        }
        Report {
            code: d.code.id(),
            severity: match d.severity {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
            },
            message: d.message.clone(),
            help: d.help.clone(),
            source: named(d.primary.span, sources),
            labels,
            related,
        }
    }
}

fn named(span: Span, sources: &SourceMap) -> NamedSource<String> {
    let text = sources
        .file(span.file)
        .map(|f| f.text.clone())
        .unwrap_or_default();
    NamedSource::new(sources.path(span.file), text)
}

fn labeled(span: Span, message: &str, primary: bool) -> LabeledSpan {
    let text = (!message.is_empty()).then(|| message.to_owned());
    let source_span = SourceSpan::new((span.start as usize).into(), span.len());
    if primary {
        LabeledSpan::new_primary_with_span(text, source_span)
    } else {
        LabeledSpan::new_with_span(text, source_span)
    }
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report {}

impl MietteDiagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn MietteDiagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(
            self.related.iter().map(|r| r as &dyn MietteDiagnostic),
        ))
    }
}
