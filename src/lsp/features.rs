//! The editor's questions about a document, answered from its [`Index`]: formatting, hover,
//! definitions, references, highlights, symbols, rename, completion, semantic tokens, folding and
//! document links.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use lsp_server::ErrorCode;
use lsp_types as lt;
use serde_json::Value;

use super::analysis::{self, FileSyms, Index, Kind, SCALARS};
use super::convert::{path_to_uri, LineIndex};
use super::{Answer, Server};
use crate::syntax::{Span, TokenKind};

/// What the server can do.
pub fn capabilities() -> lt::ServerCapabilities {
    lt::ServerCapabilities {
        text_document_sync: Some(lt::TextDocumentSyncCapability::Options(
            lt::TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(lt::TextDocumentSyncKind::INCREMENTAL),
                save: Some(lt::TextDocumentSyncSaveOptions::Supported(true)),
                ..Default::default()
            },
        )),
        hover_provider: Some(lt::HoverProviderCapability::Simple(true)),
        definition_provider: Some(lt::OneOf::Left(true)),
        type_definition_provider: Some(lt::TypeDefinitionProviderCapability::Simple(true)),
        references_provider: Some(lt::OneOf::Left(true)),
        document_highlight_provider: Some(lt::OneOf::Left(true)),
        document_symbol_provider: Some(lt::OneOf::Left(true)),
        workspace_symbol_provider: Some(lt::OneOf::Left(true)),
        document_formatting_provider: Some(lt::OneOf::Left(true)),
        document_range_formatting_provider: Some(lt::OneOf::Left(true)),
        rename_provider: Some(lt::OneOf::Right(lt::RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: Default::default(),
        })),
        completion_provider: Some(lt::CompletionOptions {
            trigger_characters: Some(vec![".".into(), "\"".into(), "/".into(), "[".into()]),
            ..Default::default()
        }),
        code_action_provider: Some(lt::CodeActionProviderCapability::Options(
            lt::CodeActionOptions {
                code_action_kinds: Some(vec![
                    lt::CodeActionKind::QUICKFIX,
                    lt::CodeActionKind::REFACTOR_REWRITE,
                    lt::CodeActionKind::SOURCE_ORGANIZE_IMPORTS,
                ]),
                ..Default::default()
            },
        )),
        folding_range_provider: Some(lt::FoldingRangeProviderCapability::Simple(true)),
        document_link_provider: Some(lt::DocumentLinkOptions {
            resolve_provider: Some(false),
            work_done_progress_options: Default::default(),
        }),
        semantic_tokens_provider: Some(
            lt::SemanticTokensServerCapabilities::SemanticTokensOptions(
                lt::SemanticTokensOptions {
                    legend: lt::SemanticTokensLegend {
                        token_types: TOKEN_TYPES
                            .iter()
                            .map(|&t| lt::SemanticTokenType::new(t))
                            .collect(),
                        token_modifiers: vec![
                            lt::SemanticTokenModifier::DEPRECATED,
                            lt::SemanticTokenModifier::DEFAULT_LIBRARY,
                        ],
                    },
                    full: Some(lt::SemanticTokensFullOptions::Bool(true)),
                    range: None,
                    ..Default::default()
                },
            ),
        ),
        ..Default::default()
    }
}

/// Semantic token types (buf's legend).
const TOKEN_TYPES: [&str; 18] = [
    "property",
    "struct",
    "variable",
    "enum",
    "enumMember",
    "interface",
    "method",
    "function",
    "decorator",
    "macro",
    "namespace",
    "keyword",
    "modifier",
    "comment",
    "string",
    "number",
    "type",
    "operator",
];
fn token_type(name: &str) -> u32 {
    TOKEN_TYPES.iter().position(|t| *t == name).unwrap_or(2) as u32
}

const KEYWORDS: [&str; 27] = [
    "syntax",
    "edition",
    "package",
    "import",
    "public",
    "weak",
    "option",
    "message",
    "enum",
    "service",
    "rpc",
    "returns",
    "stream",
    "repeated",
    "optional",
    "required",
    "map",
    "oneof",
    "reserved",
    "extensions",
    "extend",
    "to",
    "max",
    "group",
    "export",
    "local",
    "true",
];

/// The document's index, its file there, and the document text.
fn context(s: &mut Server, uri: &lt::Uri) -> Option<(Arc<Index>, usize)> {
    let c = s.ensure_checked(uri.as_str())?;
    Some((c.index.clone(), c.file))
}

fn offset_of(index: &Index, file: usize, pos: lt::Position) -> usize {
    LineIndex::new(&index.files[file].text).offset(pos)
}

fn range_of(f: &FileSyms, span: Span) -> lt::Range {
    LineIndex::new(&f.text).range(span.start as usize, span.end as usize)
}

/// Where a file can be opened: its path, or for files with none (well-known types, dependencies
/// from buf's cache) a read-only copy in a temporary directory.
pub fn file_uri(f: &FileSyms) -> Option<lt::Uri> {
    if let Some(p) = &f.path {
        return Some(path_to_uri(p));
    }
    let dir = std::env::temp_dir().join(format!("protoforge-lsp-{}", std::process::id()));
    let path = dir.join(&f.name);
    if std::fs::read_to_string(&path).ok().as_deref() != Some(&*f.text) {
        std::fs::create_dir_all(path.parent()?).ok()?;
        std::fs::write(&path, &*f.text).ok()?;
    }
    Some(path_to_uri(&path))
}

