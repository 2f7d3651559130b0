//! `check --data [--as-of D]`: the library's promises held against its
//! data, as diagnostics at the declaration they concern:
//! - every source's files against its declared columns (the catalog's own
//!   check, plus reading every declared column once): `data::source`;
//! - each `sla.freshness` against the newest value of the metric's time
//!   columns (the stalest, for a derived metric): `data::stale`;
//! - each `assert` on the as-of value, overall and per declared dimension:
//!   `data::assert`;
//! - each `sla.target` on the same values: `data::target` (a warning, as
//!   CLI.md says).
//!
//! Every message names the metric, the value, the bound, and the owner
//! with the escalation path. The moment freshness is measured at is the
//! end of `--as-of` (midnight after it, UTC), or now.

use super::{escalation, number, result_rows, show_bound, within};
use crate::engine::Engine;
use crate::query::{self, catalog::Tables};
use crate::session::Session;
use crate::Fatal;
use chrono::{DateTime, Months, NaiveDate, Utc};
use datafusion::functions_aggregate::expr_fn::count;
use datafusion::logical_expr::ident;
use datafusion::prelude::SessionContext;
use std::collections::BTreeSet;
use std::path::Path;
use yardstick_compiler::diagnostics::{Code, Diagnostic, Diagnostics};
use yardstick_compiler::ir::{Duration, DurationUnit};
use yardstick_compiler::model::{Bound, Library, Metric};
use yardstick_lower::TimeFrame;

/// Parses `--as-of`: a date, or the command cannot run.
pub fn parse_as_of(text: Option<&str>) -> Result<Option<NaiveDate>, Fatal> {
    text.map(|t| {
        NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .map_err(|_| Fatal(format!("--as-of `{t}` is not a date (YYYY-MM-DD)")))
    })
    .transpose()
}

/// Adds the data's findings to the session's diagnostics, sorted with them.
pub fn add_findings(
    session: &mut Session,
    as_of: Option<NaiveDate>,
    engine: &Engine,
) -> Result<(), Fatal> {
    let found = session.block_on(findings(&session.spec, session.library(), as_of, engine))??;
    let compiled = &mut session.compiled;
    compiled.diagnostics.extend(found);
    compiled.diagnostics.sort(&compiled.sources);
    Ok(())
}

/// Every finding on the data of `library`.
pub async fn findings(
    spec: &Path,
    library: &Library,
    as_of: Option<NaiveDate>,
    engine: &Engine,
) -> Result<Diagnostics, Fatal> {
    let mut diags = Diagnostics::new();
    let ctx = crate::engine::session(engine)?;
    let mut tables = Tables::on(engine);
    // A warehouse that cannot be reached stops the command (exit 2), not
    // each source.
    tables.connect().await?;
    let mut broken = BTreeSet::new();
    for source in library.sources.values() {
        let problem = match tables.register(&ctx, spec, source).await {
            Err(Fatal(why)) => Some(why),
            Ok(()) => read_every_column(&ctx, &tables, source).await.err(),
        };
        if let Some(why) = problem.map(|why| relative(spec, &why)) {
            broken.insert(source.name.clone());
            diags.push(Diagnostic::error(Code::DataSource, source.span, why).label(
                if engine.reads_files() {
                    "its files do not hold the declared columns"
                } else {
                    "its table does not hold the declared columns"
                },
            ));
        }
    }
    let moment = match as_of {
        Some(d) => d
            .succ_opt()
            .unwrap_or(d)
            .and_time(chrono::NaiveTime::MIN)
            .and_utc(),
        None => Utc::now(),
    };
    for metric in library.metrics.values() {
        if metric.assert.is_none()
            && metric
                .sla
                .as_ref()
                .is_none_or(|s| s.freshness.is_none() && s.target.is_none())
        {
            continue;
        }
        let request = query::internal_request(library, &[&metric.name], &[], None, as_of)?;
        if request
            .sources_read(library)
            .iter()
            .any(|s| broken.contains(s))
        {
            continue;
        }
        if let Some(freshness) = metric.sla.as_ref().and_then(|s| s.freshness) {
            let columns = request.time_columns(library);
            if let Some(d) =
                stale(&ctx, &tables, library, metric, &columns, freshness, moment).await?
            {
                diags.push(d);
            }
        }
        let target = metric.sla.as_ref().and_then(|s| s.target.as_ref());
        if metric.assert.is_none() && target.is_none() {
            continue;
        }
        let mut groupings: Vec<Option<&str>> = vec![None];
        groupings.extend(metric.dimensions.iter().map(|d| Some(d.as_str())));
        for by in groupings {
            let dims: Vec<&str> = by.into_iter().collect();
            let request = query::internal_request(library, &[&metric.name], &dims, None, as_of)?;
            let prepared = query::prepare_reusing(spec, library, &request, &mut tables).await?;
            let batches = query::execute(&prepared).await?;
            let date = match &prepared.lowered.frame {
                TimeFrame::AsOf(d) => d.to_string(),
                TimeFrame::Series { .. } => "the newest data".to_owned(),
            };
            for row in result_rows(&batches, &prepared.lowered.columns) {
                let Some((_, Some(value))) = row.values.first() else {
                    continue;
                };
                let at = format!("{} as of {date}", row.describe_group());
                let checks = [
                    (Code::DataAssert, "assert", metric.assert.as_ref()),
                    (Code::DataTarget, "target", target),
                ];
                for (code, what, bound) in checks {
                    if let Some(bound) = bound.filter(|b| !within(b, *value)) {
                        diags.push(breach(library, metric, code, what, bound, *value, &at));
                    }
                }
            }
        }
    }
    Ok(diags)
}

