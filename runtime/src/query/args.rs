//! A query's command line as text the compiler can point into: the words
//! clap parsed are written back as one line (a file of the session's source
//! map, `<command line>`), each word with its span there, so a problem with
//! an argument renders like a problem in a `.yard` file.

use crate::cli::QueryOpts;
use yardstick_compiler::diagnostics::Diagnostic;
use yardstick_compiler::query::{Arg, QueryArgs};
use yardstick_compiler::span::{FileId, SourceFile, SourceMap, Span};

/// The query's arguments with their spans, adding the command line to
/// `sources`; problems with the words themselves come back beside them.
pub fn query_args(
    command: &str,
    opts: &QueryOpts,
    sources: &mut SourceMap,
) -> (QueryArgs, Vec<Diagnostic>) {
    let file = FileId(u32::try_from(sources.files().count()).unwrap_or(u32::MAX));
    let mut text = format!("yardstick {command}");
    let mut words = Vec::new();
    let mut push = |word: &str| {
        text.push(' ');
        let quoted =
            word.is_empty() || word.contains(|c: char| c.is_whitespace() || "'\"$`\\".contains(c));
        if quoted {
            text.push('\'');
        }
        let start = text.len();
        text.push_str(word);
        words.push(Arg {
            text: word.to_owned(),
            span: Span::new(file, start, text.len()),
        });
        if quoted {
            text.push('\'');
        }
    };
    opts.metrics.iter().for_each(|m| push(m));
    if !opts.by.is_empty() {
        push("--by");
        push(&opts.by.join(","));
    }
    for (flag, value) in [
        ("--grain", &opts.grain),
        ("--from", &opts.from),
        ("--to", &opts.to),
        ("--last", &opts.last),
        ("--as-of", &opts.as_of),
        ("--where", &opts.filter),
    ] {
        if let Some(value) = value {
            push(flag);
            push(value);
        }
    }
    sources.add(SourceFile {
        path: "<command line>".to_owned(),
        text,
    });
    QueryArgs::from_words(words)
}
