//! `yardstick diff --base REF_OR_DIR`: every metric change between a base
//! library (a directory, or a git revision of this one, read through git
//! without touching the work tree) and this one.

use crate::cli::{DiffArgs, DiffFormat};
use crate::project::{absolute, project_file_for, resolve, Project, PROJECT_FILE};
use crate::report::{self, Style};
use crate::{library_files, Exit, Fatal};
use std::path::Path;
use std::process::Command;
use yardstick_compiler::drift::diff::{diff, Side};
use yardstick_compiler::span::SourceFile;
use yardstick_compiler::Compiled;

pub fn run(args: &DiffArgs, style: Style) -> Result<Exit, Fatal> {
    let spec = &args.spec.dir()?;
    // The base decides where sources may read: a pull request cannot widen
    // its own `data_roots`.
    let (base_files, project) = if Path::new(&args.base).is_dir() {
        let base_dir = Path::new(&args.base);
        let toml = project_file_for(base_dir)?.unwrap_or_else(|| base_dir.join(PROJECT_FILE));
        let text = std::fs::read_to_string(&toml).ok();
        let toml_dir = toml.parent().unwrap_or(base_dir);
        let project =
            Project::from_text(spec, toml_dir, text.as_deref(), &toml.display().to_string())?;
        (library_files::read(base_dir)?, project)
    } else {
        let files = from_git(spec, &args.base)?;
        // The project file where the head has it (in the library, or the
        // project root above it), as the base revision has it.
        let (relative, toml_dir) = match project_file_for(spec)? {
            Some(toml) => {
                let dir = toml.parent().unwrap_or(spec).to_path_buf();
                let up = resolve(&absolute(spec))
                    .strip_prefix(resolve(&absolute(&dir)))
                    .map(|below| below.components().count())
                    .unwrap_or(0);
                (format!("{}{PROJECT_FILE}", "../".repeat(up)), dir)
            }
            None => (PROJECT_FILE.to_owned(), spec.to_path_buf()),
        };
        let text = git_file(spec, &args.base, &relative);
        let shown = format!("{}:{relative}", args.base);
        (
            files,
            Project::from_text(spec, &toml_dir, text.as_deref(), &shown)?,
        )
    };
    let Some(session) = crate::session::Session::open_within(spec, project, false, style)? else {
        return Ok(Exit::Failed);
    };
    let head = &session.compiled;
    let base = yardstick_compiler::compile(base_files);
    if base.diagnostics.has_errors() {
        return Err(Fatal(format!(
            "the base library `{}` does not check ({} errors); compare against one that does",
            args.base,
            base.diagnostics.error_count()
        )));
    }
    let changes = diff(&side(&base), &side(head));
    let deltas = if args.data {
        super::diff_data::deltas(&session, &base.library, &changes, &args.engine.chosen()?)?
    } else {
        Vec::new()
    };
    let text = match args.format {
        DiffFormat::Json => report::diff::json(&changes, &deltas, args.data),
        DiffFormat::Human => {
            // Rules broken are also reported as diagnostics at the metric's
            // declaration: in the head, or for a removal in the base.
            let mut in_head = yardstick_compiler::diagnostics::Diagnostics::new();
            let mut in_base = yardstick_compiler::diagnostics::Diagnostics::new();
            for c in changes.iter().filter(|c| c.error) {
                if let Some(m) = head.library.metrics.get(&c.metric) {
                    in_head.push(report::diff::rule_broken(c, m.span));
                } else if let Some(m) = base.library.metrics.get(&c.metric) {
                    in_base.push(report::diff::rule_broken(c, m.span));
                }
            }
            crate::stdio::eprint(&report::human(&in_head, &head.sources, style));
            crate::stdio::eprint(&report::human(&in_base, &base.sources, style));
            report::diff::human(&changes) + &report::diff::human_deltas(&deltas)
        }
        DiffFormat::Markdown => {
            report::diff::markdown(&changes, &base, head, &args.base)
                + &report::diff::markdown_deltas(&deltas)
        }
        DiffFormat::Github => report::diff::github(&changes, head, &report::RepoPaths::of(spec)),
        DiffFormat::Sarif => {
            let spans = head
                .library
                .metrics
                .values()
                .map(|m| (m.name.clone(), m.span))
                .collect();
            report::sarif::diff(
                &changes,
                &spans,
                &head.sources,
                &report::RepoPaths::of(spec),
            )
        }
    };
    crate::stdio::print(&text)?;
    Ok(if changes.iter().any(|c| c.error) {
        Exit::Failed
    } else {
        Exit::Ok
    })
}

fn side(c: &Compiled) -> Side<'_> {
    Side {
        library: &c.library,
        sources: &c.sources,
    }
}

/// The text of one file of `spec` at git revision `rev`, if it has it.
fn git_file(spec: &Path, rev: &str, path: &str) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(spec)
        .args(["show", &format!("{rev}:./{path}")])
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8(out.stdout).ok())
        .flatten()
}

/// The `.yard` files of `spec` at git revision `rev`.
fn from_git(spec: &Path, rev: &str) -> Result<Vec<SourceFile>, Fatal> {
    let git = |args: &[&str]| -> Result<Vec<u8>, Fatal> {
        let out = Command::new("git")
            .arg("-C")
            .arg(spec)
            .args(args)
            .output()
            .map_err(|e| Fatal(format!("cannot run git: {e}")))?;
        if !out.status.success() {
            return Err(Fatal(format!(
                "`--base {rev}` is neither a directory nor a git revision of `{}`: {}",
                spec.display(),
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        Ok(out.stdout)
    };
    let listing = git(&["ls-tree", "-r", "--name-only", rev, "--", "."])?;
    let mut files = Vec::new();
    for path in String::from_utf8_lossy(&listing).lines() {
        if !path.ends_with(".yard") {
            continue;
        }
        let bytes = git(&["show", &format!("{rev}:./{path}")])?;
        let text = String::from_utf8(bytes)
            .map_err(|_| Fatal(format!("`{path}` at `{rev}` is not UTF-8 text")))?;
        files.push(SourceFile {
            path: path.to_owned(),
            text,
        });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}
