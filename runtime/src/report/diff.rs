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

/// A change as a percentage of the base: `+20%`, `-3.5%`, `n/a` when the
/// base is 0 or a side has no value.
fn percent(p: Option<f64>) -> String {
    match p {
        Some(p) => format!(
            "{}{}%",
            if p > 0.0 { "+" } else { "" },
            super::number_for_people((p * 10.0).round() / 10.0)
        ),
        None => "n/a".to_owned(),
    }
}

/// One row of `--data`'s values: a metric overall or one group of it.
struct DeltaRow {
    metric: String,
    unit: String,
    as_of: String,
    group: String,
    before: String,
    after: String,
    change: String,
    percent: String,
}

/// Each value delta as rows: the whole first, then the largest moves.
fn delta_rows(deltas: &[ValueDelta]) -> Vec<DeltaRow> {
    let mut rows = Vec::new();
    for d in deltas {
        let row = |group: String, base, head, delta, pct| DeltaRow {
            metric: d.metric.clone(),
            unit: d.unit.clone(),
            as_of: d.as_of.clone().unwrap_or_else(|| "-".to_owned()),
            group,
            before: number(base),
            after: number(head),
            change: number(delta),
            percent: percent(pct),
        };
        rows.push(row("all".to_owned(), d.base, d.head, d.delta, d.percent));
        for m in &d.largest_moves {
            rows.push(row(
                format!("{} = {}", m.dimension, m.value),
                m.base,
                m.head,
                m.delta,
                m.percent,
            ));
        }
    }
    rows
}

pub fn human_deltas(deltas: &[ValueDelta]) -> String {
    delta_rows(deltas)
        .into_iter()
        .map(|r| {
            format!(
                "values of {} as of {} ({}), {}: {} -> {} (delta {}, {})\n",
                r.metric, r.as_of, r.unit, r.group, r.before, r.after, r.change, r.percent
            )
        })
        .collect()
}

pub fn markdown_deltas(deltas: &[ValueDelta]) -> String {
    if deltas.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "\n#### Values on the data\n\nBoth definitions on the same data, read at its newest date.\n\n\
         | metric | as of | unit | group | before | after | change | % |\n|---|---|---|---|---|---|---|---|\n",
    );
    for r in delta_rows(deltas) {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} | {} | {} |\n",
            r.metric, r.as_of, r.unit, r.group, r.before, r.after, r.change, r.percent
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
    for c in changes {
        let text = |side: &Compiled| {
            side.library
                .metrics
                .get(&c.metric)
                .map(|m| side.sources.text(m.decl_span).to_owned() + "\n")
                .unwrap_or_default()
        };
        let (before, after) = (text(base), text(head));
        if before == after {
            continue;
        }
        // Where the declaration starts in its file: (path, first line).
        let place = |side: &Compiled| {
            side.library.metrics.get(&c.metric).map(|m| {
                let at = side.sources.line_col(m.decl_span.file, m.decl_span.start);
                (
                    side.sources.path(m.decl_span.file).to_owned(),
                    at.line as usize,
                )
            })
        };
        let diff = unified_diff(&before, &after, place(base), place(head));
        let open = if c.kind == Kind::Breaking {
            " open"
        } else {
            ""
        };
        out.push_str(&format!(
            "\n<details{open}><summary><code>{}</code>: {}</summary>\n\n```diff\n{}```\n\n</details>\n",
            c.metric,
            c.kind.name(),
            fence_safe(&diff)
        ));
    }
    out
}

/// A unified diff of one declaration, its hunks numbered by the lines of
/// the files the two sides live in (`(path, first line)`; none: added or
/// removed).
fn unified_diff(
    before: &str,
    after: &str,
    old: Option<(String, usize)>,
    new: Option<(String, usize)>,
) -> String {
    let name = |side: &Option<(String, usize)>, prefix: &str| {
        side.as_ref()
            .map_or("/dev/null".to_owned(), |(p, _)| format!("{prefix}/{p}"))
    };
    let offset = |side: &Option<(String, usize)>| side.as_ref().map_or(0, |(_, l)| l - 1);
    let (old_offset, new_offset) = (offset(&old), offset(&new));
    let diff = similar::TextDiff::from_lines(before, after);
    let mut out = format!("--- {}\n+++ {}\n", name(&old, "a"), name(&new, "b"));
    for group in diff.grouped_ops(3) {
        let (Some(first), Some(last)) = (group.first(), group.last()) else {
            continue;
        };
        let (old_lines, new_lines) = (
            first.old_range().start..last.old_range().end,
            first.new_range().start..last.new_range().end,
        );
        // A side with no lines is numbered by the line before it.
        let start = |range: &std::ops::Range<usize>, offset: usize| {
            offset + range.start + usize::from(!range.is_empty())
        };
        out.push_str(&format!(
            "@@ -{},{} +{},{} @@\n",
            start(&old_lines, old_offset),
            old_lines.len(),
            start(&new_lines, new_offset),
            new_lines.len()
        ));
        for op in &group {
            for change in diff.iter_changes(op) {
                let sign = match change.tag() {
                    similar::ChangeTag::Delete => '-',
                    similar::ChangeTag::Insert => '+',
                    similar::ChangeTag::Equal => ' ',
                };
                out.push(sign);
                out.push_str(change.value().trim_end_matches('\n'));
                out.push('\n');
            }
        }
    }
    out
}

/// Text that cannot close the code fence it is shown in.
fn fence_safe(text: &str) -> String {
    text.replace("```", "`\u{200b}``")
}

pub fn github(changes: &[Change], head: &Compiled, paths: &super::RepoPaths) -> String {
    let mut out = String::new();
    for c in changes.iter().filter(|c| c.error) {
        let (file, line) = head
            .library
            .metrics
            .get(&c.metric)
            .map(|m| {
                let at = head.sources.line_col(m.span.file, m.span.start);
                (paths.file(head.sources.path(m.span.file)), at.line)
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