fn location(index: &Index, file: usize, span: Span) -> Option<lt::Location> {
    let f = &index.files[file];
    Some(lt::Location {
        uri: file_uri(f)?,
        range: range_of(f, span),
    })
}

// ---------------------------------------------------------------------------------------------
// Formatting

/// Edits that turn `old` into `new`, one per changed run of lines; with `lines`, only the runs
/// that touch those (0-based, inclusive) lines of `old`.
pub fn diff_edits(old: &str, new: &str, lines: Option<(u32, u32)>) -> Vec<lt::TextEdit> {
    let index = LineIndex::new(old);
    let diff = similar::TextDiff::from_lines(old, new);
    let new_lines: Vec<&str> = new.split_inclusive('\n').collect();
    let mut edits = Vec::new();
    for op in diff.ops() {
        if matches!(op, similar::DiffOp::Equal { .. }) {
            continue;
        }
        let old_range = op.old_range();
        let new_range = op.new_range();
        if let Some((first, last)) = lines {
            let (a, b) = (old_range.start as u32, old_range.end as u32);
            // A run touches the range when it overlaps it (an insertion: when it is inside).
            let touches = if a == b {
                a >= first && a <= last + 1
            } else {
                a <= last && b > first
            };
            if !touches {
                continue;
            }
        }
        let start = index.line_start(old_range.start);
        let end = index.line_start(old_range.end);
        edits.push(lt::TextEdit {
            range: index.range(start, end),
            new_text: new_lines[new_range].concat(),
        });
    }
    edits
}

pub fn formatting(s: &mut Server, p: lt::DocumentFormattingParams) -> Option<Vec<lt::TextEdit>> {
    let doc = s.docs.get(p.text_document.uri.as_str())?;
    let formatted = crate::format::format_source(&doc.text).ok()?;
    Some(diff_edits(&doc.text, &formatted, None))
}

pub fn range_formatting(
    s: &mut Server,
    p: lt::DocumentRangeFormattingParams,
) -> Option<Vec<lt::TextEdit>> {
    let doc = s.docs.get(p.text_document.uri.as_str())?;
    let formatted = crate::format::format_source(&doc.text).ok()?;
    let mut last = p.range.end.line;
    if p.range.end.character == 0 && last > p.range.start.line {
        last -= 1;
    }
    Some(diff_edits(
        &doc.text,
        &formatted,
        Some((p.range.start.line, last)),
    ))
}

// ---------------------------------------------------------------------------------------------
// Navigation

pub fn hover(s: &mut Server, p: lt::HoverParams) -> Option<lt::Hover> {
    let pp = p.text_document_position_params;
    let (index, file) = context(s, &pp.text_document.uri)?;
    let offset = offset_of(&index, file, pp.position);
    let (name, span) = index.symbol_at(file, offset)?;
    let ids = index.defs_named(&name);
    let &id = ids.first()?;
    let def = index.def(id);
    let mut text = String::new();
    let declared = match def.kind {
        Kind::Package => format!("package {name};"),
        Kind::Message => format!("message {name}"),
        Kind::Enum => format!("enum {name}"),
        Kind::Service => format!("service {name}"),
        Kind::Method => def.detail.clone(),
        Kind::Oneof => format!("oneof {}", analysis::simple_name(&name)),
        Kind::Field | Kind::Extension | Kind::EnumValue => format!("{};", def.detail),
    };
    text.push_str(&format!("```proto\n{declared}\n```\n"));
    match def.kind {
        Kind::Field | Kind::Extension => {
            text.push_str(&format!(
                "\n`{name}`: field {} of type `{}`",
                def.number.as_deref().unwrap_or("?"),
                def.type_text.as_deref().unwrap_or("?")
            ));
            if def.kind == Kind::Extension {
                text.push_str(" (extension)");
            }
            text.push('\n');
        }
        Kind::EnumValue => text.push_str(&format!(
            "\n`{name}` = {}\n",
            def.number.as_deref().unwrap_or("?")
        )),
        Kind::Package => {}
        _ => text.push_str(&format!("\n`{name}`\n")),
    }
    if !def.comment.is_empty() {
        text.push_str(&format!("\n{}\n", def.comment));
    }
    let defined_in = &index.files[id.0].name;
    if def.kind != Kind::Package {
        text.push_str(&format!("\n*defined in* `{defined_in}`"));
    }
    Some(lt::Hover {
        contents: lt::HoverContents::Markup(lt::MarkupContent {
            kind: lt::MarkupKind::Markdown,
            value: text,
        }),
        range: Some(range_of(&index.files[file], span)),
    })
}

pub fn definition(
    s: &mut Server,
    p: lt::GotoDefinitionParams,
    type_definition: bool,
) -> Option<lt::GotoDefinitionResponse> {
    let pp = p.text_document_position_params;
    let (index, file) = context(s, &pp.text_document.uri)?;
    let offset = offset_of(&index, file, pp.position);
    let (mut name, _) = index.symbol_at(file, offset)?;
    if type_definition {
        // On a field: its type.
        if let Some(&(fi, di)) = index
            .definitions(&name)
            .iter()
            .find(|&&id| matches!(index.def(id).kind, Kind::Field | Kind::Extension))
        {
            let r = index.files[fi].refs.iter().find(|r| r.field == Some(di))?;
            name = index.resolve(fi, r)?;
        }
    }
    let locations: Vec<lt::Location> = index
        .definitions(&name)
        .into_iter()
        .filter_map(|(fi, di)| location(&index, fi, index.files[fi].defs[di].name))
        .collect();
    (!locations.is_empty()).then_some(lt::GotoDefinitionResponse::Array(locations))
}

