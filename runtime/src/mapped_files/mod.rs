//! Local files read through memory maps. Sessions reach `file://` through
//! [`MappedFiles`]: the object store DataFusion would use otherwise
//! (`LocalFileSystem`), except for the byte ranges a Parquet scan asks for
//! (`get_ranges`, one call per row group and partition). `LocalFileSystem`
//! reads each range into a fresh zero-filled buffer: the kernel zeroes the
//! new pages, the buffer is zeroed again, and the file's pages are copied
//! in. For a scan of several large columns that was a third of the
//! query's CPU time (`perf`, docs/benchmarks.md). A mapped range is the
//! page cache's own pages, with none of that work.
//!
//! Small ranges (a footer, a dictionary page, a column of flags) are read
//! into a buffer: mapping them costs more than copying them. Every range is
//! checked against the file's length before it is touched, and errors name
//! the file.
//!
//! A map is only safe while the file keeps its length: a file shortened by
//! another process while a query reads it faults (SIGBUS). [`faults`] turns
//! that signal into exit 2 and a message naming the file, never a crash.

mod faults;

pub use faults::exit_on_bus_error;
use faults::Live;

use bytes::Bytes;
use datafusion::object_store::local::LocalFileSystem;
use datafusion::object_store::path::Path;
use datafusion::object_store::{
    CopyOptions, GetOptions, GetResult, ListResult, MultipartUpload, ObjectMeta, ObjectStore,
    PutMultipartOptions, PutOptions, PutPayload, PutResult, RenameOptions, Result,
};
use futures::stream::BoxStream;
use std::fs::File;
use std::ops::Range;
use std::os::unix::fs::FileExt;

/// A mapped range, recorded as live for as long as any slice of it is.
struct Mapped {
    map: memmap2::Mmap,
    _live: Live,
}

impl AsRef<[u8]> for Mapped {
    fn as_ref(&self) -> &[u8] {
        &self.map
    }
}

/// Ranges shorter than this are read into a buffer rather than mapped.
const MAP_AT_LEAST: u64 = 256 * 1024;

/// The local file system, with the ranges of a scan mapped, not copied.
#[derive(Debug, Default)]
pub struct MappedFiles {
    local: LocalFileSystem,
}

impl std::fmt::Display for MappedFiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MappedFiles({})", self.local)
    }
}

/// An error of this store, naming the file.
fn failed(path: &std::path::Path, what: impl std::fmt::Display) -> datafusion::object_store::Error {
    datafusion::object_store::Error::Generic {
        store: "MappedFiles",
        source: format!("{}: {what}", path.display()).into(),
    }
}

/// The bytes of `range` of `file` (`length` bytes long): mapped when long,
/// read when short.
fn bytes_of(file: &File, path: &std::path::Path, length: u64, range: Range<u64>) -> Result<Bytes> {
    if range.start > range.end || range.end > length {
        return Err(failed(
            path,
            format!(
                "the range {}..{} is outside the file's {length} bytes",
                range.start, range.end
            ),
        ));
    }
    let size = usize::try_from(range.end - range.start).map_err(|e| failed(path, e))?;
    if size as u64 >= MAP_AT_LEAST {
        #[allow(unsafe_code)]
        // SAFETY: the range lies within the file's length, checked above.
        // A file shortened by another process while it is mapped faults on
        // access, and `faults` ends the process with a message then.
        let map = unsafe {
            memmap2::MmapOptions::new()
                .offset(range.start)
                .len(size)
                .populate()
                .map(file)
        }
        .map_err(|e| failed(path, e))?;
        let addresses = map.as_ptr() as usize..map.as_ptr() as usize + size;
        let live = Live::record(addresses, path);
        return Ok(Bytes::from_owner(Mapped { map, _live: live }));
    }
    let mut buffer = vec![0; size];
    file.read_exact_at(&mut buffer, range.start)
        .map_err(|e| failed(path, e))?;
    Ok(Bytes::from(buffer))
}

#[async_trait::async_trait]
#[deny(clippy::missing_trait_methods)]
impl ObjectStore for MappedFiles {
    async fn put_opts(
        &self,
        location: &Path,
        payload: PutPayload,
        opts: PutOptions,
    ) -> Result<PutResult> {
        self.local.put_opts(location, payload, opts).await
    }

    async fn put_multipart_opts(
        &self,
        location: &Path,
        opts: PutMultipartOptions,
    ) -> Result<Box<dyn MultipartUpload>> {
        self.local.put_multipart_opts(location, opts).await
    }

    async fn get_opts(&self, location: &Path, options: GetOptions) -> Result<GetResult> {
        self.local.get_opts(location, options).await
    }

    async fn get_ranges(&self, location: &Path, ranges: &[Range<u64>]) -> Result<Vec<Bytes>> {
        let path = self.local.path_to_filesystem(location)?;
        let ranges = ranges.to_vec();
        let read = tokio::task::spawn_blocking(move || {
            let file = File::open(&path).map_err(|e| failed(&path, e))?;
            let length = file.metadata().map_err(|e| failed(&path, e))?.len();
            ranges
                .into_iter()
                .map(|range| bytes_of(&file, &path, length, range))
                .collect()
        });
        read.await
            .map_err(|e| datafusion::object_store::Error::Generic {
                store: "MappedFiles",
                source: e.into(),
            })?
    }

