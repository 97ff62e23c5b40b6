//! Every semantic error of a file at once, with buf 1.75's messages and positions.
//!
//! protox stops at its first failing phase (a parse check, then name collection, then name
//! resolution), so a file with a proto3 enum that does not start at zero *and* a field number used
//! twice gets one error where buf reports both. When compiling fails, [`check`] walks the syntax
//! tree ([`crate::syntax`]) of each proto2/proto3 file and reports, in one pass, the errors buf
//! reports for: names declared twice (at the first declaration, messages before enums before the
//! rest), field numbers out of range, used twice, reserved or in an extension range, reserved
//! names, overlapping reserved/extension ranges, extension numbers outside the extendee's ranges,
//! JSON name conflicts (proto3: every field; proto2: when a `json_name` is involved), map key
//! types, `required` and `default` in proto3, enum first values, duplicate enum numbers without
//! `allow_alias` (and `allow_alias` with no alias), reserved enum numbers and names, proto3 enum
//! value names that clash once the enum's prefix is removed, imports that do not exist, and type
//! names that resolve to nothing visible (or to an enum where a message is needed).
//!
//! [`merge`] puts them in place of protox's errors of those kinds for each file it could check;
//! a file with any other error (a syntax error, an option that does not resolve...) keeps
//! protox's errors untouched, so nothing buf would not report is added to it. Type names are
//! only checked when every file the file sees could be read.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;

use prost_types::{DescriptorProto, FileDescriptorProto};

use super::json_names::{default_json_name as json_name, enum_value_pascal};
use crate::check::{Finding, Span};
use crate::syntax::{self, Decl, QualName, RangeExpr, ReservedItem, TokenId, Value};
use crate::workspace::Workspace;

const MAX_FIELD_NUMBER: u64 = 536_870_911;

/// buf's message for an import that no import root has.
pub(super) const IMPORT_MISSING: &str = "imported file does not exist";

/// protox / prost-reflect messages of the errors [`check`] reports itself.
fn covered(message: &str) -> Coverage {
    const ALWAYS: &[&str] = &[
        "' is defined twice",
        "field number '",
        "a field with JSON name '",
        "camel-case name of field '",
        "invalid field number '",
        "' does not define '",
        "' is not a message type",
        "' is not a message or enum type",
        "which is not defined",
        "the first value for proto3 enums must be 0",
        "enum number '",
        "required fields are not allowed in proto3 syntax",
        "default values are not allowed in proto3",
        "a map field key type must be an integer, boolean or string",
        "message numbers must be between 1 and ",
    ];
    let not_defined = message.starts_with("name '") && message.ends_with("' is not defined");
    let import = super::missing_import(message).is_some();
    if not_defined || import || ALWAYS.iter().any(|p| message.contains(p)) {
        Coverage::Always
    } else if message == "integer is too large" {
        Coverage::SameLine
    } else {
        Coverage::No
    }
}

#[derive(PartialEq, Eq)]
enum Coverage {
    /// Our check finds every error of this kind.
    Always,
    /// Ours, when we report something on the same line (the kind also occurs where we do not look).
    SameLine,
    No,
}

/// Replaces protox's errors of the covered kinds by [`check`]'s, file by file (see the module doc).
/// `findings` are all compile findings; targets and the files they name are checked.
pub(super) fn merge(findings: &mut Vec<Finding>, workspace: &Workspace, include_roots: &[PathBuf]) {
    let mut by_path: HashMap<String, &str> = HashMap::new();
    for f in workspace.files.values() {
        by_path.insert(f.external_path.clone(), f.name.as_str());
    }
    let mut names: Vec<&str> = workspace
        .targets()
        .map(|f| f.name.as_str())
        .chain(
            findings
                .iter()
                .filter_map(|f| by_path.get(f.path.as_deref()?).copied()),
        )
        .collect();
    names.sort_unstable();
    names.dedup();
    let mut universe = Universe {
        workspace,
        include_roots,
        files: HashMap::new(),
    };
    for name in names {
        let wf = &workspace.files[name];
        let path = Some(wf.external_path.clone());
        let theirs: Vec<&Finding> = findings.iter().filter(|f| f.path == path).collect();
        if theirs.iter().any(|f| covered(&f.message) == Coverage::No) {
            continue;
        }
        let ours = check(name, &mut universe);
        if ours.is_empty() {
            continue;
        }
        let mut lines = HashSet::new();
        let ours: Vec<Finding> = ours
            .into_iter()
            .map(|e| {
                let span = Span::from_byte_range(&wf.text, e.start, e.end);
                lines.insert(span.start_line);
                let mut f = Finding::new("COMPILE", path.clone(), Some(span), e.message);
                if let Some(import) = e.missing_import {
                    f = f.with_help(super::errors::import_help(&import, workspace));
                }
                f
            })
            .collect();
        findings.retain(|f| {
            f.path != path
                || match covered(&f.message) {
                    Coverage::Always => false,
                    Coverage::SameLine => !f.span.is_some_and(|s| lines.contains(&s.start_line)),
                    Coverage::No => true,
                }
        });
        findings.extend(ours);
    }
}

