//! `yardstick fmt [--check] [PATHS...]`: rewrites `.yard` files in the
//! canonical layout (the compiler's `fmt`; rules in `docs/formatting.md`).
//!
//! A file is rewritten whole (`outfile::write`) and only when its layout
//! changes; `--check` writes nothing and lists the files that would change.
//! A file that does not parse is left as it is and its diagnostics printed.
//! Exit 0 when every file is (now) canonical, 1 when `--check` found one
//! that is not or a file does not parse, 2 when a file cannot be read or
//! written.

use crate::cli::FmtArgs;
use crate::report::{self, Style};
use crate::{stdio, Exit, Fatal};
use std::io::Write;
use std::path::{Path, PathBuf};
use yardstick_compiler::diagnostics::Diagnostics;
use yardstick_compiler::fmt::NotFormatted;
use yardstick_compiler::span::{SourceFile, SourceMap};

pub fn run(args: &FmtArgs, style: Style) -> Result<Exit, Fatal> {
    let roots = if args.paths.is_empty() {
        vec![args.spec.dir()?]
    } else {
        args.paths.clone()
    };
    let mut paths = Vec::new();
    for root in &roots {
        collect(root, &mut paths)?;
    }
    let files = paths
        .iter()
        .map(|path| {
            Ok(SourceFile {
                path: path.display().to_string(),
                text: read(path)?,
            })
        })
        .collect::<Result<Vec<_>, Fatal>>()?;
    let sources = SourceMap::new(files);
    let mut unparsed = Diagnostics::new();
    let mut changed = 0;
    for ((id, file), path) in sources.files().zip(&paths) {
        let formatted = match yardstick_compiler::fmt::format(id, &file.text) {
            Ok(text) => text,
            Err(NotFormatted::Unparsed(diags)) => {
                unparsed.extend(diags);
                continue;
            }
            Err(NotFormatted::Unsafe(why)) => {
                return Err(Fatal(format!(
                    "`{}` was left as it is: {why} (a bug in the formatter; please report it)",
                    file.path
                )))
            }
        };
        if formatted == file.text {
            continue;
        }
        changed += 1;
        if !args.check {
            crate::outfile::write(path, |out| {
                out.write_all(formatted.as_bytes())?;
                Ok(())
            })?;
        }
        stdio::println(&file.path)?;
    }
    if !unparsed.is_empty() {
        unparsed.sort(&sources);
        stdio::eprint(&report::human(&unparsed, &sources, style));
    }
    let total = paths.len();
    let not_parsed = count_files(&unparsed);
    let verb = if args.check {
        "would be reformatted"
    } else {
        "reformatted"
    };
    let mut summary = format!("{changed} of {total} files {verb}");
    if not_parsed > 0 {
        summary.push_str(&format!("; {not_parsed} not formatted: they do not parse"));
    }
    stdio::eprintln(&summary);
    Ok(if not_parsed > 0 || (args.check && changed > 0) {
        Exit::Failed
    } else {
        Exit::Ok
    })
}

fn count_files(diags: &Diagnostics) -> usize {
    let mut files: Vec<_> = diags.iter().map(|d| d.primary.span.file).collect();
    files.sort();
    files.dedup();
    files.len()
}

/// `path` itself, or every `*.yard` file below it, in a stable order.
fn collect(path: &Path, out: &mut Vec<PathBuf>) -> Result<(), Fatal> {
    let meta = std::fs::metadata(path)
        .map_err(|e| Fatal(format!("cannot read `{}`: {e}", path.display())))?;
    if !meta.is_dir() {
        out.push(path.to_owned());
        return Ok(());
    }
    for entry in walkdir::WalkDir::new(path).sort_by_file_name() {
        let entry = entry.map_err(|e| Fatal(format!("cannot read `{}`: {e}", path.display())))?;
        if entry.file_type().is_file() && entry.path().extension().is_some_and(|e| e == "yard") {
            out.push(entry.path().to_owned());
        }
    }
    Ok(())
}

fn read(path: &Path) -> Result<String, Fatal> {
    let bytes =
        std::fs::read(path).map_err(|e| Fatal(format!("cannot read `{}`: {e}", path.display())))?;
    String::from_utf8(bytes).map_err(|_| Fatal(format!("`{}` is not UTF-8 text", path.display())))
}