    fn delete_stream(
        &self,
        locations: BoxStream<'static, Result<Path>>,
    ) -> BoxStream<'static, Result<Path>> {
        self.local.delete_stream(locations)
    }

    fn list(&self, prefix: Option<&Path>) -> BoxStream<'static, Result<ObjectMeta>> {
        self.local.list(prefix)
    }

    fn list_with_offset(
        &self,
        prefix: Option<&Path>,
        offset: &Path,
    ) -> BoxStream<'static, Result<ObjectMeta>> {
        self.local.list_with_offset(prefix, offset)
    }

    async fn list_with_delimiter(&self, prefix: Option<&Path>) -> Result<ListResult> {
        self.local.list_with_delimiter(prefix).await
    }

    async fn copy_opts(&self, from: &Path, to: &Path, options: CopyOptions) -> Result<()> {
        self.local.copy_opts(from, to, options).await
    }

    async fn rename_opts(&self, from: &Path, to: &Path, options: RenameOptions) -> Result<()> {
        self.local.rename_opts(from, to, options).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A file of `length` bytes counting 0, 1, ... 250, 0, 1, ...
    fn counting_file(dir: &tempfile::TempDir, length: usize) -> std::path::PathBuf {
        let path = dir.path().join("counting.bin");
        let bytes: Vec<u8> = (0..length).map(|i| (i % 251) as u8).collect();
        let written = File::create(&path).and_then(|mut f| f.write_all(&bytes));
        assert!(written.is_ok(), "{written:?}");
        path
    }

    fn location(path: &std::path::Path) -> Path {
        Path::from_absolute_path(path).expect("a local path")
    }

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a runtime")
    }

    #[test]
    fn ranges_short_and_long_read_the_files_bytes() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let length = 3 * MAP_AT_LEAST as usize + 17;
        let path = counting_file(&dir, length);
        let ranges = [
            0..10,                                             // read
            5..5,                                              // empty
            1000..1000 + MAP_AT_LEAST,                         // mapped, unaligned start
            (length as u64 - MAP_AT_LEAST - 3)..length as u64, // mapped, to the end
        ];
        let store = MappedFiles::default();
        let got = runtime()
            .block_on(store.get_ranges(&location(&path), &ranges))
            .expect("the ranges");
        for (range, bytes) in ranges.iter().zip(&got) {
            let expected: Vec<u8> = (range.start..range.end).map(|i| (i % 251) as u8).collect();
            assert_eq!(bytes.as_ref(), expected.as_slice(), "{range:?}");
        }
    }

    #[test]
    fn a_range_past_the_end_or_a_missing_file_is_an_error_naming_the_file() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = counting_file(&dir, 100);
        let store = MappedFiles::default();
        let past = runtime()
            .block_on(store.get_ranges(&location(&path), &[50..101, 0..1]))
            .expect_err("past the end");
        let text = past.to_string();
        assert!(
            text.contains("counting.bin") && text.contains("50..101"),
            "{text}"
        );
        assert!(text.contains("100 bytes"), "{text}");
        let missing = dir.path().join("missing.parquet");
        let gone = runtime()
            .block_on(store.get_ranges(&location(&missing), &[0..1, 1..2]))
            .expect_err("no such file");
        assert!(gone.to_string().contains("missing.parquet"), "{gone}");
    }

    /// Run in a child process (the fault ends the process): maps a file,
    /// shortens it, and reads the lost page.
    #[test]
    fn a_file_shortened_under_its_map_ends_the_process_with_exit_2_naming_it() {
        const CHILD: &str = "YARDSTICK_TEST_SHORTENED_MAP";
        let name = "mapped_files::tests::a_file_shortened_under_its_map_ends_the_process_with_exit_2_naming_it";
        if let Some(folder) = std::env::var_os(CHILD) {
            exit_on_bus_error();
            let path = std::path::Path::new(&folder).join("shortened.parquet");
            let bytes: Vec<u8> = vec![7; 4 * MAP_AT_LEAST as usize];
            let written = std::fs::write(&path, &bytes);
            assert!(written.is_ok(), "{written:?}");
            let file = File::open(&path).expect("the file");
            let mapped =
                bytes_of(&file, &path, bytes.len() as u64, 0..bytes.len() as u64).expect("mapped");
            let shortened = File::options()
                .write(true)
                .open(&path)
                .and_then(|f| f.set_len(0));
            assert!(shortened.is_ok(), "{shortened:?}");
            // Faults: the handler's thread exits with 2.
            let lost = std::hint::black_box(mapped[3 * MAP_AT_LEAST as usize]);
            std::process::exit(i32::from(lost) + 100);
        }
        let dir = tempfile::tempdir().expect("a temporary folder");
        let exe = std::env::current_exe().expect("the test binary");
        let child = std::process::Command::new(exe)
            .args([name, "--exact", "--nocapture", "--test-threads=1"])
            .env(CHILD, dir.path())
            .output()
            .expect("the child runs");
        let stderr = String::from_utf8_lossy(&child.stderr);
        assert_eq!(child.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains("shortened.parquet` was shortened by another program"),
            "{stderr}"
        );
    }
}
