//! Checking a data file's shape before DataFusion decodes it, so that a bad
//! file is reported by name (and line) rather than deep inside a reader:
//! the Parquet footer (magic, metadata length, metadata that decodes, and
//! column chunks and indexed pages that lie where the reader will slice), the
//! Arrow IPC magic, a CSV's header (byte-order mark, duplicates) and rows
//! (the same number of fields on every line, numbers where numbers are
//! declared), and JSON lines that are objects. Messages name files,
//! columns, types and line numbers, never the files' contents.

use super::catalog::arrow_type;
use crate::guard::truncate;
use datafusion::arrow::array::{Array, StringArray};
use datafusion::arrow::compute::{cast_with_options, CastOptions};
use datafusion::parquet::file::metadata::{
    PageIndexPolicy, ParquetMetaData, ParquetMetaDataReader,
};
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;
use yardstick_compiler::model::Source;
use yardstick_compiler::types::Type;

/// A problem with one file, described without its contents.
pub type Problem = String;

fn open(path: &Path) -> Result<(File, u64), Problem> {
    let file = File::open(path).map_err(|e| format!("cannot be opened: {e}"))?;
    let len = file
        .metadata()
        .map_err(|e| format!("cannot be read: {e}"))?
        .len();
    Ok((file, len))
}

fn read_at(file: &mut File, at: SeekFrom, buf: &mut [u8]) -> Result<(), Problem> {
    file.seek(at)
        .and_then(|_| file.read_exact(buf))
        .map_err(|e| format!("cannot be read: {e}"))
}

/// The footer of a Parquet file: `PAR1` at both ends, a metadata length
/// that fits in the file, and metadata that decodes.
pub fn parquet(path: &Path) -> Result<(), Problem> {
    let (mut file, len) = open(path)?;
    if len == 0 {
        return Err("is empty (0 bytes), not a Parquet file".to_owned());
    }
    if len < 12 {
        return Err(format!(
            "is {len} bytes long, too short to be a Parquet file"
        ));
    }
    let mut head = [0u8; 4];
    read_at(&mut file, SeekFrom::Start(0), &mut head)?;
    let mut tail = [0u8; 8];
    read_at(&mut file, SeekFrom::End(-8), &mut tail)?;
    if &tail[4..] == b"PARE" {
        return Err("is an encrypted Parquet file, which Yardstick cannot read".to_owned());
    }
    if &head != b"PAR1" || &tail[4..] != b"PAR1" {
        return Err(
            "is not a Parquet file (no `PAR1` marker at its start and end); \
             it may be truncated or of another format"
                .to_owned(),
        );
    }
    let metadata_len = u64::from(u32::from_le_bytes([tail[0], tail[1], tail[2], tail[3]]));
    if metadata_len + 12 > len {
        return Err(format!(
            "is damaged: its footer gives {metadata_len} bytes of metadata, \
             but the file is {len} bytes long"
        ));
    }
    let _reading = crate::guard::doing(format!(
        "decoding the Parquet footer of `{}`",
        path.display()
    ));
    let metadata = ParquetMetaDataReader::new()
        .with_offset_index_policy(PageIndexPolicy::Optional)
        .parse_and_finish(&file)
        .map_err(|e| {
            format!(
                "is damaged: its metadata cannot be decoded ({})",
                truncate(&e.to_string(), 120)
            )
        })?;
    parquet_layout(&metadata, len - 8 - metadata_len)
}

