//! The `yardstick` binary: reads the library, runs a command, and exits
//! 0 (success), 1 (the library or data fails a check) or 2 (the command
//! could not run).

mod cli;
mod commands;
mod library_files;
mod report;

use clap::Parser;
use std::process::ExitCode;

/// How a command ended.
pub enum Outcome {
    Ok,
    /// The library or the data failed a check; diagnostics were printed.
    Failed,
}

/// A command that could not run: bad arguments, unreadable files.
#[derive(Debug)]
pub struct Fatal(pub String);

impl<E: std::fmt::Display> From<E> for Fatal {
    fn from(e: E) -> Fatal {
        Fatal(e.to_string())
    }
}

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let style = report::Style::from_choice(cli.color);
    let result = match &cli.command {
        cli::Command::Check(args) => commands::check::run(args, style),
        cli::Command::Compile(args) => commands::compile::run(args, style),
    };
    match result {
        Ok(Outcome::Ok) => ExitCode::SUCCESS,
        Ok(Outcome::Failed) => ExitCode::from(1),
        Err(Fatal(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}
