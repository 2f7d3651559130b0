//! Reading a library from disk: every `*.yard` file below the spec
//! directory, in a stable order, with paths relative to it.

use crate::Fatal;
use std::path::{Path, PathBuf};
use yardstick_compiler::span::SourceFile;

pub fn read(spec: &Path) -> Result<Vec<SourceFile>, Fatal> {
    let mut files = Vec::new();
    for (path, relative) in paths(spec, usize::MAX)? {
        files.push(SourceFile {
            path: relative,
            text: read_text(&path)?,
        });
    }
    Ok(files)
}

/// Every `*.yard` file below `spec`, in a stable order: its path and its
/// path relative to `spec` (as diagnostics name it). At most `limit`
/// directory entries are looked at.
pub fn paths(spec: &Path, limit: usize) -> Result<Vec<(PathBuf, String)>, Fatal> {
    if !spec.is_dir() {
        return Err(Fatal(format!(
            "the library directory `{}` does not exist or is not a directory",
            spec.display()
        )));
    }
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(spec)
        .sort_by_file_name()
        .into_iter()
        .take(limit)
    {
        let entry = entry.map_err(|e| Fatal(format!("cannot read `{}`: {e}", spec.display())))?;
        let path = entry.path();
        if !entry.file_type().is_file() || path.extension().and_then(|e| e.to_str()) != Some("yard")
        {
            continue;
        }
        let relative = path.strip_prefix(spec).unwrap_or(path);
        let relative = relative.to_string_lossy().replace('\\', "/");
        files.push((path.to_owned(), relative));
    }
    Ok(files)
}

/// The text of one library file.
pub fn read_text(path: &Path) -> Result<String, Fatal> {
    let bytes =
        std::fs::read(path).map_err(|e| Fatal(format!("cannot read `{}`: {e}", path.display())))?;
    String::from_utf8(bytes).map_err(|_| Fatal(format!("`{}` is not UTF-8 text", path.display())))
}

/// The lock file at the library root, if there is one.
pub fn read_lock(spec: &Path) -> Result<Option<SourceFile>, Fatal> {
    let path = spec.join(LOCK_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(Some(SourceFile {
            path: LOCK_FILE.to_owned(),
            text,
        })),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Fatal(format!("cannot read `{}`: {e}", path.display()))),
    }
}

pub const LOCK_FILE: &str = "yardstick.lock";
