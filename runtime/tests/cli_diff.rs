//! `yardstick diff` on a corpus of mutated copies of `specs/cx`: each
//! mutation must be classified exactly (kind, parts, via, error,
//! approvers). The base is a directory, or a git revision.

#![allow(clippy::panic, clippy::unwrap_used)] // a test: failing loudly is the point

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn reference() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs/cx")
}

/// A copy of the reference library's `.yard` files.
fn copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp");
    for entry in std::fs::read_dir(reference()).expect("specs/cx") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "yard") {
            std::fs::copy(&path, dir.path().join(path.file_name().expect("name"))).expect("copy");
        }
    }
    dir
}

fn edit(dir: &Path, file: &str, from: &str, to: &str) {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).expect("read");
    assert!(text.contains(from), "{file} has no `{from}`");
    std::fs::write(&path, text.replacen(from, to, 1)).expect("write");
}

/// `diff --format json` of `head` against `base`: (exit code, changes).
fn diff(base: &Path, head: &Path) -> (i32, Vec<Value>) {
    let out = Command::new(env!("CARGO_BIN_EXE_yardstick"))
        .args(["diff", "--format", "json", "--base"])
        .arg(base)
        .arg("--spec")
        .arg(head)
        .output()
        .expect("run");
    let value: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (
        out.status.code().unwrap_or(-1),
        value["changes"].as_array().expect("changes").clone(),
    )
}

fn change<'a>(changes: &'a [Value], metric: &str) -> &'a Value {
    changes
        .iter()
        .find(|c| c["metric"] == metric)
        .unwrap_or_else(|| panic!("no change for {metric}: {changes:?}"))
}

fn strings(v: &Value) -> Vec<&str> {
    v.as_array()
        .expect("array")
        .iter()
        .filter_map(Value::as_str)
        .collect()
}

#[test]
fn an_unchanged_library_has_no_changes() {
    let head = copy();
    let (code, changes) = diff(&reference(), head.path());
    assert_eq!((code, changes.len()), (0, 0), "{changes:?}");
}

#[test]
fn layout_and_comments_are_cosmetic_and_field_order_too() {
    let head = copy();
    edit(
        head.path(),
        "support.yard",
        "  formula: sum(cost_usd) / count()\n  assert: >= 0",
        "  assert: >= 0   // moved up\n  formula:   sum(cost_usd)/count(*)",
    );
    let (code, changes) = diff(&reference(), head.path());
    assert_eq!(code, 0);
    assert_eq!(changes.len(), 1, "{changes:?}");
    let c = change(&changes, "cost_per_ticket");
    assert_eq!(c["kind"], "cosmetic");
    assert_eq!(c["error"], false);
}

#[test]
fn metadata_edits_name_their_fields() {
    let head = copy();
    edit(
        head.path(),
        "experience.yard",
        "title: \"Net Promoter Score\"",
        "title: \"NPS\"",
    );
    edit(
        head.path(),
        "experience.yard",
        "    target: >= 30",
        "    target: >= 35",
    );
    let (code, changes) = diff(&reference(), head.path());
    assert_eq!(code, 0);
    let c = change(&changes, "nps");
    assert_eq!(c["kind"], "metadata");
    assert_eq!(strings(&c["parts"]), vec!["sla", "title"]);
}

#[test]
fn a_breaking_change_without_a_bump_is_an_error_and_reaches_derived_metrics() {
    let head = copy();
    edit(
        head.path(),
        "support.yard",
        "  lookback: 90d\n  dimensions: channel, region, accounts.segment\n  sla",
        "  lookback: 60d\n  dimensions: channel, region, accounts.segment\n  sla",
    );
    let (code, changes) = diff(&reference(), head.path());
    assert_eq!(code, 1);
    let fcr = change(&changes, "fcr");
    assert_eq!(fcr["kind"], "breaking");
    assert_eq!(strings(&fcr["parts"]), vec!["lookback"]);
    assert_eq!(fcr["error"], true);
    assert_eq!(fcr["base_version"], 3);
    assert_eq!(strings(&fcr["approvers"]), vec!["support_ops"]);
    let health = change(&changes, "experience_health");
    assert_eq!(health["kind"], "breaking_dependency");
    assert_eq!(strings(&health["via"]), vec!["fcr"]);
    assert_eq!(health["error"], true);
    assert_eq!(strings(&health["approvers"]), vec!["cx_leadership"]);
    assert_eq!(changes.len(), 2, "{changes:?}");
}

