//! What the language server knows about the symbols of `.proto` files: for each parsed file
//! ([`FileSyms`]), its definitions (full names, name and declaration spans, comments) and the
//! names it writes (type references, extendees, RPC types, custom option names); and for a set
//! of files ([`Index`]), name resolution as protoc does it (scopes from the innermost outward,
//! only symbols of the file itself and of the files it imports are visible).
//!
//! Everything here works on byte offsets of the file's text; `convert` turns them into editor
//! positions.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use crate::syntax::{self, Body, CompactOptions, Decl, File, OptionName, QualName, Span, TokenId};

/// What a definition is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Package,
    Message,
    Enum,
    EnumValue,
    Service,
    Method,
    Field,
    Oneof,
    Extension,
}

impl Kind {
    /// Whether a field can have this type.
    pub fn is_type(self) -> bool {
        matches!(self, Kind::Message | Kind::Enum)
    }
}

/// A definition in a file.
#[derive(Debug, Clone)]
pub struct Def {
    pub full_name: String,
    pub kind: Kind,
    /// The name token.
    pub name: Span,
    /// The whole declaration (first to last token).
    pub decl: Span,
    /// The enclosing definition (index into [`FileSyms::defs`]), for document symbols.
    pub parent: Option<usize>,
    /// A one-line summary: `string id = 1`, `rpc Get(GetRequest) returns (GetResponse)`.
    pub detail: String,
    /// The leading comment of the declaration, without comment markers.
    pub comment: String,
    /// For fields: the written type (`acme.v1.User`, `string`, `map<string, User>`).
    pub type_text: Option<String>,
    /// For fields: the number.
    pub number: Option<String>,
}

/// A name written in a file that refers to a definition elsewhere.
#[derive(Debug, Clone)]
pub struct Ref {
    /// The identifiers as written, with their spans (`acme.v1.User` is three parts).
    pub parts: Vec<(String, Span)>,
    /// Written with a leading dot (fully qualified).
    pub absolute: bool,
    /// The scope the name is resolved from (`acme.v1.User` for a field of `User`).
    pub scope: String,
    /// For field types: the field's definition (index into [`FileSyms::defs`]).
    pub field: Option<usize>,
}

impl Ref {
    pub fn written(&self) -> String {
        let parts: Vec<&str> = self.parts.iter().map(|(p, _)| p.as_str()).collect();
        parts.join(".")
    }
    pub fn span(&self) -> Span {
        Span {
            start: self.parts.first().map_or(0, |p| p.1.start),
            end: self.parts.last().map_or(0, |p| p.1.end),
        }
    }
}

/// An `import` statement.
#[derive(Debug, Clone)]
pub struct Import {
    pub path: String,
    /// The string literal(s).
    pub literal: Span,
    /// The whole statement.
    pub decl: Span,
    pub public: bool,
}

/// The symbols of one file.
#[derive(Debug)]
pub struct FileSyms {
    /// The import path (`acme/v1/user.proto`).
    pub name: String,
    /// Where the file is on disk, when it is a file of a workspace (not a well-known type or a
    /// dependency from buf's cache).
    pub path: Option<PathBuf>,
    pub text: Arc<str>,
    /// The syntax tree, when the text parses.
    pub tree: Option<File>,
    pub package: String,
    pub defs: Vec<Def>,
    pub refs: Vec<Ref>,
    pub imports: Vec<Import>,
}

pub const SCALARS: [&str; 15] = [
    "double", "float", "int32", "int64", "uint32", "uint64", "sint32", "sint64", "fixed32",
    "fixed64", "sfixed32", "sfixed64", "bool", "string", "bytes",
];

impl FileSyms {
    /// Parses `text` and collects its symbols (a text that does not parse has none).
    pub fn new(name: &str, path: Option<PathBuf>, text: Arc<str>) -> FileSyms {
        let tree = syntax::parse(&text).ok();
        let mut syms = FileSyms {
            name: name.to_string(),
            path,
            text: text.clone(),
            tree: None,
            package: String::new(),
            defs: Vec::new(),
            refs: Vec::new(),
            imports: Vec::new(),
        };
        if let Some(tree) = &tree {
            Walker {
                tree,
                out: &mut syms,
            }
            .file();
        }
        syms.tree = tree;
        syms
    }

