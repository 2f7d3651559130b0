//! The canonical layout (`docs/formatting.md`): where lines break, how
//! deep they are indented and where spaces go, decided from the tokens
//! alone, so formatting twice gives what formatting once gave.
//!
//! Blocks `{ ... }` hold one entry per line, indented two spaces a level.
//! An entry starts after `{` or `}`, at `key:` (a field or a column), at
//! `join`, `given` or `expect`, at a row `(...)` after a row, and at a
//! sub-block `name {` (not inside `given` or `expect`, whose `{` holds rows).
//! Any other line break the author wrote
//! is kept as a continuation line, four spaces deeper than its entry.
//! Between top-level declarations there is one blank line; elsewhere runs
//! of blank lines become one, and none follow `{` or precede `}`.

use super::lex::{Piece, PieceKind, KNOWN_PUNCT};

/// Words after which `-` is a sign and `(` is a group, not a call.
const OPERATOR_WORDS: &[&str] = &[
    "and", "or", "not", "in", "is", "between", "where", "after", "within",
];

/// Entries (other than `key: value`) that start with a keyword.
const ENTRY_WORDS: &[&str] = &["join", "given", "expect"];

/// Spaces per block level; a continuation line adds [`CONTINUATION`].
const INDENT: usize = 2;
const CONTINUATION: usize = 4;

#[derive(Debug, Default)]
struct Line {
    indent: usize,
    code: String,
    comment: Option<String>,
    blank_before: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EntryKind {
    /// `key: value` or `column: type`.
    Field,
    /// `given ... { rows }` or `expect ... { rows }`: its `{` is its own.
    WithRows,
    Other,
}

struct Layout<'a> {
    lines: Vec<Line>,
    /// The line being written, if one is open.
    open: Option<Line>,
    depth: usize,
    parens: usize,
    /// The bracket depth of each enclosing block.
    saved_parens: Vec<usize>,
    entry: Option<EntryKind>,
    /// The key of the field being written.
    key: Option<&'a str>,
    prev: Option<Piece<'a>>,
    prev2: Option<Piece<'a>>,
    /// The previous token was a sign, not a subtraction.
    prev_was_sign: bool,
    /// The piece before this one was the token `prev` (no comment between).
    right_after_prev: bool,
}

