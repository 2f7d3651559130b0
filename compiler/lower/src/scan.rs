//! One scan per source: every requested metric of a source is computed in a
//! single aggregation over one scan of it, each aggregate keeping only its
//! own rows (conditional aggregation with `FILTER`), whatever its window,
//! filters or time column.

use crate::bucket;
use crate::prefilter;
use crate::translate::{self, keep_unless, keep_where, timestamp_lit, utc_timestamp, Place};
use crate::window::{self, Grain, Period};
use crate::{metric_column, sample_column, Catalog, LowerError, TimeFrame};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Column, JoinType, NullEquality, ScalarValue};
use datafusion::logical_expr::{cast, col, lit, when, Expr as DfExpr, LogicalPlanBuilder};
use yardstick_compiler::ir::ColumnRef;
use yardstick_compiler::model::{join_hops, BaseMetric, Definition, Library, Metric, Source};
use yardstick_compiler::query::Request;
use yardstick_compiler::types::Type;

/// Column holding the period start in series queries.
pub const PERIOD: &str = "__period";
pub(crate) const PERIOD_END: &str = "__period_end";

fn df_err(e: datafusion::error::DataFusionError) -> LowerError {
    LowerError(e.to_string())
}

/// The base definition of a metric the request groups under a source.
fn base_of(metric: &Metric) -> Result<&BaseMetric, LowerError> {
    match &metric.definition {
        Definition::Base(b) => Ok(b),
        Definition::Derived(_) => Err(LowerError(format!(
            "`{}` is derived and has no rows of its own",
            metric.name
        ))),
    }
}

/// The aggregation of `metrics` (base metrics of `source`) at the request's
/// keys: dimension columns, then `__period` for a series.
pub fn plan(
    library: &Library,
    source: &Source,
    metrics: &[&Metric],
    request: &Request,
    frame: &TimeFrame,
    catalog: &dyn Catalog,
) -> Result<LogicalPlanBuilder, LowerError> {
    let metrics: Vec<(&Metric, &BaseMetric)> = metrics
        .iter()
        .map(|m| Ok((*m, base_of(m)?)))
        .collect::<Result<_, LowerError>>()?;
    // Two-level metrics aggregate twice, each in its own plan; the others
    // share one aggregation.
    let (two_level, one_level): (Vec<_>, Vec<_>) =
        metrics.into_iter().partition(|(_, b)| b.per.is_some());
    let keys = key_names(request, frame);
    let mut combined: Option<(LogicalPlanBuilder, Vec<String>)> = None;
    if !one_level.is_empty() {
        let columns = metric_columns(&one_level);
        combined = Some((
            aggregate(library, source, &one_level, request, frame, catalog)?,
            columns,
        ));
    }
    for metric in two_level {
        let plan = crate::per::plan(library, source, metric, request, frame, catalog)?;
        let columns = metric_columns(&[metric]);
        combined = Some(match combined {
            None => (plan, columns),
            Some((left, have)) => {
                let joined = crate::combine::full_join(left, plan, &keys, &have, &columns)?;
                (joined, have.into_iter().chain(columns).collect())
            }
        });
    }
    combined
        .map(|(plan, _)| plan)
        .ok_or_else(|| LowerError(format!("no metric reads `{}`", source.name)))
}

/// The keys of a source's aggregation: dimension columns, then `__period`
/// for a series.
pub(crate) fn key_names(request: &Request, frame: &TimeFrame) -> Vec<String> {
    let mut keys: Vec<String> = request
        .by
        .iter()
        .map(|d| translate::column_name(&d.column))
        .collect();
    if matches!(frame, TimeFrame::Series { .. }) {
        keys.push(PERIOD.to_owned());
    }
    keys
}

/// The output columns of these metrics: value, and the sample count with
/// `min_sample`.
fn metric_columns(metrics: &[(&Metric, &BaseMetric)]) -> Vec<String> {
    let mut out = Vec::new();
    for (metric, base) in metrics {
        out.push(metric_column(&metric.name));
        if base.min_sample.is_some() {
            out.push(sample_column(&metric.name));
        }
    }
    out
}

