//! `yardstick diff --base REF_OR_DIR`: every metric change between a base
//! library (a directory, or a git revision of this one, read through git
//! without touching the work tree) and this one.

use super::diff_data::ValueDelta;
use crate::cli::{DiffArgs, DiffFormat};
use crate::project::{Project, PROJECT_FILE};
use crate::report::{self, Style};
use crate::{library_files, Fatal, Outcome};
use std::path::Path;
use std::process::Command;
use yardstick_compiler::drift::diff::{diff, Change, Kind, Side};
use yardstick_compiler::span::SourceFile;
use yardstick_compiler::Compiled;

pub fn run(args: &DiffArgs, style: Style) -> Result<Outcome, Fatal> {
    let spec = &args.spec.spec;
    // The base decides where sources may read: a pull request cannot widen
    // its own `data_roots`.
    let (base_files, project) = if Path::new(&args.base).is_dir() {
        let base_dir = Path::new(&args.base);
        let toml = base_dir.join(PROJECT_FILE);
        let text = std::fs::read_to_string(&toml).ok();
        let project =
            Project::from_text(spec, base_dir, text.as_deref(), &toml.display().to_string())?;
        (library_files::read(base_dir)?, project)
    } else {
        let files = from_git(spec, &args.base)?;
        let text = git_file(spec, &args.base, PROJECT_FILE);
        let shown = format!("{}:{PROJECT_FILE}", args.base);
        (
            files,
            Project::from_text(spec, spec, text.as_deref(), &shown)?,
        )
    };
    let Some(head) = super::compile_within(spec, &project, false, style)? else {
        return Ok(Outcome::Failed);
    };
    let base = yardstick_compiler::compile(base_files);
    if base.diagnostics.has_errors() {
        return Err(Fatal(format!(
            "the base library `{}` does not check ({} errors); compare against one that does",
            args.base,
            base.diagnostics.error_count()
        )));
    }
    let changes = diff(&side(&base), &side(&head));
    let deltas = if args.data {
        super::diff_data::deltas(spec, &project, &base.library, &head.library, &changes)?
    } else {
        Vec::new()
    };
    let text = match args.format {
        DiffFormat::Json => json(&changes, &deltas, args.data),
        DiffFormat::Human => {
            // Rules broken are also reported as diagnostics at the metric's
            // declaration: in the head, or for a removal in the base.
            let mut in_head = yardstick_compiler::diagnostics::Diagnostics::new();
            let mut in_base = yardstick_compiler::diagnostics::Diagnostics::new();
            for c in changes.iter().filter(|c| c.error) {
                if let Some(m) = head.library.metrics.get(&c.metric) {
                    in_head.push(rule_broken(c, m.span));
                } else if let Some(m) = base.library.metrics.get(&c.metric) {
                    in_base.push(rule_broken(c, m.span));
                }
            }
            crate::stdio::eprint(&report::human(&in_head, &head.sources, style));
            crate::stdio::eprint(&report::human(&in_base, &base.sources, style));
            human(&changes) + &human_deltas(&deltas)
        }
        DiffFormat::Markdown => {
            markdown(&changes, &base, &head, &args.base) + &markdown_deltas(&deltas)
        }
        DiffFormat::Github => github(&changes, &head),
        DiffFormat::Sarif => {
            let spans = head
                .library
                .metrics
                .values()
                .map(|m| (m.name.clone(), m.span))
                .collect();
            report::sarif::diff(&changes, &spans, &head.sources)
        }
    };
    crate::stdio::print(&text)?;
    Ok(if changes.iter().any(|c| c.error) {
        Outcome::Failed
    } else {
        Outcome::Ok
    })
}

fn rule_broken(
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

fn side(c: &Compiled) -> Side<'_> {
    Side {
        library: &c.library,
        sources: &c.sources,
    }
}

/// The text of one file of `spec` at git revision `rev`, if it has it.
fn git_file(spec: &Path, rev: &str, path: &str) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(spec)
        .args(["show", &format!("{rev}:./{path}")])
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8(out.stdout).ok())
        .flatten()
}

/// The `.yard` files of `spec` at git revision `rev`.
fn from_git(spec: &Path, rev: &str) -> Result<Vec<SourceFile>, Fatal> {
    let git = |args: &[&str]| -> Result<Vec<u8>, Fatal> {
        let out = Command::new("git")
            .arg("-C")
            .arg(spec)
            .args(args)
            .output()
            .map_err(|e| Fatal(format!("cannot run git: {e}")))?;
        if !out.status.success() {
            return Err(Fatal(format!(
                "`--base {rev}` is neither a directory nor a git revision of `{}`: {}",
                spec.display(),
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        Ok(out.stdout)
    };
    let listing = git(&["ls-tree", "-r", "--name-only", rev, "--", "."])?;
    let mut files = Vec::new();
    for path in String::from_utf8_lossy(&listing).lines() {
        if !path.ends_with(".yard") {
            continue;
        }
        let bytes = git(&["show", &format!("{rev}:./{path}")])?;
        let text = String::from_utf8(bytes)
            .map_err(|_| Fatal(format!("`{path}` at `{rev}` is not UTF-8 text")))?;
        files.push(SourceFile {
            path: path.to_owned(),
            text,
        });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

fn json(changes: &[Change], deltas: &[ValueDelta], with_data: bool) -> String {
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
    v.map(|v| {
        format!("{v:.4}")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_owned()
    })
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

fn human_deltas(deltas: &[ValueDelta]) -> String {
    delta_rows(deltas)
        .into_iter()
        .map(|[metric, group, before, after, change]| {
            format!("values of {metric}, {group}: {before} -> {after} (delta {change})\n")
        })
        .collect()
}

fn markdown_deltas(deltas: &[ValueDelta]) -> String {
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

fn human(changes: &[Change]) -> String {
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

fn markdown(changes: &[Change], base: &Compiled, head: &Compiled, base_name: &str) -> String {
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

fn github(changes: &[Change], head: &Compiled) -> String {
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
