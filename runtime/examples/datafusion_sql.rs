//! Hand-written SQL on DataFusion as a whole process, the baseline of
//! `tests/bench/side_by_side.py`: registers Parquet files as tables with a
//! default session (as `datafusion-cli` would) and prints the result as CSV.
//! It allocates with mimalloc, as `datafusion-cli` and `yardstick` do.
//!
//! `cargo run -p yardstick --example datafusion_sql -- [--set KEY=VALUE]... NAME=FILE.parquet... -- SQL`
//!
//! `--set` changes a session setting (`datafusion.execution.target_partitions=1`),
//! to measure the settings a query runs best with.

#![allow(clippy::panic, clippy::unwrap_used)] // a tool: failing loudly is the point

use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use datafusion::prelude::{ParquetReadOptions, SessionConfig, SessionContext};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let split = args
        .iter()
        .position(|a| a == "--")
        .expect("usage: datafusion_sql NAME=FILE... -- SQL");
    let sql = args[split + 1..].join(" ");
    let mut config = SessionConfig::new();
    let mut tables = Vec::new();
    let mut options = args[..split].iter();
    while let Some(arg) = options.next() {
        if arg == "--set" {
            let setting = options.next().expect("--set KEY=VALUE");
            let (key, value) = setting.split_once('=').expect("KEY=VALUE");
            config
                .options_mut()
                .set(key, value)
                .expect("a session setting");
        } else {
            tables.push(arg);
        }
    }
    let ctx = SessionContext::new_with_config(config);
    for table in tables {
        let (name, path) = table.split_once('=').expect("NAME=FILE");
        ctx.register_parquet(name, path, ParquetReadOptions::default())
            .await
            .expect("register");
    }
    let batches = ctx
        .sql(&sql)
        .await
        .expect("sql")
        .collect()
        .await
        .expect("run");
    // Plain comma-separated values: the bench compares numbers, and no
    // value here holds a comma.
    let mut header = true;
    let options = FormatOptions::default().with_null("");
    for b in &batches {
        if header {
            let names: Vec<&str> = b
                .schema_ref()
                .fields()
                .iter()
                .map(|f| f.name().as_str())
                .collect();
            println!("{}", names.join(","));
            header = false;
        }
        let columns: Vec<ArrayFormatter> = b
            .columns()
            .iter()
            .map(|c| ArrayFormatter::try_new(c.as_ref(), &options).expect("format"))
            .collect();
        for row in 0..b.num_rows() {
            let cells: Vec<String> = columns.iter().map(|c| c.value(row).to_string()).collect();
            println!("{}", cells.join(","));
        }
    }
}
