//! `protoforge lsp serve` end to end: the real binary, JSON-RPC over stdio as an editor speaks it
//! (initialize, didOpen, didChange, requests, shutdown, exit).

use crate::common;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const WAIT: Duration = Duration::from_secs(30);

fn uri(path: &Path) -> String {
    let mut s = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            s.push(b as char);
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s
}

fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length:") {
            length = v.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

fn write_message(w: &mut impl Write, msg: &Value) {
    let body = msg.to_string();
    write!(w, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
    w.flush().unwrap();
}

/// An editor talking to the server.
struct Editor {
    child: Option<Child>,
    stdin: Box<dyn Write + Send>,
    messages: Receiver<Value>,
    /// Notifications received while waiting for something else.
    pending: Vec<Value>,
    next_id: i64,
    root: PathBuf,
}

impl Editor {
    fn start(root: &Path, args: &[&str]) -> Editor {
        Self::start_env(root, args, &[])
    }

    fn start_env(root: &Path, args: &[&str], env: &[(&str, &str)]) -> Editor {
        let cache = root.join(".test-cache");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_protoforge"));
        cmd.args(args)
            .current_dir(root)
            .env("PROTOFORGE_CACHE_DIR", &cache)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("start protoforge lsp serve");
        let stdout = child.stdout.take().unwrap();
        let stdin: ChildStdin = child.stdin.take().unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(msg) = read_message(&mut reader) {
                if tx.send(msg).is_err() {
                    break;
                }
            }
        });
        Editor {
            child: Some(child),
            stdin: Box::new(stdin),
            messages: rx,
            pending: Vec::new(),
            next_id: 1,
            root: std::fs::canonicalize(root).unwrap(),
        }
    }

    fn send(&mut self, msg: Value) {
        write_message(&mut self.stdin, &msg);
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request, returns its id.
    fn send_request(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        id
    }

    fn response(&mut self, id: i64) -> Value {
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let msg = self
                .messages
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("no response to request {id}"));
            if msg.get("id") == Some(&json!(id)) && msg.get("method").is_none() {
                return msg;
            }
            self.pending.push(msg);
        }
    }

    /// The result of a request (panics on an error response).
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.send_request(method, params);
        let r = self.response(id);
        assert!(r.get("error").is_none(), "{method}: {r}");
        r["result"].clone()
    }

    fn initialize(&mut self, options: Value) -> Value {
        let root = uri(&self.root);
        let r = self.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": root,
                "workspaceFolders": [{"uri": root, "name": "ws"}],
                "initializationOptions": options,
                "capabilities": {"textDocument": {
                    "documentSymbol": {"hierarchicalDocumentSymbolSupport": true},
                    "rename": {"prepareSupport": true}
                }}
            }),
        );
        self.notify("initialized", json!({}));
        r
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    fn uri(&self, rel: &str) -> String {
        uri(&self.path(rel))
    }

    fn open(&mut self, rel: &str) {
        let text = std::fs::read_to_string(self.path(rel)).unwrap();
        self.open_text(rel, &text, 1);
    }

    fn open_text(&mut self, rel: &str, text: &str, version: i64) {
        let u = self.uri(rel);
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": u, "languageId": "proto", "version": version, "text": text}}),
        );
    }

    fn change(&mut self, rel: &str, text: &str, version: i64) {
        let u = self.uri(rel);
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": u, "version": version}, "contentChanges": [{"text": text}]}),
        );
    }

    /// The next diagnostics published for `rel` (with at least `version`, when given).
    fn diagnostics(&mut self, rel: &str, version: Option<i64>) -> Value {
        let u = self.uri(rel);
        let matches = |m: &Value| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == json!(u)
                && version.is_none_or(|v| m["params"]["version"].as_i64().unwrap_or(0) >= v)
        };
        if let Some(i) = self.pending.iter().position(matches) {
            let m = self.pending.remove(i);
            return m["params"].clone();
        }
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let msg = self
                .messages
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("no diagnostics for {rel}"));
            if matches(&msg) {
                return msg["params"].clone();
            }
            self.pending.push(msg);
        }
    }

    fn at(&self, rel: &str, line: u32, character: u32) -> Value {
        json!({"textDocument": {"uri": self.uri(rel)}, "position": {"line": line, "character": character}})
    }

    fn shutdown(mut self) -> i32 {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let mut child = self.child.take().unwrap();
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                return status.code().unwrap_or(-1);
            }
            assert!(Instant::now() < deadline, "the server did not exit");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Editor {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

const A_PROTO: &str = r#"syntax = "proto3";

package acme.v1;

import "google/protobuf/timestamp.proto";

// A user of the system.
message User {
  string id = 1;
  string badName = 2;
  Status status = 3;
  google.protobuf.Timestamp created = 4;
  message Inner {
    int32 x = 1;
  }
  Inner inner = 5;
}

enum Status {
  STATUS_UNSPECIFIED = 0;
  STATUS_ACTIVE = 1;
}
"#;

const B_PROTO: &str = r#"syntax = "proto3";

package acme.v1;

import "acme/v1/a.proto";

message GetUserRequest {
  User user = 1;
  User.Inner inner = 2;
}

message GetUserResponse {
  acme.v1.User user = 1;
}

service UserService {
  rpc GetUser(GetUserRequest) returns (GetUserResponse);
}
"#;

fn small_workspace() -> tempfile::TempDir {
    common::workspace(&[
        ("buf.yaml", "version: v2\nlint:\n  use:\n    - STANDARD\n"),
        ("acme/v1/a.proto", A_PROTO),
        ("acme/v1/b.proto", B_PROTO),
    ])
}

fn range(v: &Value) -> (u64, u64, u64, u64) {
    (
        v["start"]["line"].as_u64().unwrap(),
        v["start"]["character"].as_u64().unwrap(),
        v["end"]["line"].as_u64().unwrap(),
        v["end"]["character"].as_u64().unwrap(),
    )
}

#[test]
fn editors_command_lines_start_the_server() {
    let ws = small_workspace();
    for args in [
        &["lsp", "serve"][..],
        &["--log-format", "text", "lsp", "serve"],
        &["--log-format", "text", "--debug", "lsp", "serve"],
        &["lsp", "serve", "--log-format=text"],
        &["lsp", "serve", "--timeout=0", "--log-format=text"],
        &["beta", "lsp", "--timeout=0", "--log-format=text"],
        &["lsp", "serve", "--config", "version: v2\n"],
    ] {
        let mut e = Editor::start(ws.path(), args);
        let init = e.initialize(Value::Null);
        assert_eq!(init["serverInfo"]["name"], "protoforge", "{args:?}");
        assert!(init["capabilities"]["renameProvider"]["prepareProvider"] == true);
        assert_eq!(e.shutdown(), 0, "{args:?}");
    }
}

#[test]
fn version_is_what_vscode_buf_parses() {
    let ws = small_workspace();
    let out = common::protoforge(ws.path(), &["--version"]);
    assert_eq!(out.code, 0);
    assert!(out.stderr.is_empty());
    // vscode-buf takes the first word (up to a space or `~`) as a semver version and needs at
    // least 1.43 for the language server (`lsp serve` from 1.59).
    let first = out.stdout.split([' ', '~', '\n']).next().unwrap();
    let core = first.split('-').next().unwrap();
    let numbers: Vec<u32> = core.split('.').map(|n| n.parse().unwrap()).collect();
    assert_eq!(numbers.len(), 3, "{first}");
    assert!((numbers[0], numbers[1]) >= (1, 59), "{first}");
    assert!(out.stdout.contains("protoforge"), "{}", out.stdout);
}

#[test]
fn diagnostics_follow_edits_and_never_go_stale() {
    let ws = small_workspace();
    let mut e = Editor::start(ws.path(), &["lsp", "serve"]);
    e.initialize(Value::Null);
    let a = A_PROTO.replace("STATUS_ACTIVE = 1", "active = 1");
    e.open_text("acme/v1/a.proto", &a, 1);
    let d = e.diagnostics("acme/v1/a.proto", Some(1));
    assert_eq!(d["version"], 1);
    let diags = d["diagnostics"].as_array().unwrap();
    let codes: Vec<&str> = diags.iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert_eq!(
        codes,
        [
            "FIELD_LOWER_SNAKE_CASE",
            "ENUM_VALUE_PREFIX",
            "ENUM_VALUE_UPPER_SNAKE_CASE"
        ]
    );
    // The ranges and links buf's server gives.
    assert_eq!(range(&diags[0]["range"]), (9, 9, 9, 16));
    assert_eq!(range(&diags[1]["range"]), (20, 2, 20, 8));
    assert_eq!(diags[0]["severity"], 2);
    assert_eq!(
        diags[0]["codeDescription"]["href"],
        "https://buf.build/docs/lint/rules/#field_lower_snake_case"
    );

    // Two compile errors: both reported.
    let broken = a
        .replace("Status status = 3;", "Statu status = 3;")
        .replace("int32 x = 1;", "int32 x = 1;\n    Foo y = 2;");
    e.change("acme/v1/a.proto", &broken, 2);
    let d = e.diagnostics("acme/v1/a.proto", Some(2));
    let diags = d["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), 2, "{d}");
    assert!(diags.iter().all(|d| d["severity"] == 1), "{d}");
    assert_eq!(range(&diags[0]["range"]), (10, 2, 10, 7));

    // Errors of different kinds in one file, each reported as buf reports it: a proto3 enum
    // whose first value is not zero and a field number used twice.
    let kinds = a
        .replace("STATUS_UNSPECIFIED = 0;", "STATUS_UNSPECIFIED = 7;")
        .replace("string badName = 2;", "string badName = 1;");
    e.change("acme/v1/a.proto", &kinds, 3);
    let d = e.diagnostics("acme/v1/a.proto", Some(3));
    let diags = d["diagnostics"].as_array().unwrap();
    let messages: Vec<&str> = diags
        .iter()
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert_eq!(diags.len(), 2, "{d}");
    assert!(diags.iter().all(|d| d["severity"] == 1), "{d}");
    assert!(messages.iter().any(|m| m.contains("zero")), "{messages:?}");
    assert!(messages.iter().any(|m| m.contains("1")), "{messages:?}");

    // Half-typed syntax: a diagnostic, and the server still answers.
    e.change("acme/v1/a.proto", "syntax = \"proto3\";\nmessage {", 4);
    let d = e.diagnostics("acme/v1/a.proto", Some(4));
    assert_eq!(d["diagnostics"].as_array().unwrap().len(), 1, "{d}");

    // A burst of edits: whatever is published in between, versions never go back, and the
    // last diagnostics are for the last version.
    let mut last = 4;
    for v in 5..=20 {
        let text = if v % 2 == 0 {
            A_PROTO.to_string()
        } else {
            broken.clone()
        };
        e.change("acme/v1/a.proto", &text, v);
    }
    loop {
        let d = e.diagnostics("acme/v1/a.proto", None);
        let v = d["version"].as_i64().unwrap();
        assert!(v >= last, "version {v} after {last}");
        last = v;
        if v == 20 {
            let diags = d["diagnostics"].as_array().unwrap();
            assert_eq!(diags.len(), 1, "{d}");
            assert_eq!(diags[0]["code"], "FIELD_LOWER_SNAKE_CASE");
            break;
        }
    }
    assert_eq!(e.shutdown(), 0);
}

#[test]
fn bad_config_is_a_diagnostic_not_a_dead_server() {
    let ws = common::workspace(&[
        ("buf.yaml", "version: v2\nlint:\n  use: [NOT_A_RULE]\n"),
        ("a.proto", "syntax = \"proto3\";\npackage a;\n"),
    ]);
    let mut e = Editor::start(ws.path(), &["lsp", "serve"]);
    e.initialize(Value::Null);
    e.open("a.proto");
    let d = e.diagnostics("a.proto", Some(1));
    let diags = d["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), 1, "{d}");
    assert!(
        diags[0]["message"].as_str().unwrap().contains("NOT_A_RULE"),
        "{d}"
    );
    let symbols = e.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": e.uri("a.proto")}}),
    );
    assert_eq!(symbols[0]["name"], "a");
    assert_eq!(e.shutdown(), 0);
}

fn apply(text: &str, edits: &Value) -> String {
    let offset = |pos: &Value| -> usize {
        let line = pos["line"].as_u64().unwrap() as usize;
        let ch = pos["character"].as_u64().unwrap() as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        (start + ch).min(text.len())
    };
    let mut spans: Vec<(usize, usize, String)> = edits
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut out = text.to_string();
    for (a, b, t) in spans {
        out.replace_range(a..b, &t);
    }
    out
}

#[test]
fn formatting_is_what_protoforge_format_writes() {
    let messy = "syntax=\"proto3\";\npackage acme.v1;\n\n\n\nmessage   A {int32 x=1;\n// c\n  string y = 2 ;}\nenum E {E_UNSPECIFIED=0;}\n";
    let ws = common::workspace(&[("buf.yaml", "version: v2\n"), ("acme/v1/m.proto", messy)]);
    let expected = common::protoforge(ws.path(), &["format", "acme/v1/m.proto"]).stdout;
    assert!(expected.contains("message A {"), "{expected}");
    let mut e = Editor::start(ws.path(), &["lsp", "serve"]);
    e.initialize(Value::Null);
    e.open("acme/v1/m.proto");
    let edits = e.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": e.uri("acme/v1/m.proto")}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    assert_eq!(apply(messy, &edits), expected);
    // A range: the message's lines change, the header above them does not.
    let edits = e.request(
        "textDocument/rangeFormatting",
        json!({"textDocument": {"uri": e.uri("acme/v1/m.proto")},
               "range": {"start": {"line": 5, "character": 0}, "end": {"line": 5, "character": 5}},
               "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    let out = apply(messy, &edits);
    assert!(out.contains("message A {\n  int32 x = 1;"), "{out}");
    assert!(
        out.starts_with("syntax=\"proto3\";\npackage acme.v1;\n"),
        "{out}"
    );
    assert_eq!(e.shutdown(), 0);
}

#[test]
fn navigation_across_the_workspace() {
    let ws = small_workspace();
    let mut e = Editor::start(ws.path(), &["lsp", "serve"]);
    e.initialize(Value::Null);
    e.open("acme/v1/b.proto");
    e.diagnostics("acme/v1/b.proto", Some(1));
    let a_uri = e.uri("acme/v1/a.proto");
    let b_uri = e.uri("acme/v1/b.proto");

    // `User` in `User user = 1;` of b.proto.
    let def = e.request("textDocument/definition", e.at("acme/v1/b.proto", 7, 3));
    assert_eq!(def[0]["uri"], json!(a_uri));
    assert_eq!(range(&def[0]["range"]), (7, 8, 7, 12));
    // `Inner` in `User.Inner`: the nested message.
    let def = e.request("textDocument/definition", e.at("acme/v1/b.proto", 8, 8));
    assert_eq!(range(&def[0]["range"]), (12, 10, 12, 15));
    // Type definition of the field `user`: the message User.
    let def = e.request("textDocument/typeDefinition", e.at("acme/v1/b.proto", 7, 8));
    assert_eq!(range(&def[0]["range"]), (7, 8, 7, 12));
    // Well-known types open as files.
    e.open("acme/v1/a.proto");
    let def = e.request("textDocument/definition", e.at("acme/v1/a.proto", 11, 20));
    assert!(
        def[0]["uri"]
            .as_str()
            .unwrap()
            .ends_with("google/protobuf/timestamp.proto"),
        "{def}"
    );

    // Hover: comment, full name.
    let hover = e.request("textDocument/hover", e.at("acme/v1/b.proto", 7, 3));
    let text = hover["contents"]["value"].as_str().unwrap();
    assert!(text.contains("message acme.v1.User"), "{text}");
    assert!(text.contains("A user of the system."), "{text}");
    // Hover on a field: number and type.
    let hover = e.request("textDocument/hover", e.at("acme/v1/a.proto", 10, 10));
    let text = hover["contents"]["value"].as_str().unwrap();
    assert!(text.contains("field 3 of type `Status`"), "{text}");

    // References of User from a.proto: the definition and three uses in b.proto (not open
    // before in this server as a document of its own).
    let refs = e.request(
        "textDocument/references",
        json!({"textDocument": {"uri": a_uri}, "position": {"line": 7, "character": 9},
               "context": {"includeDeclaration": true}}),
    );
    let mut got: Vec<(String, (u64, u64, u64, u64))> = refs
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["uri"].as_str().unwrap().to_string(), range(&r["range"])))
        .collect();
    got.sort();
    let mut want = vec![
        (a_uri.clone(), (7, 8, 7, 12)),
        (b_uri.clone(), (7, 2, 7, 6)),
        (b_uri.clone(), (8, 2, 8, 6)),
        (b_uri.clone(), (12, 10, 12, 14)),
    ];
    want.sort();
    assert_eq!(got, want);

    // Highlights in b.proto.
    let hl = e.request(
        "textDocument/documentHighlight",
        e.at("acme/v1/b.proto", 7, 3),
    );
    assert_eq!(hl.as_array().unwrap().len(), 3, "{hl}");

    // Rename across the workspace.
    let prep = e.request("textDocument/prepareRename", e.at("acme/v1/b.proto", 7, 3));
    assert_eq!(range(&prep), (7, 2, 7, 6));
    let mut params = e.at("acme/v1/b.proto", 7, 3);
    params["newName"] = json!("Person");
    let edit = e.request("textDocument/rename", params);
    let changes = &edit["changes"];
    let a_new = apply(A_PROTO, &changes[&a_uri]);
    let b_new = apply(B_PROTO, &changes[&b_uri]);
    assert!(a_new.contains("message Person {"), "{a_new}");
    assert!(
        b_new.contains("  Person user = 1;\n  Person.Inner inner = 2;"),
        "{b_new}"
    );
    assert!(b_new.contains("acme.v1.Person user = 1;"), "{b_new}");
    // Renaming a well-known type is refused.
    let id = e.send_request(
        "textDocument/prepareRename",
        e.at("acme/v1/a.proto", 11, 20),
    );
    assert!(e.response(id).get("error").is_some());

    // Document symbols: hierarchical.
    let symbols = e.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": a_uri}}),
    );
    let names: Vec<&str> = symbols
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["acme.v1", "User", "Status"]);
    let user_children: Vec<&str> = symbols[1]["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        user_children,
        ["id", "badName", "status", "created", "Inner", "inner"]
    );
    // Workspace symbols.
    let found = e.request("workspace/symbol", json!({"query": "GetUserRe"}));
    let mut names: Vec<&str> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["acme.v1.GetUserRequest", "acme.v1.GetUserResponse"]);
    assert_eq!(e.shutdown(), 0);
}