    /// The definition whose name token holds `offset`.
    pub fn def_at(&self, offset: usize) -> Option<usize> {
        self.defs
            .iter()
            .position(|d| d.kind != Kind::Package && within(d.name, offset))
    }

    /// The reference part that holds `offset`: (reference, part index).
    pub fn ref_at(&self, offset: usize) -> Option<(usize, usize)> {
        self.refs.iter().enumerate().find_map(|(i, r)| {
            r.parts
                .iter()
                .position(|(_, s)| within(*s, offset))
                .map(|p| (i, p))
        })
    }

    /// The import whose string holds `offset`.
    pub fn import_at(&self, offset: usize) -> Option<&Import> {
        self.imports.iter().find(|i| within(i.literal, offset))
    }
}

/// Whether `offset` is in `span` (its end included: a cursor right after a name is on it).
pub fn within(span: Span, offset: usize) -> bool {
    span.start as usize <= offset && offset <= span.end as usize
}

fn join(scope: &str, name: &str) -> String {
    if scope.is_empty() {
        name.to_string()
    } else {
        format!("{scope}.{name}")
    }
}

/// The parent scope of a full name (`a.b.C` -> `a.b`; `a` -> ``).
pub fn parent_scope(name: &str) -> &str {
    name.rfind('.').map_or("", |i| &name[..i])
}

/// The last component of a full name.
pub fn simple_name(name: &str) -> &str {
    name.rfind('.').map_or(name, |i| &name[i + 1..])
}

struct Walker<'a> {
    tree: &'a File,
    out: &'a mut FileSyms,
}

