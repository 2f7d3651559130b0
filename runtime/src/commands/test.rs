//! `yardstick test`: runs the library's `test` blocks (LANGUAGE.md §8).
//! Each block's `given` rows become tables (columns not listed are null;
//! sources not given are empty), and each `expect` runs as a query against
//! them. The tables are in memory, or, with a warehouse `--engine`, loaded
//! into a schema made for the block (and dropped after), where the queries
//! then run.

use crate::cli::TestArgs;
use crate::engine::postgres::Warehouse;
use crate::engine::Engine;
use crate::query::catalog::{declared_schema, Tables};
use crate::report::Style;
use crate::{query, Exit, Fatal};
use datafusion::arrow::array::{new_null_array, ArrayRef};
use datafusion::arrow::datatypes::{DataType, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use datafusion::common::ScalarValue;
use datafusion::datasource::MemTable;
use std::sync::Arc;
use yardstick_compiler::ir::Literal;
use yardstick_compiler::model::{Expectation, Library, Source, Test};
use yardstick_compiler::syntax::literal::format_date;
use yardstick_lower::NaiveDate;

pub fn run(args: &TestArgs, style: Style) -> Result<Exit, Fatal> {
    let engine = args.engine.chosen()?;
    let Some(session) = crate::session::Session::open(&args.spec.dir()?, false, style)? else {
        return Ok(Exit::Failed);
    };
    let compiled = &session.compiled;
    let library = &compiled.library;
    let (mut passed, mut failed) = (0, 0);
    // A warehouse engine's one connection, for every test block.
    let mut connecting = Tables::on(&engine);
    let warehouse = session.block_on(connecting.connect())??;
    for test in &library.tests {
        let problems = session.block_on(run_test(library, test, &engine, warehouse.clone()))??;
        if problems.is_empty() {
            passed += 1;
            crate::stdio::println(&format!("test {} ... ok", test.name))?;
        } else {
            failed += 1;
            crate::stdio::println(&format!("test {} ... FAILED", test.name))?;
            for p in problems {
                crate::stdio::println(&p)?;
            }
        }
    }
    crate::stdio::println(&format!("{passed} passed, {failed} failed"))?;
    Ok(if failed == 0 { Exit::Ok } else { Exit::Failed })
}

/// The failures of one test, each described with expected and actual rows:
/// in memory, or in a schema of `warehouse` made for it and dropped after.
async fn run_test(
    library: &Library,
    test: &Test,
    engine: &Engine,
    warehouse: Option<Arc<Warehouse>>,
) -> Result<Vec<String>, Fatal> {
    let given = given_rows(library, test)?;
    let Some(warehouse) = warehouse else {
        // In memory, planned and run where the engine runs plans (here or
        // on a Ballista cluster, which the tables travel to).
        let mut tables = Tables::on(engine);
        for (source, schema, batches) in given {
            let table = MemTable::try_new(schema, vec![batches])?;
            let shown = format!("the rows of test `{}`", test.name);
            tables.insert(&source.name, Arc::new(table), shown);
        }
        return expectations(library, test, &tables).await;
    };
    let schema = warehouse.create_schema().await?;
    let loaded = async {
        let mut tables = Tables::on(engine).sharing(warehouse.clone());
        for (source, _, batches) in given {
            let table = warehouse.load(&schema, source, &batches).await?;
            tables.register_table(&warehouse, source, &table).await?;
        }
        expectations(library, test, &tables).await
    }
    .await;
    let dropped = warehouse.drop_schema(&schema).await;
    let problems = loaded?;
    dropped?;
    Ok(problems)
}

/// Each `expect` of `test` run over `tables`; one that cannot run (on a
/// warehouse: SQL the engine refuses) fails with the reason.
async fn expectations(
    library: &Library,
    test: &Test,
    tables: &Tables,
) -> Result<Vec<String>, Fatal> {
    let mut problems = Vec::new();
    for expectation in &test.expects {
        let by: Vec<&str> = expectation.by.iter().map(String::as_str).collect();
        let request = query::internal_request(
            library,
            &[expectation.metric.as_str()],
            &by,
            expectation.grain.as_deref(),
            expectation.as_of.and_then(date_of),
        )?;
        let ctx = crate::engine::session(tables.engine())?;
        let ran = match query::prepare_over(ctx, tables.clone(), library, &request).await {
            Ok(prepared) => query::execute(&prepared).await,
            Err(e) => Err(e),
        };
        let batches = match ran {
            Ok(batches) => batches,
            Err(Fatal(why)) => {
                problems.push(format!(
                    "  {}
    could not run: {why}",
                    describe(expectation)
                ));
                continue;
            }
        };
        let actual = rows(&batches, &expectation.metric)?;
        let expected = expected_rows(expectation);
        if !same(&expected, &actual, expectation.tolerance) {
            problems.push(format!(
                "  {}\n    expected: {}\n    actual:   {}",
                describe(expectation),
                show(&expected),
                show(&actual)
            ));
        }
    }
    Ok(problems)
}

fn date_of(days: i32) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(&format_date(days), "%Y-%m-%d").ok()
}

