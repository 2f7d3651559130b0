//! What happens when a mapped file is shortened under a query. The kernel
//! answers a read of a page past the file's new end with SIGBUS, which
//! would kill the process. [`exit_on_bus_error`] installs a handler that
//! turns it into exit 2 and a message naming the file, after removing any
//! output being written (`outfile`), like every other error.
//!
//! A signal handler may do almost nothing, so the work is split:
//! - [`Live`] records the address range and path of every live map;
//! - the handler writes the faulting address to a pipe and parks its
//!   thread (returning would fault again);
//! - a thread waiting on the pipe finds the file in the record, cleans up,
//!   prints and exits.

use std::io::Read;
use std::ops::Range;
use std::os::fd::IntoRawFd;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI32, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

/// The pipe's write end, for the handler; -1 before it is installed.
static FAULTS: AtomicI32 = AtomicI32::new(-1);

/// The live maps: an id, the addresses they cover and their file.
static LIVE: Mutex<Vec<(u64, Range<usize>, PathBuf)>> = Mutex::new(Vec::new());
static NEXT_ID: AtomicU64 = AtomicU64::new(0);

fn live() -> MutexGuard<'static, Vec<(u64, Range<usize>, PathBuf)>> {
    LIVE.lock().unwrap_or_else(|p| p.into_inner())
}

/// A map's entry in the record of live maps, removed when it is dropped
/// (with the map it belongs to).
#[derive(Debug)]
pub struct Live(u64);

impl Live {
    /// Records that `addresses` hold a map of `path`.
    pub fn record(addresses: Range<usize>, path: &Path) -> Live {
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        live().push((id, addresses, path.to_owned()));
        Live(id)
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        live().retain(|(id, _, _)| *id != self.0);
    }
}

/// The file mapped at `address`, if any.
fn file_at(address: usize) -> Option<PathBuf> {
    live()
        .iter()
        .find(|(_, addresses, _)| addresses.contains(&address))
        .map(|(_, _, path)| path.clone())
}

/// Said when the faulting address is in no recorded map, and by the
/// handler itself when the pipe could not be set up (hence the newline).
const UNKNOWN_FILE: &str = "error: a data file was shortened by another program while this \
                            query read it (SIGBUS); run the query again once the file is \
                            written whole\n";

/// What the process says before exiting on a fault at `address`.
fn message(address: usize) -> String {
    match file_at(address) {
        Some(path) => format!(
            "error: `{}` was shortened by another program while this query read it; \
             run the query again once the file is written whole",
            path.display()
        ),
        None => UNKNOWN_FILE.trim_end().to_owned(),
    }
}

/// Installs the SIGBUS handler (once per process; later calls do nothing).
pub fn exit_on_bus_error() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        if let Ok((mut reader, writer)) = std::io::pipe() {
            let waiting = std::thread::Builder::new()
                .name("bus-error".to_owned())
                .spawn(move || {
                    let mut address = [0; std::mem::size_of::<usize>()];
                    if reader.read_exact(&mut address).is_ok() {
                        let message = message(usize::from_ne_bytes(address));
                        crate::outfile::remove_pending();
                        crate::stdio::eprintln(&message);
                        std::process::exit(2);
                    }
                });
            if waiting.is_ok() {
                FAULTS.store(writer.into_raw_fd(), Ordering::SeqCst);
            }
        }
        install_handler();
    });
}

#[allow(unsafe_code)]
fn install_handler() {
    // SAFETY: `on_bus_error` only calls async-signal-safe functions
    // (write, pause, _exit); the action is fully initialised before use.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_bus_error as *const () as libc::sighandler_t;
        action.sa_flags = libc::SA_SIGINFO;
        libc::sigemptyset(&mut action.sa_mask);
        libc::sigaction(libc::SIGBUS, &action, std::ptr::null_mut());
    }
}

#[allow(unsafe_code)]
extern "C" fn on_bus_error(_: libc::c_int, info: *mut libc::siginfo_t, _: *mut libc::c_void) {
    // SAFETY: the kernel passes a valid siginfo_t with SA_SIGINFO; only
    // async-signal-safe calls follow.
    unsafe {
        let address = if info.is_null() {
            0
        } else {
            (*info).si_addr() as usize
        };
        let pipe = FAULTS.load(Ordering::SeqCst);
        if pipe >= 0 {
            let bytes = address.to_ne_bytes();
            if libc::write(pipe, bytes.as_ptr().cast(), bytes.len()) == bytes.len() as isize {
                // The waiting thread ends the process; this thread must not
                // return to the read that faulted.
                loop {
                    libc::pause();
                }
            }
        }
        libc::write(2, UNKNOWN_FILE.as_ptr().cast(), UNKNOWN_FILE.len());
        libc::_exit(2);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fault_is_traced_to_its_file_while_the_map_lives() {
        let path = Path::new("/data/tickets.parquet");
        let entry = Live::record(0x1000..0x3000, path);
        assert_eq!(file_at(0x2fff), Some(path.to_owned()));
        assert_eq!(file_at(0x3000), None);
        assert!(message(0x1000).contains("`/data/tickets.parquet` was shortened"));
        drop(entry);
        assert_eq!(file_at(0x2000), None);
        assert!(message(0x2000).contains("a data file was shortened"));
    }
}
