//! The command line, as clap sees it (documented in docs/reference/cli.md).

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "yardstick",
    version,
    about = "Compile, check and query a governed metric library"
)]
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
    /// Compute metrics on the data.
    Query(QueryCommand),
    /// Show the plans (and SQL) a query runs.
    Explain(ExplainCommand),
    /// Run the library's `test` blocks: in memory, or with `--engine` inside
    /// a warehouse (each block's rows loaded into a schema of its own).
    Test(TestArgs),
    /// Write yardstick.lock: every metric's version and fingerprint.
    Lock(SpecArg),
    /// Classify every metric change against a base library.
    Diff(DiffArgs),
    /// List the library's metrics, dimensions, sources or owners.
    List(ListArgs),
    /// Show one metric: its definition as written, unit, owner, dimensions,
    /// inputs and dependents, version and changelog.
    Describe(DescribeArgs),
    /// Print a shell completion script (bash, zsh or fish).
    Completions(CompletionsArgs),
    /// Draw outcomes, metrics and the edges between them.
    Graph(GraphArgs),
    /// Write the library as a static HTML catalog: an index and a page per
    /// metric, with a chart of its recent values when there is data.
    Docs(DocsArgs),
    /// Run the language server on stdin and stdout, for editors.
    Lsp,
    /// Rewrite `.yard` files in the canonical layout, comments kept.
    Fmt(FmtArgs),
    /// Compare both sides of each `reconcile` declaration period by period;
    /// exit 1 when a period is out of tolerance.
    Reconcile(ReconcileArgs),
    /// Run a Ballista scheduler and executors on loopback, in the
    /// foreground, for `--engine ballista://127.0.0.1:PORT` (needs a build
    /// with the `ballista` feature).
    Cluster(ClusterArgs),
}

#[derive(Args, Debug)]
pub struct ClusterArgs {
    /// The scheduler's port on 127.0.0.1 (0: any free port, printed).
    #[arg(long, default_value_t = 50050)]
    pub port: u16,
    /// How many executors to start.
    #[arg(long, default_value_t = 2)]
    pub executors: usize,
}

#[derive(Args, Debug)]
pub struct DocsArgs {
    /// The folder to write (made if missing; replaced only if it is empty
    /// or a catalog written before).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    #[command(flatten)]
    pub spec: SpecArg,
    /// The charts' periods: hour, day, week, month, quarter or year.
    #[arg(long, default_value = "month")]
    pub grain: String,
    /// The charts' length, ending at `--to` or the newest data: 90d, 12w,
    /// 12mo, 4q, 2y.
    #[arg(long, value_name = "DURATION", default_value = "12mo")]
    pub last: String,
    /// The charts' last date (YYYY-MM-DD; default: the newest data).
    #[arg(long)]
    pub to: Option<String>,
    /// Draw no charts, and read no data.
    #[arg(long = "no-data")]
    pub no_data: bool,
    #[command(flatten)]
    pub memory: MemoryArg,
}

/// Where a command's queries run (docs/engines.md).
#[derive(Args, Debug, Default)]
pub struct EngineArg {
    /// Where queries run: `datafusion` (in this process, over the sources'
    /// files) or `postgres://USER[:PASSWORD]@HOST:PORT/DB` (inside
    /// PostgreSQL, over the sources' tables). Default: $YARDSTICK_ENGINE,
    /// else datafusion.
    #[arg(long = "engine", value_name = "URL")]
    pub url: Option<EngineUrl>,
}

/// An `--engine` as typed: it may hold a password, so its `Debug` does not
/// show it; it is read by `crate::engine::Engine::chosen`.
#[derive(Clone)]
pub struct EngineUrl(pub String);

impl std::str::FromStr for EngineUrl {
    type Err = std::convert::Infallible;
    fn from_str(text: &str) -> Result<EngineUrl, Self::Err> {
        Ok(EngineUrl(text.to_owned()))
    }
}

impl std::fmt::Debug for EngineUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match crate::engine::Engine::parse(&self.0) {
            Ok(engine) => write!(f, "EngineUrl({engine})"),
            Err(_) => f.write_str("EngineUrl(<not an engine>)"),
        }
    }
}