/// The rows of `metrics` (base metrics of `source`): the source scanned
/// with its joins, its excludes and the query's `where` applied, and for a
/// series joined to every period whose window (for any metric) holds the
/// row. Also each metric's own condition on those rows.
pub fn rows(
    library: &Library,
    source: &Source,
    metrics: &[(&Metric, &BaseMetric)],
    request: &Request,
    frame: &TimeFrame,
    catalog: &dyn Catalog,
) -> Result<(LogicalPlanBuilder, Vec<DfExpr>), LowerError> {
    let mut builder = scan(library, source, request, metrics, catalog)?;
    let mut common = common_filters(source, request)?;

    // Each metric's rows: its window, its `where`s and `exclude`s (a
    // variant's and its bases'), which its aggregates are filtered by; and
    // the looser condition that pre-filters the scan ([`prefilter`]).
    let row_period = match frame {
        TimeFrame::Series { grain, periods } => {
            bucket::row_period(source, metrics, *grain, periods)
        }
        TimeFrame::AsOf(_) => None,
    };
    let mut conditions = Vec::new();
    let mut join_conditions = Vec::new();
    let mut counted = Vec::new();
    for (i, (metric, base)) in metrics.iter().enumerate() {
        let rows = metric_filters(library, metric)?;
        let time = match (frame, &row_period) {
            // Each row counts in its own period: no window to test.
            (_, Some(_)) => {
                counted.push(prefilter::MetricRows {
                    window: None,
                    filters: rows.clone(),
                });
                Vec::new()
            }
            (TimeFrame::AsOf(as_of), None) => {
                let window = as_of_window(source, metric, base, *as_of)?;
                counted.push(prefilter::MetricRows {
                    window: window.clone(),
                    filters: rows.clone(),
                });
                window.map(|w| w.conditions()).unwrap_or_default()
            }
            (TimeFrame::Series { .. }, None) => {
                let time = series_window(source, metric, base, i)?;
                let mut join = time.clone();
                join.extend(prefilter::bounded(&rows));
                join_conditions.push(conjunction(join));
                time
            }
        };
        conditions.push(conjunction(time.into_iter().chain(rows).collect()));
    }

    match (frame, &row_period) {
        (TimeFrame::Series { periods, .. }, Some(period)) => {
            common.extend(bucket::within(source, metrics, periods));
            let any = prefilter::union_of(&counted);
            if any != lit(true) {
                common.push(any);
            }
            builder = builder.filter(conjunction(common)).map_err(df_err)?;
            let mut columns: Vec<DfExpr> = builder
                .schema()
                .columns()
                .into_iter()
                .map(DfExpr::Column)
                .collect();
            columns.push(period.clone().alias(PERIOD));
            builder = builder.project(columns).map_err(df_err)?;
        }
        (TimeFrame::Series { periods, grain }, None) => {
            let table = periods_table(periods, *grain, metrics)?;
            // A row joins every period whose window (for any metric) holds it.
            let any = disjunction(join_conditions);
            builder = builder
                .join_on(table, JoinType::Inner, vec![any])
                .map_err(df_err)?;
            if !common.is_empty() {
                builder = builder.filter(conjunction(common)).map_err(df_err)?;
            }
        }
        (TimeFrame::AsOf(_), _) => {
            common.push(prefilter::union_of(&counted));
            builder = builder.filter(conjunction(common)).map_err(df_err)?;
        }
    }
    let series = matches!(frame, TimeFrame::Series { .. });
    crate::snapshot::keep_snapshot_rows(builder, source, request, series, metrics, conditions)
}

/// Row filters common to every metric of a source: its excludes and the
/// query's own `where`.
fn common_filters(source: &Source, request: &Request) -> Result<Vec<DfExpr>, LowerError> {
    let mut common = Vec::new();
    for e in &source.excludes {
        common.push(keep_unless(translate::translate(e, &mut Place::Row)?));
    }
    if let Some(w) = &request.filter {
        common.push(keep_where(translate::translate(w, &mut Place::Row)?));
    }
    Ok(common)
}

/// A metric's own row filters: its `where`s and `exclude`s (a variant's
/// and its bases').
fn metric_filters(library: &Library, metric: &Metric) -> Result<Vec<DfExpr>, LowerError> {
    let filters = library.filters_of(metric);
    let mut rows = Vec::new();
    for w in filters.wheres {
        rows.push(keep_where(translate::translate(w, &mut Place::Row)?));
    }
    for e in filters.excludes {
        rows.push(keep_unless(translate::translate(e, &mut Place::Row)?));
    }
    Ok(rows)
}

