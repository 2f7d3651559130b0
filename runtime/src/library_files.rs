//! Reading a library from disk: every `*.yard` file below the spec
//! directory, in a stable order, with paths relative to it.

use crate::Fatal;
use std::path::Path;
use yardstick_compiler::span::SourceFile;

pub fn read(spec: &Path) -> Result<Vec<SourceFile>, Fatal> {
    if !spec.is_dir() {
        return Err(Fatal(format!(
            "the library directory `{}` does not exist or is not a directory",
            spec.display()
        )));
    }
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(spec).sort_by_file_name() {
        let entry = entry.map_err(|e| Fatal(format!("cannot read `{}`: {e}", spec.display())))?;
        let path = entry.path();
        if !entry.file_type().is_file() || path.extension().and_then(|e| e.to_str()) != Some("yard")
        {
            continue;
        }
        let bytes = std::fs::read(path)
            .map_err(|e| Fatal(format!("cannot read `{}`: {e}", path.display())))?;
        let text = String::from_utf8(bytes)
            .map_err(|_| Fatal(format!("`{}` is not UTF-8 text", path.display())))?;
        let relative = path.strip_prefix(spec).unwrap_or(path);
        files.push(SourceFile {
            path: relative.to_string_lossy().replace('\\', "/"),
            text,
        });
    }
    Ok(files)
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
