//! `yardstick lsp` through the real binary: a scripted client speaks the
//! protocol over stdio (Content-Length framing, initialize, didOpen,
//! didChange, requests, shutdown and exit) on a small two-file library.
//! Every expected line, column, label and text is worked out by hand from
//! the fixture below (columns in UTF-16 code units, as the protocol
//! counts them by default).

#![allow(clippy::panic, clippy::unwrap_used)] // a test: failing loudly is the point

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

const SOURCES: &str = r#"/// Support tickets.
source tickets {
  path: "tickets.csv"
  time: opened_at
  key: ticket_id
  join accounts on account_id
  columns {
    ticket_id: string
    account_id: string
    opened_at: timestamp
    cost_usd: float @usd
  }
}

source accounts {
  path: "accounts.csv"
  key: account_id
  columns {
    account_id: string
    segment: string
  }
}
"#;

/// On disk: clean. Line 19 holds a non-BMP character (two UTF-16 units,
/// four bytes) so columns after it differ by encoding.
const METRICS: &str = r#"owner finance {
  name: "Finance"
  contact: "fpa@example.com"
}

outcome efficiency {
  owner: finance
  direction: lower
  measured_by: cost_per_ticket
}

/// What one ticket costs.
metric cost_per_ticket {
  title: "Cost per ticket"
  version: 3
  owner: finance
  drives: efficiency
  unit: usd
  from: tickets
  where: ticket_id != "𝔸"
  formula: sum(cost_usd) / count()
  changelog {
    3: "Counts refunded tickets"
  }
}
"#;

const TIMEOUT: Duration = Duration::from_secs(20);

struct Client {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    next_id: i64,
    /// Notifications read while waiting for something else.
    pending: Vec<Value>,
}

impl Client {
    fn start(dir: &Path) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_yardstick"))
            .arg("lsp")
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (sender, messages) = mpsc::channel();
        std::thread::spawn(move || {
            let mut out = BufReader::new(stdout);
            loop {
                let mut length = None;
                loop {
                    let mut line = String::new();
                    if out.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(n) = line.strip_prefix("Content-Length: ") {
                        length = Some(n.parse::<usize>().unwrap());
                    }
                }
                let mut body = vec![0; length.expect("a Content-Length header")];
                out.read_exact(&mut body).unwrap();
                if sender.send(serde_json::from_slice(&body).unwrap()).is_err() {
                    return;
                }
            }
        });
        Client {
            child,
            stdin,
            messages,
            next_id: 0,
            pending: Vec::new(),
        }
    }

    fn send_raw(&mut self, body: &[u8]) {
        write!(self.stdin, "Content-Length: {}\r\n\r\n", body.len()).unwrap();
        self.stdin.write_all(body).unwrap();
        self.stdin.flush().unwrap();
    }

    fn send(&mut self, message: Value) {
        self.send_raw(message.to_string().as_bytes());
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn next(&mut self) -> Value {
        self.messages
            .recv_timeout(TIMEOUT)
            .expect("the server answers in time")
    }

    /// Sends a request and returns its whole response.
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.response(json!(id))
    }

    fn response(&mut self, id: Value) -> Value {
        loop {
            let message = self.next();
            if message.get("method").is_some() {
                self.pending.push(message);
            } else if message["id"] == id {
                return message;
            }
        }
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        let is_for = |m: &Value| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        };
        if let Some(i) = self.pending.iter().position(is_for) {
            let m = self.pending.remove(i);
            return m["params"]["diagnostics"].as_array().unwrap().clone();
        }
        loop {
            let m = self.next();
            if is_for(&m) {
                return m["params"]["diagnostics"].as_array().unwrap().clone();
            }
            self.pending.push(m);
        }
    }

    fn at(&mut self, method: &str, uri: &str, line: u32, character: u32) -> Value {
        let params = json!({
            "textDocument": {"uri": uri},
            "position": {"line": line, "character": character},
        });
        self.request(method, params)["result"].clone()
    }

    fn change(&mut self, uri: &str, version: i32, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"text": text}],
            }),
        );
    }
}

fn range(l1: u32, c1: u32, l2: u32, c2: u32) -> Value {
    json!({"start": {"line": l1, "character": c1}, "end": {"line": l2, "character": c2}})
}

fn labels(items: &Value) -> Vec<String> {
    let mut labels: Vec<String> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap().to_owned())
        .collect();
    labels.sort();
    labels
}

