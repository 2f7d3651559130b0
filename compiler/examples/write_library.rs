//! Writes the benchmarks' generated library (`benches/library_gen.rs`: 50
//! files, 5,000 metrics) to a folder, to time `yardstick check` on it as a
//! whole process (`docs/benchmarks.md`).
//!
//! `cargo run -p yardstick-compiler --example write_library -- OUT_DIR`

#![allow(clippy::panic, clippy::unwrap_used)] // a tool: failing loudly is the point

#[path = "../benches/library_gen.rs"]
mod library_gen;

fn main() {
    let out = std::env::args()
        .nth(1)
        .expect("usage: write_library OUT_DIR");
    let out = std::path::Path::new(&out);
    std::fs::create_dir_all(out).expect("create OUT_DIR");
    for file in library_gen::library(50, 80) {
        std::fs::write(out.join(&file.path), file.text).expect("write");
    }
}
