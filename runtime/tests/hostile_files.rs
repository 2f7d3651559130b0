//! Untrusted specs and odd destinations, through the binary: sources read
//! only inside the library directory and its `data_roots` (the base's, in
//! `diff`); globs never walk the file system; `--output` never replaces a
//! special file and honours the umask; a closed stdout ends quietly; table
//! output escapes control characters.

#![allow(clippy::panic, clippy::unwrap_used)] // a test: failing loudly is the point

use std::io::Read;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const LIBRARY: &str = r#"
source events {
  path: "events.csv"
  time: t
  dimensions: id
  columns { id: string  t: timestamp  n: int }
}
metric total { from: events formula: sum(n) }
"#;

const GOOD_CSV: &str = "id,t,n\na,2026-01-01T00:00:00Z,3\nb,2026-01-02T00:00:00Z,4\n";

fn library(path: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("lib.yard"),
        LIBRARY.replace("events.csv", path),
    )
    .expect("write");
    dir
}

fn yardstick(args: &[&str], spec: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_yardstick"))
        .args(args)
        .arg("--spec")
        .arg(spec)
        .output()
        .expect("run")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn a_source_outside_the_roots_is_a_diagnostic_and_is_never_read() {
    let dir = library("/proc/self/environ");
    for args in [&["check"][..], &["query", "total"][..]] {
        let out = yardstick(args, dir.path());
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(err.contains("yardstick::source::outside_roots"), "{err}");
        assert!(err.contains("lib.yard:3:"), "the span of `path`: {err}");
        // Nothing of the environment is printed.
        assert!(!err.contains("PATH="), "{err}");
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn a_symlink_out_of_the_library_is_refused_at_read_time() {
    let dir = library("data/*.csv");
    std::fs::create_dir(dir.path().join("data")).expect("mkdir");
    std::os::unix::fs::symlink("/etc/passwd", dir.path().join("data/users.csv")).expect("link");
    let out = yardstick(&["query", "total"], dir.path());
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("/etc/passwd") && err.contains("outside"),
        "{err}"
    );
    assert!(!err.contains("root:"), "{err}");
}

#[test]
fn data_roots_in_yardstick_toml_allow_a_folder_outside() {
    let data = tempfile::tempdir().expect("data");
    std::fs::write(data.path().join("events.csv"), GOOD_CSV).expect("w");
    let dir = library(&data.path().join("events.csv").display().to_string());
    assert_eq!(yardstick(&["check"], dir.path()).status.code(), Some(1));
    std::fs::write(
        dir.path().join("yardstick.toml"),
        format!("data_roots = [{:?}]\n", data.path().display().to_string()),
    )
    .expect("toml");
    let out = yardstick(&["query", "total", "--format", "csv"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "total\n7\n");
}

#[test]
fn a_glob_over_the_whole_file_system_is_refused_at_once() {
    let dir = library("/**/*.nomatch");
    let started = std::time::Instant::now();
    let out = yardstick(&["check"], dir.path());
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(started.elapsed().as_secs() < 10);
}

#[test]
fn diff_uses_the_base_librarys_roots_not_the_heads() {
    let base = library("events.csv");
    std::fs::write(base.path().join("events.csv"), GOOD_CSV).expect("w");
    let head = library("/etc/passwd");
    // The head widens its own roots; the base's (none) decide.
    std::fs::write(
        head.path().join("yardstick.toml"),
        "data_roots = [\"/etc\"]\n",
    )
    .expect("w");
    let out = Command::new(env!("CARGO_BIN_EXE_yardstick"))
        .args(["diff", "--data", "--base"])
        .arg(base.path())
        .arg("--spec")
        .arg(head.path())
        .output()
        .expect("run");
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("yardstick::source::outside_roots"), "{err}");
    assert!(!err.contains("root:"), "{err}");
}

fn query_to(spec: &Path, output: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_yardstick"))
        .args(["query", "total", "--format", "csv", "--spec"])
        .arg(spec)
        .arg("--output")
        .arg(output)
        .output()
        .expect("run")
}

fn good_library() -> tempfile::TempDir {
    let dir = library("events.csv");
    std::fs::write(dir.path().join("events.csv"), GOOD_CSV).expect("w");
    dir
}

#[test]
fn outputs_take_the_umask_and_keep_an_existing_mode() {
    let dir = good_library();
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "umask 027 && exec {} query total --format csv --spec {} --output {}",
            env!("CARGO_BIN_EXE_yardstick"),
            dir.path().display(),
            dir.path().join("new.csv").display()
        ))
        .output()
        .expect("sh");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mode = |p: &Path| std::fs::metadata(p).expect("m").permissions().mode() & 0o777;
    assert_eq!(mode(&dir.path().join("new.csv")), 0o640);
    let existing = dir.path().join("old.csv");
    std::fs::write(&existing, "x").expect("w");
    std::fs::set_permissions(&existing, std::fs::Permissions::from_mode(0o664)).expect("chmod");
    assert_eq!(query_to(dir.path(), &existing).status.code(), Some(0));
    assert_eq!(mode(&existing), 0o664);
    assert_eq!(std::fs::read_to_string(&existing).expect("r"), "total\n7\n");
}

#[test]
fn a_symlink_is_written_through_and_stays_a_link() {
    let dir = good_library();
    let target = dir.path().join("target.csv");
    std::fs::write(&target, "old").expect("w");
    let link = dir.path().join("link.csv");
    std::os::unix::fs::symlink(&target, &link).expect("link");
    assert_eq!(query_to(dir.path(), &link).status.code(), Some(0));
    assert!(std::fs::symlink_metadata(&link)
        .expect("m")
        .file_type()
        .is_symlink());
    assert_eq!(std::fs::read_to_string(&target).expect("r"), "total\n7\n");
}

