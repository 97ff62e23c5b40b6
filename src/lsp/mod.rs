//! `protoforge lsp serve`: the language server. It owns the editor session: the JSON-RPC loop
//! (rust-analyzer's `lsp-server` over stdio or a UNIX socket), the open documents and their
//! versions, the workspaces found for them (as buf finds them: the nearest `buf.work.yaml` or v2
//! `buf.yaml` above the file, else the nearest v1 `buf.yaml`, else the editor's folder), and the
//! answers to the editor's questions, each built from the lower layers: diagnostics from
//! [`crate::engine::Session`] (compile errors and lint findings of the file, its imports and the
//! module summaries only), formatting from [`crate::format`], breaking-change diagnostics from
//! [`crate::breaking`], and navigation from [`analysis`] (symbols and name resolution over the
//! syntax trees of the file and what it imports, or of every workspace file that mentions a name).
//!
//! Work is done on one thread, in order. Messages that arrived together are handled together:
//! edits are applied first, a request cancelled before it was reached is answered as cancelled,
//! and diagnostics are computed only for the newest version of each document, after the
//! requests (a newer edit makes older diagnostics obsolete before they are computed). A panic
//! while answering a request is caught and answered as an error; the server goes on.

mod actions;
pub mod analysis;
pub mod convert;
mod diagnostics;
mod features;
mod transport;
mod workspaces;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types as lt;
use serde_json::Value;

use crate::check::Finding;
use crate::cli::LspServeArgs;
use crate::engine::session::FileAnswer;
use crate::engine::Session;
use crate::{Error, Result};
use analysis::{FileSyms, Index};
use convert::{path_to_uri, uri_to_path, LineIndex};

/// How `lsp serve` logs (to stderr): buf's `--log-format` and `--debug`.
#[derive(Debug, Clone, Default)]
pub struct LogOptions {
    pub format: Option<String>,
    pub debug: bool,
}

/// Runs the server until the editor sends `exit` (or closes the connection).
pub fn serve(args: LspServeArgs, log: LogOptions) -> Result<()> {
    if let Some(f) = log.format.as_deref() {
        if !["text", "color", "json"].contains(&f) {
            return Err(Error::new(format!(
                "--log-format {f:?}: not one of text, color, json"
            )));
        }
    }
    let (connection, io) = match &args.pipe {
        Some(path) => transport::unix_socket(path)?,
        None => {
            let (c, io) = Connection::stdio();
            (c, transport::Io::Threads(io))
        }
    };
    let logger = Logger { options: log };
    let (id, params) = connection
        .initialize_start()
        .map_err(|e| Error::new(format!("lsp: the editor did not initialize: {e}")))?;
    let init: lt::InitializeParams = serde_json::from_value(params).unwrap_or_default();
    let result = lt::InitializeResult {
        capabilities: features::capabilities(),
        server_info: Some(lt::ServerInfo {
            name: "protoforge".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }),
    };
    connection
        .initialize_finish(id, serde_json::to_value(result).unwrap_or(Value::Null))
        .map_err(|e| Error::new(format!("lsp: initialize: {e}")))?;
    logger.info("protoforge language server started");
    register_file_watcher(&connection.sender, &init);
    let mut server = Server::new(connection.sender.clone(), &init, args.config, logger);
    server.run(&connection.receiver);
    drop(server);
    drop(connection);
    io.join();
    Ok(())
}

/// Asks an editor that can register watchers at run time to tell of changes on disk to `.proto`
/// files and buf's config files (other tools, branch switches): the sessions then look at the disk
/// at once instead of after their disk interval.
fn register_file_watcher(sender: &crossbeam_channel::Sender<Message>, init: &lt::InitializeParams) {
    let dynamic = init
        .capabilities
        .workspace
        .as_ref()
        .and_then(|w| w.did_change_watched_files.as_ref())
        .and_then(|d| d.dynamic_registration)
        .unwrap_or(false);
    if !dynamic {
        return;
    }
    let watchers = [
        "**/*.proto",
        "**/buf.yaml",
        "**/buf.work.yaml",
        "**/buf.lock",
    ]
    .iter()
    .map(|g| lt::FileSystemWatcher {
        glob_pattern: lt::GlobPattern::String(g.to_string()),
        kind: None,
    })
    .collect();
    let options = lt::DidChangeWatchedFilesRegistrationOptions { watchers };
    let params = lt::RegistrationParams {
        registrations: vec![lt::Registration {
            id: "protoforge-watched-files".into(),
            method: "workspace/didChangeWatchedFiles".into(),
            register_options: serde_json::to_value(options).ok(),
        }],
    };
    let _ = sender.send(Message::Request(Request::new(
        RequestId::from("protoforge-register-watcher".to_string()),
        "client/registerCapability".into(),
        params,
    )));
}

