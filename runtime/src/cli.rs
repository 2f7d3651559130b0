//! The command line, as clap sees it (see shared/design/CLI.md).

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(name = "yardstick", version, about = "Compile, check and query a governed metric library")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// When to colour diagnostics (NO_COLOR is honoured by `auto`).
    #[arg(long, global = true, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Parse, resolve and type-check the library; report every problem at once.
    Check(CheckArgs),
    /// Print the typed, resolved library for other tools.
    Compile(CompileArgs),
}

#[derive(Args, Debug)]
pub struct SpecArg {
    /// The library directory: every `*.yard` file below it.
    #[arg(long, default_value = ".")]
    pub spec: PathBuf,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    #[command(flatten)]
    pub spec: SpecArg,
    #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
    pub format: CheckFormat,
}

#[derive(Args, Debug)]
pub struct CompileArgs {
    #[command(flatten)]
    pub spec: SpecArg,
    /// What to print.
    #[arg(long, value_enum, default_value_t = Emit::Ir)]
    pub emit: Emit,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckFormat {
    Human,
    Json,
    Github,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Emit {
    /// The resolved model as JSON.
    Ir,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Color {
    Auto,
    Always,
    Never,
}
