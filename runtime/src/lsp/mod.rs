//! `yardstick lsp`: a language server over stdio (`docs/editor.md`).
//! Diagnostics as you type (with their stable codes and help), hover,
//! go to definition and completion, for the library each open file
//! belongs to, with unsaved buffers in place of their files.
//!
//! Built on `lsp-server` and `lsp-types` (rust-analyzer's synchronous
//! crates) rather than `tower-lsp`: compiling a library is synchronous and
//! fast, so an async server would add tower, futures and an executor for
//! nothing. Framing is read here (`transport`), bounded, so no input
//! ends the server or makes it allocate without limit.
//!
//! - `transport`: Content-Length framing, malformed messages
//! - `server`: the loop, the protocol's states, dispatch, publishing
//! - `documents`: open documents and their edits
//! - `position`: byte offsets and the protocol's UTF-16 positions
//! - `library`: which library a file belongs to, read with the buffers
//! - `diagnostics`, `hover`, `navigate`: the features

mod diagnostics;
mod documents;
mod hover;
mod library;
mod navigate;
mod position;
mod server;
mod transport;

use crate::{Exit, Fatal};
use std::io::BufReader;
use std::sync::mpsc;

/// Serves on stdin and stdout until `exit` (or the end of stdin).
pub fn run() -> Result<Exit, Fatal> {
    let (sender, receiver) = mpsc::channel();
    std::thread::Builder::new()
        .name("lsp-reader".to_owned())
        .spawn(move || {
            let mut input = BufReader::new(std::io::stdin().lock());
            // Ends at the end of stdin, a read error, or when the server
            // has stopped listening.
            while let Ok(Some(message)) = transport::read(&mut input) {
                if sender.send(message).is_err() {
                    break;
                }
            }
        })
        .map_err(|e| Fatal(format!("cannot start the language server's reader: {e}")))?;
    let stdout = std::io::stdout();
    server::Server::new(stdout.lock()).run(receiver)
}