#[test]
fn a_breaking_change_with_a_bump_is_no_error() {
    let head = copy();
    edit(
        head.path(),
        "experience.yard",
        "metric nps {\n  title: \"Net Promoter Score\"\n  version: 1",
        "metric nps {\n  title: \"Net Promoter Score\"\n  version: 2",
    );
    edit(
        head.path(),
        "experience.yard",
        "  min_sample: 30",
        "  min_sample: 50",
    );
    edit(
        head.path(),
        "experience.yard",
        "where: survey_type == \"nps\"",
        "where: survey_type == \"nps\" and channel != \"phone\"",
    );
    let (code, changes) = diff(&reference(), head.path());
    assert_eq!(code, 0);
    let c = change(&changes, "nps");
    assert_eq!(c["kind"], "breaking");
    assert_eq!(strings(&c["parts"]), vec!["filters", "min_sample"]);
    // One more condition: fewer rows.
    assert_eq!(c["filters"], "narrows");
    assert_eq!(
        (c["base_version"].clone(), c["version"].clone()),
        (Value::from(1), Value::from(2))
    );
    assert_eq!(c["error"], false);
}

#[test]
fn a_change_to_a_base_metric_reaches_its_variants() {
    let head = copy();
    edit(
        head.path(),
        "experience.yard",
        "formula: count(where score >= 4) / count()",
        "formula: count(where score == 5) / count()",
    );
    let (_, changes) = diff(&reference(), head.path());
    assert_eq!(change(&changes, "csat_rate")["kind"], "breaking");
    let email = change(&changes, "csat_email");
    assert_eq!(email["kind"], "breaking_dependency");
    assert_eq!(strings(&email["via"]), vec!["csat_rate"]);
}

#[test]
fn removals_need_deprecation_and_additions_are_listed() {
    // Base: tickets_opened deprecated; head: both tickets_opened and
    // accounts_contacting removed, and a new metric added.
    let base = copy();
    edit(
        base.path(),
        "support.yard",
        "  unit: count\n  from: tickets\n  formula: count()",
        "  unit: count\n  from: tickets\n  formula: count()\n  deprecated: true",
    );
    let head = copy();
    let support = std::fs::read_to_string(head.path().join("support.yard")).expect("read");
    let cut = support.find("/// Tickets opened.").expect("tickets_opened");
    std::fs::write(
        head.path().join("support.yard"),
        format!("{}\nmetric phone_share {{ from: tickets formula: count(where channel == \"phone\") / count() }}\n", &support[..cut]),
    )
    .expect("write");
    let (code, changes) = diff(base.path(), head.path());
    assert_eq!(code, 1);
    let opened = change(&changes, "tickets_opened");
    assert_eq!(
        (opened["kind"].clone(), opened["error"].clone()),
        (Value::from("removed"), Value::from(false))
    );
    let contacting = change(&changes, "accounts_contacting");
    assert_eq!(
        (contacting["kind"].clone(), contacting["error"].clone()),
        (Value::from("removed"), Value::from(true))
    );
    assert_eq!(change(&changes, "phone_share")["kind"], "added");
}

#[test]
fn an_owner_change_on_a_breaking_change_needs_both_owners() {
    let head = copy();
    edit(
        head.path(),
        "support.yard",
        "  owner: support_ops\n  tier: lagging\n  unit: usd",
        "  owner: finance\n  tier: lagging\n  unit: usd",
    );
    edit(
        head.path(),
        "support.yard",
        "  exclude: channel == \"internal\"\n  formula: sum(cost_usd) / count()",
        "  formula: sum(cost_usd) / count()",
    );
    let (_, changes) = diff(&reference(), head.path());
    let c = change(&changes, "cost_per_ticket");
    assert_eq!(c["kind"], "breaking");
    assert_eq!(strings(&c["parts"]), vec!["filters"]);
    // An exclusion taken away: more rows.
    assert_eq!(c["filters"], "widens");
    assert_eq!(strings(&c["approvers"]), vec!["finance", "support_ops"]);
}

#[test]
fn a_version_going_down_is_an_error() {
    let head = copy();
    edit(head.path(), "support.yard", "  version: 3", "  version: 2");
    let (code, changes) = diff(&reference(), head.path());
    assert_eq!(code, 1);
    assert_eq!(change(&changes, "fcr")["error"], true);
}

#[test]
fn the_base_can_be_a_git_revision() {
    let repo = copy();
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .arg("-C")
            .arg(repo.path())
            .args(args)
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .output()
            .expect("git");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "base"]);
    edit(
        repo.path(),
        "revenue.yard",
        "  lookback: 1y",
        "  lookback: 2y",
    );
    let (code, changes) = diff(Path::new("HEAD"), repo.path());
    assert_eq!(code, 1, "{changes:?}");
    assert_eq!(
        change(&changes, "net_revenue_retention")["kind"],
        "breaking"
    );
    // The work tree is untouched.
    let text = std::fs::read_to_string(repo.path().join("revenue.yard")).expect("read");
    assert!(text.contains("lookback: 2y"));
}

