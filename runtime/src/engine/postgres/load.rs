//! Rows Yardstick itself puts into PostgreSQL: the `given` rows of a
//! `test` block, loaded into tables of a schema made for that block
//! (`yardstick_test_<pid>_<n>`) and dropped with everything in it after.
//! Values go in as text parameters cast to each column's type, so no value
//! is ever part of the SQL.

use super::{quote, types, Warehouse};
use crate::Fatal;
use datafusion::arrow::array::Array;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio_postgres::types::ToSql;
use yardstick_compiler::model::Source;

static SCHEMAS: AtomicUsize = AtomicUsize::new(0);

impl Warehouse {
    /// Makes a new, empty schema and returns its name.
    pub async fn create_schema(&self) -> Result<String, Fatal> {
        let n = SCHEMAS.fetch_add(1, Ordering::Relaxed);
        let name = format!("yardstick_test_{}_{n}", std::process::id());
        self.client()
            .batch_execute(&format!(
                "DROP SCHEMA IF EXISTS {0} CASCADE; CREATE SCHEMA {0}",
                quote(&name)
            ))
            .await
            .map_err(|e| self.failure(&format!("making the schema `{name}`"), &e))?;
        Ok(name)
    }

    /// Drops a schema made by [`Warehouse::create_schema`] and its tables.
    pub async fn drop_schema(&self, name: &str) -> Result<(), Fatal> {
        self.client()
            .batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", quote(name)))
            .await
            .map_err(|e| self.failure(&format!("dropping the schema `{name}`"), &e))
    }

    /// Creates `schema.<source>` with the declared columns and inserts
    /// `batches` (of the declared columns, in order); returns the table's
    /// name (`schema.source`).
    pub async fn load(
        &self,
        schema: &str,
        source: &Source,
        batches: &[RecordBatch],
    ) -> Result<String, Fatal> {
        let table = format!("{}.{}", quote(schema), quote(&source.name));
        let columns: Vec<String> = source
            .columns
            .iter()
            .map(|c| format!("{} {}", quote(&c.name), types::column_type(c.ty)))
            .collect();
        let loading = |e: tokio_postgres::Error| {
            self.failure(&format!("loading the rows of source `{}`", source.name), &e)
        };
        self.client()
            .batch_execute(&format!("CREATE TABLE {table} ({})", columns.join(", ")))
            .await
            .map_err(loading)?;
        let names: Vec<String> = source.columns.iter().map(|c| quote(&c.name)).collect();
        let values: Vec<String> = source
            .columns
            .iter()
            .zip(1..)
            .map(|(c, i)| format!("CAST(${i}::text AS {})", types::column_type(c.ty)))
            .collect();
        let insert = self
            .client()
            .prepare(&format!(
                "INSERT INTO {table} ({}) VALUES ({})",
                names.join(", "),
                values.join(", ")
            ))
            .await
            .map_err(loading)?;
        let options = FormatOptions::default();
        for batch in batches {
            let formatters = batch
                .columns()
                .iter()
                .map(|a| ArrayFormatter::try_new(a.as_ref(), &options))
                .collect::<Result<Vec<_>, _>>()?;
            for row in 0..batch.num_rows() {
                let texts: Vec<Option<String>> = batch
                    .columns()
                    .iter()
                    .zip(&formatters)
                    .map(|(a, f)| (!a.is_null(row)).then(|| f.value(row).to_string()))
                    .collect();
                let params: Vec<&(dyn ToSql + Sync)> =
                    texts.iter().map(|t| t as &(dyn ToSql + Sync)).collect();
                self.client()
                    .execute(&insert, &params)
                    .await
                    .map_err(loading)?;
            }
        }
        Ok(format!("{schema}.{}", source.name))
    }
}
