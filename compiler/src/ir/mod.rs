//! The typed program form: what the checker hands to every later stage
//! (lowering, drift, the test runner, diff, the docs). Expressions here are
//! resolved and typed ([`TypedExpr`]); nothing downstream of the checker
//! reads the syntax tree.

mod expr;
pub mod interval;
pub mod ops;

pub use expr::{ColumnRef, Literal, MetricId, Node, TypedExpr};
pub use ops::{BinaryOp, CmpOp, Duration, DurationUnit, Grain, Lookback, UnaryOp};
