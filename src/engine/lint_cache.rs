//! Incremental whole-tree `lint`: after a full run, the findings of every file are kept with the
//! file's content hash and its *interface* (everything but message fields and source info:
//! package, imports, options, message/enum/service/extension names and numbers, RPC types); a later
//! run recomputes only what an edit can change.
//!
//! What an edit invalidates: a file whose content changed, and every file that imports it
//! (transitively) — their compiled descriptors may differ. Nothing else, as long as the changed
//! files keep their interface: the cross-file rules read only interfaces (and the summaries they
//! are checked against), and compile errors between files (duplicate names, extension numbers)
//! come only from interfaces. So a run:
//! 1. knows every module file's content hash and summary (stat-keyed, [`super::know_files`]);
//! 2. takes the changed files and their importers, compiles and lints only those — the rest of
//!    the module comes in as summaries, as in a `--path` run;
//! 3. checks that the changed files' interfaces are as stored, else gives up;
//! 4. merges the new findings with the stored findings of every other file.
//!
//! An edit that keeps a file's interface but changes its message fields (a field renamed, added or
//! retyped) changes its shape, and its importers are recompiled only when they can see message
//! fields of the files they import ([`FieldReaders`]): through an option value (an aggregate value
//! or an option name path names the fields of the option's message type and of the message types
//! it reaches), or through PROTOVALIDATE (its CEL expressions are type-checked against the fields
//! of the message types a rule applies to). Any other importer's compiled descriptor names the
//! edited file's messages only by their full names, which the interface keeps.
//!
//! It gives up (and the caller runs the full lint, which stores a new state) whenever it is not
//! sure: no state, files added or removed, a config file changed, an interface changed, compile
//! errors, editions files in the module (`import option` dependencies are not in summaries), or a
//! state whose summaries did not agree with the compiled files (then summary-based cross-file
//! facts would not be the ones the full run saw).

use std::collections::{BTreeMap, HashMap, HashSet};

use prost::Message;
use prost_types::{DescriptorProto, FileDescriptorProto};

use crate::cache::{Key, KeyBuilder};
use crate::check::{Finding, Span};
use crate::image::Image;

const KIND: &str = "lint-state";

#[derive(Clone, PartialEq, Message)]
pub struct State {
    #[prost(message, repeated, tag = "1")]
    pub files: Vec<FileState>,
    #[prost(string, repeated, tag = "2")]
    pub warnings: Vec<String>,
    /// Content hashes of the input's non-.proto files (buf.yaml, ...), by path.
    #[prost(message, repeated, tag = "3")]
    pub configs: Vec<FileState>,
    /// Whether each file's findings are kept rendered (for an output format that prints findings
    /// one by one: [`crate::report::is_per_finding`]) rather than as [`FileState::findings`]:
    /// then `files` are in the order of their display paths and `report` is the whole report,
    /// each file's part ([`FileState::report_len`] bytes) after the part of the file before it.
    #[prost(bool, tag = "4")]
    pub rendered: bool,
    #[prost(bytes = "bytes", tag = "5")]
    pub report: bytes::Bytes,
    /// The registry dependencies the run saw ([`super::answer::registry_deps_stamp`]).
    #[prost(bytes = "vec", tag = "6")]
    pub deps: Vec<u8>,
}

#[derive(Clone, PartialEq, Message)]
pub struct FileState {
    #[prost(string, tag = "1")]
    pub root_path: String,
    #[prost(bytes = "vec", tag = "2")]
    pub content: Vec<u8>,
    #[prost(bytes = "vec", tag = "3")]
    pub interface: Vec<u8>,
    #[prost(message, repeated, tag = "4")]
    pub findings: Vec<StoredFinding>,
    /// The length of the file's part of [`State::report`].
    #[prost(uint64, tag = "7")]
    pub report_len: u64,
    /// The module files it imports, by root path (unchanged files keep their imports: an
    /// incremental run reads the summaries of the changed files only).
    #[prost(string, repeated, tag = "6")]
    pub imports: Vec<String>,
    /// The hash of its shape ([`Hashes::shape`]).
    #[prost(bytes = "vec", tag = "8")]
    pub shape: Vec<u8>,
    /// No option value of any module file can reach one of its messages ([`FieldReaders`]): an
    /// edit of its message fields alone is then invisible to importers that do not read fields.
    /// `false` (as in states stored before this field) recompiles every importer.
    #[prost(bool, tag = "9")]
    pub fields_unreachable: bool,
    /// Its lint does not read the message fields of the files it imports ([`FieldReaders`]).
    /// `false` (as in states stored before this field) recompiles it after an import's edit.
    #[prost(bool, tag = "10")]
    pub reads_no_imported_fields: bool,
}