fn library() -> (tempfile::TempDir, String, String) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("sources.yard"), SOURCES).unwrap();
    std::fs::write(dir.path().join("metrics.yard"), METRICS).unwrap();
    let uri = |name: &str| {
        let path = dir.path().canonicalize().unwrap().join(name);
        format!("file://{}", path.display())
    };
    let (metrics, sources) = (uri("metrics.yard"), uri("sources.yard"));
    (dir, metrics, sources)
}

fn initialize(client: &mut Client) -> Value {
    let init = client.request("initialize", json!({"capabilities": {}, "processId": null}));
    client.notify("initialized", json!({}));
    init
}

#[test]
fn a_session_diagnoses_hovers_jumps_completes_and_exits_cleanly() {
    let (dir, metrics, sources) = library();
    let mut client = Client::start(dir.path());

    let init = initialize(&mut client);
    let caps = &init["result"]["capabilities"];
    assert_eq!(caps["hoverProvider"], true);
    assert_eq!(caps["definitionProvider"], true);
    assert_eq!(caps["positionEncoding"], "utf-16");
    assert_eq!(init["result"]["serverInfo"]["name"], "yardstick");

    // The unsaved buffer reads a column that does not exist; `from:
    // tickets` resolves only because the server reads sources.yard too.
    let broken = METRICS.replace("!= \"𝔸\"", "!= \"𝔸\" and cost_usdd > 0");
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": metrics, "languageId": "yard", "version": 1, "text": broken}}),
    );
    let diags = client.diagnostics(&metrics);
    assert_eq!(diags.len(), 1, "{diags:#?}");
    let d = &diags[0];
    assert_eq!(d["code"], "yardstick::name::unresolved");
    assert_eq!(d["severity"], 1);
    assert_eq!(d["source"], "yardstick");
    // `  where: ticket_id != "𝔸" and cost_usdd > 0`: `𝔸` is columns 23-24.
    assert_eq!(d["range"], range(19, 31, 19, 40));
    let message = d["message"].as_str().unwrap();
    assert!(
        message.starts_with("no column named `cost_usdd`"),
        "{message}"
    );
    assert!(
        message.contains("help: did you mean `cost_usd`?"),
        "{message}"
    );

    // Fixing the buffer clears them.
    client.change(&metrics, 2, METRICS);
    assert_eq!(client.diagnostics(&metrics), Vec::<Value>::new());

    // Hover: the metric at its declaration, a column in the formula, an owner.
    let hover = client.at("textDocument/hover", &metrics, 12, 10);
    assert_eq!(
        hover["contents"]["value"],
        "**metric `cost_per_ticket`** — Cost per ticket\n\n\
         What one ticket costs.\n\n\
         ```yard\nsum(cost_usd) / count()\n```\n\n\
         unit: `usd` · owner: `finance` (Finance) · version: 3 · from `tickets`"
    );
    assert_eq!(hover["contents"]["kind"], "markdown");
    assert_eq!(hover["range"], range(12, 7, 12, 22));
    let hover = client.at("textDocument/hover", &metrics, 20, 16);
    assert_eq!(
        hover["contents"]["value"],
        "**column `cost_usd`** of source `tickets`\n\n`float`, unit `usd`"
    );
    let hover = client.at("textDocument/hover", &metrics, 15, 10);
    assert_eq!(
        hover["contents"]["value"],
        "**owner `finance`** — Finance\n\ncontact: fpa@example.com"
    );
    let hover = client.at("textDocument/hover", &metrics, 20, 13);
    let text = hover["contents"]["value"].as_str().unwrap();
    assert!(
        text.starts_with("**sum** (aggregate)\n\n`sum(x)`"),
        "{text}"
    );

    // Go to definition: a source, a column, an owner, an outcome, a metric.
    let jump = |client: &mut Client, line, character| {
        client.at("textDocument/definition", &metrics, line, character)
    };
    assert_eq!(
        jump(&mut client, 18, 10),
        json!({"uri": sources, "range": range(1, 7, 1, 14)})
    );
    assert_eq!(
        jump(&mut client, 20, 16),
        json!({"uri": sources, "range": range(10, 4, 10, 12)})
    );
    assert_eq!(
        jump(&mut client, 15, 10),
        json!({"uri": metrics, "range": range(0, 6, 0, 13)})
    );
    assert_eq!(
        jump(&mut client, 16, 12),
        json!({"uri": metrics, "range": range(5, 8, 5, 18)})
    );
    assert_eq!(
        jump(&mut client, 8, 20),
        json!({"uri": metrics, "range": range(12, 7, 12, 22)})
    );
    // Nothing is declared under a keyword or a string.
    assert_eq!(jump(&mut client, 13, 12), Value::Null);

    // Completion after `from: ` offers the sources, replacing nothing.
    let typing = METRICS.replace("  from: tickets\n", "  from: \n");
    client.change(&metrics, 3, &typing);
    let items = client.at("textDocument/completion", &metrics, 18, 8);
    assert_eq!(labels(&items), ["accounts", "tickets"]);
    let tickets = items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["label"] == "tickets")
        .unwrap();
    assert_eq!(tickets["detail"], "tickets.csv");
    assert_eq!(
        tickets["textEdit"],
        json!({"range": range(18, 8, 18, 8), "newText": "tickets"})
    );
    // A field key at the start of a line, unless the block has it already;
    // functions in a formula.
    let typing = METRICS.replace("  from: tickets\n", "  from: tickets\n  fo\n");
    client.change(&metrics, 4, &typing);
    let items = client.at("textDocument/completion", &metrics, 19, 4);
    assert_eq!(labels(&items), Vec::<String>::new());
    let typing = METRICS.replace("  formula: sum(cost_usd) / count()\n", "  fo\n");
    client.change(&metrics, 5, &typing);
    let items = client.at("textDocument/completion", &metrics, 20, 4);
    assert_eq!(labels(&items), ["formula"]);
    assert_eq!(items[0]["textEdit"]["newText"], "formula: ");
    let typing = METRICS.replace("sum(cost_usd) / count()", "sum(cost_usd) / cou");
    client.change(&metrics, 6, &typing);
    let items = client.at("textDocument/completion", &metrics, 20, 30);
    assert_eq!(labels(&items), ["count", "count_distinct"]);
    let typing = METRICS.replace(
        "sum(cost_usd) / count()",
        "sum(cost_usd) / count(where accounts.s",
    );
    client.change(&metrics, 7, &typing);
    let items = client.at("textDocument/completion", &metrics, 20, 49);
    assert_eq!(labels(&items), ["accounts.segment"]);

    let shutdown = client.request("shutdown", Value::Null);
    assert_eq!(shutdown["result"], Value::Null);
    assert!(shutdown.get("error").is_none());
    client.notify("exit", Value::Null);
    let status = client.child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
}

