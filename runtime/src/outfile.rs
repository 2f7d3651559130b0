//! Writing a file the user named (`--output`, `yardstick.lock`) so that it
//! is whole or absent, and never replaces what it should not:
//!
//! - a new path, or an existing regular file, is written to a temporary
//!   file beside it and renamed over it; a new file gets the permissions
//!   the umask gives (0666 less the umask), an existing one keeps its mode;
//! - a symlink is followed, and its target is treated by these rules (the
//!   link stays a link);
//! - a FIFO or a character device (`/dev/null`, `/dev/stdout`) is written
//!   through, not replaced;
//! - a directory, socket or block device is refused.
//!
//! A folder (`docs --out DIR`) is written the same way by [`write_dir`]:
//! whole into a temporary folder beside it, then renamed onto it; an
//! existing folder is replaced only if it is empty or was written so
//! before (it holds the caller's marker file), never a folder of other
//! files.
//!
//! SIGINT, SIGTERM and SIGHUP remove a temporary file or folder being
//! written before the process exits (status 130). Every error names the
//! file.

use crate::Fatal;
use std::fs::{File, OpenOptions, Permissions};
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Temporary files being written, removed if a signal ends the process.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn pending() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    PENDING.lock().unwrap_or_else(|p| p.into_inner())
}

/// Installs the handler that removes pending temporary files on SIGINT,
/// SIGTERM or SIGHUP and exits with status 130.
pub fn clean_up_on_signals() {
    let _ = ctrlc::set_handler(|| {
        remove_pending();
        std::process::exit(130);
    });
}

/// Has `path` (a scratch file or folder) removed if a signal ends the
/// process (`yardstick cluster`'s executors' shuffle files).
pub fn remove_if_interrupted(path: &Path) {
    pending().push(path.to_owned());
}