impl Walker<'_> {
    fn text(&self, t: TokenId) -> String {
        self.tree.text(t).to_string()
    }
    fn span(&self, t: TokenId) -> Span {
        self.tree.token(t).span
    }
    fn decl_span(&self, first: TokenId, last: TokenId) -> Span {
        Span {
            start: self.span(first).start,
            end: self.span(last).end,
        }
    }
    fn comment(&self, first: TokenId) -> String {
        let mut lines = Vec::new();
        for c in self.tree.leading_comments(first) {
            let text = self.tree.comment_text(c);
            if let Some(body) = text.strip_prefix("//") {
                lines.push(body.strip_prefix(' ').unwrap_or(body).to_string());
            } else {
                let body = text
                    .trim_start_matches("/*")
                    .trim_end_matches("*/")
                    .trim_matches('\n');
                for l in body.lines() {
                    let l = l.trim_start();
                    let l = l.strip_prefix('*').unwrap_or(l);
                    lines.push(l.strip_prefix(' ').unwrap_or(l).to_string());
                }
            }
        }
        lines.join("\n").trim_end().to_string()
    }
    fn qual_text(&self, q: &QualName) -> String {
        q.tokens.iter().map(|&t| self.tree.text(t)).collect()
    }

    fn push_def(
        &mut self,
        full_name: String,
        kind: Kind,
        name: TokenId,
        span: (TokenId, TokenId),
        parent: Option<usize>,
        detail: String,
    ) -> usize {
        let comment = self.comment(span.0);
        self.out.defs.push(Def {
            full_name,
            kind,
            name: self.span(name),
            decl: self.decl_span(span.0, span.1),
            parent,
            detail,
            comment,
            type_text: None,
            number: None,
        });
        self.out.defs.len() - 1
    }

    fn push_ref(&mut self, q: &QualName, scope: &str, field: Option<usize>) {
        let mut parts = Vec::new();
        let mut absolute = false;
        for (i, &t) in q.tokens.iter().enumerate() {
            let text = self.tree.text(t);
            if text == "." {
                absolute |= i == 0;
                continue;
            }
            parts.push((text.to_string(), self.span(t)));
        }
        if parts.is_empty() {
            return;
        }
        if !absolute && parts.len() == 1 && SCALARS.contains(&parts[0].0.as_str()) {
            return;
        }
        self.out.refs.push(Ref {
            parts,
            absolute,
            scope: scope.to_string(),
            field,
        });
    }

    /// Extension names in an option name: `(acme.v1.opt).sub` refers to `acme.v1.opt`.
    fn option_name_refs(&mut self, name: &OptionName, scope: &str) {
        let mut inside: Option<Vec<TokenId>> = None;
        for &t in &name.tokens {
            match self.tree.text(t) {
                "(" => inside = Some(Vec::new()),
                ")" => {
                    if let Some(tokens) = inside.take() {
                        self.push_ref(&QualName { tokens }, scope, None);
                    }
                }
                _ => {
                    if let Some(tokens) = inside.as_mut() {
                        tokens.push(t);
                    }
                }
            }
        }
    }

    fn compact_options(&mut self, options: &Option<CompactOptions>, scope: &str) {
        if let Some(o) = options {
            for opt in &o.options {
                self.option_name_refs(&opt.name, scope);
            }
        }
    }

    fn file(&mut self) {
        let tree = self.tree;
        for decl in &tree.decls {
            if let Decl::Package(p) = decl {
                self.out.package = self.qual_text(&p.name);
                let name = p.name.tokens.first().copied().unwrap_or(p.keyword);
                let last = p.name.tokens.last().copied().unwrap_or(p.keyword);
                let def = self.push_def(
                    self.out.package.clone(),
                    Kind::Package,
                    name,
                    (p.keyword, p.semicolon),
                    None,
                    format!("package {}", self.out.package),
                );
                let span = self.decl_span(name, last);
                self.out.defs[def].name = span;
            }
        }
        let package = self.out.package.clone();
        for decl in &tree.decls {
            self.decl(decl, &package, None, &package);
        }
    }

    /// One declaration. `scope`: where names are resolved from and defined in; `parent`: the
    /// enclosing definition; `enum_scope`: for enum values, the scope the enum is in.
    fn decl(&mut self, decl: &Decl, scope: &str, parent: Option<usize>, enum_scope: &str) {
        match decl {
            Decl::Import(i) => {
                let literal = Span {
                    start: self.span(i.path.parts[0]).start,
                    end: self
                        .span(*i.path.parts.last().unwrap_or(&i.path.parts[0]))
                        .end,
                };
                self.out.imports.push(Import {
                    path: self.tree.string_value(&i.path),
                    literal,
                    decl: self.decl_span(i.keyword, i.semicolon),
                    public: i.modifier.is_some_and(|m| self.tree.text(m) == "public"),
                });
            }
            Decl::Option(o) => self.option_name_refs(&o.name, scope),
            Decl::Message(m) => {
                let name = self.text(m.name);
                let full = join(scope, &name);
                let first = m.visibility.unwrap_or(m.keyword);
                let def = self.push_def(
                    full.clone(),
                    Kind::Message,
                    m.name,
                    (first, m.body.close),
                    parent,
                    format!("message {name}"),
                );
                self.body(&m.body, &full, Some(def), &full);
            }
            Decl::Enum(e) => {
                let name = self.text(e.name);
                let full = join(scope, &name);
                let first = e.visibility.unwrap_or(e.keyword);
                let def = self.push_def(
                    full.clone(),
                    Kind::Enum,
                    e.name,
                    (first, e.body.close),
                    parent,
                    format!("enum {name}"),
                );
                // Enum values are siblings of their enum (C++ scoping).
                self.body(&e.body, &full, Some(def), scope);
            }
            Decl::EnumValue(v) => {
                let name = self.text(v.name);
                let number: String = match &v.number {
                    syntax::Value::Signed { sign, value } => {
                        format!("{}{}", self.tree.text(*sign), self.tree.text(*value))
                    }
                    other => self.tree.text(other.first_token()).to_string(),
                };
                let def = self.push_def(
                    join(enum_scope, &name),
                    Kind::EnumValue,
                    v.name,
                    (v.name, v.semicolon),
                    parent,
                    format!("{name} = {number}"),
                );
                self.out.defs[def].number = Some(number);
                self.compact_options(&v.options, scope);
            }
            Decl::Service(s) => {
                let name = self.text(s.name);
                let full = join(scope, &name);
                let def = self.push_def(
                    full.clone(),
                    Kind::Service,
                    s.name,
                    (s.keyword, s.body.close),
                    parent,
                    format!("service {name}"),
                );
                self.body(&s.body, &full, Some(def), &full);
            }
            Decl::Rpc(r) => {
                let name = self.text(r.name);
                let last = r
                    .body
                    .as_ref()
                    .map(|b| b.close)
                    .or(r.semicolon)
                    .unwrap_or(r.output.close);
                let stream = |s: Option<TokenId>| if s.is_some() { "stream " } else { "" };
                let detail = format!(
                    "rpc {name}({}{}) returns ({}{})",
                    stream(r.input.stream),
                    self.qual_text(&r.input.message_type),
                    stream(r.output.stream),
                    self.qual_text(&r.output.message_type)
                );
                let def = self.push_def(
                    join(scope, &name),
                    Kind::Method,
                    r.name,
                    (r.keyword, last),
                    parent,
                    detail,
                );
                // Method types resolve from the service's scope.
                self.push_ref(&r.input.message_type, scope, None);
                self.push_ref(&r.output.message_type, scope, None);
                if let Some(body) = &r.body {
                    self.body(body, scope, Some(def), scope);
                }
            }
            Decl::Extend(x) => {
                self.push_ref(&x.extendee, scope, None);
                for d in &x.body.decls {
                    self.field_like(d, scope, parent, true);
                }
            }
            Decl::Field(_) | Decl::MapField(_) | Decl::Group(_) => {
                self.field_like(decl, scope, parent, false)
            }
            Decl::Oneof(o) => {
                let name = self.text(o.name);
                let def = self.push_def(
                    join(scope, &name),
                    Kind::Oneof,
                    o.name,
                    (o.keyword, o.body.close),
                    parent,
                    format!("oneof {name}"),
                );
                // Oneof fields belong to the message.
                self.body(&o.body, scope, Some(def), enum_scope);
            }
            Decl::ExtensionRange(r) => self.compact_options(&r.options, scope),
            Decl::Package(_) | Decl::Reserved(_) | Decl::Empty(_) => {}
        }
    }

    fn body(&mut self, body: &Body, scope: &str, parent: Option<usize>, enum_scope: &str) {
        for d in &body.decls {
            self.decl(d, scope, parent, enum_scope);
        }
    }

    fn field_like(&mut self, decl: &Decl, scope: &str, parent: Option<usize>, extension: bool) {
        let kind = if extension {
            Kind::Extension
        } else {
            Kind::Field
        };
        match decl {
            Decl::Field(f) => {
                let name = self.text(f.name);
                let label = f.label.map(|l| format!("{} ", self.tree.text(l)));
                let ty = self.qual_text(&f.field_type);
                let number = self.text(f.number);
                let first = f.label.unwrap_or(f.field_type.tokens[0]);
                let def = self.push_def(
                    join(scope, &name),
                    kind,
                    f.name,
                    (first, f.semicolon),
                    parent,
                    format!("{}{ty} {name} = {number}", label.unwrap_or_default()),
                );
                self.out.defs[def].type_text = Some(ty);
                self.out.defs[def].number = Some(number);
                self.push_ref(&f.field_type, scope, Some(def));
                self.compact_options(&f.options, scope);
            }
            Decl::MapField(f) => {
                let name = self.text(f.name);
                let ty = format!(
                    "map<{}, {}>",
                    self.qual_text(&f.key_type),
                    self.qual_text(&f.value_type)
                );
                let number = self.text(f.number);
                let def = self.push_def(
                    join(scope, &name),
                    kind,
                    f.name,
                    (f.keyword, f.semicolon),
                    parent,
                    format!("{ty} {name} = {number}"),
                );
                self.out.defs[def].type_text = Some(ty);
                self.out.defs[def].number = Some(number);
                self.push_ref(&f.key_type, scope, None);
                self.push_ref(&f.value_type, scope, Some(def));
                self.compact_options(&f.options, scope);
            }
            Decl::Group(g) => {
                let name = self.text(g.name);
                let full = join(scope, &name);
                let first = g.label.unwrap_or(g.keyword);
                let number = self.text(g.number);
                let def = self.push_def(
                    full.clone(),
                    Kind::Message,
                    g.name,
                    (first, g.body.close),
                    parent,
                    format!("group {name} = {number}"),
                );
                self.compact_options(&g.options, scope);
                self.body(&g.body, &full, Some(def), &full);
            }
            other => self.decl(other, scope, parent, scope),
        }
    }
}

