//! `diff --data`: for each breaking change, the base and head definitions
//! evaluated on the same data (the head library's files), overall and for
//! the groups that moved most under each dimension both versions allow.

use crate::query;
use crate::query::catalog::Tables;
use crate::session::Session;
use crate::Fatal;
use chrono::NaiveDate;
use datafusion::arrow::array::{Array, Float64Array};
use datafusion::arrow::datatypes::DataType;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use serde::Serialize;
use std::path::Path;
use yardstick_compiler::drift::diff::{Change, Kind};
use yardstick_compiler::model::Library;
use yardstick_lower::TimeFrame;

/// How many of the largest moves to report.
const LARGEST: usize = 5;

#[derive(Debug, Clone, Serialize)]
pub struct ValueDelta {
    pub metric: String,
    /// The date both values are read at: the newest data (`YYYY-MM-DD`).
    pub as_of: Option<String>,
    /// The head definition's unit.
    pub unit: String,
    pub base: Option<f64>,
    pub head: Option<f64>,
    pub delta: Option<f64>,
    /// `delta` as a percentage of the base value (none when it is 0).
    pub percent: Option<f64>,
    pub largest_moves: Vec<GroupDelta>,
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupDelta {
    pub dimension: String,
    pub value: String,
    pub base: Option<f64>,
    pub head: Option<f64>,
    pub delta: Option<f64>,
    pub percent: Option<f64>,
}

/// The value change of each breaking change: both definitions on the head
/// session's data, read where its project (the base's) allows.
pub fn deltas(
    session: &Session,
    base: &Library,
    changes: &[Change],
    engine: &crate::engine::Engine,
) -> Result<Vec<ValueDelta>, Fatal> {
    let (spec, project, head) = (&session.spec, &session.project, session.library());
    // Each side's sources are registered (their schemas read) once.
    // Both read only where the base library's project allows.
    let (mut base_tables, mut head_tables) = (
        Tables::with_project(project.clone()).using(engine),
        Tables::with_project(project.clone()).using(engine),
    );
    let mut out = Vec::new();
    for c in changes
        .iter()
        .filter(|c| matches!(c.kind, Kind::Breaking | Kind::BreakingDependency))
    {
        let (Some(b), Some(h)) = (base.metrics.get(&c.metric), head.metrics.get(&c.metric)) else {
            continue;
        };
        let value = |library: &Library, tables: &mut Tables, by: Option<&str>| {
            session.block_on(values(spec, library, tables, &c.metric, by))?
        };
        let overall = |library: &Library, tables: &mut Tables| {
            let (rows, as_of) = value(library, tables, None)?;
            Ok::<_, Fatal>((rows.into_iter().next().and_then(|(_, v)| v), as_of))
        };
        let (bv, _) = overall(base, &mut base_tables)?;
        let (hv, as_of) = overall(head, &mut head_tables)?;
        let mut moves = Vec::new();
        for dim in b.dimensions.iter().filter(|d| h.dimensions.contains(d)) {
            let (before, _) = value(base, &mut base_tables, Some(dim))?;
            let (after, _) = value(head, &mut head_tables, Some(dim))?;
            let mut keys: Vec<&String> = before.iter().chain(&after).map(|(k, _)| k).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                let find = |rows: &[(String, Option<f64>)]| {
                    rows.iter().find(|(k, _)| k == key).and_then(|(_, v)| *v)
                };
                let (x, y) = (find(&before), find(&after));
                moves.push(GroupDelta {
                    dimension: dim.clone(),
                    value: key.clone(),
                    base: x,
                    head: y,
                    delta: difference(x, y),
                    percent: percent(x, y),
                });
            }
        }
        moves
            .retain(|m| m.delta.is_none_or(|d| d != 0.0) && (m.base.is_some() || m.head.is_some()));
        moves.sort_by(|a, b| {
            let size = |m: &GroupDelta| m.delta.map(f64::abs).unwrap_or(f64::INFINITY);
            size(b).total_cmp(&size(a))
        });
        moves.truncate(LARGEST);
        out.push(ValueDelta {
            metric: c.metric.clone(),
            as_of: as_of.map(|d| d.to_string()),
            unit: h.unit.to_string(),
            base: bv,
            head: hv,
            delta: difference(bv, hv),
            percent: percent(bv, hv),
            largest_moves: moves,
        });
    }
    Ok(out)
}

fn difference(base: Option<f64>, head: Option<f64>) -> Option<f64> {
    Some(head? - base?)
}

/// The change as a percentage of the base value's size.
fn percent(base: Option<f64>, head: Option<f64>) -> Option<f64> {
    let (base, head) = (base?, head?);
    (base != 0.0).then(|| (head - base) / base.abs() * 100.0)
}

/// The metric's values at the newest data: `(group, value)` rows, and the
/// date they are read at.
async fn values(
    spec: &Path,
    library: &Library,
    tables: &mut Tables,
    metric: &str,
    by: Option<&str>,
) -> Result<(Vec<(String, Option<f64>)>, Option<NaiveDate>), Fatal> {
    let dims: Vec<&str> = by.into_iter().collect();
    let request = query::internal_request(library, &[metric], &dims, None, None)?;
    let prepared = query::prepare_reusing(spec, library, &request, tables).await?;
    let as_of = match prepared.lowered.frame {
        TimeFrame::AsOf(date) => Some(date),
        TimeFrame::Series { .. } => None,
    };
    let batches = query::execute(&prepared).await?;
    Ok((rows(&batches, metric, by)?, as_of))
}

fn rows(
    batches: &[RecordBatch],
    metric: &str,
    by: Option<&str>,
) -> Result<Vec<(String, Option<f64>)>, Fatal> {
    let options = FormatOptions::default().with_null("null");
    let mut out = Vec::new();
    for batch in batches {
        let Some(values) = batch.column_by_name(metric) else {
            continue;
        };
        let values = datafusion::arrow::compute::cast(values, &DataType::Float64)?;
        let Some(values) = values.as_any().downcast_ref::<Float64Array>() else {
            continue;
        };
        let keys = match by.and_then(|d| batch.column_by_name(d)) {
            Some(k) => Some(ArrayFormatter::try_new(k.as_ref(), &options)?),
            None => None,
        };
        for r in 0..batch.num_rows() {
            let key = keys
                .as_ref()
                .map(|k| k.value(r).to_string())
                .unwrap_or_default();
            out.push((key, values.is_valid(r).then(|| values.value(r))));
        }
    }
    Ok(out)
}