#[derive(Clone, PartialEq, Message)]
pub struct StoredFinding {
    #[prost(string, tag = "1")]
    pub rule: String,
    #[prost(string, optional, tag = "2")]
    pub path: Option<String>,
    #[prost(uint32, repeated, tag = "3")]
    pub span: Vec<u32>,
    #[prost(string, tag = "4")]
    pub message: String,
    #[prost(string, optional, tag = "5")]
    pub help: Option<String>,
}

impl StoredFinding {
    pub fn of(f: &Finding) -> Self {
        StoredFinding {
            rule: f.rule.clone(),
            path: f.path.clone(),
            span: f
                .span
                .map(|s| vec![s.start_line, s.start_column, s.end_line, s.end_column])
                .unwrap_or_default(),
            message: f.message.clone(),
            help: f.help.clone(),
        }
    }

    pub fn finding(&self) -> Finding {
        let span = match self.span[..] {
            [start_line, start_column, end_line, end_column] => Some(Span {
                start_line,
                start_column,
                end_line,
                end_column,
            }),
            _ => None,
        };
        Finding {
            rule: self.rule.clone(),
            path: self.path.clone(),
            span,
            message: self.message.clone(),
            help: self.help.clone(),
        }
    }
}

/// Loads the state stored under `key` (its report a slice of the entry as read, not a copy).
pub fn load(key: Key) -> Option<State> {
    let bytes = super::cache()?.get_shared(KIND, key)?;
    State::decode(bytes).ok()
}

/// Stores `state` under `key`.
pub fn save(key: Key, state: &mut State) {
    let report = std::mem::take(&mut state.report);
    save_with_report(key, state, std::slice::from_ref(&report));
    state.report = report;
}

/// Stores `state` under `key` with the concatenation of `report` as its [`State::report`]
/// (which is left out): the pieces are written one after the other, never joined in memory.
pub fn save_with_report(key: Key, state: &State, report: &[bytes::Bytes]) {
    let Some(cache) = super::cache() else {
        return;
    };
    let (rest, field) = encoded_without_report(state, report);
    let mut parts: Vec<&[u8]> = Vec::with_capacity(report.len() + 2);
    parts.push(&rest);
    parts.push(&field);
    parts.extend(report.iter().map(|r| &r[..]));
    cache.put_parts(KIND, key, &parts);
}

/// `state` encoded without its report, and the header of a [`State::report`] field holding the
/// concatenation of `report`: those two, then the pieces, are the encoded state with that report.
fn encoded_without_report(state: &State, report: &[bytes::Bytes]) -> (Vec<u8>, Vec<u8>) {
    debug_assert!(state.report.is_empty());
    let len: usize = report.iter().map(bytes::Bytes::len).sum();
    let mut field = Vec::with_capacity(16);
    if len > 0 {
        // Field 5 (`report`), length-delimited; protobuf fields may come in any order.
        prost::encoding::encode_key(5, prost::encoding::WireType::LengthDelimited, &mut field);
        prost::encoding::encode_varint(len as u64, &mut field);
    }
    (state.encode_to_vec(), field)
}

/// Hashes of a compiled file: its *interface* (see the module doc), and its *shape*, the whole
/// descriptor but its source info. Importers see a file only through its descriptor (no lint rule
/// reads an imported file's comments or positions), so an edit that keeps the shape (comments,
/// blank lines, formatting) cannot change what its importers compile to, nor their findings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hashes {
    pub interface: Vec<u8>,
    pub shape: Vec<u8>,
}