#[test]
fn bad_messages_are_answered_and_the_server_goes_on() {
    let (dir, metrics, _) = library();
    let mut client = Client::start(dir.path());

    // Before `initialize`, requests are refused.
    let early = client.request("textDocument/hover", json!({}));
    assert_eq!(early["error"]["code"], -32002);
    initialize(&mut client);

    // Not JSON, not UTF-8, not JSON-RPC: each answered, none fatal.
    client.send_raw(b"{\"jsonrpc\": \"2.0\", \"id\": 1,");
    let answer = client.response(Value::Null);
    assert_eq!(answer["error"]["code"], -32700);
    client.send_raw(b"\xff\xfe\xfd");
    assert_eq!(client.response(Value::Null)["error"]["code"], -32700);
    client.send(json!({"jsonrpc": "2.0", "id": 77, "params": {}}));
    assert_eq!(client.response(json!(77))["error"]["code"], -32600);

    // An unknown method, and a known one with params of the wrong shape.
    let unknown = client.request("textDocument/rename", json!({}));
    assert_eq!(unknown["error"]["code"], -32601);
    let wrong = client.request("textDocument/hover", json!({"textDocument": 3}));
    assert_eq!(wrong["error"]["code"], -32602);

    // Positions beyond the end of the document, and a document never opened.
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": metrics, "languageId": "yard", "version": 1, "text": METRICS}}),
    );
    assert_eq!(client.diagnostics(&metrics), Vec::<Value>::new());
    assert_eq!(
        client.at("textDocument/hover", &metrics, 900, 4),
        Value::Null
    );
    assert_eq!(
        client.at("textDocument/hover", &metrics, 0, 9000),
        Value::Null
    );
    let items = client.at("textDocument/completion", &metrics, 4000, 0);
    assert_eq!(
        labels(&items),
        ["metric", "outcome", "owner", "source", "test"]
    );
    let elsewhere = "file:///nowhere/at/all.yard";
    assert_eq!(
        client.at("textDocument/definition", elsewhere, 0, 0),
        Value::Null
    );

    // A ranged edit past the end is clamped, and then the text is checked.
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": metrics, "version": 2},
            "contentChanges": [{"range": range(500, 0, 600, 0), "text": "metric"}],
        }),
    );
    let diags = client.diagnostics(&metrics);
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert_eq!(diags[0]["code"], "yardstick::syntax::error");

    // `exit` without `shutdown` ends with 1, as the protocol says.
    client.notify("exit", Value::Null);
    assert_eq!(client.child.wait().unwrap().code(), Some(1));
}

