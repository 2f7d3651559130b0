//! The PostgreSQL engine: a connected [`Warehouse`] reads each source's
//! table (`table`, default the source's name) from `pg_catalog`, checks
//! its columns against the declared types, and gives lowering the table's
//! real schema; the time range is settled with `min`/`max` in PostgreSQL,
//! and the optimised plan runs there as the SQL `explain --sql --dialect
//! postgres` prints (`crate::sql`). Rows come back as PostgreSQL's text and
//! are read into Arrow batches of the plan's output schema (`types`).
//!
//! The client is `tokio-postgres` (see docs/engines.md for why). A source
//! whose table is not named like the source is reached through a temporary
//! view named like it, so the SQL needs no rewriting. Every message names
//! the server by its URL with the password as `***`, and any text a server
//! or the client sends back has the password removed.

mod address;
pub mod load;
pub mod types;

pub use address::Address;

use crate::query::catalog::fits;
use crate::Fatal;
use datafusion::arrow::datatypes::{Field, Schema, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::logical_expr::LogicalPlan;
use std::time::Duration;
use tokio_postgres::error::SqlState;
use tokio_postgres::{Client, NoTls, SimpleQueryMessage};
use yardstick_compiler::model::Source;

/// An open connection to the warehouse of a `postgres://` engine.
pub struct Warehouse {
    client: Client,
    address: Address,
}

/// The session settings results are read under: UTC times, ISO dates, and
/// floats written with every digit (exact round trips).
const SETTINGS: &str = "SET TimeZone TO 'UTC'; SET DateStyle TO 'ISO, YMD'; \
     SET extra_float_digits TO 3; SET IntervalStyle TO 'iso_8601'";

impl Warehouse {
    pub async fn connect(address: &Address) -> Result<Warehouse, Fatal> {
        let _connecting = crate::guard::doing(format!("connecting to {address}"));
        let mut config = tokio_postgres::Config::new();
        config
            .user(&address.user)
            .host(&address.host)
            .port(address.port)
            .dbname(&address.database)
            .application_name("yardstick")
            .connect_timeout(Duration::from_secs(10));
        if let Some(password) = address.password() {
            config.password(password);
        }
        let (client, connection) = config
            .connect(NoTls)
            .await
            .map_err(|e| Fatal(connect_failure(address, &e)))?;
        tokio::spawn(async move {
            // Ends when the client is dropped; a broken connection shows up
            // as the next query's error.
            let _ = connection.await;
        });
        let warehouse = Warehouse {
            client,
            address: address.clone(),
        };
        warehouse
            .client
            .batch_execute(SETTINGS)
            .await
            .map_err(|e| warehouse.failure("setting up the session", &e))?;
        Ok(warehouse)
    }

    /// The server as shown in messages: its URL, the password as `***`.
    pub fn shown(&self) -> String {
        self.address.to_string()
    }

    /// Checks `source`'s declared columns against `table` (`name` or
    /// `schema.name`, matched exactly) and returns their schema with the
    /// table's real types; when `table` is not the source's name, a
    /// temporary view named like the source points at it.
    pub async fn table(&self, source: &Source, table: &str) -> Result<SchemaRef, Fatal> {
        let quoted = qualified(table)?;
        let shown = format!("table `{table}` in {}", self.shown());
        let _reading = crate::guard::doing(format!("reading the columns of {shown}"));
        let found = self
            .client
            .query_one("SELECT to_regclass($1)::oid::bigint", &[&quoted])
            .await
            .map_err(|e| self.failure(&format!("looking up {shown}"), &e))?;
        let Some(oid) = found.get::<_, Option<i64>>(0) else {
            return Err(Fatal(format!(
                "source `{}`: there is no {shown}; create it, or name the source's table with `table: \"SCHEMA.NAME\"` (names are matched exactly, case included)",
                source.name
            )));
        };
        let rows = self
            .client
            .query(
                "SELECT a.attname::text, t.typname::text, a.atttypmod \
                 FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid \
                 WHERE a.attrelid = $1::bigint::oid AND a.attnum > 0 AND NOT a.attisdropped",
                &[&oid],
            )
            .await
            .map_err(|e| self.failure(&format!("reading the columns of {shown}"), &e))?;
        let real: Vec<(String, String, i32)> = rows
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect();
        let mut fields = Vec::new();
        for c in &source.columns {
            let Some((_, typname, typmod)) = real.iter().find(|(name, ..)| *name == c.name) else {
                return Err(Fatal(format!(
                    "source `{}`: {shown} has no column `{}` (declared {})",
                    source.name, c.name, c.ty
                )));
            };
            match types::arrow_type(typname, *typmod).filter(|t| fits(c.ty, t)) {
                Some(ty) => fields.push(Field::new(&c.name, ty, true)),
                None => {
                    return Err(Fatal(format!(
                        "source `{}`: column `{}` is declared {} but {shown} holds {}",
                        source.name,
                        c.name,
                        c.ty,
                        types::sql_name(typname)
                    )))
                }
            }
        }
        if table != source.name {
            let view = quote(&source.name);
            let statement = format!(
                "DROP VIEW IF EXISTS pg_temp.{view}; CREATE TEMPORARY VIEW {view} AS SELECT * FROM {quoted}"
            );
            self.client
                .batch_execute(&statement)
                .await
                .map_err(|e| self.failure(&format!("naming {shown} as `{}`", source.name), &e))?;
        }
        Ok(std::sync::Arc::new(Schema::new(fields)))
    }

    /// The oldest and newest values of a registered source's time column
    /// (a date is its midnight, a timestamp without zone is UTC), in
    /// microseconds since the epoch.
    pub async fn time_bounds(
        &self,
        source: &str,
        column: &str,
    ) -> Result<(Option<i64>, Option<i64>), Fatal> {
        let (c, t) = (quote(column), quote(source));
        let micros =
            |f: &str| format!("(extract(epoch FROM {f}({c})::timestamptz) * 1000000)::bigint");
        let row = self
            .client
            .query_one(
                &format!("SELECT {}, {} FROM {t}", micros("min"), micros("max")),
                &[],
            )
            .await
            .map_err(|e| {
                self.failure(
                    &format!("source `{source}`: reading the time column `{column}`"),
                    &e,
                )
            })?;
        Ok((row.get(0), row.get(1)))
    }

    /// Runs an optimised plan as PostgreSQL SQL; the rows come back as
    /// batches of the plan's output schema.
    pub async fn run(&self, plan: &LogicalPlan) -> Result<Vec<RecordBatch>, Fatal> {
        let sql = crate::sql::write(plan, crate::cli::Dialect::Postgres)?;
        let schema: SchemaRef = std::sync::Arc::new(plan.schema().as_arrow().clone());
        let _running = crate::guard::doing(format!("running the query in {}", self.shown()));
        let messages = self.client.simple_query(&sql).await.map_err(|e| {
            self.failure(
                "running the query (`yardstick explain --sql` prints its SQL)",
                &e,
            )
        })?;
        let rows: Vec<_> = messages
            .iter()
            .filter_map(|m| match m {
                SimpleQueryMessage::Row(row) => Some(row),
                _ => None,
            })
            .collect();
        let width = schema.fields().len();
        if let Some(row) = rows.iter().find(|r| r.len() != width) {
            return Err(Fatal(format!(
                "{} returned {} columns where the query has {width}",
                self.shown(),
                row.len()
            )));
        }
        let mut columns = Vec::with_capacity(width);
        for (i, field) in schema.fields().iter().enumerate() {
            let values: Vec<Option<&str>> = rows.iter().map(|r| r.get(i)).collect();
            columns.push(types::array(field.name(), &values, field.data_type())?);
        }
        let batch = RecordBatch::try_new(schema, columns)?;
        Ok(vec![batch])
    }

    /// A failed statement as a message: what was being done, the server,
    /// and PostgreSQL's own words (with any password taken out).
    fn failure(&self, doing: &str, e: &tokio_postgres::Error) -> Fatal {
        Fatal(redact(
            &format!("{doing} in {} failed: {}", self.shown(), reason(e)),
            &self.address,
        ))
    }

    /// The client, for loading `test` rows (`load`).
    fn client(&self) -> &Client {
        &self.client
    }
}

/// Why a connection failed, with what to do about it.
fn connect_failure(address: &Address, e: &tokio_postgres::Error) -> String {
    let help = match e.code() {
        Some(c)
            if *c == SqlState::INVALID_PASSWORD
                || *c == SqlState::INVALID_AUTHORIZATION_SPECIFICATION =>
        {
            format!(
                "; check the user `{}` and the password (in the URL, or PGPASSWORD)",
                address.user
            )
        }
        Some(c) if *c == SqlState::INVALID_CATALOG_NAME => {
            format!(
                "; create the database `{}`, or name another in the URL",
                address.database
            )
        }
        Some(_) => String::new(),
        None => format!(
            "; is PostgreSQL running and accepting connections on {}:{}?",
            address.host, address.port
        ),
    };
    redact(
        &format!("cannot connect to {address}: {}{help}", reason(e)),
        address,
    )
}

/// PostgreSQL's message (with its detail and hint) or the client's.
fn reason(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => {
            let mut text = db.message().to_owned();
            if let Some(detail) = db.detail() {
                text.push_str(&format!(" ({detail})"));
            }
            if let Some(hint) = db.hint() {
                text.push_str(&format!("; {hint}"));
            }
            text
        }
        None => {
            let mut text = e.to_string();
            let mut cause = std::error::Error::source(e);
            while let Some(c) = cause {
                text.push_str(&format!(": {c}"));
                cause = c.source();
            }
            text
        }
    }
}

/// `text` with every occurrence of the address's password (from the URL or
/// PGPASSWORD) replaced by `***`.
fn redact(text: &str, address: &Address) -> String {
    match address.password().filter(|p| !p.is_empty()) {
        Some(password) => text.replace(&password, "***"),
        None => text.to_owned(),
    }
}

/// A SQL identifier, quoted.
pub fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `name` or `schema.name` as a quoted SQL name.
pub fn qualified(table: &str) -> Result<String, Fatal> {
    let parts: Vec<&str> = table.split('.').collect();
    if parts.len() > 2 || parts.iter().any(|p| p.is_empty()) {
        return Err(Fatal(format!(
            "`{table}` is not a table name: write `name` or `schema.name`"
        )));
    }
    Ok(parts.iter().map(|p| quote(p)).collect::<Vec<_>>().join("."))
}