/// The [`Hashes`] of a compiled file.
pub fn interface_and_shape(proto: &FileDescriptorProto) -> Hashes {
    fn strip(messages: &mut [DescriptorProto]) {
        for m in messages {
            m.field.clear();
            strip(&mut m.nested_type);
        }
    }
    let hash = |kind: &str, p: &FileDescriptorProto| {
        KeyBuilder::new(kind)
            .bytes(&p.encode_to_vec())
            .finish()
            .0
            .to_le_bytes()
            .to_vec()
    };
    let mut p = proto.clone();
    p.source_code_info = None;
    let shape = hash("shape", &p);
    strip(&mut p.message_type);
    Hashes {
        interface: hash("interface", &p),
        shape,
    }
}

/// The facts of a file the cross-file lint rules read, from a compiled file or a summary (with
/// resolved RPC types): equal facts give equal cross-file findings.
pub fn facts(proto: &FileDescriptorProto) -> Vec<u8> {
    let options = proto.options.as_ref().map(|o| prost_types::FileOptions {
        go_package: o.go_package.clone(),
        java_package: o.java_package.clone(),
        csharp_namespace: o.csharp_namespace.clone(),
        php_namespace: o.php_namespace.clone(),
        ruby_package: o.ruby_package.clone(),
        swift_prefix: o.swift_prefix.clone(),
        java_multiple_files: o.java_multiple_files,
        ..Default::default()
    });
    let services = proto
        .service
        .iter()
        .map(|s| prost_types::ServiceDescriptorProto {
            name: s.name.clone(),
            method: s
                .method
                .iter()
                .map(|m| prost_types::MethodDescriptorProto {
                    name: m.name.clone(),
                    input_type: m.input_type.clone(),
                    output_type: m.output_type.clone(),
                    client_streaming: Some(m.client_streaming()),
                    server_streaming: Some(m.server_streaming()),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        })
        .collect();
    let reduced = FileDescriptorProto {
        name: proto.name.clone(),
        package: proto.package.clone(),
        dependency: proto.dependency.clone(),
        public_dependency: proto.public_dependency.clone(),
        weak_dependency: proto.weak_dependency.clone(),
        service: services,
        options: options.filter(|o| *o != prost_types::FileOptions::default()),
        ..Default::default()
    };
    reduced.encode_to_vec()
}

/// Who can see the message fields of the files they import (see the module doc), found over
/// compiled files: what a full run stores with each file for the incremental runs after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldReaders {
    /// Files with a message that an option value can reach: the standard options messages, the
    /// type of every extension (an aggregate value can set extensions too), and every message
    /// type reachable from those through message fields. `None`: every file, because
    /// `google.protobuf.Any` is reachable (an option value can name any message by type URL).
    pub reachable: Option<HashSet<String>>,
    /// Files that import, directly or not, a file of package `buf.validate`: PROTOVALIDATE
    /// reads the fields of the message types its rules apply to, imported ones too.
    pub readers: HashSet<String>,
}

impl FieldReaders {
    /// Over no files: what [`FieldReaders::merge`] starts from.
    pub fn empty() -> FieldReaders {
        FieldReaders {
            reachable: Some(HashSet::new()),
            readers: HashSet::new(),
        }
    }

    /// What `files` (compiled files, each with every file it imports or on its own) show.
    pub fn of<'a>(files: impl Iterator<Item = &'a FileDescriptorProto>) -> FieldReaders {
        let by_name: Files<'_> = files.map(|f| (f.name(), f)).collect();
        FieldReaders {
            reachable: option_reachable(&by_name),
            readers: validate_readers(&by_name),
        }
    }

    /// What `self` and `other` (another set of files, such as another shard) show together.
    pub fn merge(&mut self, other: FieldReaders) {
        self.reachable = match (self.reachable.take(), other.reachable) {
            (Some(mut a), Some(b)) => {
                a.extend(b);
                Some(a)
            }
            _ => None,
        };
        self.readers.extend(other.readers);
    }

    /// Whether option values can reach a message of `file`.
    pub fn reachable(&self, file: &str) -> bool {
        self.reachable.as_ref().is_none_or(|r| r.contains(file))
    }
}

/// Compiled files by name.
type Files<'a> = HashMap<&'a str, &'a FileDescriptorProto>;

