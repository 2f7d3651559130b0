//! Writes the benchmarks' tickets table (see `benches/support/tickets.rs`)
//! to a Parquet file, for `tests/bench/side_by_side.py`.
//!
//! `cargo run -p yardstick --example generate_tickets -- OUT.parquet ROWS`

#![allow(clippy::panic, clippy::unwrap_used)] // a tool: failing loudly is the point

#[path = "../benches/support/tickets.rs"]
mod tickets;

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(out), Some(rows)) = (args.next(), args.next()) else {
        panic!("usage: generate_tickets OUT.parquet ROWS");
    };
    let rows: usize = rows.parse().expect("ROWS is a number");
    let out = std::path::PathBuf::from(out);
    // Written beside and renamed, so a stopped run leaves no half file.
    let partial = out.with_extension("parquet.partial");
    tickets::generate(&partial, rows);
    std::fs::rename(&partial, &out).expect("rename");
}
