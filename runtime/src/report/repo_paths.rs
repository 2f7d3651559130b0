//! How the repository names a library's files, for annotations and SARIF
//! that land on a pull request: `metrics/experience.yard`, not
//! `experience.yard`. The library folder is taken relative to the root of
//! the git work tree that holds it (`git rev-parse --show-toplevel`);
//! outside git, relative to the working directory; a library outside both
//! is named as `--spec` gave it.

use crate::project::{absolute, resolve};
use std::path::Path;
use std::process::Command;

/// The library folder's path from the repository root ("" at the root).
pub struct RepoPaths {
    prefix: String,
}

impl RepoPaths {
    pub fn of(spec: &Path) -> RepoPaths {
        let library = resolve(&absolute(spec));
        let root = git_toplevel(spec).unwrap_or_else(|| resolve(&absolute(Path::new("."))));
        let prefix = match library.strip_prefix(&root) {
            Ok(below) => below.to_string_lossy().into_owned(),
            Err(_) => spec.to_string_lossy().into_owned(),
        };
        let prefix = prefix.trim_end_matches('/').replace('\\', "/");
        RepoPaths {
            prefix: if prefix == "." { String::new() } else { prefix },
        }
    }

    /// A library file (relative to the library folder) from the root.
    pub fn file(&self, path: &str) -> String {
        if self.prefix.is_empty() {
            path.to_owned()
        } else {
            format!("{}/{path}", self.prefix)
        }
    }
}

fn git_toplevel(spec: &Path) -> Option<std::path::PathBuf> {
    let out = Command::new("git")
        .arg("-C")
        .arg(spec)
        .args(["rev-parse", "--show-toplevel"])
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let top = String::from_utf8(out.stdout).ok()?;
    Some(resolve(Path::new(top.trim_end_matches(['\n', '\r']))))
}
