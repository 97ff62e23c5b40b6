//! Checks on a file's source text before it is parsed, for errors buf reports that the parser
//! would miss, misplace or overflow on (each with buf's message and position):
//! - buf's nesting limits: an option value (aggregate `{...}`, list `[...]`, `<...>`) nested more
//!   than [`MAX_EXPRESSION_DEPTH`] deep, a message nested [`MAX_MESSAGE_DEPTH`] or more deep;
//!   checking first also keeps such files away from the recursive parser;
//! - NUL bytes and bytes that are not UTF-8 ([`check_bytes`]);
//! - an unterminated block comment (placed where it starts), an import path that is absolute or
//!   climbs out with `..`.
//!
//! The scan is a flat loop over tokens (comments and strings skipped): it never recurses, so no
//! input can overflow it.

use super::editions::EditionsError;
use crate::syntax::Span;

/// buf: "expression nesting depth must be at most 100".
pub const MAX_EXPRESSION_DEPTH: usize = 100;
/// buf: "message nesting depth must be less than 32".
pub const MAX_MESSAGE_DEPTH: usize = 32;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tok {
    Ident,
    Str,
    Other,
    Punct(u8),
}

/// A NUL byte (a `.proto` holds none) or a byte that is not UTF-8 (marked by
/// [`crate::workspace::INVALID_UTF8_MARK`]): buf's error at the first one.
pub fn check_bytes(text: &str) -> Option<EditionsError> {
    // NUL is one byte in UTF-8 and in no other character: a SIMD byte search finds it.
    let at = memchr::memchr(0, text.as_bytes())?;
    let message = if text[at..].starts_with(crate::workspace::INVALID_UTF8_MARK) {
        "input appears to be encoded with UTF-8, but found invalid byte"
    } else {
        "unrecognized token"
    };
    Some(error(at, message.to_string()))
}

