//! A lossless front end for `.proto` files (proto2, proto3, editions 2023/2024).
//!
//! [`parse`] turns source text into a [`File`]: the token list (every token with its byte span,
//! the whitespace before it and the comments attributed to it) plus a syntax tree whose nodes
//! refer to tokens by [`TokenId`]. Nothing is dropped, so the tree can be printed back
//! (the formatter) or lowered to a `FileDescriptorProto` with `SourceCodeInfo` (names, numbers
//! and types keep their token ids; comments hang off the first and last token of a declaration).

mod ast;
mod lexer;
pub mod outline;
mod parser;

pub use ast::*;

/// A byte range `[start, end)` in the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span {
            start: start as u32,
            end: end as u32,
        }
    }
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
    pub fn is_empty(self) -> bool {
        self.start == self.end
    }
}

/// Index of a token in [`File::tokens`].
pub type TokenId = u32;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// Identifiers and keywords (keywords are contextual in protobuf).
    Ident,
    Int,
    Float,
    /// A single string literal, quotes and escapes included.
    Str,
    /// One punctuation byte: `; , . : = - + ( ) { } [ ] < > /`.
    Sym(u8),
    Eof,
}

#[derive(Debug, Clone, Copy)]
pub struct Token {
    pub kind: TokenKind,
    pub span: Span,
    /// 0-based line of the first byte, and of the last byte.
    pub line: u32,
    pub end_line: u32,
    /// The whitespace right before this token (after its last leading comment, if any).
    pub ws_before: Span,
    /// Comments before this token that belong to it: a range of [`File::comments`].
    pub leading: (u32, u32),
    /// Comments after this token, on its line, that belong to it.
    pub trailing: (u32, u32),
}

#[derive(Debug, Clone, Copy)]
pub struct Comment {
    /// `// ...` (without the newline) or `/* ... */`.
    pub span: Span,
    /// The whitespace right before the comment.
    pub ws_before: Span,
    pub line: u32,
    pub end_line: u32,
}

/// A syntax error: where and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub span: Span,
    pub message: String,
}

impl std::fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SyntaxError {}

/// A parsed file: source, tokens, comments and the syntax tree.
#[derive(Debug, Clone)]
pub struct File {
    pub source: String,
    pub tokens: Vec<Token>,
    pub comments: Vec<Comment>,
    /// `syntax = "..."` or `edition = "..."`, when present.
    pub syntax: Option<SyntaxDecl>,
    pub decls: Vec<Decl>,
    /// The end-of-file token (holds the comments after the last declaration).
    pub eof: TokenId,
}

impl File {
    pub fn token(&self, id: TokenId) -> &Token {
        &self.tokens[id as usize]
    }
    /// The source text of a token.
    pub fn text(&self, id: TokenId) -> &str {
        &self.source[self.tokens[id as usize].span.range()]
    }
    pub fn comment_text(&self, c: &Comment) -> &str {
        &self.source[c.span.range()]
    }
    pub fn leading_comments(&self, id: TokenId) -> &[Comment] {
        let (a, b) = self.tokens[id as usize].leading;
        &self.comments[a as usize..b as usize]
    }
    pub fn trailing_comments(&self, id: TokenId) -> &[Comment] {
        let (a, b) = self.tokens[id as usize].trailing;
        &self.comments[a as usize..b as usize]
    }
    pub fn ws_before(&self, id: TokenId) -> &str {
        &self.source[self.tokens[id as usize].ws_before.range()]
    }
    /// The value of adjacent string literals (`"a" 'b'`), escapes decoded; invalid UTF-8 is
    /// replaced (as protoc's string options are read elsewhere).
    pub fn string_value(&self, value: &StringValue) -> String {
        let mut bytes = Vec::new();
        for &part in &value.parts {
            let literal = self.text(part);
            let inner = literal
                .get(1..literal.len().saturating_sub(1))
                .unwrap_or("");
            unescape(inner, &mut bytes);
        }
        String::from_utf8_lossy(&bytes).into_owned()
    }

    /// 0-based (line, column in bytes) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        line_col(&self.source, offset)
    }
}

/// 0-based (line, column) of a byte offset; the column counts characters.
pub fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(source.len());
    let before = &source.as_bytes()[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count();
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map(|p| p + 1)
        .unwrap_or(0);
    let col = source
        .get(line_start..offset)
        .map(|s| s.chars().count())
        .unwrap_or(offset - line_start);
    (line, col)
}

/// Parses a `.proto` source. The first syntax error stops the parse.
pub fn parse(source: &str) -> Result<File, SyntaxError> {
    let lexed = lexer::lex(source)?;
    parser::parse(source, lexed)
}

/// Up to `max` digits of `radix` from `chars`: their value and how many there were.
fn digits(
    chars: &mut std::iter::Peekable<std::str::Chars>,
    radix: u32,
    max: usize,
) -> (u32, usize) {
    let mut value = 0u32;
    let mut n = 0;
    while n < max {
        match chars.peek().and_then(|c| c.to_digit(radix)) {
            Some(d) => {
                value = value * radix + d;
                chars.next();
                n += 1;
            }
            None => break,
        }
    }
    (value, n)
}

/// Decodes protobuf string escapes (`\n`, `\"`, `\101`, `\x41`, `\u00e9`, ...) into `out`.
pub(crate) fn unescape(s: &str, out: &mut Vec<u8>) {
    if !s.as_bytes().contains(&b'\\') {
        // Nothing escaped (most strings): the bytes as they are.
        out.extend_from_slice(s.as_bytes());
        return;
    }
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            let mut buf = [0; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            continue;
        }
        let Some(e) = chars.next() else { break };
        match e {
            'a' => out.push(0x07),
            'b' => out.push(0x08),
            'f' => out.push(0x0c),
            'n' => out.push(b'\n'),
            'r' => out.push(b'\r'),
            't' => out.push(b'\t'),
            'v' => out.push(0x0b),
            'x' | 'X' => out.push(digits(&mut chars, 16, 2).0 as u8),
            'u' | 'U' => {
                let (code, _) = digits(&mut chars, 16, if e == 'u' { 4 } else { 8 });
                let c = char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER);
                let mut buf = [0; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
            '0'..='7' => {
                let mut value = e.to_digit(8).unwrap_or(0);
                let (rest, n) = digits(&mut chars, 8, 2);
                if n > 0 {
                    value = value * 8u32.pow(n as u32) + rest;
                }
                out.push(value as u8);
            }
            other => {
                let mut buf = [0; 4];
                out.extend_from_slice(other.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_escapes_decode() {
        let mut out = Vec::new();
        unescape(r#"a\n\"b\101\x42\u00e9\\\0"#, &mut out);
        assert_eq!(out, "a\n\"bAB\u{e9}\\\0".as_bytes());
    }

    #[test]
    fn adjacent_literals_are_one_value() {
        let tree = parse("import \"a/\" 'b.proto';").expect("parses");
        let Some(Decl::Import(import)) = tree.decls.first() else {
            panic!("an import");
        };
        assert_eq!(tree.string_value(&import.path), "a/b.proto");
    }
}
