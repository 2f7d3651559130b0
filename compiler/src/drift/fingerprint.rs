//! A metric's fingerprint: SHA-256 over its canonical meaning (LANGUAGE.md
//! §7), so any change of meaning changes it and no change of layout does.
//!
//! The canonical meaning is a small text, one part per line, in this order
//! (format version 2):
//!
//! ```text
//! yardstick-meaning 2
//! source <name> <path>               the source and where its rows come from
//!                                    (its `path` from the library root, or `-`)
//!                                    | derived
//! time <column>                      (or `time -`)
//! filter where <canonical expr>      one per filter, sorted; a metric's own,
//! filter exclude <canonical expr>    and its source's excludes (`exclude`
//!                                    keeps nulls); a variant lists only its
//!                                    own: its base's come in through the
//!                                    base's fingerprint
//! formula <canonical expr>
//! lookback <duration>                `90d`, or `mtd`, `qtd`, `ytd` (or `lookback -`)
//! unit <unit>
//! min_sample <n>                     (or `min_sample -`)
//! fill 0                             only with `fill: 0` (so the meanings
//!                                    of metrics without it stay as they were)
//! snapshot <rule>                    only with `snapshot:`: `last`,
//!                                    `first per account_id`
//! per <column>                       only with `per: COLUMN` (likewise)
//! join <path> <source> <path> on <c>  one per join hop the formula, the
//!                                    filters or `per` read through, in
//!                                    path order: the path (`listings`,
//!                                    `listings.users`), the source it lands
//!                                    on, where that source's rows come
//!                                    from, and the column it joins on; only
//!                                    for metrics that read through a join
//! input <metric> <fingerprint>       one per metric read (a variant's base
//!                                    included), sorted
//! ```
//!
//! Each metric's meaning is computed once, inputs first, so a library's
//! fingerprints cost time linear in its size however deep its chains.
//! The fingerprint is `sha256:` and the first 32 hex digits of the hash.

use super::canonical::canonical;
use crate::ir::{ColumnRef, TypedExpr};
use crate::model::{join_hops, Definition, Library, Metric, Source};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};

pub const FORMAT_VERSION: u32 = 2;

/// The parts of a metric's meaning, each in canonical text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meaning {
    pub source: String,
    pub time: String,
    pub filters: Vec<String>,
    pub formula: String,
    pub lookback: String,
    pub unit: String,
    pub min_sample: String,
    /// `0` with `fill: 0`, else `-` (and no line in the text).
    pub fill: String,
    /// `last`, `first per account_id`, or `-` (and no line in the text).
    pub snapshot: String,
    /// The `per` column of a two-level metric, else `-` (and no line).
    pub per: String,
    /// Each join hop read through: `listings.users users data/users.csv
    /// on host_id` (no lines when none).
    pub joins: Vec<String>,
    /// `(metric, fingerprint)` of every metric read.
    pub inputs: Vec<(String, String)>,
}

impl Meaning {
    pub fn text(&self) -> String {
        let mut out = format!("yardstick-meaning {FORMAT_VERSION}\n");
        out.push_str(&format!("source {}\n", self.source));
        out.push_str(&format!("time {}\n", self.time));
        for f in &self.filters {
            out.push_str(&format!("filter {f}\n"));
        }
        out.push_str(&format!("formula {}\n", self.formula));
        out.push_str(&format!("lookback {}\n", self.lookback));
        out.push_str(&format!("unit {}\n", self.unit));
        out.push_str(&format!("min_sample {}\n", self.min_sample));
        if self.fill != "-" {
            out.push_str(&format!("fill {}\n", self.fill));
        }
        if self.snapshot != "-" {
            out.push_str(&format!("snapshot {}\n", self.snapshot));
        }
        if self.per != "-" {
            out.push_str(&format!("per {}\n", self.per));
        }
        for j in &self.joins {
            out.push_str(&format!("join {j}\n"));
        }
        for (name, fp) in &self.inputs {
            out.push_str(&format!("input {name} {fp}\n"));
        }
        out
    }

    pub fn fingerprint(&self) -> String {
        let digest = Sha256::digest(self.text().as_bytes());
        let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
        format!("sha256:{hex}")
    }
}

/// The meaning and fingerprint of every metric of the library.
pub fn fingerprints(library: &Library) -> BTreeMap<String, (Meaning, String)> {
    let mut done: BTreeMap<String, (Meaning, String)> = BTreeMap::new();
    for start in library.metrics.values() {
        // Depth first, inputs before the metrics that read them; the model
        // has no cycles, and `done` makes each metric's work happen once.
        let mut stack = vec![(start, false)];
        while let Some((m, inputs_done)) = stack.pop() {
            if done.contains_key(&m.name) {
                continue;
            }
            if inputs_done {
                let meaning = meaning(library, m, &done);
                let fp = meaning.fingerprint();
                done.insert(m.name.clone(), (meaning, fp));
                continue;
            }
            stack.push((m, true));
            for r in reads(m) {
                if let Some(input) = library.metrics.get(&r) {
                    if !done.contains_key(&r) {
                        stack.push((input, false));
                    }
                }
            }
        }
    }
    done
}

