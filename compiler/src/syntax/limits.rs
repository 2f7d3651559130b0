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