/// A set of files (a document with its imports, or every file of a workspace that mentions a
/// name) with their definitions indexed by full name.
pub struct Index {
    pub files: Vec<Arc<FileSyms>>,
    by_name: HashMap<String, Vec<(usize, usize)>>,
    by_import: HashMap<String, usize>,
}

/// A definition found in an [`Index`]: (file index, definition index).
pub type DefId = (usize, usize);

impl Index {
    pub fn new(files: Vec<Arc<FileSyms>>) -> Index {
        let mut by_name: HashMap<String, Vec<DefId>> = HashMap::new();
        let mut by_import = HashMap::new();
        for (fi, f) in files.iter().enumerate() {
            by_import.entry(f.name.clone()).or_insert(fi);
            for (di, d) in f.defs.iter().enumerate() {
                by_name
                    .entry(d.full_name.clone())
                    .or_default()
                    .push((fi, di));
            }
        }
        Index {
            files,
            by_name,
            by_import,
        }
    }

    pub fn file(&self, name: &str) -> Option<&Arc<FileSyms>> {
        self.by_import.get(name).map(|&i| &self.files[i])
    }

    pub fn def(&self, id: DefId) -> &Def {
        &self.files[id.0].defs[id.1]
    }

    /// Definitions with this full name (packages included: one per file of the package).
    pub fn defs_named(&self, full_name: &str) -> &[DefId] {
        self.by_name.get(full_name).map_or(&[], Vec::as_slice)
    }