fn breach(
    library: &Library,
    metric: &Metric,
    code: Code,
    what: &str,
    bound: &Bound,
    value: f64,
    at: &str,
) -> Diagnostic {
    let message = format!(
        "`{}` = {} ({at}) breaks its {what} `{}`; owner: {}",
        metric.name,
        number(value),
        show_bound(bound),
        escalation(library, metric)
    );
    let label = format!("{what} `{}`", show_bound(bound));
    match code {
        Code::DataTarget => Diagnostic::warning(code, metric.span, message),
        _ => Diagnostic::error(code, metric.span, message),
    }
    .label(label)
}

/// File paths in `why` shown relative to the library directory, as
/// diagnostics show library files.
fn relative(spec: &Path, why: &str) -> String {
    let mut out = why.to_owned();
    for dir in [spec.canonicalize().ok(), Some(spec.to_path_buf())]
        .into_iter()
        .flatten()
    {
        let prefix = format!("{}/", dir.display());
        if prefix.len() > 1 {
            out = out.replace(&format!("`{prefix}"), "`");
        }
    }
    out
}

/// Reads every declared column of a registered source once, so a value
/// its type cannot hold (in a CSV) is found here, not mid-query.
async fn read_every_column(
    ctx: &SessionContext,
    tables: &Tables,
    source: &yardstick_compiler::model::Source,
) -> Result<(), String> {
    let Some(table) = tables.get(&source.name) else {
        return Ok(());
    };
    let counts: Vec<_> = source
        .columns
        .iter()
        .map(|c| count(ident(&c.name)))
        .collect();
    if counts.is_empty() {
        return Ok(());
    }
    let why = |e: datafusion::error::DataFusionError| {
        format!(
            "source `{}` ({}): reading its columns failed: {e}",
            source.name,
            tables.shown(&source.name).unwrap_or("no files")
        )
    };
    ctx.read_table(table)
        .and_then(|df| df.aggregate(vec![], counts))
        .map_err(why)?
        .collect()
        .await
        .map_err(why)?;
    Ok(())
}

/// A `data::stale` finding when the newest value of the metric's time
/// columns (the stalest of them) is older than `freshness` at `moment`.
async fn stale(
    ctx: &SessionContext,
    tables: &Tables,
    library: &Library,
    metric: &Metric,
    columns: &[(String, String)],
    freshness: Duration,
    moment: DateTime<Utc>,
) -> Result<Option<Diagnostic>, Fatal> {
    let mut stalest: Option<(DateTime<Utc>, String)> = None;
    for (source, column) in columns {
        let (_, newest) = query::time_bounds(ctx, tables, source, column).await?;
        let Some(newest) = newest.and_then(DateTime::<Utc>::from_timestamp_micros) else {
            continue;
        };
        if stalest.as_ref().is_none_or(|(t, _)| newest < *t) {
            stalest = Some((newest, format!("{source}.{column}")));
        }
    }
    let Some((newest, column)) = stalest else {
        return Ok(None);
    };
    let Some(deadline) = add(newest, freshness) else {
        return Ok(None);
    };
    if moment <= deadline {
        return Ok(None);
    }
    let hours = (moment - newest).num_seconds() as f64 / 3600.0;
    let age = if hours >= 48.0 {
        format!("{}d", number((hours / 2.4).round() / 10.0))
    } else {
        format!("{}h", number((hours * 10.0).round() / 10.0))
    };
    let message = format!(
        "`{}`'s newest data (`{column}` at {}) is {age} old at {}, beyond its freshness `{freshness}`; owner: {}",
        metric.name,
        newest.format("%Y-%m-%d %H:%M UTC"),
        moment.format("%Y-%m-%d %H:%M UTC"),
        escalation(library, metric)
    );
    Ok(Some(
        Diagnostic::error(Code::DataStale, metric.span, message)
            .label(format!("freshness `{freshness}`")),
    ))
}

/// `time + duration`, months by the calendar; `None` beyond the calendar.
fn add(time: DateTime<Utc>, d: Duration) -> Option<DateTime<Utc>> {
    let n = i64::from(d.amount);
    let fixed = |seconds: i64| {
        time.checked_add_signed(chrono::Duration::try_seconds(n.checked_mul(seconds)?)?)
    };
    match d.unit {
        DurationUnit::Second => fixed(1),
        DurationUnit::Minute => fixed(60),
        DurationUnit::Hour => fixed(3600),
        DurationUnit::Day => fixed(86_400),
        DurationUnit::Week => fixed(604_800),
        DurationUnit::Month => time.checked_add_months(Months::new(d.amount)),
        DurationUnit::Quarter => time.checked_add_months(Months::new(d.amount.checked_mul(3)?)),
        DurationUnit::Year => time.checked_add_months(Months::new(d.amount.checked_mul(12)?)),
    }
}
