//! Nesting limits that keep every later stage's recursion shallow, so that no
//! input, however mangled, can overflow the stack.

/// Deepest `(`, `[` or `{` nesting a file may have.
pub const MAX_BRACKET_DEPTH: usize = 32;
/// Most operators in one expression, counting those inside its brackets.
/// With the bracket limit this bounds every expression tree's depth.
pub const MAX_OPERATORS: usize = 256;

/// The offset where bracket nesting first goes past the limit, skipping
/// strings and comments.
pub fn too_deeply_nested(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > MAX_BRACKET_DEPTH {
                    return Some(i);
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    None
}

/// Deepest nesting the grammar's recursion may reach, as bounded by
/// [`parser_depth_exceeded`]: the parser runs without a stack probe (pest
/// without its `std` feature), so this bound is what keeps it off the end
/// of the stack.
pub const MAX_PARSER_DEPTH: usize = 64;

/// The offset where the grammar's recursion could first go past
/// [`MAX_PARSER_DEPTH`], whatever the parser makes of the text.
///
/// [`too_deeply_nested`] reads strings and comments the way well-formed
/// text has them, but the grammar reads recovered text (`bad_item`,
/// `bad_field`) as plain characters, where a `"` or `//` starts nothing:
/// after `x ?" }` the pre-check sees a string to the end of the line, the
/// grammar a closed block and maybe a new declaration. So this second count
/// follows every reading at once and keeps the deepest: the text as code
/// (each `"` and `//` a plain character), as a string from each `"`, as a
/// comment from each `//`. The grammar recurses only into `(` and `[` (an
/// expression's parentheses, calls and lists) and into `{` (a recovered
/// `{ ... }` group), so those are counted apart (`(`/`[` depth, `{` depth);
/// a closer of the other kind does not lower a count. Two facts keep the
/// count close on ordinary text: where the grammar reads `"` or `//` as a
/// plain character it is inside recovered text, with no expression open (so
/// the `(`/`[` depth of that reading starts again at zero); and strings and
/// comments are only read between tokens, never inside a recovered group
/// (so the `{` depth of those readings starts at zero).
pub fn parser_depth_exceeded(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    // The deepest count of the readings in each state: `code` is always
    // reachable (every byte read as a plain character); the others are
    // `None` when no reading is in them.
    let mut code = Depth::default();
    let mut string: Option<Depth> = None;
    let mut escaped: Option<Depth> = None;
    let mut comment: Option<Depth> = None;
    for (i, &byte) in bytes.iter().enumerate() {
        if !matches!(
            byte,
            b'(' | b')' | b'[' | b']' | b'{' | b'}' | b'"' | b'/' | b'\\' | b'\n'
        ) {
            // Changes no count: only ends an escape.
            if let Some(d) = escaped.take() {
                string = Some(d.deepest_of(string));
            }
            continue;
        }
        let mut next_code = code;
        let mut next_string = None;
        let mut next_escaped = None;
        let mut next_comment = None;
        match byte {
            b'(' | b'[' => next_code.parens += 1,
            b')' | b']' => next_code.parens = next_code.parens.saturating_sub(1),
            b'{' => next_code.braces += 1,
            b'}' => next_code.braces = next_code.braces.saturating_sub(1),
            b'"' => {
                next_string = Some(Depth { braces: 0, ..code });
                next_code.parens = 0;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                next_comment = Some(Depth { braces: 0, ..code });
                next_code.parens = 0;
            }
            _ => {}
        }
        // A string ends at `"` (or, failing, at a line end) and `\` escapes
        // the next byte; a comment ends at a line end.
        if let Some(d) = string {
            match byte {
                b'"' | b'\n' => next_code = next_code.deepest(d),
                b'\\' => next_escaped = Some(d),
                _ => next_string = Some(d.deepest_of(next_string)),
            }
        }
        if let Some(d) = escaped {
            next_string = Some(d.deepest_of(next_string));
        }
        if let Some(d) = comment {
            match byte {
                b'\n' => next_code = next_code.deepest(d),
                _ => next_comment = Some(d.deepest_of(next_comment)),
            }
        }
        code = next_code;
        string = next_string;
        escaped = next_escaped;
        comment = next_comment;
        if code.parens > MAX_PARSER_DEPTH || code.braces > MAX_PARSER_DEPTH {
            return Some(i);
        }
    }
    None
}

/// The deepest `(`/`[` and `{` nesting of the readings in one state.
#[derive(Clone, Copy, Default)]
struct Depth {
    parens: usize,
    braces: usize,
}

impl Depth {
    fn deepest(self, other: Depth) -> Depth {
        Depth {
            parens: self.parens.max(other.parens),
            braces: self.braces.max(other.braces),
        }
    }

    fn deepest_of(self, other: Option<Depth>) -> Depth {
        other.map_or(self, |o| self.deepest(o))
    }
}