/// One error: a byte range of the file and buf's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Error {
    pub start: usize,
    pub end: usize,
    pub message: String,
    /// For "imported file does not exist": the import path.
    pub missing_import: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TypeKind {
    Message,
    Enum,
}

/// What another file contributes to name resolution.
struct Symbols {
    package: String,
    types: HashMap<String, TypeKind>,
    public_imports: Vec<String>,
}

/// The files name resolution may look at, read once each.
struct Universe<'w> {
    workspace: &'w Workspace,
    include_roots: &'w [PathBuf],
    /// `None`: the file exists but could not be read (its names are unknown).
    files: HashMap<String, Option<Option<std::rc::Rc<Symbols>>>>,
}

impl Universe<'_> {
    /// `None`: no such file; `Some(None)`: it exists, its names are unknown.
    fn symbols(&mut self, name: &str) -> Option<Option<std::rc::Rc<Symbols>>> {
        if let Some(known) = self.files.get(name) {
            return known.clone();
        }
        let found = match self.workspace.files.get(name) {
            Some(wf) => Some(
                syntax::parse(&wf.text)
                    .ok()
                    .filter(|tree| !tree.syntax.as_ref().is_some_and(|s| s.is_edition))
                    .map(|tree| std::rc::Rc::new(tree_symbols(&tree))),
            ),
            None => super::link::open_outside(name, self.include_roots, self.workspace)
                .map(|fd| Some(std::rc::Rc::new(descriptor_symbols(&fd)))),
        };
        self.files.insert(name.to_string(), found.clone());
        found
    }
}

fn join(scope: &str, name: &str) -> String {
    if scope.is_empty() {
        name.to_string()
    } else {
        format!("{scope}.{name}")
    }
}

fn descriptor_symbols(fd: &FileDescriptorProto) -> Symbols {
    fn message(scope: &str, m: &DescriptorProto, types: &mut HashMap<String, TypeKind>) {
        let full = join(scope, m.name());
        for e in &m.enum_type {
            types.insert(join(&full, e.name()), TypeKind::Enum);
        }
        for n in &m.nested_type {
            message(&full, n, types);
        }
        types.insert(full, TypeKind::Message);
    }
    let mut types = HashMap::new();
    for m in &fd.message_type {
        message(fd.package(), m, &mut types);
    }
    for e in &fd.enum_type {
        types.insert(join(fd.package(), e.name()), TypeKind::Enum);
    }
    Symbols {
        package: fd.package().to_string(),
        types,
        public_imports: fd
            .public_dependency
            .iter()
            .filter_map(|&i| fd.dependency.get(i as usize).cloned())
            .collect(),
    }
}

fn package_of(tree: &syntax::File) -> String {
    tree.decls
        .iter()
        .find_map(|d| match d {
            Decl::Package(p) => Some(qual_text(tree, &p.name)),
            _ => None,
        })
        .unwrap_or_default()
}