struct Logger {
    options: LogOptions,
}

impl Logger {
    fn log(&self, level: &str, msg: &str) {
        match self.options.format.as_deref() {
            Some("json") => eprintln!(
                "{}",
                serde_json::json!({"level": level, "message": msg, "logger": "protoforge-lsp"})
            ),
            _ => eprintln!("{level:<5} protoforge-lsp: {msg}"),
        }
    }
    fn info(&self, msg: &str) {
        self.log("INFO", msg);
    }
    fn debug(&self, msg: impl FnOnce() -> String) {
        if self.options.debug {
            self.log("DEBUG", &msg());
        }
    }
}

/// An open document.
struct Doc {
    uri: lt::Uri,
    path: PathBuf,
    version: i32,
    text: Arc<str>,
    /// The workspace root the document belongs to, and its path there.
    workspace: PathBuf,
    root_path: String,
}

/// The last answers computed for a document version.
struct Checked {
    version: i32,
    index: Arc<Index>,
    /// The document's file in the index.
    file: usize,
    findings: Vec<Finding>,
    /// The document's symbols at its last version that parsed (names to complete while the
    /// text is half-typed).
    last_parsed: Option<Arc<FileSyms>>,
    /// Breaking changes against the configured git ref.
    breaking: Vec<Finding>,
    /// The `reserved` fixes of the breaking changes: (range of the finding, title, edits).
    breaking_fixes: Vec<diagnostics::QuickFix>,
}

/// How long a session trusts its listing of the files on disk and their stamps between edits
/// (saves and watched-file notices make it look again at once).
const DISK_INTERVAL: Duration = Duration::from_secs(2);

/// Settings the editor can change (`initializationOptions` or `workspace/didChangeConfiguration`,
/// under `protoforge`, or at the top level).
#[derive(Debug, Clone)]
struct Settings {
    /// Breaking-change diagnostics against this git ref; `None`: off.
    breaking_against: Option<String>,
}

impl Settings {
    fn from_json(value: Option<&Value>, mut current: Settings) -> Settings {
        let Some(v) = value else { return current };
        let v = v.get("protoforge").unwrap_or(v);
        if let Some(b) = v.get("breaking") {
            match b {
                Value::Bool(false) | Value::Null => current.breaking_against = None,
                Value::Bool(true) => current.breaking_against = Some("HEAD".into()),
                Value::String(r) if r.is_empty() || r == "off" => current.breaking_against = None,
                Value::String(r) => current.breaking_against = Some(r.clone()),
                Value::Object(o) => {
                    let enabled = o.get("enabled").and_then(Value::as_bool).unwrap_or(true);
                    let against = o
                        .get("against")
                        .and_then(Value::as_str)
                        .unwrap_or("HEAD")
                        .to_string();
                    current.breaking_against = enabled.then_some(against);
                }
                _ => {}
            }
        }
        current
    }
}

pub(crate) struct Server {
    sender: crossbeam_channel::Sender<Message>,
    docs: HashMap<String, Doc>,
    sessions: HashMap<PathBuf, Session>,
    checked: HashMap<String, Checked>,
    /// Documents whose diagnostics are not computed for their newest version.
    dirty: BTreeSet<String>,
    /// For each document, the other files it published diagnostics for (errors in imports).
    published_elsewhere: HashMap<String, HashSet<String>>,
    /// Parsed files by import path (reused while the text is the same).
    syms: HashMap<String, Arc<FileSyms>>,
    folders: Vec<PathBuf>,
    config: Option<String>,
    settings: Settings,
    /// The against side of breaking-change diagnostics, by (workspace, commit, file).
    against: diagnostics::AgainstCache,
    log: Logger,
    shutting_down: bool,
}

