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
        New,
        Visiting,
        Done,
    }
    // Nodes by index, in name order (the order of `edges`); a dependency is
    // looked up once, so the walk itself compares no names.
    let nodes: Vec<&str> = edges.keys().map(String::as_str).collect();
    let deps: Vec<Vec<usize>> = edges
        .values()
        .map(|targets| {
            targets
                .iter()
                .filter_map(|t| nodes.binary_search(&t.as_str()).ok())
                .collect()
        })
        .collect();
    let mut state = vec![State::New; nodes.len()];
    let mut cyclic = vec![false; nodes.len()];
    let mut order = Vec::with_capacity(nodes.len());
    for start in 0..nodes.len() {
        if state[start] != State::New {
            continue;
        }
        // Iterative depth-first search: (node, index of next edge).
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        state[start] = State::Visiting;
        while let Some((node, next)) = stack.last().copied() {
            if let Some(&dep) = deps[node].get(next) {
                if let Some(top) = stack.last_mut() {
                    top.1 += 1;
                }
                match state[dep] {
                    State::New => {
                        state[dep] = State::Visiting;
                        stack.push((dep, 0));
                    }
                    State::Visiting => {
                        let from = stack.iter().position(|(n, _)| *n == dep).unwrap_or(0);
                        let cycle: Vec<&str> =
                            stack[from..].iter().map(|(n, _)| nodes[*n]).collect();
                        report(&cycle, spans, what, diags);
                        for (n, _) in &stack[from..] {
                            cyclic[*n] = true;
                        }
                    }
                    State::Done => {
                        if cyclic[dep] {
                            cyclic[node] = true;
                        }
                    }
                }
            } else {
                stack.pop();
                state[node] = State::Done;
                if deps[node].iter().any(|d| cyclic[*d]) {
                    cyclic[node] = true;
                }
                order.push(node);
            }
        }
    }
    Order {
        order: order.into_iter().map(|n| nodes[n].to_owned()).collect(),
        cyclic: nodes
            .iter()
            .zip(&cyclic)
            .filter(|(_, on_cycle)| **on_cycle)
            .map(|(n, _)| (*n).to_owned())
            .collect(),
    }
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
