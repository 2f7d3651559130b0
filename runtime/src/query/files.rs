//! Finding a source's files, only where the project allows
//! (`crate::project`): the path, after following symlinks, must lie in the
//! library directory or a data root; a glob is walked only below its
//! literal folder, which must itself be allowed, without following
//! directory symlinks, visiting at most [`MAX_VISITS`] entries; each match
//! is resolved and checked again. Only regular files are read.

use crate::project::{resolve, source_dir, split_glob, Project};
use crate::Fatal;
use std::path::{Path, PathBuf};
use yardstick_compiler::diagnostics::Code;
use yardstick_compiler::model::Source;

/// The most directory entries one glob may visit.
pub const MAX_VISITS: usize = 200_000;

/// The files a source reads, sorted; or why it cannot read any.
pub fn locate(project: &Project, spec: &Path, source: &Source) -> Result<Vec<PathBuf>, Fatal> {
    let name = &source.name;
    let Some(path) = &source.path else {
        return Err(Fatal(format!(
            "source `{name}` has no `path`, so it has no data to read"
        )));
    };
    let (literal, pattern) = split_glob(&source_dir(spec, source), path);
    let resolved = resolve(&literal);
    if !project.allows(&resolved) {
        return Err(outside(project, source, &resolved));
    }
    let Some(pattern) = pattern else {
        return match std::fs::metadata(&resolved) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(Fatal(format!(
                "source `{name}`: `{}` does not exist",
                literal.display()
            ))),
            Err(e) => Err(Fatal(format!(
                "source `{name}`: cannot read `{}`: {e}",
                literal.display()
            ))),
            Ok(m) if m.is_dir() => Err(Fatal(format!(
                "source `{name}`: `{}` is a directory; give a file, or a glob such as `{}/*.parquet`",
                literal.display(),
                path.trim_end_matches('/')
            ))),
            Ok(m) if !m.is_file() => Err(Fatal(format!(
                "source `{name}`: `{}` is not a regular file (a pipe or device); give a file",
                literal.display()
            ))),
            Ok(_) => Ok(vec![resolved]),
        };
    };
    let found = walk(project, source, &resolved, &pattern)?;
    if found.is_empty() {
        return Err(Fatal(format!(
            "source `{name}`: `{}` matches no file",
            literal.join(&pattern).display()
        )));
    }
    Ok(found)
}

fn outside(project: &Project, source: &Source, resolved: &Path) -> Fatal {
    Fatal(format!(
        "source `{}`: `{}` is outside {} [{}]; the file was not read",
        source.name,
        resolved.display(),
        project.describe(),
        Code::SourceOutsideRoots.id()
    ))
}

/// The regular files below `dir` whose path relative to it matches
/// `pattern`.
fn walk(
    project: &Project,
    source: &Source,
    dir: &Path,
    pattern: &str,
) -> Result<Vec<PathBuf>, Fatal> {
    let glob = glob::Pattern::new(pattern).map_err(|e| {
        Fatal(format!(
            "source `{}`: bad path pattern `{pattern}`: {e}",
            source.name
        ))
    })?;
    let options = glob::MatchOptions {
        case_sensitive: true,
        require_literal_separator: true,
        require_literal_leading_dot: false,
    };
    // Without `**`, a pattern cannot match deeper than its own components.
    let depth = if pattern.contains("**") {
        usize::MAX
    } else {
        pattern.split('/').count()
    };
    let mut found = Vec::new();
    let walker = walkdir::WalkDir::new(dir)
        .follow_links(false)
        .min_depth(1)
        .max_depth(depth);
    for (visited, entry) in walker.into_iter().enumerate() {
        if visited >= MAX_VISITS {
            return Err(Fatal(format!(
                "source `{}`: the pattern `{pattern}` visits more than {MAX_VISITS} entries \
                 below `{}`; make it narrower",
                source.name,
                dir.display()
            )));
        }
        // Unreadable folders are skipped, as a shell's glob does.
        let Ok(entry) = entry else { continue };
        let Ok(relative) = entry.path().strip_prefix(dir) else {
            continue;
        };
        if !glob.matches_path_with(relative, options) {
            continue;
        }
        let real = if entry.path_is_symlink() {
            let real = resolve(entry.path());
            if !project.allows(&real) {
                return Err(outside(project, source, &real));
            }
            real
        } else {
            entry.path().to_path_buf()
        };
        if std::fs::metadata(&real).is_ok_and(|m| m.is_file()) {
            found.push(real);
        }
    }
    found.sort();
    found.dedup();
    Ok(found)
}