/// The first violation of each limit, in file order.
pub fn check(text: &str) -> Vec<EditionsError> {
    let src = text.as_bytes();
    let mut errors = Vec::new();
    let mut expression_reported = false;
    let mut message_reported = false;
    // Blocks opened outside option values: whether each is a message body.
    let mut blocks: Vec<bool> = Vec::new();
    let mut messages = 0usize;
    // Depth inside an option value (0: not in one).
    let mut expr = 0usize;
    // Option values that are lists (buf reports them too; the parser would, but it is not run).
    let mut arrays = Vec::new();
    // The last two tokens: (kind, start, end).
    let mut prev: (Tok, usize, usize) = (Tok::Other, 0, 0);
    let mut prev2: (Tok, usize, usize) = (Tok::Other, 0, 0);
    // Offsets of the delimiters (`{ [ ( <`) still open.
    let mut open: Vec<usize> = Vec::new();
    // Newlines inside string literals closed on a later line.
    let mut string_newlines: Vec<usize> = Vec::new();
    let mut i = 0;
    while i < src.len() {
        let c = src[i];
        let start = i;
        let tok = match c {
            b' ' | b'\t' | b'\r' | b'\n' | 0x0b | 0x0c => {
                i += 1;
                continue;
            }
            b'/' if src.get(i + 1) == Some(&b'/') => {
                i = memchr::memchr(b'\n', &src[i..]).map_or(src.len(), |n| i + n);
                continue;
            }
            b'/' if src.get(i + 1) == Some(&b'*') => {
                match text[i + 2..].find("*/") {
                    Some(end) => i += 2 + end + 2,
                    None => {
                        // buf reports this alone, at the comment's start.
                        return vec![EditionsError {
                            span: Span::new(i, i + 2),
                            message: "encountered unmatched `/*` delimiter".to_string(),
                            help: None,
                        }];
                    }
                }
                continue;
            }
            b'"' | b'\'' => {
                i += 1;
                loop {
                    // Straight to the next byte that matters (most of a literal is plain text).
                    match memchr::memchr3(c, b'\\', b'\n', &src[i.min(src.len())..]) {
                        Some(n) => i += n,
                        None => return errors,
                    }
                    match src.get(i) {
                        None => return errors,
                        Some(b'\n') => {
                            if let Some(found) = unterminated_string(
                                text,
                                start,
                                &open,
                                (prev, prev2),
                                &string_newlines,
                            ) {
                                return found;
                            }
                            // Closed on a later line: buf's lexer reads on (each newline in it
                            // is an error, reported if a string is left open later).
                            string_newlines.push(i);
                            i += 1;
                        }
                        Some(b'\\') => i += 2,
                        Some(&q) if q == c => {
                            i += 1;
                            break;
                        }
                        Some(_) => i += 1,
                    }
                }
                let word = |t: (Tok, usize, usize)| &text[t.1..t.2];
                let after_import = (prev.0 == Tok::Ident && word(prev) == "import")
                    || (prev.0 == Tok::Ident
                        && matches!(word(prev), "public" | "weak")
                        && word(prev2) == "import");
                if after_import {
                    let path = &text[start + 1..i - 1];
                    if let Some(message) = bad_import_path(path) {
                        errors.push(EditionsError {
                            span: Span::new(start, i),
                            message: message.to_string(),
                            help: None,
                        });
                    }
                }
                Tok::Str
            }
            c if c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80 => {
                while i < src.len()
                    && (src[i].is_ascii_alphanumeric() || src[i] == b'_' || src[i] >= 0x80)
                {
                    i += 1;
                }
                if c.is_ascii_digit() {
                    Tok::Other
                } else {
                    Tok::Ident
                }
            }
            c => {
                i += 1;
                match c {
                    b'{' | b'[' | b'(' | b'<' => open.push(start),
                    b'}' | b']' | b')' | b'>' => {
                        let pair = match c {
                            b'}' => b'{',
                            b']' => b'[',
                            b')' => b'(',
                            _ => b'<',
                        };
                        if open.last().is_some_and(|&o| src[o] == pair) {
                            open.pop();
                        }
                    }
                    _ => {}
                }
                Tok::Punct(c)
            }
        };
        if let Tok::Punct(p) = tok {
            if expr > 0 {
                match p {
                    b'{' | b'[' | b'<' => {
                        expr += 1;
                        if expr > MAX_EXPRESSION_DEPTH && !expression_reported {
                            expression_reported = true;
                            errors.push(error(
                                start,
                                format!(
                                "expression nesting depth must be at most {MAX_EXPRESSION_DEPTH}"
                            ),
                            ));
                        }
                    }
                    b'}' | b']' | b'>' => expr -= 1,
                    _ => {}
                }
            } else if matches!(p, b'{' | b'[' | b'<') && prev.0 == Tok::Punct(b'=') {
                // An option value starts.
                expr = 1;
                if p == b'[' {
                    arrays.push(error(
                        start,
                        "unexpected array expression in option setting value".to_string(),
                    ));
                }
            } else if p == b'{' {
                let is_message = prev.0 == Tok::Ident
                    && prev2.0 == Tok::Ident
                    && &text[prev2.1..prev2.2] == "message";
                if is_message {
                    messages += 1;
                    if messages >= MAX_MESSAGE_DEPTH && !message_reported {
                        message_reported = true;
                        errors.push(error(
                            prev.1,
                            format!("message nesting depth must be less than {MAX_MESSAGE_DEPTH}"),
                        ));
                    }
                }
                blocks.push(is_message);
            } else if p == b'}' && blocks.pop() == Some(true) {
                messages -= 1;
            }
        }
        prev2 = prev;
        prev = (tok, start, i);
    }
    if expression_reported {
        errors.extend(arrays);
    }
    errors.sort_by_key(|e| e.span.start);
    errors
}

