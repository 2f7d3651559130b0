//! `yardstick fmt`'s promises, over every library the repository holds
//! (`specs/`, `tests/semantics`, every case of `tests/check`):
//!
//! - a file that parses is formatted, one that does not is refused;
//! - formatting twice gives what formatting once gave;
//! - the formatted library compiles to the same typed IR (as `compile --emit
//!   ir` prints it), with the same diagnostics on the same text;
//! - `diff` between the library and its formatted self finds nothing but
//!   cosmetic changes.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)] // a test: failing loudly is the point

use std::path::Path;
use yardstick_compiler::diagnostics::Code;
use yardstick_compiler::drift::diff::{diff, Kind, Side};
use yardstick_compiler::fmt::{format, NotFormatted};
use yardstick_compiler::span::{FileId, SourceFile};
use yardstick_compiler::Compiled;

#[path = "../../tests/support/case_files.rs"]
mod case_files;

/// A library of the repository: a name, its files and its lock.
struct Library {
    name: String,
    files: Vec<SourceFile>,
    lock: Option<SourceFile>,
}

fn workspace() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace")
}

fn directory(relative: &str) -> Library {
    let dir = workspace().join(relative);
    let mut files = Vec::new();
    case_files::yard_files(&dir, &dir, &mut files);
    let lock = std::fs::read_to_string(dir.join("yardstick.lock"))
        .ok()
        .map(|text| SourceFile {
            path: "yardstick.lock".to_owned(),
            text,
        });
    Library {
        name: relative.to_owned(),
        files,
        lock,
    }
}

fn libraries() -> Vec<Library> {
    let mut all = vec![directory("specs/cx"), directory("tests/semantics")];
    for folder in ["ok", "err", "runtime"] {
        all.extend(case_files::cases(folder).into_iter().map(|c| Library {
            name: format!("tests/check/{folder}/{}", c.name),
            files: c.files,
            lock: c.lock,
        }));
    }
    all
}

fn compile(library: &Library, files: Vec<SourceFile>) -> Compiled {
    yardstick_compiler::compile_with_lock(files, library.lock.clone())
}

/// What a diagnostic says and the text it points at (without whitespace,
/// which formatting moves).
fn described(compiled: &Compiled) -> Vec<String> {
    compiled
        .diagnostics
        .iter()
        .map(|d| {
            let at: String = compiled
                .sources
                .text(d.primary.span)
                .split_whitespace()
                .collect();
            format!(
                "{} {:?} {} | {} | at `{at}` in {} | {:?}",
                d.code.id(),
                d.severity,
                d.message,
                d.primary.message,
                compiled.sources.path(d.primary.span.file),
                d.help
            )
        })
        .collect()
}

#[test]
fn formatting_keeps_meaning_and_is_idempotent_over_every_library() {
    let libraries = libraries();
    assert!(libraries.len() > 40, "the corpus was found");
    let (mut formatted_files, mut changed_files, mut refused_files) = (0, 0, 0);
    for library in &libraries {
        let before = compile(library, library.files.clone());
        let mut after_files = Vec::new();
        for (i, file) in library.files.iter().enumerate() {
            let id = FileId(i as u32);
            let syntax_error = before.diagnostics.iter().any(|d| {
                d.primary.span.file == id
                    && matches!(
                        d.code,
                        Code::SyntaxError | Code::SyntaxLiteral | Code::SyntaxTooDeep
                    )
            });
            match format(id, &file.text) {
                Ok(text) => {
                    assert!(
                        !syntax_error,
                        "{}/{}: formatted despite a syntax error",
                        library.name, file.path
                    );
                    let again = format(id, &text).unwrap_or_else(|e| {
                        panic!(
                            "{}/{}: formatted text refused: {e:?}",
                            library.name, file.path
                        )
                    });
                    assert_eq!(
                        again, text,
                        "{}/{}: formatting twice differs from once",
                        library.name, file.path
                    );
                    formatted_files += 1;
                    changed_files += usize::from(text != file.text);
                    after_files.push(SourceFile {
                        path: file.path.clone(),
                        text,
                    });
                }
                Err(NotFormatted::Unparsed(diags)) => {
                    assert!(diags.has_errors());
                    assert!(
                        syntax_error,
                        "{}/{}: refused without a syntax error",
                        library.name, file.path
                    );
                    refused_files += 1;
                    after_files.push(file.clone());
                }
                Err(NotFormatted::Unsafe(why)) => {
                    panic!("{}/{}: {why}", library.name, file.path)
                }
            }
        }
        let after = compile(library, after_files);
        assert_eq!(
            serde_json::to_string_pretty(&before.library).unwrap(),
            serde_json::to_string_pretty(&after.library).unwrap(),
            "{}: the typed IR changed",
            library.name
        );
        assert_eq!(
            described(&before),
            described(&after),
            "{}: the diagnostics changed",
            library.name
        );
        let changes = diff(
            &Side {
                library: &before.library,
                sources: &before.sources,
            },
            &Side {
                library: &after.library,
                sources: &after.sources,
            },
        );
        for change in changes {
            assert_eq!(
                change.kind,
                Kind::Cosmetic,
                "{}: {} is a {:?} change",
                library.name,
                change.metric,
                change.kind
            );
        }
    }
    // The corpus exercises every path: files that change, files already
    // canonical, and files that do not parse.
    assert!(formatted_files > 40 && changed_files > 0 && refused_files > 0);
    assert!(changed_files < formatted_files);
}

/// The ```yard blocks of `docs/formatting.md`: the first formats into the
/// second, and every later one is already canonical.
#[test]
fn the_examples_of_the_formatting_page_hold() {
    let page = std::fs::read_to_string(workspace().join("docs/formatting.md")).expect("page");
    let blocks: Vec<String> = page
        .split("```yard\n")
        .skip(1)
        .map(|rest| rest.split("```").next().unwrap_or("").to_owned())
        .collect();
    assert!(blocks.len() >= 3, "the page has its examples");
    let first = format(FileId(0), &blocks[0]).expect("formats");
    assert_eq!(first, blocks[1]);
    for block in &blocks[1..] {
        assert_eq!(&format(FileId(0), block).expect("formats"), block);
    }
}