type Answer = std::result::Result<Value, (ErrorCode, String)>;

impl Server {
    fn new(
        sender: crossbeam_channel::Sender<Message>,
        init: &lt::InitializeParams,
        config: Option<String>,
        log: Logger,
    ) -> Server {
        let mut folders: Vec<PathBuf> = init
            .workspace_folders
            .iter()
            .flatten()
            .filter_map(|f| uri_to_path(&f.uri))
            .collect();
        #[allow(deprecated)]
        if let Some(root) = init.root_uri.as_ref().and_then(uri_to_path) {
            if !folders.contains(&root) {
                folders.push(root);
            }
        }
        let settings = Settings::from_json(
            init.initialization_options.as_ref(),
            Settings {
                breaking_against: Some("HEAD".into()),
            },
        );
        Server {
            sender,
            docs: HashMap::new(),
            sessions: HashMap::new(),
            checked: HashMap::new(),
            dirty: BTreeSet::new(),
            published_elsewhere: HashMap::new(),
            syms: HashMap::new(),
            folders,
            config,
            settings,
            against: Default::default(),
            log,
            shutting_down: false,
        }
    }

    fn run(&mut self, receiver: &crossbeam_channel::Receiver<Message>) {
        while let Ok(first) = receiver.recv() {
            let mut batch = vec![first];
            batch.extend(receiver.try_iter());
            let cancelled: HashSet<RequestId> = batch
                .iter()
                .filter_map(|m| match m {
                    Message::Notification(n) if n.method == "$/cancelRequest" => {
                        serde_json::from_value::<lt::CancelParams>(n.params.clone())
                            .ok()
                            .map(|p| match p.id {
                                lt::NumberOrString::Number(n) => RequestId::from(n),
                                lt::NumberOrString::String(s) => RequestId::from(s),
                            })
                    }
                    _ => None,
                })
                .collect();
            for msg in batch {
                match msg {
                    Message::Request(req) => {
                        if cancelled.contains(&req.id) {
                            self.respond(Response::new_err(
                                req.id,
                                ErrorCode::RequestCanceled as i32,
                                "cancelled".into(),
                            ));
                            continue;
                        }
                        if req.method == "shutdown" {
                            self.shutting_down = true;
                            self.respond(Response::new_ok(req.id, Value::Null));
                            continue;
                        }
                        self.request(req);
                    }
                    Message::Notification(n) => {
                        if n.method == "exit" {
                            return;
                        }
                        self.notification(n);
                    }
                    Message::Response(_) => {}
                }
            }
            // Diagnostics for the newest versions, unless more messages are waiting (they may
            // be newer edits: the diagnostics would be obsolete).
            while receiver.is_empty() {
                let Some(uri) = self.dirty.pop_first() else {
                    break;
                };
                let started = Instant::now();
                let outcome = catch_unwind(AssertUnwindSafe(|| {
                    self.ensure_checked(&uri);
                }));
                if outcome.is_err() {
                    self.log.info(&format!("diagnostics of {uri} panicked"));
                    self.sessions.clear();
                }
                self.log
                    .debug(|| format!("diagnostics of {uri} in {:?}", started.elapsed()));
            }
        }
    }

    fn respond(&self, response: Response) {
        let _ = self.sender.send(Message::Response(response));
    }

    fn notify<N: lt::notification::Notification>(&self, params: N::Params) {
        let _ = self.sender.send(Message::Notification(Notification::new(
            N::METHOD.into(),
            params,
        )));
    }

