//! Pull-request review as `docs/ci.md` sets it up: a git repository whose
//! library lives in `metrics/`, a change on a branch, and `check` / `diff`
//! run from the repository root (or below it). Annotations and SARIF name
//! files from the repository root, so they land on the pull request; the
//! markdown comment shows a unified diff of each changed definition and
//! who approves an owner change.

#![allow(clippy::panic, clippy::unwrap_used)] // a test: failing loudly is the point

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn reference() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs/cx")
}

fn git(repo: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(repo)
        .output()
        .expect("git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn yardstick(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_yardstick"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .output()
        .expect("run")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A repository with `specs/cx`'s files in `metrics/`, committed on
/// `main`, then edited in the work tree as a pull request would.
fn repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let metrics = dir.path().join("metrics");
    std::fs::create_dir(&metrics).unwrap();
    for entry in std::fs::read_dir(reference()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yard") {
            std::fs::copy(&path, metrics.join(path.file_name().unwrap())).unwrap();
        }
    }
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-qm", "base"]);
    dir
}

fn edit(repo: &Path, file: &str, from: &str, to: &str) {
    let path = repo.join("metrics").join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{file} has no `{from}`");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

/// The 1-based line of the first line of `file` that starts with `start`.
fn line_of(repo: &Path, file: &str, start: &str) -> usize {
    let text = std::fs::read_to_string(repo.join("metrics").join(file)).unwrap();
    text.lines().position(|l| l.starts_with(start)).unwrap() + 1
}

#[test]
fn check_annotations_and_sarif_name_files_from_the_repository_root() {
    let repo = repository();
    edit(
        repo.path(),
        "experience.yard",
        "  lookback: 90d\n",
        "  lookbak: 90d\n",
    );
    let line = line_of(repo.path(), "experience.yard", "  lookbak:");
    // From the root, as in docs/ci.md, and from inside the library.
    for (cwd, spec) in [
        (repo.path().to_path_buf(), "metrics"),
        (repo.path().join("metrics"), "."),
    ] {
        let out = yardstick(&["check", "--spec", spec, "--format", "github"], &cwd);
        assert_eq!(out.status.code(), Some(1));
        let expected = format!("::error file=metrics/experience.yard,line={line},col=3,");
        assert!(stdout(&out).starts_with(&expected), "{}", stdout(&out));

        let out = yardstick(&["check", "--spec", spec, "--format", "sarif"], &cwd);
        let log: Value = serde_json::from_slice(&out.stdout).unwrap();
        let location = &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
        assert_eq!(
            location["artifactLocation"]["uri"],
            "metrics/experience.yard"
        );
        assert_eq!(location["region"]["startLine"], line);
        // No made-up address: each rule names the page that explains it.
        let driver = &log["runs"][0]["tool"]["driver"];
        assert!(driver.get("informationUri").is_none());
        assert!(driver["rules"][0]["help"]["text"]
            .as_str()
            .unwrap()
            .contains("docs/diagnostics.md"));
    }
}

#[test]
fn diff_against_the_base_branch_lands_on_the_changed_metric() {
    let repo = repository();
    // A meaning change without a version bump: an error, on fcr's line.
    edit(
        repo.path(),
        "support.yard",
        "  formula: count(where contacts_to_resolve == 1) / count()",
        "  formula: count(where contacts_to_resolve <= 2) / count()",
    );
    // An owner change: both owners approve.
    edit(
        repo.path(),
        "support.yard",
        "  title: \"Cost per ticket\"\n  owner: support_ops",
        "  title: \"Cost per ticket\"\n  owner: finance",
    );
    let line = line_of(repo.path(), "support.yard", "metric fcr {");
    let root = repo.path();

    let out = yardstick(
        &[
            "diff", "--spec", "metrics", "--base", "main", "--format", "github",
        ],
        root,
    );
    assert_eq!(out.status.code(), Some(1));
    let expected =
        format!("::error file=metrics/support.yard,line={line},title=yardstick%3A%3Adrift::`fcr`");
    assert!(
        stdout(&out).lines().any(|l| l.starts_with(&expected)),
        "{}",
        stdout(&out)
    );
    // experience_health reads fcr: it breaks through it, on its own line.
    let health = line_of(repo.path(), "experience.yard", "metric experience_health {");
    let expected = format!("::error file=metrics/experience.yard,line={health},");
    assert!(
        stdout(&out).lines().any(|l| l.starts_with(&expected)),
        "{}",
        stdout(&out)
    );

    let out = yardstick(
        &[
            "diff", "--spec", "metrics", "--base", "main", "--format", "sarif",
        ],
        root,
    );
    let log: Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    let fcr = results
        .iter()
        .find(|r| r["message"]["text"].as_str().unwrap().starts_with("`fcr`"))
        .unwrap();
    let at = &fcr["locations"][0]["physicalLocation"];
    assert_eq!(at["artifactLocation"]["uri"], "metrics/support.yard");
    assert_eq!(at["region"]["startLine"], line);

    let out = yardstick(
        &[
            "diff", "--spec", "metrics", "--base", "main", "--format", "markdown",
        ],
        root,
    );
    let md = stdout(&out);
    // A unified diff of the definition, not two whole blocks.
    assert!(
        md.contains("```diff\n--- a/support.yard\n+++ b/support.yard\n"),
        "{md}"
    );
    assert!(
        md.contains("\n-  formula: count(where contacts_to_resolve == 1) / count()\n"),
        "{md}"
    );
    assert!(
        md.contains("\n+  formula: count(where contacts_to_resolve <= 2) / count()\n"),
        "{md}"
    );
    // Three lines of context, numbered as in the files.
    let formula = line_of(
        repo.path(),
        "support.yard",
        "  formula: count(where contacts_to_resolve",
    );
    assert!(
        md.contains(&format!("\n@@ -{0},7 +{0},7 @@\n", formula - 3)),
        "{md}"
    );
    assert!(
        md.contains("\n   exclude: channel == \"internal\"\n"),
        "context lines: {md}"
    );
    assert!(
        !md.contains("\n   title: \"First contact resolution\""),
        "{md}"
    );
    // The owner change is metadata, approved by the old and the new owner.
    let row = md
        .lines()
        .find(|l| l.starts_with("| `cost_per_ticket` |"))
        .unwrap();
    assert!(
        row.contains("| metadata | owner |") && row.contains("finance, support_ops"),
        "{row}"
    );
    assert!(
        md.contains("-  owner: support_ops\n+  owner: finance\n"),
        "{md}"
    );
}

#[test]
fn a_project_file_at_the_root_lets_diff_run_without_spec() {
    let repo = repository();
    std::fs::write(
        repo.path().join("yardstick.toml"),
        "library = \"metrics\"\n",
    )
    .unwrap();
    git(repo.path(), &["add", "."]);
    git(repo.path(), &["commit", "-qm", "project"]);
    edit(
        repo.path(),
        "support.yard",
        "  version: 3\n",
        "  version: 2\n",
    );
    let out = yardstick(
        &["diff", "--base", "main", "--format", "github"],
        repo.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).starts_with("::error file=metrics/support.yard,"),
        "{}",
        stdout(&out)
    );
    // Outside git, files are named from the working directory.
    let plain = tempfile::tempdir().unwrap();
    let lib = plain.path().join("lib");
    std::fs::create_dir(&lib).unwrap();
    std::fs::write(lib.join("a.yard"), "metric m { formula: nope }\n").unwrap();
    let out = yardstick(
        &["check", "--spec", "lib", "--format", "github"],
        plain.path(),
    );
    assert!(
        stdout(&out).starts_with("::error file=lib/a.yard,line=1,"),
        "{}",
        stdout(&out)
    );
}
