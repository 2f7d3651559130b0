//! Syntax: the grammar (`grammar/yardstick.pest`), the tree it produces, and
//! the literal decoding and nesting limits that go with it.

pub mod ast;
mod errors;
mod expression;
mod limits;
pub mod literal;
mod parser;

pub use parser::{parse_expression, parse_expression_at, parse_file};
