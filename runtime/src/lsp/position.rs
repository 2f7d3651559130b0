//! Byte offsets (what the compiler's spans hold) to and from the
//! protocol's positions: a zero-based line and a column counted in UTF-16
//! code units by default, or in bytes when the client asks for UTF-8
//! (`general.positionEncodings`). Lines end at `\n`, `\r\n` or `\r`, as the
//! protocol says. A position beyond the end of its line, or of the text,
//! is clamped there; an offset inside a character moves to its start.

use lsp_types::{Position, Range};

/// How columns are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf16,
    Utf8,
}

/// The start of every line of one text.
pub struct LineIndex<'t> {
    text: &'t str,
    starts: Vec<usize>,
    encoding: Encoding,
}

impl<'t> LineIndex<'t> {
    pub fn new(text: &'t str, encoding: Encoding) -> LineIndex<'t> {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        let mut i = 0;
        while let Some(&b) = bytes.get(i) {
            match b {
                b'\n' => starts.push(i + 1),
                b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                    starts.push(i + 2);
                    i += 1;
                }
                b'\r' => starts.push(i + 1),
                _ => {}
            }
            i += 1;
        }
        LineIndex {
            text,
            starts,
            encoding,
        }
    }

    /// The text of line `line` without its line break (empty past the end).
    fn line(&self, line: usize) -> (usize, &'t str) {
        let Some(&start) = self.starts.get(line) else {
            return (self.text.len(), "");
        };
        let end = self
            .starts
            .get(line + 1)
            .copied()
            .unwrap_or(self.text.len());
        let text = self.text.get(start..end).unwrap_or("");
        (start, text.trim_end_matches(['\n', '\r']))
    }

    /// The byte offset of a position (clamped to its line and the text).
    pub fn offset(&self, position: Position) -> usize {
        if position.line as usize >= self.starts.len() {
            return self.text.len();
        }
        let (start, line) = self.line(position.line as usize);
        let wanted = position.character as usize;
        let mut column = 0;
        for (i, c) in line.char_indices() {
            if column >= wanted {
                return start + i;
            }
            column += self.width(c);
            // A column inside a character (half of a surrogate pair) lands
            // after it, so an edit never splits a character.
        }
        start + line.len()
    }

    /// The position of a byte offset (clamped to the text).
    pub fn position(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let (start, text) = self.line(line);
        let before = text
            .get(..offset.saturating_sub(start).min(text.len()))
            .unwrap_or("");
        let column: usize = before.chars().map(|c| self.width(c)).sum();
        Position::new(clamp(line), clamp(column))
    }

    pub fn range(&self, start: usize, end: usize) -> Range {
        Range::new(self.position(start), self.position(end))
    }

    fn width(&self, c: char) -> usize {
        match self.encoding {
            Encoding::Utf16 => c.len_utf16(),
            Encoding::Utf8 => c.len_utf8(),
        }
    }
}

fn clamp(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_utf16_code_units() {
        // `é` is one UTF-16 unit (two bytes), `𝔸` two units (four bytes).
        let text = "a: \"é𝔸\" x\nb";
        let index = LineIndex::new(text, Encoding::Utf16);
        let x = text.find(" x").map(|i| i + 1).unwrap_or(0);
        assert_eq!(index.position(x), Position::new(0, 9));
        assert_eq!(index.offset(Position::new(0, 9)), x);
        assert_eq!(index.offset(Position::new(1, 0)), text.len() - 1);
        let utf8 = LineIndex::new(text, Encoding::Utf8);
        assert_eq!(utf8.position(x), Position::new(0, 12));
    }

    #[test]
    fn positions_beyond_the_end_are_clamped() {
        let text = "ab\r\ncd";
        let index = LineIndex::new(text, Encoding::Utf16);
        assert_eq!(index.offset(Position::new(0, 99)), 2);
        assert_eq!(index.offset(Position::new(1, 1)), 5);
        assert_eq!(index.offset(Position::new(7, 0)), text.len());
        assert_eq!(index.position(1000), Position::new(1, 2));
    }

    #[test]
    fn a_column_inside_a_surrogate_pair_lands_after_the_character() {
        let text = "𝔸b";
        let index = LineIndex::new(text, Encoding::Utf16);
        assert_eq!(index.offset(Position::new(0, 1)), 4);
        assert_eq!(index.position(2), Position::new(0, 0));
    }

    #[test]
    fn a_lone_carriage_return_ends_a_line() {
        let index = LineIndex::new("a\rb", Encoding::Utf16);
        assert_eq!(index.position(2), Position::new(1, 0));
    }
}
