//! Feedback on long work: a spinner on stderr with the elapsed time and what
//! is being read, shown only when stderr is a terminal and the work has
//! taken longer than a second. Never in pipes, files or CI logs.

use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::sync::mpsc;
use std::time::Duration;

/// How long work runs before the spinner shows; `YARDSTICK_PROGRESS_AFTER_MS`
/// overrides it (the tests set 0).
fn delay() -> Duration {
    std::env::var("YARDSTICK_PROGRESS_AFTER_MS")
        .ok()
        .and_then(|ms| ms.parse().ok())
        .map_or(Duration::from_secs(1), Duration::from_millis)
}

/// A spinner that may show while this value lives; dropping it clears the
/// line.
pub struct Progress {
    done: Option<mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Progress {
    /// Starts waiting to show `message` (e.g. "reading tickets").
    pub fn start(message: String) -> Progress {
        if !std::io::stderr().is_terminal() {
            return Progress {
                done: None,
                thread: None,
            };
        }
        let (done, wait) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("progress".to_owned())
            .spawn(move || {
                if wait.recv_timeout(delay()) != Err(mpsc::RecvTimeoutError::Timeout) {
                    return;
                }
                let bar = ProgressBar::new_spinner();
                if let Ok(style) = ProgressStyle::with_template("{spinner} {elapsed:>3} {msg}") {
                    bar.set_style(style);
                }
                bar.set_message(message);
                bar.enable_steady_tick(Duration::from_millis(120));
                // Until the work ends (its sender is dropped).
                let _ = wait.recv();
                bar.finish_and_clear();
            })
            .ok();
        Progress {
            done: Some(done),
            thread,
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        drop(self.done.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