impl EngineArg {
    /// The engine: `--engine`, else `YARDSTICK_ENGINE`, else embedded.
    pub fn chosen(&self) -> Result<crate::engine::Engine, crate::Fatal> {
        crate::engine::Engine::chosen(self.url.as_ref().map(|u| u.0.as_str()))
    }
}

#[derive(Args, Debug)]
pub struct TestArgs {
    #[command(flatten)]
    pub spec: SpecArg,
    #[command(flatten)]
    pub engine: EngineArg,
}

#[derive(Args, Debug)]
pub struct ReconcileArgs {
    /// The reconciliations to run (default: every one in the library).
    pub names: Vec<String>,
    #[command(flatten)]
    pub spec: SpecArg,
    /// The first date compared (YYYY-MM-DD; default: the oldest data).
    #[arg(long)]
    pub from: Option<String>,
    /// The last date compared (YYYY-MM-DD; default: the newest data).
    #[arg(long)]
    pub to: Option<String>,
    #[arg(long, value_enum, default_value_t = ReconcileFormat::Human)]
    pub format: ReconcileFormat,
    #[command(flatten)]
    pub memory: MemoryArg,
    #[command(flatten)]
    pub engine: EngineArg,
}

#[derive(Args, Debug)]
pub struct FmtArgs {
    /// Files or directories to format (default: the library at `--spec`).
    #[arg(conflicts_with = "spec")]
    pub paths: Vec<PathBuf>,
    /// Write nothing: list the files that are not in the canonical layout
    /// and exit 1 if there is one.
    #[arg(long)]
    pub check: bool,
    #[command(flatten)]
    pub spec: SpecArg,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReconcileFormat {
    Human,
    Json,
}

#[derive(Args, Debug)]
pub struct ListArgs {
    /// What to list.
    #[arg(value_enum)]
    pub kind: ListKind,
    /// Keep only items whose name, title or description contains TEXT
    /// (case-insensitive).
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,
    #[command(flatten)]
    pub spec: SpecArg,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListKind {
    Metrics,
    Dimensions,
    Sources,
    Owners,
}

#[derive(Args, Debug)]
pub struct DescribeArgs {
    /// The metric to describe.
    pub metric: String,
    #[command(flatten)]
    pub spec: SpecArg,
}

#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: Shell,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

#[derive(Args, Debug)]
pub struct GraphArgs {
    #[command(flatten)]
    pub spec: SpecArg,
    #[arg(long, value_enum, default_value_t = crate::governance::graph::GraphFormat::Mermaid)]
    pub format: crate::governance::graph::GraphFormat,
}

/// What to compute: shared by `query` and `explain`.
#[derive(Args, Debug)]
pub struct QueryOpts {
    /// The metrics to compute.
    #[arg(required = true)]
    pub metrics: Vec<String>,
    #[command(flatten)]
    pub spec: SpecArg,
    /// Group by these dimensions (comma separated).
    #[arg(long, value_delimiter = ',')]
    pub by: Vec<String>,
    /// Read as a series: day, week, month, quarter or year.
    #[arg(long)]
    pub grain: Option<String>,
    /// First date of a series (YYYY-MM-DD).
    #[arg(long)]
    pub from: Option<String>,
    /// Last date of a series (YYYY-MM-DD).
    #[arg(long)]
    pub to: Option<String>,
    /// A series of this length ending at `--to` (or the newest data):
    /// 90d, 12w, 6mo, 2q, 1y. Instead of `--from`.
    #[arg(long, value_name = "DURATION")]
    pub last: Option<String>,
    /// The date an as-of value is read at (default: the newest data).
    #[arg(long = "as-of")]
    pub as_of: Option<String>,
    /// A row-level filter over dimensions, in the language's syntax.
    #[arg(long = "where")]
    pub filter: Option<String>,
}

/// How much memory a query may use before spilling to disk or failing.
#[derive(Args, Debug, Default)]
pub struct MemoryArg {
    /// Memory for the query engine, e.g. 2GB or 512MiB (default: half of
    /// this machine's memory); beyond it, work spills to disk or fails.
    #[arg(long = "memory-limit", value_name = "SIZE", value_parser = crate::memory::parse_size)]
    pub memory_limit: Option<u64>,
}

#[derive(Args, Debug)]
pub struct QueryCommand {
    #[command(flatten)]
    pub query: QueryOpts,
    #[command(flatten)]
    pub memory: MemoryArg,
    #[command(flatten)]
    pub engine: EngineArg,
    /// Output format (default: table, or from the extension of `--output`:
    /// .csv .json .parquet .arrow).
    #[arg(long, value_enum)]
    pub format: Option<crate::query::output::OutputFormat>,
    /// Write to this file (whole or not at all) instead of stdout.
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// Sort the result by these columns (comma separated); a leading `-`
    /// sorts descending: `--order-by -nps,region`. Nulls come last.
    #[arg(
        long = "order-by",
        value_name = "COL",
        value_delimiter = ',',
        allow_hyphen_values = true
    )]
    pub order_by: Vec<String>,
    /// Keep only the first N rows (after `--order-by`).
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// Also draw the series as an SVG line chart in FILE, one line per
    /// group (and metric); needs `--grain`.
    #[arg(long, value_name = "FILE.svg")]
    pub chart: Option<PathBuf>,
    /// Add `<metric>_prev` and `<metric>_delta`: the value of the period
    /// before (or one window length earlier), or of a year before.
    #[arg(long, value_enum, value_name = "WHAT")]
    pub compare: Option<crate::query::compare::Compare>,
    /// Add `<metric>_lo` and `<metric>_hi`: a 95% confidence interval
    /// (Wilson for a ratio of counts, the difference of proportions for
    /// NPS, t for `avg`; null for other formulas).
    #[arg(long)]
    pub ci: bool,
}

