//! Dependency order with cycle detection: metrics read their inputs and
//! bases, owners escalate to owners. A cycle is reported once, as its path.

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::span::Span;
use std::collections::{BTreeMap, BTreeSet};

/// Nodes in an order where every node comes after what it depends on, and
/// the set of nodes that sit on (or depend on) a cycle.
pub struct Order {
    pub order: Vec<String>,
    pub cyclic: BTreeSet<String>,
}

/// `edges[n]` are the nodes `n` depends on (unknown targets are ignored).
/// `spans[n]` locates each node for the report; `what` names the relation.
pub fn order(
    edges: &BTreeMap<String, Vec<String>>,
    spans: &BTreeMap<String, Span>,
    what: &str,
    diags: &mut Diagnostics,
) -> Order {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        Visiting,
        Done,
    }
    let mut state: BTreeMap<&str, State> = BTreeMap::new();
    let mut out = Order {
        order: Vec::new(),
        cyclic: BTreeSet::new(),
    };
    for start in edges.keys() {
        if state.contains_key(start.as_str()) {
            continue;
        }
        // Iterative depth-first search: (node, index of next edge).
        let mut stack: Vec<(&str, usize)> = vec![(start.as_str(), 0)];
        state.insert(start, State::Visiting);
        while let Some((node, next)) = stack.last().copied() {
            let deps = edges.get(node).map(Vec::as_slice).unwrap_or(&[]);
            if let Some(dep) = deps.get(next) {
                if let Some(top) = stack.last_mut() {
                    top.1 += 1;
                }
                if !edges.contains_key(dep) {
                    continue;
                }
                match state.get(dep.as_str()) {
                    None => {
                        state.insert(dep, State::Visiting);
                        stack.push((dep, 0));
                    }
                    Some(State::Visiting) => {
                        let from = stack.iter().position(|(n, _)| *n == dep).unwrap_or(0);
                        let cycle: Vec<&str> = stack[from..].iter().map(|(n, _)| *n).collect();
                        report(&cycle, spans, what, diags);
                        out.cyclic.extend(cycle.iter().map(|s| s.to_string()));
                    }
                    Some(State::Done) => {
                        if out.cyclic.contains(dep.as_str()) {
                            out.cyclic.insert(node.to_owned());
                        }
                    }
                }
            } else {
                stack.pop();
                state.insert(node, State::Done);
                if deps.iter().any(|d| out.cyclic.contains(d)) {
                    out.cyclic.insert(node.to_owned());
                }
                out.order.push(node.to_owned());
            }
        }
    }
    out
}

fn report(cycle: &[&str], spans: &BTreeMap<String, Span>, what: &str, diags: &mut Diagnostics) {
    // Start the printed path at the smallest name so a cycle reads the same
    // however it was entered.
    let start = cycle
        .iter()
        .enumerate()
        .min_by_key(|(_, n)| **n)
        .map(|(i, _)| i)
        .unwrap_or(0);
    let mut path: Vec<&str> = cycle[start..]
        .iter()
        .chain(&cycle[..start])
        .copied()
        .collect();
    let first = path.first().copied().unwrap_or("");
    path.push(first);
    let Some(span) = spans.get(first) else {
        return;
    };
    let mut d = Diagnostic::error(
        Code::Cycle,
        *span,
        format!("{what} form a cycle: {}", path.join(" -> ")),
    )
    .label("this starts the cycle");
    for name in path.iter().skip(1).take(cycle.len().saturating_sub(1)) {
        if let Some(s) = spans.get(*name) {
            d = d.with_secondary(*s, format!("`{name}` is part of the cycle"));
        }
    }
    diags.push(d.help("break the cycle: one of these must not depend on the others"));
}
