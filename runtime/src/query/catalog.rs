//! Registering sources as DataFusion tables: files found from the source's
//! path or glob (relative to the declaring file), read as parquet, csv, json
//! or arrow, and checked against the declared columns before anything runs.
//! Every file is checked (`validate`) before DataFusion decodes it, and
//! only files the project allows are found (`files`). On the PostgreSQL
//! engine a source is its table instead, read and checked by
//! `engine::postgres`, and registered with the table's schema.

use super::{files, validate};
use crate::engine::postgres::Warehouse;
use crate::engine::Engine;
use crate::guard::{doing, truncate, ECHO_LIMIT};
use crate::project::Project;
use crate::Fatal;
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use datafusion::datasource::empty::EmptyTable;
use datafusion::datasource::file_format::arrow::ArrowFormat;
use datafusion::datasource::file_format::csv::CsvFormat;
use datafusion::datasource::file_format::json::JsonFormat;
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::file_format::FileFormat;
use datafusion::datasource::listing::{
    ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl,
};
use datafusion::datasource::{provider_as_source, TableProvider};
use datafusion::logical_expr::TableSource;
use datafusion::prelude::SessionContext;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use yardstick_compiler::model::{Format, Source};
use yardstick_compiler::types::Type;
use yardstick_lower::{Catalog, LowerError};

/// The tables of the sources a query reads.
#[derive(Default, Clone)]
pub struct Tables {
    tables: BTreeMap<String, Arc<dyn TableProvider>>,
    /// Each source's files as shown in messages.
    shown: BTreeMap<String, String>,
    /// Where sources may read: the library's `yardstick.toml` unless set.
    project: Option<Arc<Project>>,
    /// Where the tables are, and so where queries over them run.
    engine: Engine,
    /// The open connection of a warehouse engine, made on first use.
    warehouse: Option<Arc<Warehouse>>,
}

impl Catalog for Tables {
    fn table(&self, source: &str) -> Result<Arc<dyn TableSource>, LowerError> {
        self.tables
            .get(source)
            .map(|t| provider_as_source(t.clone()))
            .ok_or_else(|| LowerError(format!("source `{source}` is not registered")))
    }
}

impl Tables {
    pub fn new() -> Tables {
        Tables::default()
    }

    /// Tables read where `engine` reads them.
    pub fn on(engine: &Engine) -> Tables {
        Tables {
            engine: engine.clone(),
            ..Tables::default()
        }
    }

