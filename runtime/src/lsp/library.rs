//! The library an open file belongs to, compiled the way `yardstick check`
//! compiles it: every `*.yard` file below the library directory (with the
//! lock, and sources checked against the project's roots), except that an
//! open document's text replaces its file on disk.
//!
//! The library directory is the nearest folder upward from the file that
//! holds a `yardstick.toml`, or else the file's own folder. A document
//! that is not a file (an unsaved `untitled:` buffer) is a library of its
//! own.

use super::documents::Documents;
use crate::library_files;
use crate::project::Project;
use lsp_types::Url;
use std::path::{Path, PathBuf};
use yardstick_compiler::ide::Analysis;
use yardstick_compiler::span::{FileId, SourceFile};

/// How many directory entries are looked at below a library directory: a
/// `.yard` file opened in a home folder does not walk the whole disk.
const MAX_ENTRIES: usize = 100_000;

/// Which library a document belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum LibraryKey {
    Directory(PathBuf),
    Buffer(Url),
}

/// The library of `uri`.
pub fn key_of(uri: &Url) -> LibraryKey {
    match uri.to_file_path() {
        Ok(path) => LibraryKey::Directory(directory_of(&path)),
        Err(()) => LibraryKey::Buffer(uri.clone()),
    }
}

/// The library `file` belongs to: the `library` of the nearest
/// `yardstick.toml` upward when the file is inside it, or else the file's
/// folder (`project::library_holding`).
pub fn directory_of(file: &Path) -> PathBuf {
    crate::project::library_holding(file)
}

/// A compiled library and the document each of its files is.
pub struct Loaded {
    pub analysis: Analysis,
    /// The URI of each file, by [`FileId`] (the `.yard` files, then the lock).
    pub uris: Vec<Url>,
    /// What could not be read (named in a message to the editor).
    pub problems: Vec<String>,
}

impl Loaded {
    pub fn uri(&self, file: FileId) -> Option<&Url> {
        self.uris.get(file.0 as usize)
    }

    pub fn file_of(&self, uri: &Url) -> Option<FileId> {
        let i = self.uris.iter().position(|u| u == uri)?;
        Some(FileId(u32::try_from(i).ok()?))
    }
}

pub fn load(key: &LibraryKey, documents: &Documents) -> Loaded {
    match key {
        LibraryKey::Directory(dir) => load_directory(dir, documents),
        LibraryKey::Buffer(uri) => {
            let text = documents
                .get(uri)
                .map(|d| d.text.clone())
                .unwrap_or_default();
            let file = SourceFile {
                path: uri.to_string(),
                text,
            };
            Loaded {
                analysis: Analysis::new(vec![file], None),
                uris: vec![uri.clone()],
                problems: Vec::new(),
            }
        }
    }
}

fn load_directory(dir: &Path, documents: &Documents) -> Loaded {
    let mut problems = Vec::new();
    let mut files: Vec<(PathBuf, String)> = match library_files::paths(dir, MAX_ENTRIES) {
        Ok(paths) => paths,
        Err(e) => {
            problems.push(e.0);
            Vec::new()
        }
    };
    // Open documents below the directory that are not on disk (yet).
    for (path, _, _) in documents.files() {
        let is_yard = path.extension().and_then(|e| e.to_str()) == Some("yard");
        if let (true, Ok(relative)) = (is_yard, path.strip_prefix(dir)) {
            if !files.iter().any(|(p, _)| *p == path) {
                let relative = relative.to_string_lossy().replace('\\', "/");
                files.push((path.clone(), relative));
            }
        }
    }
    files.sort_by(|a, b| a.1.cmp(&b.1));
    let mut sources = Vec::new();
    let mut uris = Vec::new();
    for (path, relative) in files {
        let Ok(uri) = Url::from_file_path(&path) else {
            continue;
        };
        let text = match documents.get(&uri) {
            Some(doc) => doc.text.clone(),
            None => match library_files::read_text(&path) {
                Ok(text) => text,
                Err(e) => {
                    problems.push(e.0);
                    continue;
                }
            },
        };
        sources.push(SourceFile {
            path: relative,
            text,
        });
        uris.push(uri);
    }
    let lock = match library_files::read_lock(dir) {
        Ok(lock) => lock,
        Err(e) => {
            problems.push(e.0);
            None
        }
    };
    if lock.is_some() {
        if let Ok(uri) = Url::from_file_path(dir.join(library_files::LOCK_FILE)) {
            uris.push(uri);
        }
    }
    let mut analysis = Analysis::new(sources, lock);
    match Project::load(dir) {
        Ok(project) => crate::commands::check_sources(&project, dir, &mut analysis.compiled),
        Err(e) => problems.push(e.0),
    }
    Loaded {
        analysis,
        uris,
        problems,
    }
}
