//! Printing what commands found: diagnostics as `human` (miette reports
//! with snippets), `json` (the same problems as data) and `github`
//! (workflow annotations); `diff`'s changes in `diff.rs`; SARIF for both in
//! `sarif.rs`.

pub mod diff;
mod repo_paths;
pub mod sarif;

pub use repo_paths::RepoPaths;

use crate::cli::Color;
use serde::Serialize;
use std::io::IsTerminal;
use yardstick_compiler::diagnostics::{Diagnostic, Diagnostics, Severity};
use yardstick_compiler::span::{SourceMap, Span};

/// Whether human output is coloured.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    pub color: bool,
}

impl Style {
    pub fn from_choice(choice: Color) -> Style {
        let color = match choice {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::io::stderr().is_terminal()
            }
        };
        Style { color }
    }
}

pub use yardstick_compiler::diagnostics::render::summary;

/// A number for people: at most four decimals, no trailing zeros (`0.6667`,
/// `42`), never `-0`. Tables, `diff`'s deltas and governance findings all
/// print values this way.
pub fn number_for_people(v: f64) -> String {
    if !v.is_finite() {
        return v.to_string();
    }
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_owned()
    } else {
        s.to_owned()
    }
}

/// Every diagnostic as a miette report, coloured as `style` says.
pub fn human(diags: &Diagnostics, sources: &SourceMap, style: Style) -> String {
    yardstick_compiler::diagnostics::render::human(diags, sources, style.color)
}

#[derive(Serialize)]
struct Location<'a> {
    file: &'a str,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
}

fn location<'a>(span: Span, sources: &'a SourceMap) -> Location<'a> {
    let start = sources.line_col(span.file, span.start);
    let end = sources.line_col(span.file, span.end);
    Location {
        file: sources.path(span.file),
        line: start.line,
        column: start.column,
        end_line: end.line,
        end_column: end.column,
    }
}

#[derive(Serialize)]
struct JsonLabel<'a> {
    #[serde(flatten)]
    at: Location<'a>,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: &'a str,
    severity: Severity,
    message: &'a str,
    #[serde(flatten)]
    at: Location<'a>,
    label: &'a str,
    help: Option<&'a str>,
    related: Vec<JsonLabel<'a>>,
}

fn json_diagnostic<'a>(d: &'a Diagnostic, sources: &'a SourceMap) -> JsonDiagnostic<'a> {
    JsonDiagnostic {
        code: d.code.id(),
        severity: d.severity,
        message: &d.message,
        at: location(d.primary.span, sources),
        label: &d.primary.message,
        help: d.help.as_deref(),
        related: d
            .secondary
            .iter()
            .map(|l| JsonLabel {
                at: location(l.span, sources),
                message: &l.message,
            })
            .collect(),
    }
}

/// `{"diagnostics": [...], "errors": n, "warnings": n}`.
pub fn json(diags: &Diagnostics, sources: &SourceMap) -> String {
    let value = serde_json::json!({
        "diagnostics": diags.iter().map(|d| json_diagnostic(d, sources)).collect::<Vec<_>>(),
        "errors": diags.error_count(),
        "warnings": diags.warning_count(),
    });
    serde_json::to_string_pretty(&value).unwrap_or_default()
}

/// GitHub Actions workflow commands: one `::error file=...` line each,
/// the file named from the repository's root (`paths`).
pub fn github(diags: &Diagnostics, sources: &SourceMap, paths: &RepoPaths) -> String {
    let mut out = String::new();
    for d in diags.iter() {
        let at = location(d.primary.span, sources);
        let file = paths.file(at.file);
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push('\n');
            message.push_str(help);
        }
        out.push_str(&format!(
            "::{level} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
            escape_property(&file),
            at.line,
            at.column,
            at.end_line,
            at.end_column,
            escape_property(d.code.id()),
            escape_data(&message)
        ));
    }
    out
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}
