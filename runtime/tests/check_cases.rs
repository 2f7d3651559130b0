//! The cases of the codes the runtime raises (`Code::RAISED_BY_RUNTIME`:
//! finding them takes the file system), under `tests/check/runtime/`: each
//! is checked as `yardstick check` does, with its folder as the library
//! directory, and must report errors; its snapshot shows input and output
//! together, beside the compiler's case suite (`compiler/tests/cases.rs`).
//! A case that checks clean is also checked against its data, as
//! `check --data --as-of 2026-01-05` does.

#![allow(clippy::panic, clippy::unwrap_used)] // a test or tool: failing loudly is the point

use std::path::{Path, PathBuf};
use yardstick::report::{self, Style};
use yardstick_compiler::diagnostics::Code;
use yardstick_compiler::span::SourceFile;

fn cases_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/check")
}

/// Checks the case as `yardstick check` does; the rendered report and the
/// codes found.
fn run(path: &Path) -> (String, Vec<Code>) {
    let spec = path.parent().expect("case folder");
    let text = std::fs::read_to_string(path).expect("case file");
    let file = path
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    let files = vec![SourceFile {
        path: file.clone(),
        text: text.clone(),
    }];
    let mut compiled = yardstick_compiler::compile_with_lock(files, None);
    let project = yardstick::project::Project::load(spec).expect("project");
    yardstick::commands::check_sources(&project, spec, &mut compiled);
    if !compiled.diagnostics.has_errors() {
        // As `check --data --as-of 2026-01-05` (`data::*` codes).
        let as_of = chrono::NaiveDate::from_ymd_opt(2026, 1, 5);
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let found = runtime
            .block_on(yardstick::governance::data_check::findings(
                spec,
                &compiled.library,
                as_of,
                &yardstick::engine::Engine::Embedded,
            ))
            .unwrap();
        compiled.diagnostics.extend(found);
        compiled.diagnostics.sort(&compiled.sources);
    }
    let out = format!(
        "=== {file}\n{}\n=== diagnostics\n{}{}\n",
        text.trim_end(),
        report::human(
            &compiled.diagnostics,
            &compiled.sources,
            Style { color: false }
        ),
        report::summary(&compiled.diagnostics, 1)
    );
    (out, compiled.diagnostics.iter().map(|d| d.code).collect())
}

#[test]
fn runtime_cases_report_their_codes() {
    let dir = cases_root().join("runtime");
    let mut seen = std::collections::BTreeSet::new();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/check/runtime")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yard"))
        .collect();
    paths.sort();
    for path in paths {
        let name = path
            .file_stem()
            .expect("stem")
            .to_string_lossy()
            .into_owned();
        let (out, codes) = run(&path);
        assert!(
            !codes.is_empty(),
            "runtime case {name} produced no diagnostic"
        );
        seen.extend(codes);
        insta::with_settings!({
            snapshot_path => cases_root().join("snapshots"),
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_snapshot!(format!("runtime__{name}"), out);
        });
    }
    for code in Code::RAISED_BY_RUNTIME {
        assert!(seen.contains(code), "no runtime case triggers {code}");
    }
}