/// buf's errors for a string literal that is never closed (from `start`, the quote, to the end of
/// the file), reported alone: each delimiter still open before it, the literal itself, each
/// newline in it, and what buf's parser says at the end of the file where it is sure (after
/// `syntax =`, after `import`, inside a definition). `None` when a closing quote comes on a later
/// line (the parser's error stands).
fn unterminated_string(
    text: &str,
    quote_at: usize,
    open: &[usize],
    (prev, prev2): ((Tok, usize, usize), (Tok, usize, usize)),
    earlier_newlines: &[usize],
) -> Option<Vec<EditionsError>> {
    let src = text.as_bytes();
    let quote = src[quote_at];
    let mut i = quote_at + 1;
    while i < src.len() {
        match src[i] {
            b'\\' => i += 2,
            q if q == quote => return None,
            _ => i += 1,
        }
    }
    let end = text.len();
    let at = |a: usize, b: usize, message: String| EditionsError {
        span: Span::new(a, b),
        message,
        help: None,
    };
    // An identifier right before the quote is the literal's prefix (buf's lexer: `x"..."`); a
    // prefixed literal right after another literal is an error of its own.
    let prefixed = prev.0 == Tok::Ident && prev.2 == quote_at;
    let start = if prefixed { prev.1 } else { quote_at };
    let mut out: Vec<EditionsError> = open
        .iter()
        .map(|&o| {
            let d = src[o] as char;
            at(o, o + 1, format!("encountered unmatched `{d}` delimiter"))
        })
        .collect();
    if prefixed && prev2.0 == Tok::Str && prev2.2 == prev.1 {
        out.push(at(
            prev.1,
            prev.2,
            "implicitly-concatenated string has incompatible prefix".to_string(),
        ));
    }
    out.push(at(start, end, "unterminated string literal".to_string()));
    let newlines = text[quote_at..]
        .match_indices('\n')
        .map(|(n, _)| quote_at + n);
    for n in earlier_newlines.iter().copied().chain(newlines) {
        out.push(at(
            n,
            n + 1,
            "unescaped newlines are not permitted in string literals".to_string(),
        ));
    }
    let word = |t: (Tok, usize, usize)| (t.0 == Tok::Ident).then(|| &text[t.1..t.2]);
    let trimmed = text.trim_end().len();
    if !open.is_empty() {
        out.push(at(
            end,
            end,
            "unexpected unrecognized token after definition".to_string(),
        ));
    } else if prev.0 == Tok::Punct(b'=') && word(prev2) == Some("syntax") {
        out.push(at(
            start,
            end,
            "unrecognized `syntax` declaration value".to_string(),
        ));
        out.push(at(
            trimmed,
            trimmed,
            "unexpected end-of-file after `syntax` declaration".to_string(),
        ));
    } else if let Some(import) = [prev, prev2]
        .into_iter()
        .find(|t| word(*t) == Some("import"))
        .filter(|_| word(prev).is_some_and(|w| matches!(w, "import" | "public" | "weak")))
    {
        out.push(at(
            import.1,
            end,
            "imported file does not exist".to_string(),
        ));
        out.push(at(
            trimmed,
            trimmed,
            "unexpected end-of-file after import".to_string(),
        ));
    }
    out.sort_by_key(|e| (e.span.start, e.span.end));
    Some(out)
}

/// buf's errors for an import path that is absolute or climbs out of the module.
fn bad_import_path(path: &str) -> Option<&'static str> {
    if path.starts_with('/') || path.starts_with('\\') {
        Some("import path must be relative")
    } else if path.split(['/', '\\']).any(|part| part == "..") {
        Some("import path must not refer to parent directory")
    } else {
        None
    }
}

fn error(at: usize, message: String) -> EditionsError {
    EditionsError {
        span: Span::new(at, at + 1),
        message,
        help: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_paths_that_leave_the_module_are_errors() {
        let got = messages(
            "import \"/etc/passwd\";\nimport public \"../../x.proto\";\nimport \"a/b.proto\";",
        );
        assert_eq!(
            got,
            vec![
                (7, "import path must be relative".to_string()),
                (
                    22 + 14,
                    "import path must not refer to parent directory".to_string()
                )
            ]
        );
    }

    fn messages(text: &str) -> Vec<(usize, String)> {
        check(text)
            .into_iter()
            .map(|e| (e.span.start as usize, e.message))
            .collect()
    }

    #[test]
    fn option_values_deeper_than_100_are_placed_at_the_101st_bracket() {
        let value = |n: usize| format!("option (a) = {}1{};", "{a:".repeat(n), "}".repeat(n));
        assert!(check(&value(100)).is_empty());
        let text = value(101);
        let got = messages(&text);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].0, "option (a) = ".len() + 300);
        // Lists and angle brackets count as levels too.
        let mixed = format!("x = 1 [(a) = {}1{}];", "{r:[".repeat(51), "]}".repeat(51));
        assert_eq!(messages(&mixed)[0].0, "x = 1 [(a) = ".len() + 200);
    }

    #[test]
    fn the_32nd_nested_message_is_placed_at_its_name() {
        let nest = |n: usize| format!("{}{}", "message M {".repeat(n), "}".repeat(n));
        assert!(check(&nest(31)).is_empty());
        let got = messages(&nest(32));
        assert_eq!(
            got,
            vec![(
                31 * 11 + 8,
                "message nesting depth must be less than 32".to_string()
            )]
        );
        // Other blocks (enums, oneofs, services) do not count; siblings do not add up.
        let siblings = "message A {} ".repeat(40);
        assert!(check(&siblings).is_empty());
    }

    #[test]
    fn comments_strings_and_map_types_are_not_brackets() {
        let text = format!(
            "// {}\nmessage A {{ map<string, A> m = 1 [default = \"{}\"]; }}",
            "{".repeat(200),
            "[".repeat(200)
        );
        assert!(check(&text).is_empty());
        // An unterminated comment is reported alone, where it starts.
        assert_eq!(
            messages("message A {}\n/* {{{{"),
            vec![(13, "encountered unmatched `/*` delimiter".to_string())]
        );
    }
}
