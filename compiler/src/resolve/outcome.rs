//! `owner` and `outcome` declarations: who answers for a number, and what
//! the business is steered by.

use super::fields::{self, Fields};
use super::graph;
use super::{Located, Names};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::model::{Direction, Library, Outcome, Owner};
use crate::syntax::ast::{DeclKind, Entry};
use std::collections::BTreeMap;

pub(super) fn plain_fields<'a>(located: &Located<'a>, diags: &mut Diagnostics) -> Fields<'a> {
    let decl = located.decl;
    let what = format!("{} `{}`", decl.kind.word(), decl.name.name);
    let mut plain = Vec::new();
    for entry in &decl.entries {
        match entry {
            Entry::Field(f) => plain.push(f),
            Entry::Block(b) => diags.push(not_here(&what, &b.name.name, b.name.span)),
            Entry::Columns(_, span) => diags.push(not_here(&what, "columns", *span)),
            Entry::Join(j) => diags.push(not_here(&what, "join", j.span)),
        }
    }
    Fields::new(what, plain)
}

fn not_here(what: &str, entry: &str, span: crate::span::Span) -> Diagnostic {
    Diagnostic::error(Code::UnknownField, span, format!("{what} has no `{entry}`"))
        .label("not part of this declaration")
        .help("see docs/language.md for the fields of each declaration")
}

pub(super) fn owners(
    decls: &[Located<'_>],
    names: &Names,
    diags: &mut Diagnostics,
) -> BTreeMap<String, Owner> {
    let mut owners = BTreeMap::new();
    let mut escalations = Vec::new();
    for located in decls {
        let decl = located.decl;
        let mut f = plain_fields(located, diags);
        let display_name = f.one("name", diags).and_then(|x| fields::string(x, diags));
        let contact = f
            .one("contact", diags)
            .and_then(|x| fields::string(x, diags));
        let escalates_to = f
            .one("escalates_to", diags)
            .and_then(|x| fields::name(x, diags));
        let description = f
            .one("description", diags)
            .and_then(|x| fields::string(x, diags))
            .or_else(|| decl.doc.clone());
        f.finish(diags);
        if let Some(e) = &escalates_to {
            escalations.push(e.clone());
        }
        owners.insert(
            decl.name.name.clone(),
            Owner {
                name: decl.name.name.clone(),
                display_name,
                contact,
                escalates_to: escalates_to.map(|e| e.name),
                description,
                span: decl.name.span,
            },
        );
    }
    for e in &escalations {
        names.expect(e, DeclKind::Owner, diags);
    }
    let edges = owners
        .values()
        .map(|o| (o.name.clone(), o.escalates_to.iter().cloned().collect()))
        .collect();
    let spans = owners.values().map(|o| (o.name.clone(), o.span)).collect();
    graph::order(&edges, &spans, "escalations", diags);
    owners
}

pub(super) fn outcomes(
    decls: &[Located<'_>],
    library: &Library,
    names: &Names,
    diags: &mut Diagnostics,
) -> BTreeMap<String, Outcome> {
    let mut outcomes = BTreeMap::new();
    for located in decls {
        let decl = located.decl;
        let mut f = plain_fields(located, diags);
        let description = f
            .one("description", diags)
            .and_then(|x| fields::string(x, diags))
            .or_else(|| decl.doc.clone());
        let owner = f.one("owner", diags).and_then(|x| fields::name(x, diags));
        let direction = f
            .one("direction", diags)
            .and_then(|x| fields::choice(x, &["higher", "lower"], diags))
            .map(|d| {
                if d == "higher" {
                    Direction::Higher
                } else {
                    Direction::Lower
                }
            });
        let measured_by = f
            .one("measured_by", diags)
            .and_then(|x| fields::name(x, diags));
        f.finish(diags);
        if let Some(o) = &owner {
            names.expect(o, DeclKind::Owner, diags);
        }
        if let Some(m) = &measured_by {
            if names.expect(m, DeclKind::Metric, diags) {
                if let Some(metric) = library.metrics.get(&m.name).filter(|m| m.deprecated) {
                    diags.push(
                        Diagnostic::warning(
                            Code::DeprecatedUse,
                            m.span,
                            format!(
                                "outcome `{}` is measured by the deprecated metric `{}`",
                                decl.name.name, metric.name
                            ),
                        )
                        .label("deprecated")
                        .help("measure the outcome with the metric that replaces it"),
                    );
                }
            }
        }
        outcomes.insert(
            decl.name.name.clone(),
            Outcome {
                name: decl.name.name.clone(),
                description,
                owner: owner.map(|o| o.name),
                direction,
                measured_by: measured_by.map(|m| m.name),
                span: decl.name.span,
            },
        );
    }
    outcomes
}