/// One aggregation of one-level metrics, each over its own rows.
fn aggregate(
    library: &Library,
    source: &Source,
    metrics: &[(&Metric, &BaseMetric)],
    request: &Request,
    frame: &TimeFrame,
    catalog: &dyn Catalog,
) -> Result<LogicalPlanBuilder, LowerError> {
    if let Some(folded) = rolling_aggregate(library, source, metrics, request, frame, catalog)? {
        return Ok(folded);
    }
    let (builder, conditions) = rows(library, source, metrics, request, frame, catalog)?;
    let formulas = formulas(metrics, &conditions)?;
    let keys: Vec<DfExpr> = key_names(request, frame)
        .iter()
        .map(|k| col(k.as_str()))
        .collect();
    let aggregate_exprs: Vec<DfExpr> = formulas
        .aggregates
        .into_iter()
        .map(|(n, e)| e.alias(n))
        .collect();
    let mut projection = keys.clone();
    projection.extend(formulas.values);
    builder
        .aggregate(keys, aggregate_exprs)
        .and_then(|b| b.project(projection))
        .map_err(df_err)
}

/// A series with trailing windows folded from per-day aggregates
/// ([`crate::rolling`]), when its windows and aggregates allow; `None`
/// otherwise.
fn rolling_aggregate(
    library: &Library,
    source: &Source,
    metrics: &[(&Metric, &BaseMetric)],
    request: &Request,
    frame: &TimeFrame,
    catalog: &dyn Catalog,
) -> Result<Option<LogicalPlanBuilder>, LowerError> {
    let TimeFrame::Series { grain, periods } = frame else {
        return Ok(None);
    };
    if bucket::row_period(source, metrics, *grain, periods).is_some()
        || !crate::rolling::applies(source, metrics, *grain, periods)
    {
        return Ok(None);
    }
    let mut conditions = Vec::new();
    let mut presence = Vec::new();
    for (metric, _) in metrics {
        let rows = metric_filters(library, metric)?;
        presence.push(conjunction(prefilter::bounded(&rows)));
        conditions.push(conjunction(rows));
    }
    let formulas = formulas(metrics, &conditions)?;
    if !crate::rolling::decomposable(&formulas.aggregates) {
        return Ok(None);
    }
    let mut keep = common_filters(source, request)?;
    let any = disjunction(presence.clone());
    if any != lit(true) {
        keep.push(any);
    }
    let scanned = scan(library, source, request, metrics, catalog)?;
    let rows = crate::rolling::rows(scanned, source, metrics, periods, keep)?;
    let dimensions: Vec<String> = request
        .by
        .iter()
        .map(|d| translate::column_name(&d.column))
        .collect();
    let table = periods_table(periods, *grain, metrics)?;
    let folded = crate::rolling::aggregate(
        rows,
        &dimensions,
        &formulas.metric_of,
        formulas.aggregates,
        presence,
        table,
    )?;
    let mut projection: Vec<DfExpr> = key_names(request, frame)
        .iter()
        .map(|k| col(k.as_str()))
        .collect();
    projection.extend(formulas.values);
    folded.project(projection).map(Some).map_err(df_err)
}

/// The metrics' formulas over their rows: the aggregates to compute (each
/// with the index of its metric), and each metric's value (and sample
/// count) over them.
struct Formulas {
    aggregates: Vec<(String, DfExpr)>,
    metric_of: Vec<usize>,
    values: Vec<DfExpr>,
}

fn formulas(
    metrics: &[(&Metric, &BaseMetric)],
    conditions: &[DfExpr],
) -> Result<Formulas, LowerError> {
    let mut aggregates = Vec::new();
    let mut metric_of = Vec::new();
    let mut values = Vec::new();
    for (i, ((metric, base), rows)) in metrics.iter().zip(conditions).enumerate() {
        let prefix = metric_column(&metric.name);
        let mut place = Place::Formula {
            rows,
            prefix: &prefix,
            aggregates: &mut aggregates,
        };
        let value = translate::translate(&base.formula, &mut place)?;
        let value = match base.min_sample {
            Some(min) => {
                let n = sample_column(&metric.name);
                aggregates.push((
                    n.clone(),
                    translate::with_filter(
                        datafusion::functions_aggregate::expr_fn::count(lit(1i64)),
                        rows.clone(),
                    ),
                ));
                when(
                    col(n.clone()).lt(lit(min as i64)),
                    lit(ScalarValue::Float64(None)),
                )
                .otherwise(cast(value, DataType::Float64))
                .map_err(df_err)?
            }
            None => value,
        };
        values.push(value.alias(metric_column(&metric.name)));
        if base.min_sample.is_some() {
            values.push(col(sample_column(&metric.name)));
        }
        metric_of.resize(aggregates.len(), i);
    }
    Ok(Formulas {
        aggregates,
        metric_of,
        values,
    })
}

