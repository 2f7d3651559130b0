//! The `yardstick` binary: parses the command line, runs it, and exits
//! 0 (success), 1 (the library or data fails a check) or 2 (the command
//! could not run).

use clap::Parser;
use std::process::ExitCode;
use yardstick::{cli::Cli, Exit, Fatal};

/// mimalloc rather than the system allocator: faster on the many small
/// allocations of parsing and checking, and on queries with many
/// aggregates (docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    yardstick::guard::install_panic_hook();
    yardstick::outfile::clean_up_on_signals();
    yardstick::mapped_files::exit_on_bus_error();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match yardstick::run(&cli) {
        Ok(Exit::Ok) => ExitCode::SUCCESS,
        Ok(Exit::Failed) => ExitCode::from(1),
        Ok(Exit::Refused) => ExitCode::from(2),
        Err(Fatal(message)) => {
            yardstick::stdio::eprintln(&format!("error: {}", yardstick::guard::sanitize(&message)));
            ExitCode::from(2)
        }
    }
}