/// The files of [`FieldReaders::reachable`] among `files`. What a file's extensions reach is in
/// the file or the files it imports, so only those files' messages are looked at.
fn option_reachable(files: &Files<'_>) -> Option<HashSet<String>> {
    const OPTIONS: [&str; 9] = [
        ".google.protobuf.FileOptions",
        ".google.protobuf.MessageOptions",
        ".google.protobuf.FieldOptions",
        ".google.protobuf.OneofOptions",
        ".google.protobuf.EnumOptions",
        ".google.protobuf.EnumValueOptions",
        ".google.protobuf.ServiceOptions",
        ".google.protobuf.MethodOptions",
        ".google.protobuf.ExtensionRangeOptions",
    ];
    fn message_type(f: &prost_types::FieldDescriptorProto) -> Option<&str> {
        use prost_types::field_descriptor_proto::Type;
        matches!(f.r#type(), Type::Message | Type::Group).then_some(f.type_name())
    }
    fn has_extensions(messages: &[DescriptorProto]) -> bool {
        messages
            .iter()
            .any(|m| !m.extension.is_empty() || has_extensions(&m.nested_type))
    }
    /// Every message of `messages` by full name (`.pkg.Msg`): its file and its fields' message
    /// types; and the message types of the extensions declared among them.
    fn collect<'a>(
        prefix: &str,
        messages: &'a [DescriptorProto],
        file: &'a str,
        types: &mut HashMap<String, (&'a str, Vec<&'a str>)>,
        roots: &mut Vec<&'a str>,
    ) {
        for m in messages {
            let full = format!("{prefix}.{}", m.name());
            let fields = m.field.iter().filter_map(message_type).collect();
            roots.extend(m.extension.iter().filter_map(message_type));
            collect(&full, &m.nested_type, file, types, roots);
            types.insert(full, (file, fields));
        }
    }
    // The files with extensions (and the standard options' file), with what they import.
    let mut queue: Vec<&str> = files
        .values()
        .filter(|f| {
            !f.extension.is_empty()
                || has_extensions(&f.message_type)
                || f.name() == "google/protobuf/descriptor.proto"
        })
        .map(|f| f.name())
        .collect();
    let mut looked_at: HashSet<&str> = HashSet::new();
    let mut types: HashMap<String, (&str, Vec<&str>)> = HashMap::new();
    let mut roots: Vec<&str> = OPTIONS.to_vec();
    while let Some(name) = queue.pop() {
        let Some(f) = files.get(name).filter(|_| looked_at.insert(name)) else {
            continue;
        };
        let prefix = match f.package() {
            "" => String::new(),
            p => format!(".{p}"),
        };
        roots.extend(f.extension.iter().filter_map(message_type));
        collect(&prefix, &f.message_type, f.name(), &mut types, &mut roots);
        queue.extend(f.dependency.iter().map(String::as_str));
    }
    let mut seen: HashSet<&str> = HashSet::new();
    let mut reachable: HashSet<&str> = HashSet::new();
    while let Some(name) = roots.pop() {
        if name == ".google.protobuf.Any" {
            return None;
        }
        if !seen.insert(name) {
            continue;
        }
        if let Some((file, fields)) = types.get(name) {
            reachable.insert(file);
            roots.extend(fields);
        }
    }
    Some(reachable.into_iter().map(str::to_string).collect())
}

/// The files of [`FieldReaders::readers`] among `files`.
fn validate_readers(files: &Files<'_>) -> HashSet<String> {
    fn reads<'a>(name: &'a str, files: &Files<'a>, memo: &mut HashMap<&'a str, bool>) -> bool {
        if let Some(&known) = memo.get(name) {
            return known;
        }
        // Cycles do not compile; the mark only keeps a broken input from recursing forever.
        memo.insert(name, false);
        let found = files.get(name).is_some_and(|f| {
            f.package() == "buf.validate" || f.dependency.iter().any(|d| reads(d, files, memo))
        });
        memo.insert(name, found);
        found
    }
    let mut memo: HashMap<&str, bool> = HashMap::new();
    files
        .keys()
        .filter(|name| reads(name, files, &mut memo))
        .map(|name| name.to_string())
        .collect()
}

/// The [`facts`] and [`Hashes`] of a compiled file (its source info aside).
pub fn compiled_facts(proto: &FileDescriptorProto) -> FactsAndInterface {
    // Neither reads the source info ([`interface_and_shape`] drops it from its own copy).
    (facts(proto), interface_and_shape(proto))
}

