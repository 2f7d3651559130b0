//! Fuzzing the runtime on the stable toolchain, in process: mangled Parquet
//! and CSV files under a copy of `specs/cx`, and random valid queries on
//! it. A case passes when the command answers or fails with a message; it
//! fails when the panic boundary (`yardstick::guard`) had to catch a panic
//! ("internal error").
//!
//! Plain `cargo test` runs a few cases per target. `.ci/run` sets
//! `YARDSTICK_FUZZ_SECONDS=60` to run each target for a minute;
//! `YARDSTICK_FUZZ_SEED` replays a run (the seed is printed on failure).

#![allow(clippy::panic, clippy::unwrap_used)] // a test: failing loudly is the point

use clap::Parser;
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use yardstick::cli::Cli;

/// The boundary's state is per process: one target at a time.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// Cases per target without a time budget.
const QUICK_CASES: usize = 6;

fn cx() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs/cx")
}

/// A copy of `specs/cx` to mangle.
fn copy_of_cx() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for entry in walkdir::WalkDir::new(cx()) {
        let entry = entry.expect("entry");
        let relative = entry.path().strip_prefix(cx()).expect("inside");
        let to = dir.path().join(relative);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&to).expect("mkdir");
        } else {
            std::fs::copy(entry.path(), &to).expect("copy");
        }
    }
    dir
}

/// Runs `yardstick ARGS` in process: `Ok` or the message of a failure.
fn run(args: &[String]) -> Result<(), String> {
    let cli =
        Cli::try_parse_from(std::iter::once("yardstick".to_owned()).chain(args.iter().cloned()))
            .map_err(|e| e.to_string())?;
    match yardstick::run(&cli) {
        Ok(_) => Ok(()),
        Err(yardstick::Fatal(message)) => Err(message),
    }
}

/// Runs `case` with fresh random numbers until the budget is spent.
fn fuzz(name: &str, mut case: impl FnMut(&mut ChaCha8Rng) -> Option<String>) {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    yardstick::guard::install_panic_hook();
    let budget = std::env::var("YARDSTICK_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .map(Duration::from_secs);
    let seed = std::env::var("YARDSTICK_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or_else(|| match budget {
            Some(_) => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(1),
            None => 12,
        });
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let started = Instant::now();
    let mut cases = 0;
    loop {
        let done = match budget {
            Some(b) => started.elapsed() >= b,
            None => cases >= QUICK_CASES,
        };
        if done {
            break;
        }
        cases += 1;
        if let Some(crash) = case(&mut rng) {
            panic!("{name}: case {cases} of seed {seed} crashed: {crash}");
        }
    }
    eprintln!(
        "{name}: {cases} cases in {:?}, seed {seed}",
        started.elapsed()
    );
}

/// A crash is a caught panic; any other failure is an answer.
fn crash(args: &[String]) -> Option<String> {
    match run(args) {
        Err(message) if message.contains("internal error") => Some(format!("{args:?}: {message}")),
        _ => None,
    }
}

/// `bytes` with a random mutation: flipped bytes, a cut, a splice of its
/// own bytes, an overwritten footer, or inserted junk.
fn mangle(bytes: &[u8], rng: &mut ChaCha8Rng, junk: &[&[u8]]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    let len = out.len().max(1);
    match rng.random_range(0..6) {
        0 => {
            for _ in 0..rng.random_range(1..16) {
                let i = rng.random_range(0..len);
                if let Some(b) = out.get_mut(i) {
                    *b ^= 1 << rng.random_range(0..8);
                }
            }
        }
        1 => out.truncate(rng.random_range(0..len)),
        2 => {
            let a = rng.random_range(0..len);
            let b = rng.random_range(0..len);
            let (from, to) = (a.min(b), a.max(b).min(out.len()));
            let piece = out.get(from..to).unwrap_or(&[]).to_vec();
            let at = rng.random_range(0..len).min(out.len());
            out.splice(at..at, piece);
        }
        3 => {
            // The last 8 bytes: a footer length and a magic number.
            let n = out.len();
            for b in &mut out[n.saturating_sub(8)..] {
                *b = rng.random();
            }
        }
        4 => {
            for _ in 0..rng.random_range(1..8) {
                let at = rng.random_range(0..len).min(out.len());
                let piece = junk[rng.random_range(0..junk.len())];
                out.splice(at..at, piece.iter().copied());
            }
        }
        _ => {
            let start = rng.random_range(0..len).min(out.len());
            let end = (start + rng.random_range(0..4096)).min(out.len());
            for b in &mut out[start..end] {
                *b = rng.random();
            }
        }
    }
    out
}

