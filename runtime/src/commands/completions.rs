//! `yardstick completions bash|zsh|fish`: a shell completion script for
//! the whole command line, generated from the clap definition by
//! `clap_complete`, printed to stdout.

use crate::cli::{Cli, CompletionsArgs, Shell};
use crate::{Exit, Fatal};
use clap::CommandFactory;

pub fn run(args: &CompletionsArgs) -> Result<Exit, Fatal> {
    let shell = match args.shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
    };
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "yardstick", &mut script);
    crate::stdio::print_bytes(&script)?;
    Ok(Exit::Ok)
}