fn tree_symbols(tree: &syntax::File) -> Symbols {
    fn walk(tree: &syntax::File, scope: &str, decls: &[Decl], out: &mut HashMap<String, TypeKind>) {
        for d in decls {
            match d {
                Decl::Message(m) => {
                    let full = join(scope, tree.text(m.name));
                    walk(tree, &full, &m.body.decls, out);
                    out.insert(full, TypeKind::Message);
                }
                Decl::Group(g) => {
                    let full = join(scope, tree.text(g.name));
                    walk(tree, &full, &g.body.decls, out);
                    out.insert(full, TypeKind::Message);
                }
                Decl::Enum(e) => {
                    out.insert(join(scope, tree.text(e.name)), TypeKind::Enum);
                }
                Decl::Oneof(o) => walk(tree, scope, &o.body.decls, out),
                Decl::Extend(x) => walk(tree, scope, &x.body.decls, out),
                _ => {}
            }
        }
    }
    let package = package_of(tree);
    let mut types = HashMap::new();
    walk(tree, &package, &tree.decls, &mut types);
    let public_imports = tree
        .decls
        .iter()
        .filter_map(|d| match d {
            Decl::Import(i) if i.modifier.is_some_and(|m| tree.text(m) == "public") => {
                Some(tree.string_value(&i.path))
            }
            _ => None,
        })
        .collect();
    Symbols {
        package,
        types,
        public_imports,
    }
}

fn qual_text(tree: &syntax::File, q: &QualName) -> String {
    q.tokens.iter().map(|&t| tree.text(t)).collect()
}

/// Every error [`check`] knows of in `name` (a workspace file); empty for editions files and
/// files that do not parse.
fn check(name: &str, universe: &mut Universe) -> Vec<Error> {
    let Some(wf) = universe.workspace.files.get(name) else {
        return Vec::new();
    };
    let Ok(tree) = syntax::parse(&wf.text) else {
        return Vec::new();
    };
    let proto3 = match &tree.syntax {
        Some(s) if s.is_edition => return Vec::new(),
        Some(s) => tree.string_value(&s.value) == "proto3",
        None => false,
    };
    let own = tree_symbols(&tree);
    let mut checker = Checker {
        tree: &tree,
        proto3,
        errors: Vec::new(),
        visible: own.types.clone(),
        packages: HashSet::new(),
        complete: true,
        extension_ranges: HashMap::new(),
        extension_numbers: HashMap::new(),
    };
    checker.add_package(&own.package);
    // Imports: each must exist; their names (and those of their public imports) are visible.
    let mut seen = HashSet::new();
    for d in &tree.decls {
        let Decl::Import(import) = d else { continue };
        let path = tree.string_value(&import.path);
        let mut queue = vec![path.clone()];
        let mut first = true;
        while let Some(file) = queue.pop() {
            if !seen.insert(file.clone()) && !first {
                continue;
            }
            match universe.symbols(&file) {
                None if first => {
                    let (start, _) = checker.span(import.keyword);
                    let (_, end) = checker.span(import.semicolon);
                    checker.errors.push(Error {
                        start,
                        end,
                        message: IMPORT_MISSING.to_string(),
                        missing_import: Some(path.clone()),
                    });
                }
                None | Some(None) => checker.complete = false,
                Some(Some(symbols)) => {
                    checker.add_package(&symbols.package);
                    checker
                        .visible
                        .extend(symbols.types.iter().map(|(k, v)| (k.clone(), *v)));
                    queue.extend(symbols.public_imports.iter().cloned());
                }
            }
            first = false;
        }
    }
    checker.collect_extension_ranges(&own.package, &tree.decls);
    checker.names(&tree.decls, true);
    checker.body(&own.package, &tree.decls, false);
    let mut errors = checker.errors;
    errors.sort_by(|a, b| (a.start, a.end, &a.message).cmp(&(b.start, b.end, &b.message)));
    errors.dedup();
    errors
}

struct Checker<'t> {
    tree: &'t syntax::File,
    proto3: bool,
    errors: Vec<Error>,
    /// Full names of the types this file sees (its own, its imports', their public imports').
    visible: HashMap<String, TypeKind>,
    /// Packages and their prefixes.
    packages: HashSet<String>,
    /// Whether every imported file could be read (else type names are not checked).
    complete: bool,
    /// Extension ranges of this file's messages, by full name.
    extension_ranges: HashMap<String, Vec<(u64, u64)>>,
    /// Extension numbers already used, by extendee.
    extension_numbers: HashMap<String, HashSet<u64>>,
}

