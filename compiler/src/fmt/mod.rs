//! `yardstick fmt`: the canonical layout of a `.yard` file, comments kept
//! (the rules are in `docs/formatting.md` and `layout.rs`).
//!
//! The formatter works on tokens, not on the syntax tree: it changes only
//! the whitespace between tokens and never splits or joins one, so it
//! cannot change what a file means, and a construct it has no rule for is
//! still printed as written. Before it answers, it checks its own output:
//! the same tokens and comments in the same order, and a file that parses.

mod layout;
mod lex;

use crate::diagnostics::Diagnostics;
use crate::span::FileId;

/// Why a file was not formatted.
#[derive(Debug)]
pub enum NotFormatted {
    /// The file does not parse: its syntax diagnostics. Nothing is changed.
    Unparsed(Diagnostics),
    /// The layout would have changed the file's tokens or made it
    /// unparseable: a bug in the formatter, caught before any harm.
    Unsafe(String),
}

/// The canonical text of one file (`file` is its id in the caller's
/// source map, for the diagnostics).
pub fn format(file: FileId, text: &str) -> Result<String, NotFormatted> {
    let mut diags = Diagnostics::new();
    crate::syntax::parse_file(file, text, &mut diags);
    if diags.has_errors() {
        return Err(NotFormatted::Unparsed(diags));
    }
    let pieces = lex::pieces(text);
    let formatted = layout::layout(&pieces);
    verify(file, &pieces, &formatted)?;
    Ok(formatted)
}

/// The output has the input's tokens and comments, in order, and parses.
fn verify(file: FileId, before: &[lex::Piece<'_>], formatted: &str) -> Result<(), NotFormatted> {
    let after = lex::pieces(formatted);
    let same = before.len() == after.len()
        && before
            .iter()
            .zip(&after)
            .all(|(b, a)| b.kind == a.kind && b.text == a.text);
    if !same {
        let at = before
            .iter()
            .zip(&after)
            .position(|(b, a)| b.kind != a.kind || b.text != a.text)
            .unwrap_or(before.len().min(after.len()));
        return Err(NotFormatted::Unsafe(format!(
            "the layout would change token {} of the file",
            at + 1
        )));
    }
    let mut diags = Diagnostics::new();
    crate::syntax::parse_file(file, formatted, &mut diags);
    if diags.has_errors() {
        return Err(NotFormatted::Unsafe(
            "the formatted text would not parse".to_owned(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
