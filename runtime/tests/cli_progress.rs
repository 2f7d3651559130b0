//! The spinner on long queries, through the binary: shown on a terminal
//! (a pseudo-terminal made by util-linux's `script`), never in a pipe. The
//! tests set the delay to 0 so a small query counts as long.

#![allow(clippy::panic, clippy::unwrap_used)] // a test: failing loudly is the point

use std::path::Path;
use std::process::Command;

fn spec() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../specs/cx")
        .display()
        .to_string()
}

#[test]
fn a_terminal_sees_what_is_being_read() {
    let command = format!(
        "{} query fcr --spec {} --as-of 2026-06-30",
        env!("CARGO_BIN_EXE_yardstick"),
        spec()
    );
    let out = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env("YARDSTICK_PROGRESS_AFTER_MS", "0")
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{shown}");
    assert!(
        shown.contains("reading tickets (data/tickets.parquet)"),
        "{shown}"
    );
    // The result still follows, and the spinner's line was cleared.
    assert!(shown.contains("as of 2026-06-30"), "{shown}");
}

#[test]
fn a_pipe_sees_no_spinner() {
    let out = Command::new(env!("CARGO_BIN_EXE_yardstick"))
        .args(["query", "fcr", "--as-of", "2026-06-30", "--spec", &spec()])
        .env("YARDSTICK_PROGRESS_AFTER_MS", "0")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains("reading"), "{stdout}");
}
