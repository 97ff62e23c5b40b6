//! Lowering of proto2/proto3 files from our lossless syntax tree ([`crate::syntax`]) to the
//! `FileDescriptorProto` (with `SourceCodeInfo`) that protox's parser would return, so that the
//! compile path skips protox's lexer, parser and generator. The output mirrors
//! protox-parse 0.10's `generate_file` byte for byte: the same descriptor fields, synthesized map
//! entries, groups and proto3 synthetic oneofs, uninterpreted options rendered as protox renders
//! them, and the same source locations (pushed in protox's order, then sorted with the same
//! unstable sort), with comments attributed by a replay of protox's comment state machine over
//! the text between tokens. It owns nothing else: anything it has not verified to match — a
//! construct protox rejects (field numbers, labels, defaults, bad strings or numbers, nested block
//! comments, ...), grammar our parser accepts but protox reads differently (contextual keywords),
//! editions files — makes [`lower`] return `None`, and the caller falls back to protox, so
//! results and error messages never change.

use prost_types::{
    descriptor_proto, enum_descriptor_proto, field_descriptor_proto, source_code_info::Location,
    uninterpreted_option, DescriptorProto, EnumDescriptorProto, EnumOptions,
    EnumValueDescriptorProto, EnumValueOptions, ExtensionRangeOptions, FieldDescriptorProto,
    FieldOptions, FileDescriptorProto, FileOptions, MessageOptions, MethodDescriptorProto,
    MethodOptions, OneofDescriptorProto, OneofOptions, ServiceDescriptorProto, ServiceOptions,
    SourceCodeInfo, UninterpretedOption,
};

use super::source_info::UNINTERPRETED_OPTION;
use crate::image::tag;
use crate::syntax::{
    self, Body, CompactOptions, Decl, EnumDecl, ExtendDecl, ExtensionRangeDecl, FieldDecl,
    GroupDecl, MapFieldDecl, MessageDecl, OneofDecl, OptionDecl, QualName, RangeExpr, ReservedDecl,
    ReservedItem, RpcDecl, ServiceDecl, StringValue, TokenId, TokenKind, Value,
};

/// A byte range with the (0-based) lines of its two ends, taken from the tokens.
#[derive(Clone, Copy)]
struct Span {
    start: u32,
    end: u32,
    start_line: u32,
    end_line: u32,
}

const MAX_MESSAGE_FIELD_NUMBER: i32 = 536_870_911;
/// protox refuses message nesting deeper than 31 levels; stay well below.
const MAX_DEPTH: u32 = 28;

/// Which source locations [`lower`] makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locations {
    /// All of them, with comments: protox's `SourceCodeInfo`.
    All,
    /// All of them, without comments: for a compile that reads positions but no comments.
    WithoutComments,
    /// Only those of option statements (their paths go through `uninterpreted_option`), without
    /// comments: what the linker rewrites, for source info made again later from the text.
    OfOptions,
    /// None: no `SourceCodeInfo`.
    None,
}

/// The descriptor protox's parser would give for `text`, or `None` when this lowering does not
/// handle the file (editions, syntax errors, anything protox might reject or read differently).
/// With fewer `locations` than [`Locations::All`], the same descriptor with only those in its
/// `SourceCodeInfo` (none: no `SourceCodeInfo`), and no comment computed. Whether the file is
/// handled does not change: comments are checked by [`validate_tokens`], which runs either way.
pub fn lower(name: &str, text: &str, locations: Locations) -> Option<FileDescriptorProto> {
    let tree = syntax::parse(text).ok()?;
    lower_tree(name, &tree, locations)
}

/// [`lower`] for an already parsed tree (its `source` is the text protox would see).
pub fn lower_tree(name: &str, tree: &syntax::File, kept: Locations) -> Option<FileDescriptorProto> {
    if tree.source.len() > i32::MAX as usize {
        return None;
    }
    let proto3 = match &tree.syntax {
        None => false,
        Some(s) if s.is_edition => return None,
        Some(s) => match strings(tree, &s.value)?.as_slice() {
            b"proto2" => false,
            b"proto3" => true,
            _ => return None,
        },
    };
    validate_tokens(tree)?;
    let mut g = Gen {
        f: tree,
        proto3,
        kept,
        path: Vec::with_capacity(16),
        locations: Vec::with_capacity(
            if matches!(kept, Locations::All | Locations::WithoutComments) {
                tree.tokens.len() / 2
            } else {
                0
            },
        ),
        lines: LineResolver::new(&tree.source),
        depth: 0,
        last_gap: None,
    };
    let file = g.file(name)?;
    let mut locations = g.locations;
    if matches!(kept, Locations::OfOptions | Locations::None) && locations.is_empty() {
        return Some(file);
    }
    locations.sort_unstable_by(|l, r| l.path.cmp(&r.path));
    Some(FileDescriptorProto {
        source_code_info: Some(SourceCodeInfo {
            location: locations,
        }),
        ..file
    })
}

/// Every number, string and comment must be one protox lexes the same way, without error.
fn validate_tokens(f: &syntax::File) -> Option<()> {
    for (i, tok) in f.tokens.iter().enumerate() {
        match tok.kind {
            TokenKind::Int | TokenKind::Float => {
                number(f.text(i as TokenId))?;
            }
            TokenKind::Str => {
                string_literal(f.text(i as TokenId))?;
            }
            TokenKind::Ident | TokenKind::Sym(_) | TokenKind::Eof => {}
        }
    }
    for c in &f.comments {
        let text = f.comment_text(c);
        // protox reports nested block comments (and knows no `#` comments outside text format).
        if text.starts_with("/*") && text[2..].contains("/*") {
            return None;
        }
        if !(text.starts_with("//") || text.starts_with("/*")) {
            return None;
        }
    }
    Some(())
}

#[derive(Clone, Copy)]
enum Num {
    Int(u64),
    Float(f64),
}

/// A number token as protox's lexer reads it (floats with an `f` suffix are left to protox).
fn number(s: &str) -> Option<Num> {
    let b = s.as_bytes();
    if b.is_empty() {
        return None;
    }
    if s == "0" {
        return Some(Num::Int(0));
    }
    if b.len() > 2 && b[0] == b'0' && (b[1] == b'x' || b[1] == b'X') {
        if b[2..].iter().all(u8::is_ascii_hexdigit) {
            return u64::from_str_radix(&s[2..], 16).ok().map(Num::Int);
        }
        return None;
    }
    if b.iter().all(u8::is_ascii_digit) {
        if b[0] == b'0' {
            if b[1..].iter().all(|c| (b'0'..=b'7').contains(c)) {
                return u64::from_str_radix(&s[1..], 8).ok().map(Num::Int);
            }
            return None;
        }
        return s.parse::<u64>().ok().map(Num::Int);
    }
    // [0-9]+ \. [0-9]* exp? | [0-9]+ exp | \. [0-9]+ exp?
    let mut i = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let int_digits = i;
    let mut dot = false;
    if i < b.len() && b[i] == b'.' {
        dot = true;
        i += 1;
        let frac_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if int_digits == 0 && i == frac_start {
            return None;
        }
    } else if int_digits == 0 {
        return None;
    }
    let mut exp = false;
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let digits = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == digits {
            return None;
        }
        exp = true;
    }
    if i != b.len() || !(dot || exp) {
        return None;
    }
    s.parse::<f64>().ok().map(Num::Float)
}

