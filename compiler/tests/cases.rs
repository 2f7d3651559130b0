//! The compiler's case suite: one folder of `.yard` cases
//! (`tests/check/{ok,err}`), several passes per case, each snapshot showing
//! the input and every pass's output together. A case is a `.yard` file, or
//! a folder of them (with a `yardstick.lock` when it tests drift).
//!
//! Passes: `check` (the rendered diagnostics), `ir` (each metric's typed
//! definition, for cases that check clean), and one `query` pass per
//! `// query: METRIC... [--by ...]` line in the case (the rendered
//! diagnostics, or the checked request). The lowered plans of the same
//! queries are snapshot by `compiler/lower/tests/cases.rs`.
//!
//! `ok` cases have no diagnostic in any pass; `err` cases at least one. This
//! suite builds without DataFusion.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)] // a test: failing loudly is the point

use yardstick_compiler::diagnostics::render::{human, summary};
use yardstick_compiler::diagnostics::Code;
use yardstick_compiler::drift::canonical::canonical;
use yardstick_compiler::model::{Definition, Library};
use yardstick_compiler::query::{self, Request};
use yardstick_compiler::span::SourceFile;
use yardstick_compiler::Compiled;

#[path = "../../tests/support/case_files.rs"]
mod case_files;

use case_files::{cases, cases_root, queries, yard_files, Case};

/// Each metric's typed definition, one block per metric.
fn ir(library: &Library) -> String {
    let mut out = String::new();
    for m in library.metrics.values() {
        out.push_str(&format!("metric {}: {} {}\n", m.name, m.value_type, m.unit));
        if let Some(base) = &m.variant_of {
            out.push_str(&format!("  variant of {base}\n"));
        }
        match &m.definition {
            Definition::Base(b) => {
                out.push_str(&format!(
                    "  from {} time {} lookback {}{}{}{}\n",
                    b.source,
                    b.time.as_deref().unwrap_or("-"),
                    b.lookback.map(|l| l.to_string()).unwrap_or("-".into()),
                    if b.fill_zero { " fill 0" } else { "" },
                    b.snapshot
                        .as_ref()
                        .map(|s| format!(" snapshot {}", s.text()))
                        .unwrap_or_default(),
                    b.per
                        .as_ref()
                        .map(|p| format!(" per {p}"))
                        .unwrap_or_default()
                ));
                for w in &b.own_filters {
                    out.push_str(&format!("  where {}\n", canonical(w)));
                }
                for e in &b.own_excludes {
                    out.push_str(&format!("  exclude {}\n", canonical(e)));
                }
                out.push_str(&format!(
                    "  formula {} : {}{}\n",
                    canonical(&b.formula),
                    b.formula.ty,
                    if b.formula.nullable { "?" } else { "" }
                ));
            }
            Definition::Derived(d) => {
                let inputs: Vec<&str> = d.inputs.iter().map(|i| i.as_str()).collect();
                out.push_str(&format!(
                    "  derived from {}\n  formula {} : {}\n",
                    inputs.join(", "),
                    canonical(&d.formula),
                    d.formula.ty
                ));
            }
        }
    }
    out
}

fn request(library: &Library, r: &Request) -> String {
    let metrics: Vec<&str> = r.metrics.iter().map(|m| m.as_str()).collect();
    let by: Vec<String> = r.by.iter().map(|d| d.column.path()).collect();
    let mut out = format!("metrics {}\n", metrics.join(", "));
    if !by.is_empty() {
        out.push_str(&format!("by {}\n", by.join(", ")));
    }
    if let Some(g) = r.grain {
        out.push_str(&format!("grain {}\n", g.name()));
    }
    for (word, date) in [("from", r.from), ("to", r.to), ("as of", r.as_of)] {
        if let Some(d) = date {
            out.push_str(&format!("{word} {d}\n"));
        }
    }
    if let Some(w) = &r.filter {
        out.push_str(&format!("where {}\n", canonical(w)));
    }
    let sources: Vec<String> = r.sources_read(library).into_iter().collect();
    out.push_str(&format!("reads {}\n", sources.join(", ")));
    out
}

