//! Syntax tree nodes. Every node keeps the ids of its tokens, so spans and comments of names,
//! numbers, types and punctuation stay reachable.

use super::TokenId;

/// `syntax = "proto3";` or `edition = "2023";`.
#[derive(Debug, Clone)]
pub struct SyntaxDecl {
    /// `syntax` or `edition`.
    pub keyword: TokenId,
    pub is_edition: bool,
    pub equals: TokenId,
    pub value: StringValue,
    pub semicolon: Option<TokenId>,
}

/// One or more adjacent string literals (`"a" "b"` is one value).
#[derive(Debug, Clone)]
pub struct StringValue {
    pub parts: Vec<TokenId>,
}

/// A dotted name as written: identifiers and dots, maybe a leading dot (`.foo.Bar`).
#[derive(Debug, Clone)]
pub struct QualName {
    /// Identifier and `.` tokens in order.
    pub tokens: Vec<TokenId>,
}

#[derive(Debug, Clone)]
pub enum Decl {
    Package(PackageDecl),
    Import(ImportDecl),
    Option(OptionDecl),
    Message(MessageDecl),
    Enum(EnumDecl),
    Service(ServiceDecl),
    Extend(ExtendDecl),
    Field(FieldDecl),
    MapField(MapFieldDecl),
    Group(GroupDecl),
    Oneof(OneofDecl),
    ExtensionRange(ExtensionRangeDecl),
    Reserved(ReservedDecl),
    EnumValue(EnumValueDecl),
    Rpc(RpcDecl),
    /// A lone `;`.
    Empty(TokenId),
}

#[derive(Debug, Clone)]
pub struct PackageDecl {
    pub keyword: TokenId,
    pub name: QualName,
    pub semicolon: TokenId,
}

#[derive(Debug, Clone)]
pub struct ImportDecl {
    pub keyword: TokenId,
    /// `public`, `weak` or (edition 2024) `option`.
    pub modifier: Option<TokenId>,
    pub path: StringValue,
    pub semicolon: TokenId,
}

/// `option name = value;` or, inside `[...]`, `name = value` (no keyword, no semicolon).
#[derive(Debug, Clone)]
pub struct OptionDecl {
    pub keyword: Option<TokenId>,
    pub name: OptionName,
    pub equals: TokenId,
    pub value: Value,
    pub semicolon: Option<TokenId>,
}

/// An option name: `a.b`, `(ext.name).sub`, `features.(pb.cpp).x`.
#[derive(Debug, Clone)]
pub struct OptionName {
    /// All tokens of the name in order (identifiers, dots, parentheses).
    pub tokens: Vec<TokenId>,
}

/// `[a = 1, (b) = 2]` after a field, enum value, extension range.
#[derive(Debug, Clone)]
pub struct CompactOptions {
    pub open: TokenId,
    pub options: Vec<OptionDecl>,
    /// Commas between options (`options.len() - 1`, or as many as written).
    pub commas: Vec<TokenId>,
    pub close: TokenId,
}

#[derive(Debug, Clone)]
pub enum Value {
    /// An identifier, number, `true`, `inf`, ...: one token.
    Scalar(TokenId),
    /// `-1`, `+inf`, `-  /* c */ 2`.
    Signed {
        sign: TokenId,
        value: TokenId,
    },
    Strings(StringValue),
    Message(MessageLiteral),
    Array(ArrayLiteral),
}

/// `{ a: 1 b: [..] }` or `< ... >`.
#[derive(Debug, Clone)]
pub struct MessageLiteral {
    pub open: TokenId,
    pub fields: Vec<LiteralField>,
    /// The optional `,` or `;` after each field.
    pub separators: Vec<Option<TokenId>>,
    pub close: TokenId,
}

#[derive(Debug, Clone)]
pub struct LiteralField {
    /// `name`, `[ext.name]` or `[type.googleapis.com/pkg.Msg]`: all tokens.
    pub name: Vec<TokenId>,
    pub colon: Option<TokenId>,
    pub value: Value,
}

#[derive(Debug, Clone)]
pub struct ArrayLiteral {
    pub open: TokenId,
    pub elements: Vec<Value>,
    pub commas: Vec<TokenId>,
    pub close: TokenId,
}

/// `{ ... }` of a message, enum, service, oneof, extend, group or rpc.
#[derive(Debug, Clone)]
pub struct Body {
    pub open: TokenId,
    pub decls: Vec<Decl>,
    pub close: TokenId,
}

#[derive(Debug, Clone)]
pub struct MessageDecl {
    /// `export` / `local` (edition 2024).
    pub visibility: Option<TokenId>,
    pub keyword: TokenId,
    pub name: TokenId,
    pub body: Body,
}

#[derive(Debug, Clone)]
pub struct EnumDecl {
    pub visibility: Option<TokenId>,
    pub keyword: TokenId,
    pub name: TokenId,
    pub body: Body,
}

#[derive(Debug, Clone)]
pub struct ServiceDecl {
    pub keyword: TokenId,
    pub name: TokenId,
    pub body: Body,
}