/// The bytes of one string literal (quotes included) as protox's lexer decodes them; `None`
/// where protox reports an error.
fn string_literal(lit: &str) -> Option<Vec<u8>> {
    let b = lit.as_bytes();
    if b.len() < 2 || b[0] != b[b.len() - 1] {
        return None;
    }
    let inner = &b[1..b.len() - 1];
    let mut out = Vec::with_capacity(inner.len());
    let mut i = 0;
    while i < inner.len() {
        let c = inner[i];
        match c {
            0 | b'\n' => return None,
            b'\\' => {
                let e = *inner.get(i + 1)?;
                i += 2;
                match e {
                    b'x' | b'X' => {
                        let start = i;
                        while i < inner.len() && i < start + 2 && inner[i].is_ascii_hexdigit() {
                            i += 1;
                        }
                        if i == start {
                            return None;
                        }
                        let v = u8::from_str_radix(std::str::from_utf8(&inner[start..i]).ok()?, 16)
                            .ok()?;
                        out.push(v);
                    }
                    b'0'..=b'7' => {
                        let start = i - 1;
                        while i < inner.len() && i < start + 3 && (b'0'..=b'7').contains(&inner[i])
                        {
                            i += 1;
                        }
                        let v = u32::from_str_radix(std::str::from_utf8(&inner[start..i]).ok()?, 8)
                            .ok()?;
                        out.push(u8::try_from(v).ok()?);
                    }
                    b'a' => out.push(0x07),
                    b'b' => out.push(0x08),
                    b'f' => out.push(0x0c),
                    b'n' => out.push(b'\n'),
                    b'r' => out.push(b'\r'),
                    b't' => out.push(b'\t'),
                    b'v' => out.push(0x0b),
                    b'?' => out.push(b'?'),
                    b'\\' => out.push(b'\\'),
                    b'\'' => out.push(b'\''),
                    b'"' => out.push(b'"'),
                    b'u' | b'U' => {
                        let n = if e == b'u' { 4 } else { 8 };
                        let digits = inner.get(i..i + n)?;
                        if !digits.iter().all(u8::is_ascii_hexdigit) {
                            return None;
                        }
                        let v = u32::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()?;
                        let ch = char::from_u32(v)?;
                        let mut buf = [0; 4];
                        out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                        i += n;
                    }
                    _ => return None,
                }
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    Some(out)
}

/// Adjacent string literals, concatenated.
fn strings(f: &syntax::File, value: &StringValue) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    for &part in &value.parts {
        out.extend(string_literal(f.text(part))?);
    }
    Some(out)
}

/// protox's `generate::lines::LineResolver`: 0-based line, byte column.
struct LineResolver {
    lines: Vec<i32>,
}

impl LineResolver {
    fn new(source: &str) -> Self {
        // memchr's SIMD search: most lines are short, and `match_indices` restarts per line.
        let lines = memchr::memchr_iter(b'\n', source.as_bytes())
            .map(|i| (i + 1) as i32)
            .collect();
        LineResolver { lines }
    }

    /// protox's resolution of a byte offset on a known line (a token's line is the number of
    /// newlines before it, which is what protox's binary search finds).
    fn col(&self, offset: u32, line: u32) -> (i32, i32) {
        let line_start = match line {
            0 => 0,
            l => self.lines[l as usize - 1],
        };
        (line as i32, offset as i32 - line_start)
    }

    fn resolve_span(&self, span: Span) -> Vec<i32> {
        let (start_line, start_col) = self.col(span.start, span.start_line);
        let (end_line, end_col) = self.col(span.end, span.end_line);
        if start_line == end_line {
            vec![start_line, start_col, end_col]
        } else {
            vec![start_line, start_col, end_line, end_col]
        }
    }
}

#[derive(Default)]
struct Comments {
    detached: Vec<String>,
    leading: Option<String>,
    trailing: Option<String>,
}

/// protox's `parse::comments::Comments` state.
#[derive(Default)]
struct CommentState {
    detached: Vec<String>,
    leading: Option<String>,
    trailing: Option<String>,
    is_trailing: bool,
    is_line_comment: bool,
}

impl CommentState {
    fn block_comment(&mut self, comment: String) {
        if self.leading.is_some() {
            self.flush();
        }
        self.leading = Some(comment);
    }
    fn line_comment(&mut self, comment: String) {
        if self.leading.is_some() && !self.is_line_comment {
            self.flush();
        }
        match &mut self.leading {
            None => self.leading = Some(comment),
            Some(current) => current.push_str(&comment),
        }
        self.is_line_comment = true;
    }
    fn detach(&mut self) {
        self.is_trailing = false;
    }
    fn flush(&mut self) {
        if self.is_trailing {
            self.trailing = self.leading.take();
            self.is_trailing = false;
        } else {
            self.detached.extend(self.leading.take());
        }
        self.is_line_comment = false;
    }
}

enum GapItem {
    Line(String),
    Block(String),
    Newline,
}

fn normalize_newlines(s: String) -> String {
    // Most comments have no `\r`: one byte search before the substring search.
    if memchr::memchr(b'\r', s.as_bytes()).is_some() && s.contains("\r\n") {
        s.replace("\r\n", "\n")
    } else {
        s
    }
}

/// The comments and newlines between two tokens, one at a time, as protox's lexer produces them.
struct GapIter<'s> {
    gap: &'s str,
    i: usize,
}

impl GapIter<'_> {
    /// The next item; `Ok(None)` at the end, `Err(())` for what protox lexes differently.
    fn next_item(&mut self) -> Result<Option<GapItem>, ()> {
        let gap = self.gap;
        let b = gap.as_bytes();
        while self.i < b.len() {
            let i = self.i;
            match b[i] {
                b' ' | b'\t' | b'\r' | 0x0b | 0x0c => self.i += 1,
                b'\n' => {
                    self.i += 1;
                    return Ok(Some(GapItem::Newline));
                }
                b'/' if b.get(i + 1) == Some(&b'/') => {
                    let start = i + 2;
                    let end = match memchr_newline(&b[start..]) {
                        Some(p) => start + p + 1,
                        None => b.len(),
                    };
                    self.i = end;
                    return Ok(Some(GapItem::Line(normalize_newlines(
                        gap[start..end].to_string(),
                    ))));
                }
                b'/' if b.get(i + 1) == Some(&b'*') => {
                    let rest = &gap[i + 2..];
                    let rb = rest.as_bytes();
                    let mut out = String::new();
                    let mut j = 0;
                    loop {
                        if j >= rb.len() {
                            return Err(());
                        }
                        if rb[j] == b'*' && rb.get(j + 1) == Some(&b'/') {
                            j += 2;
                            while j < rb.len()
                                && matches!(rb[j], b' ' | b'\t' | b'\r' | 0x0b | 0x0c)
                            {
                                j += 1;
                            }
                            break;
                        }
                        if rb[j] == b'/' && rb.get(j + 1) == Some(&b'*') {
                            return Err(());
                        }
                        if rb[j] == b'\n' {
                            out.push('\n');
                            let stripped = rest[j + 1..].trim_start();
                            j = rest.len() - stripped.len();
                            if stripped.starts_with('*') && !stripped.starts_with("*/") {
                                j += 1;
                            }
                            continue;
                        }
                        // A run of ordinary text up to the next `*`, `/` or newline.
                        let run = rb[j..]
                            .iter()
                            .position(|&c| c == b'*' || c == b'/' || c == b'\n')
                            .map_or(rb.len(), |p| j + p.max(1));
                        let run = if rest.is_char_boundary(run) {
                            run
                        } else {
                            j + rest[j..].chars().next().map_or(1, char::len_utf8)
                        };
                        out.push_str(&rest[j..run]);
                        j = run;
                    }
                    self.i = i + 2 + j;
                    return Ok(Some(GapItem::Block(normalize_newlines(out))));
                }
                _ => return Err(()),
            }
        }
        Ok(None)
    }
}

fn memchr_newline(b: &[u8]) -> Option<usize> {
    memchr::memchr(b'\n', b)
}

/// Field types protox reads as scalar keywords.
fn scalar_type(name: &str) -> Option<field_descriptor_proto::Type> {
    use field_descriptor_proto::Type;
    Some(match name {
        "double" => Type::Double,
        "float" => Type::Float,
        "int32" => Type::Int32,
        "int64" => Type::Int64,
        "uint32" => Type::Uint32,
        "uint64" => Type::Uint64,
        "sint32" => Type::Sint32,
        "sint64" => Type::Sint64,
        "fixed32" => Type::Fixed32,
        "fixed64" => Type::Fixed64,
        "sfixed32" => Type::Sfixed32,
        "sfixed64" => Type::Sfixed64,
        "bool" => Type::Bool,
        "string" => Type::String,
        "bytes" => Type::Bytes,
        _ => return None,
    })
}

/// Words that start something else than a field where protox parses a message body, oneof or
/// extend block: a field of a type so named is left to protox.
const FIELD_START_KEYWORDS: &[&str] = &[
    "optional",
    "required",
    "repeated",
    "map",
    "group",
    "oneof",
    "enum",
    "message",
    "extend",
    "option",
    "reserved",
    "extensions",
];

/// protox's `case::is_valid_ident`.
fn is_valid_ident(s: &str) -> bool {
    !s.is_empty()
        && s.as_bytes()[0].is_ascii_alphabetic()
        && s.as_bytes()[1..]
            .iter()
            .all(|&ch| ch.is_ascii_alphanumeric() || ch == b'_')
}

fn is_valid_group_name(s: &str) -> bool {
    !s.is_empty()
        && s.as_bytes()[0].is_ascii_uppercase()
        && s.as_bytes()[1..]
            .iter()
            .all(|&ch| ch.is_ascii_alphanumeric() || ch == b'_')
}

fn to_pascal_case(name: &str) -> String {
    let mut result = String::with_capacity(name.len());
    let mut uppercase_next = true;
    for ch in name.chars() {
        if ch == '_' {
            uppercase_next = true
        } else if uppercase_next {
            result.push(ch.to_ascii_uppercase());
            uppercase_next = false;
        } else {
            result.push(ch);
        }
    }
    result
}

fn is_valid_import(s: &str) -> bool {
    for component in s.split('/') {
        if component.is_empty() || component.contains('\\') || component == "." || component == ".."
        {
            return false;
        }
    }
    !std::path::Path::new(s).is_absolute()
}

/// protox's `ast::Int`.
#[derive(Clone, Copy)]
struct Int {
    negative: bool,
    value: u64,
    span: Span,
}

impl Int {
    fn as_i32(&self) -> Option<i32> {
        if self.negative {
            if self.value == (i32::MAX as u64 + 1) {
                Some(i32::MIN)
            } else {
                Some(-i32::try_from(self.value).ok()?)
            }
        } else {
            i32::try_from(self.value).ok()
        }
    }
    fn as_i64(&self) -> Option<i64> {
        if self.negative {
            if self.value == (i64::MAX as u64 + 1) {
                Some(i64::MIN)
            } else {
                Some(-i64::try_from(self.value).ok()?)
            }
        } else {
            i64::try_from(self.value).ok()
        }
    }
    fn as_u32(&self) -> Option<u32> {
        if self.negative {
            None
        } else {
            u32::try_from(self.value).ok()
        }
    }
    fn as_u64(&self) -> Option<u64> {
        if self.negative {
            None
        } else {
            Some(self.value)
        }
    }
    fn display(&self) -> String {
        if self.negative {
            format!("-{}", self.value)
        } else {
            self.value.to_string()
        }
    }
}

fn float_display(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{value:.1}")
    } else {
        format!("{value}")
    }
}

/// protox's `ast::String` display (used for bytes defaults and message-typed defaults).
fn escape_string(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut f = String::with_capacity(bytes.len());
    for &ch in bytes {
        match ch {
            b'\t' => f.push_str("\\t"),
            b'\r' => f.push_str("\\r"),
            b'\n' => f.push_str("\\n"),
            b'\\' => f.push_str("\\\\"),
            b'\'' => f.push_str("\\'"),
            b'"' => f.push_str("\\\""),
            b'\x20'..=b'\x7e' => f.push(ch as char),
            _ => {
                let _ = write!(f, "\\{ch:03o}");
            }
        }
    }
    f
}

