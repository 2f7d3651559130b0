//! The project file, `yardstick.toml`: it marks a project root and names
//! its library, and says where sources may read data. Paths in it are
//! relative to its folder:
//!
//! ```toml
//! library = "specs/cx"        # default: this folder
//! data_roots = ["../warehouse/exports", "/srv/cx"]
//! ```
//!
//! Without `--spec`, a command works on the library of the nearest
//! `yardstick.toml` at or above the current directory ([`library_dir`]).
//! A library is governed by the `yardstick.toml` in its own folder, or by
//! the nearest one above that names it ([`project_file_for`]). A source's
//! path must resolve, after following symlinks, inside the library
//! directory or under one of the `data_roots`.
//!
//! `check` (and every command that compiles the library) reports a source
//! outside them as `yardstick::source::outside_roots`; the catalog refuses
//! to read one, and bounds glob expansion to them (`query::files`).

use crate::Fatal;
use serde::Deserialize;
use std::path::{Component, Path, PathBuf};
use yardstick_compiler::diagnostics::{Code, Diagnostic, Diagnostics};
use yardstick_compiler::model::{Library, Source};
use yardstick_compiler::span::{SourceMap, Span};

pub const PROJECT_FILE: &str = "yardstick.toml";

/// Where a library may read data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    /// The library directory, with symlinks resolved.
    pub library: PathBuf,
    /// The `data_roots` of `yardstick.toml`, with symlinks resolved.
    pub data_roots: Vec<PathBuf>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ProjectFile {
    /// The library directory, relative to the file (default: its folder).
    #[serde(default)]
    library: Option<String>,
    #[serde(default)]
    data_roots: Vec<String>,
}

impl ProjectFile {
    fn read(path: &Path) -> Result<Option<(String, ProjectFile)>, Fatal> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Fatal(format!("cannot read `{}`: {e}", path.display()))),
        };
        let file = ProjectFile::parse(&text, &path.display().to_string())?;
        Ok(Some((text, file)))
    }

    fn parse(text: &str, shown: &str) -> Result<ProjectFile, Fatal> {
        toml::from_str(text).map_err(|e| {
            // toml's message quotes the offending line: keep only its
            // first line (what and where), not the file's text.
            let what = e.message().lines().next().unwrap_or("").to_owned();
            let at = e
                .span()
                .map(|s| format!(" at byte {}", s.start))
                .unwrap_or_default();
            Fatal(format!(
                "`{shown}`{at}: {}; it may hold only `library = \"dir\"` and \
                 `data_roots = [\"dir\", ...]`",
                crate::guard::truncate(&what, crate::guard::ECHO_LIMIT)
            ))
        })
    }

    /// The library directory this file (in `dir`) names.
    fn library_in(&self, dir: &Path) -> PathBuf {
        dir.join(self.library.as_deref().unwrap_or("."))
    }
}

/// The nearest `yardstick.toml` in `dir` or a folder above it.
fn nearest_project_file(dir: &Path) -> Option<PathBuf> {
    resolve(&absolute(dir))
        .ancestors()
        .map(|d| d.join(PROJECT_FILE))
        .find(|p| p.is_file())
}

/// The library directory a command works on: `--spec` when given; else
/// the `library` of the nearest `yardstick.toml` at or above the current
/// directory (the project root); else the current directory.
pub fn library_dir(spec: Option<&Path>) -> Result<PathBuf, Fatal> {
    if let Some(spec) = spec {
        return Ok(spec.to_owned());
    }
    let Some(path) = nearest_project_file(Path::new(".")) else {
        return Ok(PathBuf::from("."));
    };
    let file = ProjectFile::read(&path)?
        .map(|(_, f)| f)
        .unwrap_or_default();
    let dir = path.parent().unwrap_or(Path::new("."));
    let library = file.library_in(dir);
    if !library.is_dir() {
        return Err(Fatal(format!(
            "`{}` names the library `{}`, which is not a directory",
            path.display(),
            file.library.as_deref().unwrap_or(".")
        )));
    }
    Ok(library)
}

/// The library a `.yard` file belongs to, for an editor: the `library` of
/// the nearest `yardstick.toml` above it when the file lies inside that
/// library, or else the file's own folder (a fixture beside the library is
/// its own library).
pub fn library_holding(file: &Path) -> PathBuf {
    let folder = file.parent().unwrap_or(Path::new("/"));
    let Some(path) = nearest_project_file(folder) else {
        return folder.to_owned();
    };
    let dir = path.parent().unwrap_or(Path::new("/"));
    let library = match ProjectFile::read(&path) {
        Ok(Some((_, f))) => f.library_in(dir),
        _ => dir.to_owned(),
    };
    if resolve(&absolute(folder)).starts_with(resolve(&absolute(&library))) {
        library
    } else {
        folder.to_owned()
    }
}