/// A module file's [`compiled_facts`] by import path (`None`: not compiled).
pub type CompiledFacts<'a> = &'a dyn Fn(&str) -> Option<FactsAndInterface>;

/// A file's [`facts`] and [`Hashes`].
pub type FactsAndInterface = (Vec<u8>, Hashes);

/// Renders one file's findings (all with the same path) as its part of the report.
pub type RenderFile<'a> = &'a (dyn Fn(&[Finding]) -> String + Sync);

/// After a full run over every module file: the state to store, or `None` when the summaries do
/// not give the same cross-file facts as the compiled files (then no incremental run is safe).
/// With `render` (a per-finding output format), each file's findings are kept rendered, and
/// `report` (what the full run printed) must be those parts concatenated in display-path order.
/// `compiled` gives a module file's [`compiled_facts`] by import path; `fields`, who sees the
/// message fields of whom, over every compiled file.
#[allow(clippy::too_many_arguments)]
pub fn state_of_full_run(
    compiled: CompiledFacts<'_>,
    fields: &FieldReaders,
    known: &[(super::ModuleFile, super::Known)],
    display: &dyn Fn(&str) -> String,
    findings: &[Finding],
    warnings: &[String],
    configs: Vec<FileState>,
    render: Option<(RenderFile<'_>, &str)>,
) -> Option<State> {
    let mut summaries: Vec<FileDescriptorProto> = Vec::with_capacity(known.len());
    for (f, k) in known {
        let mut s = FileDescriptorProto::clone(&*k.summary()?);
        s.name = Some(f.name.clone());
        if s.syntax() == "editions" {
            return None;
        }
        summaries.push(s);
    }
    crate::lint::scope::resolve_rpc_types(&Image::new(Vec::new(), Vec::new()), &mut summaries);
    let mut by_display: HashMap<String, usize> = HashMap::new();
    for (i, (f, _)) in known.iter().enumerate() {
        by_display.insert(display(&f.root_path), i);
    }
    let mut per_file: Vec<Vec<StoredFinding>> = vec![Vec::new(); known.len()];
    for finding in findings {
        let i = *by_display.get(finding.path.as_deref()?)?;
        per_file[i].push(StoredFinding::of(finding));
    }
    let root_of: HashMap<&str, &str> = known
        .iter()
        .map(|(f, _)| (f.name.as_str(), f.root_path.as_str()))
        .collect();
    let mut files = Vec::with_capacity(known.len());
    for (((f, k), summary), found) in known.iter().zip(&summaries).zip(per_file) {
        // Summaries name RPC types with a leading dot, as the compiled descriptors do.
        let (compiled_facts, hashes) = compiled(&f.name)?;
        if compiled_facts != facts(summary) {
            return None;
        }
        files.push(FileState {
            root_path: f.root_path.clone(),
            content: k.content.0.to_le_bytes().to_vec(),
            interface: hashes.interface,
            shape: hashes.shape,
            fields_unreachable: !fields.reachable(&f.name),
            reads_no_imported_fields: !fields.readers.contains(&f.name),
            findings: found,
            report_len: 0,
            imports: summary
                .dependency
                .iter()
                .filter_map(|d| root_of.get(d.as_str()).map(|r| r.to_string()))
                .collect(),
        });
    }
    let mut state = State {
        files,
        warnings: warnings.to_vec(),
        configs,
        rendered: false,
        report: bytes::Bytes::new(),
        deps: Vec::new(),
    };
    if let Some((render, report)) = render {
        let by_display: Vec<String> = state.files.iter().map(|f| display(&f.root_path)).collect();
        let mut order: Vec<usize> = (0..state.files.len()).collect();
        order.sort_by(|&a, &b| by_display[a].cmp(&by_display[b]));
        let files = std::mem::take(&mut state.files);
        use rayon::prelude::*;
        let parts: Vec<String> = files
            .par_iter()
            .map(|f| {
                let found: Vec<Finding> = f.findings.iter().map(StoredFinding::finding).collect();
                render(&found)
            })
            .collect();
        let mut slots: Vec<Option<(FileState, String)>> =
            files.into_iter().zip(parts).map(Some).collect();
        state.rendered = true;
        let mut joined = Vec::with_capacity(report.len());
        for &i in &order {
            let (mut f, part) = slots[i].take()?;
            f.findings.clear();
            f.report_len = part.len() as u64;
            joined.extend_from_slice(part.as_bytes());
            state.files.push(f);
        }
        // The parts must make the report the full run printed: else keep nothing.
        if joined != report.as_bytes() {
            return None;
        }
        state.report = joined.into();
    }
    Some(state)
}

/// The parts of [`State::report`], one per file (see [`State::rendered`]); `None` when the
/// lengths do not add up.
pub fn report_parts(state: &State) -> Option<Vec<bytes::Bytes>> {
    let mut parts = Vec::with_capacity(state.files.len());
    let mut at = 0usize;
    for f in &state.files {
        let end = at.checked_add(usize::try_from(f.report_len).ok()?)?;
        if end > state.report.len() {
            return None;
        }
        parts.push(state.report.slice(at..end));
        at = end;
    }
    (at == state.report.len()).then_some(parts)
}

/// What an incremental run must recompute: the changed files (by root path) and every file that
/// imports one of them, transitively. `None` when the state cannot be used (files added or
/// removed, editions files).
pub fn invalidated(
    state: &State,
    known: &[(super::ModuleFile, super::Known)],
) -> Option<(BTreeMap<String, usize>, HashSet<String>)> {
    if state.files.len() != known.len() {
        return None;
    }
    let stored: HashMap<&str, usize> = state
        .files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.root_path.as_str(), i))
        .collect();
    let mut changed: BTreeMap<String, usize> = BTreeMap::new();
    let mut importers: HashMap<&str, Vec<&str>> = HashMap::new();
    let by_name: HashMap<&str, &str> = known
        .iter()
        .map(|(f, _)| (f.name.as_str(), f.root_path.as_str()))
        .collect();
    for (f, k) in known {
        let &i = stored.get(f.root_path.as_str())?;
        if state.files[i].content == k.content.0.to_le_bytes() {
            // Unchanged: its imports are the stored ones (it was not editions then either).
            for dep_root in &state.files[i].imports {
                importers.entry(dep_root).or_default().push(&f.root_path);
            }
            continue;
        }
        changed.insert(f.root_path.clone(), i);
        let summary = k.summary()?;
        if summary.syntax() == "editions" {
            return None;
        }
        for dep in &summary.dependency {
            if let Some(&dep_root) = by_name.get(dep.as_str()) {
                importers.entry(dep_root).or_default().push(&f.root_path);
            }
        }
    }
    let mut affected: HashSet<String> = HashSet::new();
    let mut queue: Vec<&str> = changed.keys().map(String::as_str).collect();
    while let Some(p) = queue.pop() {
        if !affected.insert(p.to_string()) {
            continue;
        }
        queue.extend(importers.get(p).into_iter().flatten());
    }
    Some((changed, affected))
}

