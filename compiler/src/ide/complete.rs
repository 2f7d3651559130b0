//! What may be written at a cursor: the field keys a block may hold, the
//! sources after `from:`, the owners after `owner:`, the columns, metrics
//! and functions of a formula, the choices of a fixed-choice field.
//! Function names and their documentation come from the registry
//! (`functions.rs`).

use super::context::{self, Block, Position};
use super::fields::{self, BlockKind};
use super::Analysis;
use crate::functions::{Function, Level};
use crate::syntax::ast::DeclKind;

/// What a completion item is, for the editor's icon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemKind {
    /// A field key or a nested block (`sla`, `columns`).
    Field,
    /// A declaration keyword at the top level (`metric`).
    Keyword,
    Metric,
    Source,
    Owner,
    Outcome,
    Column,
    Function,
    /// A fixed choice (`leading`), a column type.
    Value,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub label: String,
    pub kind: ItemKind,
    /// One line beside the label: a column's type, a function's signature.
    pub detail: String,
    /// What is inserted (the label, or `key: ` for a field).
    pub insert: String,
}

/// The completions at byte `offset` of `text` (the text of a file of
/// `analysis`, as the editor holds it), and the byte offset the word they
/// replace starts at. Items are filtered by the word already written.
pub fn complete(analysis: &Analysis, text: &str, offset: usize) -> (Vec<Item>, usize) {
    let cursor = context::cursor(text, offset);
    let block = cursor.block().cloned();
    let mut items = match (&cursor.position, &block) {
        (Position::Key, None) => declaration_keywords(),
        (Position::Key, Some(b)) => keys(b.kind, &cursor.present),
        (Position::Value { key }, Some(b)) => value(analysis, b, key, &cursor.word),
        (Position::VariantBase | Position::ExpectMetric, _) => {
            declared(analysis, DeclKind::Metric, ItemKind::Metric)
        }
        (Position::Join { source: None } | Position::GivenSource, _) => {
            declared(analysis, DeclKind::Source, ItemKind::Source)
        }
        (Position::Join { source: Some(_) }, Some(b)) => columns_of(analysis, &b.name),
        _ => Vec::new(),
    };
    let word = cursor.word.to_ascii_lowercase();
    items.retain(|i| i.label.to_ascii_lowercase().starts_with(&word));
    (items, cursor.word_start)
}

fn item(label: &str, kind: ItemKind, detail: impl Into<String>) -> Item {
    Item {
        label: label.to_owned(),
        kind,
        detail: detail.into(),
        insert: label.to_owned(),
    }
}

fn declaration_keywords() -> Vec<Item> {
    ["metric", "source", "owner", "outcome", "test"]
        .iter()
        .map(|w| Item {
            insert: format!("{w} "),
            ..item(w, ItemKind::Keyword, "a declaration")
        })
        .collect()
}

/// The keys of a block but those it holds already (a key that may repeat,
/// such as `where`, is always offered).
fn keys(kind: BlockKind, present: &[String]) -> Vec<Item> {
    fields::keys(kind)
        .iter()
        .filter(|k| k.repeats || !present.iter().any(|p| p == k.key))
        .map(|k| Item {
            insert: match (k.block, k.key) {
                (true, "join" | "given" | "expect") => format!("{} ", k.key),
                (true, _) => format!("{} {{", k.key),
                (false, _) => format!("{}: ", k.key),
            },
            ..item(k.key, ItemKind::Field, k.doc)
        })
        .collect()
}

fn declared(analysis: &Analysis, kind: DeclKind, item_kind: ItemKind) -> Vec<Item> {
    analysis
        .names(kind)
        .into_iter()
        .map(|name| item(name, item_kind, detail(analysis, kind, name)))
        .collect()
}