    /// Import names visible from a file: itself, its imports, and the public imports of those.
    fn visible(&self, file: usize) -> HashSet<&str> {
        let f = &self.files[file];
        let mut out: HashSet<&str> = HashSet::new();
        out.insert(f.name.as_str());
        for i in &f.imports {
            out.insert(i.path.as_str());
            if let Some(g) = self.file(&i.path) {
                for j in g.imports.iter().filter(|j| j.public) {
                    out.insert(j.path.as_str());
                }
            }
        }
        out
    }

    /// The definition a name written in `file` resolves to, as protoc resolves it: from the
    /// innermost scope outward, among the symbols of the file and its imports.
    pub fn resolve(&self, file: usize, r: &Ref) -> Option<String> {
        let written = r.written();
        let visible = self.visible(file);
        let seen = |name: &str| {
            self.defs_named(name).iter().any(|&(fi, di)| {
                self.files[fi].defs[di].kind != Kind::Package
                    && visible.contains(self.files[fi].name.as_str())
            })
        };
        if r.absolute {
            return seen(&written).then_some(written);
        }
        let mut scope = r.scope.as_str();
        loop {
            let candidate = join(scope, &written);
            if seen(&candidate) {
                return Some(candidate);
            }
            if scope.is_empty() {
                return None;
            }
            scope = parent_scope(scope);
        }
    }

