//! A catalog that gives each source the schema its columns declare, so
//! plans can be built and snapshot without data.

use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::logical_expr::builder::LogicalTableSource;
use datafusion::logical_expr::TableSource;
use std::sync::Arc;
use yardstick_compiler::model::Library;
use yardstick_lower::{Catalog, LowerError};

pub struct Declared<'a>(pub &'a Library);

impl Catalog for Declared<'_> {
    fn table(&self, source: &str) -> Result<Arc<dyn TableSource>, LowerError> {
        let s = self
            .0
            .sources
            .get(source)
            .ok_or_else(|| LowerError(format!("no source {source}")))?;
        let fields: Vec<Field> = s
            .columns
            .iter()
            .map(|c| {
                let ty = yardstick_lower::translate::arrow_type(c.ty).unwrap_or(DataType::Utf8);
                Field::new(&c.name, ty, true)
            })
            .collect();
        Ok(Arc::new(LogicalTableSource::new(Arc::new(Schema::new(
            fields,
        )))))
    }
}
