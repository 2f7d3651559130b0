//! Reading a declaration's generic `key: value` fields as the values each
//! key expects, reporting unknown, repeated and misshapen fields.

use super::suggest::did_you_mean;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::ir::Lookback;
use crate::model::{Bound, Limit, SnapshotKeep};
use crate::span::Span;
use crate::syntax::ast::{CmpOp, Expr, ExprKind, Field, Ident, Value};

/// The fields of one block, taken by key; whatever is not taken is unknown.
pub struct Fields<'a> {
    what: String,
    fields: Vec<&'a Field>,
    /// The keys asked for so far: the fields this block may have.
    known: Vec<&'static str>,
}

impl<'a> Fields<'a> {
    /// `what` names the block in messages: "metric `fcr`", "sla block".
    pub fn new(what: String, fields: Vec<&'a Field>) -> Fields<'a> {
        Fields {
            what,
            fields,
            known: Vec::new(),
        }
    }

    /// The field `key`, reporting any repeat of it.
    pub fn one(&mut self, key: &'static str, diags: &mut Diagnostics) -> Option<&'a Field> {
        let mut all = self.all(key).into_iter();
        let first = all.next()?;
        for again in all {
            diags.push(
                Diagnostic::error(
                    Code::DuplicateField,
                    again.key.span,
                    format!("`{key}` is given twice in {}", self.what),
                )
                .label("given again here")
                .with_secondary(first.key.span, "first given here")
                .help(format!("keep one `{key}`")),
            );
        }
        Some(first)
    }

    /// Every field `key` (for `where` and `exclude`, which may repeat).
    pub fn all(&mut self, key: &'static str) -> Vec<&'a Field> {
        self.known.push(key);
        // Fields are few; compare lengths before bytes.
        self.fields
            .iter()
            .copied()
            .filter(|f| f.key.name.len() == key.len() && f.key.name == key)
            .collect()
    }

    /// Reports every field no one asked for.
    pub fn finish(self, diags: &mut Diagnostics) {
        for field in &self.fields {
            if self.known.contains(&field.key.name.as_str()) {
                continue;
            }
            let mut d = Diagnostic::error(
                Code::UnknownField,
                field.key.span,
                format!("{} has no field `{}`", self.what, field.key.name),
            )
            .label("unknown field");
            d = match did_you_mean(&field.key.name, self.known.iter().copied()) {
                Some(s) => d.help(format!("did you mean `{s}`?")),
                None => {
                    let mut known = self.known.clone();
                    known.sort_unstable();
                    known.dedup();
                    d.help(format!("the fields here are: {}", known.join(", ")))
                }
            };
            diags.push(d);
        }
    }
}

fn wrong(field: &Field, expected: &str, diags: &mut Diagnostics) {
    diags.push(
        Diagnostic::error(
            Code::FieldValue,
            field.value.span(),
            format!("`{}` expects {expected}", field.key.name),
        )
        .label("not the expected form")
        .help(format!("write it as `{}: <{expected}>`", field.key.name)),
    );
}

/// The one expression of a field, when it is just that.
pub fn single_expr(field: &Field) -> Option<&Expr> {
    match &field.value {
        Value::List(items, _) if items.len() == 1 => items
            .first()
            .filter(|i| i.after.is_none() && i.per.is_none())
            .map(|i| &i.expr),
        _ => None,
    }
}

pub fn expr<'f>(field: &'f Field, diags: &mut Diagnostics) -> Option<&'f Expr> {
    let e = single_expr(field);
    if e.is_none() {
        wrong(field, "one expression", diags);
    }
    e
}

pub fn string(field: &Field, diags: &mut Diagnostics) -> Option<String> {
    match single_expr(field).map(|e| &e.kind) {
        Some(ExprKind::String { value }) => Some(value.clone()),
        Some(ExprKind::Error) => None,
        _ => {
            wrong(field, "a string in double quotes", diags);
            None
        }
    }
}

pub fn name(field: &Field, diags: &mut Diagnostics) -> Option<Ident> {
    match single_expr(field) {
        Some(e) if e.as_name().is_some() => Some(Ident {
            name: e.as_name().unwrap_or_default().to_owned(),
            span: e.span,
        }),
        Some(Expr {
            kind: ExprKind::Error,
            ..
        }) => None,
        _ => {
            wrong(field, "a name", diags);
            None
        }
    }
}

/// A word from a fixed set (`leading | lagging`).
pub fn choice(field: &Field, options: &[&str], diags: &mut Diagnostics) -> Option<String> {
    let found = name(field, diags)?;
    if options.contains(&found.name.as_str()) {
        return Some(found.name);
    }
    let mut d = Diagnostic::error(
        Code::FieldValue,
        found.span,
        format!("`{}` cannot be `{}`", field.key.name, found.name),
    )
    .label("not one of the choices");
    d = match did_you_mean(&found.name, options.iter().copied()) {
        Some(s) => d.help(format!(
            "did you mean `{s}`? (one of: {})",
            options.join(", ")
        )),
        None => d.help(format!("one of: {}", options.join(", "))),
    };
    diags.push(d);
    None
}

/// A comma-separated list of names, dotted ones allowed (`accounts.segment`).
pub fn paths(field: &Field, diags: &mut Diagnostics) -> Vec<(String, Span)> {
    let mut out = Vec::new();
    let Value::List(items, _) = &field.value else {
        wrong(field, "a list of names", diags);
        return out;
    };
    for item in items {
        match &item.expr.kind {
            ExprKind::Path { parts } if item.after.is_none() && item.per.is_none() => {
                out.push((parts.join("."), item.expr.span))
            }
            ExprKind::Error => {}
            _ => {
                wrong(field, "a list of names", diags);
                return Vec::new();
            }
        }
    }
    out
}

pub fn integer(field: &Field, diags: &mut Diagnostics) -> Option<u64> {
    match single_expr(field).map(|e| &e.kind) {
        Some(ExprKind::Number {
            value,
            integer: true,
        }) if *value >= 0.0 && *value <= u32::MAX as f64 => Some(*value as u64),
        Some(ExprKind::Error) => None,
        _ => {
            wrong(field, "a whole number", diags);
            None
        }
    }
}

pub fn boolean(field: &Field, diags: &mut Diagnostics) -> Option<bool> {
    match single_expr(field).map(|e| &e.kind) {
        Some(ExprKind::Bool { value }) => Some(*value),
        Some(ExprKind::Error) => None,
        _ => {
            wrong(field, "`true` or `false`", diags);
            None
        }
    }
}

/// `fill: 0`, the one fill there is.
pub fn fill_zero(field: &Field, diags: &mut Diagnostics) -> Option<()> {
    match single_expr(field).map(|e| &e.kind) {
        Some(ExprKind::Number { value, .. }) if *value == 0.0 => Some(()),
        Some(ExprKind::Error) => None,
        _ => {
            diags.push(
                Diagnostic::error(Code::FieldValue, field.value.span(), "`fill` can only be `0`")
                    .label("not 0")
                    .help("write `fill: 0` to give empty periods 0, or leave `fill` out to leave them out"),
            );
            None
        }
    }
}

/// `snapshot: last`, `snapshot: first per account_id`: which rows of a
/// window count, and the column they are taken per.
pub fn snapshot(field: &Field, diags: &mut Diagnostics) -> Option<(SnapshotKeep, Option<Ident>)> {
    let item = match &field.value {
        Value::List(items, _) if items.len() == 1 => items.first().filter(|i| i.after.is_none()),
        _ => None,
    };
    let keep = item.and_then(|i| match i.expr.as_name() {
        Some("last") => Some(SnapshotKeep::Last),
        Some("first") => Some(SnapshotKeep::First),
        _ => None,
    });
    match (item, keep) {
        (Some(i), Some(keep)) => Some((keep, i.per.clone())),
        (Some(i), None) if matches!(i.expr.kind, ExprKind::Error) => None,
        _ => {
            diags.push(
                Diagnostic::error(
                    Code::FieldValue,
                    field.value.span(),
                    "`snapshot` expects `last` or `first`, optionally `per COLUMN`",
                )
                .label("not a snapshot rule")
                .help("write `snapshot: last` (the newest rows of each window) or `snapshot: last per account_id` (each account's newest rows)"),
            );
            None
        }
    }
}

/// A metric's window: a positive duration (`90d`), or `mtd`, `qtd`, `ytd`.
pub fn lookback(field: &Field, diags: &mut Diagnostics) -> Option<Lookback> {
    let expected = "a positive duration such as `90d` or `3mo`, or `mtd`, `qtd`, `ytd`";
    match single_expr(field).map(|e| (e, &e.kind)) {
        Some((_, ExprKind::Duration { value })) if value.amount > 0 => {
            Some(Lookback::Duration(*value))
        }
        Some((e, ExprKind::Path { .. })) if e.as_name().is_some() => {
            let word = e.as_name().unwrap_or_default();
            if let Some(l) = Lookback::to_date(word) {
                return Some(l);
            }
            let words: Vec<&str> = Lookback::TO_DATE.iter().map(|(w, _)| *w).collect();
            let mut d = Diagnostic::error(
                Code::FieldValue,
                e.span,
                format!("`lookback` cannot be `{word}`"),
            )
            .label("not a duration or a period-to-date window");
            d = match did_you_mean(word, words.iter().copied()) {
                Some(s) => d.help(format!("did you mean `{s}`? ({expected})")),
                None => d.help(format!("write {expected}")),
            };
            diags.push(d);
            None
        }
        Some((_, ExprKind::Error)) => None,
        _ => {
            wrong(field, expected, diags);
            None
        }
    }
}

/// A bound on values: `>= 70%`, `<= 5`, `between -100 and 100`. Also says
/// whether any limit was written as a percent (dimensionless).
pub fn bound(field: &Field, diags: &mut Diagnostics) -> Option<(Bound, bool)> {
    let mut percent = false;
    let mut number = |e: &Expr| match e.kind {
        ExprKind::Number { value, .. } => Some(value),
        ExprKind::Percent { value } => {
            percent = true;
            Some(value)
        }
        _ => None,
    };
    let at = |value: f64, inclusive: bool| Some(Limit { value, inclusive });
    let bound = match &field.value {
        Value::Between(low, high, _) => match (number(low), number(high)) {
            (Some(l), Some(h)) => Some(Bound {
                low: at(l, true),
                high: at(h, true),
            }),
            _ => None,
        },
        Value::Bound(op, e, _) => number(e).and_then(|v| match op {
            CmpOp::Ge | CmpOp::Gt => Some(Bound {
                low: at(v, *op == CmpOp::Ge),
                high: None,
            }),
            CmpOp::Le | CmpOp::Lt => Some(Bound {
                low: None,
                high: at(v, *op == CmpOp::Le),
            }),
            CmpOp::Eq => Some(Bound {
                low: at(v, true),
                high: at(v, true),
            }),
            CmpOp::Ne => None,
        }),
        Value::List(..) => None,
    };
    if bound.is_none() {
        wrong(
            field,
            "a bound such as `>= 70%`, `<= 5` or `between -100 and 100`",
            diags,
        );
    }
    bound.map(|b| (b, percent))
}
