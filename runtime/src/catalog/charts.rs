//! The recent series each metric page of the catalog draws: the query
//! `yardstick query METRIC --grain G --last D [--to T]` (by default
//! `--grain month --last 12mo`: the twelve months up to the newest row),
//! run only when every source it reads has its files (`query::files`);
//! otherwise the page says why it has no chart. Data that is there but
//! cannot be read ends the command (exit 2), as it would a query.

use crate::chart::{self, Chart};
use crate::query::catalog::Tables;
use crate::query::series::Series;
use crate::session::Session;
use crate::{query, Fatal};
use std::collections::BTreeMap;
use yardstick_compiler::model::Metric;
use yardstick_compiler::query::{Arg, QueryArgs};

/// The window every chart shows, as `query` takes it.
#[derive(Debug, Clone)]
pub struct Window {
    pub grain: String,
    pub last: String,
    pub to: Option<String>,
}

impl Window {
    /// The query that gives the chart's values, for the reader to run.
    pub fn command(&self, metric: &str) -> String {
        let mut text = format!(
            "yardstick query {metric} --grain {} --last {}",
            self.grain, self.last
        );
        if let Some(to) = &self.to {
            text.push_str(&format!(" --to {to}"));
        }
        text
    }
}

/// A metric page's chart, or why it has none.
#[derive(Debug, Clone)]
pub enum Recent {
    /// The chart as an SVG document, and the query it draws.
    Drawn { svg: String, query: String },
    /// Why there is no chart (no data files, charts not asked for).
    Absent(String),
}

/// Every metric's chart over `window`, by metric name.
pub fn recent(session: &Session, window: &Window) -> Result<BTreeMap<String, Recent>, Fatal> {
    let mut tables = Tables::with_project(session.project.clone());
    let mut out = BTreeMap::new();
    for metric in session.library().metrics.values() {
        let recent = one(session, metric, window, &mut tables)?;
        out.insert(metric.name.clone(), recent);
    }
    Ok(out)
}

fn one(
    session: &Session,
    metric: &Metric,
    window: &Window,
    tables: &mut Tables,
) -> Result<Recent, Fatal> {
    let library = session.library();
    let arg = Arg::unplaced;
    let args = QueryArgs {
        metrics: vec![arg(&metric.name)],
        grain: Some(arg(&window.grain)),
        last: Some(arg(&window.last)),
        to: window.to.as_deref().map(arg),
        ..QueryArgs::default()
    };
    let (request, diags) = yardstick_compiler::query::check(library, &args);
    let Some(request) = request.filter(|_| !diags.has_errors()) else {
        let why: Vec<String> = diags.iter().map(|d| d.message.clone()).collect();
        return Ok(Recent::Absent(format!(
            "not drawn: the series cannot be queried ({})",
            why.join("; ")
        )));
    };
    for name in request.sources_read(library) {
        let Some(source) = library.sources.get(&name) else {
            continue;
        };
        if let Err(Fatal(why)) = query::files::locate(&session.project, &session.spec, source) {
            return Ok(Recent::Absent(format!("not drawn: no data ({why})")));
        }
    }
    let (batches, columns) = session.block_on(async {
        let prepared = query::prepare_reusing(&session.spec, library, &request, tables).await?;
        let batches = query::execute(&prepared).await?;
        Ok::<_, Fatal>((batches, prepared.lowered.columns))
    })??;
    let Some(series) = Series::read(&batches, &columns) else {
        return Ok(Recent::Absent(
            "not drawn: the result is not a series".to_owned(),
        ));
    };
    if series.periods.is_empty() {
        return Ok(Recent::Absent(format!(
            "not drawn: no rows in the window of `{}`",
            window.command(&metric.name)
        )));
    }
    let svg = chart::svg(&Chart {
        title: metric.title.clone().unwrap_or_else(|| metric.name.clone()),
        unit: chart::unit_label(metric),
        series: &series,
        references: chart::target_lines(metric),
    })?;
    Ok(Recent::Drawn {
        svg,
        query: window.command(&metric.name),
    })
}