    /// The full name part `part` of a reference stands for, given what the whole resolves to:
    /// in `v1.User.Inner` resolved to `acme.v1.User.Inner`, part 1 is `acme.v1.User`.
    pub fn part_name(r: &Ref, resolved: &str, part: usize) -> String {
        let drop = r.parts.len() - 1 - part;
        let mut name = resolved;
        for _ in 0..drop {
            name = parent_scope(name);
        }
        name.to_string()
    }

    /// The symbol at `offset` of file `file`: its full name and the span of the name there.
    pub fn symbol_at(&self, file: usize, offset: usize) -> Option<(String, Span)> {
        let f = &self.files[file];
        if let Some(d) = f.def_at(offset) {
            return Some((f.defs[d].full_name.clone(), f.defs[d].name));
        }
        let (ri, part) = f.ref_at(offset)?;
        let r = &f.refs[ri];
        let resolved = self.resolve(file, r)?;
        Some((Self::part_name(r, &resolved, part), r.parts[part].1))
    }

    /// Where `full_name` is defined (not packages).
    pub fn definitions(&self, full_name: &str) -> Vec<DefId> {
        self.defs_named(full_name)
            .iter()
            .copied()
            .filter(|&id| self.def(id).kind != Kind::Package)
            .collect()
    }

    /// Every name written that stands for `full_name`: (file index, span of the identifier).
    pub fn references(&self, full_name: &str) -> Vec<(usize, Span)> {
        let simple = simple_name(full_name);
        let mut out = Vec::new();
        for (fi, f) in self.files.iter().enumerate() {
            for r in &f.refs {
                // Only names with a part spelled like the symbol can stand for it.
                let Some(part) = r.parts.iter().rposition(|(p, _)| p == simple) else {
                    continue;
                };
                let Some(resolved) = self.resolve(fi, r) else {
                    continue;
                };
                for (pi, (p, span)) in r.parts.iter().enumerate().take(part + 1) {
                    if p == simple && Self::part_name(r, &resolved, pi) == full_name {
                        out.push((fi, *span));
                    }
                }
            }
        }
        out
    }
}

/// A `.proto` source written from a descriptor, for files compiled without source text (the
/// well-known types protox builds in): their definitions can then be shown and navigated to.
/// Comments and options are not in the descriptor and not written.
pub fn source_from_descriptor(fd: &prost_types::FileDescriptorProto) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let syntax = match fd.syntax() {
        "" => "proto2",
        s => s,
    };
    if syntax == "editions" {
        let _ = writeln!(out, "edition = \"2023\";\n");
    } else {
        let _ = writeln!(out, "syntax = \"{syntax}\";\n");
    }
    if !fd.package().is_empty() {
        let _ = writeln!(out, "package {};\n", fd.package());
    }
    for d in &fd.dependency {
        let _ = writeln!(out, "import \"{d}\";");
    }
    if !fd.dependency.is_empty() {
        out.push('\n');
    }
    for m in &fd.message_type {
        message_source(&mut out, m, 0, syntax);
    }
    for e in &fd.enum_type {
        enum_source(&mut out, e, 0);
    }
    for s in &fd.service {
        let _ = writeln!(out, "service {} {{", s.name());
        for m in &s.method {
            let stream = |b: bool| if b { "stream " } else { "" };
            let _ = writeln!(
                out,
                "  rpc {}({}{}) returns ({}{});",
                m.name(),
                stream(m.client_streaming()),
                m.input_type().trim_start_matches('.'),
                stream(m.server_streaming()),
                m.output_type().trim_start_matches('.')
            );
        }
        out.push_str("}\n\n");
    }
    extensions_source(&mut out, &fd.extension, 0, syntax);
    out
}