/// A source, its declared schema, and a test's rows of it.
type Given<'a> = (&'a Source, SchemaRef, Vec<RecordBatch>);

/// Every source's declared schema and the test's rows in it (none for a
/// source the test gives no rows).
fn given_rows<'a>(library: &'a Library, test: &Test) -> Result<Vec<Given<'a>>, Fatal> {
    let mut out = Vec::new();
    for source in library.sources.values() {
        let schema = declared_schema(source, None);
        let given: Vec<_> = test
            .givens
            .iter()
            .filter(|g| g.source == source.name)
            .collect();
        let mut batches = Vec::new();
        for g in given {
            let columns = source
                .columns
                .iter()
                .map(|c| column(&c.name, g, &arrow_type(source, &c.name)))
                .collect::<Result<Vec<ArrayRef>, Fatal>>()?;
            batches.push(RecordBatch::try_new(schema.clone(), columns)?);
        }
        out.push((source, schema, batches));
    }
    Ok(out)
}

fn arrow_type(source: &Source, column: &str) -> DataType {
    source
        .column(column)
        .map(|c| crate::query::catalog::arrow_type(c.ty))
        .unwrap_or(DataType::Utf8)
}

/// One column of the given rows, null where the test does not list it.
fn column(
    name: &str,
    given: &yardstick_compiler::model::GivenRows,
    ty: &DataType,
) -> Result<ArrayRef, Fatal> {
    let Some(index) = given.columns.iter().position(|c| c == name) else {
        return Ok(new_null_array(ty, given.rows.len()));
    };
    let values = given
        .rows
        .iter()
        .map(|row| scalar(row.get(index), ty))
        .collect::<Result<Vec<_>, _>>()?;
    if values.is_empty() {
        return Ok(new_null_array(ty, 0));
    }
    Ok(ScalarValue::iter_to_array(values)?)
}

fn scalar(value: Option<&Literal>, ty: &DataType) -> Result<ScalarValue, Fatal> {
    let typed_null = || ScalarValue::try_from(ty).map_err(|e| Fatal(e.to_string()));
    let raw = match value {
        None | Some(Literal::Null) => return typed_null(),
        Some(Literal::Int(i)) => ScalarValue::Int64(Some(*i)),
        Some(Literal::Float(v) | Literal::Percent(v)) => ScalarValue::Float64(Some(*v)),
        Some(Literal::String(s)) => ScalarValue::Utf8(Some(s.clone())),
        Some(Literal::Bool(b)) => ScalarValue::Boolean(Some(*b)),
        Some(Literal::Date(days)) => ScalarValue::Date32(Some(*days)),
        Some(Literal::Timestamp(micros)) => {
            ScalarValue::TimestampMicrosecond(Some(*micros), Some("UTC".into()))
        }
    };
    Ok(raw.cast_to(ty)?)
}

/// A result row: its keys as text, then the metric's value.
type Row = (Vec<String>, Option<f64>);

