//! `yardstick.lock`: each metric's version and fingerprint, one line per
//! metric, sorted by name, so a pull request shows exactly which metrics
//! moved.
//!
//! ```text
//! # yardstick.lock — written by `yardstick lock`, checked by `yardstick check`.
//! format 2
//! metric fcr version 3 fingerprint sha256:5c0d...
//! metric old_rate version 2 fingerprint sha256:9a41... deprecated
//! ```

use super::fingerprint::FORMAT_VERSION;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::span::{FileId, Span};
use std::collections::BTreeMap;

/// One locked metric.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Locked {
    pub version: u32,
    pub fingerprint: String,
    pub deprecated: bool,
    /// The line in the lock file.
    pub span: Span,
}

pub type Lock = BTreeMap<String, Locked>;

/// Reads a lock file; lines it cannot read are diagnostics.
pub fn parse(file: FileId, text: &str, diags: &mut Diagnostics) -> Lock {
    let mut lock = Lock::new();
    let mut offset = 0usize;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let content = line.trim_end();
        let span = Span::new(file, start, start + content.len());
        let words: Vec<&str> = content.split_whitespace().collect();
        match words.as_slice() {
            [] => {}
            [first, ..] if first.starts_with('#') => {}
            ["format", n] if n.parse::<u32>() == Ok(FORMAT_VERSION) => {}
            ["format", n] => diags.push(
                Diagnostic::error(
                    Code::LockSyntax,
                    span,
                    format!("this lock file has format {n}; this Yardstick reads format {FORMAT_VERSION}"),
                )
                .label("unknown format")
                .help("run `yardstick lock` to write it again"),
            ),
            ["metric", name, "version", v, "fingerprint", fp, rest @ ..]
                if v.parse::<u32>().is_ok() && rest.iter().all(|w| *w == "deprecated") =>
            {
                lock.insert(
                    (*name).to_owned(),
                    Locked {
                        version: v.parse().unwrap_or(1),
                        fingerprint: (*fp).to_owned(),
                        deprecated: !rest.is_empty(),
                        span,
                    },
                );
            }
            _ => diags.push(
                Diagnostic::error(Code::LockSyntax, span, "this line of the lock file cannot be read")
                    .label("not a lock line")
                    .help("lines read `metric NAME version N fingerprint sha256:...`; run `yardstick lock` to write the file again"),
            ),
        }
    }
    lock
}

/// The text of a lock file for these metrics: `(name, version,
/// fingerprint, deprecated)`, written sorted.
pub fn render<'a>(metrics: impl Iterator<Item = (&'a str, u32, &'a str, bool)>) -> String {
    let mut lines: Vec<String> = metrics
        .map(|(name, version, fp, deprecated)| {
            let tail = if deprecated { " deprecated" } else { "" };
            format!("metric {name} version {version} fingerprint {fp}{tail}")
        })
        .collect();
    lines.sort();
    let mut out = String::from(
        "# yardstick.lock: the version and meaning (fingerprint) of every metric.\n\
         # Written by `yardstick lock`; `yardstick check` reports formula drift against it.\n",
    );
    out.push_str(&format!("format {FORMAT_VERSION}\n"));
    for l in lines {
        out.push_str(&l);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lock_round_trips() {
        let text = render(
            [
                ("nps", 1, "sha256:aa", false),
                ("fcr", 3, "sha256:bb", false),
                ("old", 2, "sha256:cc", true),
            ]
            .into_iter(),
        );
        let mut diags = Diagnostics::new();
        let lock = parse(FileId(0), &text, &mut diags);
        assert!(diags.is_empty());
        let again = render(
            lock.iter()
                .map(|(n, l)| (n.as_str(), l.version, l.fingerprint.as_str(), l.deprecated)),
        );
        assert_eq!(text, again);
        assert_eq!(lock.get("fcr").map(|l| l.version), Some(3));
        assert!(lock.get("old").is_some_and(|l| l.deprecated));
    }

    #[test]
    fn unreadable_lines_are_reported() {
        let mut diags = Diagnostics::new();
        parse(
            FileId(0),
            "format 2\nmetric x version two fingerprint y\n",
            &mut diags,
        );
        assert_eq!(diags.len(), 1);
    }
}