/// protox's `ast::OptionValue`.
enum OptValue {
    Ident {
        negative: bool,
        ident: String,
        span: Span,
    },
    Int(Int),
    Float {
        value: f64,
        span: Span,
    },
    Str {
        value: Vec<u8>,
        span: Span,
    },
    Aggregate(String, Span),
}

impl OptValue {
    fn span(&self) -> Span {
        match self {
            OptValue::Ident { span, .. } => *span,
            OptValue::Int(int) => int.span,
            OptValue::Float { span, .. } => *span,
            OptValue::Str { span, .. } => *span,
            OptValue::Aggregate(_, span) => *span,
        }
    }
    fn display(&self) -> String {
        match self {
            OptValue::Ident {
                negative, ident, ..
            } => {
                if *negative {
                    format!("-{ident}")
                } else {
                    ident.clone()
                }
            }
            OptValue::Int(int) => int.display(),
            OptValue::Float { value, .. } => float_display(*value),
            OptValue::Str { value, .. } => escape_string(value),
            OptValue::Aggregate(message, _) => message.clone(),
        }
    }
    fn to_token_string(&self) -> String {
        match self {
            OptValue::Str { value, .. } => format!("\"{}\"", escape_string(value)),
            _ => self.display(),
        }
    }
    fn as_f64(&self) -> Option<f64> {
        match self {
            OptValue::Ident {
                negative, ident, ..
            } => {
                let value = if ident == "nan" {
                    f64::NAN
                } else if ident == "inf" {
                    f64::INFINITY
                } else {
                    return None;
                };
                Some(if *negative { -value } else { value })
            }
            OptValue::Int(int) => Some(if int.negative {
                -(int.value as f64)
            } else {
                int.value as f64
            }),
            OptValue::Float { value, .. } => Some(*value),
            OptValue::Str { .. } | OptValue::Aggregate(..) => None,
        }
    }
    fn as_bool(&self) -> Option<bool> {
        match self {
            OptValue::Ident {
                negative: false,
                ident,
                ..
            } if ident == "false" => Some(false),
            OptValue::Ident {
                negative: false,
                ident,
                ..
            } if ident == "true" => Some(true),
            _ => None,
        }
    }
}

