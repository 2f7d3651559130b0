//! The composite GitHub Action (`action.yml` at the repository root): its
//! check and diff steps' scripts, run with bash as the runner would, in a
//! git repository with the library in `metrics/` and a breaking change.

#![allow(clippy::panic, clippy::unwrap_used)] // a test: failing loudly is the point

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The `run: |` script of the step named `name`.
fn script(name: &str) -> String {
    let action = std::fs::read_to_string(root().join("action.yml")).unwrap();
    let mut lines = action
        .lines()
        .skip_while(|l| l.trim() != format!("- name: {name}"));
    assert!(lines.next().is_some(), "no step `{name}`");
    let mut lines = lines.skip_while(|l| l.trim() != "run: |");
    let run = lines.next().unwrap();
    let indent = run.len() - run.trim_start().len() + 2;
    lines
        .take_while(|l| l.trim().is_empty() || l.len() - l.trim_start().len() >= indent)
        .map(|l| l.get(indent..).unwrap_or("").to_owned() + "\n")
        .collect()
}

fn git(repo: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .current_dir(repo)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs a step's script; returns its stdout and the outputs it set.
fn run_step(name: &str, repo: &Path, env: &[(&str, &str)]) -> (String, String) {
    let outputs = repo.join("github_output");
    std::fs::write(&outputs, "").unwrap();
    let bin = Path::new(env!("CARGO_BIN_EXE_yardstick")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("bash")
        .args(["-e", "-c", &script(name)])
        .current_dir(repo)
        .env("PATH", path)
        .env("GITHUB_OUTPUT", &outputs)
        .env("RUNNER_TEMP", repo)
        .envs(env.iter().copied())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        std::fs::read_to_string(&outputs).unwrap(),
    )
}

#[test]
fn the_action_annotates_and_writes_the_markdown_comment() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    std::fs::create_dir(repo.join("metrics")).unwrap();
    for entry in std::fs::read_dir(root().join("specs/cx")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yard") {
            std::fs::copy(&path, repo.join("metrics").join(path.file_name().unwrap())).unwrap();
        }
    }
    git(repo, &["init", "-q", "-b", "main"]);
    git(repo, &["add", "."]);
    git(repo, &["commit", "-qm", "base"]);
    let support = repo.join("metrics/support.yard");
    let text = std::fs::read_to_string(&support).unwrap();
    std::fs::write(
        &support,
        text.replace("contacts_to_resolve == 1", "contacts_to_resolve <= 2"),
    )
    .unwrap();

    let (stdout, outputs) = run_step(
        "Check (annotations on the changed lines)",
        repo,
        &[("SPEC", "metrics")],
    );
    assert_eq!((stdout.as_str(), outputs.as_str()), ("", "status=0\n"));

    let (stdout, outputs) = run_step(
        "Diff against the base",
        repo,
        &[("SPEC", "metrics"), ("BASE", "main")],
    );
    assert!(
        stdout.contains("::error file=metrics/support.yard,"),
        "{stdout}"
    );
    assert!(outputs.starts_with("status=1\n"), "{outputs}");
    let markdown = std::fs::read_to_string(repo.join("yardstick-diff.md")).unwrap();
    assert!(
        markdown.contains("| `fcr` | breaking | formula |"),
        "{markdown}"
    );
    assert!(markdown.contains("+  formula: count(where contacts_to_resolve <= 2) / count()"));
}
