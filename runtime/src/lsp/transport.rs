//! The protocol's framing over stdio: `Content-Length: N` headers, a
//! blank line, N bytes of JSON-RPC. Reading is our own, not
//! `lsp_server`'s: a message body is bounded ([`MAX_BODY`]) and a header
//! line too, and a message that is not UTF-8 or not JSON-RPC becomes
//! [`Incoming::Malformed`] (answered with a parse error) instead of ending
//! the connection. Writing uses `lsp_server::Message::write`.

use lsp_server::{ErrorCode, Message};
use serde_json::Value;
use std::io::{self, BufRead, Read, Write};

/// The largest message body read; a larger one is skipped unread.
pub const MAX_BODY: usize = 64 * 1024 * 1024;
/// The longest header line.
const MAX_HEADER_LINE: u64 = 8 * 1024;

/// One message read from the client.
#[derive(Debug)]
pub enum Incoming {
    Message(Message),
    /// Framing or content the server cannot read: the error to answer
    /// with, the request's id when one could be read (else null), and why.
    Malformed {
        code: ErrorCode,
        id: Value,
        why: String,
    },
}

fn unreadable(why: impl Into<String>) -> Incoming {
    Incoming::Malformed {
        code: ErrorCode::ParseError,
        id: Value::Null,
        why: why.into(),
    }
}

/// Reads the next message; `None` at the end of the input.
pub fn read(input: &mut impl BufRead) -> io::Result<Option<Incoming>> {
    let mut length: Option<Result<usize, String>> = None;
    let mut headers = 0;
    loop {
        let mut line = Vec::new();
        let read = input
            .by_ref()
            .take(MAX_HEADER_LINE)
            .read_until(b'\n', &mut line)?;
        if read == 0 {
            return Ok(None);
        }
        if line.last() != Some(&b'\n') {
            // A header longer than any real one: skip to its end.
            skip_line(input)?;
            return Ok(Some(unreadable("a header line is too long")));
        }
        let line = String::from_utf8_lossy(&line);
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            if headers == 0 {
                continue; // stray blank lines between messages
            }
            break;
        }
        headers += 1;
        if let Some((name, value)) = line.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                length =
                    Some(value.trim().parse::<usize>().map_err(|_| {
                        format!("`Content-Length: {}` is not a length", value.trim())
                    }));
            }
        }
    }
    let length = match length {
        None => return Ok(Some(unreadable("a message has no Content-Length"))),
        Some(Err(why)) => return Ok(Some(unreadable(why))),
        Some(Ok(n)) => n,
    };
    if length > MAX_BODY {
        io::copy(&mut input.by_ref().take(length as u64), &mut io::sink())?;
        return Ok(Some(unreadable(format!(
            "a message of {length} bytes is over the limit of {MAX_BODY}"
        ))));
    }
    let mut body = Vec::with_capacity(length);
    input.by_ref().take(length as u64).read_to_end(&mut body)?;
    if body.len() < length {
        return Ok(None); // the input ended inside the message
    }
    let Ok(text) = String::from_utf8(body) else {
        return Ok(Some(unreadable("a message is not UTF-8")));
    };
    let value: Value = match serde_json::from_str(&text) {
        Ok(value) => value,
        Err(e) => return Ok(Some(unreadable(format!("a message is not JSON: {e}")))),
    };
    let id = match value.get("id") {
        Some(id @ (Value::Number(_) | Value::String(_))) => id.clone(),
        _ => Value::Null,
    };
    Ok(Some(match serde_json::from_value::<Message>(value) {
        Ok(message) => Incoming::Message(message),
        Err(e) => Incoming::Malformed {
            code: ErrorCode::InvalidRequest,
            id,
            why: format!("a message is not JSON-RPC: {e}"),
        },
    }))
}

fn skip_line(input: &mut impl BufRead) -> io::Result<()> {
    loop {
        let buffer = input.fill_buf()?;
        if buffer.is_empty() {
            return Ok(());
        }
        match buffer.iter().position(|&b| b == b'\n') {
            Some(i) => {
                input.consume(i + 1);
                return Ok(());
            }
            None => {
                let n = buffer.len();
                input.consume(n);
            }
        }
    }
}

/// Writes one message, framed, and flushes.
pub fn write(output: &mut impl Write, message: Message) -> io::Result<()> {
    message.write(output)
}

/// Writes an error response to a message that could not be read (its id
/// may be null, which `lsp_server`'s responses cannot carry).
pub fn write_error(
    output: &mut impl Write,
    code: ErrorCode,
    id: Value,
    why: &str,
) -> io::Result<()> {
    let body = serde_json::json!({
        "jsonrpc": "2.0",
        "id": id,
        "error": { "code": code as i32, "message": why },
    })
    .to_string();
    write!(output, "Content-Length: {}\r\n\r\n{body}", body.len())?;
    output.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn framed(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    fn read_all(input: &[u8]) -> Vec<String> {
        let mut input = io::BufReader::new(input);
        let mut out = Vec::new();
        while let Ok(Some(m)) = read(&mut input) {
            out.push(match m {
                Incoming::Message(Message::Request(r)) => format!("request {}", r.method),
                Incoming::Message(Message::Notification(n)) => format!("notification {}", n.method),
                Incoming::Message(Message::Response(_)) => "response".to_owned(),
                Incoming::Malformed { why, .. } => format!("malformed: {why}"),
            });
        }
        out
    }

    #[test]
    fn bad_messages_are_reported_and_reading_goes_on() {
        let mut input = Vec::new();
        input.extend(framed("{not json").as_bytes());
        input.extend(b"Content-Length: 2\r\n\r\n\xff\xfe");
        input.extend(b"Content-Length: abc\r\n\r\n");
        input.extend(framed(r#"{"jsonrpc":"2.0","method":"exit"}"#).as_bytes());
        let seen = read_all(&input);
        assert_eq!(seen.len(), 4, "{seen:?}");
        assert!(
            seen[0].starts_with("malformed: a message is not JSON"),
            "{seen:?}"
        );
        assert_eq!(seen[1], "malformed: a message is not UTF-8");
        assert_eq!(seen[2], "malformed: `Content-Length: abc` is not a length");
        assert_eq!(seen[3], "notification exit");
    }

    #[test]
    fn a_huge_length_is_not_allocated() {
        let input = b"Content-Length: 99999999999999\r\n\r\n{}";
        let seen = read_all(input);
        assert_eq!(seen.len(), 1);
        assert!(seen[0].contains("over the limit"), "{seen:?}");
    }

    #[test]
    fn a_message_cut_short_ends_the_input() {
        assert!(read_all(b"Content-Length: 50\r\n\r\n{}").is_empty());
    }
}