/// Removes the temporary files (and folders) being written, before the
/// process exits.
pub fn remove_pending() {
    for path in pending().drain(..) {
        if path.is_dir() {
            let _ = std::fs::remove_dir_all(path);
        } else {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Writes `path` with `render`, whole or not at all (see the module docs).
pub fn write(
    path: &Path,
    render: impl FnOnce(&mut File) -> Result<(), Fatal>,
) -> Result<(), Fatal> {
    let shown = path.display();
    let fail = |e: &dyn std::fmt::Display| Fatal(format!("cannot write `{shown}`: {e}"));
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => Some(m),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(fail(&e)),
    };
    let Some(meta) = meta else {
        return replace(path, None, render);
    };
    let kind = meta.file_type();
    if kind.is_symlink() {
        let target = std::fs::canonicalize(path).map_err(|_| {
            Fatal(format!(
                "`{shown}` is a symbolic link to a file that does not exist; \
                 not replacing the link: give the target's path"
            ))
        })?;
        if std::fs::symlink_metadata(&target).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(fail(&"a symbolic link loop"));
        }
        return write(&target, render);
    }
    if kind.is_file() {
        return replace(path, Some(meta.permissions().mode() & 0o7777), render);
    }
    if kind.is_fifo() || kind.is_char_device() {
        let mut file = OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(|e| fail(&e))?;
        render(&mut file).map_err(|e| fail(&e.0))?;
        return Ok(());
    }
    let what = if kind.is_dir() {
        "a directory"
    } else {
        "not a regular file (a socket or block device)"
    };
    Err(Fatal(format!(
        "`{shown}` is {what}; not writing there: give a file's path"
    )))
}

/// Writes the folder `path` with `render`, which fills the empty folder it
/// is given, whole or not at all (see the module docs). `marker` is a file
/// name `render` writes into every folder it makes: an existing `path` is
/// replaced only if it is empty or holds one. Missing parent folders are
/// made.
pub fn write_dir(
    path: &Path,
    marker: &str,
    render: impl FnOnce(&Path) -> Result<(), Fatal>,
) -> Result<(), Fatal> {
    let shown = path.display();
    let fail = |e: &dyn std::fmt::Display| Fatal(format!("cannot write `{shown}`: {e}"));
    let existing = match std::fs::symlink_metadata(path) {
        Ok(m) => Some(m),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(fail(&e)),
    };
    if let Some(meta) = &existing {
        if meta.file_type().is_symlink() {
            let target = std::fs::canonicalize(path).map_err(|_| {
                Fatal(format!(
                    "`{shown}` is a symbolic link to a folder that does not exist; \
                     not replacing the link: give the target's path"
                ))
            })?;
            if std::fs::symlink_metadata(&target).is_ok_and(|m| m.file_type().is_symlink()) {
                return Err(fail(&"a symbolic link loop"));
            }
            return write_dir(&target, marker, render);
        }
        if !meta.is_dir() {
            return Err(Fatal(format!(
                "`{shown}` is not a folder; not writing there: give a folder's path"
            )));
        }
        let mut entries = std::fs::read_dir(path).map_err(|e| fail(&e))?;
        if entries.next().is_some() && !path.join(marker).is_file() {
            return Err(Fatal(format!(
                "`{shown}` holds files Yardstick did not write (it has no `{marker}`); \
                 not replacing it: give a new or empty folder"
            )));
        }
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(|e| fail(&e))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp_dir = |kind: &str| {
        // 0777 here is masked by the umask when the folder is made.
        tempfile::Builder::new()
            .prefix(&format!(".{name}.{kind}"))
            .suffix(".tmp")
            .permissions(Permissions::from_mode(0o777))
            .tempdir_in(&parent)
            .map_err(|e| Fatal(format!("cannot write beside `{shown}`: {e}")))
    };
    let fresh = temp_dir("")?;
    let fresh_path = fresh.path().to_path_buf();
    pending().push(fresh_path.clone());
    let result = render(&fresh_path)
        .map_err(|e| fail(&e.0))
        .and_then(|()| swap_in(path, fresh, existing.is_some(), || temp_dir("old.")));
    pending().retain(|p| p != &fresh_path);
    result
}

/// Renames the rendered folder onto `path`; an existing folder is first
/// moved aside (and put back if the rename fails), then removed.
fn swap_in(
    path: &Path,
    fresh: tempfile::TempDir,
    exists: bool,
    aside: impl FnOnce() -> Result<tempfile::TempDir, Fatal>,
) -> Result<(), Fatal> {
    let shown = path.display();
    let fail = |e: &dyn std::fmt::Display| Fatal(format!("cannot write `{shown}`: {e}"));
    if !exists {
        std::fs::rename(fresh.path(), path).map_err(|e| fail(&e))?;
        let _ = fresh.keep();
        return Ok(());
    }
    // An empty temporary folder the old one is renamed onto.
    let old = aside()?;
    std::fs::rename(path, old.path()).map_err(|e| fail(&e))?;
    if let Err(e) = std::fs::rename(fresh.path(), path) {
        let _ = std::fs::rename(old.path(), path);
        let _ = old.keep();
        return Err(fail(&e));
    }
    let _ = fresh.keep();
    drop(old);
    Ok(())
}

/// Writes a temporary file beside `path` and renames it over `path`.
fn replace(
    path: &Path,
    mode: Option<u32>,
    render: impl FnOnce(&mut File) -> Result<(), Fatal>,
) -> Result<(), Fatal> {
    let shown = path.display();
    let fail = |e: &dyn std::fmt::Display| Fatal(format!("cannot write `{shown}`: {e}"));
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // 0666 here is masked by the umask when the file is created.
    let mut temp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .permissions(Permissions::from_mode(0o666))
        .tempfile_in(&dir)
        .map_err(|e| Fatal(format!("cannot write beside `{shown}`: {e}")))?;
    let temp_path = temp.path().to_path_buf();
    pending().push(temp_path.clone());
    let written = (|| {
        if let Some(mode) = mode {
            temp.as_file()
                .set_permissions(Permissions::from_mode(mode))
                .map_err(|e| fail(&e))?;
        }
        render(temp.as_file_mut()).map_err(|e| fail(&e.0))?;
        temp.as_file_mut().sync_all().map_err(|e| fail(&e))?;
        Ok::<_, Fatal>(())
    })();
    let result = written.and_then(|()| temp.persist(path).map(|_| ()).map_err(|e| fail(&e.error)));
    pending().retain(|p| p != &temp_path);
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn write_text(path: &Path, text: &str) -> Result<(), Fatal> {
        write(path, |f| {
            f.write_all(text.as_bytes())?;
            Ok(())
        })
    }

    #[test]
    fn an_existing_file_keeps_its_mode_and_a_link_stays_a_link() {
        let dir = tempfile::tempdir().expect("dir");
        let target = dir.path().join("out.csv");
        std::fs::write(&target, "old").expect("w");
        std::fs::set_permissions(&target, Permissions::from_mode(0o664)).expect("chmod");
        let link = dir.path().join("link.csv");
        std::os::unix::fs::symlink(&target, &link).expect("link");
        write_text(&link, "new").expect("write");
        assert!(std::fs::symlink_metadata(&link)
            .expect("m")
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read_to_string(&target).expect("r"), "new");
        let mode = std::fs::metadata(&target).expect("m").permissions().mode();
        assert_eq!(mode & 0o777, 0o664);
        assert_eq!(std::fs::read_dir(dir.path()).expect("ls").count(), 2);
    }

    #[test]
    fn a_directory_is_refused_and_a_failed_render_leaves_nothing() {
        let dir = tempfile::tempdir().expect("dir");
        let Err(Fatal(e)) = write_text(dir.path(), "x") else {
            unreachable!("a directory is refused")
        };
        assert!(e.contains("is a directory"), "{e}");
        let out = dir.path().join("out.csv");
        let failed = write(&out, |_| Err(Fatal("boom".to_owned())));
        assert!(failed.is_err());
        assert_eq!(std::fs::read_dir(dir.path()).expect("ls").count(), 0);
    }

    fn catalog(dir: &Path, page: &str) -> Result<(), Fatal> {
        write_dir(dir, ".marker", |d| {
            std::fs::write(d.join(".marker"), "")?;
            std::fs::write(d.join("index.html"), page)?;
            Ok(())
        })
    }

    #[test]
    fn a_folder_is_written_whole_and_replaced_only_if_ours() {
        let dir = tempfile::tempdir().expect("dir");
        let out = dir.path().join("site/catalog");
        catalog(&out, "one").expect("new");
        catalog(&out, "two").expect("replaced");
        assert_eq!(
            std::fs::read_to_string(out.join("index.html")).expect("r"),
            "two"
        );
        // Nothing is left beside it: no temporary or old folder.
        assert_eq!(
            std::fs::read_dir(dir.path().join("site"))
                .expect("ls")
                .count(),
            1
        );
        let failed = write_dir(&out, ".marker", |d| {
            std::fs::write(d.join("index.html"), "half")?;
            Err(Fatal("boom".to_owned()))
        });
        assert!(failed.is_err());
        assert_eq!(
            std::fs::read_to_string(out.join("index.html")).expect("r"),
            "two",
            "a failed render leaves the old folder"
        );
        assert_eq!(
            std::fs::read_dir(dir.path().join("site"))
                .expect("ls")
                .count(),
            1
        );
        let theirs = dir.path().join("theirs");
        std::fs::create_dir(&theirs).expect("mkdir");
        std::fs::write(theirs.join("notes.txt"), "keep").expect("w");
        let Err(Fatal(e)) = catalog(&theirs, "x") else {
            unreachable!("a folder of other files is refused")
        };
        assert!(e.contains("did not write"), "{e}");
        assert!(theirs.join("notes.txt").is_file());
        let file = dir.path().join("file");
        std::fs::write(&file, "x").expect("w");
        assert!(catalog(&file, "x").is_err());
        let empty = dir.path().join("empty");
        std::fs::create_dir(&empty).expect("mkdir");
        catalog(&empty, "ok").expect("an empty folder is replaced");
        // A link to a catalog: the catalog is replaced, the link stays.
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&out, &link).expect("link");
        catalog(&link, "three").expect("through the link");
        assert!(std::fs::symlink_metadata(&link)
            .expect("m")
            .file_type()
            .is_symlink());
        assert_eq!(
            std::fs::read_to_string(out.join("index.html")).expect("r"),
            "three"
        );
    }

    #[test]
    fn a_full_device_names_the_file() {
        if !Path::new("/dev/full").exists() {
            return;
        }
        let Err(Fatal(e)) = write_text(Path::new("/dev/full"), "x") else {
            unreachable!("/dev/full takes nothing")
        };
        assert!(e.contains("`/dev/full`"), "{e}");
        assert!(std::fs::metadata("/dev/full")
            .expect("m")
            .file_type()
            .is_char_device());
    }
}