/// A field as protox's AST has it: normal, map or group.
#[derive(Clone, Copy)]
enum FieldRef<'a> {
    Normal(&'a FieldDecl),
    Map(&'a MapFieldDecl),
    Group(&'a GroupDecl),
}

impl FieldRef<'_> {
    fn label(&self) -> Option<TokenId> {
        match self {
            FieldRef::Normal(d) => d.label,
            FieldRef::Map(_) => None,
            FieldRef::Group(d) => d.label,
        }
    }
    fn name(&self) -> TokenId {
        match self {
            FieldRef::Normal(d) => d.name,
            FieldRef::Map(d) => d.name,
            FieldRef::Group(d) => d.name,
        }
    }
    fn number(&self) -> TokenId {
        match self {
            FieldRef::Normal(d) => d.number,
            FieldRef::Map(d) => d.number,
            FieldRef::Group(d) => d.number,
        }
    }
    fn options(&self) -> Option<&CompactOptions> {
        match self {
            FieldRef::Normal(d) => d.options.as_ref(),
            FieldRef::Map(d) => d.options.as_ref(),
            FieldRef::Group(d) => d.options.as_ref(),
        }
    }
    fn first(&self) -> TokenId {
        match self {
            FieldRef::Normal(d) => d.label.unwrap_or(d.field_type.tokens[0]),
            FieldRef::Map(d) => d.keyword,
            FieldRef::Group(d) => d.label.unwrap_or(d.keyword),
        }
    }
    /// The token after which protox takes the trailing comment.
    fn comment_end(&self) -> TokenId {
        match self {
            FieldRef::Normal(d) => d.semicolon,
            FieldRef::Map(d) => d.semicolon,
            FieldRef::Group(d) => d.body.open,
        }
    }
    fn last(&self) -> TokenId {
        match self {
            FieldRef::Normal(d) => d.semicolon,
            FieldRef::Map(d) => d.semicolon,
            FieldRef::Group(d) => d.body.close,
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Scope {
    Message,
    Oneof,
    Extend,
}

#[derive(Clone, Copy, PartialEq)]
enum Label {
    Optional,
    Required,
    Repeated,
}

/// A field type as protox's `ast::Ty`: a scalar keyword or a type name.
enum Ty {
    Scalar(field_descriptor_proto::Type),
    Named(String),
}

struct Gen<'a> {
    f: &'a syntax::File,
    proto3: bool,
    /// Which locations are recorded (comments only with all of them).
    kept: Locations,
    path: Vec<i32>,
    locations: Vec<Location>,
    lines: LineResolver,
    depth: u32,
    /// The comment state after token `.0` (its trailing comment already taken).
    last_gap: Option<(TokenId, CommentState)>,
}

fn join(a: Span, b: Span) -> Span {
    Span {
        start: a.start,
        end: b.end,
        start_line: a.start_line,
        end_line: b.end_line,
    }
}

fn idx(n: usize) -> i32 {
    n as i32
}

impl<'a> Gen<'a> {
    fn text(&self, t: TokenId) -> &'a str {
        self.f.text(t)
    }
    fn sp(&self, t: TokenId) -> Span {
        let tok = self.f.token(t);
        Span {
            start: tok.span.start,
            end: tok.span.end,
            start_line: tok.line,
            end_line: tok.end_line,
        }
    }
    fn span2(&self, a: TokenId, b: TokenId) -> Span {
        join(self.sp(a), self.sp(b))
    }
    fn is_sym(&self, t: TokenId, c: u8) -> bool {
        self.f.token(t).kind == TokenKind::Sym(c)
    }

    // ---- comments ----

    /// Replays protox's comment handling over the text between token `before` (or the start
    /// of the file) and the next token.
    fn gap(&self, before: Option<TokenId>, next: TokenId) -> Option<CommentState> {
        // No comment in between (our lexer gives each one to the token before or after):
        // newlines alone leave protox's state empty.
        let none_after = before.is_none_or(|t| {
            let (a, b) = self.f.token(t).trailing;
            a == b
        });
        let (a, b) = self.f.token(next).leading;
        if none_after && a == b {
            return Some(CommentState::default());
        }
        let start = match before {
            Some(t) => self.f.token(t).span.end as usize,
            None => 0,
        };
        let end = self.f.token(next).span.start as usize;
        let mut items = GapIter {
            gap: &self.f.source[start..end],
            i: 0,
        };
        let mut st = CommentState::default();
        let mut cur = items.next_item().ok()?;
        if before.is_some() {
            st.is_trailing = true;
            match cur.take() {
                Some(GapItem::Line(c)) => {
                    st.line_comment(c);
                    st.flush();
                    cur = items.next_item().ok()?;
                }
                Some(GapItem::Block(c)) => {
                    if matches!(items.next_item().ok()?, Some(GapItem::Newline)) {
                        st.block_comment(c);
                        cur = items.next_item().ok()?;
                    } else {
                        // protox skips every comment up to the next token.
                        return Some(st);
                    }
                }
                Some(GapItem::Newline) => cur = items.next_item().ok()?,
                None => return Some(st),
            }
        }
        while let Some(item) = cur.take() {
            match item {
                GapItem::Line(c) => {
                    st.line_comment(c);
                    cur = items.next_item().ok()?;
                }
                GapItem::Block(c) => {
                    st.block_comment(c);
                    let after = items.next_item().ok()?;
                    cur = match after {
                        Some(GapItem::Newline) => items.next_item().ok()?,
                        other => other,
                    };
                }
                GapItem::Newline => {
                    st.flush();
                    st.detach();
                    cur = items.next_item().ok()?;
                }
            }
        }
        let closes = matches!(
            self.f.token(next).kind,
            TokenKind::Eof | TokenKind::Sym(b'}' | b']' | b')')
        );
        if closes {
            st.flush();
        }
        Some(st)
    }

    /// Leading comments of the declaration starting at `first`, trailing ones after `last`.
    /// The leading side of a gap is usually asked right after its trailing side (a declaration,
    /// then the next one): the last gap is kept for that.
    fn comments(&mut self, first: TokenId, last: TokenId) -> Option<Comments> {
        if self.kept != Locations::All {
            return Some(Comments::default());
        }
        let lead = match self.last_gap.take() {
            Some((after, state)) if first > 0 && after == first - 1 => state,
            _ => {
                let before = if first == 0 { None } else { Some(first - 1) };
                self.gap(before, first)?
            }
        };
        let mut trail = self.gap(Some(last), last + 1)?;
        let trailing = trail.trailing.take();
        self.last_gap = Some((last, trail));
        Some(Comments {
            detached: lead.detached,
            leading: lead.leading,
            trailing,
        })
    }

    // ---- locations ----

    /// Whether a location at the current path is recorded.
    fn records(&self) -> bool {
        match self.kept {
            Locations::All | Locations::WithoutComments => true,
            Locations::OfOptions => self.path.contains(&UNINTERPRETED_OPTION),
            Locations::None => false,
        }
    }

    fn add_span(&mut self, span: Span) {
        if !self.records() {
            return;
        }
        let span = self.lines.resolve_span(span);
        self.locations.push(Location {
            path: self.path.clone(),
            span,
            ..Default::default()
        });
    }
    fn add_comments(&mut self, span: Span, comments: Comments) {
        if !self.records() {
            return;
        }
        let span = self.lines.resolve_span(span);
        self.locations.push(Location {
            path: self.path.clone(),
            span,
            leading_comments: comments.leading,
            trailing_comments: comments.trailing,
            leading_detached_comments: comments.detached,
        });
    }
    fn add_span_for(&mut self, items: &[i32], span: Span) {
        self.path.extend_from_slice(items);
        self.add_span(span);
        self.pop_path(items.len());
    }
    fn add_comments_for(&mut self, items: &[i32], span: Span, comments: Comments) {
        self.path.extend_from_slice(items);
        self.add_comments(span, comments);
        self.pop_path(items.len());
    }
    fn pop_path(&mut self, n: usize) {
        self.path.truncate(self.path.len() - n);
    }

    // ---- names, numbers, values ----

    fn qual_text(&self, q: &QualName) -> String {
        let mut s = String::new();
        for &t in &q.tokens {
            s.push_str(self.text(t));
        }
        s
    }
    fn qual_span(&self, q: &QualName) -> Span {
        self.span2(q.tokens[0], *q.tokens.last().expect("a name has tokens"))
    }

    fn ty(&self, q: &QualName) -> Option<(Ty, Span)> {
        let first = self.text(q.tokens[0]);
        if let Some(t) = scalar_type(first) {
            if q.tokens.len() != 1 {
                return None;
            }
            return Some((Ty::Scalar(t), self.sp(q.tokens[0])));
        }
        Some((Ty::Named(self.qual_text(q)), self.qual_span(q)))
    }

    /// A field or range number token (unsigned).
    fn int_token(&self, t: TokenId) -> Option<Int> {
        match number(self.text(t))? {
            Num::Int(value) => Some(Int {
                negative: false,
                value,
                span: self.sp(t),
            }),
            Num::Float(_) => None,
        }
    }

    /// protox's `parse_int`: an optional `-` and an integer.
    fn int_value(&self, v: &Value) -> Option<Int> {
        match v {
            Value::Scalar(t) if self.f.token(*t).kind == TokenKind::Int => self.int_token(*t),
            Value::Signed { sign, value }
                if self.is_sym(*sign, b'-') && self.f.token(*value).kind == TokenKind::Int =>
            {
                let mut int = self.int_token(*value)?;
                int.negative = true;
                int.span = join(self.sp(*sign), int.span);
                Some(int)
            }
            _ => None,
        }
    }

    fn message_number(&self, int: &Int) -> Option<i32> {
        match int.as_i32() {
            Some(number @ 1..=MAX_MESSAGE_FIELD_NUMBER) => Some(number),
            _ => None,
        }
    }

    /// A reserved or extension range of a message as stored: start, and end exclusive (`max` is
    /// the largest field number, or of a message set's extension).
    fn message_range(
        &self,
        start: &Int,
        end: Option<Result<Int, Span>>,
        is_message_set: bool,
    ) -> Option<(i32, i32)> {
        let start = self.message_number(start)?;
        let end = match end {
            None => start,
            Some(Ok(int)) => self.message_number(&int)?,
            Some(Err(_)) if is_message_set => i32::MAX - 1,
            Some(Err(_)) => MAX_MESSAGE_FIELD_NUMBER,
        };
        Some((start, end + 1))
    }

    fn opt_value(&self, v: &Value) -> Option<OptValue> {
        match v {
            Value::Scalar(t) => {
                let t = *t;
                match self.f.token(t).kind {
                    TokenKind::Ident => Some(OptValue::Ident {
                        negative: false,
                        ident: self.text(t).to_string(),
                        span: self.sp(t),
                    }),
                    TokenKind::Int | TokenKind::Float => match number(self.text(t))? {
                        Num::Int(value) => Some(OptValue::Int(Int {
                            negative: false,
                            value,
                            span: self.sp(t),
                        })),
                        Num::Float(value) => Some(OptValue::Float {
                            value,
                            span: self.sp(t),
                        }),
                    },
                    _ => None,
                }
            }
            Value::Signed { sign, value } => {
                if !self.is_sym(*sign, b'-') {
                    return None;
                }
                let span = self.span2(*sign, *value);
                match self.f.token(*value).kind {
                    TokenKind::Ident => Some(OptValue::Ident {
                        negative: true,
                        ident: self.text(*value).to_string(),
                        span,
                    }),
                    TokenKind::Int | TokenKind::Float => match number(self.text(*value))? {
                        Num::Int(v) => Some(OptValue::Int(Int {
                            negative: true,
                            value: v,
                            span,
                        })),
                        Num::Float(v) => Some(OptValue::Float { value: -v, span }),
                    },
                    _ => None,
                }
            }
            Value::Strings(s) => Some(OptValue::Str {
                value: strings(self.f, s)?,
                span: self.span2(s.parts[0], *s.parts.last()?),
            }),
            Value::Message(m) => {
                if !self.is_sym(m.open, b'{') || !self.is_sym(m.close, b'}') {
                    return None;
                }
                let mut out = String::new();
                for t in m.open + 1..m.close {
                    if !out.is_empty() {
                        out.push(' ');
                    }
                    let text = self.text(t);
                    match self.f.token(t).kind {
                        TokenKind::Ident => out.push_str(text),
                        TokenKind::Int | TokenKind::Float => match number(text)? {
                            Num::Int(v) => out.push_str(&v.to_string()),
                            Num::Float(v) => out.push_str(&float_display(v)),
                        },
                        TokenKind::Str => {
                            out.push('"');
                            for ch in string_literal(text)? {
                                out.extend(std::ascii::escape_default(ch).map(char::from));
                            }
                            out.push('"');
                        }
                        TokenKind::Sym(c) => out.push(c as char),
                        TokenKind::Eof => return None,
                    }
                }
                Some(OptValue::Aggregate(out, self.span2(m.open, m.close)))
            }
            Value::Array(_) => None,
        }
    }

    /// protox's `ast::OptionBody` name parts and value; `None` if protox would not parse it so.
    fn option_body(
        &self,
        o: &OptionDecl,
    ) -> Option<(Vec<uninterpreted_option::NamePart>, Span, OptValue)> {
        let toks = &o.name.tokens;
        let mut parts = Vec::new();
        let mut i = 0;
        while i < toks.len() {
            let t = toks[i];
            if self.is_sym(t, b'(') {
                let mut name = String::new();
                let mut j = i + 1;
                while j < toks.len() && !self.is_sym(toks[j], b')') {
                    name.push_str(self.text(toks[j]));
                    j += 1;
                }
                if j >= toks.len() {
                    return None;
                }
                parts.push(uninterpreted_option::NamePart {
                    name_part: name,
                    is_extension: true,
                });
                i = j + 1;
            } else if self.f.token(t).kind == TokenKind::Ident {
                parts.push(uninterpreted_option::NamePart {
                    name_part: self.text(t).to_string(),
                    is_extension: false,
                });
                i += 1;
            } else {
                return None;
            }
            if i < toks.len() {
                if !self.is_sym(toks[i], b'.') {
                    return None;
                }
                i += 1;
                if i == toks.len() {
                    return None;
                }
            }
        }
        let value = self.opt_value(&o.value)?;
        let name_span = self.span2(toks[0], *toks.last()?);
        Some((parts, join(name_span, value.span()), value))
    }

    /// protox's `take_option`: the first option of the list named `name`, taken out.
    fn take_option<'o>(
        &self,
        list: &mut Option<(Span, Vec<&'o OptionDecl>)>,
        name: &str,
    ) -> Option<&'o OptionDecl> {
        let (_, options) = list.as_mut()?;
        let pos = options.iter().position(|o| self.has_name(o, name))?;
        Some(options.remove(pos))
    }

    fn has_name(&self, o: &OptionDecl, name: &str) -> bool {
        o.name.tokens.len() == 1 && self.text(o.name.tokens[0]) == name
    }

    fn generate_option(
        &self,
        name: Vec<uninterpreted_option::NamePart>,
        value: OptValue,
    ) -> Option<UninterpretedOption> {
        Some(match value {
            OptValue::Ident {
                negative: false,
                ident,
                ..
            } => UninterpretedOption {
                name,
                identifier_value: Some(ident),
                ..Default::default()
            },
            OptValue::Ident { negative: true, .. } => return None,
            OptValue::Int(int) => {
                if int.negative {
                    let negative_int_value = Some(int.as_i64()?);
                    UninterpretedOption {
                        name,
                        negative_int_value,
                        ..Default::default()
                    }
                } else {
                    UninterpretedOption {
                        name,
                        positive_int_value: Some(int.value),
                        ..Default::default()
                    }
                }
            }
            OptValue::Float { value, .. } => UninterpretedOption {
                name,
                double_value: Some(value),
                ..Default::default()
            },
            OptValue::Str { value, .. } => UninterpretedOption {
                name,
                string_value: Some(value),
                ..Default::default()
            },
            OptValue::Aggregate(message, _) => UninterpretedOption {
                name,
                aggregate_value: Some(message),
                ..Default::default()
            },
        })
    }

    /// `option ...;` statements, at the element's options field `field`.
    fn generate_options(
        &mut self,
        field: i32,
        options: &[&OptionDecl],
    ) -> Option<Option<Vec<UninterpretedOption>>> {
        self.path.push(field);
        let mut out = Vec::new();
        for o in options {
            let keyword = o.keyword?;
            let semicolon = o.semicolon?;
            let span = self.span2(keyword, semicolon);
            let comments = self.comments(keyword, semicolon)?;
            self.add_span(span);
            self.add_comments_for(&[tag::UNINTERPRETED_OPTION, idx(out.len())], span, comments);
            let (name, _, value) = self.option_body(o)?;
            out.push(self.generate_option(name, value)?);
        }
        self.path.pop();
        Some(if out.is_empty() { None } else { Some(out) })
    }

    /// `[...]` options; `list` is `None` when absent.
    fn generate_options_list(
        &mut self,
        list: Option<(Span, Vec<&OptionDecl>)>,
    ) -> Option<Option<Vec<UninterpretedOption>>> {
        let mut out = Vec::new();
        if let Some((span, options)) = list {
            self.add_span(span);
            for o in options {
                let (name, span, value) = self.option_body(o)?;
                self.add_span_for(&[tag::UNINTERPRETED_OPTION, idx(out.len())], span);
                out.push(self.generate_option(name, value)?);
            }
        }
        Some(if out.is_empty() { None } else { Some(out) })
    }

    fn compact_list<'o>(
        &self,
        c: Option<&'o CompactOptions>,
    ) -> Option<(Span, Vec<&'o OptionDecl>)> {
        c.map(|c| (self.span2(c.open, c.close), c.options.iter().collect()))
    }

    // ---- file ----

    fn file(&mut self, name: &str) -> Option<FileDescriptorProto> {
        let f = self.f;
        if f.tokens.first()?.kind == TokenKind::Eof {
            return None;
        }
        let mut file_span = match &f.syntax {
            Some(s) => self.span2(s.keyword, s.semicolon?),
            None => self.sp(0),
        };
        for decl in &f.decls {
            file_span = join(file_span, self.sp(self.decl_last(decl)?));
        }
        self.add_span(file_span);

        let mut package = None;
        let mut dependency = Vec::new();
        let mut public_dependency = Vec::new();
        let mut weak_dependency = Vec::new();
        for decl in &f.decls {
            match decl {
                Decl::Package(p) => {
                    if package.is_some() || self.is_sym(p.name.tokens[0], b'.') {
                        return None;
                    }
                    let comments = self.comments(p.keyword, p.semicolon)?;
                    self.add_comments_for(
                        &[tag::file::PACKAGE],
                        self.span2(p.keyword, p.semicolon),
                        comments,
                    );
                    package = Some(self.qual_text(&p.name));
                }
                Decl::Import(i) => {
                    let index = idx(dependency.len());
                    let comments = self.comments(i.keyword, i.semicolon)?;
                    self.add_comments_for(
                        &[tag::file::DEPENDENCY, index],
                        self.span2(i.keyword, i.semicolon),
                        comments,
                    );
                    let value = String::from_utf8(strings(f, &i.path)?).ok()?;
                    if !is_valid_import(&value) {
                        return None;
                    }
                    dependency.push(value);
                    if let Some(m) = i.modifier {
                        match self.text(m) {
                            "public" => {
                                self.add_span_for(
                                    &[tag::file::PUBLIC_DEPENDENCY, idx(public_dependency.len())],
                                    self.sp(m),
                                );
                                public_dependency.push(index);
                            }
                            "weak" => {
                                self.add_span_for(
                                    &[tag::file::WEAK_DEPENDENCY, idx(weak_dependency.len())],
                                    self.sp(m),
                                );
                                weak_dependency.push(index);
                            }
                            _ => return None,
                        }
                    }
                }
                _ => {}
            }
        }

        let mut message_type = Vec::new();
        let mut enum_type = Vec::new();
        let mut service = Vec::new();
        let mut extension = Vec::new();
        let mut options = Vec::new();
        for decl in &f.decls {
            match decl {
                Decl::Message(m) => {
                    self.path
                        .extend([tag::file::MESSAGE_TYPE, idx(message_type.len())]);
                    message_type.push(self.message(m)?);
                    self.pop_path(2);
                }
                Decl::Enum(e) => {
                    self.path
                        .extend([tag::file::ENUM_TYPE, idx(enum_type.len())]);
                    enum_type.push(self.enum_(e)?);
                    self.pop_path(2);
                }
                Decl::Service(s) => {
                    self.path.extend([tag::file::SERVICE, idx(service.len())]);
                    service.push(self.service(s)?);
                    self.pop_path(2);
                }
                Decl::Extend(x) => {
                    self.extend(
                        x,
                        tag::file::EXTENSION,
                        &mut extension,
                        tag::file::MESSAGE_TYPE,
                        &mut message_type,
                    )?;
                }
                Decl::Option(o) => options.push(o),
                Decl::Package(_) | Decl::Import(_) | Decl::Empty(_) => {}
                _ => return None,
            }
        }

        let options = self.generate_options(tag::file::OPTIONS, &options)?;

        if let Some(s) = &f.syntax {
            let semicolon = s.semicolon?;
            let comments = self.comments(s.keyword, semicolon)?;
            self.add_comments_for(
                &[tag::file::SYNTAX],
                self.span2(s.keyword, semicolon),
                comments,
            );
        }

        Some(FileDescriptorProto {
            name: Some(name.to_owned()),
            package,
            dependency,
            public_dependency,
            weak_dependency,
            message_type,
            enum_type,
            service,
            extension,
            options: options.map(|uninterpreted_option| FileOptions {
                uninterpreted_option,
                ..Default::default()
            }),
            source_code_info: None,
            syntax: if self.proto3 {
                Some("proto3".to_string())
            } else {
                None
            },
        })
    }

    fn decl_last(&self, decl: &Decl) -> Option<TokenId> {
        Some(match decl {
            Decl::Package(d) => d.semicolon,
            Decl::Import(d) => d.semicolon,
            Decl::Option(d) => d.semicolon?,
            Decl::Message(d) => d.body.close,
            Decl::Enum(d) => d.body.close,
            Decl::Service(d) => d.body.close,
            Decl::Extend(d) => d.body.close,
            Decl::Empty(t) => *t,
            _ => return None,
        })
    }

    // ---- messages ----

    fn message(&mut self, m: &MessageDecl) -> Option<DescriptorProto> {
        if m.visibility.is_some() {
            return None;
        }
        let comments = self.comments(m.keyword, m.body.open)?;
        self.add_comments(self.span2(m.keyword, m.body.close), comments);
        self.add_span_for(&[tag::message::NAME], self.sp(m.name));
        Some(DescriptorProto {
            name: Some(self.text(m.name).to_string()),
            ..self.message_body(&m.body)?
        })
    }

    fn check_field(&self, field: FieldRef) -> Option<()> {
        match field {
            FieldRef::Normal(d) => {
                let first = self.text(d.field_type.tokens[0]);
                if d.label.is_none() {
                    if FIELD_START_KEYWORDS.contains(&first) {
                        return None;
                    }
                } else if first == "map" || first == "group" {
                    return None;
                }
            }
            FieldRef::Map(_) => {}
            FieldRef::Group(d) => {
                if !is_valid_group_name(self.text(d.name)) {
                    return None;
                }
            }
        }
        Some(())
    }

    fn message_body(&mut self, body: &Body) -> Option<DescriptorProto> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return None;
        }
        let mut field = Vec::new();
        let mut extension = Vec::new();
        let mut nested_type = Vec::new();
        let mut enum_type = Vec::new();
        let mut oneof_decl = Vec::new();
        let mut extension_range = Vec::new();
        let mut reserved_range = Vec::new();
        let mut reserved_name = Vec::new();

        let real_oneof_count = body
            .decls
            .iter()
            .filter(|d| matches!(d, Decl::Oneof(_)))
            .count();
        oneof_decl.resize(real_oneof_count, OneofDescriptorProto::default());

        let mut options = Vec::new();
        let mut reserved = Vec::new();
        let mut extensions = Vec::new();
        let mut real_oneof_index = 0;
        for decl in &body.decls {
            let as_field = match decl {
                Decl::Field(d) => Some(FieldRef::Normal(d)),
                Decl::MapField(d) => Some(FieldRef::Map(d)),
                Decl::Group(d) => Some(FieldRef::Group(d)),
                _ => None,
            };
            if let Some(fr) = as_field {
                self.check_field(fr)?;
                let fd = self.field(
                    fr,
                    field.len(),
                    tag::message::FIELD,
                    tag::message::NESTED_TYPE,
                    &mut nested_type,
                    Some(tag::message::ONEOF_DECL),
                    &mut oneof_decl,
                    Scope::Message,
                )?;
                field.push(fd);
                continue;
            }
            match decl {
                Decl::Enum(e) => {
                    self.path
                        .extend([tag::message::ENUM_TYPE, idx(enum_type.len())]);
                    enum_type.push(self.enum_(e)?);
                    self.pop_path(2);
                }
                Decl::Message(m) => {
                    self.path
                        .extend([tag::message::NESTED_TYPE, idx(nested_type.len())]);
                    nested_type.push(self.message(m)?);
                    self.pop_path(2);
                }
                Decl::Extend(x) => {
                    self.extend(
                        x,
                        tag::message::EXTENSION,
                        &mut extension,
                        tag::message::NESTED_TYPE,
                        &mut nested_type,
                    )?;
                }
                Decl::Oneof(o) => {
                    oneof_decl[real_oneof_index] =
                        self.oneof(o, real_oneof_index, &mut nested_type, &mut field)?;
                    real_oneof_index += 1;
                }
                Decl::Option(o) => options.push(o),
                Decl::Reserved(r) => reserved.push(r),
                Decl::ExtensionRange(x) => extensions.push(x),
                Decl::Empty(_) => {}
                _ => return None,
            }
        }

        let is_message_set = match options
            .iter()
            .find(|o| self.has_name(o, "message_set_wire_format"))
        {
            Some(o) => self.opt_value(&o.value)?.as_bool().unwrap_or(false),
            None => false,
        };

        for r in reserved {
            self.message_reserved(r, is_message_set, &mut reserved_range, &mut reserved_name)?;
        }

        self.path.push(tag::message::EXTENSION_RANGE);
        for x in extensions {
            self.extension_ranges(x, is_message_set, &mut extension_range)?;
        }
        self.path.pop();

        let options = self.generate_options(tag::message::OPTIONS, &options)?;

        self.depth -= 1;
        Some(DescriptorProto {
            name: None,
            field,
            extension,
            nested_type,
            enum_type,
            extension_range,
            oneof_decl,
            options: options.map(|uninterpreted_option| MessageOptions {
                uninterpreted_option,
                ..Default::default()
            }),
            reserved_range,
            reserved_name,
        })
    }

    /// A reserved statement's ranges or names (`None`: neither, or mixed).
    #[allow(clippy::type_complexity)]
    fn reserved_kind<'r>(
        &self,
        r: &'r ReservedDecl,
    ) -> Option<Result<Vec<&'r RangeExpr>, Vec<&'r StringValue>>> {
        match r.items.first()? {
            ReservedItem::Range(_) => r
                .items
                .iter()
                .map(|i| match i {
                    ReservedItem::Range(x) => Some(x),
                    _ => None,
                })
                .collect::<Option<Vec<_>>>()
                .map(Ok),
            ReservedItem::Name(_) => r
                .items
                .iter()
                .map(|i| match i {
                    ReservedItem::Name(x) => Some(x),
                    _ => None,
                })
                .collect::<Option<Vec<_>>>()
                .map(Err),
            ReservedItem::Ident(_) => None,
        }
    }

    fn reserved_names(&mut self, names: &[&StringValue], out: &mut Vec<String>) -> Option<()> {
        for name in names {
            let value = String::from_utf8(strings(self.f, name)?).ok()?;
            if !is_valid_ident(&value) {
                return None;
            }
            let span = self.span2(name.parts[0], *name.parts.last()?);
            self.add_span_for(&[idx(out.len())], span);
            out.push(value);
        }
        Some(())
    }

    /// A range's start, end (`Err(span)` for `max`) and span, as protox's `ReservedRange`.
    #[allow(clippy::type_complexity)]
    fn range(&self, r: &RangeExpr) -> Option<(Int, Option<Result<Int, Span>>, Span, Span)> {
        let start = self.int_value(&r.start)?;
        let end = match (&r.to, &r.end) {
            (None, None) => None,
            (Some(_), Some(Value::Scalar(t))) if self.text(*t) == "max" => Some(Err(self.sp(*t))),
            (Some(_), Some(v)) => Some(Ok(self.int_value(v)?)),
            _ => return None,
        };
        let end_span = match &end {
            None => start.span,
            Some(Ok(int)) => int.span,
            Some(Err(span)) => *span,
        };
        Some((start, end, start.span, end_span))
    }

    fn message_reserved(
        &mut self,
        r: &ReservedDecl,
        is_message_set: bool,
        reserved_range: &mut Vec<descriptor_proto::ReservedRange>,
        reserved_name: &mut Vec<String>,
    ) -> Option<()> {
        let span = self.span2(r.keyword, r.semicolon);
        let comments = self.comments(r.keyword, r.semicolon)?;
        match self.reserved_kind(r)? {
            Ok(ranges) => {
                self.path.push(tag::message::RESERVED_RANGE);
                self.add_comments(span, comments);
                for range in ranges {
                    self.path.push(idx(reserved_range.len()));
                    let (start, end, start_span, end_span) = self.range(range)?;
                    self.add_span(join(start_span, end_span));
                    self.add_span_for(&[tag::message::range::START], start_span);
                    self.add_span_for(&[tag::message::range::END], end_span);
                    let (start, end) = self.message_range(&start, end, is_message_set)?;
                    reserved_range.push(descriptor_proto::ReservedRange {
                        start: Some(start),
                        end: Some(end),
                    });
                    self.path.pop();
                }
                self.path.pop();
            }
            Err(names) => {
                self.path.push(tag::message::RESERVED_NAME);
                self.add_comments(span, comments);
                self.reserved_names(&names, reserved_name)?;
                self.path.pop();
            }
        }
        Some(())
    }

    fn extension_ranges(
        &mut self,
        x: &ExtensionRangeDecl,
        is_message_set: bool,
        out: &mut Vec<descriptor_proto::ExtensionRange>,
    ) -> Option<()> {
        // protox wants `to`, `,` or `;` after a lone start: `extensions 5 [...]` is an error.
        if x.options.is_some() && x.ranges.last()?.to.is_none() {
            return None;
        }
        let comments = self.comments(x.keyword, x.semicolon)?;
        self.add_comments(self.span2(x.keyword, x.semicolon), comments);
        for range in &x.ranges {
            self.path.push(idx(out.len()));
            let (start, end, start_span, end_span) = self.range(range)?;
            self.add_span(join(start_span, end_span));
            self.add_span_for(&[tag::message::range::START], start_span);
            self.add_span_for(&[tag::message::range::END], end_span);

            self.path.push(tag::message::range::OPTIONS);
            let list = self.compact_list(x.options.as_ref());
            let options = self.generate_options_list(list)?;
            self.path.pop();

            let (start, end) = self.message_range(&start, end, is_message_set)?;
            out.push(descriptor_proto::ExtensionRange {
                start: Some(start),
                end: Some(end),
                options: options.map(|uninterpreted_option| ExtensionRangeOptions {
                    uninterpreted_option,
                }),
            });
            self.path.pop();
        }
        Some(())
    }

    // ---- fields ----

    fn label(&self, field: FieldRef) -> Option<Option<(Label, Span)>> {
        Some(match field.label() {
            None => None,
            Some(t) => Some((
                match self.text(t) {
                    "optional" => Label::Optional,
                    "required" => Label::Required,
                    "repeated" => Label::Repeated,
                    _ => return None,
                },
                self.sp(t),
            )),
        })
    }

    fn field_label(
        &mut self,
        label: Option<(Label, Span)>,
        scope: Scope,
    ) -> Option<Option<field_descriptor_proto::Label>> {
        use field_descriptor_proto::Label as L;
        match (scope, label) {
            (Scope::Extend, Some((Label::Required, _))) => None,
            (Scope::Oneof, Some(_)) => None,
            (Scope::Message | Scope::Extend, None) if !self.proto3 => None,
            (_, Some((Label::Required, _))) if self.proto3 => None,
            (_, Some((l, span))) => {
                self.add_span_for(&[tag::field::LABEL], span);
                Some(Some(match l {
                    Label::Required => L::Required,
                    Label::Repeated => L::Repeated,
                    Label::Optional => L::Optional,
                }))
            }
            (_, None) => Some(Some(L::Optional)),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn field(
        &mut self,
        field: FieldRef,
        field_index: usize,
        field_tag: i32,
        message_tag: i32,
        messages: &mut Vec<DescriptorProto>,
        oneof_tag: Option<i32>,
        oneofs: &mut Vec<OneofDescriptorProto>,
        scope: Scope,
    ) -> Option<FieldDescriptorProto> {
        use field_descriptor_proto::Type;
        let label = self.label(field)?;
        let name_tok = field.name();
        let name_text = self.text(name_tok);
        let span = self.span2(field.first(), field.last());

        self.path.extend([field_tag, idx(field_index)]);
        self.add_span_for(&[tag::field::NAME], self.sp(name_tok));
        let number_int = self.int_token(field.number())?;
        self.add_span_for(&[tag::field::NUMBER], number_int.span);
        let number = self.message_number(&number_int)?;

        let (proto3_optional, oneof_index) =
            if self.proto3 && matches!(label, Some((Label::Optional, _))) {
                if let Some(oneof_tag) = oneof_tag {
                    let oneof_name = if name_text.starts_with('_') {
                        format!("X{name_text}")
                    } else {
                        format!("_{name_text}")
                    };
                    let oneof_index = idx(oneofs.len());
                    let _ = oneof_tag;
                    oneofs.push(OneofDescriptorProto {
                        name: Some(oneof_name),
                        options: None,
                    });
                    (Some(true), Some(oneof_index))
                } else {
                    (Some(true), None)
                }
            } else {
                (None, None)
            };

        // The option list, with `default` and then `json_name` taken out as protox does.
        let mut list = self.compact_list(field.options());
        let default_option = self.take_option(&mut list, "default");
        let json_option = self.take_option(&mut list, "json_name");

        if default_option.is_some()
            && (matches!(field, FieldRef::Map(_))
                || matches!(label, Some((Label::Repeated, _)))
                || self.proto3)
        {
            return None;
        }

        let name;
        let r#type;
        let type_name;
        let flabel;
        let mut default_value = None;
        match field {
            FieldRef::Normal(d) => {
                let (ty, ty_span) = self.ty(&d.field_type)?;
                match ty {
                    Ty::Named(ty_name) => {
                        name = name_text.to_string();
                        flabel = self.field_label(label, scope)?;
                        r#type = None;
                        type_name = Some(ty_name);
                        let comments = self.comments(field.first(), field.comment_end())?;
                        self.add_comments(span, comments);
                        self.add_span_for(&[tag::field::TYPE_NAME], ty_span);
                        if let Some(o) = default_option {
                            let v = self.opt_value(&o.value)?;
                            default_value = Some(v.to_token_string());
                            self.add_span_for(&[tag::field::DEFAULT_VALUE], v.span());
                        }
                    }
                    Ty::Scalar(t) => {
                        name = name_text.to_string();
                        flabel = self.field_label(label, scope)?;
                        r#type = Some(t);
                        type_name = None;
                        if let Some(o) = default_option {
                            let v = self.opt_value(&o.value)?;
                            self.add_span_for(&[tag::field::DEFAULT_VALUE], v.span());
                            default_value = Some(default_for(t, &v)?);
                        }
                        let comments = self.comments(field.first(), field.comment_end())?;
                        self.add_comments(span, comments);
                        self.add_span_for(&[tag::field::TYPE], ty_span);
                    }
                }
            }
            FieldRef::Group(d) => {
                name = name_text.to_ascii_lowercase();
                flabel = self.field_label(label, scope)?;
                r#type = Some(Type::Group);
                type_name = Some(name_text.to_string());
                if self.proto3 || default_option.is_some() {
                    return None;
                }
                self.add_span(span);
                self.add_span_for(&[tag::field::TYPE], self.sp(d.keyword));
                self.add_span_for(&[tag::field::TYPE_NAME], self.sp(d.name));

                self.pop_path(2);
                self.path.extend([message_tag, idx(messages.len())]);
                let comments = self.comments(field.first(), field.comment_end())?;
                self.add_comments(span, comments);
                self.add_span_for(&[tag::message::NAME], self.sp(d.name));
                let body = self.message_body(&d.body)?;
                messages.push(DescriptorProto {
                    name: type_name.clone(),
                    ..body
                });
                self.pop_path(2);
                self.path.extend([field_tag, idx(field_index)]);
            }
            FieldRef::Map(d) => {
                name = name_text.to_string();
                flabel = Some(field_descriptor_proto::Label::Repeated);
                r#type = Some(Type::Message);
                type_name = Some(to_pascal_case(&name) + "Entry");
                if scope != Scope::Message || label.is_some() {
                    return None;
                }
                let comments = self.comments(field.first(), field.comment_end())?;
                self.add_comments(span, comments);
                self.add_span_for(&[tag::field::TYPE_NAME], self.span2(d.keyword, d.close));
                let (key_ty, _) = self.ty(&d.key_type)?;
                let (value_ty, _) = self.ty(&d.value_type)?;
                let key_type = match key_ty {
                    Ty::Scalar(t @ (Type::Double | Type::Float | Type::Bytes)) => {
                        let _ = t;
                        return None;
                    }
                    Ty::Scalar(t) => t,
                    Ty::Named(_) => return None,
                };
                let (value_type, value_type_name) = match value_ty {
                    Ty::Scalar(t) => (Some(t as i32), None),
                    Ty::Named(n) => (None, Some(n)),
                };
                messages.push(DescriptorProto {
                    name: type_name.clone(),
                    field: vec![
                        FieldDescriptorProto {
                            name: Some("key".to_owned()),
                            json_name: Some("key".to_owned()),
                            label: Some(field_descriptor_proto::Label::Optional as _),
                            number: Some(1),
                            r#type: Some(key_type as i32),
                            ..Default::default()
                        },
                        FieldDescriptorProto {
                            name: Some("value".to_owned()),
                            json_name: Some("value".to_owned()),
                            label: Some(field_descriptor_proto::Label::Optional as _),
                            number: Some(2),
                            r#type: value_type,
                            type_name: value_type_name,
                            ..Default::default()
                        },
                    ],
                    options: Some(MessageOptions {
                        map_entry: Some(true),
                        ..Default::default()
                    }),
                    ..Default::default()
                });
            }
        }

        let json_name = if let Some(o) = json_option {
            let (_, ospan, v) = self.option_body(o)?;
            self.add_span_for(&[tag::field::JSON_NAME], ospan);
            self.add_span_for(&[tag::field::JSON_NAME], v.span());
            match v {
                OptValue::Str { value, .. } => Some(String::from_utf8(value).ok()?),
                _ => return None,
            }
        } else {
            None
        };

        self.path.push(tag::field::OPTIONS);
        let options = self.generate_options_list(list)?;
        self.pop_path(3);

        Some(FieldDescriptorProto {
            name: Some(name),
            number: Some(number),
            label: flabel.map(|l| l as _),
            r#type: r#type.map(|t| t as _),
            type_name,
            extendee: None,
            default_value,
            oneof_index,
            json_name,
            options: options.map(|uninterpreted_option| FieldOptions {
                uninterpreted_option,
                ..Default::default()
            }),
            proto3_optional,
        })
    }

    fn oneof(
        &mut self,
        o: &OneofDecl,
        oneof_index: usize,
        messages: &mut Vec<DescriptorProto>,
        fields: &mut Vec<FieldDescriptorProto>,
    ) -> Option<OneofDescriptorProto> {
        self.path
            .extend([tag::message::ONEOF_DECL, idx(oneof_index)]);
        let comments = self.comments(o.keyword, o.body.open)?;
        self.add_comments(self.span2(o.keyword, o.body.close), comments);
        self.add_span_for(&[tag::oneof::NAME], self.sp(o.name));

        let mut options = Vec::new();
        let mut members = Vec::new();
        for decl in &o.body.decls {
            match decl {
                Decl::Option(opt) => options.push(opt),
                Decl::Field(d) => members.push(FieldRef::Normal(d)),
                Decl::MapField(d) => members.push(FieldRef::Map(d)),
                Decl::Group(d) => members.push(FieldRef::Group(d)),
                Decl::Empty(_) => {}
                _ => return None,
            }
        }
        let options = self.generate_options(tag::oneof::OPTIONS, &options)?;
        self.pop_path(2);

        if members.is_empty() {
            return None;
        }
        for member in members {
            self.check_field(member)?;
            let fd = self.field(
                member,
                fields.len(),
                tag::message::FIELD,
                tag::message::NESTED_TYPE,
                messages,
                None,
                &mut Vec::new(),
                Scope::Oneof,
            )?;
            fields.push(FieldDescriptorProto {
                oneof_index: Some(idx(oneof_index)),
                ..fd
            });
        }

        Some(OneofDescriptorProto {
            name: Some(self.text(o.name).to_string()),
            options: options.map(|uninterpreted_option| OneofOptions {
                uninterpreted_option,
            }),
        })
    }

    fn extend(
        &mut self,
        x: &ExtendDecl,
        extension_tag: i32,
        extensions: &mut Vec<FieldDescriptorProto>,
        message_tag: i32,
        messages: &mut Vec<DescriptorProto>,
    ) -> Option<()> {
        self.path.push(extension_tag);
        let comments = self.comments(x.keyword, x.body.open)?;
        self.add_comments(self.span2(x.keyword, x.body.close), comments);
        self.path.pop();

        let extendee = self.qual_text(&x.extendee);
        let extendee_span = self.qual_span(&x.extendee);
        for decl in &x.body.decls {
            let member = match decl {
                Decl::Field(d) => FieldRef::Normal(d),
                Decl::MapField(d) => FieldRef::Map(d),
                Decl::Group(d) => FieldRef::Group(d),
                Decl::Empty(_) => continue,
                _ => return None,
            };
            self.check_field(member)?;
            self.path.extend([extension_tag, idx(extensions.len())]);
            self.add_span_for(&[tag::field::EXTENDEE], extendee_span);
            self.pop_path(2);
            let fd = self.field(
                member,
                extensions.len(),
                extension_tag,
                message_tag,
                messages,
                None,
                &mut Vec::new(),
                Scope::Extend,
            )?;
            extensions.push(FieldDescriptorProto {
                extendee: Some(extendee.clone()),
                ..fd
            });
        }
        Some(())
    }

    // ---- enums ----

    fn enum_(&mut self, e: &EnumDecl) -> Option<EnumDescriptorProto> {
        if e.visibility.is_some() {
            return None;
        }
        let comments = self.comments(e.keyword, e.body.open)?;
        self.add_comments(self.span2(e.keyword, e.body.close), comments);
        self.add_span_for(&[tag::enum_::NAME], self.sp(e.name));

        let mut value = Vec::new();
        let mut reserved_range = Vec::new();
        let mut reserved_name = Vec::new();
        let mut options = Vec::new();
        let mut reserved = Vec::new();
        for decl in &e.body.decls {
            match decl {
                Decl::EnumValue(v) => {
                    let vname = self.text(v.name);
                    if vname == "option" || vname == "reserved" {
                        return None;
                    }
                    self.path.extend([tag::enum_::VALUE, idx(value.len())]);
                    let comments = self.comments(v.name, v.semicolon)?;
                    self.add_comments(self.span2(v.name, v.semicolon), comments);
                    self.add_span_for(&[tag::enum_value::NAME], self.sp(v.name));
                    let int = self.int_value(&v.number)?;
                    self.add_span_for(&[tag::enum_value::NUMBER], int.span);
                    let number = int.as_i32()?;
                    self.path.push(tag::enum_value::OPTIONS);
                    let list = self.compact_list(v.options.as_ref());
                    let opts = self.generate_options_list(list)?;
                    self.path.pop();
                    value.push(EnumValueDescriptorProto {
                        name: Some(vname.to_string()),
                        number: Some(number),
                        options: opts.map(|uninterpreted_option| EnumValueOptions {
                            uninterpreted_option,
                            ..Default::default()
                        }),
                    });
                    self.pop_path(2);
                }
                Decl::Option(o) => options.push(o),
                Decl::Reserved(r) => reserved.push(r),
                Decl::Empty(_) => {}
                _ => return None,
            }
        }

        for r in reserved {
            let span = self.span2(r.keyword, r.semicolon);
            let comments = self.comments(r.keyword, r.semicolon)?;
            match self.reserved_kind(r)? {
                Ok(ranges) => {
                    self.path.push(tag::enum_::RESERVED_RANGE);
                    self.add_comments(span, comments);
                    for range in ranges {
                        self.path.push(idx(reserved_range.len()));
                        let (start, end, start_span, end_span) = self.range(range)?;
                        self.add_span(join(start_span, end_span));
                        self.add_span_for(&[tag::message::range::START], start_span);
                        self.add_span_for(&[tag::message::range::END], end_span);
                        let start = start.as_i32()?;
                        let end = match end {
                            None => start,
                            Some(Ok(int)) => int.as_i32()?,
                            Some(Err(_)) => i32::MAX,
                        };
                        reserved_range.push(enum_descriptor_proto::EnumReservedRange {
                            start: Some(start),
                            end: Some(end),
                        });
                        self.path.pop();
                    }
                    self.path.pop();
                }
                Err(names) => {
                    self.path.push(tag::enum_::RESERVED_NAME);
                    self.add_comments(span, comments);
                    self.reserved_names(&names, &mut reserved_name)?;
                    self.path.pop();
                }
            }
        }

        let options = self.generate_options(tag::enum_::OPTIONS, &options)?;

        Some(EnumDescriptorProto {
            name: Some(self.text(e.name).to_string()),
            value,
            options: options.map(|uninterpreted_option| EnumOptions {
                uninterpreted_option,
                ..Default::default()
            }),
            reserved_range,
            reserved_name,
        })
    }

    // ---- services ----

    fn service(&mut self, s: &ServiceDecl) -> Option<ServiceDescriptorProto> {
        let comments = self.comments(s.keyword, s.body.open)?;
        self.add_comments(self.span2(s.keyword, s.body.close), comments);
        self.add_span_for(&[tag::service::NAME], self.sp(s.name));
        let mut method = Vec::new();
        let mut options = Vec::new();
        self.path.push(tag::service::METHOD);
        for decl in &s.body.decls {
            match decl {
                Decl::Rpc(r) => {
                    self.path.push(idx(method.len()));
                    method.push(self.method(r)?);
                    self.path.pop();
                }
                Decl::Option(o) => options.push(o),
                Decl::Empty(_) => {}
                _ => return None,
            }
        }
        self.path.pop();

        let options = self.generate_options(tag::service::OPTIONS, &options)?;

        Some(ServiceDescriptorProto {
            name: Some(self.text(s.name).to_string()),
            method,
            options: options.map(|uninterpreted_option| ServiceOptions {
                uninterpreted_option,
                ..Default::default()
            }),
        })
    }

    fn method(&mut self, r: &RpcDecl) -> Option<MethodDescriptorProto> {
        let last = match (&r.body, r.semicolon) {
            (Some(body), None) => body.close,
            (None, Some(semicolon)) => semicolon,
            _ => return None,
        };
        for t in [&r.input, &r.output] {
            if t.stream.is_none() && self.text(t.message_type.tokens[0]) == "stream" {
                return None;
            }
        }
        let comments = self.comments(r.keyword, last)?;
        self.add_comments(self.span2(r.keyword, last), comments);
        self.add_span_for(&[tag::method::NAME], self.sp(r.name));
        self.add_span_for(
            &[tag::method::INPUT_TYPE],
            self.qual_span(&r.input.message_type),
        );
        let input_type = self.qual_text(&r.input.message_type);
        self.add_span_for(
            &[tag::method::OUTPUT_TYPE],
            self.qual_span(&r.output.message_type),
        );
        let output_type = self.qual_text(&r.output.message_type);
        let client_streaming = r.input.stream.map(|_| true);
        if let Some(t) = r.input.stream {
            self.add_span_for(&[tag::method::CLIENT_STREAMING], self.sp(t));
        }
        let server_streaming = r.output.stream.map(|_| true);
        if let Some(t) = r.output.stream {
            self.add_span_for(&[tag::method::SERVER_STREAMING], self.sp(t));
        }
        let mut options = Vec::new();
        if let Some(body) = &r.body {
            for decl in &body.decls {
                match decl {
                    Decl::Option(o) => options.push(o),
                    Decl::Empty(_) => {}
                    _ => return None,
                }
            }
        }
        let options = self.generate_options(tag::method::OPTIONS, &options)?;

        Some(MethodDescriptorProto {
            name: Some(self.text(r.name).to_string()),
            input_type: Some(input_type),
            output_type: Some(output_type),
            options: options.map(|uninterpreted_option| MethodOptions {
                uninterpreted_option,
                ..Default::default()
            }),
            client_streaming,
            server_streaming,
        })
    }
}

/// protox's `generate_field_default_value` for scalar types; `None` where protox errors.
fn default_for(ty: field_descriptor_proto::Type, value: &OptValue) -> Option<String> {
    use field_descriptor_proto::Type;
    match (ty, value) {
        (Type::Double | Type::Float, value) => {
            let float = value.as_f64()?;
            let mut string = float.to_string();
            string.make_ascii_lowercase();
            Some(string)
        }
        (Type::Int64 | Type::Sfixed64 | Type::Sint64, OptValue::Int(int)) => {
            Some(int.as_i64()?.to_string())
        }
        (Type::Int32 | Type::Sfixed32 | Type::Sint32, OptValue::Int(int)) => {
            Some(int.as_i32()?.to_string())
        }
        (Type::Uint64 | Type::Fixed64, OptValue::Int(int)) => Some(int.as_u64()?.to_string()),
        (Type::Uint32 | Type::Fixed32, OptValue::Int(int)) => Some(int.as_u32()?.to_string()),
        (Type::Bool, value) => Some(value.as_bool()?.to_string()),
        (Type::String, OptValue::Str { value, .. }) => String::from_utf8(value.clone()).ok(),
        (Type::Bytes, OptValue::Str { value, .. }) => Some(escape_string(value)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use prost::Message as _;

    use super::*;

    /// Lowered as protox parses it; without source info, the same less its `SourceCodeInfo`.
    fn same(text: &str) {
        let ours = lower("t.proto", text, Locations::All).expect("lowered");
        let mut theirs = protox_parse::parse("t.proto", text).expect("protox parses");
        assert_eq!(ours, theirs);
        assert_eq!(ours.encode_to_vec(), theirs.encode_to_vec());
        // The locations `keep` keeps, without comments.
        let uncommented = |keep: fn(&Location) -> bool| -> Vec<Location> {
            let all = &ours
                .source_code_info
                .as_ref()
                .expect("source info")
                .location;
            all.iter()
                .filter(|l| keep(l))
                .map(|l| Location {
                    path: l.path.clone(),
                    span: l.span.clone(),
                    ..Location::default()
                })
                .collect()
        };
        let options = lower("t.proto", text, Locations::OfOptions).expect("lowered");
        let of_options = uncommented(|l| l.path.contains(&UNINTERPRETED_OPTION));
        assert!(!of_options.is_empty());
        assert_eq!(
            options
                .source_code_info
                .map(|i| i.location)
                .unwrap_or_default(),
            of_options
        );
        let without_comments = lower("t.proto", text, Locations::WithoutComments).expect("lowered");
        assert_eq!(
            without_comments.source_code_info.map(|i| i.location),
            Some(uncommented(|_| true))
        );
        let bare = lower("t.proto", text, Locations::None).expect("lowered without source info");
        theirs.source_code_info = None;
        assert_eq!(bare, theirs);
    }

    #[test]
    fn matches_protox_on_a_varied_file() {
        same(
            "// detached\n\n// lead\nsyntax = \"proto3\"; // trail\n\npackage a.b;\nimport public \"x.proto\";\nimport weak 'y.proto';\n\
option java_package = \"p\";\noption (x.y).z = -5;\n/* block */\nmessage M { // m\n  // f\n  optional int32 a = 1 [json_name = \"A\", deprecated = true];\n\
  map<string, .a.M> m = 2;\n  oneof o { string s = 3; bytes b = 4 [(e) = { a: 1 b: \"x\" c: [1, 2] }]; }\n  reserved 5, 7 to 9, 100 to max;\n  reserved \"x\", \"y\";\n\
  enum E { option allow_alias = true; Z = 0; A = -1 [(v) = 1.5]; reserved 3 to 4; }\n  repeated M n = 6; /* t */\n}\n\
service S { rpc R (stream M) returns (.a.M); rpc Q(M) returns (stream M) { option deprecated = true; } }\n\
extend google.protobuf.FieldOptions { optional int32 ext = 1000; }\n",
        );
    }

    #[test]
    fn matches_protox_on_proto2_groups_and_defaults() {
        same(
            "syntax = \"proto2\";\nmessage M {\n  optional group G = 1 { optional int32 x = 1 [default = -0x10]; }\n\
  optional double d = 2 [default = -inf];\n  optional bytes b = 3 [default = \"a\\001\\n'\"];\n  optional string s = 4 [default = \"\\u00e9\"];\n\
  optional M m = 5 [default = foo];\n  extensions 100 to 200, 300 to 400 [(v) = 1];\n  extensions 500;\n  option message_set_wire_format = false;\n  required float f = 6 [default = 1e3];\n}\n",
        );
    }

    #[test]
    fn falls_back_where_protox_rejects() {
        for text in [
            "syntax = \"proto3\";\nmessage M { int32 a = 0; }",
            "syntax = \"proto3\";\nmessage M { int32 a = 1 [default = 1]; }",
            "syntax = \"proto2\";\nmessage M { int32 a = 1; }",
            "syntax = \"proto3\";\nmessage M { reserved foo; }",
            "syntax = \"proto3\";\nmessage M { oneof o {} }",
            "syntax = \"proto3\";\nmessage M { map<float, int32> m = 1; }",
            "syntax = \"proto3\";\noption a = +1;",
            "syntax = \"proto3\";\n/* a /* b */\nmessage M {}",
            "syntax = \"proto3\";\noption a = \"\\q\";",
            "syntax = \"proto3\";\nimport \"../x.proto\";",
            "syntax = \"proto3\";\nmessage M { message m = 1; }",
            "edition = \"2023\";\nmessage M {}",
        ] {
            for locations in [
                Locations::All,
                Locations::WithoutComments,
                Locations::OfOptions,
                Locations::None,
            ] {
                assert!(lower("t.proto", text, locations).is_none(), "{text}");
            }
        }
    }
}