/// Every place that names a symbol, across the workspace.
struct Occurrences {
    index: Arc<Index>,
    /// (file, span of the name) of its definitions.
    defs: Vec<(usize, Span)>,
    /// (file, span of the identifier) of the names that refer to it.
    refs: Vec<(usize, Span)>,
}

/// The occurrences of the symbol at a position.
fn occurrences(s: &mut Server, uri: &lt::Uri, pos: lt::Position) -> Option<Occurrences> {
    let (index, file) = context(s, uri)?;
    let offset = offset_of(&index, file, pos);
    let (name, _) = index.symbol_at(file, offset)?;
    let word = analysis::simple_name(&name).to_string();
    let (index, _) = s.workspace_index(uri.as_str(), &word)?;
    let defs: Vec<(usize, Span)> = index
        .definitions(&name)
        .into_iter()
        .map(|(fi, di)| (fi, index.files[fi].defs[di].name))
        .collect();
    let refs = index.references(&name);
    Some(Occurrences { index, defs, refs })
}

pub fn references(s: &mut Server, p: lt::ReferenceParams) -> Option<Vec<lt::Location>> {
    let pp = p.text_document_position;
    let Occurrences { index, defs, refs } = occurrences(s, &pp.text_document.uri, pp.position)?;
    let mut out: Vec<lt::Location> = Vec::new();
    if p.context.include_declaration {
        out.extend(defs.iter().filter_map(|&(f, sp)| location(&index, f, sp)));
    }
    out.extend(refs.iter().filter_map(|&(f, sp)| location(&index, f, sp)));
    Some(out)
}

pub fn highlights(
    s: &mut Server,
    p: lt::DocumentHighlightParams,
) -> Option<Vec<lt::DocumentHighlight>> {
    let pp = p.text_document_position_params;
    let (index, file) = context(s, &pp.text_document.uri)?;
    let offset = offset_of(&index, file, pp.position);
    let (name, _) = index.symbol_at(file, offset)?;
    let f = &index.files[file];
    let mut out: Vec<lt::DocumentHighlight> = index
        .definitions(&name)
        .into_iter()
        .filter(|&(fi, _)| fi == file)
        .map(|(_, di)| lt::DocumentHighlight {
            range: range_of(f, f.defs[di].name),
            kind: Some(lt::DocumentHighlightKind::WRITE),
        })
        .collect();
    out.extend(
        index
            .references(&name)
            .into_iter()
            .filter(|(fi, _)| *fi == file)
            .map(|(_, sp)| lt::DocumentHighlight {
                range: range_of(f, sp),
                kind: Some(lt::DocumentHighlightKind::READ),
            }),
    );
    Some(out)
}

fn symbol_kind(kind: Kind) -> lt::SymbolKind {
    match kind {
        Kind::Package => lt::SymbolKind::NAMESPACE,
        Kind::Message => lt::SymbolKind::STRUCT,
        Kind::Enum => lt::SymbolKind::ENUM,
        Kind::EnumValue => lt::SymbolKind::ENUM_MEMBER,
        Kind::Service => lt::SymbolKind::INTERFACE,
        Kind::Method => lt::SymbolKind::METHOD,
        Kind::Field | Kind::Oneof | Kind::Extension => lt::SymbolKind::FIELD,
    }
}

pub fn document_symbols(
    s: &mut Server,
    p: lt::DocumentSymbolParams,
) -> Option<lt::DocumentSymbolResponse> {
    let (index, file) = context(s, &p.text_document.uri)?;
    let f = &index.files[file];
    #[allow(deprecated)]
    fn build(f: &FileSyms, parent: Option<usize>) -> Vec<lt::DocumentSymbol> {
        f.defs
            .iter()
            .enumerate()
            .filter(|(_, d)| d.parent == parent)
            .map(|(i, d)| {
                let children = build(f, Some(i));
                lt::DocumentSymbol {
                    name: if d.kind == Kind::Package {
                        d.full_name.clone()
                    } else {
                        analysis::simple_name(&d.full_name).to_string()
                    },
                    detail: Some(d.detail.clone()),
                    kind: symbol_kind(d.kind),
                    tags: None,
                    deprecated: None,
                    range: range_of(f, d.decl),
                    selection_range: range_of(f, d.name),
                    children: (!children.is_empty()).then_some(children),
                }
            })
            .collect()
    }
    Some(lt::DocumentSymbolResponse::Nested(build(f, None)))
}

/// Every file of every workspace of the open documents, parsed (kept between calls while a
/// file's text is the same).
fn all_workspace_syms(s: &mut Server) -> Vec<Arc<FileSyms>> {
    use rayon::prelude::*;
    let mut workspaces: Vec<PathBuf> = s.docs.values().map(|d| d.workspace.clone()).collect();
    workspaces.sort();
    workspaces.dedup();
    let mut out = Vec::new();
    for ws in workspaces {
        let files = s.workspace_files(&ws);
        let Some(session) = s.sessions.get(&ws) else {
            continue;
        };
        let cached = &s.syms;
        let parsed: Vec<(bool, Arc<FileSyms>)> = files
            .par_iter()
            .filter_map(|(name, rp)| {
                let bytes = session.text(rp)?;
                let text = std::str::from_utf8(&bytes).ok()?;
                let path = ws.join(rp);
                if let Some(c) = cached.get(name) {
                    if *c.text == *text && c.path.as_deref() == Some(path.as_path()) {
                        return Some((false, c.clone()));
                    }
                }
                Some((
                    true,
                    Arc::new(FileSyms::new(name, Some(path), Arc::from(text))),
                ))
            })
            .collect();
        for (new, f) in parsed {
            if new {
                s.syms.insert(f.name.clone(), f.clone());
            }
            out.push(f);
        }
    }
    out
}