fn field_type(f: &prost_types::FieldDescriptorProto) -> String {
    use prost_types::field_descriptor_proto::Type;
    match f.r#type() {
        Type::Message | Type::Enum | Type::Group => f.type_name().trim_start_matches('.').into(),
        Type::Double => "double".into(),
        Type::Float => "float".into(),
        Type::Int64 => "int64".into(),
        Type::Uint64 => "uint64".into(),
        Type::Int32 => "int32".into(),
        Type::Fixed64 => "fixed64".into(),
        Type::Fixed32 => "fixed32".into(),
        Type::Bool => "bool".into(),
        Type::String => "string".into(),
        Type::Bytes => "bytes".into(),
        Type::Uint32 => "uint32".into(),
        Type::Sfixed32 => "sfixed32".into(),
        Type::Sfixed64 => "sfixed64".into(),
        Type::Sint32 => "sint32".into(),
        Type::Sint64 => "sint64".into(),
    }
}

fn field_source(
    out: &mut String,
    f: &prost_types::FieldDescriptorProto,
    depth: usize,
    syntax: &str,
    map_entries: &[&prost_types::DescriptorProto],
) {
    use prost_types::field_descriptor_proto::Label;
    let indent = "  ".repeat(depth);
    let entry = map_entries
        .iter()
        .find(|e| f.type_name().ends_with(&format!(".{}", e.name())));
    if let (Some(entry), Label::Repeated) = (entry, f.label()) {
        let key = entry.field.iter().find(|x| x.number() == 1).map(field_type);
        let value = entry.field.iter().find(|x| x.number() == 2).map(field_type);
        out.push_str(&format!(
            "{indent}map<{}, {}> {} = {};\n",
            key.unwrap_or_default(),
            value.unwrap_or_default(),
            f.name(),
            f.number()
        ));
        return;
    }
    let label = match f.label() {
        Label::Repeated => "repeated ",
        Label::Required if syntax == "proto2" => "required ",
        Label::Optional if syntax == "proto2" || f.proto3_optional() => "optional ",
        _ => "",
    };
    out.push_str(&format!(
        "{indent}{label}{} {} = {};\n",
        field_type(f),
        f.name(),
        f.number()
    ));
}

fn message_source(out: &mut String, m: &prost_types::DescriptorProto, depth: usize, syntax: &str) {
    let indent = "  ".repeat(depth);
    out.push_str(&format!("{indent}message {} {{\n", m.name()));
    let entries: Vec<&prost_types::DescriptorProto> = m
        .nested_type
        .iter()
        .filter(|n| n.options.as_ref().is_some_and(|o| o.map_entry()))
        .collect();
    for f in m
        .field
        .iter()
        .filter(|f| f.oneof_index.is_none() || f.proto3_optional())
    {
        field_source(out, f, depth + 1, syntax, &entries);
    }
    for (i, o) in m.oneof_decl.iter().enumerate() {
        let fields: Vec<_> = m
            .field
            .iter()
            .filter(|f| f.oneof_index == Some(i as i32) && !f.proto3_optional())
            .collect();
        if fields.is_empty() {
            continue;
        }
        out.push_str(&format!("{indent}  oneof {} {{\n", o.name()));
        for f in fields {
            field_source(out, f, depth + 2, "proto3", &entries);
        }
        out.push_str(&format!("{indent}  }}\n"));
    }
    for n in m
        .nested_type
        .iter()
        .filter(|n| !n.options.as_ref().is_some_and(|o| o.map_entry()))
    {
        message_source(out, n, depth + 1, syntax);
    }
    for e in &m.enum_type {
        enum_source(out, e, depth + 1);
    }
    for r in &m.extension_range {
        out.push_str(&format!(
            "{indent}  extensions {} to {};\n",
            r.start(),
            r.end() - 1
        ));
    }
    extensions_source(out, &m.extension, depth + 1, syntax);
    out.push_str(&format!("{indent}}}\n"));
    if depth == 0 {
        out.push('\n');
    }
}

fn enum_source(out: &mut String, e: &prost_types::EnumDescriptorProto, depth: usize) {
    let indent = "  ".repeat(depth);
    out.push_str(&format!("{indent}enum {} {{\n", e.name()));
    for v in &e.value {
        out.push_str(&format!("{indent}  {} = {};\n", v.name(), v.number()));
    }
    out.push_str(&format!("{indent}}}\n"));
    if depth == 0 {
        out.push('\n');
    }
}

