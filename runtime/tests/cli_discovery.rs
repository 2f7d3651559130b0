//! `list`, `describe` and `completions` through the binary on `specs/cx`.
//! Expected names and counts are read off the `.yard` files by hand.

#![allow(clippy::panic, clippy::unwrap_used)] // a test: failing loudly is the point

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn yardstick(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_yardstick"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("run yardstick")
}

fn ok(out: &Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn first_words(text: &str) -> Vec<&str> {
    text.lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect()
}

#[test]
fn list_metrics_has_one_line_per_metric_in_name_order() {
    let text = ok(&yardstick(&["list", "metrics", "--spec", "specs/cx"]));
    // 7 in experience.yard, 2 in finance.yard, 4 in quality.yard, 4 in
    // revenue.yard, 11 in support.yard.
    let names = first_words(&text);
    assert_eq!(names.len(), 28, "{text}");
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(names, sorted);
    let nps = text.lines().find(|l| l.starts_with("nps ")).expect("nps");
    assert!(nps.contains("Net Promoter Score"), "{nps}");
    assert!(nps.contains("cx_insights"), "{nps}");
}

#[test]
fn search_matches_name_title_and_description_ignoring_case() {
    // "satisf": csat_rate's title and doc comment, csat_email's title.
    let text = ok(&yardstick(&[
        "list", "metrics", "--spec", "specs/cx", "--search", "SATISF",
    ]));
    assert_eq!(first_words(&text), ["csat_email", "csat_rate"], "{text}");
    // By name only.
    let text = ok(&yardstick(&[
        "list", "metrics", "--spec", "specs/cx", "--search", "defects_",
    ]));
    assert_eq!(
        first_words(&text),
        ["defects_caught_early", "defects_found"],
        "{text}"
    );
    // Nothing matches: exit 0, nothing on stdout, a hint on stderr.
    let out = yardstick(&["list", "owners", "--spec", "specs/cx", "--search", "zzz"]);
    assert_eq!(ok(&out), "");
    assert!(String::from_utf8_lossy(&out.stderr).contains("--search"));
}

#[test]
fn list_owners_sources_and_dimensions() {
    let owners = ok(&yardstick(&["list", "owners", "--spec", "specs/cx"]));
    assert_eq!(
        first_words(&owners),
        [
            "cx_insights",
            "cx_leadership",
            "finance",
            "quality_eng",
            "support_ops"
        ]
    );
    let support = owners
        .lines()
        .find(|l| l.starts_with("support_ops"))
        .unwrap();
    assert!(support.contains("escalates to cx_leadership"), "{support}");
    let sources = ok(&yardstick(&["list", "sources", "--spec", "specs/cx"]));
    assert_eq!(
        first_words(&sources),
        [
            "accounts",
            "arr_snapshots",
            "defects",
            "journeys",
            "ledger",
            "renewals",
            "surveys",
            "tickets"
        ]
    );
    let dims = ok(&yardstick(&["list", "dimensions", "--spec", "specs/cx"]));
    // tickets: channel, region, priority, accounts.segment, accounts.plan.
    let channel = dims.lines().find(|l| l.starts_with("channel ")).unwrap();
    assert!(channel.contains("surveys, tickets"), "{channel}");
    assert!(dims.lines().any(|l| l.starts_with("accounts.segment ")));
    assert!(dims.lines().any(|l| l.starts_with("priority ")));
}

#[test]
fn describe_shows_the_definition_as_written_and_the_graph_around_it() {
    let text = ok(&yardstick(&["describe", "fcr", "--spec", "specs/cx"]));
    for expected in [
        "First contact resolution",
        "version     3",
        "unit        ratio",
        "support_ops -> cx_leadership",
        "channel, region, accounts.segment",
        "source tickets",
        // experience_health = 40 * fcr + 40 * csat_rate + 20 * (1 - repeat_contact_rate)
        "dependents  experience_health",
        "3: Exclude the internal channel",
        "2: Count only resolved tickets",
        "support.yard:4",
        "    formula: count(where contacts_to_resolve == 1) / count()",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
    let derived = ok(&yardstick(&[
        "describe",
        "experience_health",
        "--spec",
        "specs/cx",
    ]));
    assert!(
        derived.contains("metrics fcr, csat_rate, repeat_contact_rate"),
        "{derived}"
    );
    let base = ok(&yardstick(&["describe", "csat_rate", "--spec", "specs/cx"]));
    assert!(base.contains("csat_email (variant)"), "{base}");
}

#[test]
fn an_unknown_metric_is_exit_2_with_a_suggestion() {
    let out = yardstick(&["describe", "csat_rat", "--spec", "specs/cx"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("did you mean `csat_rate`"), "{err}");
    let out = yardstick(&["describe", "qqqqqqqq", "--spec", "specs/cx"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("yardstick list metrics"));
}

#[test]
fn completions_for_each_shell_name_the_subcommands() {
    for shell in ["bash", "zsh", "fish"] {
        let script = ok(&yardstick(&["completions", shell]));
        for sub in ["query", "describe", "list"] {
            assert!(script.contains(sub), "{shell}: no {sub}");
        }
    }
    let out = yardstick(&["completions", "powershell"]);
    assert_eq!(out.status.code(), Some(2));
}
