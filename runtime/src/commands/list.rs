//! `yardstick list metrics|dimensions|sources|owners [--search TEXT]`: one
//! line per item, its name then a short description, in name order.
//! `--search` keeps the items whose name, title or description contains the
//! text, ignoring case.

use crate::cli::{ListArgs, ListKind};
use crate::report::Style;
use crate::{Exit, Fatal};
use std::collections::BTreeMap;
use yardstick_compiler::model::{Definition, Library};

/// One listed item: its name, the text `--search` also looks in, and the
/// description printed beside the name.
struct Item {
    name: String,
    searched: Vec<String>,
    line: String,
}

pub fn run(args: &ListArgs, style: Style) -> Result<Exit, Fatal> {
    let Some(session) = crate::session::Session::open(&args.spec.dir()?, false, style)? else {
        return Ok(Exit::Failed);
    };
    let compiled = &session.compiled;
    let items = match args.kind {
        ListKind::Metrics => metrics(&compiled.library),
        ListKind::Dimensions => dimensions(&compiled.library),
        ListKind::Sources => sources(&compiled.library),
        ListKind::Owners => owners(&compiled.library),
    };
    let needle = args.search.as_deref().map(str::to_lowercase);
    let kept: Vec<&Item> = items
        .iter()
        .filter(|item| match &needle {
            None => true,
            Some(needle) => std::iter::once(&item.name)
                .chain(&item.searched)
                .any(|text| text.to_lowercase().contains(needle.as_str())),
        })
        .collect();
    if kept.is_empty() {
        let what = kind_name(args.kind);
        let hint = match &args.search {
            Some(text) => format!("no {what} match `{text}`: try a shorter --search"),
            None => format!("the library has no {what}"),
        };
        crate::stdio::eprintln(&crate::guard::sanitize(&hint));
        return Ok(Exit::Ok);
    }
    let width = kept
        .iter()
        .map(|i| i.name.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for item in kept {
        let line = format!("{:width$}  {}", item.name, item.line);
        out.push_str(&crate::guard::escape_cell(line.trim_end()));
        out.push('\n');
    }
    crate::stdio::print(&out)?;
    Ok(Exit::Ok)
}

fn kind_name(kind: ListKind) -> &'static str {
    match kind {
        ListKind::Metrics => "metrics",
        ListKind::Dimensions => "dimensions",
        ListKind::Sources => "sources",
        ListKind::Owners => "owners",
    }
}

/// The first line of a doc comment or description.
fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("").trim()
}

fn metrics(library: &Library) -> Vec<Item> {
    library
        .metrics
        .values()
        .map(|m| {
            let unit = m
                .declared_unit
                .clone()
                .unwrap_or_else(|| m.unit.to_string());
            let kind = match (&m.definition, &m.variant_of) {
                (_, Some(base)) => format!("variant of {base}"),
                (Definition::Base(b), None) => format!("from {}", b.source),
                (Definition::Derived(_), None) => "derived".to_owned(),
            };
            let mut facts = vec![format!("unit {unit}"), kind];
            if let Some(owner) = &m.owner {
                facts.push(format!("owner {owner}"));
            }
            if m.deprecated {
                facts.push("deprecated".to_owned());
            }
            let label = m
                .title
                .as_deref()
                .or(m.description.as_deref().map(first_line))
                .unwrap_or("");
            Item {
                name: m.name.clone(),
                searched: [m.title.clone(), m.description.clone()]
                    .into_iter()
                    .flatten()
                    .collect(),
                line: format!("{label} ({})", facts.join(", ")),
            }
        })
        .collect()
}

/// Every dimension a query may group by, with its type and the sources
/// that offer it.
fn dimensions(library: &Library) -> Vec<Item> {
    let mut found: BTreeMap<String, (String, Vec<String>)> = BTreeMap::new();
    for source in library.sources.values() {
        for dim in &source.dimensions {
            let (owner, column) = match dim.rsplit_once('.') {
                Some((path, column)) => (library.joined_source(&source.name, path), column),
                None => (Some(source), dim.as_str()),
            };
            let ty = owner
                .and_then(|s| s.column(column))
                .map(|c| c.ty.to_string())
                .unwrap_or_default();
            let entry = found.entry(dim.clone()).or_insert((ty, Vec::new()));
            entry.1.push(source.name.clone());
        }
    }
    found
        .into_iter()
        .map(|(name, (ty, sources))| {
            let line = format!("{ty}, in {}", sources.join(", "));
            Item {
                name,
                searched: vec![line.clone()],
                line,
            }
        })
        .collect()
}

fn sources(library: &Library) -> Vec<Item> {
    library
        .sources
        .values()
        .map(|s| {
            let label = s.description.as_deref().map(first_line).unwrap_or("");
            let mut facts = Vec::new();
            if let Some(path) = &s.path {
                facts.push(path.clone());
            }
            facts.push(format!("{} columns", s.columns.len()));
            if !s.dimensions.is_empty() {
                facts.push(format!("{} dimensions", s.dimensions.len()));
            }
            Item {
                name: s.name.clone(),
                searched: s.description.clone().into_iter().collect(),
                line: format!("{label} ({})", facts.join(", ")),
            }
        })
        .collect()
}

fn owners(library: &Library) -> Vec<Item> {
    library
        .owners
        .values()
        .map(|o| {
            let label = o
                .display_name
                .as_deref()
                .or(o.description.as_deref().map(first_line))
                .unwrap_or("");
            let mut facts = Vec::new();
            if let Some(contact) = &o.contact {
                facts.push(contact.clone());
            }
            if let Some(up) = &o.escalates_to {
                facts.push(format!("escalates to {up}"));
            }
            let owned = library
                .metrics
                .values()
                .filter(|m| m.owner.as_deref() == Some(o.name.as_str()))
                .count();
            facts.push(match owned {
                1 => "1 metric".to_owned(),
                n => format!("{n} metrics"),
            });
            Item {
                name: o.name.clone(),
                searched: [o.display_name.clone(), o.description.clone()]
                    .into_iter()
                    .flatten()
                    .collect(),
                line: format!("{label} ({})", facts.join(", ")),
            }
        })
        .collect()
}