/// Every column chunk lies before the footer (which starts at
/// `data_end`), and every page its offset index lists lies inside its
/// column chunk, in order. The Parquet reader trusts these positions when
/// it slices what it fetched, and panics where they are wrong.
fn parquet_layout(metadata: &ParquetMetaData, data_end: u64) -> Result<(), Problem> {
    for (g, group) in metadata.row_groups().iter().enumerate() {
        for (c, chunk) in group.columns().iter().enumerate() {
            // Named only in a message: most files have nothing to report.
            let column = || chunk.column_path().string();
            let (start, size) = chunk.byte_range();
            let end = start.checked_add(size).filter(|&end| end <= data_end);
            let Some(end) = end else {
                return Err(format!(
                    "is damaged: column `{}` of row group {g} reaches past the data \
                     (bytes {start} to {start}+{size}, the data ends at {data_end})",
                    column()
                ));
            };
            let pages = metadata
                .offset_index()
                .and_then(|index| index.get(g))
                .and_then(|group| group.get(c))
                .map(|index| index.page_locations().as_slice())
                .unwrap_or_default();
            let mut next = start;
            for (p, page) in pages.iter().enumerate() {
                let inside = u64::try_from(page.offset)
                    .ok()
                    .zip(u64::try_from(page.compressed_page_size).ok())
                    .and_then(|(from, size)| Some((from, from.checked_add(size)?)))
                    .filter(|&(from, to)| from >= next && to <= end);
                let Some((_, to)) = inside else {
                    return Err(format!(
                        "is damaged: its page index places page {p} of column `{}` \
                         (row group {g}) outside its column chunk (bytes {start} to {end})",
                        column()
                    ));
                };
                next = to;
            }
        }
    }
    Ok(())
}

/// An Arrow IPC file: `ARROW1` at both ends.
pub fn arrow(path: &Path) -> Result<(), Problem> {
    let (mut file, len) = open(path)?;
    if len < 12 {
        return Err(format!(
            "is {len} bytes long, too short to be an Arrow IPC file"
        ));
    }
    let mut head = [0u8; 6];
    read_at(&mut file, SeekFrom::Start(0), &mut head)?;
    let mut tail = [0u8; 6];
    read_at(&mut file, SeekFrom::End(-6), &mut tail)?;
    if &head != b"ARROW1" || &tail != b"ARROW1" {
        return Err(
            "is not an Arrow IPC file (no `ARROW1` marker at its start and end); \
             it may be truncated, or an Arrow stream rather than a file"
                .to_owned(),
        );
    }
    Ok(())
}

/// A CSV file's header, without a byte-order mark, after checking it
/// (no column twice, every declared column present) and every row: the
/// same number of fields as the header, and readable numbers in the
/// columns declared `int` or `float`.
pub fn csv(path: &Path, source: &Source) -> Result<Vec<String>, Problem> {
    let (file, len) = open(path)?;
    if len == 0 {
        return Err("is empty (0 bytes); a CSV source needs at least a header line".to_owned());
    }
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(BufReader::new(file));
    let header = reader
        .byte_headers()
        .map_err(|e| csv_error(&e, "its header"))?
        .clone();
    let mut names = Vec::with_capacity(header.len());
    for (i, raw) in header.iter().enumerate() {
        let mut name = String::from_utf8_lossy(raw).trim().to_owned();
        if i == 0 {
            name = name.trim_start_matches('\u{feff}').to_owned();
        }
        if let Some(first) = names.iter().position(|n| n == &name) {
            return Err(format!(
                "has the column `{}` twice in its header (columns {} and {})",
                truncate(&name, crate::guard::ECHO_LIMIT),
                first + 1,
                i + 1
            ));
        }
        names.push(name);
    }
    if let Some(c) = source.columns.iter().find(|c| !names.contains(&c.name)) {
        let shown: Vec<String> = names
            .iter()
            .take(20)
            .map(|n| format!("`{}`", truncate(n, 40)))
            .collect();
        let more = names.len().saturating_sub(20);
        return Err(format!(
            "has no column `{}` (declared {}); its header has {}{}",
            c.name,
            c.ty,
            shown.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        ));
    }
    // Every declared column that is not text, read as DataFusion will.
    let typed: Vec<(usize, Type)> = names
        .iter()
        .enumerate()
        .filter_map(|(i, n)| {
            let ty = source.column(n)?.ty;
            (ty != Type::String).then_some((i, ty))
        })
        .collect();
    let mut batch = Rows::default();
    let mut record = ::csv::ByteRecord::new();
    loop {
        let more = reader
            .read_byte_record(&mut record)
            .map_err(|e| csv_error(&e, "a row"))?;
        if more {
            batch.push(&record, &typed);
        }
        if batch.lines.len() >= CHECK_ROWS || (!more && !batch.lines.is_empty()) {
            batch.check(&typed, &names)?;
            batch = Rows::default();
        }
        if !more {
            break;
        }
    }
    Ok(names)
}

