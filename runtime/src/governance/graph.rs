//! The signal graph of a library: outcomes and metrics as nodes; derived
//! inputs, variants, `drives` edges (labelled with their lags) and
//! `measured_by` as edges, drawn as Mermaid or Graphviz DOT. Also the
//! warnings about its loose ends: a leading metric that drives nothing,
//! an outcome no metric measures or drives.

use yardstick_compiler::model::{Definition, Library, Tier};

/// How `graph` draws.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum GraphFormat {
    Mermaid,
    Dot,
}

struct Node {
    id: String,
    label: String,
    outcome: bool,
}

struct Edge {
    from: String,
    to: String,
    label: String,
}

fn outcome_id(name: &str) -> String {
    format!("o_{name}")
}

fn metric_id(name: &str) -> String {
    format!("m_{name}")
}

/// Nodes (outcomes, then metrics, by name) and edges (per metric: its
/// variant base, its inputs, its `drives`; then each outcome's
/// `measured_by`).
fn parts(library: &Library) -> (Vec<Node>, Vec<Edge>) {
    let mut nodes = Vec::new();
    let mut edges = Vec::new();
    for o in library.outcomes.values() {
        nodes.push(Node {
            id: outcome_id(&o.name),
            label: o.name.clone(),
            outcome: true,
        });
    }
    for m in library.metrics.values() {
        let mut notes = Vec::new();
        match m.tier {
            Some(Tier::Leading) => notes.push("leading"),
            Some(Tier::Lagging) => notes.push("lagging"),
            None => {}
        }
        if m.deprecated {
            notes.push("deprecated");
        }
        let label = if notes.is_empty() {
            m.name.clone()
        } else {
            format!("{} ({})", m.name, notes.join(", "))
        };
        nodes.push(Node {
            id: metric_id(&m.name),
            label,
            outcome: false,
        });
        let edge = |from: String, to: String, label: &str| Edge {
            from,
            to,
            label: label.to_owned(),
        };
        if let Some(base) = &m.variant_of {
            edges.push(edge(metric_id(base), metric_id(&m.name), "variant"));
        }
        if let Definition::Derived(d) = &m.definition {
            for input in &d.inputs {
                edges.push(edge(metric_id(input.as_str()), metric_id(&m.name), "input"));
            }
        }
        for drive in &m.drives {
            let label = match drive.after {
                Some(lag) => format!("drives after {lag}"),
                None => "drives".to_owned(),
            };
            edges.push(edge(metric_id(&m.name), outcome_id(&drive.outcome), &label));
        }
    }
    for o in library.outcomes.values() {
        if let Some(m) = &o.measured_by {
            edges.push(Edge {
                from: metric_id(m),
                to: outcome_id(&o.name),
                label: "measures".to_owned(),
            });
        }
    }
    (nodes, edges)
}

/// A label inside double quotes, with the quote itself written out.
fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "#quot;"))
}

/// The graph as text, ending with a newline.
pub fn render(library: &Library, format: GraphFormat) -> String {
    let (nodes, edges) = parts(library);
    let mut out = String::new();
    match format {
        GraphFormat::Mermaid => {
            out.push_str("flowchart LR\n");
            for n in &nodes {
                let label = quoted(&n.label);
                if n.outcome {
                    out.push_str(&format!("  {}([{label}])\n", n.id));
                } else {
                    out.push_str(&format!("  {}[{label}]\n", n.id));
                }
            }
            for e in &edges {
                let label = if e.label.contains(' ') {
                    quoted(&e.label)
                } else {
                    e.label.clone()
                };
                out.push_str(&format!("  {} -->|{label}| {}\n", e.from, e.to));
            }
        }
        GraphFormat::Dot => {
            let dot = |t: &str| format!("\"{}\"", t.replace('\\', "\\\\").replace('"', "\\\""));
            out.push_str("digraph yardstick {\n  rankdir=LR;\n");
            for n in &nodes {
                let shape = if n.outcome { "ellipse" } else { "box" };
                out.push_str(&format!(
                    "  {} [label={}, shape={shape}];\n",
                    dot(&n.id),
                    dot(&n.label)
                ));
            }
            for e in &edges {
                out.push_str(&format!(
                    "  {} -> {} [label={}];\n",
                    dot(&e.from),
                    dot(&e.to),
                    dot(&e.label)
                ));
            }
            out.push_str("}\n");
        }
    }
    out
}

/// The graph's loose ends, by name: leading metrics that drive no
/// outcome, then outcomes no metric measures or drives.
pub fn warnings(library: &Library) -> Vec<String> {
    let mut out = Vec::new();
    for m in library.metrics.values() {
        if m.tier == Some(Tier::Leading) && m.drives.is_empty() {
            out.push(format!(
                "warning: leading metric `{}` drives no outcome",
                m.name
            ));
        }
    }
    for o in library.outcomes.values() {
        let driven = library
            .metrics
            .values()
            .any(|m| m.drives.iter().any(|d| d.outcome == o.name));
        if o.measured_by.is_none() && !driven {
            out.push(format!(
                "warning: outcome `{}` is measured or driven by no metric",
                o.name
            ));
        }
    }
    out
}