/// The groups (`request.by` values) of a `fill: 0` metric in an as-of
/// query: the distinct dimension values of the source's rows that pass
/// its excludes, the query's `--where` and the metric's own filters,
/// whatever their time.
pub fn groups(
    library: &Library,
    source: &Source,
    metric: &Metric,
    request: &Request,
    catalog: &dyn Catalog,
) -> Result<LogicalPlanBuilder, LowerError> {
    let base = base_of(metric)?;
    let builder = scan(library, source, request, &[(metric, base)], catalog)?;
    let mut keep = Vec::new();
    for e in &source.excludes {
        keep.push(keep_unless(translate::translate(e, &mut Place::Row)?));
    }
    if let Some(w) = &request.filter {
        keep.push(keep_where(translate::translate(w, &mut Place::Row)?));
    }
    let filters = library.filters_of(metric);
    for w in filters.wheres {
        keep.push(keep_where(translate::translate(w, &mut Place::Row)?));
    }
    for e in filters.excludes {
        keep.push(keep_unless(translate::translate(e, &mut Place::Row)?));
    }
    let dimensions: Vec<DfExpr> = request
        .by
        .iter()
        .map(|d| col(translate::column_name(&d.column)))
        .collect();
    let builder = if keep.is_empty() {
        builder
    } else {
        builder.filter(conjunction(keep)).map_err(df_err)?
    };
    builder
        .project(dimensions)
        .and_then(|b| b.distinct())
        .map_err(df_err)
}

pub(crate) fn conjunction(parts: Vec<DfExpr>) -> DfExpr {
    balanced(parts, DfExpr::and)
}

pub(crate) fn disjunction(parts: Vec<DfExpr>) -> DfExpr {
    balanced(parts, DfExpr::or)
}

/// `a op b op c ...` as a balanced tree: a variant deep in a chain has
/// thousands of filters, and a chain that deep would overflow the stack of
/// every recursive walk over the plan.
fn balanced(mut parts: Vec<DfExpr>, op: fn(DfExpr, DfExpr) -> DfExpr) -> DfExpr {
    if parts.len() <= 2 {
        let mut parts = parts.into_iter();
        return match (parts.next(), parts.next()) {
            (Some(a), Some(b)) => op(a, b),
            (Some(a), None) => a,
            _ => lit(true),
        };
    }
    let right = parts.split_off(parts.len() / 2);
    op(balanced(parts, op), balanced(right, op))
}

/// The metric's time column as a UTC timestamp.
pub(crate) fn time_expr(source: &Source, base: &BaseMetric) -> Option<DfExpr> {
    let name = base.time.as_ref()?;
    let column = col(translate::column_name(&ColumnRef::from_path(name)));
    Some(match source.column(name).map(|c| c.ty) {
        Some(Type::Date) => cast(column, utc_timestamp()),
        _ => column,
    })
}

/// The window of `metric` read as of a date, on its time column; `None`
/// when the metric has no time column (it counts all time).
fn as_of_window(
    source: &Source,
    metric: &Metric,
    base: &BaseMetric,
    as_of: chrono::NaiveDate,
) -> Result<Option<prefilter::Window>, LowerError> {
    let Some(time) = time_expr(source, base) else {
        return Ok(None);
    };
    let (start, end) = window::as_of_window(as_of, base.lookback).ok_or_else(|| {
        LowerError(format!(
            "the window of `{}` falls outside the calendar",
            metric.name
        ))
    })?;
    Ok(Some(prefilter::Window {
        time,
        start: start.map(micros),
        end: micros(end),
    }))
}

/// The conditions of a row inside the window of `metric` (the `index`-th
/// of its scan) of the period it is joined to, in a series.
fn series_window(
    source: &Source,
    metric: &Metric,
    base: &BaseMetric,
    index: usize,
) -> Result<Vec<DfExpr>, LowerError> {
    let time = time_expr(source, base).ok_or_else(|| {
        LowerError(format!(
            "`{}` has no time column, so it cannot be read as a series",
            metric.name
        ))
    })?;
    Ok(vec![
        time.clone().gt_eq(col(window_start_column(index))),
        time.lt(col(PERIOD_END)),
    ])
}

fn micros(t: chrono::NaiveDateTime) -> i64 {
    t.and_utc().timestamp_micros()
}

pub(crate) fn window_start_column(index: usize) -> String {
    format!("__window_start_{index}")
}

/// The value of the `period` column: a date, or for hours a timestamp.
pub fn period_value(start: chrono::NaiveDateTime, grain: Grain) -> DfExpr {
    match grain {
        Grain::Hour => timestamp_lit(micros(start)),
        _ => lit(ScalarValue::Date32(Some(days(start.date())))),
    }
}

