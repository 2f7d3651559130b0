//! How long `check` takes on a large library: parse alone (the baseline),
//! then the whole front end (parse, resolve, type-check), side by side.
//!
//! Run: `cargo bench -p yardstick-compiler --bench check_library`
//! (release mode). Prints the median of several runs and the ratio.

#![allow(clippy::panic, clippy::unwrap_used)] // a test or tool: failing loudly is the point

mod library_gen;

use std::time::{Duration, Instant};
use yardstick_compiler::diagnostics::Diagnostics;
use yardstick_compiler::span::SourceMap;

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn main() {
    let files = library_gen::library(50, 80);
    let lines: usize = files.iter().map(|f| f.text.lines().count()).sum();
    let metrics = yardstick_compiler::compile(files.clone())
        .library
        .metrics
        .len();
    let check = yardstick_compiler::compile(files.clone());
    assert!(
        check.diagnostics.is_empty(),
        "the generated library must be clean: {:?}",
        check.diagnostics.iter().next()
    );

    let runs = 9;
    let parse = median(
        (0..runs)
            .map(|_| {
                let sources = SourceMap::new(files.clone());
                let start = Instant::now();
                let mut diags = Diagnostics::new();
                let trees = std::hint::black_box(yardstick_compiler::parse(&sources, &mut diags));
                let elapsed = start.elapsed();
                drop(trees);
                elapsed
            })
            .collect(),
    );
    let full = median(
        (0..runs)
            .map(|_| {
                let input = files.clone();
                let start = Instant::now();
                let compiled = std::hint::black_box(yardstick_compiler::compile(input));
                let elapsed = start.elapsed();
                // Freeing the result is not part of checking (the command
                // line exits without it).
                drop(compiled);
                elapsed
            })
            .collect(),
    );
    let resolve = median(
        (0..runs)
            .map(|_| {
                let sources = SourceMap::new(files.clone());
                let mut diags = Diagnostics::new();
                let trees = yardstick_compiler::parse(&sources, &mut diags);
                let parsed: Vec<_> = sources
                    .files()
                    .zip(&trees)
                    .map(|((_, f), ast)| yardstick_compiler::resolve::ParsedFile {
                        path: &f.path,
                        ast,
                    })
                    .collect();
                let start = Instant::now();
                let library = yardstick_compiler::resolve::resolve(&parsed, &mut diags);
                let elapsed = start.elapsed();
                drop(std::hint::black_box(library));
                elapsed
            })
            .collect(),
    );
    println!(
        "library: {} files, {lines} lines, {metrics} metrics",
        files.len()
    );
    println!(
        "parse only (baseline): {:>8.1} ms",
        parse.as_secs_f64() * 1e3
    );
    println!(
        "check (parse+resolve+types): {:>8.1} ms",
        full.as_secs_f64() * 1e3
    );
    println!(
        "  of which resolve+types: {:>8.1} ms",
        resolve.as_secs_f64() * 1e3
    );
    println!(
        "ratio check/parse: {:.2}",
        full.as_secs_f64() / parse.as_secs_f64()
    );
}
