//! The one boundary between Yardstick and the libraries it calls into
//! (DataFusion, Arrow, Parquet). A panic anywhere below a command, on the
//! main thread or on a tokio worker (where DataFusion sees it as a
//! `JoinError`), becomes a [`Fatal`] (exit 2) naming what was being done —
//! the source and its files — and where the panic happened. The default
//! panic message never reaches the terminal.
//!
//! Also here: [`sanitize`], which every message passes before it is
//! printed, so no message carries terminal escapes or megabytes of echoed
//! input.

use crate::Fatal;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// What the command is doing, innermost last ("reading source `tickets`
/// (`data/tickets.parquet`)"). A stack shared by every thread, since a
/// panic on a worker thread belongs to the step the main thread is in.
static DOING: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// How many boundaries are running; outside them panics print as usual.
static ACTIVE: AtomicUsize = AtomicUsize::new(0);

/// The last panic seen by the hook, kept until a boundary reports it.
static CAUGHT: Mutex<Option<Caught>> = Mutex::new(None);

/// The longest echoed value, in characters.
pub const ECHO_LIMIT: usize = 200;

#[derive(Debug, Clone)]
struct Caught {
    message: String,
    /// `parquet 55.2.0`, or `yardstick`.
    component: String,
    at: String,
    doing: Option<String>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Inside a [`boundary`], replaces the default panic message (which would
/// print internals and "panicked at") with a quiet record that the boundary
/// turns into an error; outside one, panics print as before.
/// `YARDSTICK_BACKTRACE=1` prints them inside too, for debugging.
pub fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if ACTIVE.load(Ordering::SeqCst) == 0 {
            return previous(info);
        }
        let payload = info.payload();
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".to_owned());
        let (component, at) = match info.location() {
            Some(l) => {
                let (component, file) = component_of(l.file());
                (component, format!("{file}:{}", l.line()))
            }
            None => (
                "an unknown component".to_owned(),
                "an unknown place".to_owned(),
            ),
        };
        if std::env::var_os("YARDSTICK_BACKTRACE").is_some() {
            eprintln!(
                "panic in {component} at {at}: {message}\n{}",
                std::backtrace::Backtrace::force_capture()
            );
        }
        let doing = lock(&DOING).last().cloned();
        *lock(&CAUGHT) = Some(Caught {
            message,
            component,
            at,
            doing,
        });
    }));
}

/// Marks what the command is doing until the returned value is dropped.
#[must_use = "the activity ends when this is dropped"]
pub fn doing(what: impl Into<String>) -> Doing {
    lock(&DOING).push(what.into());
    Doing(())
}

/// See [`doing`].
pub struct Doing(());

impl Drop for Doing {
    fn drop(&mut self) {
        lock(&DOING).pop();
    }
}

/// Runs a command. A panic inside it, or an error that a panic on another
/// thread caused, comes back as a [`Fatal`] that says what was being done.
pub fn boundary<T>(run: impl FnOnce() -> Result<T, Fatal>) -> Result<T, Fatal> {
    *lock(&CAUGHT) = None;
    ACTIVE.fetch_add(1, Ordering::SeqCst);
    let result = catch_unwind(AssertUnwindSafe(run));
    ACTIVE.fetch_sub(1, Ordering::SeqCst);
    let caught = lock(&CAUGHT).take();
    lock(&DOING).clear();
    match (result, caught) {
        (Ok(Ok(value)), _) => Ok(value),
        // A worker's panic surfaces as a join error: report the panic.
        (Ok(Err(_)), Some(c)) | (Err(_), Some(c)) => Err(c.fatal()),
        (Ok(Err(fatal)), None) => Err(crate::memory::explain_exhausted(fatal)),
        (Err(_), None) => Err(Fatal(
            "internal error: the command stopped unexpectedly; please report this".to_owned(),
        )),
    }
}