fn extensions_source(
    out: &mut String,
    fields: &[prost_types::FieldDescriptorProto],
    depth: usize,
    syntax: &str,
) {
    let indent = "  ".repeat(depth);
    let mut extendees: Vec<&str> = fields.iter().map(|f| f.extendee()).collect();
    extendees.dedup();
    for x in extendees {
        out.push_str(&format!(
            "{indent}extend {} {{\n",
            x.trim_start_matches('.')
        ));
        for f in fields.iter().filter(|f| f.extendee() == x) {
            field_source(out, f, depth + 1, syntax, &[]);
        }
        out.push_str(&format!("{indent}}}\n"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn syms(name: &str, text: &str) -> Arc<FileSyms> {
        Arc::new(FileSyms::new(name, None, Arc::from(text)))
    }

    #[test]
    fn definitions_and_scopes() {
        let f = syms(
            "a.proto",
            "syntax = \"proto3\";\npackage acme.v1;\n// A user.\nmessage User {\n  message Inner {}\n  oneof o { Inner inner = 1; }\n  map<string, Inner> m = 2;\n}\nenum E { E_UNSPECIFIED = 0; }\nservice S { rpc Get(User) returns (.acme.v1.User); }\n",
        );
        let names: Vec<(&str, Kind)> = f
            .defs
            .iter()
            .map(|d| (d.full_name.as_str(), d.kind))
            .collect();
        assert!(names.contains(&("acme.v1.User", Kind::Message)));
        assert!(names.contains(&("acme.v1.User.Inner", Kind::Message)));
        assert!(names.contains(&("acme.v1.User.inner", Kind::Field)));
        assert!(names.contains(&("acme.v1.User.o", Kind::Oneof)));
        assert!(names.contains(&("acme.v1.E_UNSPECIFIED", Kind::EnumValue)));
        assert!(names.contains(&("acme.v1.S.Get", Kind::Method)));
        let user = f
            .defs
            .iter()
            .find(|d| d.full_name == "acme.v1.User")
            .unwrap();
        assert_eq!(user.comment, "A user.");
        let index = Index::new(vec![f.clone()]);
        let refs = index.references("acme.v1.User.Inner");
        assert_eq!(refs.len(), 2, "{refs:?}");
        assert_eq!(index.references("acme.v1.User").len(), 2);
    }

    #[test]
    fn resolution_needs_an_import() {
        let a = syms(
            "a.proto",
            "syntax = \"proto3\";\npackage p;\nmessage A { message B {} }\n",
        );
        let b = syms(
            "b.proto",
            "syntax = \"proto3\";\npackage p.q;\nimport \"a.proto\";\nmessage C { A.B b = 1; p.A a = 2; }\n",
        );
        let c = syms(
            "c.proto",
            "syntax = \"proto3\";\npackage p;\nmessage D { A a = 1; }\n",
        );
        let index = Index::new(vec![a, b, c]);
        let refs = index.references("p.A");
        // `A.B` (its first part) and `p.A` in b.proto; not c.proto, which does not import a.proto.
        assert_eq!(refs.len(), 2, "{refs:?}");
        assert!(refs.iter().all(|(f, _)| *f == 1));
        assert_eq!(index.references("p.A.B").len(), 1);
    }

    #[test]
    fn well_known_types_get_a_source() {
        let pool = prost_reflect::DescriptorPool::global();
        for name in [
            "google/protobuf/timestamp.proto",
            "google/protobuf/struct.proto",
            "google/protobuf/type.proto",
            "google/protobuf/descriptor.proto",
        ] {
            let fd = pool.get_file_by_name(name).unwrap();
            let text = source_from_descriptor(fd.file_descriptor_proto());
            let syms = FileSyms::new(name, None, Arc::from(text.as_str()));
            assert!(syms.tree.is_some(), "{name}:\n{text}");
            assert!(!syms.defs.is_empty());
        }
    }
}
