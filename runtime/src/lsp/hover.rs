//! Hover text, in Markdown: a metric's formula as written, unit, owner
//! and version; a source's file, key and time column; a column's type and
//! unit; an owner's name, contact and escalation; an outcome's owner,
//! direction and measure; a function's signature and meaning (from the
//! registry). A declaration the checker could not resolve is shown from
//! its syntax: its name and the formula as written.

use yardstick_compiler::functions::Function;
use yardstick_compiler::ide::symbol::Symbol;
use yardstick_compiler::ide::Analysis;
use yardstick_compiler::model::{Definition, Metric};
use yardstick_compiler::syntax::ast::{DeclKind, Entry};

/// The hover text of `symbol`; `None` when it is not declared.
pub fn text(analysis: &Analysis, symbol: &Symbol) -> Option<String> {
    match symbol {
        Symbol::Metric(name) => metric(analysis, name),
        Symbol::Source(name) => source(analysis, name),
        Symbol::Column { source, name } => column(analysis, source, name),
        Symbol::Owner(name) => owner(analysis, name),
        Symbol::Outcome(name) => outcome(analysis, name),
        Symbol::Function(f) => Some(function(*f)),
    }
}

fn code(text: &str) -> String {
    format!("```yard\n{}\n```", text.trim())
}

fn heading(kind: &str, name: &str, title: Option<&str>) -> String {
    match title {
        Some(title) => format!("**{kind} `{name}`** — {title}"),
        None => format!("**{kind} `{name}`**"),
    }
}

fn metric(analysis: &Analysis, name: &str) -> Option<String> {
    let Some(m) = analysis.library().metrics.get(name) else {
        return unresolved(analysis, DeclKind::Metric, name);
    };
    let sources = &analysis.compiled.sources;
    let mut parts = vec![heading("metric", name, m.title.as_deref())];
    if let Some(description) = &m.description {
        parts.push(description.trim().to_owned());
    }
    let formula = match &m.definition {
        Definition::Base(b) => &b.formula,
        Definition::Derived(d) => &d.formula,
    };
    parts.push(code(sources.text(formula.span)));
    let mut facts = vec![
        format!("unit: `{}`", unit(m)),
        format!(
            "owner: {}",
            m.owner
                .as_deref()
                .map(|o| owner_name(analysis, o))
                .unwrap_or_else(|| "none".to_owned())
        ),
        format!("version: {}", m.version),
    ];
    match (&m.variant_of, &m.definition) {
        (Some(base), _) => facts.push(format!("variant of `{base}`")),
        (None, Definition::Base(b)) => facts.push(format!("from `{}`", b.source)),
        (None, Definition::Derived(_)) => facts.push("derived".to_owned()),
    }
    if m.deprecated {
        facts.push("**deprecated**".to_owned());
    }
    parts.push(facts.join(" · "));
    Some(parts.join("\n\n"))
}

fn unit(m: &Metric) -> String {
    match &m.declared_unit {
        Some(declared) => declared.clone(),
        None => m.unit.to_string(),
    }
}

fn owner_name(analysis: &Analysis, owner: &str) -> String {
    match analysis
        .library()
        .owners
        .get(owner)
        .and_then(|o| o.display_name.as_deref())
    {
        Some(display) => format!("`{owner}` ({display})"),
        None => format!("`{owner}`"),
    }
}

/// A declaration that did not resolve: its name, and its formula as
/// written when it has one.
fn unresolved(analysis: &Analysis, kind: DeclKind, name: &str) -> Option<String> {
    let decl = analysis.decl(kind, name)?;
    let mut parts = vec![
        heading(kind.word(), name, None),
        "(does not check yet: see its diagnostics)".to_owned(),
    ];
    let sources = &analysis.compiled.sources;
    for entry in &decl.entries {
        if let Entry::Field(f) = entry {
            if f.key.name == "formula" {
                parts.push(code(sources.text(f.value.span())));
            }
        }
    }
    Some(parts.join("\n\n"))
}

fn source(analysis: &Analysis, name: &str) -> Option<String> {
    let Some(s) = analysis.library().sources.get(name) else {
        return unresolved(analysis, DeclKind::Source, name);
    };
    let mut parts = vec![heading("source", name, None)];
    if let Some(description) = &s.description {
        parts.push(description.trim().to_owned());
    }
    let mut facts = Vec::new();
    if let Some(path) = &s.path {
        facts.push(format!("path: `{path}`"));
    }
    if let Some(key) = &s.key {
        facts.push(format!("key: `{key}`"));
    }
    if let Some(time) = &s.time {
        facts.push(format!("time: `{time}`"));
    }
    facts.push(format!("{} columns", s.columns.len()));
    if !s.joins.is_empty() {
        let joins: Vec<String> = s.joins.iter().map(|j| format!("`{}`", j.source)).collect();
        facts.push(format!("joins {}", joins.join(", ")));
    }
    parts.push(facts.join(" · "));
    Some(parts.join("\n\n"))
}

fn column(analysis: &Analysis, source: &str, name: &str) -> Option<String> {
    let heading = format!("**column `{name}`** of source `{source}`");
    if let Some(c) = analysis
        .library()
        .sources
        .get(source)
        .and_then(|s| s.column(name))
    {
        let mut ty = format!("`{}`", c.ty.name());
        if c.nullable {
            ty.push_str(", nullable");
        }
        if !c.unit.is_dimensionless() {
            ty.push_str(&format!(", unit `{}`", c.unit));
        }
        return Some(format!("{heading}\n\n{ty}"));
    }
    let declared = analysis
        .columns(source)
        .into_iter()
        .find(|c| c.name.name == name)?;
    Some(format!("{heading}\n\n`{}` (as written)", declared.ty.name))
}

fn owner(analysis: &Analysis, name: &str) -> Option<String> {
    let Some(o) = analysis.library().owners.get(name) else {
        return unresolved(analysis, DeclKind::Owner, name);
    };
    let mut parts = vec![heading("owner", name, o.display_name.as_deref())];
    if let Some(description) = &o.description {
        parts.push(description.trim().to_owned());
    }
    let mut facts = Vec::new();
    if let Some(contact) = &o.contact {
        facts.push(format!("contact: {contact}"));
    }
    if let Some(up) = &o.escalates_to {
        facts.push(format!("escalates to `{up}`"));
    }
    if !facts.is_empty() {
        parts.push(facts.join(" · "));
    }
    Some(parts.join("\n\n"))
}

fn outcome(analysis: &Analysis, name: &str) -> Option<String> {
    let Some(o) = analysis.library().outcomes.get(name) else {
        return unresolved(analysis, DeclKind::Outcome, name);
    };
    let mut parts = vec![heading("outcome", name, None)];
    if let Some(description) = &o.description {
        parts.push(description.trim().to_owned());
    }
    let mut facts = Vec::new();
    if let Some(owner) = &o.owner {
        facts.push(format!("owner: {}", owner_name(analysis, owner)));
    }
    if let Some(direction) = o.direction {
        facts.push(format!("{direction:?} is better").to_lowercase());
    }
    if let Some(metric) = &o.measured_by {
        facts.push(format!("measured by `{metric}`"));
    }
    if !facts.is_empty() {
        parts.push(facts.join(" · "));
    }
    Some(parts.join("\n\n"))
}

fn function(f: Function) -> String {
    let spec = f.spec();
    let level = if f.is_aggregate() {
        "aggregate"
    } else {
        "row function"
    };
    format!(
        "**{}** ({level})\n\n`{}`\n\n{}",
        spec.name, spec.signature, spec.doc
    )
}