impl Caught {
    fn fatal(self) -> Fatal {
        let doing = self
            .doing
            .map(|d| format!(" while {d}"))
            .unwrap_or_default();
        Fatal(format!(
            "internal error{doing}: {} failed at {}: {}\n\
             Yardstick stopped the command instead of crashing; the file may be damaged, \
             or this is a bug: please report it (with where the file came from, not its contents)",
            self.component,
            self.at,
            truncate(&self.message, ECHO_LIMIT)
        ))
    }
}

/// `("parquet 55.2.0", "src/file/metadata.rs")` for a path inside a crate
/// from a registry; `("yardstick", path)` otherwise.
fn component_of(file: &str) -> (String, String) {
    let parts: Vec<&str> = file.split(['/', '\\']).collect();
    for (i, part) in parts.iter().enumerate() {
        if let Some((name, version)) = part.rsplit_once('-') {
            let versioned = version.split('.').count() >= 3
                && version.chars().next().is_some_and(|c| c.is_ascii_digit());
            if versioned && !name.is_empty() && i + 1 < parts.len() {
                return (format!("{name} {version}"), parts[i + 1..].join("/"));
            }
        }
    }
    ("yardstick".to_owned(), file.to_owned())
}

/// At most `limit` characters of `text`, saying how much was cut.
pub use yardstick_compiler::diagnostics::render::truncate;

/// Control characters (C0 but newline and tab, DEL, C1) written as escapes,
/// so no value can move the cursor, change colours or set the title.
pub fn escape_controls(text: &str) -> String {
    if !text.chars().any(is_control) {
        return text.to_owned();
    }
    text.chars()
        .map(|c| {
            if is_control(c) {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

fn is_control(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

/// Every control character escaped, newlines and tabs too: one table cell
/// stays on one line.
pub fn escape_cell(text: &str) -> String {
    if !text.chars().any(char::is_control) {
        return text.to_owned();
    }
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Most lines a printed error keeps, and most characters per line.
const MESSAGE_LINES: usize = 40;
const LINE_LIMIT: usize = 500;

/// A message as it may be printed: escaped, each line capped, and at most
/// [`MESSAGE_LINES`] lines.
pub fn sanitize(message: &str) -> String {
    let lines: Vec<&str> = message.lines().collect();
    let mut out: Vec<String> = lines
        .iter()
        .take(MESSAGE_LINES)
        .map(|l| truncate(&escape_controls(l), LINE_LIMIT))
        .collect();
    if lines.len() > MESSAGE_LINES {
        out.push(format!("… ({} more lines)", lines.len() - MESSAGE_LINES));
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_are_named_from_registry_paths() {
        let (c, f) = component_of(
            "/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/parquet-55.2.0/src/file/footer.rs",
        );
        assert_eq!(c, "parquet 55.2.0");
        assert_eq!(f, "src/file/footer.rs");
        assert_eq!(component_of("runtime/src/main.rs").0, "yardstick");
    }

    #[test]
    fn controls_are_escaped_and_text_is_capped() {
        assert_eq!(
            escape_controls("a\u{1b}[31mb\u{9b}"),
            "a\\u{1b}[31mb\\u{9b}"
        );
        assert_eq!(escape_controls("tab\tok\n"), "tab\tok\n");
        assert_eq!(truncate("abcdef", 4), "abcd… (2 more characters)");
        let long = "x".repeat(1000);
        assert_eq!(
            sanitize(&long),
            format!("{}… (500 more characters)", "x".repeat(500))
        );
    }

    #[test]
    fn a_panic_becomes_a_fatal_naming_the_activity() {
        install_panic_hook();
        let result: Result<(), Fatal> = boundary(|| {
            let _d = doing("reading source `t` (`t.parquet`)");
            #[allow(clippy::panic)]
            {
                panic!("index out of bounds")
            }
        });
        let Err(Fatal(message)) = result else {
            unreachable!("the boundary returns the panic as an error")
        };
        assert!(
            message.contains("while reading source `t` (`t.parquet`)"),
            "{message}"
        );
        assert!(message.contains("index out of bounds"), "{message}");
    }
}
