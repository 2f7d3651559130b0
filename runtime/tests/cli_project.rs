//! The project root: without `--spec`, commands work on the library named
//! by the nearest `yardstick.toml` at or above the working directory; its
//! `data_roots` are relative to it, and apply to that library however it
//! is named. Run through the binary in temporary directory trees.

#![allow(clippy::panic, clippy::unwrap_used)] // a test: failing loudly is the point

use std::path::Path;
use std::process::{Command, Output};

fn yardstick(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_yardstick"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn write(root: &Path, path: &str, text: &str) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

const CLEAN: &str = "source s {\n  path: \"../data/s.csv\"\n  columns {\n    n: int\n  }\n}\n\n\
                     metric total {\n  from: s\n  formula: sum(n)\n}\n";

/// root/yardstick.toml names lib/; tests/ holds a broken fixture; data/
/// sits beside the library.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "yardstick.toml",
        "library = \"lib\"\ndata_roots = [\"data\"]\n",
    );
    write(root, "lib/s.yard", CLEAN);
    write(root, "data/s.csv", "n\n1\n2\n39\n");
    write(
        root,
        "tests/broken.yard",
        "metric broken { formula: nope }\n",
    );
    dir
}

#[test]
fn check_from_anywhere_in_the_project_checks_its_library_only() {
    let dir = project();
    for cwd in [".", "tests", "lib", "data"] {
        let out = yardstick(&["check"], &dir.path().join(cwd));
        assert_eq!(out.status.code(), Some(0), "from {cwd}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("0 errors, 0 warnings in 1 file\n"),
            "{}",
            stderr(&out)
        );
    }
    // The fixtures are still checkable on their own.
    let out = yardstick(&["check", "--spec", "tests"], dir.path());
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn the_project_data_roots_apply_to_its_library_however_it_is_named() {
    let dir = project();
    let out = yardstick(
        &["query", "total", "--format", "csv"],
        &dir.path().join("tests"),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "total\n42\n");
    let out = yardstick(&["check", "--spec", "lib"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // A copy of the library elsewhere is not named by the project file:
    // the data beside it is outside its roots.
    write(dir.path(), "copy/s.yard", CLEAN);
    let out = yardstick(&["check", "--spec", "copy"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("yardstick::source::outside_roots"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn fmt_and_lock_without_spec_work_on_the_project_library() {
    let dir = project();
    write(
        dir.path(),
        "lib/s.yard",
        &CLEAN.replace("  from: s\n", "from:s\n"),
    );
    let out = yardstick(&["fmt", "--check"], &dir.path().join("tests"));
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).ends_with("lib/s.yard\n"));
    let out = yardstick(&["lock"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(dir.path().join("lib/yardstick.lock").is_file());
    assert!(!dir.path().join("yardstick.lock").exists());
}

#[test]
fn a_project_file_naming_no_directory_or_unknown_keys_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "yardstick.toml", "library = \"nowhere\"\n");
    let out = yardstick(&["check"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("names the library `nowhere`"),
        "{}",
        stderr(&out)
    );
    write(dir.path(), "yardstick.toml", "libary = \"lib\"\n");
    let out = yardstick(&["check"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("libary"), "{}", stderr(&out));
}

#[test]
fn without_a_project_file_the_library_is_the_working_directory() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a/m.yard", "metric broken { formula: nope }\n");
    let out = yardstick(&["check"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("in 1 file\n"), "{}", stderr(&out));
}

#[test]
fn check_at_the_repository_root_checks_the_bundled_library() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = yardstick(&["check"], &root);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("0 errors, 0 warnings in 8 files"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn an_editor_file_belongs_to_the_project_library_or_to_its_own_folder() {
    let root = tempfile::tempdir().expect("dir");
    write(root.path(), "yardstick.toml", "library = \"metrics\"\n");
    write(root.path(), "metrics/sub/a.yard", "");
    write(root.path(), "tests/fixture/b.yard", "");
    let holding = |file: &str| yardstick::project::library_holding(&root.path().join(file));
    let canonical = |dir: &str| root.path().join(dir).canonicalize().expect("dir");
    // Inside the named library: the whole library, not the file's folder.
    assert_eq!(
        holding("metrics/sub/a.yard").canonicalize().unwrap(),
        canonical("metrics")
    );
    // A fixture beside it is a library of its own.
    assert_eq!(
        holding("tests/fixture/b.yard"),
        root.path().join("tests/fixture")
    );
}
