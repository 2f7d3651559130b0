//! Query sessions and their memory. Every DataFusion session Yardstick
//! makes comes from [`new_session`]: a fair spill pool of three quarters of
//! `--memory-limit` (by default half of the machine's memory, or of the
//! cgroup's limit when that is lower), spilling to the OS temporary
//! directory. DataFusion does not account for all it allocates (per-group
//! accumulators of `count(DISTINCT ...)` are far larger than it reckons),
//! so [`watch`] also checks the process's resident memory and ends the
//! command with exit 2 and a message naming the limit when it passes it —
//! never a kill by the kernel. Sessions also get the analyzer rule that
//! speeds up the null rules of row filters (`FastFilters`), and read local
//! files through memory maps (`MappedFiles`).

use crate::mapped_files::MappedFiles;
use crate::Fatal;
use datafusion::execution::memory_pool::{FairSpillPool, TrackConsumersPool};
use datafusion::execution::object_store::ObjectStoreUrl;
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::prelude::{SessionConfig, SessionContext};
use std::num::NonZeroUsize;
use std::sync::{Arc, OnceLock};
use yardstick_lower::fast_filters::FastFilters;

/// The limit for this process, set once from the command line.
static LIMIT: OnceLock<MemoryLimit> = OnceLock::new();

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryLimit {
    pub bytes: u64,
    /// Whether it was given as `--memory-limit` (or is the default).
    pub given: bool,
}

/// Parses `2GB`, `512MiB`, `1.5 GiB` or a plain number of bytes.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let size: bytesize::ByteSize = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a size; write e.g. 2GB, 512MiB or 1073741824"))?;
    if size.as_u64() < 16 * 1024 * 1024 {
        return Err(format!("`{text}` is too small; give at least 16MiB"));
    }
    Ok(size.as_u64())
}

/// Sets the limit sessions are made with (the first call wins).
pub fn set_limit(bytes: Option<u64>) {
    let limit = match bytes {
        Some(bytes) => MemoryLimit { bytes, given: true },
        None => MemoryLimit {
            bytes: default_limit(),
            given: false,
        },
    };
    let _ = LIMIT.set(limit);
}

/// The limit in force.
pub fn limit() -> MemoryLimit {
    *LIMIT.get_or_init(|| MemoryLimit {
        bytes: default_limit(),
        given: false,
    })
}

/// Half of the memory this process may use: the machine's
/// (`/proc/meminfo`), or the cgroup's if lower. 2 GiB when neither can be
/// read.
pub fn default_limit() -> u64 {
    let total = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|t| mem_total(&t));
    let cgroup = std::fs::read_to_string("/sys/fs/cgroup/memory.max")
        .ok()
        .and_then(|t| t.trim().parse::<u64>().ok());
    match (total, cgroup) {
        (Some(t), Some(c)) => t.min(c) / 2,
        (Some(t), None) => t / 2,
        (None, Some(c)) => c / 2,
        (None, None) => 2 << 30,
    }
}

/// `MemTotal` of `/proc/meminfo`, in bytes.
fn mem_total(meminfo: &str) -> Option<u64> {
    let line = meminfo.lines().find(|l| l.starts_with("MemTotal:"))?;
    let mut words = line.split_whitespace().skip(1);
    let number: u64 = words.next()?.parse().ok()?;
    match words.next() {
        Some("kB") | None => number.checked_mul(1024),
        _ => None,
    }
}

/// A session whose pool is three quarters of [`limit`] (the rest is room
/// for what the pool does not see), spilling to disk when it is reached,
/// with Yardstick's analyzer rule ([`FastFilters`]) and local files read
/// through [`MappedFiles`].
pub fn new_session() -> SessionContext {
    let bytes = usize::try_from(limit().bytes / 4 * 3).unwrap_or(usize::MAX);
    let pool = TrackConsumersPool::new(
        FairSpillPool::new(bytes),
        NonZeroUsize::new(3).unwrap_or(NonZeroUsize::MIN),
    );
    let context = match RuntimeEnvBuilder::new()
        .with_memory_pool(Arc::new(pool))
        .build_arc()
    {
        Ok(runtime) => SessionContext::new_with_config_rt(SessionConfig::new(), runtime),
        // Only a disk manager that cannot start fails; run without spilling.
        Err(_) => SessionContext::new(),
    };
    context.runtime_env().register_object_store(
        ObjectStoreUrl::local_filesystem().as_ref(),
        Arc::new(MappedFiles::default()),
    );
    context.add_analyzer_rule(Arc::new(FastFilters));
    context
}

/// How often [`watch`] reads the resident memory.
const WATCH_EVERY: std::time::Duration = std::time::Duration::from_millis(20);

/// Starts a thread that ends the process with exit 2 (after removing any
/// temporary output file) once its resident memory passes [`limit`].
pub fn watch() {
    let limit = limit();
    let spawned = std::thread::Builder::new()
        .name("memory-watch".to_owned())
        .spawn(move || loop {
            std::thread::sleep(WATCH_EVERY);
            let Some(resident) = resident_bytes() else {
                return;
            };
            if resident > limit.bytes {
                crate::outfile::remove_pending();
                crate::stdio::eprintln(&format!(
                    "error: the query used more than {} of memory ({}), and was stopped; \
                     raise it with `--memory-limit SIZE`, or narrow the query (--by, --from/--to)",
                    shown(limit.bytes),
                    describe(limit)
                ));
                std::process::exit(2);
            }
        });
    // Without the thread the pool still bounds what DataFusion tracks.
    drop(spawned);
}

/// The process's anonymous resident memory (`RssAnon` of
/// `/proc/self/status`: the heap, not the mapped binary), in bytes.
fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status
        .lines()
        .find(|l| l.starts_with("RssAnon:"))
        .or_else(|| status.lines().find(|l| l.starts_with("VmRSS:")))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kib.checked_mul(1024)
}

/// `2.0 GB (1.9 GiB)`: both units, since either may have been given.
fn shown(bytes: u64) -> String {
    let size = bytesize::ByteSize::b(bytes);
    format!("{} ({})", size.display().si(), size.display().iec())
}

fn describe(limit: MemoryLimit) -> &'static str {
    if limit.given {
        "the limit given with --memory-limit"
    } else {
        "the default limit, half of this machine's memory"
    }
}

/// Adds the limit to an error that says the memory pool ran out.
pub fn explain_exhausted(fatal: Fatal) -> Fatal {
    if !fatal.0.contains("Resources exhausted") {
        return fatal;
    }
    let limit = limit();
    let how = describe(limit);
    Fatal(format!(
        "{}\nthe query needs more memory than {} ({how}) even after spilling to disk; \
         raise it with `--memory-limit SIZE`, or narrow the query (--by, --from/--to)",
        fatal.0,
        shown(limit.bytes)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_decimal_and_binary_units() {
        assert_eq!(parse_size("2GB"), Ok(2_000_000_000));
        assert_eq!(parse_size("512MiB"), Ok(512 * 1024 * 1024));
        assert_eq!(parse_size("1073741824"), Ok(1 << 30));
        assert!(parse_size("lots").is_err());
        assert!(parse_size("1KB").is_err());
    }

    #[test]
    fn mem_total_is_read_in_kibibytes() {
        let text = "MemTotal:       24683656 kB\nMemFree: 1 kB\n";
        assert_eq!(mem_total(text), Some(24_683_656 * 1024));
        assert_eq!(mem_total("MemFree: 1 kB"), None);
    }
}