/// The metrics `m` reads: a variant its base, a derived metric its inputs.
pub fn reads(m: &Metric) -> Vec<String> {
    let mut out: Vec<String> = match &m.definition {
        Definition::Derived(d) => d.inputs.iter().map(|i| i.0.clone()).collect(),
        Definition::Base(_) => Vec::new(),
    };
    if let Some(base) = &m.variant_of {
        out.push(base.clone());
    }
    out.sort();
    out.dedup();
    out
}

/// Where a source's rows come from, from the library root: its `path`
/// joined to the folder of the file that declares it.
fn location(source: &Source) -> String {
    let Some(path) = &source.path else {
        return "-".to_owned();
    };
    if path.starts_with('/') {
        return path.clone();
    }
    let mut parts: Vec<&str> = source.file.split('/').collect();
    parts.pop();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

/// The join hops `exprs` and `per` read through from `source`, each with
/// where it lands and on which column: what a join path means.
fn joins_read<'a>(
    library: &Library,
    source: &Source,
    exprs: impl Iterator<Item = &'a TypedExpr>,
    per: Option<&ColumnRef>,
) -> Vec<String> {
    let mut paths = BTreeSet::new();
    for e in exprs {
        paths.extend(e.columns().into_iter().flat_map(|c| c.join_prefixes()));
    }
    paths.extend(per.map(|c| c.join_prefixes()).unwrap_or_default());
    paths
        .into_iter()
        .filter_map(|path| {
            let hops = join_hops(&library.sources, source, &path)?;
            let (join, joined) = hops.last()?;
            Some(format!(
                "{path} {} {} on {}",
                joined.name,
                location(joined),
                join.on
            ))
        })
        .collect()
}

fn meaning(library: &Library, m: &Metric, done: &BTreeMap<String, (Meaning, String)>) -> Meaning {
    let inputs = reads(m)
        .into_iter()
        .map(|r| {
            let fp = done.get(&r).map(|d| d.1.clone()).unwrap_or_default();
            (r, fp)
        })
        .collect();
    match &m.definition {
        Definition::Base(b) => {
            let source = library.sources.get(&b.source);
            // A variant's base brings its source's excludes.
            let source_excludes = source
                .filter(|_| m.variant_of.is_none())
                .map(|s| s.excludes.as_slice())
                .unwrap_or_default();
            let mut filters: Vec<String> = b
                .own_filters
                .iter()
                .map(|f| format!("where {}", canonical(f)))
                .chain(
                    b.own_excludes
                        .iter()
                        .chain(source_excludes)
                        .map(|e| format!("exclude {}", canonical(e))),
                )
                .collect();
            filters.sort();
            filters.dedup();
            let read = b
                .own_filters
                .iter()
                .chain(&b.own_excludes)
                .chain(source_excludes)
                .chain(std::iter::once(&b.formula));
            let joins = source
                .map(|s| joins_read(library, s, read, b.per.as_ref()))
                .unwrap_or_default();
            Meaning {
                source: format!(
                    "{} {}",
                    b.source,
                    source.map(location).unwrap_or_else(|| "-".to_owned())
                ),
                time: b.time.clone().unwrap_or_else(|| "-".to_owned()),
                filters,
                formula: canonical(&b.formula),
                lookback: b
                    .lookback
                    .map(|l| l.to_string())
                    .unwrap_or_else(|| "-".to_owned()),
                unit: m.unit.to_string(),
                min_sample: b
                    .min_sample
                    .map(|n| n.to_string())
                    .unwrap_or_else(|| "-".to_owned()),
                fill: if b.fill_zero { "0" } else { "-" }.to_owned(),
                snapshot: b
                    .snapshot
                    .as_ref()
                    .map(|s| s.text())
                    .unwrap_or_else(|| "-".to_owned()),
                per: b
                    .per
                    .as_ref()
                    .map(|c| c.path())
                    .unwrap_or_else(|| "-".to_owned()),
                joins,
                inputs,
            }
        }
        Definition::Derived(d) => Meaning {
            source: "derived".to_owned(),
            time: "-".to_owned(),
            filters: Vec::new(),
            formula: canonical(&d.formula),
            lookback: "-".to_owned(),
            unit: m.unit.to_string(),
            min_sample: "-".to_owned(),
            fill: "-".to_owned(),
            snapshot: "-".to_owned(),
            per: "-".to_owned(),
            joins: Vec::new(),
            inputs,
        },
    }
}