#[test]
fn a_rewritten_filter_is_incomparable() {
    let head = copy();
    edit(
        head.path(),
        "experience.yard",
        "where: survey_type == \"nps\"",
        "where: survey_type == \"csat\"",
    );
    let (_, changes) = diff(&reference(), head.path());
    let c = change(&changes, "nps");
    assert_eq!(c["filters"], "incomparable");
    // Changes to anything else carry no `filters` field.
    assert!(changes
        .iter()
        .filter(|c| c["metric"] != "nps")
        .all(|c| c.get("filters").is_none()));
}

#[test]
fn with_data_both_definitions_are_evaluated_on_the_same_rows() {
    let head = copy();
    // The head reads copies of the reference data files (a symlink out of
    // the library would be outside its roots: docs/security.md).
    let data = reference().join("data");
    std::fs::create_dir(head.path().join("data")).expect("data folder");
    for entry in std::fs::read_dir(&data).expect("reference data") {
        let entry = entry.expect("entry");
        std::fs::copy(
            entry.path(),
            head.path().join("data").join(entry.file_name()),
        )
        .expect("copy data");
    }
    edit(
        head.path(),
        "support.yard",
        "  exclude: channel == \"internal\"\n  formula: sum(cost_usd) / count()",
        "  formula: sum(cost_usd) / count()",
    );
    let out = Command::new(env!("CARGO_BIN_EXE_yardstick"))
        .args(["diff", "--data", "--format", "json", "--base"])
        .arg(reference())
        .arg("--spec")
        .arg(head.path())
        .output()
        .expect("run");
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let values = report["values"].as_array().expect("values");
    assert_eq!(values.len(), 1, "{values:?}");
    let v = &values[0];
    assert_eq!(v["metric"], "cost_per_ticket");
    // The same answers as querying each definition on its own.
    let query = |spec: &Path| -> f64 {
        let out = Command::new(env!("CARGO_BIN_EXE_yardstick"))
            .args(["query", "cost_per_ticket", "--format", "json", "--spec"])
            .arg(spec)
            .output()
            .expect("run");
        let rows: Value = serde_json::from_slice(&out.stdout).expect("json");
        rows[0]["cost_per_ticket"].as_f64().expect("number")
    };
    let (before, after) = (query(&reference()), query(head.path()));
    assert_eq!(v["base"].as_f64(), Some(before));
    assert_eq!(v["head"].as_f64(), Some(after));
    assert!((v["delta"].as_f64().expect("delta") - (after - before)).abs() < 1e-12);
    // The change as a share of the base, the unit as declared
    // (`unit: usd` in support.yard), and the date both were read at: a
    // query at that date gives the same value.
    let percent = (after - before) / before.abs() * 100.0;
    assert!((v["percent"].as_f64().expect("percent") - percent).abs() < 1e-9);
    assert_eq!(v["unit"], "usd");
    let as_of = v["as_of"].as_str().expect("as_of");
    let at = Command::new(env!("CARGO_BIN_EXE_yardstick"))
        .args([
            "query",
            "cost_per_ticket",
            "--format",
            "json",
            "--as-of",
            as_of,
            "--spec",
        ])
        .arg(head.path())
        .output()
        .expect("run");
    let rows: Value = serde_json::from_slice(&at.stdout).expect("json");
    assert_eq!(rows[0]["cost_per_ticket"].as_f64(), Some(after));
    // Largest moves first; a group on one side only (here the internal
    // channel, no longer excluded) has no delta and comes first.
    let moves = v["largest_moves"].as_array().expect("moves");
    assert_eq!(moves[0]["value"], "internal");
    assert!(moves[0]["base"].is_null() && moves[0]["head"].is_number());
    let sizes: Vec<f64> = moves
        .iter()
        .map(|m| m["delta"].as_f64().map(f64::abs).unwrap_or(f64::INFINITY))
        .collect();
    assert!(sizes.windows(2).all(|w| w[0] >= w[1]), "{sizes:?}");
}

#[test]
fn pointing_a_source_at_another_file_is_a_breaking_change_of_its_metrics() {
    let head = copy();
    edit(
        head.path(),
        "sources.yard",
        "path: \"data/surveys.csv\"",
        "path: \"data/surveys_2026.csv\"",
    );
    let (code, changes) = diff(&reference(), head.path());
    assert_eq!(code, 1, "{changes:?}");
    let nps = change(&changes, "nps");
    assert_eq!(nps["kind"], "breaking");
    assert_eq!(strings(&nps["parts"]), vec!["source"]);
    // Tickets' metrics read another source: untouched.
    assert!(changes.iter().all(|c| c["metric"] != "fcr"), "{changes:?}");
}

#[test]
fn the_same_file_written_another_way_is_the_same_source() {
    let head = copy();
    edit(
        head.path(),
        "sources.yard",
        "path: \"data/surveys.csv\"",
        "path: \"./data/../data/surveys.csv\"",
    );
    let (code, changes) = diff(&reference(), head.path());
    assert_eq!(code, 0, "{changes:?}");
    assert!(
        changes.iter().all(|c| c["kind"] == "cosmetic"),
        "{changes:?}"
    );
}
