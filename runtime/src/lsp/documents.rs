//! The documents the editor has open: their text as typed, which
//! overrides the file on disk while the document is open. Changes come
//! whole or as ranged edits (`textDocument/didChange`); a range is mapped
//! through [`LineIndex`], so a range beyond the text is clamped, never
//! a panic.

use super::position::{Encoding, LineIndex};
use lsp_types::{TextDocumentContentChangeEvent, Url};
use std::collections::HashMap;
use std::path::PathBuf;

pub struct Document {
    pub text: String,
    pub version: i32,
}

#[derive(Default)]
pub struct Documents {
    open: HashMap<Url, Document>,
}

impl Documents {
    pub fn open(&mut self, uri: Url, text: String, version: i32) {
        self.open.insert(uri, Document { text, version });
    }

    pub fn close(&mut self, uri: &Url) {
        self.open.remove(uri);
    }

    pub fn get(&self, uri: &Url) -> Option<&Document> {
        self.open.get(uri)
    }

    /// Applies the edits of one `didChange`, in order. A change to a
    /// document that is not open is ignored.
    pub fn change(
        &mut self,
        uri: &Url,
        version: i32,
        changes: Vec<TextDocumentContentChangeEvent>,
        encoding: Encoding,
    ) {
        let Some(doc) = self.open.get_mut(uri) else {
            return;
        };
        for change in changes {
            match change.range {
                None => doc.text = change.text,
                Some(range) => {
                    let index = LineIndex::new(&doc.text, encoding);
                    let start = index.offset(range.start);
                    let end = index.offset(range.end).max(start);
                    doc.text.replace_range(start..end, &change.text);
                }
            }
        }
        doc.version = version;
    }

    /// The open documents that are files, with their paths.
    pub fn files(&self) -> impl Iterator<Item = (PathBuf, &Url, &Document)> {
        self.open
            .iter()
            .filter_map(|(uri, doc)| Some((uri.to_file_path().ok()?, uri, doc)))
    }

    pub fn uris(&self) -> impl Iterator<Item = &Url> {
        self.open.keys()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsp_types::{Position, Range};

    fn edit(range: Option<Range>, text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range,
            range_length: None,
            text: text.to_owned(),
        }
    }

    #[test]
    fn ranged_edits_apply_in_order_and_clamp() {
        let Ok(uri) = Url::parse("file:///lib/a.yard") else {
            return;
        };
        let mut docs = Documents::default();
        docs.open(uri.clone(), "owner é {\n}\n".to_owned(), 1);
        let after_e = Range::new(Position::new(0, 7), Position::new(0, 7));
        let past_end = Range::new(Position::new(9, 0), Position::new(99, 5));
        docs.change(
            &uri,
            2,
            vec![edit(Some(after_e), "x"), edit(Some(past_end), "// end")],
            Encoding::Utf16,
        );
        let doc = docs.get(&uri);
        assert_eq!(doc.map(|d| d.text.as_str()), Some("owner éx {\n}\n// end"));
        assert_eq!(doc.map(|d| d.version), Some(2));
    }
}