fn rows(batches: &[RecordBatch], metric: &str) -> Result<Vec<Row>, Fatal> {
    let options = FormatOptions::default().with_null("null");
    let mut out = Vec::new();
    for batch in batches {
        let value = datafusion::arrow::compute::cast(
            batch
                .column_by_name(metric)
                .ok_or_else(|| Fatal(format!("no column `{metric}` in the result")))?,
            &DataType::Float64,
        )?;
        let value = value
            .as_any()
            .downcast_ref::<datafusion::arrow::array::Float64Array>()
            .ok_or_else(|| Fatal("a metric value is not a number".to_owned()))?;
        let schema = batch.schema();
        let key_columns: Vec<usize> = (0..batch.num_columns())
            .filter(|i| {
                let name = schema.field(*i).name();
                name != metric && !name.starts_with("__")
            })
            .collect();
        let formatters = key_columns
            .iter()
            .map(|i| ArrayFormatter::try_new(batch.column(*i).as_ref(), &options))
            .collect::<Result<Vec<_>, _>>()?;
        for r in 0..batch.num_rows() {
            let keys = formatters.iter().map(|f| f.value(r).to_string()).collect();
            let v = (!datafusion::arrow::array::Array::is_null(value, r)).then(|| value.value(r));
            out.push((keys, v));
        }
    }
    Ok(out)
}

fn expected_rows(e: &Expectation) -> Vec<Row> {
    e.rows
        .iter()
        .map(|row| {
            let (value, keys) = match row.split_last() {
                Some((v, k)) => (v.number(), k.iter().map(text).collect()),
                None => (None, Vec::new()),
            };
            (keys, value)
        })
        .collect()
}

/// A key as the result table prints it.
fn text(value: &Literal) -> String {
    match value {
        Literal::String(s) => s.clone(),
        Literal::Int(_) | Literal::Float(_) | Literal::Percent(_) => {
            value.number().unwrap_or_default().to_string()
        }
        Literal::Bool(b) => b.to_string(),
        Literal::Date(days) => format_date(*days),
        Literal::Timestamp(micros) => chrono::DateTime::from_timestamp_micros(*micros)
            .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
            .unwrap_or_default(),
        Literal::Null => "null".to_owned(),
    }
}

/// The same rows, each value within `tolerance` of the one expected
/// (always at least 1e-9, relative above 1, for the float arithmetic).
fn same(expected: &[Row], actual: &[Row], tolerance: Option<f64>) -> bool {
    let mut a = actual.to_vec();
    let mut b = expected.to_vec();
    a.sort_by(|x, y| x.0.cmp(&y.0));
    b.sort_by(|x, y| x.0.cmp(&y.0));
    a.len() == b.len()
        && a.iter().zip(&b).all(|(x, y)| {
            x.0 == y.0
                && match (x.1, y.1) {
                    (None, None) => true,
                    (Some(p), Some(q)) => {
                        (p - q).abs() <= tolerance.unwrap_or(0.0) + 1e-9 * q.abs().max(1.0)
                    }
                    _ => false,
                }
        })
}

fn show(rows: &[Row]) -> String {
    if rows.is_empty() {
        return "no rows".to_owned();
    }
    rows.iter()
        .map(|(keys, v)| {
            let mut parts: Vec<String> = keys.iter().map(|k| format!("{k:?}")).collect();
            parts.push(
                v.map(|v| v.to_string())
                    .unwrap_or_else(|| "null".to_owned()),
            );
            format!("({})", parts.join(", "))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn describe(e: &Expectation) -> String {
    let mut s = format!("expect {}", e.metric);
    if !e.by.is_empty() {
        s.push_str(&format!(" by {}", e.by.join(", ")));
    }
    if let Some(g) = &e.grain {
        s.push_str(&format!(" grain {g}"));
    }
    if let Some(d) = e.as_of.and_then(date_of) {
        s.push_str(&format!(" as of {d}"));
    }
    if let Some(t) = e.tolerance {
        s.push_str(&format!(" within {t}"));
    }
    s
}
