//! Writing to stdout and stderr without `print!`'s panic. A reader that
//! went away (`yardstick compile --emit ir | head -c0`) ends the output
//! quietly: later writes are skipped and the command's exit code stands.
//! Any other write error names the stream.

use crate::Fatal;
use std::io::{ErrorKind, Write};
use std::sync::atomic::{AtomicBool, Ordering};

static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);
static STDERR_CLOSED: AtomicBool = AtomicBool::new(false);

/// Writes `text` to stdout and flushes it.
pub fn print(text: &str) -> Result<(), Fatal> {
    print_bytes(text.as_bytes())
}

/// Writes `text` and a newline to stdout.
pub fn println(text: &str) -> Result<(), Fatal> {
    let mut line = String::with_capacity(text.len() + 1);
    line.push_str(text);
    line.push('\n');
    print(&line)
}

/// Writes bytes to stdout and flushes them.
pub fn print_bytes(bytes: &[u8]) -> Result<(), Fatal> {
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return Ok(());
    }
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::BrokenPipe => {
            STDOUT_CLOSED.store(true, Ordering::Relaxed);
            Ok(())
        }
        Err(e) => Err(Fatal(format!("cannot write to stdout: {e}"))),
    }
}

/// Writes `text` to stderr; errors are dropped (there is nowhere to report
/// them).
pub fn eprint(text: &str) {
    if STDERR_CLOSED.load(Ordering::Relaxed) {
        return;
    }
    let mut err = std::io::stderr().lock();
    if err
        .write_all(text.as_bytes())
        .and_then(|()| err.flush())
        .is_err()
    {
        STDERR_CLOSED.store(true, Ordering::Relaxed);
    }
}

/// Writes `text` and a newline to stderr.
pub fn eprintln(text: &str) {
    eprint(&format!("{text}\n"));
}
