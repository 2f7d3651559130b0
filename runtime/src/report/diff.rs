//! `diff`'s renderings: JSON (CLI.md's shape), the human listing and its
//! rule-broken diagnostics, a markdown comment for a pull request, GitHub
//! annotations, and the value deltas of `--data` in each (SARIF is in
//! `sarif.rs`, beside `check`'s).

use crate::commands::diff_data::ValueDelta;
use yardstick_compiler::drift::diff::{Change, Kind};
use yardstick_compiler::Compiled;

pub fn rule_broken(
    c: &Change,
    span: yardstick_compiler::span::Span,
) -> yardstick_compiler::diagnostics::Diagnostic {
    use yardstick_compiler::diagnostics::{Code, Diagnostic};
    let code = match c.kind {
        Kind::Removed => Code::DriftRemoved,
        _ if c.base_version > c.version => Code::DriftVersionDown,
        _ => Code::Drift,
    };
    let mut d =
        Diagnostic::error(code, span, c.reason.clone().unwrap_or_default()).label(c.kind.name());
    use yardstick_compiler::drift::rules;
    let version = c.version.unwrap_or_default();
    d = match (c.kind, c.base_version) {
        (Kind::Removed, _) => d.help(rules::removed_help(&c.metric)),
        (_, Some(was)) if Some(was) > c.version => d.help(rules::version_down_help(was)),
        _ if !c.via.is_empty() => d.help(format!(
            "it reads {}, whose meaning changed: {}",
            c.via.join(", "),
            rules::meaning_changed_help(version)
        )),
        _ => d.help(rules::meaning_changed_help(version)),
    };
    d
}

pub fn json(changes: &[Change], deltas: &[ValueDelta], with_data: bool) -> String {
    #[derive(serde::Serialize)]
    struct Report<'a> {
        changes: &'a [Change],
        #[serde(skip_serializing_if = "Option::is_none")]
        values: Option<&'a [ValueDelta]>,
    }
    let report = Report {
        changes,
        values: with_data.then_some(deltas),
    };
    serde_json::to_string_pretty(&report).unwrap_or_default() + "\n"
}

fn number(v: Option<f64>) -> String {
    v.map(super::number_for_people)
        .unwrap_or_else(|| "null".to_owned())
}

/// Each value delta as `(metric, group, before, after, change)` rows: the
/// whole first, then the largest moves.
fn delta_rows(deltas: &[ValueDelta]) -> Vec<[String; 5]> {
    let mut rows = Vec::new();
    for d in deltas {
        rows.push([
            d.metric.clone(),
            "all".to_owned(),
            number(d.base),
            number(d.head),
            number(d.delta),
        ]);
        for m in &d.largest_moves {
            rows.push([
                d.metric.clone(),
                format!("{} = {}", m.dimension, m.value),
                number(m.base),
                number(m.head),
                number(m.delta),
            ]);
        }
    }
    rows
}

pub fn human_deltas(deltas: &[ValueDelta]) -> String {
    delta_rows(deltas)
        .into_iter()
        .map(|[metric, group, before, after, change]| {
            format!("values of {metric}, {group}: {before} -> {after} (delta {change})\n")
        })
        .collect()
}

pub fn markdown_deltas(deltas: &[ValueDelta]) -> String {
    if deltas.is_empty() {
        return String::new();
    }
    let mut out = String::from("\n#### Values on the data\n\n| metric | group | before | after | change |\n|---|---|---|---|---|\n");
    for [metric, group, before, after, change] in delta_rows(deltas) {
        out.push_str(&format!(
            "| `{metric}` | {group} | {before} | {after} | {change} |\n"
        ));
    }
    out
}

fn version(c: &Change) -> String {
    match (c.base_version, c.version) {
        (Some(b), Some(h)) => format!("v{b} -> v{h}"),
        (None, Some(h)) => format!("new v{h}"),
        (Some(b), None) => format!("v{b} removed"),
        (None, None) => String::new(),
    }
}

fn detail(c: &Change) -> String {
    let mut parts = Vec::new();
    if !c.parts.is_empty() {
        parts.push(c.parts.join(", "));
    }
    if !c.via.is_empty() {
        parts.push(format!("via {}", c.via.join(", ")));
    }
    if !c.approvers.is_empty() {
        parts.push(format!("approvers: {}", c.approvers.join(", ")));
    }
    parts.join("; ")
}

pub fn human(changes: &[Change]) -> String {
    if changes.is_empty() {
        return "no metric changed\n".to_owned();
    }
    let mut out = String::new();
    for c in changes {
        out.push_str(&format!(
            "{:<20} {:<28} {:<16} {}\n",
            c.kind.name(),
            c.metric,
            version(c),
            detail(c)
        ));
        if let Some(reason) = &c.reason {
            out.push_str(&format!("  error: {reason}\n"));
        }
    }
    let errors = changes.iter().filter(|c| c.error).count();
    out.push_str(&format!(
        "{} changed, {errors} breaking a rule\n",
        changes.len()
    ));
    out
}

pub fn markdown(changes: &[Change], base: &Compiled, head: &Compiled, base_name: &str) -> String {
    let mut out = format!("### Yardstick: metric changes against `{base_name}`\n\n");
    if changes.is_empty() {
        out.push_str("No metric changed.\n");
        return out;
    }
    out.push_str(
        "| metric | change | what moved | version | approvers | |\n|---|---|---|---|---|---|\n",
    );
    for c in changes {
        let moved = if c.via.is_empty() {
            c.parts.join(", ")
        } else {
            format!("via {}", c.via.join(", "))
        };
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} |\n",
            c.metric,
            c.kind.name(),
            moved,
            version(c),
            c.approvers.join(", "),
            if c.error {
                "❌ needs a version bump or a revert"
            } else {
                ""
            }
        ));
    }
    for c in changes.iter().filter(|c| c.kind == Kind::Breaking) {
        let text = |side: &Compiled| {
            side.library
                .metrics
                .get(&c.metric)
                .map(|m| side.sources.text(m.decl_span).to_owned())
                .unwrap_or_default()
        };
        out.push_str(&format!(
            "\n<details><summary><code>{}</code>: before and after</summary>\n\n```\n{}\n```\n\n```\n{}\n```\n\n</details>\n",
            c.metric,
            text(base),
            text(head)
        ));
    }
    out
}

pub fn github(changes: &[Change], head: &Compiled) -> String {
    let mut out = String::new();
    for c in changes.iter().filter(|c| c.error) {
        let (file, line) = head
            .library
            .metrics
            .get(&c.metric)
            .map(|m| {
                let at = head.sources.line_col(m.span.file, m.span.start);
                (head.sources.path(m.span.file).to_owned(), at.line)
            })
            .unwrap_or_default();
        out.push_str(&format!(
            "::error file={file},line={line},title=yardstick%3A%3Adrift::`{}` ({}) {}\n",
            c.metric,
            c.kind.name(),
            c.reason.clone().unwrap_or_default()
        ));
    }
    out
}
