//! Classifying every metric change between two versions of a library
//! (LANGUAGE.md §7, CLI.md `diff`): added, removed, breaking (with the parts
//! of the meaning that moved), breaking through a dependency (with the
//! changed metrics it reads, transitively), metadata (with the fields), or
//! cosmetic (the text changed, the meaning did not).

use super::fingerprint::{fingerprints, reads, Meaning};
use crate::model::{Library, Metric};
use crate::span::SourceMap;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Added,
    Removed,
    Breaking,
    BreakingDependency,
    Metadata,
    Cosmetic,
}

/// One changed metric, in the shape of CLI.md's `diff --format json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub metric: String,
    pub kind: Kind,
    pub parts: Vec<String>,
    pub base_version: Option<u32>,
    pub version: Option<u32>,
    /// The change breaks a rule: breaking without a version bump, removal
    /// without deprecation, a version going down.
    pub error: bool,
    pub approvers: Vec<String>,
    pub via: Vec<String>,
    /// Why `error` is set, in words (for people; not in the JSON).
    #[serde(skip)]
    pub reason: Option<String>,
}

/// One side of a diff: the library and the texts it came from.
pub struct Side<'a> {
    pub library: &'a Library,
    pub sources: &'a SourceMap,
}

/// Every changed metric, sorted by name; unchanged ones are left out.
pub fn diff(base: &Side<'_>, head: &Side<'_>) -> Vec<Change> {
    let base_prints = fingerprints(base.library);
    let head_prints = fingerprints(head.library);
    let names: BTreeSet<&String> = base
        .library
        .metrics
        .keys()
        .chain(head.library.metrics.keys())
        .collect();

    // Metrics whose own meaning moved, to trace dependencies through.
    let mut moved: BTreeMap<&str, Vec<&'static str>> = BTreeMap::new();
    for name in &names {
        if let (Some((b, _)), Some((h, _))) = (base_prints.get(*name), head_prints.get(*name)) {
            let parts = moved_parts(b, h);
            if !parts.is_empty() {
                moved.insert(name.as_str(), parts);
            }
        }
    }

    let mut changes = Vec::new();
    for name in names {
        let (b, h) = (
            base.library.metrics.get(name),
            head.library.metrics.get(name),
        );
        let change = match (b, h) {
            (None, Some(h)) => Some(Change {
                metric: name.clone(),
                kind: Kind::Added,
                parts: Vec::new(),
                base_version: None,
                version: Some(h.version),
                error: false,
                approvers: Vec::new(),
                via: Vec::new(),
                reason: None,
            }),
            (Some(b), None) => {
                let error = !b.deprecated;
                Some(Change {
                    metric: name.clone(),
                    kind: Kind::Removed,
                    parts: Vec::new(),
                    base_version: Some(b.version),
                    version: None,
                    error,
                    approvers: approvers(Some(b), None),
                    via: Vec::new(),
                    reason: error.then(|| "removed without being deprecated first".to_owned()),
                })
            }
            (Some(b), Some(h)) => classify(name, b, h, base, head, &moved),
            (None, None) => None,
        };
        changes.extend(change);
    }
    changes
}