/// Whether `query`'s characters appear in `name` in order (case-insensitive).
fn fuzzy(name: &str, query: &str) -> bool {
    let mut chars = name.chars().map(|c| c.to_ascii_lowercase());
    query
        .chars()
        .map(|c| c.to_ascii_lowercase())
        .all(|q| chars.any(|c| c == q))
}

pub fn workspace_symbols(
    s: &mut Server,
    p: lt::WorkspaceSymbolParams,
) -> Option<lt::WorkspaceSymbolResponse> {
    let files = all_workspace_syms(s);
    let mut out = Vec::new();
    'files: for f in &files {
        for d in &f.defs {
            if d.kind == Kind::Package || !fuzzy(analysis::simple_name(&d.full_name), &p.query) {
                continue;
            }
            let Some(uri) = file_uri(f) else { continue };
            #[allow(deprecated)]
            out.push(lt::SymbolInformation {
                name: d.full_name.clone(),
                kind: symbol_kind(d.kind),
                tags: None,
                deprecated: None,
                location: lt::Location {
                    uri,
                    range: range_of(f, d.name),
                },
                container_name: Some(analysis::parent_scope(&d.full_name).to_string()),
            });
            if out.len() >= 1000 {
                break 'files;
            }
        }
    }
    Some(lt::WorkspaceSymbolResponse::Flat(out))
}

// ---------------------------------------------------------------------------------------------
// Rename

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Why the symbol at a position cannot be renamed, or the range of its name there.
fn renamable(s: &mut Server, uri: &lt::Uri, pos: lt::Position) -> Result<lt::Range, String> {
    let (index, file) = context(s, uri).ok_or("no document")?;
    let offset = offset_of(&index, file, pos);
    let (name, span) = index
        .symbol_at(file, offset)
        .ok_or("no symbol here to rename")?;
    let defs = index.definitions(&name);
    if defs.is_empty() {
        return Err(format!(
            "{name} is a package or is not defined in a known file"
        ));
    }
    if let Some(&(fi, _)) = defs.iter().find(|(fi, _)| index.files[*fi].path.is_none()) {
        return Err(format!(
            "{name} is defined in {}, which is not a file of this workspace",
            index.files[fi].name
        ));
    }
    Ok(range_of(&index.files[file], span))
}

pub fn prepare_rename(s: &mut Server, p: lt::TextDocumentPositionParams) -> Answer {
    match renamable(s, &p.text_document.uri, p.position) {
        Ok(range) => Ok(
            serde_json::to_value(lt::PrepareRenameResponse::Range(range)).unwrap_or(Value::Null),
        ),
        Err(why) => Err((ErrorCode::InvalidRequest, why)),
    }
}

/// The edits that rename the symbol at a position everywhere in the workspace.
// lsp-types keys workspace edits by `Uri`, which clippy takes for a mutable key.
#[allow(clippy::mutable_key_type)]
pub fn rename_edit(
    s: &mut Server,
    uri: &lt::Uri,
    pos: lt::Position,
    new_name: &str,
) -> Result<lt::WorkspaceEdit, String> {
    if !is_identifier(new_name) {
        return Err(format!("{new_name:?} is not a valid protobuf identifier"));
    }
    renamable(s, uri, pos)?;
    let Occurrences { index, defs, refs } =
        occurrences(s, uri, pos).ok_or("no symbol here to rename")?;
    let mut changes: HashMap<lt::Uri, Vec<lt::TextEdit>> = HashMap::new();
    let mut seen = HashSet::new();
    for (fi, span) in defs.into_iter().chain(refs) {
        if !seen.insert((fi, span.start)) {
            continue;
        }
        let f = &index.files[fi];
        let Some(uri) = f.path.as_ref().map(|p| path_to_uri(p)) else {
            return Err(format!("{} is not a file of this workspace", f.name));
        };
        changes.entry(uri).or_default().push(lt::TextEdit {
            range: range_of(f, span),
            new_text: new_name.to_string(),
        });
    }
    Ok(lt::WorkspaceEdit {
        changes: Some(changes),
        ..Default::default()
    })
}

pub fn rename(s: &mut Server, p: lt::RenameParams) -> Answer {
    let pp = p.text_document_position;
    match rename_edit(s, &pp.text_document.uri, pp.position, &p.new_name) {
        Ok(edit) => Ok(serde_json::to_value(edit).unwrap_or(Value::Null)),
        Err(why) => Err((ErrorCode::InvalidRequest, why)),
    }
}

// ---------------------------------------------------------------------------------------------
// Completion