    fn request(&mut self, req: Request) {
        let started = Instant::now();
        let id = req.id.clone();
        let method = req.method.clone();
        let answer = catch_unwind(AssertUnwindSafe(|| {
            if self.shutting_down {
                return Err((
                    ErrorCode::InvalidRequest,
                    "the server is shutting down".into(),
                ));
            }
            self.answer(&req.method, req.params)
        }));
        let response = match answer {
            Ok(Ok(value)) => Response::new_ok(id, value),
            Ok(Err((code, msg))) => Response::new_err(id, code as i32, msg),
            Err(panic) => {
                let what = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                self.log.info(&format!("{method} panicked: {what}"));
                // The sessions may be half-updated: start them afresh.
                self.sessions.clear();
                Response::new_err(
                    id,
                    ErrorCode::InternalError as i32,
                    format!("protoforge: internal error answering {method}: {what}"),
                )
            }
        };
        self.log
            .debug(|| format!("{method} answered in {:?}", started.elapsed()));
        self.respond(response);
    }

    fn answer(&mut self, method: &str, params: Value) -> Answer {
        fn p<T: serde::de::DeserializeOwned>(
            v: Value,
        ) -> std::result::Result<T, (ErrorCode, String)> {
            serde_json::from_value(v).map_err(|e| (ErrorCode::InvalidParams, e.to_string()))
        }
        fn ok<T: serde::Serialize>(v: T) -> Answer {
            Ok(serde_json::to_value(v).unwrap_or(Value::Null))
        }
        use lt::request as r;
        use lt::request::Request as _;
        match method {
            r::Formatting::METHOD => ok(features::formatting(self, p(params)?)),
            r::RangeFormatting::METHOD => ok(features::range_formatting(self, p(params)?)),
            r::HoverRequest::METHOD => ok(features::hover(self, p(params)?)),
            r::GotoDefinition::METHOD => ok(features::definition(self, p(params)?, false)),
            r::GotoTypeDefinition::METHOD => ok(features::definition(self, p(params)?, true)),
            r::References::METHOD => ok(features::references(self, p(params)?)),
            r::DocumentHighlightRequest::METHOD => ok(features::highlights(self, p(params)?)),
            r::DocumentSymbolRequest::METHOD => ok(features::document_symbols(self, p(params)?)),
            r::WorkspaceSymbolRequest::METHOD => ok(features::workspace_symbols(self, p(params)?)),
            r::PrepareRenameRequest::METHOD => features::prepare_rename(self, p(params)?),
            r::Rename::METHOD => features::rename(self, p(params)?),
            r::Completion::METHOD => ok(features::completion(self, p(params)?)),
            r::SemanticTokensFullRequest::METHOD => ok(features::semantic_tokens(self, p(params)?)),
            r::FoldingRangeRequest::METHOD => ok(features::folding(self, p(params)?)),
            r::DocumentLinkRequest::METHOD => ok(features::links(self, p(params)?)),
            r::CodeActionRequest::METHOD => ok(actions::code_actions(self, p(params)?)),
            // For the tests of panic isolation only.
            "protoforge/testPanic" if std::env::var_os("PROTOFORGE_LSP_TEST_PANIC").is_some() => {
                panic!("a panic for the tests")
            }
            _ => Err((
                ErrorCode::MethodNotFound,
                format!("unhandled method {method}"),
            )),
        }
    }

    fn notification(&mut self, n: Notification) {
        use lt::notification as n_;
        use lt::notification::Notification as _;
        let outcome = catch_unwind(AssertUnwindSafe(|| match n.method.as_str() {
            n_::DidOpenTextDocument::METHOD => {
                if let Ok(p) = serde_json::from_value::<lt::DidOpenTextDocumentParams>(n.params) {
                    let d = p.text_document;
                    self.open(d.uri, d.version, d.text);
                }
            }
            n_::DidChangeTextDocument::METHOD => {
                if let Ok(p) = serde_json::from_value::<lt::DidChangeTextDocumentParams>(n.params) {
                    self.change(p);
                }
            }
            n_::DidCloseTextDocument::METHOD => {
                if let Ok(p) = serde_json::from_value::<lt::DidCloseTextDocumentParams>(n.params) {
                    self.close(&p.text_document.uri);
                }
            }
            n_::DidSaveTextDocument::METHOD => {
                // A saved file may change what other documents see: check them again.
                self.sessions.values_mut().for_each(Session::disk_changed);
                self.recheck_all();
            }
            n_::DidChangeConfiguration::METHOD => {
                if let Ok(p) = serde_json::from_value::<lt::DidChangeConfigurationParams>(n.params)
                {
                    self.settings = Settings::from_json(Some(&p.settings), self.settings.clone());
                    self.recheck_all();
                }
            }
            n_::DidChangeWatchedFiles::METHOD => {
                self.sessions.values_mut().for_each(Session::disk_changed);
                self.recheck_all();
            }
            _ => {}
        }));
        if outcome.is_err() {
            self.log.info(&format!("{} panicked", n.method));
            self.sessions.clear();
        }
    }

