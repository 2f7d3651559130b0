//! One module per command.

pub mod check;
pub mod compile;
pub mod diff;
pub mod diff_data;
pub mod explain;
pub mod lock;
pub mod query;
pub mod test;