const FILE_OPTIONS: [&str; 20] = [
    "java_package",
    "java_outer_classname",
    "java_multiple_files",
    "java_string_check_utf8",
    "optimize_for",
    "go_package",
    "cc_enable_arenas",
    "objc_class_prefix",
    "csharp_namespace",
    "swift_prefix",
    "php_class_prefix",
    "php_namespace",
    "php_metadata_namespace",
    "ruby_package",
    "deprecated",
    "cc_generic_services",
    "java_generic_services",
    "py_generic_services",
    "java_generate_equals_and_hash",
    "features",
];
const MESSAGE_OPTIONS: [&str; 4] = [
    "deprecated",
    "map_entry",
    "message_set_wire_format",
    "features",
];
const FIELD_OPTIONS: [&str; 11] = [
    "deprecated",
    "json_name",
    "packed",
    "lazy",
    "unverified_lazy",
    "jstype",
    "ctype",
    "retention",
    "targets",
    "debug_redact",
    "features",
];
const ENUM_OPTIONS: [&str; 3] = ["allow_alias", "deprecated", "features"];
const SERVICE_OPTIONS: [&str; 2] = ["deprecated", "features"];
const METHOD_OPTIONS: [&str; 3] = ["deprecated", "idempotency_level", "features"];

/// The well-known types every compile can import (`google/protobuf/NAME.proto`).
const WELL_KNOWN: [&str; 15] = [
    "any",
    "api",
    "compiler/plugin",
    "cpp_features",
    "descriptor",
    "duration",
    "empty",
    "field_mask",
    "go_features",
    "java_features",
    "source_context",
    "struct",
    "timestamp",
    "type",
    "wrappers",
];

/// Where the cursor is, from the text before it (which need not parse).
#[derive(Debug, PartialEq)]
enum Place {
    Top,
    Message,
    Enum,
    Service,
    Rpc,
}

fn place_of(before: &str) -> Place {
    let mut stack: Vec<Place> = Vec::new();
    let mut last_keyword = Place::Top;
    let mut word = String::new();
    let mut in_comment = false;
    let mut in_string: Option<char> = None;
    let mut chars = before.chars().peekable();
    while let Some(c) = chars.next() {
        if in_comment {
            if c == '\n' {
                in_comment = false;
            }
            continue;
        }
        if let Some(q) = in_string {
            if c == '\\' {
                chars.next();
            } else if c == q {
                in_string = None;
            }
            continue;
        }
        if c.is_ascii_alphanumeric() || c == '_' {
            word.push(c);
            continue;
        }
        match word.as_str() {
            "message" | "extend" | "oneof" => last_keyword = Place::Message,
            "enum" => last_keyword = Place::Enum,
            "service" => last_keyword = Place::Service,
            "rpc" => last_keyword = Place::Rpc,
            _ => {}
        }
        word.clear();
        match c {
            '/' if chars.peek() == Some(&'/') => in_comment = true,
            '"' | '\'' => in_string = Some(c),
            '{' => stack.push(std::mem::replace(&mut last_keyword, Place::Top)),
            '}' => {
                stack.pop();
            }
            ';' => last_keyword = Place::Top,
            _ => {}
        }
    }
    stack.pop().unwrap_or(Place::Top)
}

fn item(label: &str, kind: lt::CompletionItemKind, detail: Option<String>) -> lt::CompletionItem {
    lt::CompletionItem {
        label: label.to_string(),
        kind: Some(kind),
        detail,
        ..Default::default()
    }
}

/// The shortest name for `full` written in `package`.
fn relative_name(full: &str, package: &str) -> String {
    if !package.is_empty() {
        if let Some(rest) = full.strip_prefix(package).and_then(|r| r.strip_prefix('.')) {
            return rest.to_string();
        }
    }
    full.to_string()
}

