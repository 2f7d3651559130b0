//! `yardstick describe METRIC`: one metric as a reader needs it — title,
//! description, unit, owner and escalation path, allowed dimensions, inputs
//! and dependents, version and changelog, and its declaration as written in
//! the file (the text under the metric's `decl_span`). An unknown name is
//! exit 2 with a "did you mean".

use crate::cli::DescribeArgs;
use crate::report::Style;
use crate::{Exit, Fatal};
use yardstick_compiler::model::{Definition, Library, Metric};
use yardstick_compiler::resolve::suggest::did_you_mean;
use yardstick_compiler::span::SourceMap;

pub fn run(args: &DescribeArgs, style: Style) -> Result<Exit, Fatal> {
    let Some(session) = crate::session::Session::open(&args.spec.dir()?, false, style)? else {
        return Ok(Exit::Failed);
    };
    let compiled = &session.compiled;
    let library = &compiled.library;
    let Some(metric) = library.metrics.get(&args.metric) else {
        return Err(Fatal(unknown(library, &args.metric)));
    };
    let text = describe(library, &compiled.sources, metric);
    crate::stdio::print(&crate::guard::escape_controls(&text))?;
    Ok(Exit::Ok)
}

fn unknown(library: &Library, name: &str) -> String {
    let names = library.metrics.keys().map(String::as_str);
    match did_you_mean(name, names) {
        Some(close) => format!(
            "no metric is named `{name}`: did you mean `{close}`? (`yardstick list metrics` lists them all)"
        ),
        None => format!(
            "no metric is named `{name}`: `yardstick list metrics --search TEXT` finds one by name, title or description"
        ),
    }
}

/// The whole description, as printed.
pub fn describe(library: &Library, sources: &SourceMap, metric: &Metric) -> String {
    let mut out = String::new();
    let mut line = |key: &str, value: &str| {
        out.push_str(&format!("{key:<12}{value}\n"));
    };
    line("metric", &metric.name);
    if let Some(title) = &metric.title {
        line("title", title);
    }
    if let Some(description) = &metric.description {
        line("description", description.trim());
    }
    line("version", &metric.version.to_string());
    let unit = match &metric.declared_unit {
        Some(declared) => declared.clone(),
        None => format!("{} (from the formula)", metric.unit),
    };
    line("unit", &unit);
    match &metric.owner {
        Some(owner) => {
            line("owner", &owner_line(library, owner));
            let path = escalation(library, owner);
            if path.len() > 1 {
                line("escalation", &path.join(" -> "));
            }
        }
        None => line("owner", "(none)"),
    }
    if let Some(tier) = metric.tier {
        line("tier", &format!("{tier:?}").to_lowercase());
    }
    if metric.deprecated {
        line("deprecated", "yes");
    }
    if !metric.drives.is_empty() {
        let drives: Vec<String> = metric
            .drives
            .iter()
            .map(|d| match &d.after {
                Some(after) => format!("{} after {after}", d.outcome),
                None => d.outcome.clone(),
            })
            .collect();
        line("drives", &drives.join(", "));
    }
    line("dimensions", &list_or_none(&metric.dimensions));
    line("inputs", &inputs(metric));
    line(
        "dependents",
        &list_or_none(&dependents_text(library, &metric.name)),
    );
    if let Some(sla) = &metric.sla {
        if let Some(freshness) = &sla.freshness {
            line("freshness", &freshness.to_string());
        }
    }
    if !metric.changelog.is_empty() {
        out.push_str("changelog\n");
        for (version, note) in &metric.changelog {
            out.push_str(&format!("  {version}: {note}\n"));
        }
    }
    let (file, at) = {
        let lc = sources.line_col(metric.decl_span.file, metric.decl_span.start);
        (sources.path(metric.decl_span.file), lc.line)
    };
    out.push_str(&format!("definition  {file}:{at}\n"));
    for text_line in sources.text(metric.decl_span).lines() {
        out.push_str("  ");
        out.push_str(text_line);
        out.push('\n');
    }
    if let Some(base) = metric
        .variant_of
        .as_deref()
        .and_then(|b| library.metrics.get(b))
    {
        let lc = sources.line_col(base.decl_span.file, base.decl_span.start);
        out.push_str(&format!(
            "base        {} ({}:{})\n",
            base.name,
            sources.path(base.decl_span.file),
            lc.line
        ));
        for text_line in sources.text(base.decl_span).lines() {
            out.push_str("  ");
            out.push_str(text_line);
            out.push('\n');
        }
    }
    out
}

fn list_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "(none)".to_owned()
    } else {
        items.join(", ")
    }
}

pub fn owner_line(library: &Library, owner: &str) -> String {
    let Some(o) = library.owners.get(owner) else {
        return owner.to_owned();
    };
    let details: Vec<&str> = [o.display_name.as_deref(), o.contact.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    if details.is_empty() {
        owner.to_owned()
    } else {
        format!("{owner} ({})", details.join(", "))
    }
}

/// The owner, then whom they escalate to, and so on (bounded: the checker
/// refuses cycles, and a path is at most every owner).
fn escalation(library: &Library, owner: &str) -> Vec<String> {
    let mut path = vec![owner.to_owned()];
    let mut next = library
        .owners
        .get(owner)
        .and_then(|o| o.escalates_to.clone());
    while let Some(up) = next {
        if path.contains(&up) || path.len() > library.owners.len() {
            break;
        }
        next = library.owners.get(&up).and_then(|o| o.escalates_to.clone());
        path.push(up);
    }
    path
}

fn inputs(metric: &Metric) -> String {
    match (&metric.definition, &metric.variant_of) {
        (Definition::Base(base), Some(of)) => {
            format!("variant of {of}; source {}", base.source)
        }
        (Definition::Base(base), None) => format!("source {}", base.source),
        (Definition::Derived(derived), _) => {
            let names: Vec<String> = derived.inputs.iter().map(|m| m.to_string()).collect();
            format!("metrics {}", names.join(", "))
        }
    }
}

/// What depends on a metric: what `describe` lists and the catalog links.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dependent<'a> {
    /// A derived metric whose formula reads it.
    Metric(&'a str),
    /// A variant of it.
    Variant(&'a str),
    /// An outcome it measures.
    Outcome(&'a str),
}

/// Metrics whose formula reads `name`, variants of it, and outcomes it
/// measures, by name.
pub fn dependents<'a>(library: &'a Library, name: &str) -> Vec<Dependent<'a>> {
    let mut out = Vec::new();
    for m in library.metrics.values() {
        if let Definition::Derived(d) = &m.definition {
            if d.inputs.iter().any(|i| i.as_str() == name) {
                out.push(Dependent::Metric(&m.name));
            }
        }
        if m.variant_of.as_deref() == Some(name) {
            out.push(Dependent::Variant(&m.name));
        }
    }
    for o in library.outcomes.values() {
        if o.measured_by.as_deref() == Some(name) {
            out.push(Dependent::Outcome(&o.name));
        }
    }
    out
}

fn dependents_text(library: &Library, name: &str) -> Vec<String> {
    dependents(library, name)
        .into_iter()
        .map(|d| match d {
            Dependent::Metric(m) => m.to_owned(),
            Dependent::Variant(m) => format!("{m} (variant)"),
            Dependent::Outcome(o) => format!("outcome {o} (measured by it)"),
        })
        .collect()
}