fn query(spec: &Path, metric: &str, extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = ["query", metric, "--format", "csv", "--output"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    args.push(spec.join("out.csv").display().to_string());
    args.push("--spec".to_owned());
    args.push(spec.display().to_string());
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

#[test]
fn mangled_parquet_files_never_crash() {
    let dir = copy_of_cx();
    let file = dir.path().join("data/tickets.parquet");
    let good = std::fs::read(&file).expect("tickets");
    let junk: &[&[u8]] = &[b"PAR1", &[0xff; 16], &[0; 64], b"\x15\x00\x15\x9c"];
    fuzz("parquet", |rng| {
        std::fs::write(&file, mangle(&good, rng, junk)).expect("write");
        crash(&query(dir.path(), "fcr", &["--by", "channel"]))
            .or_else(|| crash(&query(dir.path(), "time_to_resolve", &["--grain", "month"])))
    });
}

#[test]
fn mangled_csv_files_never_crash() {
    let dir = copy_of_cx();
    let file = dir.path().join("data/surveys.csv");
    let good = std::fs::read(&file).expect("surveys");
    let junk: &[&[u8]] = &[
        b"\"",
        b",",
        b"\n",
        b"\r\n",
        "\u{feff}".as_bytes(),
        &[0xc3, 0x28],
        b"\"a\"\"b\"",
        b"9999999999999999999999",
        b"NaN",
        b"2026-13-45T99:99:99Z",
    ];
    fuzz("csv", |rng| {
        std::fs::write(&file, mangle(&good, rng, junk)).expect("write");
        crash(&query(dir.path(), "csat_rate", &["--by", "region"]))
            .or_else(|| crash(&query(dir.path(), "nps", &["--grain", "quarter"])))
    });
}

const GRAINS: &[&str] = &["day", "week", "month", "quarter", "year"];
const VALUES: &[&str] = &["NA", "EMEA", "email", "chat", "smb", "urgent", "", "x\"y"];

#[test]
fn random_valid_queries_never_crash() {
    let compiled = yardstick_compiler::compile(yardstick::library_files::read(&cx()).expect("cx"));
    let metrics: Vec<(&String, &Vec<String>)> = compiled
        .library
        .metrics
        .iter()
        .map(|(name, m)| (name, &m.dimensions))
        .collect();
    let out = tempfile::tempdir().expect("out");
    fuzz("queries", |rng| {
        let mut chosen: Vec<&(&String, &Vec<String>)> = Vec::new();
        for _ in 0..rng.random_range(1..4) {
            chosen.push(&metrics[rng.random_range(0..metrics.len())]);
        }
        // Dimensions every chosen metric allows.
        let shared: Vec<&String> = chosen[0]
            .1
            .iter()
            .filter(|d| chosen.iter().all(|(_, dims)| dims.contains(d)))
            .collect();
        let mut args: Vec<String> = vec!["query".to_owned()];
        args.extend(chosen.iter().map(|(n, _)| n.to_string()));
        args.extend(["--spec".to_owned(), cx().display().to_string()]);
        args.extend([
            "--format".to_owned(),
            "json".to_owned(),
            "--output".to_owned(),
        ]);
        args.push(out.path().join("q.json").display().to_string());
        if !shared.is_empty() && rng.random_bool(0.7) {
            let by = shared[rng.random_range(0..shared.len())];
            args.extend(["--by".to_owned(), by.clone()]);
        }
        if rng.random_bool(0.5) {
            let grain = GRAINS[rng.random_range(0..GRAINS.len())];
            args.extend(["--grain".to_owned(), grain.to_owned()]);
        }
        if rng.random_bool(0.3) {
            let day = rng.random_range(1..28);
            let month = rng.random_range(1..13);
            args.extend(["--as-of".to_owned(), format!("2026-{month:02}-{day:02}")]);
        }
        if !shared.is_empty() && rng.random_bool(0.4) {
            let dim = shared[rng.random_range(0..shared.len())];
            let value = VALUES[rng.random_range(0..VALUES.len())].replace('"', "\\\"");
            let op = ["==", "!="][rng.random_range(0..2)];
            args.extend(["--where".to_owned(), format!("{dim} {op} \"{value}\"")]);
        }
        crash(&args)
    });
}