pub fn completion(s: &mut Server, p: lt::CompletionParams) -> Option<lt::CompletionResponse> {
    let pp = p.text_document_position;
    let uri = pp.text_document.uri.clone();
    let text = s.docs.get(uri.as_str())?.text.clone();
    let (index, file) = context(s, &uri)?;
    let lines = LineIndex::new(&text);
    let offset = lines.offset(pp.position);
    let before = &text[..offset];
    let line_start = lines.line_start(pp.position.line as usize);
    let line = &text[line_start..offset];
    let mut items: Vec<lt::CompletionItem> = Vec::new();

    // `import "pa|`: import paths.
    if let Some(rest) = line.trim_start().strip_prefix("import") {
        let rest = rest.trim_start();
        let rest = rest
            .strip_prefix("public")
            .or_else(|| rest.strip_prefix("weak"))
            .unwrap_or(rest)
            .trim_start();
        if let Some(typed) = rest.strip_prefix('"') {
            let ws = s.docs.get(uri.as_str())?.workspace.clone();
            let mut names: Vec<String> =
                s.workspace_files(&ws).into_iter().map(|(n, _)| n).collect();
            names.extend(
                WELL_KNOWN
                    .iter()
                    .map(|n| format!("google/protobuf/{n}.proto")),
            );
            names.sort();
            names.dedup();
            let this = &index.files[file].name;
            let start = lines.position(offset - typed.len());
            for n in names
                .into_iter()
                .filter(|n| n.starts_with(typed) && n != this)
            {
                items.push(lt::CompletionItem {
                    label: n.clone(),
                    kind: Some(lt::CompletionItemKind::FILE),
                    text_edit: Some(lt::CompletionTextEdit::Edit(lt::TextEdit {
                        range: lt::Range::new(start, pp.position),
                        new_text: n,
                    })),
                    ..Default::default()
                });
            }
            return Some(lt::CompletionResponse::Array(items));
        }
    }

    let place = place_of(before);
    // Inside `[...]` of a field: field options.
    let statement = before.rsplit([';', '{', '}']).next().unwrap_or("");
    if statement.matches('[').count() > statement.matches(']').count() {
        let options: &[&str] = if place == Place::Enum {
            &["deprecated", "debug_redact", "features"]
        } else {
            &FIELD_OPTIONS
        };
        for o in options {
            items.push(item(
                o,
                lt::CompletionItemKind::PROPERTY,
                Some("option".into()),
            ));
        }
        push_custom_options(&index, &mut items, "google.protobuf.FieldOptions");
        return Some(lt::CompletionResponse::Array(items));
    }
    // `option |`: the options of the enclosing declaration.
    if statement.trim_start().starts_with("option") && !statement.contains('=') {
        let (options, extendee): (&[&str], &str) = match place {
            Place::Top => (&FILE_OPTIONS, "google.protobuf.FileOptions"),
            Place::Message => (&MESSAGE_OPTIONS, "google.protobuf.MessageOptions"),
            Place::Enum => (&ENUM_OPTIONS, "google.protobuf.EnumOptions"),
            Place::Service => (&SERVICE_OPTIONS, "google.protobuf.ServiceOptions"),
            Place::Rpc => (&METHOD_OPTIONS, "google.protobuf.MethodOptions"),
        };
        for o in options {
            items.push(item(
                o,
                lt::CompletionItemKind::PROPERTY,
                Some("option".into()),
            ));
        }
        push_custom_options(&index, &mut items, extendee);
        return Some(lt::CompletionResponse::Array(items));
    }

    let typed: String = line
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '.')
        .collect::<Vec<char>>()
        .into_iter()
        .rev()
        .collect();
    let keywords: &[&str] = match place {
        Place::Top => &[
            "syntax", "edition", "package", "import", "option", "message", "enum", "service",
            "extend",
        ],
        Place::Message => &[
            "message",
            "enum",
            "oneof",
            "map",
            "repeated",
            "optional",
            "required",
            "reserved",
            "extensions",
            "extend",
            "option",
        ],
        Place::Enum => &["option", "reserved"],
        Place::Service => &["rpc", "option"],
        Place::Rpc => &["option"],
    };
    if !typed.contains('.') {
        for k in keywords {
            items.push(item(k, lt::CompletionItemKind::KEYWORD, None));
        }
    }
    // Types: after `returns (`, in a message, or in an rpc's parentheses.
    let in_parens = statement.matches('(').count() > statement.matches(')').count();
    let wants_types =
        place == Place::Message || in_parens || place == Place::Top && statement.contains("extend");
    if !wants_types {
        return Some(lt::CompletionResponse::Array(items));
    }
    if !typed.contains('.') && !in_parens {
        for t in SCALARS {
            items.push(item(
                t,
                lt::CompletionItemKind::KEYWORD,
                Some("scalar type".into()),
            ));
        }
    }
    if in_parens && !typed.contains('.') {
        items.push(item("stream", lt::CompletionItemKind::KEYWORD, None));
    }
    // While the text does not parse, its names as they were when it last did.
    let this = s
        .checked
        .get(uri.as_str())
        .and_then(|c| c.last_parsed.clone())
        .unwrap_or_else(|| index.files[file].clone());
    let package = this.package.clone();
    let visible: HashSet<&str> = std::iter::once(this.name.as_str())
        .chain(this.imports.iter().map(|i| i.path.as_str()))
        .collect();
    let mut offered = HashSet::new();
    let others = index.files.iter().skip(1);
    for f in std::iter::once(&this).chain(others.filter(|f| visible.contains(f.name.as_str()))) {
        for d in f.defs.iter().filter(|d| d.kind.is_type()) {
            let label = relative_name(&d.full_name, &package);
            if (in_parens && d.kind != Kind::Message) || !offered.insert(d.full_name.clone()) {
                continue;
            }
            let mut it = item(
                &label,
                if d.kind == Kind::Enum {
                    lt::CompletionItemKind::ENUM
                } else {
                    lt::CompletionItemKind::STRUCT
                },
                Some(format!("{} ({})", d.full_name, f.name)),
            );
            if !d.comment.is_empty() {
                it.documentation = Some(lt::Documentation::String(d.comment.clone()));
            }
            items.push(it);
        }
    }
    // Types of files not imported yet (with the import added), once something is typed.
    let word = typed.rsplit('.').next().unwrap_or("");
    if word.len() >= 2 {
        let insert_at = import_insert_position(&this);
        for f in all_workspace_syms(s) {
            if visible.contains(f.name.as_str()) {
                continue;
            }
            for d in f.defs.iter().filter(|d| d.kind.is_type()) {
                let simple = analysis::simple_name(&d.full_name);
                if !simple.to_lowercase().starts_with(&word.to_lowercase())
                    || (in_parens && d.kind != Kind::Message)
                    || !offered.insert(d.full_name.clone())
                {
                    continue;
                }
                let mut it = item(
                    &relative_name(&d.full_name, &package),
                    if d.kind == Kind::Enum {
                        lt::CompletionItemKind::ENUM
                    } else {
                        lt::CompletionItemKind::STRUCT
                    },
                    Some(format!("{} (import \"{}\")", d.full_name, f.name)),
                );
                it.filter_text = Some(simple.to_string());
                it.additional_text_edits = Some(vec![lt::TextEdit {
                    range: lt::Range::new(insert_at, insert_at),
                    new_text: format!("import \"{}\";\n", f.name),
                }]);
                items.push(it);
                if items.len() > 2000 {
                    break;
                }
            }
        }
    }
    Some(lt::CompletionResponse::Array(items))
}

