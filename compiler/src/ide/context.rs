//! Where a cursor stands in text being typed: inside which blocks, at a
//! field key or in a field's value, and the word being written. Read from
//! the text, not the syntax tree: while a line is half-written the tree
//! holds a `bad_field` (or nothing) where the cursor is.
//!
//! Strings and comments are skipped, so a `{` inside either does not open
//! a block.

use super::fields::BlockKind;

/// One block the cursor is inside, outermost first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub kind: BlockKind,
    /// The declaration's name (`metric fcr {` gives `fcr`); for a block
    /// inside a declaration, the declaration's.
    pub name: String,
    /// The byte offset just after the block's `{`.
    pub body_start: usize,
}

/// What the cursor is writing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Position {
    /// At the start of a line of a block (or the top level): a field key,
    /// a nested block or a declaration.
    Key,
    /// In the value of `key:`.
    Value { key: String },
    /// After `variant of` in a metric's header.
    VariantBase,
    /// After `join` (`on: false`) or `join SOURCE on` (`on: true`).
    Join { source: Option<String> },
    /// After `given` in a test.
    GivenSource,
    /// After `expect` in a test.
    ExpectMetric,
    /// Somewhere nothing is offered (a string, a comment, a number).
    Nothing,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    /// The blocks around the cursor, outermost first (empty: top level).
    pub blocks: Vec<Block>,
    pub position: Position,
    /// The byte offset where the word being written starts (a completion
    /// replaces from there to the cursor).
    pub word_start: usize,
    /// The word being written, up to the cursor (`acc`, `accounts.se`).
    pub word: String,
    /// The keys the innermost block already holds on other lines
    /// (`from`, `sla`, ...), before and after the cursor.
    pub present: Vec<String>,
}

impl Cursor {
    /// The innermost block.
    pub fn block(&self) -> Option<&Block> {
        self.blocks.last()
    }
}

/// The cursor at byte `offset` of `text` (clamped to the text and to a
/// character boundary).
pub fn cursor(text: &str, offset: usize) -> Cursor {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = text.get(..offset).unwrap_or("");
    let (blocks, in_string_or_comment) = scan_blocks(before);
    let word_start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_ascii_alphanumeric() || *c == '_' || *c == '.')
        .last()
        .map(|(i, _)| i)
        .unwrap_or(offset);
    let word = before.get(word_start..).unwrap_or("").to_owned();
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let line = before.get(line_start..word_start).unwrap_or("");
    let position = if in_string_or_comment {
        Position::Nothing
    } else {
        position(line, blocks.last().map(|b| b.kind))
    };
    let present = blocks
        .last()
        .map(|b| keys_in_block(text, b.body_start, line_start))
        .unwrap_or_default();
    Cursor {
        blocks,
        position,
        word_start,
        word,
        present,
    }
}

/// The leading word of each line of the block whose body starts at
/// `body_start` (up to its closing `}`) that a `:` or `{` follows, but the
/// line starting at `skip`.
fn keys_in_block(text: &str, body_start: usize, skip: usize) -> Vec<String> {
    let body = text.get(body_start..).unwrap_or("");
    let mut keys = Vec::new();
    let mut depth = 0usize;
    let mut at_line_start = true;
    let mut rest = body;
    while let Some(c) = rest.chars().next() {
        let here = body_start + (body.len() - rest.len());
        if at_line_start && depth == 0 && here != skip {
            let trimmed = rest.trim_start_matches([' ', '\t']);
            let word_len = trimmed
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(trimmed.len());
            let (word, after) = trimmed.split_at(word_len);
            let after = after.trim_start_matches([' ', '\t']);
            if !word.is_empty() && (after.starts_with(':') || after.starts_with('{')) {
                keys.push(word.to_owned());
            }
        }
        at_line_start = false;
        match c {
            '\n' => at_line_start = true,
            '"' => {
                // To the closing quote (or the end of the line).
                let end = rest[1..]
                    .find(['"', '\n'])
                    .map(|i| i + 1)
                    .unwrap_or(rest.len());
                let closing = rest.get(end..end + 1) == Some("\"");
                rest = rest.get(end + usize::from(closing)..).unwrap_or("");
                continue;
            }
            '/' if rest.starts_with("//") => {
                rest = rest.find('\n').map(|i| &rest[i..]).unwrap_or("");
                continue;
            }
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            _ => {}
        }
        rest = &rest[c.len_utf8()..];
    }
    keys
}

/// What the line before the word being written says about the cursor.
fn position(line: &str, block: Option<BlockKind>) -> Position {
    let words: Vec<&str> = line.split_whitespace().collect();
    if words.is_empty() {
        return Position::Key;
    }
    match (block, words.as_slice()) {
        (None, ["metric", _, "variant", "of"]) => return Position::VariantBase,
        (Some(BlockKind::Source), ["join"]) => return Position::Join { source: None },
        (Some(BlockKind::Source), ["join", source, "on"]) => {
            return Position::Join {
                source: Some((*source).to_owned()),
            }
        }
        (Some(BlockKind::Test), ["given"]) => return Position::GivenSource,
        (Some(BlockKind::Test), ["expect"]) => return Position::ExpectMetric,
        _ => {}
    }
    let trimmed = line.trim_start();
    let key_len = trimmed
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(trimmed.len());
    let (key, rest) = trimmed.split_at(key_len);
    match rest.trim_start().strip_prefix(':') {
        Some(_) if !key.is_empty() => Position::Value {
            key: key.to_owned(),
        },
        _ => Position::Nothing,
    }
}

