//! `yardstick fmt` through the binary: `--check` changes nothing and exits
//! 1; a messy copy of `specs/cx` formats back into `specs/cx` byte for
//! byte, compiles to the same IR and `diff` finds only cosmetic changes; a
//! file that does not parse is left alone; a rewritten file keeps its mode.

#![allow(clippy::panic, clippy::unwrap_used)] // a test: failing loudly is the point

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn reference() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs/cx")
}

fn yardstick(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_yardstick"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The `.yard` files of `specs/cx` as (name, text), sorted.
fn reference_files() -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(reference())
        .expect("specs/cx")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yard"))
        .map(|p| {
            let name = p.file_name().expect("name").to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).expect("read"))
        })
        .collect();
    files.sort();
    files
}

/// The same text laid out badly: indentation scrambled, trailing blanks,
/// doubled blank lines and two spaces after each field's colon. Strings
/// and comments are left as they are, so the meaning is the same.
fn messy(text: &str) -> String {
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let line = if trimmed.contains('"') || trimmed.contains("//") {
            trimmed.to_owned()
        } else {
            trimmed.replacen(": ", ":  ", 1).replace(", ", " ,")
        };
        out.push_str(&"\t ".repeat(i % 3));
        out.push_str(&line);
        out.push_str(if i % 2 == 0 { "   \n" } else { "\n" });
        if trimmed.is_empty() {
            out.push('\n');
        }
    }
    out
}

#[test]
fn the_reference_library_is_formatted() {
    let dir = tempfile::tempdir().expect("dir");
    let out = yardstick(
        &["fmt", "--check", "--spec", &reference().to_string_lossy()],
        dir.path(),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert_eq!(text(&out.stdout), "");
    assert!(text(&out.stderr).contains("0 of 8 files would be reformatted"));
}

#[test]
fn a_messy_copy_formats_back_to_the_reference_with_the_same_meaning() {
    let dir = tempfile::tempdir().expect("dir");
    let (base, head) = (dir.path().join("base"), dir.path().join("head"));
    for d in [&base, &head] {
        std::fs::create_dir(d).expect("mkdir");
    }
    for (name, original) in reference_files() {
        let scrambled = messy(&original);
        assert_ne!(scrambled, original);
        std::fs::write(base.join(&name), &scrambled).expect("write");
        std::fs::write(head.join(&name), &scrambled).expect("write");
    }

    // --check lists every file and writes nothing.
    let check = yardstick(&["fmt", "--check", "head"], dir.path());
    assert_eq!(check.status.code(), Some(1), "{}", text(&check.stderr));
    let listed: Vec<String> = text(&check.stdout).lines().map(str::to_owned).collect();
    let names: Vec<String> = reference_files()
        .into_iter()
        .map(|(n, _)| format!("head/{n}"))
        .collect();
    assert_eq!(listed, names);
    for (name, original) in reference_files() {
        assert_eq!(
            std::fs::read_to_string(head.join(&name)).expect("r"),
            messy(&original)
        );
    }

    // fmt rewrites them into the reference, byte for byte.
    let fmt = yardstick(&["fmt", "head"], dir.path());
    assert_eq!(fmt.status.code(), Some(0), "{}", text(&fmt.stderr));
    assert_eq!(text(&fmt.stdout).lines().count(), names.len());
    for (name, original) in reference_files() {
        assert_eq!(
            std::fs::read_to_string(head.join(&name)).expect("r"),
            original,
            "{name}"
        );
    }
    let again = yardstick(&["fmt", "--check", "head"], dir.path());
    assert_eq!(again.status.code(), Some(0));

    // The same typed IR, and only cosmetic changes for diff.
    let ir = |spec: &str| {
        text(&yardstick(&["compile", "--emit", "ir", "--spec", spec], dir.path()).stdout)
    };
    assert!(ir("head").contains("\"metrics\""));
    assert_eq!(ir("base"), ir("head"));
    let diff = yardstick(
        &[
            "diff", "--format", "json", "--base", "base", "--spec", "head",
        ],
        dir.path(),
    );
    assert_eq!(diff.status.code(), Some(0), "{}", text(&diff.stderr));
    let json: serde_json::Value = serde_json::from_slice(&diff.stdout).expect("json");
    let changes = json["changes"].as_array().expect("changes");
    assert!(!changes.is_empty(), "declarations were written differently");
    for change in changes {
        assert_eq!(change["kind"], "cosmetic", "{change}");
    }
}

#[test]
fn a_file_that_does_not_parse_is_left_alone_and_the_others_are_formatted() {
    let dir = tempfile::tempdir().expect("dir");
    let broken = "metric m {\n   formula: count(\n}\n";
    std::fs::write(dir.path().join("broken.yard"), broken).expect("w");
    std::fs::write(dir.path().join("fine.yard"), "owner o {name: \"O\"}").expect("w");
    let out = yardstick(&["fmt", "--spec", "."], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("yardstick::syntax::error"), "{stderr}");
    assert!(
        stderr.contains("1 of 2 files reformatted; 1 not formatted"),
        "{stderr}"
    );
    assert_eq!(text(&out.stdout), "./fine.yard\n");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("broken.yard")).expect("r"),
        broken
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("fine.yard")).expect("r"),
        "owner o {\n  name: \"O\"\n}\n"
    );
}

#[test]
fn a_rewritten_file_keeps_its_mode_and_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("o.yard");
    std::fs::write(&path, "owner o {name: \"O\"}\n").expect("w");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    let out = yardstick(&["fmt", "o.yard"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let mode = std::fs::metadata(&path).expect("m").permissions().mode();
    assert_eq!(mode & 0o777, 0o640);
    assert_eq!(std::fs::read_dir(dir.path()).expect("ls").count(), 1);
    // Already formatted: not written again.
    let before = std::fs::metadata(&path)
        .expect("m")
        .modified()
        .expect("mtime");
    std::thread::sleep(std::time::Duration::from_millis(20));
    let out = yardstick(&["fmt", "o.yard"], dir.path());
    assert_eq!(
        (out.status.code(), text(&out.stdout)),
        (Some(0), String::new())
    );
    assert_eq!(
        std::fs::metadata(&path)
            .expect("m")
            .modified()
            .expect("mtime"),
        before
    );
}

#[test]
fn a_missing_path_is_exit_2_naming_it() {
    let dir = tempfile::tempdir().expect("dir");
    let out = yardstick(&["fmt", "nowhere.yard"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("`nowhere.yard`"));
}
