//! Go to definition and completion, from the compiler's editor queries
//! (`yardstick_compiler::ide`) to the protocol's types.

use super::library::Loaded;
use super::position::{Encoding, LineIndex};
use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionTextEdit, Documentation, Location, Position,
    TextEdit, Url,
};
use yardstick_compiler::ide::complete::{self, ItemKind};
use yardstick_compiler::ide::symbol::{self, Found};
use yardstick_compiler::span::FileId;

/// The text of a file of the library and its id.
fn file<'l>(loaded: &'l Loaded, uri: &Url) -> Option<(FileId, &'l str)> {
    let id = loaded.file_of(uri)?;
    let text = loaded.analysis.compiled.sources.file(id)?.text.as_str();
    Some((id, text))
}

/// The symbol at `position` of `uri`, with the range of its name there.
pub fn symbol_at(
    loaded: &Loaded,
    uri: &Url,
    position: Position,
    encoding: Encoding,
) -> Option<(Found, lsp_types::Range)> {
    let (id, text) = file(loaded, uri)?;
    let index = LineIndex::new(text, encoding);
    let offset = u32::try_from(index.offset(position)).ok()?;
    let found = symbol::symbol_at(&loaded.analysis, id, offset)?;
    let range = index.range(found.span.start as usize, found.span.end as usize);
    Some((found, range))
}

pub fn definition(
    loaded: &Loaded,
    uri: &Url,
    position: Position,
    encoding: Encoding,
) -> Option<Location> {
    let (found, _) = symbol_at(loaded, uri, position, encoding)?;
    let span = symbol::definition(&loaded.analysis, &found.symbol)?;
    let target = loaded.uri(span.file)?.clone();
    let range = super::diagnostics::range(loaded, span, encoding)?;
    Some(Location::new(target, range))
}

pub fn completion(
    loaded: &Loaded,
    uri: &Url,
    position: Position,
    encoding: Encoding,
) -> Vec<CompletionItem> {
    let Some((_, text)) = file(loaded, uri) else {
        return Vec::new();
    };
    let index = LineIndex::new(text, encoding);
    let offset = index.offset(position);
    let (items, word_start) = complete::complete(&loaded.analysis, text, offset);
    let replace = index.range(word_start, offset);
    items
        .into_iter()
        .map(|item| CompletionItem {
            label: item.label.clone(),
            kind: Some(kind(item.kind)),
            detail: (!item.detail.is_empty()).then(|| item.detail.clone()),
            documentation: None::<Documentation>,
            filter_text: Some(item.label),
            text_edit: Some(CompletionTextEdit::Edit(TextEdit::new(
                replace,
                item.insert,
            ))),
            ..CompletionItem::default()
        })
        .collect()
}

fn kind(kind: ItemKind) -> CompletionItemKind {
    match kind {
        ItemKind::Field => CompletionItemKind::FIELD,
        ItemKind::Keyword => CompletionItemKind::KEYWORD,
        ItemKind::Metric => CompletionItemKind::CONSTANT,
        ItemKind::Source => CompletionItemKind::CLASS,
        ItemKind::Owner | ItemKind::Outcome => CompletionItemKind::REFERENCE,
        ItemKind::Column => CompletionItemKind::FIELD,
        ItemKind::Function => CompletionItemKind::FUNCTION,
        ItemKind::Value => CompletionItemKind::ENUM_MEMBER,
    }
}