    /// Every open document is checked again (its answers kept for navigation until then): the
    /// disk or the settings changed, not the documents.
    fn recheck_all(&mut self) {
        for c in self.checked.values_mut() {
            // No editor version: the answers are not fresh for any.
            c.version = i32::MIN;
        }
        let keys: Vec<String> = self.docs.keys().cloned().collect();
        self.dirty.extend(keys);
    }

    fn open(&mut self, uri: lt::Uri, version: i32, text: String) {
        let Some(path) = uri_to_path(&uri) else {
            return;
        };
        let path = std::fs::canonicalize(&path).unwrap_or(path);
        let workspace = workspaces::root_for(&path, &self.folders);
        let root_path = path
            .strip_prefix(&workspace)
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_else(|_| path.to_string_lossy().into_owned());
        self.log.debug(|| {
            format!(
                "opened {} in workspace {}",
                path.display(),
                workspace.display()
            )
        });
        let key = uri.as_str().to_string();
        let doc = Doc {
            uri,
            path,
            version,
            text: Arc::from(text),
            workspace,
            root_path,
        };
        self.docs.insert(key.clone(), doc);
        self.sync_overlay(&key);
        self.dirty.insert(key);
    }

    fn change(&mut self, p: lt::DidChangeTextDocumentParams) {
        let key = p.text_document.uri.as_str().to_string();
        let Some(doc) = self.docs.get_mut(&key) else {
            return;
        };
        let mut text = doc.text.to_string();
        for change in p.content_changes {
            match change.range {
                None => text = change.text,
                Some(range) => {
                    let index = LineIndex::new(&text);
                    let start = index.offset(range.start);
                    let end = index.offset(range.end).max(start);
                    text.replace_range(start..end, &change.text);
                }
            }
        }
        doc.text = Arc::from(text);
        doc.version = p.text_document.version;
        self.sync_overlay(&key);
        self.dirty.insert(key);
    }

    fn close(&mut self, uri: &lt::Uri) {
        let key = uri.as_str().to_string();
        if let Some(doc) = self.docs.remove(&key) {
            if let Some(s) = self.sessions.get_mut(&doc.workspace) {
                s.set_overlay(&doc.root_path, None);
            }
        }
        self.checked.remove(&key);
        self.dirty.remove(&key);
        self.notify::<lt::notification::PublishDiagnostics>(lt::PublishDiagnosticsParams {
            uri: uri.clone(),
            diagnostics: Vec::new(),
            version: None,
        });
        for other in self.published_elsewhere.remove(&key).unwrap_or_default() {
            if let Ok(u) = other.parse::<lt::Uri>() {
                self.notify::<lt::notification::PublishDiagnostics>(lt::PublishDiagnosticsParams {
                    uri: u,
                    diagnostics: Vec::new(),
                    version: None,
                });
            }
        }
    }

    /// The session of a workspace (opened on first use, with every open document of it as an
    /// overlay).
    fn session(&mut self, workspace: &Path) -> Result<&mut Session> {
        if !self.sessions.contains_key(workspace) {
            let mut s = Session::open(workspace)?;
            s.set_config(self.config.clone());
            s.set_disk_interval(DISK_INTERVAL);
            for d in self.docs.values().filter(|d| d.workspace == workspace) {
                s.set_overlay(&d.root_path, Some(d.text.to_string()));
            }
            self.sessions.insert(workspace.to_path_buf(), s);
        }
        Ok(self.sessions.get_mut(workspace).expect("inserted above"))
    }

