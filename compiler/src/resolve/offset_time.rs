//! An `offset(metric, duration)` checked against the time of the metric it
//! moves (LANGUAGE.md §11): the metric must have a time column (through
//! every base metric it reads), and the duration must be one that time can
//! move by. No query grain is finer than an hour, so an offset is a whole
//! number of hours; a metric whose time columns are dates has no hours, so
//! its offsets are whole days. (An offset of hours on a timestamp metric
//! is checked again by the query: only `--grain hour` can read it.)

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::ir::{Duration, DurationUnit, MetricId, Node, TypedExpr};
use crate::model::{Definition, Metric, Source};
use crate::types::Type;
use std::collections::{BTreeMap, BTreeSet};

/// Reports each `offset` of `formula` whose metric has no time column or
/// whose duration that time cannot move by.
pub(super) fn check(
    formula: &TypedExpr,
    done: &BTreeMap<String, Metric>,
    sources: &BTreeMap<String, Source>,
    diags: &mut Diagnostics,
) {
    formula.walk(&mut |e| {
        let Node::Offset { metric, by } = &e.node else {
            return;
        };
        let times = base_times(metric, done);
        if let Some(untimed) = times.iter().find(|t| t.time.is_none()) {
            let through = if untimed.metric == metric.as_str() {
                String::new()
            } else {
                format!(" (it reads `{}`, which has none)", untimed.metric)
            };
            diags.push(
                Diagnostic::error(
                    Code::OffsetNoTime,
                    e.span,
                    format!(
                        "`offset` moves `{metric}` back in time, but it has no time column{through}"
                    ),
                )
                .label("nothing to move")
                .help(format!(
                    "give `{}` (or its source) a `time` column, or read the metric without `offset`",
                    untimed.metric
                )),
            );
            return;
        }
        if let Some(problem) = too_fine(*by, &times, sources) {
            diags.push(
                Diagnostic::error(Code::OffsetGrain, e.span, problem.0)
                    .label("finer than the time it moves")
                    .help(problem.1),
            );
        }
    });
}

/// Whole hours, in seconds: `None` for calendar units.
fn seconds(by: Duration) -> Option<u64> {
    let per = match by.unit {
        DurationUnit::Second => 1,
        DurationUnit::Minute => 60,
        DurationUnit::Hour => 3_600,
        DurationUnit::Day => 86_400,
        DurationUnit::Week => 604_800,
        DurationUnit::Month | DurationUnit::Quarter | DurationUnit::Year => return None,
    };
    Some(u64::from(by.amount) * per)
}

/// Whether an offset of `by` is a whole number of days (calendar units are).
pub fn whole_days(by: Duration) -> bool {
    seconds(by).is_none_or(|s| s % 86_400 == 0)
}

fn too_fine(
    by: Duration,
    times: &[BaseTime],
    sources: &BTreeMap<String, Source>,
) -> Option<(String, String)> {
    let s = seconds(by)?;
    if s % 3_600 != 0 {
        return Some((
            format!("an offset of `{by}` is not a whole number of hours, and no query reads finer than an hour"),
            "offset by hours, days or calendar units: `1h`, `1d`, `1w`, `1mo`, `1y`".to_owned(),
        ));
    }
    if s % 86_400 == 0 {
        return None;
    }
    let dated = times.iter().find(|t| {
        let column = t.time.as_deref();
        sources
            .get(&t.source)
            .and_then(|s| column.and_then(|c| s.column(c)))
            .is_some_and(|c| c.ty == Type::Date)
    })?;
    Some((
        format!(
            "an offset of `{by}` is not a whole number of days, but `{}` is timed by a date column, which has no hours",
            dated.metric
        ),
        "offset a date-timed metric by days or calendar units: `1d`, `1w`, `1mo`, `1y`".to_owned(),
    ))
}

/// A base metric read (directly or through derived metrics) and its time.
struct BaseTime {
    metric: String,
    source: String,
    time: Option<String>,
}

/// The base metrics `metric` reads, each once, with their time columns.
fn base_times(metric: &MetricId, done: &BTreeMap<String, Metric>) -> Vec<BaseTime> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    let mut stack = vec![metric.as_str().to_owned()];
    while let Some(name) = stack.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        match done.get(&name).map(|m| &m.definition) {
            Some(Definition::Base(b)) => out.push(BaseTime {
                metric: name,
                source: b.source.clone(),
                time: b.time.clone(),
            }),
            Some(Definition::Derived(d)) => {
                stack.extend(d.inputs.iter().map(|i| i.as_str().to_owned()));
            }
            None => {}
        }
    }
    out
}