#[test]
fn a_fifo_is_written_through_and_a_full_device_is_named() {
    let dir = good_library();
    let fifo = dir.path().join("pipe");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let mut text = String::new();
            std::fs::File::open(&fifo)
                .expect("open")
                .read_to_string(&mut text)
                .expect("r");
            text
        })
    };
    assert_eq!(query_to(dir.path(), &fifo).status.code(), Some(0));
    assert_eq!(reader.join().expect("reader"), "total\n7\n");
    assert!(std::fs::symlink_metadata(&fifo)
        .expect("m")
        .file_type()
        .is_fifo());

    let out = query_to(dir.path(), Path::new("/dev/full"));
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("`/dev/full`"), "{}", stderr(&out));
    assert!(std::fs::metadata("/dev/full")
        .expect("m")
        .file_type()
        .is_char_device());

    let out = query_to(dir.path(), dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("is a directory"), "{}", stderr(&out));
}

#[test]
fn control_characters_in_table_cells_are_escaped() {
    let dir = library("events.csv");
    let text = "id,t,n\n\"a\u{1b}]0;owned\u{7}\u{1b}[2J\",2026-01-01T00:00:00Z,3\n";
    std::fs::write(dir.path().join("events.csv"), text).expect("w");
    let out = yardstick(&["query", "total", "--by", "id"], dir.path());
    let table = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        !table.contains('\u{1b}') && !table.contains('\u{7}'),
        "{table:?}"
    );
    assert!(table.contains(r"a\u{1b}]0;owned\u{7}\u{1b}[2J"), "{table}");
}

/// Runs with stdout a pipe whose reader is already gone.
fn closed_stdout(args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_yardstick"))
        .args(args)
        .current_dir(root())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    drop(child.stdout.take());
    child.wait_with_output().expect("wait")
}

#[test]
fn a_closed_stdout_ends_quietly() {
    for (args, code) in [
        (&["compile", "--emit", "ir", "--spec", "specs/cx"][..], 0),
        (&["check", "--format", "json", "--spec", "specs/cx"][..], 0),
        (&["test", "--spec", "specs/cx"][..], 0),
        (&["explain", "nps", "--spec", "specs/cx"][..], 0),
    ] {
        let out = closed_stdout(args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {err}");
        assert!(
            !err.contains("panicked") && !err.contains("failed printing"),
            "{err}"
        );
    }
}

#[test]
fn memory_limits_are_read_and_named() {
    let dir = good_library();
    let out = yardstick(&["query", "total", "--memory-limit", "lots"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not a size"), "{}", stderr(&out));
    let out = yardstick(&["query", "total", "--memory-limit", "64MiB"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn a_huge_line_in_a_library_file_is_not_echoed() {
    let dir = tempfile::tempdir().expect("dir");
    let junk = format!("junk{}\n", "x".repeat(10 << 20));
    std::fs::write(dir.path().join("lib.yard"), junk).expect("w");
    let out = yardstick(&["check"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.len() < 2_000, "{} bytes of stderr", err.len());
    assert!(
        err.contains("lib.yard:1:1 (the line is too long to show)"),
        "{err}"
    );
}

#[test]
fn escapes_in_a_library_file_do_not_reach_the_terminal() {
    let dir = tempfile::tempdir().expect("dir");
    let text = "// \u{1b}]0;owned\u{7}\u{1b}[2J\nmetric m { from: nowhere formula: count() }\n";
    std::fs::write(dir.path().join("lib.yard"), text).expect("w");
    let out = yardstick(&["check", "--color", "never"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("no source named `nowhere`"), "{err}");
    assert!(!err.contains('\u{1b}') && !err.contains('\u{7}'), "{err:?}");
}

#[test]
fn a_query_beyond_its_memory_limit_stops_naming_it() {
    // count(DISTINCT ...) by a unique key: DataFusion's pool undercounts
    // its per-group accumulators (2M rows reach 20 GB unbounded).
    let dir = library("events.csv");
    let mut text = String::from("id,t,n\n");
    for i in 0..400_000 {
        text.push_str(&format!("k{i},2026-01-01T00:00:00Z,{}\n", i % 1000));
    }
    std::fs::write(dir.path().join("events.csv"), text).expect("w");
    let yard = std::fs::read_to_string(dir.path().join("lib.yard")).expect("r");
    std::fs::write(
        dir.path().join("lib.yard"),
        yard + "metric ns { from: events formula: count_distinct(n) }\n",
    )
    .expect("w");
    let out = Command::new(env!("CARGO_BIN_EXE_yardstick"))
        .args([
            "query",
            "ns",
            "--by",
            "id",
            "--format",
            "csv",
            "--memory-limit",
            "96MiB",
        ])
        .arg("--spec")
        .arg(dir.path())
        .arg("--output")
        .arg(dir.path().join("out.csv"))
        .output()
        .expect("run");
    let err = stderr(&out);
    match out.status.code() {
        Some(0) => assert!(dir.path().join("out.csv").exists()),
        Some(2) => {
            assert!(
                err.contains("100.7 MB (96.0 MiB)") && err.contains("--memory-limit"),
                "{err}"
            );
            assert!(!dir.path().join("out.csv").exists());
        }
        other => panic!("exit {other:?}: {err}"),
    }
}