/// Lays out `pieces` (of a file that parses) as the canonical text.
pub fn layout(pieces: &[Piece<'_>]) -> String {
    let mut layout = Layout {
        lines: Vec::new(),
        open: None,
        depth: 0,
        parens: 0,
        saved_parens: Vec::new(),
        entry: None,
        key: None,
        prev: None,
        prev2: None,
        prev_was_sign: false,
        right_after_prev: false,
    };
    for (i, piece) in pieces.iter().enumerate() {
        let mut tokens_after = pieces[i + 1..]
            .iter()
            .filter(|p| p.kind != PieceKind::Comment);
        let next = tokens_after.next();
        if piece.kind == PieceKind::Comment {
            layout.comment(piece, next, tokens_after.next());
        } else {
            layout.token(*piece, next);
        }
    }
    layout.close_line();
    render(&layout.lines)
}

impl<'a> Layout<'a> {
    fn prev_text(&self) -> Option<&'a str> {
        self.prev.map(|p| p.text)
    }

    /// Whether `t` begins a new entry (or top-level declaration).
    fn starts_entry(&self, t: &Piece<'_>, next: Option<&Piece<'_>>) -> bool {
        let prev = self.prev_text();
        if self.depth == 0 {
            return prev.is_none() || prev == Some("}");
        }
        if self.parens > 0 || t.text == "}" {
            return false;
        }
        if matches!(prev, Some("{" | "}")) {
            return true;
        }
        let before_colon = next.is_some_and(|n| n.text == ":");
        let before_brace = next.is_some_and(|n| n.text == "{");
        match t.kind {
            PieceKind::Word if before_colon => true,
            PieceKind::Word if ENTRY_WORDS.contains(&t.text) => self.prev_ends_operand(),
            PieceKind::Word if before_brace => {
                self.entry != Some(EntryKind::WithRows) && self.prev_ends_operand()
            }
            PieceKind::Punct if t.text == "(" => prev == Some(")"),
            _ => false,
        }
    }

    /// Whether the previous token ends an operand (so `-` after it
    /// subtracts).
    fn prev_ends_operand(&self) -> bool {
        match self.prev {
            None => false,
            Some(p) => match p.kind {
                PieceKind::Word => !OPERATOR_WORDS.contains(&p.text),
                PieceKind::At | PieceKind::Str => true,
                PieceKind::Punct => matches!(p.text, ")" | "]" | "?"),
                PieceKind::Comment => false,
            },
        }
    }

    fn token(&mut self, t: Piece<'a>, next: Option<&Piece<'a>>) {
        let entry_start = self.starts_entry(&t, next);
        let after_top_close = self.depth == 0 && self.prev_text() == Some("}");
        if t.text == "}" {
            self.close_block();
        }
        let empty_block = t.text == "}" && self.prev_text() == Some("{");
        let same_line = self.open.is_some()
            && (empty_block
                || t.text == "{"
                || (t.text != "}" && !entry_start && t.gap.newlines == 0));
        if same_line {
            let space = self.space_before(&t);
            if let Some(line) = self.open.as_mut() {
                line.code.push_str(space);
                line.code.push_str(t.text);
            }
        } else {
            let entry_line = entry_start || t.text == "}";
            let blank = entry_line
                && ((after_top_close && self.right_after_prev)
                    || (t.gap.newlines >= 2
                        && !self.right_after_open()
                        && t.text != "}"
                        && !self.at_file_start()));
            let indent = if entry_line {
                self.depth * INDENT
            } else {
                self.depth * INDENT + CONTINUATION
            };
            self.start_line(indent, blank);
            if let Some(line) = self.open.as_mut() {
                line.code.push_str(t.text);
            }
        }
        if entry_start {
            let field = t.kind == PieceKind::Word && next.is_some_and(|n| n.text == ":");
            self.key = field.then_some(t.text);
            self.entry = Some(if field {
                EntryKind::Field
            } else if matches!(t.text, "given" | "expect") {
                EntryKind::WithRows
            } else {
                EntryKind::Other
            });
        }
        match t.text {
            "{" => {
                self.saved_parens.push(self.parens);
                self.parens = 0;
                self.depth += 1;
                self.entry = None;
                self.key = None;
            }
            "(" | "[" => self.parens += 1,
            ")" | "]" => self.parens = self.parens.saturating_sub(1),
            _ => {}
        }
        let sign = t.text == "-" && !self.prev_ends_operand();
        self.prev2 = self.prev;
        self.prev = Some(t);
        self.prev_was_sign = sign;
        self.right_after_prev = true;
    }

    fn close_block(&mut self) {
        self.depth = self.depth.saturating_sub(1);
        self.parens = self.saved_parens.pop().unwrap_or(0);
        self.entry = None;
        self.key = None;
    }

    /// The space between the previous token and `t` on one line.
    fn space_before(&self, t: &Piece<'_>) -> &'static str {
        let Some(prev) = self.prev else { return "" };
        let unknown = |p: &Piece<'_>| p.kind == PieceKind::Punct && !KNOWN_PUNCT.contains(&p.text);
        if unknown(&prev) || unknown(t) {
            return if t.gap.any { " " } else { "" };
        }
        if matches!(prev.text, "(" | "[") || (prev.text == "{" && t.text == "}") {
            return "";
        }
        if matches!(t.text, ")" | "]" | "," | ":" | "?") || self.prev_was_sign {
            return "";
        }
        // A unit reads as one word: `usd/min`, `usd*h`.
        if self.key == Some("unit")
            && (matches!(t.text, "/" | "*") || matches!(prev.text, "/" | "*"))
        {
            return "";
        }
        if t.text == "(" && prev.kind == PieceKind::Word {
            let keyword = OPERATOR_WORDS.contains(&prev.text);
            let given_source = self.prev2.is_some_and(|p| p.text == "given");
            return if keyword || given_source { " " } else { "" };
        }
        " "
    }

    /// Whether the piece before this one is a `{` (no blank line after it).
    fn right_after_open(&self) -> bool {
        self.right_after_prev && self.prev_text() == Some("{")
    }

    /// Whether nothing has been written yet.
    fn at_file_start(&self) -> bool {
        self.lines.is_empty() && self.open.is_none()
    }

    /// A comment, given the next two tokens after it.
    fn comment(&mut self, c: &Piece<'a>, next: Option<&Piece<'a>>, after_next: Option<&Piece<'a>>) {
        let trailing =
            c.gap.newlines == 0 && self.open.as_ref().is_some_and(|l| l.comment.is_none());
        if trailing {
            if let Some(line) = self.open.as_mut() {
                line.comment = Some(c.text.to_owned());
            }
            self.close_line();
            return;
        }
        let prev = self.prev_text();
        let after_top_close = self.depth == 0 && prev == Some("}") && self.right_after_prev;
        let blank = after_top_close
            || (c.gap.newlines >= 2 && !self.at_file_start() && !self.right_after_open());
        // Indented like the entry that follows, or as a continuation of the
        // one it interrupts.
        let at_entry = match next {
            None => true,
            Some(t) => t.text == "}" || self.starts_entry(t, after_next),
        };
        let indent = if at_entry || self.prev.is_none() {
            self.depth * INDENT
        } else {
            self.depth * INDENT + CONTINUATION
        };
        self.start_line(indent, blank);
        if let Some(line) = self.open.as_mut() {
            line.comment = Some(c.text.to_owned());
        }
        self.close_line();
        self.right_after_prev = false;
    }

    fn start_line(&mut self, indent: usize, blank_before: bool) {
        self.close_line();
        self.open = Some(Line {
            indent,
            blank_before,
            ..Line::default()
        });
    }

    fn close_line(&mut self) {
        if let Some(line) = self.open.take() {
            self.lines.push(line);
        }
    }
}

/// Joins the lines, aligning the trailing comments of consecutive lines of
/// one indentation, two spaces past the longest code among them.
fn render(lines: &[Line]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < lines.len() {
        let mut end = i + 1;
        if has_trailing_comment(&lines[i]) {
            while end < lines.len()
                && has_trailing_comment(&lines[end])
                && !lines[end].blank_before
                && lines[end].indent == lines[i].indent
            {
                end += 1;
            }
        }
        let width = lines[i..end]
            .iter()
            .map(|l| l.code.len())
            .max()
            .unwrap_or(0);
        for line in &lines[i..end] {
            if line.blank_before && !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&" ".repeat(line.indent));
            out.push_str(&line.code);
            if let Some(comment) = &line.comment {
                if !line.code.is_empty() {
                    out.push_str(&" ".repeat(width - line.code.len() + 2));
                }
                out.push_str(comment);
            }
            out.push('\n');
        }
        i = end;
    }
    out
}

fn has_trailing_comment(line: &Line) -> bool {
    !line.code.is_empty() && line.comment.is_some()
}
