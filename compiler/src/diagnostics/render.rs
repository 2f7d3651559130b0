//! Diagnostics as people read them: miette reports, each with its source
//! snippet, labels, code and help; labels in other files become related
//! reports. Rendering makes a string and touches no terminal, so the
//! compiler's case suite renders without the runtime. Nothing echoed is
//! unbounded: long lines become a position, long texts are cut, and
//! control characters never reach the terminal.

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
        let mut report = Report::new(d, sources);
        if let Some(at) = too_long_to_show(d, sources) {
            report = report.without_snippet(at);
        }
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

/// `text` cut to `limit` characters, saying how many more there were.
pub fn truncate(text: &str, limit: usize) -> String {
    let count = text.chars().count();
    if count <= limit {
        return text.to_owned();
    }
    let kept: String = text.chars().take(limit).collect();
    format!("{kept}… ({} more characters)", count - limit)
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
            message: truncate(&d.message, TEXT_LIMIT),
            help: d.help.as_deref().map(|h| truncate(h, TEXT_LIMIT)),
            source: named(d.primary.span, sources),
            labels,
            related,
        }
    }
}

impl Report {
    /// The report with its snippet replaced by a position: the line is
    /// too long to print (a 10 MB line would be echoed several times).
    fn without_snippet(mut self, at: String) -> Report {
        self.message = format!("{}\n  at {at}", self.message);
        self.labels.clear();
        self.source = NamedSource::new(self.source.name(), String::new());
        self.related.clear();
        self
    }
}

/// Longest message, label or help shown, in characters.
const TEXT_LIMIT: usize = 500;
/// Longest source line a snippet shows, in bytes.
const LINE_LIMIT: usize = 400;

/// `file:line:column (...)` when a label's line is too long for a snippet.
fn too_long_to_show(d: &Diagnostic, sources: &SourceMap) -> Option<String> {
    let span = d.primary.span;
    let long = std::iter::once(&d.primary)
        .chain(&d.secondary)
        .any(|l| longest_line(l.span, sources) > LINE_LIMIT);
    if !long {
        return None;
    }
    let at = sources.line_col(span.file, span.start);
    Some(format!(
        "{}:{}:{} (the line is too long to show)",
        sources.path(span.file),
        at.line,
        at.column
    ))
}

/// The length in bytes of the longest line a span touches.
fn longest_line(span: Span, sources: &SourceMap) -> usize {
    let Some(file) = sources.file(span.file) else {
        return 0;
    };
    let text = file.text.as_bytes();
    let start = (span.start as usize).min(text.len());
    let end = (span.end as usize).min(text.len());
    let line_start = text[..start]
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    let line_end = text[end..]
        .iter()
        .position(|b| *b == b'\n')
        .map_or(text.len(), |i| end + i);
    text[line_start..line_end]
        .split(|b| *b == b'\n')
        .map(<[u8]>::len)
        .max()
        .unwrap_or(0)
}

fn named(span: Span, sources: &SourceMap) -> NamedSource<String> {
    let text = sources
        .file(span.file)
        .map(|f| without_controls(&f.text))
        .unwrap_or_default();
    NamedSource::new(sources.path(span.file), text)
}

/// The text with control characters (but newlines, tabs and carriage
/// returns) replaced by `?`, one per byte, so spans stay where they were
/// and a library file cannot send escapes to the terminal.
fn without_controls(text: &str) -> String {
    if !text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
    {
        return text.to_owned();
    }
    text.chars()
        .map(|c| {
            if c.is_control() && !matches!(c, '\n' | '\t' | '\r') {
                "?".repeat(c.len_utf8())
            } else {
                c.to_string()
            }
        })
        .collect()
}

fn labeled(span: Span, message: &str, primary: bool) -> LabeledSpan {
    let text = (!message.is_empty()).then(|| truncate(message, TEXT_LIMIT));
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