    fn sync_overlay(&mut self, key: &str) {
        let Some(doc) = self.docs.get(key) else {
            return;
        };
        let (ws, rp, text) = (
            doc.workspace.clone(),
            doc.root_path.clone(),
            doc.text.to_string(),
        );
        if let Some(s) = self.sessions.get_mut(&ws) {
            s.set_overlay(&rp, Some(text));
        }
    }

    /// The document's answers for its newest version (computed now if needed, which also
    /// publishes its diagnostics).
    fn ensure_checked(&mut self, key: &str) -> Option<&Checked> {
        let version = self.docs.get(key)?.version;
        let fresh = self.checked.get(key).is_some_and(|c| c.version == version);
        if !fresh {
            self.dirty.remove(key);
            let checked = self.check(key)?;
            self.checked.insert(key.to_string(), checked);
            self.publish(key);
        }
        self.checked.get(key)
    }

    /// Compiles and lints a document (with its imports), and parses the files for navigation.
    fn check(&mut self, key: &str) -> Option<Checked> {
        let doc = self.docs.get(key)?;
        let (workspace, root_path, version) =
            (doc.workspace.clone(), doc.root_path.clone(), doc.version);
        let doc_text = doc.text.clone();
        let doc_path = doc.path.clone();
        let started = Instant::now();
        let outcome = self
            .session(&workspace)
            .and_then(|s| s.check_file(&root_path));
        let (compiled, findings) = match outcome {
            Ok(x) => x,
            Err(e) => {
                let mut message = e.to_string();
                if let Some(help) = e.help_text() {
                    message.push_str(&format!("\nhelp: {help}"));
                }
                let f = Finding::new("PROTOFORGE", Some(root_path.clone()), None, message);
                (None, vec![f])
            }
        };
        self.log
            .debug(|| format!("checked {root_path} in {:?}", started.elapsed()));
        // The files for navigation: this document as it is now, and its imports (as compiled,
        // else as they were at the last successful compile).
        let doc_name;
        let mut files: Vec<Arc<FileSyms>> = Vec::new();
        let mut breaking = (Vec::new(), Vec::new());
        match &compiled {
            Some(FileAnswer::Image { image, modules }) => {
                if let Some(against) = self.settings.breaking_against.clone() {
                    breaking = diagnostics::breaking(
                        &mut self.against,
                        image,
                        modules,
                        &workspace,
                        &root_path,
                        &against,
                    );
                }
                let compiled = &image.files;
                doc_name = compiled
                    .iter()
                    .find(|f| f.root_path == root_path && !f.is_import)
                    .map(|f| f.name().to_string())
                    .unwrap_or_else(|| root_path.clone());
                for f in compiled {
                    if f.name() == doc_name {
                        continue;
                    }
                    let (source, path) = match &f.source {
                        Some(source) => (
                            source.clone(),
                            f.module.map(|_| workspace.join(&f.root_path)),
                        ),
                        // Built-in well-known types: a source written from the descriptor.
                        None => (Arc::from(analysis::source_from_descriptor(f.proto())), None),
                    };
                    files.push(self.file_syms(f.name(), path, source));
                }
            }
            _ => {
                let previous = self.checked.get(key);
                doc_name = previous
                    .map(|c| c.index.files[c.file].name.clone())
                    .unwrap_or_else(|| root_path.clone());
                if let Some(c) = previous {
                    files.extend(
                        c.index
                            .files
                            .iter()
                            .enumerate()
                            .filter(|(i, _)| *i != c.file)
                            .map(|(_, f)| f.clone()),
                    );
                }
            }
        }
        let doc_syms = Arc::new(FileSyms::new(&doc_name, Some(doc_path), doc_text));
        let last_parsed = if doc_syms.tree.is_some() {
            Some(doc_syms.clone())
        } else {
            self.checked.get(key).and_then(|c| c.last_parsed.clone())
        };
        files.insert(0, doc_syms);
        Some(Checked {
            last_parsed,
            version,
            index: Arc::new(Index::new(files)),
            file: 0,
            findings,
            breaking: breaking.0,
            breaking_fixes: breaking.1,
        })
    }

