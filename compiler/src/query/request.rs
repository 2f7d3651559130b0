//! A checked query: resolved metric ids, dimensions as columns, the grain,
//! dates and the typed `--where`; and what it needs from the data (its base
//! metrics by source, the sources it joins, its time columns).

pub use crate::ir::Grain;
use crate::ir::{ColumnRef, MetricId, TypedExpr};
use crate::model::{Definition, Library, Metric};
use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet};

/// A dimension of the result: the column each source groups by, and its
/// name as the user wrote it (the output column's name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dimension {
    pub name: String,
    pub column: ColumnRef,
}

/// A query checked against the library.
#[derive(Debug, Clone)]
pub struct Request {
    pub metrics: Vec<MetricId>,
    pub by: Vec<Dimension>,
    pub grain: Option<Grain>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// `--last`: the series starts this long before its end.
    pub last: Option<crate::ir::Duration>,
    pub as_of: Option<NaiveDate>,
    pub filter: Option<TypedExpr>,
}

/// The base metrics behind `metrics` (the inputs of derived metrics, and
/// theirs), each once.
pub fn base_metrics<'l>(
    library: &'l Library,
    metrics: impl IntoIterator<Item = &'l Metric>,
) -> Vec<&'l Metric> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    let mut stack: Vec<&Metric> = metrics.into_iter().collect();
    while let Some(metric) = stack.pop() {
        if !seen.insert(metric.name.as_str()) {
            continue;
        }
        match &metric.definition {
            Definition::Base(_) => out.push(metric),
            Definition::Derived(d) => {
                stack.extend(d.inputs.iter().filter_map(|i| library.metric(i)))
            }
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// The sources the base metrics behind `metrics` read.
pub(super) fn sources_of<'l>(
    library: &'l Library,
    metrics: impl IntoIterator<Item = &'l Metric>,
) -> BTreeSet<String> {
    base_metrics(library, metrics)
        .into_iter()
        .filter_map(|m| match &m.definition {
            Definition::Base(b) => Some(b.source.clone()),
            Definition::Derived(_) => None,
        })
        .collect()
}

impl Request {
    fn requested<'l>(&self, library: &'l Library) -> Vec<&'l Metric> {
        self.metrics
            .iter()
            .filter_map(|m| library.metric(m))
            .collect()
    }

    /// Every base metric the request computes (inputs of derived metrics
    /// included), by source, each source's in name order.
    pub fn base_metrics<'l>(&self, library: &'l Library) -> BTreeMap<String, Vec<&'l Metric>> {
        let mut out: BTreeMap<String, Vec<&Metric>> = BTreeMap::new();
        for m in base_metrics(library, self.requested(library)) {
            if let Definition::Base(b) = &m.definition {
                out.entry(b.source.clone()).or_default().push(m);
            }
        }
        out
    }

    /// The join paths a scan of `source` takes for this request: those its
    /// metrics' filters and formulas, its excludes, the `--where` and the
    /// dimensions reach through, each with the shorter paths a chain goes
    /// through (`listings.users` brings `listings`).
    pub fn joins_used(
        &self,
        library: &Library,
        source: &str,
        metrics: &[&Metric],
    ) -> BTreeSet<String> {
        let mut used = BTreeSet::new();
        let mut note = |e: &TypedExpr| {
            used.extend(e.columns().into_iter().flat_map(|c| c.join_prefixes()));
        };
        for metric in metrics {
            let filters = library.filters_of(metric);
            filters.wheres.into_iter().for_each(&mut note);
            filters.excludes.into_iter().for_each(&mut note);
            if let Definition::Base(b) = &metric.definition {
                note(&b.formula);
            }
        }
        if let Some(s) = library.sources.get(source) {
            s.excludes.iter().for_each(&mut note);
        }
        if let Some(w) = &self.filter {
            note(w);
        }
        used.extend(self.by.iter().flat_map(|d| d.column.join_prefixes()));
        // A two-level metric's `per` column may be a joined source's.
        used.extend(metrics.iter().flat_map(|m| {
            match &m.definition {
                Definition::Base(b) => b
                    .per
                    .as_ref()
                    .map(|p| p.join_prefixes())
                    .unwrap_or_default(),
                Definition::Derived(_) => Vec::new(),
            }
        }));
        used
    }

    /// Every source the request reads: the sources of its base metrics and
    /// the sources they join.
    pub fn sources_read(&self, library: &Library) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for (source, metrics) in self.base_metrics(library) {
            for path in self.joins_used(library, &source, &metrics) {
                if let Some(joined) = library.joined_source(&source, &path) {
                    out.insert(joined.name.clone());
                }
            }
            out.insert(source);
        }
        out
    }

    /// The time columns whose range sets the query's defaults:
    /// `(source, column)`.
    pub fn time_columns(&self, library: &Library) -> Vec<(String, String)> {
        let mut out = BTreeSet::new();
        for (source, metrics) in self.base_metrics(library) {
            for m in metrics {
                if let Definition::Base(b) = &m.definition {
                    if let Some(t) = &b.time {
                        out.insert((source.clone(), t.clone()));
                    }
                }
            }
        }
        out.into_iter().collect()
    }
}
