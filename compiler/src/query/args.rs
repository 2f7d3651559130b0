//! A query's arguments as written, each with its span: read from the words
//! of a command line (`nps --by region,channel --grain month`), where the
//! words come from a shell (the runtime) or a case file's `// query:` line
//! (the tests).

use crate::diagnostics::{Code, Diagnostic};
use crate::span::{FileId, Span};

/// One argument as given, and where it stands.
#[derive(Debug, Clone, PartialEq)]
pub struct Arg {
    pub text: String,
    pub span: Span,
}

/// A query as the command line gives it.
#[derive(Debug, Clone, Default)]
pub struct QueryArgs {
    pub metrics: Vec<Arg>,
    pub by: Vec<Arg>,
    pub grain: Option<Arg>,
    pub from: Option<Arg>,
    pub to: Option<Arg>,
    pub as_of: Option<Arg>,
    /// `--last 90d`: a series' `--from` as the duration before its end.
    pub last: Option<Arg>,
    /// A row-level expression over dimensions; the expression's own spans
    /// fall inside this argument's.
    pub filter: Option<Arg>,
    /// All the words, for a problem with the query as a whole.
    pub span: Span,
}

impl Arg {
    /// An argument with no place to point at (a query the runtime asks
    /// itself).
    pub fn unplaced(text: &str) -> Arg {
        Arg {
            text: text.to_owned(),
            span: Span::default(),
        }
    }
}

/// The words of a command line written as one line of text starting at byte
/// `base` of `file`: split at blanks, with `'...'` and `"..."` keeping
/// blanks inside a word (the quotes are not part of it, and a word's span
/// is its text without them).
pub fn split_words(file: FileId, base: usize, line: &str) -> Vec<Arg> {
    let mut words = Vec::new();
    let mut chars = line.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let (quote, first) = if c == '\'' || c == '"' {
            chars.next();
            (Some(c), start + c.len_utf8())
        } else {
            (None, start)
        };
        let mut end = line.len();
        while let Some(&(i, c)) = chars.peek() {
            if quote == Some(c) || (quote.is_none() && c.is_whitespace()) {
                end = i;
                chars.next();
                break;
            }
            chars.next();
        }
        words.push(Arg {
            text: line.get(first..end).unwrap_or("").to_owned(),
            span: Span::new(file, base + first, base + end),
        });
    }
    words
}

impl QueryArgs {
    /// Reads the words after `yardstick query`: metric names, then flags
    /// with their values. A word that is not a flag it knows is reported.
    pub fn from_words(words: Vec<Arg>) -> (QueryArgs, Vec<Diagnostic>) {
        let mut args = QueryArgs {
            span: match (words.first(), words.last()) {
                (Some(a), Some(b)) => a.span.to(b.span),
                _ => Span::default(),
            },
            ..QueryArgs::default()
        };
        let mut problems = Vec::new();
        let mut words = words.into_iter();
        while let Some(word) = words.next() {
            let slot = match word.text.as_str() {
                "--by" | "--grain" | "--from" | "--to" | "--last" | "--as-of" | "--where" => {
                    word.text.clone()
                }
                flag if flag.starts_with("--") => {
                    problems.push(
                        Diagnostic::error(
                            Code::QueryArguments,
                            word.span,
                            format!("`{flag}` is not an option of a query"),
                        )
                        .label("unknown option")
                        .help("a query takes --by, --grain, --from, --to, --last, --as-of and --where"),
                    );
                    continue;
                }
                _ => {
                    args.metrics.push(word);
                    continue;
                }
            };
            let Some(value) = words.next() else {
                problems.push(
                    Diagnostic::error(
                        Code::QueryArguments,
                        word.span,
                        format!("`{slot}` needs a value"),
                    )
                    .label("no value")
                    .help(format!("write `{slot} <value>`")),
                );
                break;
            };
            match slot.as_str() {
                "--by" => args.by.extend(split_list(value)),
                "--grain" => args.grain = Some(value),
                "--from" => args.from = Some(value),
                "--to" => args.to = Some(value),
                "--as-of" => args.as_of = Some(value),
                "--last" => args.last = Some(value),
                _ => args.filter = Some(value),
            }
        }
        (args, problems)
    }
}

/// `region,channel` as two arguments.
fn split_list(value: Arg) -> Vec<Arg> {
    let mut out = Vec::new();
    let mut start = 0;
    for part in value.text.split(',') {
        let at = value.span.start as usize + start;
        out.push(Arg {
            text: part.to_owned(),
            span: Span::new(value.span.file, at, at + part.len()),
        });
        start += part.len() + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_keep_their_places_and_quotes_keep_blanks() {
        let line = r#"nps --by region,channel --where 'region == "EU"'"#;
        let words = split_words(FileId(0), 10, line);
        let texts: Vec<&str> = words.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "nps",
                "--by",
                "region,channel",
                "--where",
                r#"region == "EU""#
            ]
        );
        let filter = &words[4];
        assert_eq!(
            &line[filter.span.start as usize - 10..filter.span.end as usize - 10],
            filter.text
        );
        let (args, problems) = QueryArgs::from_words(words);
        assert!(problems.is_empty());
        assert_eq!(args.by[1].text, "channel");
        assert_eq!(
            args.by[1].span.start as usize - 10,
            line.find("channel").unwrap_or(0)
        );
    }

    #[test]
    fn unknown_options_and_missing_values_are_reported() {
        let (_, problems) = QueryArgs::from_words(split_words(FileId(0), 0, "nps --bye x --grain"));
        assert_eq!(problems.len(), 2);
    }
}
