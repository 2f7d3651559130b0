//! How long `diff` takes between two 5,000-metric libraries (the head has
//! breaking, metadata and cosmetic edits), beside checking one library
//! (the baseline: diff compiles both sides, then compares).
//!
//! Run: `cargo bench -p yardstick-compiler --bench diff_library`.

#![allow(clippy::panic, clippy::unwrap_used)] // a tool: failing loudly is the point

mod library_gen;

use std::time::{Duration, Instant};
use yardstick_compiler::drift::diff::{diff, Side};

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn main() {
    let base_files = library_gen::library(50, 80);
    // Edits in every file: a lookback (breaking), a title (metadata) and a
    // reformatted formula (cosmetic).
    let head_files: Vec<_> = base_files
        .iter()
        .map(|f| {
            let mut f = f.clone();
            f.text = f
                .text
                .replacen("lookback: 90d", "lookback: 60d", 2)
                .replacen("title: \"Score", "title: \"NPS-like score", 3)
                .replacen("sum(handle_minutes)", "sum( handle_minutes )", 4);
            f
        })
        .collect();
    let runs = 7;
    let check = median(
        (0..runs)
            .map(|_| {
                let input = base_files.clone();
                let start = Instant::now();
                let c = std::hint::black_box(yardstick_compiler::compile(input));
                let t = start.elapsed();
                drop(c);
                t
            })
            .collect(),
    );
    let mut changed = 0;
    let total = median(
        (0..runs)
            .map(|_| {
                let (b, h) = (base_files.clone(), head_files.clone());
                let start = Instant::now();
                let base = yardstick_compiler::compile(b);
                let head = yardstick_compiler::compile(h);
                let changes = diff(
                    &Side {
                        library: &base.library,
                        sources: &base.sources,
                    },
                    &Side {
                        library: &head.library,
                        sources: &head.sources,
                    },
                );
                let t = start.elapsed();
                changed = changes.len();
                drop((base, head, changes));
                t
            })
            .collect(),
    );
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "libraries: {} metrics each, {changed} changed",
        yardstick_compiler::compile(base_files.clone())
            .library
            .metrics
            .len()
    );
    println!("check one library (baseline): {:>8.1} ms", ms(check));
    println!("diff (compile both + compare): {:>8.1} ms", ms(total));
    println!("ratio diff/check: {:.2}", ms(total) / ms(check));
}