#[test]
fn completion_tokens_folding_links() {
    let ws = common::workspace(&[
        ("buf.yaml", "version: v2\n"),
        ("acme/v1/a.proto", A_PROTO),
        (
            "acme/other/v1/o.proto",
            "syntax = \"proto3\";\npackage acme.other.v1;\nmessage Order {}\n",
        ),
    ]);
    let mut e = Editor::start(ws.path(), &["lsp", "serve"]);
    e.initialize(Value::Null);
    e.open("acme/v1/a.proto");
    e.diagnostics("acme/v1/a.proto", Some(1));
    let text = A_PROTO.replace("  Inner inner = 5;\n", "  Inner inner = 5;\n  Or\n");
    e.change("acme/v1/a.proto", &text, 2);
    // Types in scope, keywords, and a type from a file not imported yet, with the import.
    let items = e.request("textDocument/completion", e.at("acme/v1/a.proto", 16, 4));
    let items = items.as_array().unwrap();
    let labels: Vec<&str> = items.iter().map(|i| i["label"].as_str().unwrap()).collect();
    assert!(labels.contains(&"Status"), "{labels:?}");
    assert!(labels.contains(&"User.Inner"), "{labels:?}");
    assert!(labels.contains(&"repeated"), "{labels:?}");
    assert!(labels.contains(&"string"), "{labels:?}");
    let order = items
        .iter()
        .find(|i| i["label"] == "acme.other.v1.Order")
        .expect("Order offered");
    assert_eq!(
        order["additionalTextEdits"][0]["newText"],
        "import \"acme/other/v1/o.proto\";\n"
    );
    assert_eq!(order["additionalTextEdits"][0]["range"]["start"]["line"], 5);
    // Import paths.
    let text = A_PROTO.replace(
        "import \"google/protobuf/timestamp.proto\";",
        "import \"google/protobuf/timestamp.proto\";\nimport \"acme/o",
    );
    e.change("acme/v1/a.proto", &text, 3);
    let items = e.request("textDocument/completion", e.at("acme/v1/a.proto", 5, 14));
    let labels: Vec<&str> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["acme/other/v1/o.proto"]);
    // Field options.
    e.change(
        "acme/v1/a.proto",
        &A_PROTO.replace("string id = 1;", "string id = 1 [de"),
        4,
    );
    let items = e.request("textDocument/completion", e.at("acme/v1/a.proto", 8, 19));
    assert!(items
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["label"] == "deprecated"));

    e.change("acme/v1/a.proto", A_PROTO, 5);
    // Semantic tokens: the first token is the `syntax` keyword.
    let tokens = e.request(
        "textDocument/semanticTokens/full",
        json!({"textDocument": {"uri": e.uri("acme/v1/a.proto")}}),
    );
    let data = tokens["data"].as_array().unwrap();
    assert_eq!(
        &data[..5],
        &[json!(0), json!(0), json!(6), json!(11), json!(0)]
    );
    assert!(data.len() > 100);
    // Folding: the message, the nested message, the enum.
    let folds = e.request(
        "textDocument/foldingRange",
        json!({"textDocument": {"uri": e.uri("acme/v1/a.proto")}}),
    );
    let spans: Vec<(u64, u64)> = folds
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["startLine"].as_u64().unwrap(),
                f["endLine"].as_u64().unwrap(),
            )
        })
        .collect();
    assert!(spans.contains(&(7, 15)), "{spans:?}");
    assert!(spans.contains(&(12, 13)), "{spans:?}");
    assert!(spans.contains(&(18, 20)), "{spans:?}");
    // Links: the import.
    let links = e.request(
        "textDocument/documentLink",
        json!({"textDocument": {"uri": e.uri("acme/v1/a.proto")}}),
    );
    assert_eq!(range(&links[0]["range"]), (4, 8, 4, 39));
    assert!(links[0]["target"]
        .as_str()
        .unwrap()
        .ends_with("google/protobuf/timestamp.proto"));
    assert_eq!(e.shutdown(), 0);
}

