//! The Yardstick runtime: the `yardstick` command line. Only this crate
//! touches files, the terminal and query sessions; the compiler
//! stays pure.

pub mod catalog;
pub mod chart;
pub mod cli;
pub mod commands;
pub mod engine;
pub mod governance;
pub mod guard;
pub mod library_files;
pub mod lsp;
pub mod mapped_files;
pub mod memory;
pub mod outfile;
pub mod progress;
pub mod project;
pub mod query;
pub mod report;
pub mod session;
pub mod sql;
pub mod stdio;

/// How a command ended.
pub enum Exit {
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
pub fn run(cli: &cli::Cli) -> Result<Exit, Fatal> {
    let style = report::Style::from_choice(cli.color);
    let limit = match &cli.command {
        cli::Command::Query(args) => Some(args.memory.memory_limit),
        cli::Command::Explain(args) => Some(args.memory.memory_limit),
        cli::Command::Diff(args) => Some(args.memory.memory_limit),
        cli::Command::Docs(args) => Some(args.memory.memory_limit),
        cli::Command::Reconcile(args) => Some(args.memory.memory_limit),
        cli::Command::Test(_) => Some(None),
        _ => None,
    };
    if let Some(limit) = limit {
        memory::set_limit(limit);
        memory::watch();
    }
    on_a_deep_stack(|| guard::boundary(|| dispatch(cli, style)))
}

/// Stack for the command's thread and the query runtime's workers: plans
/// of long chains of derived metrics or variants are deep, and DataFusion
/// walks them recursively. Only the pages used are ever committed.
pub const DEEP_STACK: usize = 512 * 1024 * 1024;

/// Runs `work` on a thread with a [`DEEP_STACK`].
fn on_a_deep_stack(work: impl FnOnce() -> Result<Exit, Fatal> + Send) -> Result<Exit, Fatal> {
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("yardstick".to_owned())
            .stack_size(DEEP_STACK)
            .spawn_scoped(scope, work)
            .map_err(|e| Fatal(format!("cannot start the command's thread: {e}")))?
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

fn dispatch(cli: &cli::Cli, style: report::Style) -> Result<Exit, Fatal> {
    match &cli.command {
        cli::Command::Check(args) => commands::check::run(args, style),
        cli::Command::Compile(args) => commands::compile::run(args, style),
        cli::Command::Query(args) => commands::query::run(args, style),
        cli::Command::Explain(args) => commands::explain::run(args, style),
        cli::Command::Test(args) => commands::test::run(args, style),
        cli::Command::Lock(args) => commands::lock::run(args, style),
        cli::Command::Diff(args) => commands::diff::run(args, style),
        cli::Command::List(args) => commands::list::run(args, style),
        cli::Command::Describe(args) => commands::describe::run(args, style),
        cli::Command::Completions(args) => commands::completions::run(args),
        cli::Command::Graph(args) => commands::graph::run(args, style),
        cli::Command::Docs(args) => commands::docs::run(args, style),
        cli::Command::Lsp => lsp::run(),
        cli::Command::Fmt(args) => commands::fmt::run(args, style),
        cli::Command::Reconcile(args) => commands::reconcile::run(args, style),
        cli::Command::Cluster(args) => commands::cluster::run(args),
    }
}