    /// The same tables, read where `engine` reads them.
    pub fn using(mut self, engine: &Engine) -> Tables {
        self.engine = engine.clone();
        self
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The warehouse the tables are in, once connected (not for engines
    /// that read files).
    pub fn warehouse(&self) -> Option<Arc<Warehouse>> {
        self.warehouse.clone()
    }

    /// The same tables on a warehouse already connected (its engine's).
    pub fn sharing(mut self, warehouse: Arc<Warehouse>) -> Tables {
        self.warehouse = Some(warehouse);
        self
    }

    /// The open warehouse of a `postgres://` engine, connecting on first use.
    pub async fn connect(&mut self) -> Result<Option<Arc<Warehouse>>, Fatal> {
        if let (None, Engine::Postgres(address)) = (&self.warehouse, &self.engine) {
            self.warehouse = Some(Arc::new(Warehouse::connect(address).await?));
        }
        Ok(self.warehouse.clone())
    }

    /// Tables whose sources may read only where `project` allows (`diff`
    /// uses the base library's project, not the head's).
    pub fn with_project(project: Project) -> Tables {
        Tables {
            project: Some(Arc::new(project)),
            ..Tables::default()
        }
    }

    /// "source `tickets` (`/data/tickets.csv`), ..." for error messages.
    pub fn describe(&self) -> String {
        self.shown
            .iter()
            .map(|(name, files)| format!("source `{name}` ({files})"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// One source's files as shown in messages.
    pub fn shown(&self, source: &str) -> Option<&str> {
        self.shown.get(source).map(String::as_str)
    }

    pub fn get(&self, source: &str) -> Option<Arc<dyn TableProvider>> {
        self.tables.get(source).cloned()
    }

    /// Adds a table made elsewhere (the in-memory rows of a `test`).
    pub fn insert(&mut self, source: &str, table: Arc<dyn TableProvider>, shown: String) {
        self.tables.insert(source.to_owned(), table);
        self.shown.insert(source.to_owned(), shown);
    }

    /// Registers `source`, reading its files' schemas.
    pub async fn register(
        &mut self,
        ctx: &SessionContext,
        spec: &Path,
        source: &Source,
    ) -> Result<(), Fatal> {
        if self.tables.contains_key(&source.name) {
            return Ok(());
        }
        if let Some(warehouse) = self.connect().await? {
            let table = source.table.as_deref().unwrap_or(&source.name);
            return self.register_table(&warehouse, source, table).await;
        }
        let project = match &self.project {
            Some(p) => p.clone(),
            None => {
                let p = Arc::new(Project::load(spec)?);
                self.project = Some(p.clone());
                p
            }
        };
        let files = files::locate(&project, spec, source)?;
        let format = format_of(source, &files)?;
        let shown = display(&files);
        let _registering = doing(format!("reading source `{}` ({shown})", source.name));
        for file in &files {
            let checked = match format {
                Format::Parquet => validate::parquet(file),
                Format::Arrow => validate::arrow(file),
                Format::Json => validate::json(file),
                Format::Csv => Ok(()),
            };
            checked.map_err(|problem| bad_file(source, file, &problem))?;
        }
        let urls = files
            .iter()
            .map(|f| ListingTableUrl::parse(f.to_string_lossy()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| Fatal(format!("source `{}`: {e}", source.name)))?;
        let (file_format, extension): (Arc<dyn FileFormat>, &str) = match format {
            Format::Parquet => (Arc::new(ParquetFormat::default()), ""),
            // An empty CSV field is a null, whatever the column's type.
            Format::Csv => (
                Arc::new(
                    CsvFormat::default()
                        .with_has_header(true)
                        .with_null_regex(Some("^$".to_owned())),
                ),
                "",
            ),
            Format::Json => (Arc::new(JsonFormat::default()), ""),
            Format::Arrow => (Arc::new(ArrowFormat), ""),
        };
        let options = ListingOptions::new(file_format).with_file_extension(extension);
        let schema = match format {
            Format::Csv => csv_schema(source, &files)?,
            Format::Json => declared_schema(source, None),
            Format::Parquet | Format::Arrow => {
                let mut first = None;
                for (url, file) in urls.iter().zip(&files) {
                    let shown = format!("`{}`", file.display());
                    let _reading = doing(format!("reading the schema of {shown}"));
                    let inferred = options.infer_schema(&ctx.state(), url).await.map_err(|e| {
                        Fatal(format!(
                            "source `{}`: cannot read {shown} as {}: {}",
                            source.name,
                            format_name(format),
                            truncate(&e.to_string(), ECHO_LIMIT)
                        ))
                    })?;
                    check_schema(source, &inferred, &shown)?;
                    first.get_or_insert(inferred);
                }
                first.ok_or_else(|| Fatal(format!("source `{}` has no files", source.name)))?
            }
        };
        let config = ListingTableConfig::new_with_multi_paths(urls)
            .with_listing_options(options)
            .with_schema(schema);
        let table = ListingTable::try_new(config)
            .map_err(|e| Fatal(format!("source `{}` ({shown}): {e}", source.name)))?;
        self.tables.insert(source.name.clone(), Arc::new(table));
        self.shown.insert(source.name.clone(), shown);
        Ok(())
    }
}

impl Tables {
    /// Registers `source` as `table` of the warehouse, with the table's
    /// real types (checked against the declared ones).
    pub async fn register_table(
        &mut self,
        warehouse: &Warehouse,
        source: &Source,
        table: &str,
    ) -> Result<(), Fatal> {
        let schema = warehouse.table(source, table).await?;
        self.tables
            .insert(source.name.clone(), Arc::new(EmptyTable::new(schema)));
        self.shown.insert(
            source.name.clone(),
            format!("table `{table}` in {}", warehouse.shown()),
        );
        Ok(())
    }
}

fn format_name(format: Format) -> &'static str {
    match format {
        Format::Parquet => "parquet",
        Format::Csv => "csv",
        Format::Json => "json",
        Format::Arrow => "arrow",
    }
}

fn bad_file(source: &Source, file: &Path, problem: &str) -> Fatal {
    Fatal(format!(
        "source `{}`: `{}` {problem}",
        source.name,
        file.display()
    ))
}

fn display(files: &[PathBuf]) -> String {
    match files {
        [one] => format!("`{}`", one.display()),
        many => format!("{} files (`{}`, ...)", many.len(), many[0].display()),
    }
}

fn format_of(source: &Source, files: &[PathBuf]) -> Result<Format, Fatal> {
    if let Some(f) = source.format {
        return Ok(f);
    }
    let ext = files[0]
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "parquet" | "pq" => Ok(Format::Parquet),
        "csv" => Ok(Format::Csv),
        "json" | "jsonl" | "ndjson" => Ok(Format::Json),
        "arrow" | "ipc" | "feather" => Ok(Format::Arrow),
        _ => Err(Fatal(format!(
            "source `{}`: cannot tell the format of `{}`; add `format: parquet|csv|json|arrow`",
            source.name,
            files[0].display()
        ))),
    }
}

/// The Arrow type a declared column is read as from text formats.
pub fn arrow_type(ty: Type) -> DataType {
    match ty {
        Type::Int => DataType::Int64,
        Type::Float => DataType::Float64,
        Type::Decimal => DataType::Decimal128(38, 10),
        Type::String => DataType::Utf8,
        Type::Bool => DataType::Boolean,
        Type::Date => DataType::Date32,
        Type::Timestamp | Type::Duration | Type::Null => {
            DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
        }
    }
}

/// The declared columns as a schema, in `order` (a CSV header) if given.
pub fn declared_schema(source: &Source, order: Option<&[String]>) -> SchemaRef {
    let fields: Vec<Field> = match order {
        None => source
            .columns
            .iter()
            .map(|c| Field::new(&c.name, arrow_type(c.ty), true))
            .collect(),
        Some(header) => header
            .iter()
            .map(|name| match source.column(name) {
                Some(c) => Field::new(name, arrow_type(c.ty), true),
                None => Field::new(name, DataType::Utf8, true),
            })
            .collect(),
    };
    Arc::new(Schema::new(fields))
}

/// CSV columns are matched by header name: the schema follows the header,
/// with the declared type for each declared column.
fn csv_schema(source: &Source, files: &[PathBuf]) -> Result<SchemaRef, Fatal> {
    let mut header: Option<Vec<String>> = None;
    for file in files {
        let names = validate::csv(file, source).map_err(|p| bad_file(source, file, &p))?;
        match &header {
            Some(h) if h != &names => {
                return Err(Fatal(format!(
                    "source `{}`: `{}` has a different header from `{}`",
                    source.name,
                    file.display(),
                    files[0].display()
                )))
            }
            _ => header = Some(names),
        }
    }
    Ok(declared_schema(source, header.as_deref()))
}

/// Whether an Arrow type can hold a declared column type.
pub(crate) fn fits(declared: Type, actual: &DataType) -> bool {
    use DataType::*;
    match declared {
        Type::Int => matches!(
            actual,
            Int8 | Int16 | Int32 | Int64 | UInt8 | UInt16 | UInt32 | UInt64
        ),
        Type::Float => matches!(actual, Float16 | Float32 | Float64),
        Type::Decimal => matches!(actual, Decimal128(..) | Decimal256(..)),
        Type::String => match actual {
            Utf8 | LargeUtf8 | Utf8View => true,
            Dictionary(_, v) => matches!(v.as_ref(), Utf8 | LargeUtf8 | Utf8View),
            _ => false,
        },
        Type::Bool => matches!(actual, Boolean),
        Type::Date => matches!(actual, Date32 | Date64),
        Type::Timestamp => matches!(actual, Timestamp(..)),
        Type::Duration | Type::Null => false,
    }
}

/// Declared columns against a file's real schema: a missing column or a
/// type that cannot hold the declared one stops the command.
fn check_schema(source: &Source, actual: &Schema, shown: &str) -> Result<(), Fatal> {
    for c in &source.columns {
        let Ok(field) = actual.field_with_name(&c.name) else {
            return Err(Fatal(format!(
                "source `{}`: {shown} has no column `{}` (declared {})",
                source.name, c.name, c.ty
            )));
        };
        if !fits(c.ty, field.data_type()) {
            return Err(Fatal(format!(
                "source `{}`: column `{}` is declared {} but {shown} holds {}",
                source.name,
                c.name,
                c.ty,
                field.data_type()
            )));
        }
    }
    Ok(())
}