/// Custom options: extensions of `extendee` visible in the index, as `(name)`.
fn push_custom_options(index: &Index, items: &mut Vec<lt::CompletionItem>, extendee: &str) {
    for (fi, f) in index.files.iter().enumerate() {
        for r in &f.refs {
            let Some(resolved) = index.resolve(fi, r) else {
                continue;
            };
            if resolved != extendee {
                continue;
            }
            // The fields of this `extend` block follow the reference in the file.
            let end = r.span().end;
            for d in f
                .defs
                .iter()
                .filter(|d| d.kind == Kind::Extension && d.decl.start > end)
                .take_while(|d| d.decl.start > end)
            {
                let label = format!("({})", d.full_name);
                if items.iter().any(|i| i.label == label) {
                    continue;
                }
                items.push(item(
                    &label,
                    lt::CompletionItemKind::PROPERTY,
                    Some(d.type_text.clone().unwrap_or_default()),
                ));
            }
        }
    }
}

/// Where a new `import` line goes: after the last import, else after `package`, else after
/// `syntax`, else at the top.
pub fn import_insert_position(f: &FileSyms) -> lt::Position {
    let lines = LineIndex::new(&f.text);
    let after = f
        .imports
        .iter()
        .map(|i| i.decl.end)
        .max()
        .or_else(|| {
            f.defs
                .iter()
                .find(|d| d.kind == Kind::Package)
                .map(|d| d.decl.end)
        })
        .or_else(|| {
            let tree = f.tree.as_ref()?;
            let s = tree.syntax.as_ref()?;
            Some(tree.token(s.semicolon?).span.end)
        });
    match after {
        Some(end) => lt::Position::new(lines.position(end as usize).line + 1, 0),
        None => lt::Position::new(0, 0),
    }
}

// ---------------------------------------------------------------------------------------------
// Semantic tokens, folding, links

pub fn semantic_tokens(
    s: &mut Server,
    p: lt::SemanticTokensParams,
) -> Option<lt::SemanticTokensResult> {
    let (index, file) = context(s, &p.text_document.uri)?;
    let f = &index.files[file];
    let tree = f.tree.as_ref()?;
    let lines = LineIndex::new(&f.text);
    // (start, end, type) in bytes.
    let mut spans: Vec<(usize, usize, u32)> = Vec::new();
    let mut kinds: HashMap<u32, u32> = HashMap::new();
    for d in &f.defs {
        let t = match d.kind {
            Kind::Package => "namespace",
            Kind::Message => "struct",
            Kind::Enum => "enum",
            Kind::EnumValue => "enumMember",
            Kind::Service => "interface",
            Kind::Method => "method",
            Kind::Field | Kind::Oneof | Kind::Extension => "property",
        };
        if d.kind == Kind::Package {
            continue;
        }
        kinds.insert(d.name.start, token_type(t));
    }
    for r in &f.refs {
        let resolved = index.resolve(file, r);
        for (i, (_, span)) in r.parts.iter().enumerate() {
            let t = match &resolved {
                Some(full) => {
                    let name = Index::part_name(r, full, i);
                    match index
                        .definitions(&name)
                        .first()
                        .map(|&id| index.def(id).kind)
                    {
                        Some(Kind::Enum) => "enum",
                        Some(Kind::Message) => "struct",
                        Some(Kind::Extension) => "property",
                        Some(_) => "type",
                        None => "namespace",
                    }
                }
                None => "type",
            };
            kinds.insert(span.start, token_type(t));
        }
    }
    for tok in &tree.tokens {
        let (start, end) = (tok.span.start as usize, tok.span.end as usize);
        let t = match tok.kind {
            TokenKind::Str => token_type("string"),
            TokenKind::Int | TokenKind::Float => token_type("number"),
            TokenKind::Ident => {
                if let Some(&k) = kinds.get(&tok.span.start) {
                    k
                } else {
                    let word = &f.text[start..end];
                    if SCALARS.contains(&word) {
                        token_type("type")
                    } else if KEYWORDS.contains(&word) || word == "false" {
                        token_type("keyword")
                    } else {
                        continue;
                    }
                }
            }
            _ => continue,
        };
        spans.push((start, end, t));
    }
    for c in &tree.comments {
        // One token per line of a block comment.
        let (mut start, end) = (c.span.start as usize, c.span.end as usize);
        while start < end {
            let line_end = f.text[start..end].find('\n').map_or(end, |i| start + i);
            if line_end > start {
                spans.push((start, line_end, token_type("comment")));
            }
            start = line_end + 1;
        }
    }
    spans.sort();
    let mut data = Vec::new();
    let (mut prev_line, mut prev_col) = (0u32, 0u32);
    for (start, end, t) in spans {
        let a = lines.position(start);
        let b = lines.position(end);
        let length = if b.line == a.line {
            b.character - a.character
        } else {
            continue;
        };
        let delta_line = a.line - prev_line;
        let delta_start = if delta_line == 0 {
            a.character - prev_col
        } else {
            a.character
        };
        data.push(lt::SemanticToken {
            delta_line,
            delta_start,
            length,
            token_type: t,
            token_modifiers_bitset: 0,
        });
        prev_line = a.line;
        prev_col = a.character;
    }
    Some(lt::SemanticTokensResult::Tokens(lt::SemanticTokens {
        result_id: None,
        data,
    }))
}