#[test]
fn code_actions_fix_lint_findings() {
    let a = A_PROTO.replace(
        "import \"google/protobuf/timestamp.proto\";",
        "import \"google/protobuf/timestamp.proto\";\nimport \"google/protobuf/duration.proto\";",
    );
    let ws = common::workspace(&[
        (
            "buf.yaml",
            "version: v2\nlint:\n  use:\n    - STANDARD\n    - IMPORT_USED\n",
        ),
        ("acme/v1/a.proto", &a),
        ("acme/v1/c.proto", "syntax = \"proto3\";\npackage acme.v1;\nimport \"acme/v1/a.proto\";\nmessage C { User u = 1; }\n"),
    ]);
    let mut e = Editor::start(ws.path(), &["lsp", "serve"]);
    e.initialize(Value::Null);
    e.open("acme/v1/a.proto");
    let d = e.diagnostics("acme/v1/a.proto", Some(1));
    let diags = d["diagnostics"].as_array().unwrap().clone();
    let find = |code: &str| {
        diags
            .iter()
            .find(|d| d["code"] == code)
            .unwrap_or_else(|| panic!("{code} in {diags:?}"))
            .clone()
    };
    let u = e.uri("acme/v1/a.proto");
    let actions = |e: &mut Editor, diag: &Value| {
        e.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": u}, "range": diag["range"], "context": {"diagnostics": [diag]}}),
        )
    };
    // Rename to the suggested name, everywhere.
    let field = find("FIELD_LOWER_SNAKE_CASE");
    let got = actions(&mut e, &field);
    let rename = got
        .as_array()
        .unwrap()
        .iter()
        .find(|a| {
            a["title"]
                .as_str()
                .unwrap()
                .starts_with("Rename to bad_name")
        })
        .expect("rename action");
    let fixed = apply(&a, &rename["edit"]["changes"][&u]);
    assert!(fixed.contains("string bad_name = 2;"), "{fixed}");
    // The ignore comment.
    let ignore = got
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"].as_str().unwrap().starts_with("Ignore"))
        .expect("ignore action");
    let fixed = apply(&a, &ignore["edit"]["changes"][&u]);
    assert!(
        fixed.contains("  // buf:lint:ignore FIELD_LOWER_SNAKE_CASE\n  string badName = 2;"),
        "{fixed}"
    );
    // Remove the unused import.
    let unused = find("IMPORT_USED");
    let got = actions(&mut e, &unused);
    let remove = got
        .as_array()
        .unwrap()
        .iter()
        .find(|a| {
            a["title"]
                .as_str()
                .unwrap()
                .starts_with("Remove unused import")
        })
        .expect("remove action");
    let fixed = apply(&a, &remove["edit"]["changes"][&u]);
    assert!(!fixed.contains("duration.proto"), "{fixed}");
    assert!(fixed.contains("timestamp.proto"), "{fixed}");
    // Organize imports: the unused one goes.
    let got = e.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": u}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
               "context": {"diagnostics": [], "only": ["source.organizeImports"]}}),
    );
    let fixed = apply(&a, &got[0]["edit"]["changes"][&u]);
    assert!(
        fixed.contains(
            "package acme.v1;\n\nimport \"google/protobuf/timestamp.proto\";\n\n// A user"
        ),
        "{fixed}"
    );
    // Deprecate a field.
    let got = e.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": u}, "range": {"start": {"line": 9, "character": 4}, "end": {"line": 9, "character": 4}},
               "context": {"diagnostics": [], "only": ["refactor.rewrite"]}}),
    );
    let fixed = apply(&a, &got[0]["edit"]["changes"][&u]);
    assert!(
        fixed.contains("string id = 1 [deprecated = true];"),
        "{fixed}"
    );
    assert_eq!(e.shutdown(), 0);
}