#[derive(Debug, Clone)]
pub struct ExtendDecl {
    pub keyword: TokenId,
    pub extendee: QualName,
    pub body: Body,
}

#[derive(Debug, Clone)]
pub struct FieldDecl {
    /// `optional`, `required`, `repeated`.
    pub label: Option<TokenId>,
    pub field_type: QualName,
    pub name: TokenId,
    pub equals: TokenId,
    pub number: TokenId,
    pub options: Option<CompactOptions>,
    pub semicolon: TokenId,
}

#[derive(Debug, Clone)]
pub struct MapFieldDecl {
    pub keyword: TokenId,
    pub open: TokenId,
    pub key_type: QualName,
    pub comma: TokenId,
    pub value_type: QualName,
    pub close: TokenId,
    pub name: TokenId,
    pub equals: TokenId,
    pub number: TokenId,
    pub options: Option<CompactOptions>,
    pub semicolon: TokenId,
}

#[derive(Debug, Clone)]
pub struct GroupDecl {
    pub label: Option<TokenId>,
    pub keyword: TokenId,
    pub name: TokenId,
    pub equals: TokenId,
    pub number: TokenId,
    pub options: Option<CompactOptions>,
    pub body: Body,
}

#[derive(Debug, Clone)]
pub struct OneofDecl {
    pub keyword: TokenId,
    pub name: TokenId,
    pub body: Body,
}

/// `1`, `1 to 5`, `10 to max` (numbers may be negative in enums).
#[derive(Debug, Clone)]
pub struct RangeExpr {
    pub start: Value,
    pub to: Option<TokenId>,
    /// A number or the `max` keyword.
    pub end: Option<Value>,
}

#[derive(Debug, Clone)]
pub struct ExtensionRangeDecl {
    pub keyword: TokenId,
    pub ranges: Vec<RangeExpr>,
    pub commas: Vec<TokenId>,
    pub options: Option<CompactOptions>,
    pub semicolon: TokenId,
}

#[derive(Debug, Clone)]
pub enum ReservedItem {
    Range(RangeExpr),
    /// `"foo"` (proto2/proto3).
    Name(StringValue),
    /// `foo` (editions).
    Ident(TokenId),
}

#[derive(Debug, Clone)]
pub struct ReservedDecl {
    pub keyword: TokenId,
    pub items: Vec<ReservedItem>,
    pub commas: Vec<TokenId>,
    pub semicolon: TokenId,
}

#[derive(Debug, Clone)]
pub struct EnumValueDecl {
    pub name: TokenId,
    pub equals: TokenId,
    /// A (possibly negative) integer.
    pub number: Value,
    pub options: Option<CompactOptions>,
    pub semicolon: TokenId,
}

/// `(stream pkg.Msg)`.
#[derive(Debug, Clone)]
pub struct RpcType {
    pub open: TokenId,
    pub stream: Option<TokenId>,
    pub message_type: QualName,
    pub close: TokenId,
}

#[derive(Debug, Clone)]
pub struct RpcDecl {
    pub keyword: TokenId,
    pub name: TokenId,
    pub input: RpcType,
    pub returns: TokenId,
    pub output: RpcType,
    /// `{ option ...; }` or, when absent, a `;`.
    pub body: Option<Body>,
    pub semicolon: Option<TokenId>,
}

impl Value {
    pub fn first_token(&self) -> TokenId {
        match self {
            Value::Scalar(t) => *t,
            Value::Signed { sign, .. } => *sign,
            Value::Strings(s) => s.parts[0],
            Value::Message(m) => m.open,
            Value::Array(a) => a.open,
        }
    }
    pub fn last_token(&self) -> TokenId {
        match self {
            Value::Scalar(t) => *t,
            Value::Signed { value, .. } => *value,
            Value::Strings(s) => *s.parts.last().unwrap_or(&0),
            Value::Message(m) => m.close,
            Value::Array(a) => a.close,
        }
    }
}

impl Decl {
    /// The first token of the declaration (where its leading comments hang).
    pub fn first_token(&self) -> TokenId {
        match self {
            Decl::Package(d) => d.keyword,
            Decl::Import(d) => d.keyword,
            Decl::Option(d) => d.keyword.unwrap_or(d.name.tokens[0]),
            Decl::Message(d) => d.visibility.unwrap_or(d.keyword),
            Decl::Enum(d) => d.visibility.unwrap_or(d.keyword),
            Decl::Service(d) => d.keyword,
            Decl::Extend(d) => d.keyword,
            Decl::Field(d) => d.label.unwrap_or(d.field_type.tokens[0]),
            Decl::MapField(d) => d.keyword,
            Decl::Group(d) => d.label.unwrap_or(d.keyword),
            Decl::Oneof(d) => d.keyword,
            Decl::ExtensionRange(d) => d.keyword,
            Decl::Reserved(d) => d.keyword,
            Decl::EnumValue(d) => d.name,
            Decl::Rpc(d) => d.keyword,
            Decl::Empty(t) => *t,
        }
    }
}
