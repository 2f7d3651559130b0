//! Reading the case folder `tests/check/{ok,err}` for the test suites of
//! the compiler (`compiler/tests/cases.rs`) and of lowering
//! (`compiler/lower/tests/cases.rs`): each case's files, its lock, and the
//! queries on its `// query:` lines.

#![allow(dead_code)] // each suite uses its own part

use std::path::{Path, PathBuf};
use yardstick_compiler::diagnostics::Diagnostics;
use yardstick_compiler::query::{split_words, QueryArgs};
use yardstick_compiler::span::{FileId, SourceFile, SourceMap};

/// `tests/check` of the workspace, found from the crate running the test.
pub fn cases_root() -> PathBuf {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    crate_dir
        .ancestors()
        .map(|a| a.join("tests/check"))
        .find(|p| p.is_dir())
        .unwrap_or_else(|| panic!("no tests/check above {}", crate_dir.display()))
}

/// A case: its name, its `.yard` files, and its `yardstick.lock` if any.
pub struct Case {
    pub name: String,
    pub files: Vec<SourceFile>,
    pub lock: Option<SourceFile>,
}

fn read_dir_sorted(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .collect();
    entries.sort();
    entries
}

pub fn yard_files(dir: &Path, root: &Path, out: &mut Vec<SourceFile>) {
    for path in read_dir_sorted(dir) {
        if path.is_dir() {
            yard_files(&path, root, out);
        } else if path.extension().is_some_and(|e| e == "yard") {
            out.push(SourceFile {
                path: path
                    .strip_prefix(root)
                    .unwrap_or(&path)
                    .to_string_lossy()
                    .into_owned(),
                text: std::fs::read_to_string(&path).expect("case file"),
            });
        }
    }
}

pub fn cases(dir: &str) -> Vec<Case> {
    read_dir_sorted(&cases_root().join(dir))
        .into_iter()
        .filter_map(|path| {
            let name = path.file_stem()?.to_string_lossy().into_owned();
            if path.is_dir() {
                let mut files = Vec::new();
                yard_files(&path, &path, &mut files);
                let lock = std::fs::read_to_string(path.join("yardstick.lock"))
                    .ok()
                    .map(|text| SourceFile {
                        path: "yardstick.lock".to_owned(),
                        text,
                    });
                Some(Case { name, files, lock })
            } else if path.extension()? == "yard" {
                let text = std::fs::read_to_string(&path).expect("case file");
                let file = path.file_name()?.to_string_lossy().into_owned();
                Some(Case {
                    name,
                    files: vec![SourceFile { path: file, text }],
                    lock: None,
                })
            } else {
                None
            }
        })
        .collect()
}

/// The `// query:` lines of a case: the query's words with spans in a file
/// of their own, appended to `sources`.
pub fn queries(case: &Case, sources: &mut SourceMap) -> Vec<(String, QueryArgs, Diagnostics)> {
    let mut out = Vec::new();
    for file in &case.files {
        for line in file.text.lines() {
            let Some(rest) = line.trim_start().strip_prefix("// query:") else {
                continue;
            };
            let text = rest.trim().to_owned();
            let id = FileId(sources.files().count() as u32);
            sources.add(SourceFile {
                path: "<query>".to_owned(),
                text: text.clone(),
            });
            let (args, problems) = QueryArgs::from_words(split_words(id, 0, &text));
            let mut diags = Diagnostics::new();
            problems.into_iter().for_each(|p| diags.push(p));
            out.push((text, args, diags));
        }
    }
    out
}
