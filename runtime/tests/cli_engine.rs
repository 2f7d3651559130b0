//! `--engine` through the binary, without any server: every command that
//! runs queries takes it (or `YARDSTICK_ENGINE`); an engine nobody knows,
//! and a PostgreSQL nobody listens for, end with exit 2 and a message that
//! says what to do; and the password, from the URL or `PGPASSWORD`, is never
//! printed. The engine against a real PostgreSQL is tested from `.ci/run`
//! (`tests/engines/`).

#![allow(clippy::panic, clippy::unwrap_used)] // a test: failing loudly is the point

use std::path::Path;
use std::process::{Command, Output};

const SECRET: &str = "s3cret-Pa55";

fn spec() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../specs/cx")
        .display()
        .to_string()
}

fn yardstick(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_yardstick"));
    command
        .args(args)
        .args(["--color", "never"])
        .env_remove("YARDSTICK_ENGINE")
        .env_remove("PGPASSWORD");
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A loopback port nothing listens on (bound, then let go).
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// Each command that runs queries, on `specs/cx`, with `extra` args.
fn commands<'a>(spec: &'a str, url: &'a str) -> Vec<Vec<&'a str>> {
    vec![
        vec!["query", "nps", "--spec", spec, "--engine", url],
        vec![
            "query", "fcr", "--by", "channel", "--grain", "month", "--spec", spec, "--engine", url,
        ],
        vec!["explain", "fcr", "--spec", spec, "--engine", url],
        vec!["check", "--data", "--spec", spec, "--engine", url],
        vec!["reconcile", "--spec", spec, "--engine", url],
        vec!["test", "--spec", spec, "--engine", url],
    ]
}

#[test]
fn a_closed_port_is_exit_2_naming_the_server_without_the_password() {
    let spec = spec();
    let port = closed_port();
    let url = format!("postgres://ana:{SECRET}@127.0.0.1:{port}/metrics");
    for args in commands(&spec, &url) {
        let out = yardstick(&args, &[]);
        let shown = text(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {shown}");
        assert!(
            !shown.contains(SECRET),
            "{args:?} printed the password: {shown}"
        );
        assert!(
            shown.contains(&format!(
                "cannot connect to postgres://ana:***@127.0.0.1:{port}/metrics"
            )),
            "{args:?}: {shown}"
        );
        assert!(
            shown.contains("is PostgreSQL running and accepting connections"),
            "{args:?}: {shown}"
        );
    }
}

#[test]
fn the_environment_chooses_the_engine_and_pgpassword_is_not_printed() {
    let spec = spec();
    let url = format!("postgres://ana@127.0.0.1:{}/metrics", closed_port());
    let out = yardstick(
        &["query", "nps", "--spec", &spec],
        &[("YARDSTICK_ENGINE", &url), ("PGPASSWORD", SECRET)],
    );
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(2), "{shown}");
    assert!(
        shown.contains(&format!("cannot connect to {url}")),
        "{shown}"
    );
    assert!(!shown.contains(SECRET), "{shown}");
    // `--engine datafusion` wins over the environment.
    let out = yardstick(
        &["query", "nps", "--spec", &spec, "--engine", "datafusion"],
        &[("YARDSTICK_ENGINE", &url)],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

#[test]
fn unknown_engines_and_bad_urls_are_exit_2_without_the_password() {
    let spec = spec();
    for (url, says) in [
        (
            format!("mysql://root:{SECRET}@localhost/db"),
            "`mysql://` is not an engine",
        ),
        (
            format!("root:{SECRET}@localhost"),
            "an engine is `datafusion`",
        ),
        (
            format!("postgres://root:{SECRET}@localhost:99999/db"),
            "the port must be a number",
        ),
        (
            format!("postgres://root:{SECRET}@localhost:5432"),
            "names no database",
        ),
    ] {
        let out = yardstick(&["query", "nps", "--spec", &spec, "--engine", &url], &[]);
        let shown = text(&out);
        assert_eq!(out.status.code(), Some(2), "{url}: {shown}");
        assert!(shown.contains("--engine: "), "{url}: {shown}");
        assert!(shown.contains(says), "{url}: {shown}");
        assert!(!shown.contains(SECRET), "{url}: {shown}");
        let out = yardstick(
            &["query", "nps", "--spec", &spec],
            &[("YARDSTICK_ENGINE", &url)],
        );
        let shown = text(&out);
        assert_eq!(out.status.code(), Some(2), "{url}: {shown}");
        assert!(shown.contains("YARDSTICK_ENGINE: "), "{url}: {shown}");
        assert!(!shown.contains(SECRET), "{url}: {shown}");
    }
}

#[test]
fn the_embedded_engine_by_name_gives_the_default_answer() {
    let spec = spec();
    let args = [
        "query",
        "fcr",
        "--by",
        "channel",
        "--as-of",
        "2026-06-30",
        "--format",
        "csv",
        "--spec",
        &spec,
    ];
    let default = yardstick(&args, &[]);
    let named = yardstick(&[&args[..], &["--engine", "datafusion"]].concat(), &[]);
    assert_eq!(default.status.code(), Some(0), "{}", text(&default));
    assert_eq!(default.stdout, named.stdout);
}
