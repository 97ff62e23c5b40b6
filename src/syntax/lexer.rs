//! Lossless lexer: every byte of the source belongs to a token, a comment or whitespace.
//!
//! Comments are attributed to tokens as they are lexed: comments that start on the line where the
//! previous token ends are that token's *trailing* comments (unless the previous token opens a
//! bracket and the comment is followed by more code on the same line); every other comment is a
//! *leading* comment of the next token (the end-of-file token collects what is left).

use super::{Comment, Span, SyntaxError, Token, TokenKind};

pub(crate) struct Lexed {
    pub tokens: Vec<Token>,
    pub comments: Vec<Comment>,
}

struct Lexer<'a> {
    src: &'a [u8],
    pos: usize,
    line: u32,
}

impl<'a> Lexer<'a> {
    fn peek(&self, off: usize) -> u8 {
        self.src.get(self.pos + off).copied().unwrap_or(0)
    }
}

fn err(start: usize, end: usize, message: impl Into<String>) -> SyntaxError {
    SyntaxError {
        span: Span::new(start, end),
        message: message.into(),
    }
}

/// Raw lexing: tokens and comments in source order, then comment attribution.
pub(crate) fn lex(source: &str) -> Result<Lexed, SyntaxError> {
    let src = source.as_bytes();
    let mut lx = Lexer {
        src,
        pos: 0,
        line: 0,
    };
    // A UTF-8 byte order mark is skipped like whitespace.
    if src.starts_with(&[0xEF, 0xBB, 0xBF]) {
        lx.pos = 3;
    }
    let mut tokens: Vec<Token> = Vec::with_capacity(src.len() / 4);
    let mut comments: Vec<Comment> = Vec::new();
    // Comments seen since the last token (indexes into `comments`).
    let mut pending_start = 0u32;
    let mut ws_start = lx.pos;
    loop {
        // Whitespace.
        while lx.pos < src.len() {
            match src[lx.pos] {
                b'\n' => {
                    lx.line += 1;
                    lx.pos += 1;
                }
                b' ' | b'\t' | b'\r' | 0x0b | 0x0c => lx.pos += 1,
                _ => break,
            }
        }
        let start = lx.pos;
        if start >= src.len() {
            let tok = Token {
                kind: TokenKind::Eof,
                span: Span::new(start, start),
                line: lx.line,
                end_line: lx.line,
                ws_before: Span::new(ws_start, start),
                leading: (pending_start, pending_start),
                trailing: (0, 0),
            };
            attribute(&mut tokens, &mut comments, pending_start, tok);
            break;
        }
        let c = src[start];
        let start_line = lx.line;
        // Comments.
        if c == b'/' && lx.peek(1) == b'/' {
            while lx.pos < src.len() && src[lx.pos] != b'\n' {
                lx.pos += 1;
            }
            let mut end = lx.pos;
            if end > start && src[end - 1] == b'\r' {
                end -= 1;
            }
            comments.push(Comment {
                span: Span::new(start, end),
                ws_before: Span::new(ws_start, start),
                line: start_line,
                end_line: start_line,
            });
            ws_start = end;
            continue;
        }
        if c == b'/' && lx.peek(1) == b'*' {
            lx.pos += 2;
            loop {
                if lx.pos + 1 >= src.len() {
                    return Err(err(
                        start,
                        src.len(),
                        "block comment never terminates, unexpected EOF",
                    ));
                }
                if src[lx.pos] == b'*' && src[lx.pos + 1] == b'/' {
                    lx.pos += 2;
                    break;
                }
                if src[lx.pos] == b'\n' {
                    lx.line += 1;
                }
                lx.pos += 1;
            }
            comments.push(Comment {
                span: Span::new(start, lx.pos),
                ws_before: Span::new(ws_start, start),
                line: start_line,
                end_line: lx.line,
            });
            ws_start = lx.pos;
            continue;
        }
        let kind = if c == b'_' || c.is_ascii_alphabetic() {
            lx.pos += 1;
            while lx.pos < src.len() && (src[lx.pos] == b'_' || src[lx.pos].is_ascii_alphanumeric())
            {
                lx.pos += 1;
            }
            TokenKind::Ident
        } else if c.is_ascii_digit() || (c == b'.' && lx.peek(1).is_ascii_digit()) {
            lex_number(&mut lx)
        } else if c == b'"' || c == b'\'' {
            lx.pos += 1;
            loop {
                if lx.pos >= src.len() {
                    return Err(err(start, src.len(), "unexpected EOF in string literal"));
                }
                let b = src[lx.pos];
                if b == b'\n' {
                    return Err(err(
                        start,
                        lx.pos,
                        "encountered end-of-line before end of string literal",
                    ));
                }
                lx.pos += 1;
                if b == b'\\' {
                    if lx.pos < src.len() && src[lx.pos] != b'\n' {
                        lx.pos += 1;
                    }
                } else if b == c {
                    break;
                }
            }
            TokenKind::Str
        } else if b";,.:=-+(){}[]<>/".contains(&c) {
            lx.pos += 1;
            TokenKind::Sym(c)
        } else {
            let ch_len = source[start..]
                .chars()
                .next()
                .map(char::len_utf8)
                .unwrap_or(1);
            return Err(err(start, start + ch_len, "invalid character"));
        };
        let tok = Token {
            kind,
            span: Span::new(start, lx.pos),
            line: start_line,
            end_line: lx.line,
            ws_before: Span::new(ws_start, start),
            leading: (pending_start, pending_start),
            trailing: (0, 0),
        };
        attribute(&mut tokens, &mut comments, pending_start, tok);
        pending_start = comments.len() as u32;
        ws_start = lx.pos;
    }
    Ok(Lexed { tokens, comments })
}