/// Every pass of a case, rendered; and all its diagnostics.
fn run(case: &Case) -> (String, Compiled, Vec<Code>) {
    let compiled = yardstick_compiler::compile_with_lock(case.files.clone(), case.lock.clone());
    let mut sources = compiled.sources.clone();
    let mut out = String::new();
    for f in case.files.iter().chain(case.lock.as_ref()) {
        out.push_str(&format!("=== {}\n{}\n", f.path, f.text.trim_end()));
    }
    out.push_str("=== diagnostics\n");
    out.push_str(&human(&compiled.diagnostics, &sources, false));
    out.push_str(&summary(&compiled.diagnostics, case.files.len()));
    out.push('\n');
    let mut codes: Vec<Code> = compiled.diagnostics.iter().map(|d| d.code).collect();
    if compiled.diagnostics.has_errors() {
        return (out, compiled, codes);
    }
    out.push_str("=== ir\n");
    out.push_str(&ir(&compiled.library));
    for (text, args, mut diags) in queries(case, &mut sources) {
        out.push_str(&format!("=== query {text}\n"));
        let (checked, found) = query::check(&compiled.library, &args);
        diags.extend(found);
        codes.extend(diags.iter().map(|d| d.code));
        match checked.filter(|_| diags.is_empty()) {
            Some(r) => out.push_str(&request(&compiled.library, &r)),
            None => out.push_str(&human(&diags, &sources, false)),
        }
    }
    assert_spans_valid(&compiled, &case.name);
    (out, compiled, codes)
}

fn snapshot(kind: &str, name: &str, content: &str) {
    insta::with_settings!({
        snapshot_path => cases_root().join("snapshots"),
        prepend_module_to_snapshot => false,
        omit_expression => true,
    }, {
        insta::assert_snapshot!(format!("{kind}__{name}"), content);
    });
}

/// Spans must lie inside their file, on character boundaries.
fn assert_spans_valid(compiled: &Compiled, case: &str) {
    for d in compiled.diagnostics.iter() {
        for label in std::iter::once(&d.primary).chain(&d.secondary) {
            let file = compiled
                .sources
                .file(label.span.file)
                .unwrap_or_else(|| panic!("{case}: span in an unknown file"));
            assert!(
                file.text.get(label.span.range()).is_some(),
                "{case}: span {:?} of {} is outside {}",
                label.span,
                d.code,
                file.path
            );
        }
    }
}

#[test]
fn ok_cases_are_clean_in_every_pass() {
    let cases = cases("ok");
    assert!(!cases.is_empty());
    for case in cases {
        let (out, _, codes) = run(&case);
        assert!(
            codes.is_empty(),
            "ok case {} has diagnostics:\n{out}",
            case.name
        );
        snapshot("ok", &case.name, &out);
    }
}

#[test]
fn err_cases_report_errors() {
    let cases = cases("err");
    assert!(!cases.is_empty());
    for case in cases {
        let (out, _, codes) = run(&case);
        assert!(
            !codes.is_empty(),
            "err case {} produced no diagnostic",
            case.name
        );
        snapshot("err", &case.name, &out);
    }
}

/// Every code has an err case that triggers it and a section in
/// docs/diagnostics.md.
#[test]
fn every_code_is_tested_and_documented() {
    let mut seen = std::collections::BTreeSet::new();
    for case in cases("err") {
        seen.extend(run(&case).2);
    }
    let docs = std::fs::read_to_string(cases_root().join("../../docs/diagnostics.md"))
        .expect("docs/diagnostics.md");
    for code in Code::ALL {
        // Those the runtime raises have their cases in tests/check/runtime.
        if !Code::RAISED_BY_RUNTIME.contains(code) {
            assert!(seen.contains(code), "no err case triggers {code}");
        }
        assert!(
            docs.contains(&format!("## `{}`", code.id())),
            "docs/diagnostics.md has no section for {code}"
        );
    }
}

/// The reference library checks clean, so its examples stay true.
#[test]
fn the_reference_library_checks_clean() {
    let root = cases_root().join("../../specs/cx");
    let mut files = Vec::new();
    yard_files(&root, &root, &mut files);
    let lock = std::fs::read_to_string(root.join("yardstick.lock"))
        .ok()
        .map(|text| SourceFile {
            path: "yardstick.lock".to_owned(),
            text,
        });
    let compiled = yardstick_compiler::compile_with_lock(files, lock);
    assert!(
        compiled.diagnostics.is_empty(),
        "{}",
        human(&compiled.diagnostics, &compiled.sources, false)
    );
}
