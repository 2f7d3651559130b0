//! The formatter's view of a file: tokens and comments, each with the
//! whitespace before it. Tokens are never split finer than the grammar's
//! atomic rules (a path `accounts.segment`, a number `1.5e-3`, a literal
//! `@2026-06-01T09:00:00Z`, a string), so the formatter, which only changes
//! the whitespace between tokens, cannot change how a file parses.

/// One token or comment, and the whitespace in front of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Piece<'a> {
    pub kind: PieceKind,
    /// The text as written (a comment without trailing whitespace).
    pub text: &'a str,
    pub gap: Gap,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PieceKind {
    /// A name, keyword, number, duration, percentage or dotted path.
    Word,
    /// `@2026-06-01`, `@2026-06-01T09:00:00Z` or a unit `@usd`.
    At,
    /// A string literal, escapes and all.
    Str,
    /// An operator or bracket, one of [`KNOWN_PUNCT`], or any other
    /// character (kept as written).
    Punct,
    /// `// ...` to the end of the line.
    Comment,
}

/// The whitespace before a piece.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Gap {
    pub newlines: usize,
    pub any: bool,
}

/// The punctuation the layout rules know; anything else keeps the spacing
/// it was written with.
pub const KNOWN_PUNCT: &[&str] = &[
    "{", "}", "(", ")", "[", "]", ",", ":", "?", "==", "!=", "<=", ">=", "<", ">", "+", "-", "*",
    "/",
];

/// Splits `text` into pieces. Never fails: a character it does not know is
/// a one-character `Punct`.
pub fn pieces(text: &str) -> Vec<Piece<'_>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut gap = Gap::default();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if matches!(c, b' ' | b'\t' | b'\r' | b'\n') {
            gap.any = true;
            gap.newlines += usize::from(c == b'\n');
            i += 1;
            continue;
        }
        let (kind, end) = match c {
            b'/' if bytes.get(i + 1) == Some(&b'/') => (PieceKind::Comment, line_end(bytes, i)),
            b'"' => (PieceKind::Str, string_end(bytes, i)),
            b'@' => match at_end(bytes, i) {
                Some(end) => (PieceKind::At, end),
                None => (PieceKind::Punct, i + 1),
            },
            c if c.is_ascii_alphanumeric() || c == b'_' => (PieceKind::Word, word_end(bytes, i)),
            _ => (PieceKind::Punct, punct_end(text, i)),
        };
        let raw = &text[i..end];
        let piece_text = if kind == PieceKind::Comment {
            raw.trim_end()
        } else {
            raw
        };
        out.push(Piece {
            kind,
            text: piece_text,
            gap,
        });
        gap = Gap::default();
        i = end;
    }
    out
}

fn line_end(bytes: &[u8], from: usize) -> usize {
    bytes[from..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |p| from + p)
}

/// The end of a string starting at `from` (its closing quote, or the end of
/// the line when it has none).
fn string_end(bytes: &[u8], from: usize) -> usize {
    let mut i = from + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if i + 1 < bytes.len() && bytes[i + 1] != b'\n' => i += 2,
            b'"' => return i + 1,
            b'\n' => return i,
            _ => i += 1,
        }
    }
    bytes.len()
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'%'
}

/// A word: letters, digits, `_`, `.` (paths, decimals) and `%`; a number's
/// exponent sign (`1.5e-3`) stays inside it.
fn word_end(bytes: &[u8], from: usize) -> usize {
    let mut i = from;
    while i < bytes.len() {
        if is_word_byte(bytes[i]) {
            i += 1;
        } else if matches!(bytes[i], b'+' | b'-')
            && bytes[from].is_ascii_digit()
            && matches!(bytes[i - 1], b'e' | b'E')
            && bytes.get(i + 1).is_some_and(u8::is_ascii_digit)
        {
            i += 2;
        } else {
            break;
        }
    }
    i
}

/// A date, timestamp or unit after `@`; `None` for a lone `@`.
fn at_end(bytes: &[u8], from: usize) -> Option<usize> {
    let first = *bytes.get(from + 1)?;
    if first.is_ascii_alphabetic() || first == b'_' {
        let end = bytes[from + 1..]
            .iter()
            .position(|&b| !(b.is_ascii_alphanumeric() || b == b'_'))
            .map_or(bytes.len(), |p| from + 1 + p);
        return Some(end);
    }
    if !first.is_ascii_digit() {
        return None;
    }
    // YYYY-MM-DD, then an optional THH:MM[:SS[.f]] and zone.
    let mut i = from + 1;
    while i < bytes.len() && i < from + 11 && (bytes[i].is_ascii_digit() || bytes[i] == b'-') {
        i += 1;
    }
    if bytes.get(i) == Some(&b'T') && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
        i += 1;
        while i < bytes.len() && (bytes[i].is_ascii_digit() || matches!(bytes[i], b':' | b'.')) {
            i += 1;
        }
        match bytes.get(i) {
            Some(b'Z') => i += 1,
            Some(b'+' | b'-')
                if bytes.len() >= i + 6
                    && bytes[i + 1..i + 3].iter().all(u8::is_ascii_digit)
                    && bytes[i + 3] == b':' =>
            {
                i += 6
            }
            _ => {}
        }
    }
    Some(i)
}

/// A known operator or bracket; or, from a character the layout does not
/// know, the run of operator characters it begins (`=>` stays one piece).
fn punct_end(text: &str, from: usize) -> usize {
    let rest = &text[from..];
    if let Some(op) = KNOWN_PUNCT
        .iter()
        .find(|op| op.len() == 2 && rest.starts_with(**op))
    {
        return from + op.len();
    }
    let Some(first) = rest.chars().next() else {
        return from + 1;
    };
    if KNOWN_PUNCT.contains(&&rest[..first.len_utf8()]) {
        return from + 1;
    }
    let operator_char = |c: char| {
        !(c.is_whitespace()
            || c.is_ascii_alphanumeric()
            || matches!(c, '_' | '"' | '@' | '(' | ')' | '[' | ']' | '{' | '}' | ','))
    };
    from + rest
        .char_indices()
        .skip(1)
        .find(|(i, c)| !operator_char(*c) || rest[*i..].starts_with("//"))
        .map_or(rest.len(), |(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<&str> {
        pieces(text).into_iter().map(|p| p.text).collect()
    }

    #[test]
    fn atomic_tokens_stay_whole() {
        assert_eq!(
            texts("a.b>=1.5e-3 @2026-06-01T09:00:00+02:00 @usd \"x // y\" // c  \n80%"),
            [
                "a.b",
                ">=",
                "1.5e-3",
                "@2026-06-01T09:00:00+02:00",
                "@usd",
                "\"x // y\"",
                "// c",
                "80%"
            ]
        );
        assert_eq!(texts("@2026-06-01-1d"), ["@2026-06-01", "-", "1d"]);
        assert_eq!(texts("x-1"), ["x", "-", "1"]);
        assert_eq!(texts("§ @ ·"), ["§", "@", "·"]);
        assert_eq!(texts("a=>b|c"), ["a", "=>", "b", "|", "c"]);
    }

    #[test]
    fn gaps_count_newlines() {
        let p = pieces("a\n\n  b c");
        assert_eq!(
            p[1].gap,
            Gap {
                newlines: 2,
                any: true
            }
        );
        assert_eq!(
            p[2].gap,
            Gap {
                newlines: 0,
                any: true
            }
        );
    }
}