/// A metric's title, a source's path, an owner's display name.
fn detail(analysis: &Analysis, kind: DeclKind, name: &str) -> String {
    let library = analysis.library();
    let text = match kind {
        DeclKind::Metric => library.metrics.get(name).and_then(|m| m.title.clone()),
        DeclKind::Source => library.sources.get(name).and_then(|s| s.path.clone()),
        DeclKind::Owner => library
            .owners
            .get(name)
            .and_then(|o| o.display_name.clone()),
        DeclKind::Outcome => library
            .outcomes
            .get(name)
            .and_then(|o| o.description.clone()),
        DeclKind::Reconcile => None,
    };
    text.unwrap_or_else(|| kind.word().to_owned())
}

/// The values of field `key` in `block`.
fn value(analysis: &Analysis, block: &Block, key: &str, word: &str) -> Vec<Item> {
    let choices = fields::choices(block.kind, key);
    if !choices.is_empty() {
        return choices
            .iter()
            .map(|c| item(c, ItemKind::Value, key))
            .collect();
    }
    match (block.kind, key) {
        (BlockKind::Metric, "from") => declared(analysis, DeclKind::Source, ItemKind::Source),
        (BlockKind::Metric | BlockKind::Outcome, "owner") | (BlockKind::Owner, "escalates_to") => {
            declared(analysis, DeclKind::Owner, ItemKind::Owner)
        }
        (BlockKind::Metric, "drives") => declared(analysis, DeclKind::Outcome, ItemKind::Outcome),
        (BlockKind::Outcome, "measured_by") => {
            declared(analysis, DeclKind::Metric, ItemKind::Metric)
        }
        (BlockKind::Columns, _) => fields::COLUMN_TYPES
            .iter()
            .map(|t| item(t, ItemKind::Value, "column type"))
            .collect(),
        (BlockKind::Metric, "formula" | "where" | "exclude" | "time" | "dimensions") => {
            let rows = analysis.source_of_metric(&block.name);
            expression(analysis, rows.as_deref(), key == "formula", word)
        }
        (BlockKind::Source, "time" | "key" | "exclude" | "dimensions") => {
            expression(analysis, Some(&block.name), false, word)
        }
        _ => Vec::new(),
    }
}

/// Names an expression may use: over the rows of `rows` (a base metric,
/// a source's filters), or over metrics (a derived formula). `accounts.`
/// offers the joined source's columns.
fn expression(analysis: &Analysis, rows: Option<&str>, formula: bool, word: &str) -> Vec<Item> {
    if let Some((joined, _)) = word.split_once('.') {
        return columns_of(analysis, joined)
            .into_iter()
            .map(|mut i| {
                i.label = format!("{joined}.{}", i.label);
                i.insert = i.label.clone();
                i
            })
            .collect();
    }
    let mut items = Vec::new();
    match rows {
        Some(source) => {
            items.extend(columns_of(analysis, source));
            items.extend(analysis.joins(source).into_iter().map(|j| {
                item(
                    j,
                    ItemKind::Source,
                    "joined source: write `.` for its columns",
                )
            }));
        }
        None => items.extend(declared(analysis, DeclKind::Metric, ItemKind::Metric)),
    }
    for f in Function::ALL {
        let spec = f.spec();
        let fits = match rows {
            Some(_) => formula || spec.level == Level::Row,
            None => spec.in_derived,
        };
        if fits {
            items.push(Item {
                detail: format!("{} — {}", spec.signature, spec.doc),
                ..item(spec.name, ItemKind::Function, "")
            });
        }
    }
    items
}

fn columns_of(analysis: &Analysis, source: &str) -> Vec<Item> {
    analysis
        .columns(source)
        .into_iter()
        .map(|c| {
            let mut ty = c.ty.name.clone();
            if c.nullable {
                ty.push('?');
            }
            if let Some(unit) = &c.unit {
                ty = format!("{ty} @{}", unit.name);
            }
            item(
                &c.name.name,
                ItemKind::Column,
                format!("{ty} — column of {source}"),
            )
        })
        .collect()
}