fn classify(
    name: &str,
    b: &Metric,
    h: &Metric,
    base: &Side<'_>,
    head: &Side<'_>,
    moved: &BTreeMap<&str, Vec<&'static str>>,
) -> Option<Change> {
    let mut change = Change {
        metric: name.to_owned(),
        kind: Kind::Cosmetic,
        parts: Vec::new(),
        base_version: Some(b.version),
        version: Some(h.version),
        error: false,
        approvers: Vec::new(),
        via: Vec::new(),
        reason: None,
    };
    let bumped = h.version > b.version;
    let same_text = base.sources.text(b.decl_span) == head.sources.text(h.decl_span);
    if let Some(parts) = moved.get(name) {
        // A variant carries its base's meaning: when only the base moved,
        // the variant changed through it.
        let through_base = h.variant_of.as_deref().and_then(|base_name| {
            let base_parts = moved.get(base_name)?;
            (same_text && parts.iter().all(|p| base_parts.contains(p))).then_some(base_name)
        });
        match through_base {
            Some(base_name) => {
                change.kind = Kind::BreakingDependency;
                let mut via = changed_inputs(base_name, head.library, moved);
                via.push(base_name.to_owned());
                via.sort();
                via.dedup();
                change.via = via;
            }
            None => {
                change.kind = Kind::Breaking;
                change.parts = parts.iter().map(|p| p.to_string()).collect();
            }
        }
    } else {
        let via = changed_inputs(name, head.library, moved);
        if !via.is_empty() {
            change.kind = Kind::BreakingDependency;
            change.via = via;
        } else {
            let fields = metadata_fields(b, h);
            if !fields.is_empty() {
                change.kind = Kind::Metadata;
                change.parts = fields;
            } else if same_text && h.version == b.version {
                return None;
            }
        }
    }
    if matches!(change.kind, Kind::Breaking | Kind::BreakingDependency) {
        change.approvers = approvers(Some(b), Some(h));
        if !bumped {
            change.error = true;
            change.reason = Some(format!(
                "its meaning changed but its version is still {}",
                h.version
            ));
        }
    }
    if h.version < b.version {
        change.error = true;
        change.reason = Some(format!(
            "its version went down from {} to {}",
            b.version, h.version
        ));
    }
    Some(change)
}

/// The parts of two meanings that differ (inputs aside).
fn moved_parts(b: &Meaning, h: &Meaning) -> Vec<&'static str> {
    let mut parts = Vec::new();
    if b.source != h.source {
        parts.push("source");
    }
    if b.time != h.time {
        parts.push("time");
    }
    if b.filters != h.filters {
        parts.push("filters");
    }
    if b.formula != h.formula {
        parts.push("formula");
    }
    if b.lookback != h.lookback {
        parts.push("lookback");
    }
    if b.unit != h.unit {
        parts.push("unit");
    }
    if b.min_sample != h.min_sample {
        parts.push("min_sample");
    }
    parts
}

/// The metrics `name` reads, directly or not, whose own meaning moved.
fn changed_inputs(
    name: &str,
    library: &Library,
    moved: &BTreeMap<&str, Vec<&'static str>>,
) -> Vec<String> {
    let mut seen = BTreeSet::new();
    let mut stack: Vec<String> = library.metrics.get(name).map(reads).unwrap_or_default();
    while let Some(input) = stack.pop() {
        if !seen.insert(input.clone()) {
            continue;
        }
        if let Some(m) = library.metrics.get(&input) {
            stack.extend(reads(m));
        }
    }
    seen.into_iter()
        .filter(|i| moved.contains_key(i.as_str()))
        .collect()
}

fn metadata_fields(b: &Metric, h: &Metric) -> Vec<String> {
    let mut fields = Vec::new();
    let mut check = |name: &str, differs: bool| {
        if differs {
            fields.push(name.to_owned());
        }
    };
    check("owner", b.owner != h.owner);
    check("sla", json(&b.sla) != json(&h.sla));
    check("tier", b.tier != h.tier);
    check("drives", json(&b.drives) != json(&h.drives));
    check("title", b.title != h.title);
    check("description", b.description != h.description);
    check("assert", b.assert != h.assert);
    check("dimensions", b.dimensions != h.dimensions);
    check("deprecated", b.deprecated != h.deprecated);
    check("changelog", b.changelog != h.changelog);
    check("version", b.version != h.version);
    fields
}

fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// The owners who must approve: the metric's owner, and when it changed,
/// both the old and the new one.
fn approvers(b: Option<&Metric>, h: Option<&Metric>) -> Vec<String> {
    let mut out: Vec<String> = b
        .and_then(|m| m.owner.clone())
        .into_iter()
        .chain(h.and_then(|m| m.owner.clone()))
        .collect();
    out.sort();
    out.dedup();
    out
}
