//! A command's session: the library at `--spec` compiled, its sources
//! checked against the project's roots, with the files it came from; and
//! the runtime queries run on, made once, on first use. Every command that
//! reads a library opens one, so a library is loaded, and a query runtime
//! made, one way. (DataFusion's own sessions come from `memory.rs`.)

use crate::project::Project;
use crate::report::{self, Style};
use crate::{library_files, Fatal};
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use yardstick_compiler::model::Library;
use yardstick_compiler::Compiled;

pub struct Session {
    pub spec: PathBuf,
    pub project: Project,
    pub compiled: Compiled,
    /// How many `.yard` files the library has (its lock aside).
    pub yard_files: usize,
    runtime: OnceLock<tokio::runtime::Runtime>,
}

impl Session {
    /// Compiles the library at `spec` (against its lock when `with_lock`),
    /// whatever its problems, with sources allowed where its own
    /// `yardstick.toml` says.
    pub fn compile(spec: &Path, with_lock: bool) -> Result<Session, Fatal> {
        Session::compile_within(spec, Project::load(spec)?, with_lock)
    }

    /// Like [`Session::compile`], with sources allowed where `project`
    /// says (for `diff`, the base library's project).
    pub fn compile_within(
        spec: &Path,
        project: Project,
        with_lock: bool,
    ) -> Result<Session, Fatal> {
        let files = library_files::read(spec)?;
        let yard_files = files.len();
        let lock = if with_lock {
            library_files::read_lock(spec)?
        } else {
            None
        };
        let mut compiled = yardstick_compiler::compile_with_lock(files, lock);
        crate::commands::check_sources(&project, spec, &mut compiled);
        Ok(Session {
            spec: spec.to_owned(),
            project,
            compiled,
            yard_files,
            runtime: OnceLock::new(),
        })
    }

    /// The session, or `None` with the library's errors printed.
    pub fn open(spec: &Path, with_lock: bool, style: Style) -> Result<Option<Session>, Fatal> {
        Session::open_within(spec, Project::load(spec)?, with_lock, style)
    }

    /// Like [`Session::open`], with sources allowed where `project` says.
    pub fn open_within(
        spec: &Path,
        project: Project,
        with_lock: bool,
        style: Style,
    ) -> Result<Option<Session>, Fatal> {
        let session = Session::compile_within(spec, project, with_lock)?;
        let compiled = &session.compiled;
        if compiled.diagnostics.has_errors() {
            crate::stdio::eprint(&report::human(
                &compiled.diagnostics,
                &compiled.sources,
                style,
            ));
            return Ok(None);
        }
        Ok(Some(session))
    }

    pub fn library(&self) -> &Library {
        &self.compiled.library
    }

    /// Runs `work` to completion on the session's query runtime.
    pub fn block_on<F: Future>(&self, work: F) -> Result<F::Output, Fatal> {
        let runtime = match self.runtime.get() {
            Some(r) => r,
            None => {
                let made = query_runtime()?;
                self.runtime.get_or_init(|| made)
            }
        };
        Ok(runtime.block_on(work))
    }
}

/// The multi-threaded runtime queries run on, its workers on deep stacks
/// (DataFusion walks deep plans recursively).
fn query_runtime() -> Result<tokio::runtime::Runtime, Fatal> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(crate::DEEP_STACK / 8)
        .build()
        .map_err(|e| Fatal(format!("cannot start the query runtime: {e}")))
}
