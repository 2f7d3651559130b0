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

/// How a changed filter set relates to the old one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Containment {
    /// Every old condition still holds and more were added: fewer rows.
    Narrows,
    /// Conditions were only taken away: more rows.
    Widens,
    /// Conditions were both added and taken away, or rewritten.
    Incomparable,
}

/// Compares two filter sets, each a conjunction of canonical conditions
/// (`where` clauses split at `and`, `exclude` clauses as written).
pub fn containment(base: &Meaning, head: &Meaning) -> Containment {
    let b = conjuncts(&base.filters);
    let h = conjuncts(&head.filters);
    if b.is_subset(&h) {
        Containment::Narrows
    } else if h.is_subset(&b) {
        Containment::Widens
    } else {
        Containment::Incomparable
    }
}

fn conjuncts(filters: &[String]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for f in filters {
        match f.strip_prefix("where (").and_then(|r| r.strip_suffix(')')) {
            // A top-level `and` chain: `where (a and b)` is `where a`, `where b`.
            Some(inner) if top_level_and(inner) => {
                out.extend(
                    split_top_level(inner)
                        .into_iter()
                        .map(|c| format!("where {c}")),
                );
            }
            _ => {
                out.insert(f.clone());
            }
        }
    }
    out
}

/// Whether ` and ` separates the text at bracket depth zero.
fn top_level_and(text: &str) -> bool {
    split_top_level(text).len() > 1
}

fn split_top_level(text: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut in_string = false;
    let mut start = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if in_string => i += 1,
            b'"' => in_string = !in_string,
            b'(' | b'[' if !in_string => depth += 1,
            b')' | b']' if !in_string => depth -= 1,
            b' ' if !in_string && depth == 0 && text[i..].starts_with(" and ") => {
                parts.push(text[start..i].to_owned());
                i += 5;
                start = i;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    parts.push(text[start..].to_owned());
    parts
}

type Prints = BTreeMap<String, (Meaning, String)>;

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

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::Added,
        Kind::Removed,
        Kind::Breaking,
        Kind::BreakingDependency,
        Kind::Metadata,
        Kind::Cosmetic,
    ];

    /// The kind as CLI.md names it (`breaking_dependency`).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Added => "added",
            Kind::Removed => "removed",
            Kind::Breaking => "breaking",
            Kind::BreakingDependency => "breaking_dependency",
            Kind::Metadata => "metadata",
            Kind::Cosmetic => "cosmetic",
        }
    }
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
    /// When the filters moved: whether the new set `narrows`, `widens` or
    /// is `incomparable` to the old one (as far as can be decided).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filters: Option<Containment>,
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
                filters: None,
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
                    filters: None,
                    reason: error.then(|| super::rules::removed(name)),
                })
            }
            (Some(b), Some(h)) => {
                classify(name, b, h, base, head, &moved, (&base_prints, &head_prints))
            }
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
    (base_prints, head_prints): (&Prints, &Prints),
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
        filters: None,
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
                if parts.contains(&"filters") {
                    if let (Some((bm, _)), Some((hm, _))) =
                        (base_prints.get(name), head_prints.get(name))
                    {
                        change.filters = Some(containment(bm, hm));
                    }
                }
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
    // A new owner takes over from the old one: both approve.
    if change.kind == Kind::Metadata && change.parts.iter().any(|p| p == "owner") {
        change.approvers = approvers(Some(b), Some(h));
    }
    if matches!(change.kind, Kind::Breaking | Kind::BreakingDependency) {
        change.approvers = approvers(Some(b), Some(h));
        if !bumped {
            change.error = true;
            change.reason = Some(super::rules::meaning_changed(&h.name, h.version));
        }
    }
    if h.version < b.version {
        change.error = true;
        change.reason = Some(super::rules::version_down(&h.name, b.version, h.version));
    }
    Some(change)
}

/// The parts of two meanings that differ (inputs aside).
fn moved_parts(b: &Meaning, h: &Meaning) -> Vec<&'static str> {
    [
        ("source", b.source != h.source),
        ("time", b.time != h.time),
        ("filters", b.filters != h.filters),
        ("formula", b.formula != h.formula),
        ("lookback", b.lookback != h.lookback),
        ("unit", b.unit != h.unit),
        ("min_sample", b.min_sample != h.min_sample),
        ("fill", b.fill != h.fill),
        ("snapshot", b.snapshot != h.snapshot),
        ("per", b.per != h.per),
        ("joins", b.joins != h.joins),
    ]
    .into_iter()
    .filter(|(_, moved)| *moved)
    .map(|(part, _)| part)
    .collect()
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
    [
        ("owner", b.owner != h.owner),
        ("sla", json(&b.sla) != json(&h.sla)),
        ("tier", b.tier != h.tier),
        ("drives", json(&b.drives) != json(&h.drives)),
        ("title", b.title != h.title),
        ("description", b.description != h.description),
        ("assert", b.assert != h.assert),
        ("dimensions", b.dimensions != h.dimensions),
        ("deprecated", b.deprecated != h.deprecated),
        ("changelog", b.changelog != h.changelog),
        ("version", b.version != h.version),
    ]
    .into_iter()
    .filter(|(_, moved)| *moved)
    .map(|(field, _)| field.to_owned())
    .collect()
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