fn lex_number(lx: &mut Lexer<'_>) -> TokenKind {
    let src = lx.src;
    let start = lx.pos;
    let mut allow_sign = false;
    while lx.pos < src.len() {
        let b = src[lx.pos];
        if (b == b'-' || b == b'+') && !allow_sign {
            break;
        }
        allow_sign = false;
        if !(b == b'.' || b == b'_' || b.is_ascii_alphanumeric() || b == b'-' || b == b'+') {
            break;
        }
        if (b == b'e' || b == b'E')
            && !(src[start..lx.pos].starts_with(b"0x") || src[start..lx.pos].starts_with(b"0X"))
        {
            allow_sign = true;
        }
        lx.pos += 1;
    }
    let text = &src[start..lx.pos];
    let hex = text.starts_with(b"0x") || text.starts_with(b"0X");
    if !hex && text.iter().any(|b| matches!(b, b'.' | b'e' | b'E')) {
        TokenKind::Float
    } else {
        TokenKind::Int
    }
}

/// Pushes `tok`, splitting the comments seen since the previous token between that token's
/// trailing comments and `tok`'s leading comments.
fn attribute(
    tokens: &mut Vec<Token>,
    comments: &mut [Comment],
    pending_start: u32,
    mut tok: Token,
) {
    let pending_end = comments.len() as u32;
    let mut split = pending_start;
    if let Some(prev) = tokens.last_mut() {
        let prev_is_open = matches!(prev.kind, TokenKind::Sym(b'(' | b'[' | b'<' | b'{'));
        let mut i = pending_start;
        while i < pending_end {
            let c = &comments[i as usize];
            // Only comments that start on the previous token's own line may trail it.
            if c.line != prev.end_line {
                break;
            }
            i += 1;
            if c.end_line != prev.end_line {
                break;
            }
        }
        // Comments followed by more code on the same line belong to that code, except after a
        // `;` (they end the statement) and before a closing `)`/`]` (they end the previous
        // token); before a `}` or `]` they always belong to that bracket.
        if i > pending_start && i == pending_end {
            let last = &comments[(i - 1) as usize];
            if last.end_line == tok.line {
                let prev_is_semi = matches!(prev.kind, TokenKind::Sym(b';' | b','));
                let next = match tok.kind {
                    TokenKind::Sym(c) => c,
                    _ => 0,
                };
                let keep = if next == b'}' || next == b']' {
                    false
                } else if prev_is_semi || next == b')' || next == b';' {
                    !prev_is_open
                } else {
                    false
                };
                if !keep {
                    i = pending_start;
                }
            }
        }
        split = i;
        prev.trailing = (pending_start, split);
    }
    tok.leading = (split, pending_end);
    tokens.push(tok);
}
