//! The catalog's pages as HTML, written with maud: every string from the
//! library (names, titles, descriptions, formulas, notes) is escaped by the
//! template; only the SVG charts, drawn by `crate::chart` (which escapes
//! its own text), go in as they are. Links are relative, so the pages work
//! from disk.

use super::charts::Recent;
use crate::commands::describe::{dependents, owner_line, Dependent};
use crate::governance::{escalation, show_bound};
use maud::{html, Markup, PreEscaped, DOCTYPE};
use yardstick_compiler::model::{Definition, Library, Metric, Tier};
use yardstick_compiler::span::{SourceMap, Span};

/// The style sheet every page links (`style.css`).
pub const STYLE: &str = "\
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #1b1b1b; line-height: 1.45; }
a { color: #0b5cad; }
code, pre { font-family: ui-monospace, monospace; font-size: 0.92em; }
pre { background: #f4f4f4; padding: 0.8rem; overflow-x: auto; }
.description { white-space: pre-line; }
dl.facts { display: grid; grid-template-columns: 11rem 1fr; gap: 0.35rem 1rem; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; }
ul.items li { margin: 0.2rem 0; }
.muted { color: #666; }
.badge { background: #b3261e; color: white; padding: 0 0.4rem; border-radius: 0.3rem; font-size: 0.85em; }
input#search { font-size: 1rem; padding: 0.4rem; width: 100%; box-sizing: border-box; }
figure.chart svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; }
td, th { border-bottom: 1px solid #ddd; padding: 0.2rem 0.8rem 0.2rem 0; text-align: left; vertical-align: top; }
";

/// Hides the index's items whose text does not hold the search box's
/// words, and the groups left empty; counts the metrics shown.
const SEARCH: &str = "\
const box = document.getElementById('search');
const count = document.getElementById('count');
function filter() {
  const q = box.value.trim().toLowerCase();
  for (const li of document.querySelectorAll('li[data-search]')) {
    li.hidden = q !== '' && !li.dataset.search.includes(q);
  }
  for (const group of document.querySelectorAll('.group')) {
    group.hidden = group.querySelector('li[data-search]:not([hidden])') === null;
  }
  const shown = document.querySelectorAll('#by-tier li[data-search]:not([hidden])').length;
  count.textContent = shown + ' of ' + count.dataset.total + ' metrics';
}
box.addEventListener('input', filter);
filter();
";

/// A metric's page, relative to the catalog's folder.
pub fn metric_path(name: &str) -> String {
    format!("metrics/{name}.html")
}

fn page(title: &str, root: &str, body: Markup) -> String {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " — metric catalog" }
                link rel="stylesheet" href={ (root) "style.css" };
            }
            body { (body) }
        }
    }
    .into_string()
}

/// What a search matches: name, title, description, owner, unit.
fn search_text(metric: &Metric) -> String {
    [
        Some(metric.name.as_str()),
        metric.title.as_deref(),
        metric.description.as_deref(),
        metric.owner.as_deref(),
        metric.declared_unit.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ")
    .to_lowercase()
}

fn metric_item(metric: &Metric) -> Markup {
    html! {
        li data-search=(search_text(metric)) {
            a href=(metric_path(&metric.name)) {
                (metric.title.as_deref().unwrap_or(&metric.name))
            }
            " " code { (metric.name) }
            @if metric.deprecated { " " span.badge { "deprecated" } }
            @if let Some(d) = &metric.description {
                " — " span.muted { (first_sentence(d)) }
            }
        }
    }
}

fn first_sentence(text: &str) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match text.find(". ") {
        Some(at) => text[..=at].to_owned(),
        None => text,
    }
}

fn group(heading: Markup, metrics: &[&Metric]) -> Markup {
    html! {
        div.group {
            h3 { (heading) }
            ul.items { @for m in metrics { (metric_item(m)) } }
        }
    }
}