/// The `yardstick.toml` that governs the library at `spec`: the one in
/// `spec` itself, or else the nearest one above whose `library` is `spec`.
pub fn project_file_for(spec: &Path) -> Result<Option<PathBuf>, Fatal> {
    let own = spec.join(PROJECT_FILE);
    if own.is_file() {
        return Ok(Some(own));
    }
    let Some(path) = nearest_project_file(spec) else {
        return Ok(None);
    };
    let Some((_, file)) = ProjectFile::read(&path)? else {
        return Ok(None);
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    let names_spec = resolve(&absolute(&file.library_in(dir))) == resolve(&absolute(spec));
    Ok(names_spec.then_some(path))
}

impl Project {
    /// Reads the `yardstick.toml` that governs `spec` (`project_file_for`;
    /// none: only the library directory).
    pub fn load(spec: &Path) -> Result<Project, Fatal> {
        let Some(path) = project_file_for(spec)? else {
            return Project::from_text(spec, spec, None, "");
        };
        let text = ProjectFile::read(&path)?.map(|(text, _)| text);
        let dir = path.parent().unwrap_or(spec);
        Project::from_text(spec, dir, text.as_deref(), &path.display().to_string())
    }

    /// A project for the library at `library`, from the text of a
    /// `yardstick.toml` whose folder is `toml_dir` (shown as `shown`).
    pub fn from_text(
        library: &Path,
        toml_dir: &Path,
        text: Option<&str>,
        shown: &str,
    ) -> Result<Project, Fatal> {
        let file = match text {
            None => ProjectFile::default(),
            Some(text) => ProjectFile::parse(text, shown)?,
        };
        let data_roots = file
            .data_roots
            .iter()
            .map(|r| resolve(&absolute(&toml_dir.join(r))))
            .collect();
        Ok(Project {
            library: resolve(&absolute(library)),
            data_roots,
        })
    }

    /// Whether a resolved path lies inside the library or a data root.
    pub fn allows(&self, resolved: &Path) -> bool {
        std::iter::once(&self.library)
            .chain(&self.data_roots)
            .any(|root| resolved.starts_with(root))
    }

    /// "the library `/x/cx` and its data roots `/srv/cx`" for messages.
    pub fn describe(&self) -> String {
        let mut text = format!("the library directory `{}`", self.library.display());
        if self.data_roots.is_empty() {
            text.push_str(" (yardstick.toml lists no data_roots)");
        } else {
            let roots: Vec<String> = self
                .data_roots
                .iter()
                .map(|r| format!("`{}`", r.display()))
                .collect();
            text.push_str(&format!(" and the data roots {}", roots.join(", ")));
        }
        text
    }
}

/// `path` made absolute against the current directory, lexically.
pub fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// An absolute path with every symlink of its longest existing ancestor
/// resolved, and the rest (which does not exist, so cannot be a symlink)
/// normalised lexically.
pub fn resolve(path: &Path) -> PathBuf {
    let mut existing = path.to_path_buf();
    let mut rest: Vec<std::ffi::OsString> = Vec::new();
    loop {
        if let Ok(real) = std::fs::canonicalize(&existing) {
            let mut out = real;
            for part in rest.iter().rev() {
                match Path::new(part).components().next() {
                    Some(Component::ParentDir) => {
                        out.pop();
                    }
                    Some(Component::CurDir) | None => {}
                    _ => out.push(part),
                }
            }
            return out;
        }
        match (existing.file_name(), existing.parent()) {
            (Some(name), Some(parent)) => {
                rest.push(name.to_owned());
                existing = parent.to_path_buf();
            }
            // `..` or the root itself: drop one lexical step.
            (None, Some(parent)) => {
                rest.push("..".into());
                existing = parent.to_path_buf();
            }
            _ => return path.to_path_buf(),
        }
    }
}

/// The folder a source's path is relative to: that of its declaring file.
pub fn source_dir(spec: &Path, source: &Source) -> PathBuf {
    let declared_in = spec.join(&source.file);
    declared_in.parent().unwrap_or(spec).to_path_buf()
}

/// A source's path split at its first glob component: the literal folder
/// or file (absolute, lexical) and the pattern below it, if any.
pub fn split_glob(base: &Path, path: &str) -> (PathBuf, Option<String>) {
    let full = absolute(&base.join(path));
    let mut literal = PathBuf::new();
    let mut pattern: Vec<String> = Vec::new();
    for part in full.components() {
        let text = part.as_os_str().to_string_lossy();
        if pattern.is_empty() && !text.contains(['*', '?', '[']) {
            literal.push(part);
        } else {
            pattern.push(text.into_owned());
        }
    }
    let pattern = (!pattern.is_empty()).then(|| pattern.join("/"));
    (literal, pattern)
}

/// Where a source's path (or the folder its glob starts from) really is,
/// when that is outside what `project` allows.
pub fn outside(project: &Project, spec: &Path, source: &Source) -> Option<PathBuf> {
    let path = source.path.as_deref()?;
    let (literal, _) = split_glob(&source_dir(spec, source), path);
    let resolved = resolve(&literal);
    (!project.allows(&resolved)).then_some(resolved)
}

/// `yardstick::source::outside_roots` for every source that reads outside
/// the project's roots, at the source's `path` field.
pub fn check_sources(
    project: &Project,
    spec: &Path,
    library: &Library,
    sources: &SourceMap,
) -> Diagnostics {
    let mut diags = Diagnostics::new();
    for source in library.sources.values() {
        let Some(resolved) = outside(project, spec, source) else {
            continue;
        };
        let written = source.path.as_deref().unwrap_or("");
        let label = if Path::new(written).is_absolute() {
            "outside the allowed roots".to_owned()
        } else {
            format!("resolves to `{}`", resolved.display())
        };
        diags.push(
            Diagnostic::error(
                Code::SourceOutsideRoots,
                path_span(sources, source.span),
                format!(
                    "source `{}` reads `{}`, outside the library directory and its data roots",
                    source.name,
                    crate::guard::truncate(written, crate::guard::ECHO_LIMIT)
                ),
            )
            .label(label)
            .help(
                "keep data under the library directory, or list its folder in `data_roots` \
                 in the library's yardstick.toml",
            ),
        );
    }
    diags
}

/// The span of the string after `path:` in the source declared at `name`
/// (the name's span when it cannot be found).
pub fn path_span(sources: &SourceMap, name: Span) -> Span {
    let Some(file) = sources.file(name.file) else {
        return name;
    };
    let text = file.text.as_bytes();
    let mut i = name.end as usize;
    let mut depth = 0usize;
    while i < text.len() {
        match text[i] {
            b'{' => depth += 1,
            b'}' => {
                if depth <= 1 {
                    break;
                }
                depth -= 1;
            }
            b'/' if text.get(i + 1) == Some(&b'/') => {
                while i < text.len() && text[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'"' => {
                // Skip a string that is not the path.
                i += 1;
                while i < text.len() && text[i] != b'"' {
                    i += if text[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'p' if depth == 1
                && text[i..].starts_with(b"path")
                && !text[..i]
                    .last()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_') =>
            {
                if let Some(span) = string_after_colon(text, i + 4, name) {
                    return span;
                }
            }
            _ => {}
        }
        i += 1;
    }
    name
}

fn string_after_colon(text: &[u8], mut i: usize, name: Span) -> Option<Span> {
    let skip_blank = |i: &mut usize| {
        while *i < text.len() && text[*i].is_ascii_whitespace() {
            *i += 1;
        }
    };
    skip_blank(&mut i);
    if text.get(i) != Some(&b':') {
        return None;
    }
    i += 1;
    skip_blank(&mut i);
    if text.get(i) != Some(&b'"') {
        return None;
    }
    let start = i;
    i += 1;
    while i < text.len() && text[i] != b'"' {
        i += if text[i] == b'\\' { 2 } else { 1 };
    }
    Some(Span::new(name.file, start, (i + 1).min(text.len())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_are_relative_to_the_toml_and_checked_by_prefix() {
        let dir = std::path::Path::new("/nonexistent-yardstick/lib");
        let p = Project::from_text(
            dir,
            dir,
            Some("data_roots = [\"../data\", \"/srv/x\"]"),
            "t",
        )
        .expect("project");
        assert_eq!(p.library, PathBuf::from("/nonexistent-yardstick/lib"));
        assert_eq!(
            p.data_roots,
            vec![
                PathBuf::from("/nonexistent-yardstick/data"),
                PathBuf::from("/srv/x")
            ]
        );
        assert!(p.allows(Path::new("/nonexistent-yardstick/data/a.csv")));
        assert!(p.allows(Path::new("/nonexistent-yardstick/lib/d/a.csv")));
        assert!(!p.allows(Path::new("/nonexistent-yardstick/library2/a.csv")));
        assert!(!p.allows(Path::new("/proc/self/environ")));
    }

    #[test]
    fn unknown_keys_are_refused_without_quoting_the_file() {
        let dir = Path::new("/x");
        let Err(Fatal(e)) = Project::from_text(dir, dir, Some("secret = \"hunter2\""), "t.toml")
        else {
            unreachable!("an unknown key is an error")
        };
        assert!(!e.contains("hunter2"), "{e}");
        assert!(e.contains("t.toml"), "{e}");
    }

    #[test]
    fn globs_split_at_their_first_wild_component() {
        let (lit, pat) = split_glob(Path::new("/lib"), "data/2026-*/part?.csv");
        assert_eq!(lit, PathBuf::from("/lib/data"));
        assert_eq!(pat.as_deref(), Some("2026-*/part?.csv"));
        let (lit, pat) = split_glob(Path::new("/lib"), "/**/*.nomatch");
        assert_eq!(lit, PathBuf::from("/"));
        assert_eq!(pat.as_deref(), Some("**/*.nomatch"));
        assert_eq!(split_glob(Path::new("/lib"), "a.csv").1, None);
    }

    #[test]
    fn missing_parts_resolve_lexically() {
        assert_eq!(
            resolve(Path::new("/nonexistent-yardstick/a/../../etc/passwd")),
            PathBuf::from("/etc/passwd")
        );
    }
}
