//! `check` and `compile` through the real binary: exit codes, output
//! streams and formats (shared/design/CLI.md).

#![allow(clippy::panic, clippy::unwrap_used)] // a test or tool: failing loudly is the point

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn yardstick(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_yardstick"))
        .args(args)
        .env_remove("NO_COLOR")
        .output()
        .expect("run yardstick")
}

fn case(path: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/check")
        .join(path)
        .to_string_lossy()
        .into_owned()
}

/// A library folder holding one err case, so `--spec` can point at it.
fn err_library(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let from: PathBuf = case(&format!("err/{name}.yard")).into();
    std::fs::copy(&from, dir.path().join(format!("{name}.yard"))).expect("copy case");
    dir
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn a_clean_library_checks_with_exit_0_without_its_data() {
    // The ok library names data files that do not exist: check must not care.
    let out = yardstick(&["check", "--spec", &case("ok")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("0 errors, 0 warnings"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).is_empty());
}

#[test]
fn problems_exit_1_with_reports_on_stderr() {
    let lib = err_library("unit_mismatch");
    let spec = lib.path().to_string_lossy().into_owned();
    let out = yardstick(&["check", "--spec", &spec, "--color", "never"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("yardstick::unit::mismatch"), "{err}");
    assert!(err.contains("cannot add usd and eur"), "{err}");
    assert!(err.contains("unit_mismatch.yard:2:"), "{err}");
    assert!(!err.contains('\u{1b}'), "--color never printed escapes");
    assert!(stdout(&out).is_empty());
}

#[test]
fn color_always_colours_and_no_color_env_is_honoured() {
    let lib = err_library("unit_mismatch");
    let spec = lib.path().to_string_lossy().into_owned();
    let coloured = yardstick(&["check", "--spec", &spec, "--color", "always"]);
    assert!(stderr(&coloured).contains('\u{1b}'));
    let plain = Command::new(env!("CARGO_BIN_EXE_yardstick"))
        .args(["check", "--spec", &spec])
        .env("NO_COLOR", "1")
        .output()
        .expect("run");
    assert!(!stderr(&plain).contains('\u{1b}'));
}

#[test]
fn json_format_gives_the_same_problems_as_data() {
    let lib = err_library("name_unresolved");
    let spec = lib.path().to_string_lossy().into_owned();
    let out = yardstick(&["check", "--spec", &spec, "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json on stdout");
    let diags = value["diagnostics"].as_array().expect("diagnostics array");
    assert_eq!(value["errors"].as_u64(), Some(diags.len() as u64));
    let first = &diags[0];
    assert_eq!(first["code"], "yardstick::name::unresolved");
    assert_eq!(first["file"], "name_unresolved.yard");
    assert_eq!(first["severity"], "error");
    assert!(first["line"].as_u64().is_some_and(|l| l > 1));
    assert!(first["column"].as_u64().is_some());
    let helps: Vec<&str> = diags.iter().filter_map(|d| d["help"].as_str()).collect();
    assert!(helps.contains(&"did you mean `tickets`?"), "{helps:?}");
    // Sorted by file and position.
    let lines: Vec<u64> = diags.iter().filter_map(|d| d["line"].as_u64()).collect();
    assert!(lines.windows(2).all(|w| w[0] <= w[1]), "{lines:?}");
}

#[test]
fn github_format_prints_workflow_annotations() {
    let lib = err_library("field_unknown");
    let spec = lib.path().to_string_lossy().into_owned();
    let out = yardstick(&["check", "--spec", &spec, "--format", "github"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    // Outside git and outside the working directory, the library is named
    // as `--spec` gave it (see cli_review.rs for a repository).
    assert!(
        text.starts_with(&format!(
            "::error file={spec}/field_unknown.yard,line=5,col=3,"
        )),
        "{text}"
    );
    assert!(
        text.contains("title=yardstick%3A%3Afield%3A%3Aunknown::"),
        "{text}"
    );
}

#[test]
fn warnings_alone_exit_0() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("a.yard"),
        "source s { time: t columns { t: timestamp } }\nmetric m { version: 2 from: s formula: count() }\n",
    )
    .expect("write");
    let spec = dir.path().to_string_lossy().into_owned();
    let out = yardstick(&["check", "--spec", &spec]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("yardstick::changelog::missing"));
    assert!(stderr(&out).contains("0 errors, 1 warning"));
}

#[test]
fn a_missing_library_or_bad_arguments_exit_2() {
    let out = yardstick(&["check", "--spec", "/definitely/not/here"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("/definitely/not/here"));
    let out = yardstick(&["check", "--format", "yaml"]);
    assert_eq!(out.status.code(), Some(2));
    let out = yardstick(&["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_file_that_is_not_utf8_exits_2_naming_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("bad.yard"), [0xff, 0xfe, 0x00]).expect("write");
    let spec = dir.path().to_string_lossy().into_owned();
    let out = yardstick(&["check", "--spec", &spec]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("bad.yard"), "{}", stderr(&out));
}

#[test]
fn compile_emits_the_resolved_model_as_json() {
    let out = yardstick(&["compile", "--spec", &case("ok"), "--emit", "ir"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let ir: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let fcr = &ir["metrics"]["fcr"];
    assert_eq!(fcr["version"], 3);
    assert_eq!(fcr["definition"]["kind"], "base");
    assert_eq!(fcr["definition"]["time"], "resolved_at");
    assert_eq!(fcr["definition"]["lookback"]["unit"], "d");
    assert_eq!(ir["metrics"]["cost_per_ticket"]["unit"], "usd");
    // Typed IR: calls name their function, columns are resolved, every
    // node has a type.
    let formula = &fcr["definition"]["formula"];
    assert_eq!(formula["expr"], "binary");
    assert_eq!(formula["type"], "float");
    assert_eq!(formula["right"]["expr"], "call");
    assert_eq!(formula["right"]["function"], "count");
    let email = &ir["metrics"]["csat_email"];
    assert_eq!(email["variant_of"], "csat_rate");
    // A variant holds only its own filter; its base's stay on the base.
    let own = &email["definition"]["own_filters"];
    assert_eq!(own.as_array().map(Vec::len), Some(1));
    assert_eq!(own[0]["left"]["column"]["name"], "channel");
    assert_eq!(
        ir["metrics"]["experience_health"]["definition"]["inputs"],
        serde_json::json!(["fcr", "csat_rate", "repeat_contact_rate"])
    );
}

#[test]
fn compile_refuses_a_broken_library() {
    let lib = err_library("cycle");
    let spec = lib.path().to_string_lossy().into_owned();
    let out = yardstick(&["compile", "--spec", &spec]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).is_empty());
    assert!(stderr(&out).contains("yardstick::cycle"));
}

#[test]
fn lock_then_check_is_clean_and_drift_is_caught_and_never_recorded() {
    let dir = tempfile::tempdir().expect("temp dir");
    let spec = dir.path().to_string_lossy().into_owned();
    let yard = dir.path().join("a.yard");
    let library = "source s { time: t columns { t: timestamp x: float } }\n\
                   metric m { from: s formula: sum(x) / count() lookback: 30d }\n\
                   metric d { formula: m * 2 }\n";
    std::fs::write(&yard, library).expect("write");
    let locked = yardstick(&["lock", "--spec", &spec]);
    assert_eq!(locked.status.code(), Some(0), "{}", stderr(&locked));
    let lock_path = dir.path().join("yardstick.lock");
    let first = std::fs::read_to_string(&lock_path).expect("lock written");
    assert!(
        first.contains("metric m version 1 fingerprint sha256:"),
        "{first}"
    );
    // Locking again writes the same bytes; checking is clean.
    assert_eq!(yardstick(&["lock", "--spec", &spec]).status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(&lock_path).expect("lock"), first);
    assert_eq!(
        yardstick(&["check", "--spec", &spec]).status.code(),
        Some(0)
    );

    // A cosmetic rewrite is not drift.
    std::fs::write(
        &yard,
        library.replace("sum(x) / count()", "sum(x) / count(*)"),
    )
    .expect("w");
    assert_eq!(
        yardstick(&["check", "--spec", &spec]).status.code(),
        Some(0)
    );

    // A new lookback at the same version is drift, in m and through it in d.
    std::fs::write(&yard, library.replace("30d", "60d")).expect("w");
    let out = yardstick(&["check", "--spec", &spec, "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let codes: Vec<&str> = report["diagnostics"]
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    assert_eq!(codes, vec!["yardstick::drift", "yardstick::drift"]);
    // `lock` refuses to record it and leaves the lock as it was.
    assert_eq!(yardstick(&["lock", "--spec", &spec]).status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(&lock_path).expect("lock"), first);
}

#[test]
fn sarif_format_is_a_sarif_2_1_0_log() {
    // The full schema check runs in .ci/run (tests/oracle/sarif_schema.py).
    let lib = err_library("unit_mismatch");
    let spec = lib.path().to_string_lossy().into_owned();
    let out = yardstick(&["check", "--spec", &spec, "--format", "sarif"]);
    assert_eq!(out.status.code(), Some(1));
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "yardstick");
    let result = &run["results"][0];
    assert_eq!(result["ruleId"], "yardstick::unit::mismatch");
    assert_eq!(result["level"], "error");
    let region = &result["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], 2);
    assert_eq!(
        run["tool"]["driver"]["rules"][0]["id"],
        "yardstick::unit::mismatch"
    );
}
