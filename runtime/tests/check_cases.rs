//! The data-driven check suite: every case under `tests/check/ok` must
//! compile with no diagnostics, every case under `tests/check/err` must
//! produce at least one error. Each case's snapshot shows its input and the
//! rendered diagnostics together. A case is a `.yard` file, or a folder of
//! them for problems that span files. Cases are checked as `yardstick check`
//! does, so the runtime's own checks (a source's path against the project's
//! roots, `yardstick::source::outside_roots`) have err cases too.

#![allow(clippy::panic, clippy::unwrap_used)] // a test or tool: failing loudly is the point

use std::path::{Path, PathBuf};
use yardstick::report::{self, Style};
use yardstick_compiler::diagnostics::Code;
use yardstick_compiler::span::SourceFile;

fn cases_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/check")
}

/// A case: its name, its `.yard` files, its `yardstick.lock` if any, and
/// the library directory its sources' paths are relative to.
type Case = (String, Vec<SourceFile>, Option<SourceFile>, PathBuf);

/// Each case under `dir`.
fn cases(dir: &str) -> Vec<Case> {
    let root = cases_root().join(dir);
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", root.display()))
        .map(|e| e.expect("dir entry").path())
        .collect();
    entries.sort();
    entries
        .into_iter()
        .filter_map(|path| {
            let name = path.file_stem()?.to_string_lossy().into_owned();
            if path.is_dir() {
                let files = yardstick::library_files::read(&path).expect("case folder");
                let lock = yardstick::library_files::read_lock(&path).expect("lock");
                Some((name, files, lock, path.clone()))
            } else if path.extension()? == "yard" {
                let text = std::fs::read_to_string(&path).expect("case file");
                let file = path.file_name()?.to_string_lossy().into_owned();
                Some((
                    name,
                    vec![SourceFile { path: file, text }],
                    None,
                    root.clone(),
                ))
            } else {
                None
            }
        })
        .collect()
}

/// Compiles as `yardstick check` does, with the runtime's checks.
fn compile(
    files: Vec<SourceFile>,
    lock: Option<SourceFile>,
    spec: &Path,
) -> yardstick_compiler::Compiled {
    let mut compiled = yardstick_compiler::compile_with_lock(files, lock);
    let project = yardstick::project::Project::load(spec).expect("project");
    yardstick::commands::check_sources(&project, spec, &mut compiled);
    compiled
}

/// Input and output side by side, as the snapshot stores them.
fn render(
    files: &[SourceFile],
    lock: Option<SourceFile>,
    spec: &Path,
) -> (String, yardstick_compiler::Compiled) {
    let compiled = compile(files.to_vec(), lock.clone(), spec);
    let mut out = String::new();
    for f in files.iter().chain(lock.as_ref()) {
        out.push_str(&format!("=== {}\n{}\n", f.path, f.text.trim_end()));
    }
    out.push_str("=== diagnostics\n");
    out.push_str(&report::human(
        &compiled.diagnostics,
        &compiled.sources,
        Style { color: false },
    ));
    out.push_str(&report::summary(&compiled.diagnostics, files.len()));
    out.push('\n');
    (out, compiled)
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
fn assert_spans_valid(compiled: &yardstick_compiler::Compiled, case: &str) {
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
fn ok_cases_are_clean() {
    let cases = cases("ok");
    assert!(!cases.is_empty());
    for (name, files, lock, spec) in cases {
        let (out, compiled) = render(&files, lock, &spec);
        assert!(
            compiled.diagnostics.is_empty(),
            "ok case {name} has diagnostics:\n{out}"
        );
        snapshot("ok", &name, &out);
    }
}

#[test]
fn err_cases_report_errors() {
    let cases = cases("err");
    assert!(!cases.is_empty());
    for (name, files, lock, spec) in cases {
        let (out, compiled) = render(&files, lock, &spec);
        assert!(
            !compiled.diagnostics.is_empty(),
            "err case {name} produced no diagnostic"
        );
        assert_spans_valid(&compiled, &name);
        snapshot("err", &name, &out);
    }
}

/// Every code has an err case that triggers it and a section in
/// docs/diagnostics.md.
#[test]
fn every_code_is_tested_and_documented() {
    let mut seen = std::collections::BTreeSet::new();
    for (_, files, lock, spec) in cases("err") {
        let compiled = compile(files, lock, &spec);
        seen.extend(compiled.diagnostics.iter().map(|d| d.code));
    }
    let docs = std::fs::read_to_string(cases_root().join("../../docs/diagnostics.md"))
        .expect("docs/diagnostics.md");
    for code in Code::ALL {
        assert!(seen.contains(code), "no err case triggers {code}");
        assert!(
            docs.contains(&format!("## `{}`", code.id())),
            "docs/diagnostics.md has no section for {code}"
        );
    }
}