#[test]
fn a_file_belongs_to_the_library_of_the_nearest_yardstick_toml() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    std::fs::write(root.join("yardstick.toml"), "").unwrap();
    std::fs::create_dir(root.join("metrics")).unwrap();
    std::fs::write(root.join("sources.yard"), SOURCES).unwrap();
    // A file that is not UTF-8: named in a message, the rest still checked.
    std::fs::write(
        root.join("broken.yard"),
        b"owner x {\n  name: \"\xff\"\n}\n",
    )
    .unwrap();
    let uri = format!("file://{}", root.join("metrics/metrics.yard").display());
    let mut client = Client::start(&root);
    initialize(&mut client);
    // Not saved yet: the file exists only as a buffer, in a subfolder.
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "yard", "version": 1, "text": METRICS}}),
    );
    // `from: tickets` resolves: sources.yard, two folders up the tree from
    // the buffer's folder, is part of its library.
    assert_eq!(client.diagnostics(&uri), Vec::<Value>::new());
    let shown = client
        .pending
        .iter()
        .find(|m| m["method"] == "window/showMessage")
        .cloned()
        .unwrap_or_else(|| {
            // Sent before the diagnostics, so already read.
            panic!("no message about broken.yard: {:#?}", client.pending)
        });
    let text = shown["params"]["message"].as_str().unwrap();
    assert!(
        text.contains("broken.yard") && text.contains("not UTF-8"),
        "{text}"
    );
    let sources = format!("file://{}", root.join("sources.yard").display());
    assert_eq!(
        client.at("textDocument/definition", &uri, 18, 10),
        json!({"uri": sources, "range": range(1, 7, 1, 14)})
    );
    client.request("shutdown", Value::Null);
    client.notify("exit", Value::Null);
    assert_eq!(client.child.wait().unwrap().code(), Some(0));
}

#[test]
fn files_changed_on_disk_are_read_again_when_the_client_watches_them() {
    let (dir, metrics, sources) = library();
    let mut client = Client::start(dir.path());
    let capabilities =
        json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}});
    client.request("initialize", json!({"capabilities": capabilities}));
    client.notify("initialized", json!({}));
    // The server asks the client to watch the library's files.
    let register = loop {
        let m = client.next();
        if m["method"] == "client/registerCapability" {
            break m;
        }
    };
    let registration = &register["params"]["registrations"][0];
    assert_eq!(registration["method"], "workspace/didChangeWatchedFiles");
    let globs: Vec<&str> = registration["registerOptions"]["watchers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["globPattern"].as_str().unwrap())
        .collect();
    assert_eq!(
        globs,
        ["**/*.yard", "**/yardstick.lock", "**/yardstick.toml"]
    );
    client.send(json!({"jsonrpc": "2.0", "id": register["id"], "result": null}));

    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": metrics, "languageId": "yard", "version": 1, "text": METRICS}}),
    );
    assert_eq!(client.diagnostics(&metrics), Vec::<Value>::new());
    // sources.yard is renamed away on disk (not in the editor).
    let renamed = SOURCES.replace("source tickets {", "source tickets_v2 {");
    std::fs::write(dir.path().join("sources.yard"), renamed).unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": sources, "type": 2}]}),
    );
    let diags = client.diagnostics(&metrics);
    assert!(!diags.is_empty());
    // `  from: tickets`: the first problem, by position.
    assert_eq!(diags[0]["code"], "yardstick::name::unresolved");
    assert_eq!(diags[0]["range"], range(18, 8, 18, 15));
    client.request("shutdown", Value::Null);
    client.notify("exit", Value::Null);
    assert_eq!(client.child.wait().unwrap().code(), Some(0));
}
