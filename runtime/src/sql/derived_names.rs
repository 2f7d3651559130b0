//! Unique names for the unparser's derived tables. DataFusion names every
//! subquery it derives after its kind (`derived_projection`,
//! `derived_sort`), so two in one `FROM` (both sides of a join) share a
//! name, which PostgreSQL refuses ("table name specified more than
//! once"). Nothing reads columns through these names, so each becomes
//! `derived_1`, `derived_2`, … in the order they are written.

use datafusion::sql::sqlparser::ast::{Ident, Statement, TableFactor, VisitMut, VisitorMut};
use std::ops::ControlFlow;

const PREFIX: &str = "derived_";

struct Numbering(usize);

impl VisitorMut for Numbering {
    type Break = ();

    fn pre_visit_table_factor(&mut self, factor: &mut TableFactor) -> ControlFlow<()> {
        if let TableFactor::Derived {
            alias: Some(alias), ..
        } = factor
        {
            if alias.name.value.starts_with(PREFIX) {
                self.0 += 1;
                alias.name = Ident {
                    value: format!("{PREFIX}{}", self.0),
                    ..alias.name.clone()
                };
            }
        }
        ControlFlow::Continue(())
    }
}

/// Every derived table of `statement` named `derived_N`, N counting up.
pub fn number(statement: &mut Statement) {
    let _ = statement.visit(&mut Numbering(0));
}