/// Rows whose typed columns are checked together.
const CHECK_ROWS: usize = 8192;

/// A batch of CSV rows: their line numbers and the text of each typed
/// column.
#[derive(Default)]
struct Rows {
    lines: Vec<u64>,
    columns: Vec<Vec<Option<String>>>,
}

impl Rows {
    fn push(&mut self, record: &::csv::ByteRecord, typed: &[(usize, Type)]) {
        self.columns.resize_with(typed.len(), Vec::new);
        self.lines
            .push(record.position().map(|p| p.line()).unwrap_or(0));
        for (column, &(i, _)) in self.columns.iter_mut().zip(typed) {
            let text = record
                .get(i)
                .map(|f| String::from_utf8_lossy(f).into_owned())
                .filter(|t| !t.is_empty());
            column.push(text);
        }
    }

    /// The first value that does not convert to its column's type, by line
    /// and column (never by value).
    fn check(&self, typed: &[(usize, Type)], names: &[String]) -> Result<(), Problem> {
        for (column, &(i, ty)) in self.columns.iter().zip(typed) {
            let text = StringArray::from(column.clone());
            let Ok(converted) = cast_with_options(&text, &arrow_type(ty), &CastOptions::default())
            else {
                continue;
            };
            let bad = (0..text.len()).find(|&r| text.is_valid(r) && converted.is_null(r));
            if let Some(r) = bad {
                return Err(format!(
                    "line {}: column `{}` is declared {ty}, but its value is not {}",
                    self.lines.get(r).copied().unwrap_or(0),
                    names[i],
                    kind_of(ty)
                ));
            }
        }
        Ok(())
    }
}

fn kind_of(ty: Type) -> &'static str {
    match ty {
        Type::Int => "an integer",
        Type::Float | Type::Decimal => "a number",
        Type::Bool => "true or false",
        Type::Date => "a date (YYYY-MM-DD)",
        Type::Timestamp => "a timestamp (such as 2026-01-31T09:30:00Z)",
        _ => "of that type",
    }
}

fn csv_error(e: &::csv::Error, what: &str) -> Problem {
    match e.kind() {
        ::csv::ErrorKind::UnequalLengths {
            pos,
            expected_len,
            len,
        } => format!(
            "line {}: {len} fields where the header has {expected_len}",
            pos.as_ref().map(|p| p.line()).unwrap_or(0)
        ),
        ::csv::ErrorKind::Io(io) => format!("cannot be read: {io}"),
        _ => format!("{what} cannot be read as CSV"),
    }
}

/// Newline-delimited JSON: every non-blank line an object.
pub fn json(path: &Path) -> Result<(), Problem> {
    let (file, len) = open(path)?;
    if len == 0 {
        return Ok(());
    }
    let mut reader = BufReader::new(file);
    let mut line = Vec::new();
    let mut number = 0usize;
    loop {
        line.clear();
        let n = reader
            .read_until(b'\n', &mut line)
            .map_err(|e| format!("cannot be read: {e}"))?;
        if n == 0 {
            break;
        }
        number += 1;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice::<serde_json::Value>(&line) {
            Ok(serde_json::Value::Object(_)) => {}
            Ok(_) => {
                return Err(format!(
                    "line {number}: a JSON value that is not an object; \
                     a JSON source has one object per line"
                ))
            }
            Err(e) => {
                return Err(format!(
                    "line {number}, column {}: not valid JSON ({}); \
                     a JSON source has one object per line",
                    e.column(),
                    match e.classify() {
                        serde_json::error::Category::Eof => "it ends early",
                        serde_json::error::Category::Io => "unreadable",
                        _ => "a syntax error",
                    }
                ))
            }
        }
    }
    Ok(())
}