#[cfg(test)]
mod tests {
    use super::*;
    use prost_types::field_descriptor_proto::Type;
    use prost_types::FieldDescriptorProto;

    fn field(name: &str, ty: Type, type_name: &str) -> FieldDescriptorProto {
        FieldDescriptorProto {
            name: Some(name.into()),
            r#type: Some(ty as i32),
            type_name: (!type_name.is_empty()).then(|| type_name.into()),
            ..Default::default()
        }
    }

    fn message(name: &str, fields: Vec<FieldDescriptorProto>) -> DescriptorProto {
        DescriptorProto {
            name: Some(name.into()),
            field: fields,
            ..Default::default()
        }
    }

    fn file(
        name: &str,
        package: &str,
        deps: &[&str],
        messages: Vec<DescriptorProto>,
    ) -> FileDescriptorProto {
        FileDescriptorProto {
            name: Some(name.into()),
            package: Some(package.into()),
            dependency: deps.iter().map(|d| d.to_string()).collect(),
            message_type: messages,
            ..Default::default()
        }
    }

    /// Option values reach the extensions' types and what their fields reach, nested messages
    /// and groups included, across files; a message only named by other messages' fields is not
    /// reached; `google.protobuf.Any` among them makes every file reachable.
    #[test]
    fn option_values_reach_extension_types_and_what_their_fields_reach() {
        let mut opts = file(
            "opts.proto",
            "o",
            &["rule.proto"],
            vec![message("Unused", vec![])],
        );
        opts.extension.push(FieldDescriptorProto {
            extendee: Some(".google.protobuf.FieldOptions".into()),
            ..field("rule", Type::Message, ".o.Rule")
        });
        let mut rule = message("Rule", vec![field("part", Type::Group, ".o.Rule.Part")]);
        rule.nested_type.push(message(
            "Part",
            vec![field("when", Type::Message, ".t.When")],
        ));
        let rule = file("rule.proto", "o", &["when.proto"], vec![rule]);
        let when = file(
            "when.proto",
            "t",
            &[],
            vec![message("When", vec![field("y", Type::Int32, "")])],
        );
        let date = file(
            "date.proto",
            "t",
            &[],
            vec![message("Date", vec![field("y", Type::Int32, "")])],
        );
        let user = file(
            "user.proto",
            "u",
            &["date.proto", "opts.proto"],
            vec![message("U", vec![field("d", Type::Message, ".t.Date")])],
        );
        let files = [&opts, &rule, &when, &date, &user];
        let readers = FieldReaders::of(files.iter().copied());
        for (name, reachable) in [
            ("opts.proto", false),
            ("rule.proto", true),
            ("when.proto", true),
            ("date.proto", false),
            ("user.proto", false),
        ] {
            assert_eq!(readers.reachable(name), reachable, "{name}");
        }
        // Shard by shard (each shard with what its files import): the same.
        let mut merged = FieldReaders::empty();
        merged.merge(FieldReaders::of([&when, &date].into_iter()));
        assert!(!merged.reachable("when.proto"));
        merged.merge(FieldReaders::of([&opts, &rule, &when].into_iter()));
        for name in ["opts.proto", "rule.proto", "when.proto", "date.proto"] {
            assert_eq!(merged.reachable(name), readers.reachable(name), "{name}");
        }
        // An `Any` field on the way: every file.
        let mut any_when = when.clone();
        any_when.message_type[0]
            .field
            .push(field("a", Type::Message, ".google.protobuf.Any"));
        let with_any = FieldReaders::of([&opts, &rule, &any_when, &date].into_iter());
        assert_eq!(with_any.reachable, None);
        assert!(with_any.reachable("date.proto"));
        merged.merge(with_any);
        assert!(merged.reachable("anything.proto"));
    }