impl Checker<'_> {
    fn add_package(&mut self, package: &str) {
        let mut prefix = String::new();
        for part in package.split('.').filter(|p| !p.is_empty()) {
            prefix = join(&prefix, part);
            self.packages.insert(prefix.clone());
        }
    }

    fn span(&self, id: TokenId) -> (usize, usize) {
        let s = self.tree.token(id).span;
        (s.start as usize, s.end as usize)
    }

    fn push(&mut self, (start, end): (usize, usize), message: String) {
        self.errors.push(Error {
            start,
            end,
            message,
            missing_import: None,
        });
    }

    fn at(&mut self, id: TokenId, message: String) {
        self.push(self.span(id), message);
    }

    fn between(&self, first: TokenId, last: TokenId) -> (usize, usize) {
        (self.span(first).0, self.span(last).1)
    }

    fn value_span(&self, v: &Value) -> (usize, usize) {
        self.between(v.first_token(), v.last_token())
    }

    fn qual_span(&self, q: &QualName) -> (usize, usize) {
        let first = q.tokens[0];
        let last = *q.tokens.last().unwrap_or(&first);
        self.between(first, last)
    }

    fn collect_extension_ranges(&mut self, scope: &str, decls: &[Decl]) {
        for d in decls {
            if let Decl::Message(m) = d {
                let full = join(scope, self.tree.text(m.name));
                let mut ranges = Vec::new();
                for d in &m.body.decls {
                    if let Decl::ExtensionRange(r) = d {
                        for range in &r.ranges {
                            if let Some((a, b, _)) = self.range(range, MAX_FIELD_NUMBER as i64) {
                                ranges.push((a as u64, b as u64));
                            }
                        }
                    }
                }
                self.collect_extension_ranges(&full, &m.body.decls);
                self.extension_ranges.insert(full, ranges);
            }
        }
    }

    /// `a`, `a to b`, `a to max` as an inclusive range, with its span.
    fn range(&self, r: &RangeExpr, max: i64) -> Option<(i64, i64, (usize, usize))> {
        let start = self.int(&r.start)?;
        let end = match &r.end {
            None => start,
            Some(Value::Scalar(t)) if self.tree.text(*t) == "max" => max,
            Some(v) => self.int(v)?,
        };
        let last = r
            .end
            .as_ref()
            .map_or(r.start.last_token(), Value::last_token);
        Some((start, end, self.between(r.start.first_token(), last)))
    }

    fn int(&self, v: &Value) -> Option<i64> {
        match v {
            Value::Scalar(t) => parse_int(self.tree.text(*t)).and_then(|n| i64::try_from(n).ok()),
            Value::Signed { sign, value } => {
                let n = i64::try_from(parse_int(self.tree.text(*value))?).ok()?;
                Some(if self.tree.text(*sign) == "-" { -n } else { n })
            }
            _ => None,
        }
    }

    /// Names declared more than once in one scope: once each, at the first message, else the
    /// first enum, else the first declaration.
    fn names(&mut self, decls: &[Decl], file_scope: bool) {
        let mut seen: BTreeMap<String, Vec<(u8, usize, TokenId)>> = BTreeMap::new();
        let mut add = |name: &str, rank: u8, id: TokenId| {
            let list = seen.entry(name.to_string()).or_default();
            let order = list.len();
            list.push((rank, order, id));
        };
        let tree = self.tree;
        let enum_values = |e: &syntax::EnumDecl, add: &mut dyn FnMut(&str, u8, TokenId)| {
            for d in &e.body.decls {
                if let Decl::EnumValue(v) = d {
                    add(tree.text(v.name), 2, v.name);
                }
            }
        };
        for d in decls {
            match d {
                Decl::Message(m) => add(tree.text(m.name), 0, m.name),
                Decl::Enum(e) => {
                    add(tree.text(e.name), 1, e.name);
                    enum_values(e, &mut add);
                }
                Decl::Service(s) => add(tree.text(s.name), 2, s.name),
                Decl::Field(f) => add(tree.text(f.name), 2, f.name),
                Decl::MapField(f) => add(tree.text(f.name), 2, f.name),
                Decl::Group(g) => add(tree.text(g.name), 0, g.name),
                Decl::Oneof(o) => {
                    add(tree.text(o.name), 2, o.name);
                    for d in &o.body.decls {
                        match d {
                            Decl::Field(f) => add(tree.text(f.name), 2, f.name),
                            Decl::Group(g) => add(tree.text(g.name), 0, g.name),
                            _ => {}
                        }
                    }
                }
                Decl::Extend(x) => {
                    for d in &x.body.decls {
                        if let Decl::Field(f) = d {
                            add(tree.text(f.name), 2, f.name);
                        }
                    }
                }
                Decl::Rpc(r) if !file_scope => add(tree.text(r.name), 2, r.name),
                _ => {}
            }
        }
        let mut found: Vec<(TokenId, String)> = seen
            .into_iter()
            .filter(|(_, list)| list.len() > 1)
            .filter_map(|(name, list)| {
                let first = list.iter().min_by_key(|(rank, order, _)| (*rank, *order))?;
                Some((first.2, name))
            })
            .collect();
        found.sort();
        for (id, name) in found {
            self.at(id, format!("`{name}` declared multiple times"));
        }
    }

    /// The declarations of the file or of a message (or group) body.
    fn body(&mut self, scope: &str, decls: &[Decl], is_message: bool) {
        let mut fields: Vec<FieldInfo> = Vec::new();
        for d in decls {
            match d {
                Decl::Message(m) => {
                    let full = join(scope, self.tree.text(m.name));
                    self.names(&m.body.decls, false);
                    self.body(&full, &m.body.decls, true);
                }
                Decl::Enum(e) => self.enumeration(e),
                Decl::Service(s) => {
                    self.names(&s.body.decls, false);
                    for d in &s.body.decls {
                        if let Decl::Rpc(r) = d {
                            for t in [&r.input, &r.output] {
                                self.message_type(scope, &t.message_type);
                            }
                        }
                    }
                }
                Decl::Extend(x) => self.extend(scope, x),
                Decl::Field(f) => fields.push(self.field(scope, f)),
                Decl::MapField(f) => fields.push(self.map_field(scope, f)),
                Decl::Group(g) => {
                    let full = join(scope, self.tree.text(g.name));
                    fields.push(self.group(g));
                    self.names(&g.body.decls, false);
                    self.body(&full, &g.body.decls, true);
                }
                Decl::Oneof(o) => {
                    for d in &o.body.decls {
                        match d {
                            Decl::Field(f) => fields.push(self.field(scope, f)),
                            Decl::Group(g) => {
                                let full = join(scope, self.tree.text(g.name));
                                fields.push(self.group(g));
                                self.names(&g.body.decls, false);
                                self.body(&full, &g.body.decls, true);
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        if is_message {
            self.message_fields(decls, &fields);
        }
    }

    fn field(&mut self, scope: &str, f: &syntax::FieldDecl) -> FieldInfo {
        if self.proto3 {
            if let Some(label) = f.label.filter(|&l| self.tree.text(l) == "required") {
                self.at(label, "unexpected `required`".to_string());
            }
            if let Some(opts) = &f.options {
                for o in &opts.options {
                    if o.name.tokens.len() == 1 && self.tree.text(o.name.tokens[0]) == "default" {
                        let span = self.between(o.name.tokens[0], o.value.last_token());
                        self.push(span, "custom default in \"proto3\"".to_string());
                    }
                }
            }
        }
        if !is_scalar(&qual_text(self.tree, &f.field_type)) {
            self.type_name(scope, &f.field_type);
        }
        self.field_info(f.name, f.number, f.options.as_ref(), false)
    }

    fn map_field(&mut self, scope: &str, f: &syntax::MapFieldDecl) -> FieldInfo {
        let key = qual_text(self.tree, &f.key_type);
        let span = self.qual_span(&f.key_type);
        if is_scalar(&key) {
            if matches!(key.as_str(), "float" | "double" | "bytes") {
                self.push(
                    span,
                    format!("expected map key type, found scalar type `{key}`"),
                );
            }
        } else if let Some((full, kind)) = self.type_name(scope, &f.key_type) {
            let kind = match kind {
                TypeKind::Message => "message",
                TypeKind::Enum => "enum",
            };
            self.push(
                span,
                format!("expected map key type, found {kind} type `{full}`"),
            );
        }
        if !is_scalar(&qual_text(self.tree, &f.value_type)) {
            self.type_name(scope, &f.value_type);
        }
        self.field_info(f.name, f.number, f.options.as_ref(), false)
    }

    fn group(&mut self, g: &syntax::GroupDecl) -> FieldInfo {
        self.field_info(g.name, g.number, g.options.as_ref(), true)
    }

    fn field_info(
        &self,
        name: TokenId,
        number: TokenId,
        options: Option<&syntax::CompactOptions>,
        group: bool,
    ) -> FieldInfo {
        let written = self.tree.text(name);
        let custom = options.and_then(|opts| {
            opts.options.iter().find_map(|o| {
                let is_json =
                    o.name.tokens.len() == 1 && self.tree.text(o.name.tokens[0]) == "json_name";
                match (&o.value, is_json) {
                    (Value::Strings(s), true) => {
                        Some((self.tree.string_value(s), self.value_span(&o.value)))
                    }
                    _ => None,
                }
            })
        });
        let default_json = if group {
            json_name(&written.to_ascii_lowercase())
        } else {
            json_name(written)
        };
        FieldInfo {
            name,
            number,
            json: custom.as_ref().map_or(default_json, |(j, _)| j.clone()),
            custom_span: custom.map(|(_, span)| span),
        }
    }

    /// Numbers (range, duplicates, reserved, extension ranges), reserved names and JSON names of
    /// a message's fields, and overlapping ranges.
    fn message_fields(&mut self, decls: &[Decl], fields: &[FieldInfo]) {
        let mut ranges: Vec<(i64, i64)> = Vec::new();
        let mut reserved_names = HashSet::new();
        for d in decls {
            let items: Vec<&RangeExpr> = match d {
                Decl::Reserved(r) => r
                    .items
                    .iter()
                    .filter_map(|item| match item {
                        ReservedItem::Range(range) => Some(range),
                        ReservedItem::Name(s) => {
                            reserved_names.insert(self.tree.string_value(s));
                            None
                        }
                        ReservedItem::Ident(t) => {
                            reserved_names.insert(self.tree.text(*t).to_string());
                            None
                        }
                    })
                    .collect(),
                Decl::ExtensionRange(r) => r.ranges.iter().collect(),
                _ => continue,
            };
            for range in items {
                let Some((a, b, span)) = self.range(range, MAX_FIELD_NUMBER as i64) else {
                    continue;
                };
                if ranges.iter().any(|&(c, d)| a <= d && c <= b) {
                    self.push(span, "overlapping field number ranges".to_string());
                }
                ranges.push((a, b));
            }
        }
        let mut numbers = HashSet::new();
        let mut json: Vec<(&str, bool)> = Vec::new();
        for f in fields {
            let number = parse_int(self.tree.text(f.number));
            match number {
                Some(n) if (1..=MAX_FIELD_NUMBER).contains(&n) && !(19000..=19999).contains(&n) => {
                    let n_i = n as i64;
                    if ranges.iter().any(|&(a, b)| a <= n_i && n_i <= b) {
                        self.at(f.number, format!("use of reserved field number `{n}`"));
                    }
                    if !numbers.insert(n) {
                        self.at(f.number, format!("field number `{n}` used more than once"));
                    }
                }
                _ => self.at(f.number, "field number out of range".to_string()),
            }
            let name = self.tree.text(f.name);
            if reserved_names.contains(name) {
                self.at(f.name, "use of reserved message field name".to_string());
            }
            let custom = f.custom_span.is_some();
            let clash = json.iter().any(|&(other, other_custom)| {
                other == f.json && (self.proto3 || custom || other_custom)
            });
            if clash {
                let span = f.custom_span.unwrap_or(self.span(f.name));
                self.push(span, "message fields have the same JSON name".to_string());
            }
            json.push((f.json.as_str(), custom));
        }
    }

    fn extend(&mut self, scope: &str, x: &syntax::ExtendDecl) {
        let extendee = self.type_name(scope, &x.extendee);
        if self.proto3 && self.complete {
            // proto3 extends only descriptor.proto's options messages.
            let shown = match &extendee {
                None => Some(String::new()),
                Some((full, TypeKind::Message))
                    if !(full.starts_with("google.protobuf.") && full.ends_with("Options")) =>
                {
                    Some(full.clone())
                }
                Some(_) => None,
            };
            if let Some(shown) = shown {
                self.at(
                    x.keyword,
                    format!("expected built-in options message, found message type `{shown}`"),
                );
            }
        }
        let ranges = extendee
            .as_ref()
            .and_then(|(full, _)| self.extension_ranges.get(full).cloned());
        for d in &x.body.decls {
            let (number, field_type) = match d {
                Decl::Field(f) => (f.number, Some(&f.field_type)),
                Decl::Group(g) => (g.number, None),
                _ => continue,
            };
            if let Some(t) = field_type {
                if !is_scalar(&qual_text(self.tree, t)) {
                    self.type_name(scope, t);
                }
            }
            let (Some(ranges), Some((full, _))) = (&ranges, &extendee) else {
                continue;
            };
            let Some(n) = parse_int(self.tree.text(number)) else {
                continue;
            };
            if !ranges.iter().any(|&(a, b)| a <= n && n <= b) {
                self.at(number, format!("extension with unreserved number `{n}`"));
            } else if !self
                .extension_numbers
                .entry(full.clone())
                .or_default()
                .insert(n)
            {
                self.at(number, format!("field number `{n}` used more than once"));
            }
        }
    }

    fn enumeration(&mut self, e: &syntax::EnumDecl) {
        let enum_name = self.tree.text(e.name);
        let mut values: Vec<(TokenId, &Value, Option<i64>)> = Vec::new();
        let mut allow_alias = None;
        let mut ranges: Vec<(i64, i64)> = Vec::new();
        let mut reserved_names = HashSet::new();
        for d in &e.body.decls {
            match d {
                Decl::EnumValue(v) => values.push((v.name, &v.number, self.int(&v.number))),
                Decl::Option(o)
                    if o.name.tokens.len() == 1
                        && self.tree.text(o.name.tokens[0]) == "allow_alias" =>
                {
                    let on = matches!(o.value, Value::Scalar(t) if self.tree.text(t) == "true");
                    allow_alias = Some((on, self.between(o.name.tokens[0], o.value.last_token())));
                }
                Decl::Reserved(r) => {
                    for item in &r.items {
                        match item {
                            ReservedItem::Range(range) => {
                                if let Some((a, b, _)) = self.range(range, i32::MAX as i64) {
                                    ranges.push((a, b));
                                }
                            }
                            ReservedItem::Name(s) => {
                                reserved_names.insert(self.tree.string_value(s));
                            }
                            ReservedItem::Ident(t) => {
                                reserved_names.insert(self.tree.text(*t).to_string());
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        if self.proto3 {
            if let Some((_, v, n)) = values.first() {
                if *n != Some(0) {
                    let span = self.value_span(v);
                    self.push(span, "first value of open enum must be zero".to_string());
                }
            }
        }
        let aliasing = matches!(allow_alias, Some((true, _)));
        let mut seen: HashSet<i64> = HashSet::new();
        let mut any_alias = false;
        let mut pascal: Vec<(String, Option<i64>)> = Vec::new();
        for &(name, v, n) in &values {
            if let Some(n) = n {
                if ranges.iter().any(|&(a, b)| a <= n && n <= b) {
                    let span = self.value_span(v);
                    self.push(span, format!("use of reserved enum value `{n}`"));
                }
                if !seen.insert(n) {
                    any_alias = true;
                    if !aliasing {
                        let span = self.value_span(v);
                        self.push(span, format!("enum value `{n}` used more than once"));
                    }
                }
            }
            let written = self.tree.text(name);
            if reserved_names.contains(written) {
                self.at(name, "use of reserved enum value name".to_string());
            }
            if self.proto3 {
                let p = enum_value_pascal(enum_name, written);
                if pascal.iter().any(|(other, m)| *other == p && *m != n) {
                    self.at(
                        name,
                        format!(
                            "enum values have the same name with the `{enum_name}` prefix removed"
                        ),
                    );
                }
                pascal.push((p, n));
            }
        }
        if let Some((true, span)) = allow_alias {
            if !any_alias {
                self.push(
                    span,
                    "`allow_alias` requires at least one aliasing enum value".to_string(),
                );
            }
        }
    }

    /// An RPC input or output: a message.
    fn message_type(&mut self, scope: &str, q: &QualName) {
        if let Some((full, TypeKind::Enum)) = self.type_name(scope, q) {
            let span = self.qual_span(q);
            self.push(
                span,
                format!("expected message type, found enum type `{full}`"),
            );
        }
    }

    /// Resolves a type name as protoc does (innermost scope first; a dotted name is looked up
    /// where its first part is found); reports it when it resolves to nothing.
    fn type_name(&mut self, scope: &str, q: &QualName) -> Option<(String, TypeKind)> {
        let name = qual_text(self.tree, q);
        let found = self.resolve(scope, &name);
        if found.is_none() && self.complete {
            let span = self.qual_span(q);
            self.push(span, format!("cannot find `{name}` in this scope"));
        }
        found
    }

    fn resolve(&self, scope: &str, name: &str) -> Option<(String, TypeKind)> {
        if let Some(absolute) = name.strip_prefix('.') {
            return self
                .visible
                .get(absolute)
                .map(|k| (absolute.to_string(), *k));
        }
        let first = name.split('.').next().unwrap_or(name);
        let dotted = first.len() < name.len();
        let mut scope = scope.to_string();
        loop {
            let candidate = join(&scope, first);
            if dotted {
                let is_aggregate = self.packages.contains(&candidate)
                    || self.visible.get(&candidate) == Some(&TypeKind::Message);
                if is_aggregate {
                    let full = join(&scope, name);
                    return self.visible.get(&full).map(|k| (full, *k));
                }
            } else if let Some(kind) = self.visible.get(&candidate) {
                return Some((candidate, *kind));
            }
            if scope.is_empty() {
                return None;
            }
            scope = match scope.rfind('.') {
                Some(i) => scope[..i].to_string(),
                None => String::new(),
            };
        }
    }
}

struct FieldInfo {
    name: TokenId,
    number: TokenId,
    json: String,
    /// The span of the `json_name` value, when one is written.
    custom_span: Option<(usize, usize)>,
}

fn is_scalar(name: &str) -> bool {
    matches!(
        name,
        "double"
            | "float"
            | "int32"
            | "int64"
            | "uint32"
            | "uint64"
            | "sint32"
            | "sint64"
            | "fixed32"
            | "fixed64"
            | "sfixed32"
            | "sfixed64"
            | "bool"
            | "string"
            | "bytes"
    )
}

/// An integer literal (decimal, `0x` hex, `0` octal).
fn parse_int(text: &str) -> Option<u64> {
    if let Some(hex) = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        u64::from_str_radix(hex, 16).ok()
    } else if text.len() > 1 && text.starts_with('0') {
        u64::from_str_radix(&text[1..], 8).ok()
    } else {
        text.parse().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_as_protoc_derives_them() {
        assert_eq!(json_name("foo_bar"), "fooBar");
        assert_eq!(json_name("FooBar"), "FooBar");
        assert_eq!(enum_value_pascal("Foo", "FOO_UNSPECIFIED"), "Unspecified");
        assert_eq!(enum_value_pascal("Foo", "UNSPECIFIED"), "Unspecified");
        assert_eq!(enum_value_pascal("Foo", "FOOBAR_BAZ"), "BarBaz");
        assert_eq!(enum_value_pascal("E", "E_A"), "A");
        assert_eq!(enum_value_pascal("Foo", "FOO"), "Foo");
        assert_eq!(parse_int("0x300"), Some(0x300));
        assert_eq!(parse_int("010"), Some(8));
        assert_eq!(parse_int("100000000000000000000000000"), None);
    }
}