    /// The parsed symbols of a file, reused while its text is the same.
    fn file_syms(&mut self, name: &str, path: Option<PathBuf>, text: Arc<str>) -> Arc<FileSyms> {
        if let Some(s) = self.syms.get(name) {
            if *s.text == *text && s.path == path {
                return s.clone();
            }
        }
        let s = Arc::new(FileSyms::new(name, path, text));
        self.syms.insert(name.to_string(), s.clone());
        s
    }

    /// Publishes the document's diagnostics (and those it found in other files).
    fn publish(&mut self, key: &str) {
        let (Some(doc), Some(checked)) = (self.docs.get(key), self.checked.get(key)) else {
            return;
        };
        let by_file = diagnostics::to_lsp(
            &doc.workspace,
            &doc.path,
            &doc.text,
            &checked.findings,
            &checked.breaking,
        );
        let mut elsewhere = HashSet::new();
        let mut mine = Vec::new();
        let mut others = Vec::new();
        for (path, diags) in by_file {
            if path == doc.path {
                mine = diags;
            } else {
                let uri = path_to_uri(&path);
                elsewhere.insert(uri.as_str().to_string());
                others.push((uri, diags));
            }
        }
        let uri = doc.uri.clone();
        let version = doc.version;
        self.notify::<lt::notification::PublishDiagnostics>(lt::PublishDiagnosticsParams {
            uri,
            diagnostics: mine,
            version: Some(version),
        });
        let before = self
            .published_elsewhere
            .insert(key.to_string(), elsewhere.clone())
            .unwrap_or_default();
        for (uri, diags) in others {
            // An open document publishes its own diagnostics.
            if self.docs.contains_key(uri.as_str()) {
                continue;
            }
            self.notify::<lt::notification::PublishDiagnostics>(lt::PublishDiagnosticsParams {
                uri,
                diagnostics: diags,
                version: None,
            });
        }
        for gone in before.difference(&elsewhere) {
            if self.docs.contains_key(gone.as_str()) {
                continue;
            }
            if let Ok(u) = gone.parse::<lt::Uri>() {
                self.notify::<lt::notification::PublishDiagnostics>(lt::PublishDiagnosticsParams {
                    uri: u,
                    diagnostics: Vec::new(),
                    version: None,
                });
            }
        }
    }

    /// Every `.proto` file of a workspace (import path, root-relative path).
    fn workspace_files(&mut self, workspace: &Path) -> Vec<(String, String)> {
        match self.session(workspace).and_then(|s| s.module_files()) {
            Ok(files) => files.into_iter().map(|f| (f.name, f.root_path)).collect(),
            Err(_) => Vec::new(),
        }
    }

    /// An index of the document, its imports, and every file of its workspace whose text
    /// contains `word` (for references and renames across the workspace).
    fn workspace_index(&mut self, key: &str, word: &str) -> Option<(Arc<Index>, usize)> {
        let checked = self.ensure_checked(key)?;
        let mut files: Vec<Arc<FileSyms>> = checked.index.files.clone();
        let doc = self.docs.get(key)?;
        let workspace = doc.workspace.clone();
        let known: HashSet<String> = files.iter().map(|f| f.name.clone()).collect();
        let candidates = self.workspace_files(&workspace);
        let session = self.sessions.get(&workspace)?;
        let found: Vec<(String, String, Arc<str>)> = {
            use rayon::prelude::*;
            candidates
                .par_iter()
                .filter(|(name, _)| !known.contains(name))
                .filter_map(|(name, rp)| {
                    let bytes = session.text(rp)?;
                    let text = std::str::from_utf8(&bytes).ok()?;
                    text.contains(word)
                        .then(|| (name.clone(), rp.clone(), Arc::from(text)))
                })
                .collect()
        };
        for (name, rp, text) in found {
            files.push(self.file_syms(&name, Some(workspace.join(rp)), text));
        }
        Some((Arc::new(Index::new(files)), 0))
    }
}
