//! SARIF 2.1.0 logs, for code-scanning tools: `check --format sarif` (every
//! diagnostic) and `diff --format sarif` (every metric change; the ones
//! that break a rule as errors).

use super::RepoPaths;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use yardstick_compiler::diagnostics::{Code, Diagnostics, Severity};
use yardstick_compiler::drift::diff::{Change, Kind};
use yardstick_compiler::span::{SourceMap, Span};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// A span, its file named from the repository root (`paths`) as a
/// relative URI reference, which code scanning resolves against the
/// checkout.
fn location(span: Span, sources: &SourceMap, paths: &RepoPaths) -> Value {
    let start = sources.line_col(span.file, span.start);
    let end = sources.line_col(span.file, span.end);
    json!({
        "physicalLocation": {
            "artifactLocation": { "uri": uri_reference(&paths.file(sources.path(span.file))) },
            "region": {
                "startLine": start.line,
                "startColumn": start.column,
                "endLine": end.line,
                "endColumn": end.column,
            }
        }
    })
}

/// A relative path as a URI reference: `%`, spaces and other characters
/// outside a URI's path are percent-encoded.
fn uri_reference(path: &str) -> String {
    let mut out = String::new();
    for byte in path.bytes() {
        let keep = byte.is_ascii_alphanumeric() || b"/-._~!$&'()*+,;=:@".contains(&byte);
        if keep {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Where each rule is explained: the page of this repository's docs, as
/// text (the tool has no public address to link to; see docs/ci.md).
fn help(page: &str, anchor: &str) -> Value {
    json!({
        "text": format!("See {page} in the Yardstick repository, under `{anchor}`."),
        "markdown": format!("See [`{page}`]({page}) in the Yardstick repository, under `{anchor}`."),
    })
}

fn log(rules: Vec<Value>, results: Vec<Value>) -> String {
    let value = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "yardstick",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }
            },
            "results": results,
        }]
    });
    serde_json::to_string_pretty(&value).unwrap_or_default() + "\n"
}

/// Every diagnostic as a result; each code used as a rule.
pub fn check(diags: &Diagnostics, sources: &SourceMap, paths: &RepoPaths) -> String {
    let mut rules: BTreeMap<&str, Code> = BTreeMap::new();
    let results = diags
        .iter()
        .map(|d| {
            rules.insert(d.code.id(), d.code);
            let mut text = d.message.clone();
            if let Some(help) = &d.help {
                text.push_str(". ");
                text.push_str(help);
            }
            json!({
                "ruleId": d.code.id(),
                "level": match d.severity { Severity::Error => "error", Severity::Warning => "warning" },
                "message": { "text": text },
                "locations": [location(d.primary.span, sources, paths)],
                "relatedLocations": d.secondary.iter().enumerate().map(|(i, l)| {
                    let mut loc = location(l.span, sources, paths);
                    loc["id"] = json!(i);
                    loc["message"] = json!({ "text": l.message });
                    loc
                }).collect::<Vec<_>>(),
            })
        })
        .collect();
    let rules = rules
        .values()
        .map(|c| {
            json!({
                "id": c.id(),
                "shortDescription": { "text": c.summary() },
                "help": help("docs/diagnostics.md", c.id()),
            })
        })
        .collect();
    log(rules, results)
}

/// Every metric change as a result: an error where it breaks a rule, a
/// note otherwise.
pub fn diff(
    changes: &[Change],
    head_spans: &BTreeMap<String, Span>,
    sources: &SourceMap,
    paths: &RepoPaths,
) -> String {
    let rule = |k: Kind| format!("yardstick::diff::{}", k.name());
    let results = changes
        .iter()
        .map(|c| {
            let mut what = format!(
                "`{}`: {}",
                c.metric,
                rule(c.kind).trim_start_matches("yardstick::diff::")
            );
            if !c.parts.is_empty() {
                what.push_str(&format!(" ({})", c.parts.join(", ")));
            }
            if !c.via.is_empty() {
                what.push_str(&format!(" via {}", c.via.join(", ")));
            }
            if let Some(reason) = &c.reason {
                what.push_str(&format!("; {reason}"));
            }
            let mut result = json!({
                "ruleId": rule(c.kind),
                "level": if c.error { "error" } else { "note" },
                "message": { "text": what },
            });
            if let Some(span) = head_spans.get(&c.metric) {
                result["locations"] = json!([location(*span, sources, paths)]);
            }
            result
        })
        .collect();
    let rules = Kind::ALL
        .into_iter()
        .map(|k| {
            json!({
                "id": rule(k),
                "shortDescription": { "text": format!("a metric change: {}", k.name()) },
                "help": help("docs/drift.md", k.name()),
            })
        })
        .collect();
    log(rules, results)
}
