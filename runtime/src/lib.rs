//! The Yardstick runtime: the `yardstick` command line. Only this crate
//! touches files, the terminal and query sessions; the compiler
//! stays pure.

pub mod cli;
pub mod commands;
pub mod governance;
pub mod guard;
pub mod library_files;
pub mod outfile;
pub mod project;
pub mod query;
pub mod report;
pub mod session;
pub mod stdio;

/// How a command ended.
pub enum Outcome {
    Ok,
    /// The library or the data failed a check; diagnostics were printed.
    Failed,
    /// The command could not run (a query the library cannot answer);
    /// diagnostics were printed.
    Refused,
}

/// A command that could not run: bad arguments, unreadable files.
#[derive(Debug)]
pub struct Fatal(pub String);

impl<E: std::fmt::Display> From<E> for Fatal {
    fn from(e: E) -> Fatal {
        Fatal(e.to_string())
    }
}

/// Runs a parsed command line, inside the panic boundary (`guard`).
pub fn run(cli: &cli::Cli) -> Result<Outcome, Fatal> {
    let style = report::Style::from_choice(cli.color);
    let limit = match &cli.command {
        cli::Command::Query(args) => Some(args.memory.memory_limit),
        cli::Command::Explain(args) => Some(args.memory.memory_limit),
        cli::Command::Diff(args) => Some(args.memory.memory_limit),
        cli::Command::Test(_) => Some(None),
        _ => None,
    };
    if let Some(limit) = limit {
        session::set_limit(limit);
        session::watch();
    }
    guard::boundary(|| dispatch(cli, style))
}

fn dispatch(cli: &cli::Cli, style: report::Style) -> Result<Outcome, Fatal> {
    match &cli.command {
        cli::Command::Check(args) => commands::check::run(args, style),
        cli::Command::Compile(args) => commands::compile::run(args, style),
        cli::Command::Query(args) => commands::query::run(args, style),
        cli::Command::Explain(args) => commands::explain::run(args, style),
        cli::Command::Test(args) => commands::test::run(args, style),
        cli::Command::Lock(args) => commands::lock::run(args, style),
        cli::Command::Diff(args) => commands::diff::run(args, style),
        cli::Command::Graph(args) => commands::graph::run(args, style),
    }
}