/// A small table of the series' periods: start (a date, or a timestamp
/// for hours), end, and each metric's window start (the period start, or
/// the period end less the lookback).
fn periods_table(
    periods: &[Period],
    grain: Grain,
    metrics: &[(&Metric, &BaseMetric)],
) -> Result<datafusion::logical_expr::LogicalPlan, LowerError> {
    let mut rows = Vec::new();
    for p in periods {
        let end = p.end;
        let mut row = vec![period_value(p.label, grain), timestamp_lit(micros(end))];
        for (metric, base) in metrics {
            let start = match base.lookback {
                Some(l) => window::window_start(end, l).ok_or_else(|| {
                    LowerError(format!(
                        "the window of `{}` falls outside the calendar",
                        metric.name
                    ))
                })?,
                None => p.start,
            };
            row.push(timestamp_lit(micros(start)));
        }
        rows.push(row);
    }
    let mut names = vec![
        col("column1").alias(PERIOD),
        col("column2").alias(PERIOD_END),
    ];
    for i in 0..metrics.len() {
        names.push(col(format!("column{}", i + 3)).alias(window_start_column(i)));
    }
    LogicalPlanBuilder::values(rows)
        .and_then(|b| b.project(names))
        .and_then(|b| b.build())
        .map_err(df_err)
}

fn days(date: chrono::NaiveDate) -> i32 {
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    i32::try_from((date - epoch).num_days()).unwrap_or(i32::MAX)
}

/// Scans the source (and the joined sources the request needs), with every
/// declared column under its internal name and canonical type.
fn scan(
    library: &Library,
    source: &Source,
    request: &Request,
    metrics: &[(&Metric, &BaseMetric)],
    catalog: &dyn Catalog,
) -> Result<LogicalPlanBuilder, LowerError> {
    let table = catalog.table(&source.name)?;
    let mut builder =
        LogicalPlanBuilder::scan(source.name.as_str(), table, None).map_err(df_err)?;
    let metrics: Vec<&Metric> = metrics.iter().map(|(m, _)| *m).collect();
    let used = request.joins_used(library, &source.name, &metrics);
    let mut projection = Vec::new();
    for c in &source.columns {
        projection.push(column_expr(&source.name, c, &builder, c.name.clone())?);
    }
    // Shorter paths first (a set orders `a` before `a.b`): each hop joins
    // the table of the path before it, under its own path's name, so a
    // source joined in two roles or along two chains is two tables.
    for path in &used {
        let Some(hops) = join_hops(&library.sources, source, path) else {
            continue;
        };
        let Some((join, joined)) = hops.last() else {
            continue;
        };
        let from = match path.rsplit_once('.') {
            Some((before_path, _)) => table_name(before_path),
            None => source.name.clone(),
        };
        let name = table_name(path);
        let mut right =
            LogicalPlanBuilder::scan(joined.name.as_str(), catalog.table(&joined.name)?, None)
                .map_err(df_err)?;
        if name != joined.name {
            right = right.alias(name.as_str()).map_err(df_err)?;
        }
        let right = right.build().map_err(df_err)?;
        let key = joined.key.clone().unwrap_or_else(|| join.on.clone());
        builder = builder
            .join_detailed(
                right,
                JoinType::Left,
                (
                    vec![Column::new(Some(from.as_str()), join.on.as_str())],
                    vec![Column::new(Some(name.as_str()), key.as_str())],
                ),
                None,
                NullEquality::NullEqualsNothing,
            )
            .map_err(df_err)?;
        for c in &joined.columns {
            let alias = translate::column_name(&ColumnRef {
                join: Some(path.clone()),
                name: c.name.clone(),
            });
            projection.push(column_expr(&name, c, &builder, alias)?);
        }
    }
    builder.project(projection).map_err(df_err)
}

/// The plan's table for a join path: the join's name for one hop
/// (`accounts`, a role `host`), the hops joined by `__` for a chain
/// (`listings__users`).
fn table_name(path: &str) -> String {
    path.replace('.', "__")
}

fn column_expr(
    table: &str,
    column: &yardstick_compiler::model::Column,
    builder: &LogicalPlanBuilder,
    alias: String,
) -> Result<DfExpr, LowerError> {
    let reference = Column::new(Some(table), column.name.as_str());
    let field = builder
        .schema()
        .qualified_field_from_column(&reference)
        .map(|(_, f)| f)
        .map_err(|_| {
            LowerError(format!(
                "source `{table}` has no column `{}` in its data",
                column.name
            ))
        })?;
    let expr = DfExpr::Column(reference);
    Ok(match translate::arrow_type(column.ty) {
        Some(ty) if field.data_type() != &ty => cast(expr, ty).alias(alias),
        _ => expr.alias(alias),
    })
}