pub fn folding(s: &mut Server, p: lt::FoldingRangeParams) -> Option<Vec<lt::FoldingRange>> {
    let (index, file) = context(s, &p.text_document.uri)?;
    let f = &index.files[file];
    let lines = LineIndex::new(&f.text);
    let mut out = Vec::new();
    let fold = |start: usize, end: usize, kind: Option<lt::FoldingRangeKind>| {
        let a = lines.position(start).line;
        let b = lines.position(end).line;
        (b > a).then_some(lt::FoldingRange {
            start_line: a,
            end_line: b,
            kind,
            ..Default::default()
        })
    };
    for d in &f.defs {
        if matches!(
            d.kind,
            Kind::Message | Kind::Enum | Kind::Service | Kind::Method | Kind::Oneof
        ) {
            // Keep the closing brace visible.
            if let Some(mut r) = fold(d.decl.start as usize, d.decl.end as usize, None) {
                r.end_line = r.end_line.saturating_sub(1).max(r.start_line);
                if r.end_line > r.start_line {
                    out.push(r);
                }
            }
        }
    }
    if let (Some(first), Some(last)) = (f.imports.first(), f.imports.last()) {
        out.extend(fold(
            first.decl.start as usize,
            last.decl.end as usize,
            Some(lt::FoldingRangeKind::Imports),
        ));
    }
    if let Some(tree) = &f.tree {
        // Runs of comments on consecutive lines.
        let mut run: Option<(u32, u32, usize, usize)> = None;
        for c in &tree.comments {
            match &mut run {
                Some((_, end_line, _, end)) if c.line == *end_line + 1 => {
                    *end_line = c.end_line;
                    *end = c.span.end as usize;
                }
                _ => {
                    if let Some((_, _, s, e)) = run.take() {
                        out.extend(fold(s, e, Some(lt::FoldingRangeKind::Comment)));
                    }
                    run = Some((
                        c.line,
                        c.end_line,
                        c.span.start as usize,
                        c.span.end as usize,
                    ));
                }
            }
        }
        if let Some((_, _, s, e)) = run {
            out.extend(fold(s, e, Some(lt::FoldingRangeKind::Comment)));
        }
    }
    Some(out)
}

pub fn links(s: &mut Server, p: lt::DocumentLinkParams) -> Option<Vec<lt::DocumentLink>> {
    let (index, file) = context(s, &p.text_document.uri)?;
    let f = &index.files[file];
    let mut out = Vec::new();
    for i in &f.imports {
        let Some(target) = index.file(&i.path) else {
            continue;
        };
        let Some(uri) = file_uri(target) else {
            continue;
        };
        // Inside the quotes.
        let span = Span {
            start: i.literal.start + 1,
            end: i.literal.end.saturating_sub(1).max(i.literal.start + 1),
        };
        out.push(lt::DocumentLink {
            range: range_of(f, span),
            target: Some(uri),
            tooltip: Some(target.name.clone()),
            data: None,
        });
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(text: &str, edits: &[lt::TextEdit]) -> String {
        let index = LineIndex::new(text);
        let mut spans: Vec<(usize, usize, &str)> = edits
            .iter()
            .map(|e| {
                (
                    index.offset(e.range.start),
                    index.offset(e.range.end),
                    e.new_text.as_str(),
                )
            })
            .collect();
        spans.sort_by_key(|s| std::cmp::Reverse(s.0));
        let mut out = text.to_string();
        for (a, b, t) in spans {
            out.replace_range(a..b, t);
        }
        out
    }

    #[test]
    fn formatting_edits_give_the_formatter_output() {
        let cases = [
            "syntax = \"proto3\";\npackage a;\nmessage A { int32 x = 1; }\n",
            "syntax=\"proto3\";\n\n\n\npackage a;message B{}",
            "syntax = \"proto3\";\r\npackage a;\r\nmessage A {\r\n}\r\n",
        ];
        for text in cases {
            let formatted = crate::format::format_source(text).unwrap();
            let edits = diff_edits(text, &formatted, None);
            assert_eq!(apply(text, &edits), formatted, "{text:?}");
        }
    }

    #[test]
    fn range_formatting_touches_only_the_range() {
        let text = "syntax = \"proto3\";\n\npackage a;\n\nmessage A {   int32 x = 1; }\n\nmessage B {   int32 y = 1; }\n";
        let formatted = crate::format::format_source(text).unwrap();
        let edits = diff_edits(text, &formatted, Some((4, 4)));
        let out = apply(text, &edits);
        assert!(out.contains("message A {\n  int32 x = 1;\n}"), "{out}");
        assert!(out.contains("message B {   int32 y = 1; }"), "{out}");
    }

    #[test]
    fn places() {
        assert_eq!(place_of("syntax = \"proto3\";\n"), Place::Top);
        assert_eq!(place_of("message A {\n  "), Place::Message);
        assert_eq!(place_of("message A {\n  enum E {\n"), Place::Enum);
        assert_eq!(place_of("message A {\n  enum E {}\n"), Place::Message);
        assert_eq!(
            place_of("service S {\n rpc A(B) returns (C) {\n"),
            Place::Rpc
        );
        assert_eq!(place_of("// message {\n"), Place::Top);
    }
}
