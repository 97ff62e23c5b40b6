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
    Other,
    Punct(u8),
}

/// A NUL byte (a `.proto` holds none) or a byte that is not UTF-8 (marked by
/// [`crate::workspace::INVALID_UTF8_MARK`]): buf's error at the first one.
pub fn check_bytes(text: &str) -> Option<EditionsError> {
    let at = text.find('\0')?;
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
                while i < src.len() && src[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'/' if src.get(i + 1) == Some(&b'*') => {
                match text[i + 2..].find("*/") {
                    Some(end) => i += 2 + end + 2,
                    None => {
                        // buf reports this alone, at the comment's start.
                        return vec![error(i, "encountered unmatched `/*` delimiter".to_string())];
                    }
                }
                continue;
            }
            b'"' | b'\'' => {
                i += 1;
                loop {
                    match src.get(i) {
                        None | Some(b'\n') => return errors,
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
                        errors.push(error(start, message.to_string()));
                    }
                }
                Tok::Other
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