#[test]
fn a_panic_is_an_error_response_and_the_server_goes_on() {
    let ws = small_workspace();
    let mut e = Editor::start_env(
        ws.path(),
        &["lsp", "serve"],
        &[("PROTOFORGE_LSP_TEST_PANIC", "1")],
    );
    e.initialize(Value::Null);
    let id = e.send_request("protoforge/testPanic", json!({}));
    let r = e.response(id);
    assert_eq!(r["error"]["code"], -32603, "{r}");
    e.open("acme/v1/b.proto");
    let def = e.request("textDocument/definition", e.at("acme/v1/b.proto", 7, 3));
    assert_eq!(range(&def[0]["range"]), (7, 8, 7, 12));
    assert_eq!(e.shutdown(), 0);
}

#[cfg(unix)]
#[test]
fn pipe_serves_over_a_unix_socket() {
    use std::os::unix::net::UnixListener;
    let ws = small_workspace();
    let sock = ws.path().join("lsp.sock");
    // The editor listens (as VS Code's pipe transport does); the server connects.
    let listener = UnixListener::bind(&sock).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_protoforge"))
        .args(["lsp", "serve", "--pipe"])
        .arg(&sock)
        .current_dir(ws.path())
        .env("PROTOFORGE_CACHE_DIR", ws.path().join(".test-cache"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (stream, _) = listener.accept().unwrap();
    stream.set_read_timeout(Some(WAIT)).unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    write_message(
        &mut writer,
        &json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}),
    );
    let r = read_message(&mut reader).unwrap();
    assert_eq!(r["result"]["serverInfo"]["name"], "protoforge");
    write_message(
        &mut writer,
        &json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}),
    );
    write_message(
        &mut writer,
        &json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}),
    );
    let r = read_message(&mut reader).unwrap();
    assert_eq!(r["id"], 2);
    write_message(&mut writer, &json!({"jsonrpc": "2.0", "method": "exit"}));
    assert!(child.wait().unwrap().success());
}

