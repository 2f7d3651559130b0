//! The server loop: messages in order, one at a time, on the command's
//! thread. A reader thread frames stdin (`transport`); the loop takes
//! every message that has arrived, handles them in order, then compiles
//! each library whose documents changed and publishes its diagnostics —
//! so a burst of keystrokes compiles once.
//!
//! The protocol's rules: requests before `initialize` are refused
//! (`ServerNotInitialized`), requests after `shutdown` too
//! (`InvalidRequest`); `exit` ends with 0 after `shutdown`, else 1.
//! Unknown requests get `MethodNotFound`, unknown notifications are
//! ignored, a message that cannot be read gets a parse error, and a
//! panic while handling one message becomes an `InternalError` answer,
//! not the end of the server.

use super::documents::Documents;
use super::library::{self, LibraryKey, Loaded};
use super::position::Encoding;
use super::transport::{self, Incoming};
use super::{diagnostics, hover, navigate};
use crate::{guard, Exit, Fatal};
use lsp_server::{ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{self as note, Notification as _};
use lsp_types::request::{self as req, Request as _};
use lsp_types::{
    CompletionOptions, CompletionResponse, DidChangeWatchedFilesRegistrationOptions,
    FileSystemWatcher, GlobPattern, GotoDefinitionResponse, Hover, HoverContents,
    HoverProviderCapability, InitializeParams, InitializeResult, MarkupContent, MarkupKind,
    MessageType, OneOf, PositionEncodingKind, PublishDiagnosticsParams, Registration,
    RegistrationParams, SaveOptions, ServerCapabilities, ServerInfo, ShowMessageParams,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions, Url,
};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::io::Write;
use std::sync::mpsc::Receiver;

/// What the loop does after a message.
enum Flow {
    Continue,
    Exit(Exit),
}

/// A compiled library and the documents its diagnostics were published to.
struct Library {
    loaded: Loaded,
    /// Whether `loaded` is of the documents as they are now.
    fresh: bool,
    published: BTreeSet<Url>,
}

pub struct Server<W: Write> {
    out: W,
    documents: Documents,
    libraries: HashMap<LibraryKey, Library>,
    /// Libraries whose documents changed since their diagnostics were
    /// published.
    changed: HashSet<LibraryKey>,
    encoding: Encoding,
    initialized: bool,
    shut_down: bool,
    /// Whether the client watches files for us when asked
    /// (`client/registerCapability`).
    can_watch: bool,
    /// Problems already shown (an unreadable file), so each shows once.
    shown: HashSet<String>,
}

impl<W: Write> Server<W> {
    pub fn new(out: W) -> Server<W> {
        Server {
            out,
            documents: Documents::default(),
            libraries: HashMap::new(),
            changed: HashSet::new(),
            encoding: Encoding::Utf16,
            initialized: false,
            shut_down: false,
            can_watch: false,
            shown: HashSet::new(),
        }
    }

    /// Serves until `exit` or the end of the input.
    pub fn run(mut self, incoming: Receiver<Incoming>) -> Result<Exit, Fatal> {
        while let Ok(first) = incoming.recv() {
            let batch = std::iter::once(first).chain(incoming.try_iter());
            for message in batch.collect::<Vec<_>>() {
                if let Flow::Exit(exit) = self.handle(message)? {
                    return Ok(exit);
                }
            }
            // A panic while compiling is shown, and the server goes on.
            if let Err(Fatal(why)) = guard::boundary(|| self.publish_changed()) {
                self.show(MessageType::ERROR, why)?;
            }
        }
        // The client went away without `exit`.
        Ok(if self.shut_down {
            Exit::Ok
        } else {
            Exit::Failed
        })
    }

    fn send(&mut self, message: Message) -> Result<(), Fatal> {
        transport::write(&mut self.out, message)
            .map_err(|e| Fatal(format!("cannot write to the editor: {e}")))
    }

    fn handle(&mut self, incoming: Incoming) -> Result<Flow, Fatal> {
        match incoming {
            Incoming::Malformed { code, id, why } => {
                transport::write_error(&mut self.out, code, id, &why)
                    .map_err(|e| Fatal(format!("cannot write to the editor: {e}")))?;
                Ok(Flow::Continue)
            }
            Incoming::Message(Message::Request(request)) => {
                let id = request.id.clone();
                let answer = match guard::boundary(|| Ok(self.request(request))) {
                    Ok(answer) => answer,
                    Err(Fatal(why)) => Err((ErrorCode::InternalError, why)),
                };
                let response = match answer {
                    Ok(value) => Response::new_ok(id, value),
                    Err((code, why)) => Response::new_err(id, code as i32, why),
                };
                self.send(response.into())?;
                Ok(Flow::Continue)
            }
            Incoming::Message(Message::Notification(n)) if n.method == note::Exit::METHOD => {
                Ok(Flow::Exit(if self.shut_down {
                    Exit::Ok
                } else {
                    Exit::Failed
                }))
            }
            Incoming::Message(Message::Notification(n)) => {
                if let Err(Fatal(why)) = guard::boundary(|| self.notification(n)) {
                    self.show(MessageType::ERROR, why)?;
                }
                Ok(Flow::Continue)
            }
            // We send no requests, so expect no responses.
            Incoming::Message(Message::Response(_)) => Ok(Flow::Continue),
        }
    }

    fn request(&mut self, request: Request) -> Result<Value, (ErrorCode, String)> {
        let method = request.method.as_str();
        if method == req::Initialize::METHOD {
            let params: InitializeParams = params(request.params)?;
            self.initialized = true;
            return to_value(self.initialize(&params));
        }
        if !self.initialized {
            return Err((
                ErrorCode::ServerNotInitialized,
                "the server is not initialized".to_owned(),
            ));
        }
        if self.shut_down {
            return Err((
                ErrorCode::InvalidRequest,
                "the server is shutting down".to_owned(),
            ));
        }
        match method {
            req::Shutdown::METHOD => {
                self.shut_down = true;
                Ok(Value::Null)
            }
            req::HoverRequest::METHOD => {
                let p: lsp_types::HoverParams = params(request.params)?;
                let at = p.text_document_position_params;
                let encoding = self.encoding;
                let hover = self.loaded(&at.text_document.uri).and_then(|loaded| {
                    let (found, range) =
                        navigate::symbol_at(loaded, &at.text_document.uri, at.position, encoding)?;
                    let text = hover::text(&loaded.analysis, &found.symbol)?;
                    Some(Hover {
                        contents: HoverContents::Markup(MarkupContent {
                            kind: MarkupKind::Markdown,
                            value: text,
                        }),
                        range: Some(range),
                    })
                });
                to_value(hover)
            }
            req::GotoDefinition::METHOD => {
                let p: lsp_types::GotoDefinitionParams = params(request.params)?;
                let at = p.text_document_position_params;
                let encoding = self.encoding;
                let location = self.loaded(&at.text_document.uri).and_then(|loaded| {
                    navigate::definition(loaded, &at.text_document.uri, at.position, encoding)
                });
                to_value(location.map(GotoDefinitionResponse::Scalar))
            }
            req::Completion::METHOD => {
                let p: lsp_types::CompletionParams = params(request.params)?;
                let at = p.text_document_position;
                let encoding = self.encoding;
                let items = self
                    .loaded(&at.text_document.uri)
                    .map(|loaded| {
                        navigate::completion(loaded, &at.text_document.uri, at.position, encoding)
                    })
                    .unwrap_or_default();
                to_value(CompletionResponse::Array(items))
            }
            _ => Err((
                ErrorCode::MethodNotFound,
                format!("yardstick lsp does not answer `{}`", request.method),
            )),
        }
    }

    fn initialize(&mut self, params: &InitializeParams) -> InitializeResult {
        let offered = params
            .capabilities
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_ref());
        let utf8 = offered.is_some_and(|o| o.contains(&PositionEncodingKind::UTF8));
        self.can_watch = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|d| d.dynamic_registration)
            .unwrap_or(false);
        self.encoding = if utf8 {
            Encoding::Utf8
        } else {
            Encoding::Utf16
        };
        let capabilities = ServerCapabilities {
            position_encoding: Some(if utf8 {
                PositionEncodingKind::UTF8
            } else {
                PositionEncodingKind::UTF16
            }),
            text_document_sync: Some(TextDocumentSyncCapability::Options(
                TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(TextDocumentSyncKind::INCREMENTAL),
                    save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                        include_text: Some(false),
                    })),
                    ..TextDocumentSyncOptions::default()
                },
            )),
            hover_provider: Some(HoverProviderCapability::Simple(true)),
            definition_provider: Some(OneOf::Left(true)),
            completion_provider: Some(CompletionOptions {
                trigger_characters: Some(vec![".".to_owned()]),
                ..CompletionOptions::default()
            }),
            ..ServerCapabilities::default()
        };
        InitializeResult {
            capabilities,
            server_info: Some(ServerInfo {
                name: "yardstick".to_owned(),
                version: Some(env!("CARGO_PKG_VERSION").to_owned()),
            }),
        }
    }

    fn notification(&mut self, n: Notification) -> Result<(), Fatal> {
        if !self.initialized {
            return Ok(());
        }
        match n.method.as_str() {
            note::Initialized::METHOD if self.can_watch => self.watch_files()?,
            note::DidOpenTextDocument::METHOD => {
                if let Ok(p) = params::<lsp_types::DidOpenTextDocumentParams>(n.params) {
                    let doc = p.text_document;
                    self.mark_changed(library::key_of(&doc.uri));
                    self.documents.open(doc.uri, doc.text, doc.version);
                }
            }
            note::DidChangeTextDocument::METHOD => {
                if let Ok(p) = params::<lsp_types::DidChangeTextDocumentParams>(n.params) {
                    let doc = p.text_document;
                    self.mark_changed(library::key_of(&doc.uri));
                    self.documents
                        .change(&doc.uri, doc.version, p.content_changes, self.encoding);
                }
            }
            note::DidSaveTextDocument::METHOD => {
                if let Ok(p) = params::<lsp_types::DidSaveTextDocumentParams>(n.params) {
                    self.mark_changed(library::key_of(&p.text_document.uri));
                }
            }
            note::DidCloseTextDocument::METHOD => {
                if let Ok(p) = params::<lsp_types::DidCloseTextDocumentParams>(n.params) {
                    let uri = p.text_document.uri;
                    self.documents.close(&uri);
                    self.mark_changed(library::key_of(&uri));
                }
            }
            note::DidChangeWatchedFiles::METHOD => {
                let keys: Vec<LibraryKey> = self.libraries.keys().cloned().collect();
                keys.into_iter().for_each(|k| self.mark_changed(k));
            }
            _ => {}
        }
        Ok(())
    }

    /// Asks the client to report changes to library files made outside
    /// the editor (a `git checkout`, a generator): `.yard` files, the lock
    /// and `yardstick.toml`.
    fn watch_files(&mut self) -> Result<(), Fatal> {
        let watchers = ["**/*.yard", "**/yardstick.lock", "**/yardstick.toml"]
            .iter()
            .map(|glob| FileSystemWatcher {
                glob_pattern: GlobPattern::String((*glob).to_owned()),
                kind: None,
            })
            .collect();
        let options = DidChangeWatchedFilesRegistrationOptions { watchers };
        let params = RegistrationParams {
            registrations: vec![Registration {
                id: "yardstick-files".to_owned(),
                method: note::DidChangeWatchedFiles::METHOD.to_owned(),
                register_options: serde_json::to_value(options).ok(),
            }],
        };
        let request = Request::new(
            "yardstick-watch".to_owned().into(),
            req::RegisterCapability::METHOD.to_owned(),
            params,
        );
        self.send(request.into())
    }

    fn mark_changed(&mut self, key: LibraryKey) {
        if let Some(library) = self.libraries.get_mut(&key) {
            library.fresh = false;
        }
        self.changed.insert(key);
    }

    /// The library of `uri`, compiled afresh if its documents changed.
    fn loaded(&mut self, uri: &Url) -> Option<&Loaded> {
        let key = library::key_of(uri);
        self.library(&key).map(|l| &l.loaded)
    }

    fn library(&mut self, key: &LibraryKey) -> Option<&Library> {
        let fresh = self.libraries.get(key).is_some_and(|l| l.fresh);
        if !fresh {
            let loaded = library::load(key, &self.documents);
            let published = self
                .libraries
                .remove(key)
                .map(|l| l.published)
                .unwrap_or_default();
            let library = Library {
                loaded,
                fresh: true,
                published,
            };
            self.libraries.insert(key.clone(), library);
        }
        self.libraries.get(key)
    }

    /// Compiles and publishes every library whose documents changed.
    fn publish_changed(&mut self) -> Result<(), Fatal> {
        let mut keys: Vec<LibraryKey> = self.changed.drain().collect();
        keys.sort_by_key(|k| format!("{k:?}"));
        for key in keys {
            let open: BTreeSet<Url> = self
                .documents
                .uris()
                .filter(|u| library::key_of(u) == key)
                .cloned()
                .collect();
            if open.is_empty() {
                // Nothing of it is open: clear what was shown, forget it.
                if let Some(library) = self.libraries.remove(&key) {
                    for uri in library.published {
                        self.publish(uri, Vec::new())?;
                    }
                }
                continue;
            }
            let encoding = self.encoding;
            let Some(library) = self.library(&key) else {
                continue;
            };
            let problems = library.loaded.problems.clone();
            let mut found = diagnostics::by_document(&library.loaded, encoding);
            let mut targets = library.published.clone();
            targets.extend(found.keys().cloned());
            targets.extend(open);
            for problem in problems {
                if self.shown.insert(problem.clone()) {
                    self.show(MessageType::WARNING, problem)?;
                }
            }
            let mut published = BTreeSet::new();
            for uri in targets {
                let diags = found.remove(&uri).unwrap_or_default();
                if !diags.is_empty() {
                    published.insert(uri.clone());
                }
                self.publish(uri, diags)?;
            }
            if let Some(library) = self.libraries.get_mut(&key) {
                library.published = published;
            }
        }
        Ok(())
    }

    fn publish(&mut self, uri: Url, diagnostics: Vec<lsp_types::Diagnostic>) -> Result<(), Fatal> {
        let version = self.documents.get(&uri).map(|d| d.version);
        let params = PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        };
        self.notify(note::PublishDiagnostics::METHOD, params)
    }

    fn show(&mut self, typ: MessageType, message: String) -> Result<(), Fatal> {
        let params = ShowMessageParams {
            typ,
            message: guard::sanitize(&message),
        };
        self.notify(note::ShowMessage::METHOD, params)
    }

    fn notify(&mut self, method: &str, params: impl serde::Serialize) -> Result<(), Fatal> {
        let notification = Notification::new(method.to_owned(), params);
        self.send(notification.into())
    }
}

fn params<P: DeserializeOwned>(value: Value) -> Result<P, (ErrorCode, String)> {
    serde_json::from_value(value)
        .map_err(|e| (ErrorCode::InvalidParams, format!("invalid params: {e}")))
}

fn to_value(value: impl serde::Serialize) -> Result<Value, (ErrorCode, String)> {
    serde_json::to_value(value).map_err(|e| (ErrorCode::InternalError, e.to_string()))
}