#[derive(Args, Debug)]
pub struct ExplainCommand {
    #[command(flatten)]
    pub query: QueryOpts,
    #[command(flatten)]
    pub memory: MemoryArg,
    #[command(flatten)]
    pub engine: EngineArg,
    /// Also print the SQL a warehouse would run.
    #[arg(long)]
    pub sql: bool,
    /// Print only the SQL (one statement, no plans), for piping into a
    /// warehouse's client.
    #[arg(long, conflicts_with = "sql")]
    pub sql_only: bool,
    /// The SQL dialect of `--sql` and `--sql-only`.
    #[arg(long, value_enum, default_value_t = Dialect::Postgres)]
    pub dialect: Dialect,
}

#[derive(Args, Debug)]
pub struct DiffArgs {
    #[command(flatten)]
    pub spec: SpecArg,
    /// The base: a git revision of the library, or another directory.
    #[arg(long)]
    pub base: String,
    #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
    pub format: DiffFormat,
    /// Also evaluate both definitions of each breaking change on the data.
    #[arg(long)]
    pub data: bool,
    #[command(flatten)]
    pub memory: MemoryArg,
    #[command(flatten)]
    pub engine: EngineArg,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiffFormat {
    Human,
    Json,
    Markdown,
    Github,
    Sarif,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Postgres,
    Duckdb,
    Bigquery,
    Snowflake,
    Mysql,
    Sqlite,
}

#[derive(Args, Debug)]
pub struct SpecArg {
    /// The library directory: every `*.yard` file below it (default: the
    /// `library` of the nearest `yardstick.toml` at or above the current
    /// directory, else the current directory).
    #[arg(long)]
    pub spec: Option<PathBuf>,
}

impl SpecArg {
    /// The library directory: `--spec`, or the project's (see
    /// `project::library_dir`).
    pub fn dir(&self) -> Result<PathBuf, crate::Fatal> {
        crate::project::library_dir(self.spec.as_deref())
    }
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    #[command(flatten)]
    pub spec: SpecArg,
    #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
    pub format: CheckFormat,
    /// Also check the data: columns, freshness, asserts and targets.
    #[arg(long)]
    pub data: bool,
    /// With --data: the date values and freshness are read at (default: now).
    #[arg(long = "as-of", requires = "data")]
    pub as_of: Option<String>,
    #[command(flatten)]
    pub engine: EngineArg,
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
    Sarif,
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