/// Commits every file of `dir` into a new git repository there.
fn commit_all(dir: &Path) {
    let repo = git2::Repository::init(dir).unwrap();
    let mut index = repo.index().unwrap();
    index
        .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
        .unwrap();
    index.write().unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let sig = git2::Signature::now("t", "t@example.com").unwrap();
    repo.commit(Some("HEAD"), &sig, &sig, "first", &tree, &[])
        .unwrap();
}

#[test]
fn breaking_changes_against_git_head_with_the_reserved_fix() {
    // WIRE_JSON: a deletion is safe once its number and name are reserved.
    let ws = common::workspace(&[
        (
            "buf.yaml",
            "version: v2\nlint:\n  use:\n    - STANDARD\nbreaking:\n  use:\n    - WIRE_JSON\n",
        ),
        ("acme/v1/a.proto", A_PROTO),
        ("acme/v1/b.proto", B_PROTO),
    ]);
    commit_all(ws.path());
    let mut e = Editor::start(ws.path(), &["lsp", "serve"]);
    e.initialize(Value::Null);
    // The field `status` deleted in the editor (not saved).
    let edited = A_PROTO.replace("  Status status = 3;\n", "");
    e.open_text("acme/v1/a.proto", &edited, 1);
    let d = e.diagnostics("acme/v1/a.proto", Some(1));
    let diags = d["diagnostics"].as_array().unwrap().clone();
    let deleted = diags
        .iter()
        .find(|d| d["code"] == "FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED")
        .unwrap_or_else(|| panic!("FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED in {d}"));
    assert_eq!(deleted["source"], "protoforge breaking");
    assert_eq!(
        deleted["codeDescription"]["href"],
        "https://buf.build/docs/breaking/rules/#field_no_delete_unless_number_reserved"
    );
    let u = e.uri("acme/v1/a.proto");
    let actions = e.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": u}, "range": deleted["range"], "context": {"diagnostics": [deleted]}}),
    );
    let fix = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"].as_str().unwrap().starts_with("Reserve"))
        .unwrap_or_else(|| panic!("a reserved fix in {actions}"));
    let fixed = apply(&edited, &fix["edit"]["changes"][&u]);
    assert!(fixed.contains("reserved 3;"), "{fixed}");
    assert!(fixed.contains("reserved \"status\";"), "{fixed}");
    // With the fix applied, nothing is breaking any more.
    e.change("acme/v1/a.proto", &fixed, 2);
    let d = e.diagnostics("acme/v1/a.proto", Some(2));
    assert!(
        !d["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["source"] == "protoforge breaking"),
        "{d}"
    );
    assert_eq!(e.shutdown(), 0);

    // The off switch.
    let mut e = Editor::start(ws.path(), &["lsp", "serve"]);
    e.initialize(json!({"protoforge": {"breaking": false}}));
    e.open_text("acme/v1/a.proto", &edited, 1);
    let d = e.diagnostics("acme/v1/a.proto", Some(1));
    assert!(
        !d["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["source"] == "protoforge breaking"),
        "{d}"
    );
    assert_eq!(e.shutdown(), 0);
}

/// An editor that registers watchers at run time is asked to watch `.proto` and buf's config
/// files; a watched-file notice makes the server look at the disk again at once (a file created
/// in the document's directory with another package is seen before the session's disk interval).
#[test]
fn watched_files_are_registered_and_seen() {
    let dir = small_workspace();
    let mut c = Editor::start(dir.path(), &["lsp", "serve"]);
    let root = uri(&c.root.clone());
    let id = c.send_request(
        "initialize",
        json!({
            "processId": null,
            "rootUri": root,
            "capabilities": {"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}}
        }),
    );
    c.response(id);
    c.notify("initialized", json!({}));
    let deadline = Instant::now() + WAIT;
    let registration = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let msg = c.messages.recv_timeout(left).expect("no registration");
        if msg["method"] == "client/registerCapability" {
            break msg;
        }
        c.pending.push(msg);
    };
    let reg = &registration["params"]["registrations"][0];
    assert_eq!(reg["method"], "workspace/didChangeWatchedFiles");
    let globs: Vec<&str> = reg["registerOptions"]["watchers"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|w| w["globPattern"].as_str())
        .collect();
    assert!(
        globs.contains(&"**/*.proto") && globs.contains(&"**/buf.yaml"),
        "{globs:?}"
    );
    c.send(json!({"jsonrpc": "2.0", "id": registration["id"], "result": null}));

    c.open("acme/v1/a.proto");
    let before = c.diagnostics("acme/v1/a.proto", Some(1));
    let codes = |d: &Value| -> Vec<String> {
        d["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|x| x["code"].as_str().map(String::from))
            .collect()
    };
    assert!(
        !codes(&before).contains(&"DIRECTORY_SAME_PACKAGE".to_string()),
        "{before}"
    );
    std::fs::write(
        c.path("acme/v1/other.proto"),
        "syntax = \"proto3\";\npackage acme.v9;\n",
    )
    .unwrap();
    let created = c.uri("acme/v1/other.proto");
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": created, "type": 1}]}),
    );
    let after = c.diagnostics("acme/v1/a.proto", Some(1));
    assert!(
        codes(&after).contains(&"DIRECTORY_SAME_PACKAGE".to_string()),
        "{after}"
    );
    c.shutdown();
}
