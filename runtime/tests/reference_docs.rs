//! The reference docs stay true: every ```yard example of
//! `docs/reference/language.md` compiles clean and its `test` blocks pass
//! (the examples together are one library, each block one file), and
//! `docs/reference/cli.md` mentions every subcommand and every long option
//! of the clap `Cli`.

#![allow(clippy::panic, clippy::unwrap_used)] // a test: failing loudly is the point

use clap::CommandFactory;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(doc: &str) -> String {
    std::fs::read_to_string(root().join(doc)).unwrap_or_else(|e| panic!("{doc}: {e}"))
}

/// The bodies of the ```yard fenced blocks of `markdown`.
fn yard_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```yard") => current = Some(String::new()),
            (Some(block), "```") => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            (Some(block), _) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    assert!(current.is_none(), "an unclosed ```yard block");
    blocks
}

fn yardstick(args: &[&str], spec: &Path) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_yardstick"))
        .args(args)
        .arg("--spec")
        .arg(spec)
        .arg("--color")
        .arg("never")
        .output()
        .expect("run yardstick");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), text)
}

#[test]
fn every_language_example_compiles_clean_and_its_tests_pass() {
    let blocks = yard_blocks(&read("docs/reference/language.md"));
    assert!(blocks.len() >= 8, "only {} examples", blocks.len());
    let dir = tempfile::tempdir().unwrap();
    for (i, block) in blocks.iter().enumerate() {
        std::fs::write(dir.path().join(format!("example_{i:02}.yard")), block).unwrap();
    }
    let (code, text) = yardstick(&["check"], dir.path());
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("0 errors, 0 warnings"), "{text}");
    let (code, text) = yardstick(&["test"], dir.path());
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains(" 0 failed"), "{text}");
    // Each form of `expect` the page documents is among the examples.
    let all = blocks.concat();
    for form in [
        " grain week {",
        " by channel as of ",
        " by channel grain week {",
        " within 0.0001",
    ] {
        assert!(all.contains(form), "no example of `{form}`");
    }
}

#[test]
fn the_cli_reference_names_every_subcommand_and_option() {
    let doc = read("docs/reference/cli.md");
    let cli = yardstick::cli::Cli::command();
    let mut missing = Vec::new();
    for long in cli.get_arguments().filter_map(|a| a.get_long()) {
        if !doc.contains(&format!("--{long}")) {
            missing.push(format!("--{long}"));
        }
    }
    for sub in cli.get_subcommands() {
        let name = sub.get_name();
        if !doc.contains(&format!("## `yardstick {name}`")) {
            missing.push(format!("a section `yardstick {name}`"));
        }
        for long in sub.get_arguments().filter_map(|a| a.get_long()) {
            if !doc.contains(&format!("--{long}")) {
                missing.push(format!("{name} --{long}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "docs/reference/cli.md lacks {missing:?}"
    );
}

#[test]
fn the_readme_links_the_reference_and_nothing_outside_the_repository() {
    let readme = read("README.md");
    assert!(readme.contains("docs/reference/language.md"));
    assert!(readme.contains("docs/reference/cli.md"));
    assert!(
        !readme.contains("shared/"),
        "README points outside the repository"
    );
}