    /// The files that import a `buf.validate` file, directly or not, read imported fields.
    #[test]
    fn files_that_import_protovalidate_read_imported_fields() {
        let validate = file("buf/validate/validate.proto", "buf.validate", &[], vec![]);
        let rules = file("rules.proto", "r", &["buf/validate/validate.proto"], vec![]);
        let user = file("user.proto", "u", &["rules.proto", "plain.proto"], vec![]);
        let plain = file("plain.proto", "p", &[], vec![]);
        let readers = FieldReaders::of([&validate, &rules, &user, &plain].into_iter()).readers;
        let mut names: Vec<&str> = readers.iter().map(String::as_str).collect();
        names.sort();
        assert_eq!(
            names,
            ["buf/validate/validate.proto", "rules.proto", "user.proto"]
        );
    }

    #[test]
    fn a_state_written_in_pieces_reads_back_with_the_whole_report() {
        let state = State {
            files: vec![FileState {
                root_path: "a.proto".into(),
                report_len: 9,
                ..FileState::default()
            }],
            warnings: vec!["w".into()],
            rendered: true,
            deps: vec![7],
            ..State::default()
        };
        for pieces in [
            vec![
                bytes::Bytes::from("a.proto:1"),
                bytes::Bytes::from("\nmore"),
            ],
            vec![bytes::Bytes::new()],
            Vec::new(),
        ] {
            let (rest, field) = encoded_without_report(&state, &pieces);
            let mut written = rest.clone();
            written.extend_from_slice(&field);
            pieces.iter().for_each(|p| written.extend_from_slice(p));
            let read = State::decode(bytes::Bytes::from(written)).expect("decodes");
            let joined: Vec<u8> = pieces.iter().flat_map(|p| p.to_vec()).collect();
            let whole = State {
                report: joined.into(),
                ..state.clone()
            };
            assert_eq!(read, whole);
        }
    }
}