/// `index.html`: outcomes, then metrics by tier and by owner, with the
/// search box.
pub fn index(library: &Library, spec: &str) -> String {
    let metrics: Vec<&Metric> = library.metrics.values().collect();
    let tiers = [
        ("Leading", Some(Tier::Leading)),
        ("Lagging", Some(Tier::Lagging)),
        ("No tier", None),
    ];
    let mut owners: Vec<Option<&str>> = library.owners.keys().map(|o| Some(o.as_str())).collect();
    owners.push(None);
    let body = html! {
        h1 { "Metric catalog" }
        p.muted {
            (metrics.len()) " metrics and " (library.outcomes.len()) " outcomes of the library "
            code { (spec) } ", written by " code { "yardstick docs" } "."
        }
        input #search type="search" placeholder="Search by name, title, description, owner or unit" autofocus;
        p #count .muted data-total=(metrics.len()) {}
        section #outcomes {
            h2 { "Outcomes" }
            ul.items {
                @for o in library.outcomes.values() {
                    @let driven: Vec<(&Metric, String)> = drivers(library, &o.name);
                    li #{ "outcome-" (o.name) } data-search=(format!("{} {}", o.name, o.description.as_deref().unwrap_or_default()).to_lowercase()) {
                        strong { (o.name) }
                        @if let Some(d) = &o.description { " — " (d.trim()) }
                        @if let Some(owner) = &o.owner { " · owner " (owner) }
                        @if let Some(m) = &o.measured_by {
                            " · measured by " a href=(metric_path(m)) { (m) }
                        }
                        @if !driven.is_empty() {
                            " · driven by "
                            @for (i, (m, lag)) in driven.iter().enumerate() {
                                @if i > 0 { ", " }
                                a href=(metric_path(&m.name)) { (m.name) } (lag)
                            }
                        }
                    }
                }
            }
        }
        section #by-tier {
            h2 { "Metrics by tier" }
            @for (label, tier) in tiers {
                @let these: Vec<&Metric> = metrics.iter().copied().filter(|m| m.tier == tier).collect();
                @if !these.is_empty() { (group(html! { (label) }, &these)) }
            }
        }
        section #by-owner {
            h2 { "Metrics by owner" }
            @for owner in &owners {
                @let these: Vec<&Metric> = metrics.iter().copied().filter(|m| m.owner.as_deref() == *owner).collect();
                @if !these.is_empty() {
                    @let heading = match owner {
                        Some(o) => html! { (owner_line(library, o)) },
                        None => html! { "No owner" },
                    };
                    (group(heading, &these))
                }
            }
        }
        script { (PreEscaped(SEARCH)) }
    };
    page("Metric catalog", "", body)
}

/// The metrics that drive `outcome`, each with its lag (` after 6mo`).
fn drivers<'a>(library: &'a Library, outcome: &str) -> Vec<(&'a Metric, String)> {
    library
        .metrics
        .values()
        .flat_map(|m| {
            m.drives
                .iter()
                .filter(|d| d.outcome == outcome)
                .map(move |d| {
                    (
                        m,
                        d.after.map(|a| format!(" after {a}")).unwrap_or_default(),
                    )
                })
        })
        .collect()
}

fn written(sources: &SourceMap, span: Span) -> String {
    sources.text(span).trim().to_owned()
}

fn metric_link(name: &str) -> Markup {
    html! { a href={ (name) ".html" } { (name) } }
}

