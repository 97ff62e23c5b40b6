//! Values printed the way buf (Go) prints them in its messages: `%q` strings, `%v` floats, and
//! Go `regexp` compile errors.

use regex_syntax::ast::ErrorKind;

/// Go's `%q` of a string (`strconv.Quote`).
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '\x0b' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Go's `%q` of a byte slice (invalid UTF-8 as `\x..`).
pub fn go_quote_bytes(b: &[u8]) -> String {
    match std::str::from_utf8(b) {
        Ok(s) => go_quote(s),
        Err(_) => {
            let mut out = String::from("\"");
            for &c in b {
                if c.is_ascii_graphic() || c == b' ' {
                    if c == b'"' || c == b'\\' {
                        out.push('\\');
                    }
                    out.push(c as char);
                } else {
                    out.push_str(&format!("\\x{c:02x}"));
                }
            }
            out.push('"');
            out
        }
    }
}

/// Go's `%v` of a float64 (`strconv.FormatFloat(f, 'g', -1, 64)`: shortest digits, exponent
/// form below 1e-4 and from 1e6).
pub fn go_float(f: f64) -> String {
    go_shortest(f, format!("{f:e}"), format!("{f}"))
}

/// Go's `%v` of a float32 (shortest digits of the 32-bit value).
pub fn go_float32(f: f32) -> String {
    go_shortest(f64::from(f), format!("{f:e}"), format!("{f}"))
}

fn go_shortest(f: f64, exponent: String, plain: String) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.into();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0" } else { "0" }.into();
    }
    let (mantissa, exp) = exponent.split_once('e').unwrap_or((&exponent, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if !(-4..6).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exp.abs())
    } else {
        plain
            .strip_suffix(".0")
            .map(str::to_string)
            .unwrap_or(plain)
    }
}

/// A Duration or Timestamp as Go prints the message with `%v` (one-line text format).
pub fn go_seconds_nanos(seconds: i64, nanos: i32) -> String {
    let mut parts = Vec::new();
    if seconds != 0 {
        parts.push(format!("seconds:{seconds}"));
    }
    if nanos != 0 {
        parts.push(format!("nanos:{nanos}"));
    }
    parts.join(" ")
}

/// The message of Go's `regexp.Compile` error for `pattern`, if it does not compile (as far as
/// the RE2 syntax parser tells; the texts follow Go's `regexp/syntax` error codes).
pub fn regexp_error(pattern: &str) -> Option<String> {
    let ast = match regex_syntax::ast::parse::Parser::new().parse(pattern) {
        Ok(ast) => ast,
        Err(e) => {
            let span = e.span();
            let text = pattern
                .get(span.start.offset..span.end.offset)
                .unwrap_or_default();
            let from_start = pattern.get(span.start.offset..).unwrap_or_default();
            let (code, expr) = match e.kind() {
                ErrorKind::GroupUnclosed => ("missing closing )", pattern),
                ErrorKind::GroupUnopened => ("unexpected )", pattern),
                ErrorKind::ClassUnclosed => ("missing closing ]", from_start),
                ErrorKind::EscapeUnexpectedEof => ("trailing backslash at end of expression", ""),
                ErrorKind::EscapeUnrecognized
                | ErrorKind::EscapeHexEmpty
                | ErrorKind::EscapeHexInvalid
                | ErrorKind::EscapeHexInvalidDigit
                | ErrorKind::ClassEscapeInvalid
                | ErrorKind::UnsupportedBackreference => ("invalid escape sequence", text),
                ErrorKind::RepetitionMissing => ("missing argument to repetition operator", text),
                ErrorKind::ClassRangeInvalid | ErrorKind::ClassRangeLiteral => {
                    ("invalid character class range", text)
                }
                ErrorKind::RepetitionCountInvalid
                | ErrorKind::RepetitionCountDecimalEmpty
                | ErrorKind::RepetitionCountUnclosed
                | ErrorKind::DecimalEmpty
                | ErrorKind::DecimalInvalid => ("invalid repeat count", text),
                ErrorKind::GroupNameInvalid
                | ErrorKind::GroupNameEmpty
                | ErrorKind::GroupNameDuplicate { .. }
                | ErrorKind::GroupNameUnexpectedEof => ("invalid named capture", text),
                ErrorKind::NestLimitExceeded(_) => ("expression nests too deeply", pattern),
                _ => ("invalid or unsupported Perl syntax", text),
            };
            return Some(format!("error parsing regexp: {code}: `{expr}`"));
        }
    };
    // Unicode class names and the like are only checked when translating.
    match regex_syntax::hir::translate::Translator::new().translate(pattern, &ast) {
        Ok(_) => None,
        Err(e) => {
            let span = e.span();
            let text = pattern
                .get(span.start.offset..span.end.offset)
                .unwrap_or_default();
            let code = match e.kind() {
                regex_syntax::hir::ErrorKind::UnicodePropertyNotFound
                | regex_syntax::hir::ErrorKind::UnicodePropertyValueNotFound => {
                    "invalid character class range"
                }
                // Go accepts byte-oriented and other constructs the translator refuses in its
                // default (Unicode) mode; do not report those.
                _ => return None,
            };
            Some(format!("error parsing regexp: {code}: `{text}`"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_like_go() {
        assert_eq!(go_float(1.5), "1.5");
        assert_eq!(go_float(1e6), "1e+06");
        assert_eq!(go_float(123456.0), "123456");
        assert_eq!(go_float(1e21), "1e+21");
        assert_eq!(go_float(0.0001), "0.0001");
        assert_eq!(go_float(0.00001), "1e-05");
        assert_eq!(go_float32(0.1), "0.1");
        assert_eq!(go_float32(1e6), "1e+06");
        assert_eq!(go_seconds_nanos(1, -5), "seconds:1 nanos:-5");
    }

    #[test]
    fn regexp_errors_name_go_codes() {
        assert_eq!(
            regexp_error("(abc").as_deref(),
            Some("error parsing regexp: missing closing ): `(abc`")
        );
        assert_eq!(regexp_error("^[a-z]+$"), None);
    }
}