/// The blocks open at the end of `text`, and whether it ends inside a
/// string or a comment.
fn scan_blocks(text: &str) -> (Vec<Block>, bool) {
    let mut blocks: Vec<Block> = Vec::new();
    // Where the text that may head the next block starts.
    let mut header_start = 0;
    let mut in_string = false;
    let mut in_comment = false;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if in_comment {
            if c == '\n' {
                in_comment = false;
                header_start = i + 1;
            }
            continue;
        }
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                '\n' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '/' if text.get(i + 1..i + 2) == Some("/") => in_comment = true,
            '\n' => header_start = i + 1,
            '{' => {
                let header = text.get(header_start..i).unwrap_or("");
                let outer = blocks.last().map(|b| (b.kind, b.name.clone()));
                blocks.push(block(header, outer, i + 1));
                header_start = i + 1;
            }
            '}' => {
                blocks.pop();
                header_start = i + 1;
            }
            _ => {}
        }
    }
    (blocks, in_string || in_comment)
}

/// The block a header opens (`metric fcr`, `sla`, `columns`, `given ...`),
/// inside `outer` (its kind and declaration name).
fn block(header: &str, outer: Option<(BlockKind, String)>, body_start: usize) -> Block {
    let words: Vec<&str> = header.split_whitespace().collect();
    let named = |kind| Block {
        kind,
        name: words.get(1).copied().unwrap_or("").to_owned(),
        body_start,
    };
    let inner = |kind| Block {
        kind,
        name: outer.as_ref().map(|o| o.1.clone()).unwrap_or_default(),
        body_start,
    };
    match (outer.as_ref().map(|o| o.0), words.first().copied()) {
        (None, Some("metric")) => named(BlockKind::Metric),
        (None, Some("source")) => named(BlockKind::Source),
        (None, Some("owner")) => named(BlockKind::Owner),
        (None, Some("outcome")) => named(BlockKind::Outcome),
        (None, Some("test")) => named(BlockKind::Test),
        (Some(BlockKind::Metric), Some("sla")) => inner(BlockKind::Sla),
        (Some(BlockKind::Metric), Some("changelog")) => inner(BlockKind::Changelog),
        (Some(BlockKind::Source), Some("columns")) => inner(BlockKind::Columns),
        // `given`/`expect` rows, and any block the language does not have:
        // nothing to offer inside.
        _ => inner(BlockKind::Changelog),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at_end(text: &str) -> Cursor {
        cursor(text, text.len())
    }

    #[test]
    fn a_value_after_from() {
        let c = at_end("metric fcr {\n  owner: x\n  from: ti");
        assert_eq!(c.position, Position::Value { key: "from".into() });
        assert_eq!(c.word, "ti");
        assert_eq!(
            c.block().map(|b| (b.kind, b.name.as_str())),
            Some((BlockKind::Metric, "fcr"))
        );
    }

    #[test]
    fn a_key_in_an_sla_block() {
        let c = at_end("metric fcr {\n  sla {\n    fre");
        assert_eq!(c.position, Position::Key);
        assert_eq!(
            c.block().map(|b| (b.kind, b.name.as_str())),
            Some((BlockKind::Sla, "fcr"))
        );
    }

    #[test]
    fn braces_in_strings_and_comments_open_nothing() {
        let c = at_end("metric m {\n  title: \"a { b\" // }\n  }\n");
        assert!(c.blocks.is_empty());
        assert_eq!(c.position, Position::Key);
        assert_eq!(
            at_end("metric m {\n  title: \"ab").position,
            Position::Nothing
        );
    }

    #[test]
    fn the_keys_a_block_holds_around_the_cursor() {
        let text = "metric m {\n  from: t // owner: x\n  title: \"a: {\"\n  fo\n  sla {\n    target: 1\n  }\n  formula: count()\n}\nmetric n {\n  unit: usd\n}\n";
        let at = text.find("fo\n").map(|i| i + 2).unwrap_or(0);
        let c = cursor(text, at);
        assert_eq!(c.present, ["from", "title", "sla", "formula"]);
    }

    #[test]
    fn a_joined_column_path() {
        let c = at_end("metric m {\n  formula: count(where accounts.se");
        assert_eq!(c.word, "accounts.se");
        assert_eq!(
            c.position,
            Position::Value {
                key: "formula".into()
            }
        );
    }

    #[test]
    fn offsets_beyond_the_text_or_inside_a_character_are_clamped() {
        let text = "metric é {\n  from: x";
        assert_eq!(cursor(text, 1000), at_end(text));
        let inside = text.find('é').unwrap_or(0) + 1;
        assert_eq!(cursor(text, inside).word_start, inside - 1);
    }
}