/// `metrics/NAME.html`: everything the library says about one metric,
/// and its recent series.
pub fn metric(library: &Library, sources: &SourceMap, metric: &Metric, recent: &Recent) -> String {
    let formula = match &metric.definition {
        Definition::Base(b) => &b.formula,
        Definition::Derived(d) => &d.formula,
    };
    let filters = library.filters_of(metric);
    let lookback = match &metric.definition {
        Definition::Base(b) => b.lookback.as_ref().map(|l| l.to_string()),
        Definition::Derived(_) => None,
    };
    let min_sample = match &metric.definition {
        Definition::Base(b) => b.min_sample,
        Definition::Derived(_) => None,
    };
    let dependents = dependents(library, &metric.name);
    let at = sources.line_col(metric.decl_span.file, metric.decl_span.start);
    let title = metric.title.clone().unwrap_or_else(|| metric.name.clone());
    let body = html! {
        nav { a href="../index.html" { "← All metrics" } }
        h1 { (title) }
        p.muted {
            code { (metric.name) } " · version " (metric.version)
            @if metric.deprecated { " " span.badge { "deprecated" } }
        }
        @if let Some(d) = &metric.description { p.description { (d.trim()) } }
        dl.facts {
            dt { "Formula" } dd { code #formula { (written(sources, formula.span)) } }
            dt { "Filters" }
            dd #filters {
                @if filters.wheres.is_empty() && filters.excludes.is_empty() { "none" }
                @for w in &filters.wheres { div { "where " code { (written(sources, w.span)) } } }
                @for e in &filters.excludes { div { "exclude " code { (written(sources, e.span)) } } }
            }
            dt { "Lookback" }
            dd { (lookback.unwrap_or_else(|| "none (each period, or the as-of date, alone)".to_owned())) }
            dt { "Unit" } dd { (crate::chart::unit_label(metric)) }
            dt { "Tier" }
            dd { (match metric.tier { Some(Tier::Leading) => "leading", Some(Tier::Lagging) => "lagging", None => "none" }) }
            dt { "Owner" }
            dd #owner { (metric.owner.as_deref().map(|o| owner_line(library, o)).unwrap_or_else(|| "none declared".to_owned())) }
            dt { "Escalation" } dd #escalation { (escalation(library, metric)) }
            dt { "SLA" }
            dd #sla {
                @match &metric.sla {
                    None => "none",
                    Some(sla) => {
                        @if let Some(f) = &sla.freshness { div { "freshness " (f) } }
                        @if let Some(t) = &sla.target { div { "target " (show_bound(t)) } }
                        @if let Some(r) = &sla.review { div { "review " (format!("{r:?}").to_lowercase()) } }
                    }
                }
            }
            @if let Some(a) = &metric.assert { dt { "Assert" } dd { (show_bound(a)) } }
            @if let Some(n) = min_sample { dt { "Minimum sample" } dd { (n) " rows" } }
            dt { "Dimensions" }
            dd { @if metric.dimensions.is_empty() { "none" } (metric.dimensions.join(", ")) }
            dt { "Inputs" }
            dd #inputs {
                @match (&metric.definition, &metric.variant_of) {
                    (Definition::Base(b), Some(of)) => { "variant of " (metric_link(of)) "; source " code { (b.source) } }
                    (Definition::Base(b), None) => { "source " code { (b.source) } }
                    (Definition::Derived(d), _) => {
                        @for (i, input) in d.inputs.iter().enumerate() {
                            @if i > 0 { ", " }
                            (metric_link(input.as_str()))
                        }
                    }
                }
            }
            dt { "Dependents" }
            dd #dependents {
                @if dependents.is_empty() { "none" }
                @for (i, d) in dependents.iter().enumerate() {
                    @if i > 0 { ", " }
                    @match d {
                        Dependent::Metric(m) => (metric_link(m)),
                        Dependent::Variant(m) => { (metric_link(m)) " (variant)" }
                        Dependent::Outcome(o) => { "outcome " a href={ "../index.html#outcome-" (o) } { (o) } " (measured by it)" }
                    }
                }
            }
            dt { "Drives" }
            dd #drives {
                @if metric.drives.is_empty() { "none" }
                @for (i, d) in metric.drives.iter().enumerate() {
                    @if i > 0 { ", " }
                    a href={ "../index.html#outcome-" (d.outcome) } { (d.outcome) }
                    @if let Some(after) = &d.after { " after " (after) }
                }
            }
        }
        h2 { "Recent values" }
        @match recent {
            Recent::Drawn { svg, query } => {
                figure.chart #chart {
                    (PreEscaped(svg))
                    figcaption.muted { "The values of " code { (query) } "." }
                }
            }
            Recent::Absent(why) => p.muted #chart-absent { (why) },
        }
        h2 { "Changelog" }
        @if metric.changelog.is_empty() { p.muted { "No changes recorded." } }
        @else {
            table #changelog {
                tr { th { "version" } th { "change" } }
                @for (version, note) in &metric.changelog { tr { td { (version) } td { (note) } } }
            }
        }
        h2 { "Definition" }
        p.muted { code { (sources.path(metric.decl_span.file)) ":" (at.line) } }
        pre { code { (sources.text(metric.decl_span)) } }
    };
    page(&title, "../", body)
}
