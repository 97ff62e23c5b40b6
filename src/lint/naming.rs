//! buf's name conversions and package version grammar, reproduced exactly: rules compare a name with
//! its conversion, so every quirk (acronyms kept together, digits never starting a word, delimiters
//! collapsed) decides whether a finding is reported.

/// `.`, `-`, `_` and whitespace separate words.
fn is_delimiter(c: char) -> bool {
    matches!(c, '.' | '-' | '_' | ' ' | '\t' | '\n' | '\r')
}

/// Splits words at delimiters and before an upper-case letter that starts a new word: after a
/// lower-case letter (`fooBar`), or before a lower-case letter that follows an acronym (`HTTPServer`
/// -> `HTTP_Server`). Digits never start a word (`foo1bar`). Leading and trailing delimiters go.
fn snake_words(s: &str) -> String {
    let chars: Vec<char> = s.trim_matches(is_delimiter).chars().collect();
    let mut out = String::with_capacity(chars.len() + 4);
    for (i, &orig) in chars.iter().enumerate() {
        let c = if is_delimiter(orig) { '_' } else { orig };
        if i == 0 {
            out.push(c);
            continue;
        }
        let last_is_underscore = out.ends_with('_');
        let next = chars.get(i + 1).copied();
        let starts_word = c.is_uppercase()
            && !last_is_underscore
            && (next.is_some_and(|n| !(n.is_uppercase() || n.is_ascii_digit() || is_delimiter(n)))
                || chars[i - 1].is_lowercase());
        if starts_word {
            out.push('_');
            out.push(c);
        } else if !(is_delimiter(c) && last_is_underscore) {
            out.push(c);
        }
    }
    out
}

/// `fooBar` -> `foo_bar`, `HTTPServer` -> `http_server`, `foo__bar_` -> `foo_bar`.
pub fn to_lower_snake_case(s: &str) -> String {
    snake_words(s).to_lowercase()
}

/// `fooBar` -> `FOO_BAR`.
pub fn to_upper_snake_case(s: &str) -> String {
    snake_words(s).to_uppercase()
}

/// `foo_bar` -> `FooBar`; upper-case letters stay upper-case (`HTTPServer` stays), letters after a
/// delimiter are upper-cased, every other letter is lower-cased.
pub fn to_pascal_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut previous: Option<char> = None;
    for (i, c) in s.trim().chars().enumerate() {
        if !is_delimiter(c) {
            if i == 0 || previous.is_some_and(is_delimiter) || c.is_uppercase() {
                out.extend(c.to_uppercase());
            } else {
                out.extend(c.to_lowercase());
            }
        }
        previous = Some(c);
    }
    out
}

/// How stable a package version says the package is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stability {
    Stable,
    Alpha,
    Beta,
    Test,
}

/// The stability of the version that ends `pkg`, or `None` if the package has no valid version
/// suffix. Valid: `v1`, `v1test`, `v1testfoo`, `v1alpha`, `v1beta2`, `v1p1alpha1`; numbers are at least 1.
pub fn package_version(pkg: &str) -> Option<Stability> {
    let parts: Vec<&str> = pkg.split('.').collect();
    if pkg.is_empty() || parts.len() < 2 {
        return None;
    }
    let last = parts[parts.len() - 1];
    let version = last.strip_prefix('v')?;
    if version.is_empty() {
        return None;
    }
    if let Some((major, _)) = version.split_once("test") {
        positive(major)?;
        return Some(Stability::Test);
    }
    let stability = match (version.contains("alpha"), version.contains("beta")) {
        (false, false) => {
            positive(version)?;
            return Some(Stability::Stable);
        }
        (true, false) => Stability::Alpha,
        (false, true) => Stability::Beta,
        (true, true) => return None,
    };
    let word = if stability == Stability::Alpha {
        "alpha"
    } else {
        "beta"
    };
    let (before, minor) = version.split_once(word)?;
    if !minor.is_empty() {
        positive(minor)?;
    }
    match before.split_once('p') {
        Some((major, patch)) => {
            positive(major)?;
            positive(patch)?;
        }
        None => {
            positive(before)?;
        }
    }
    Some(stability)
}

/// A number >= 1 that fits in 32 bits (an optional leading `+` is accepted, as Go's ParseInt does).
fn positive(s: &str) -> Option<i32> {
    if s.is_empty() {
        return None;
    }
    s.parse::<i32>().ok().filter(|&n| n >= 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lower_snake() {
        for (input, want) in [
            ("fooBar", "foo_bar"),
            ("FooBar", "foo_bar"),
            ("foo_bar", "foo_bar"),
            ("HTTPServer", "http_server"),
            ("fooHTTP", "foo_http"),
            ("foo1bar", "foo1bar"),
            ("foo_1bar", "foo_1bar"),
            ("foo1Bar", "foo1_bar"),
            ("ab_c_", "ab_c"),
            ("_foo__bar", "foo_bar"),
            ("aBc", "a_bc"),
            ("B", "b"),
            ("ABc", "a_bc"),
            ("foo.bar", "foo_bar"),
            ("v1Beta1", "v1_beta1"),
            ("fooID", "foo_id"),
            ("petID", "pet_id"),
        ] {
            assert_eq!(to_lower_snake_case(input), want, "{input}");
        }
    }

    #[test]
    fn upper_snake() {
        assert_eq!(to_upper_snake_case("enumFooNone"), "ENUM_FOO_NONE");
        assert_eq!(to_upper_snake_case("FOO_BAR"), "FOO_BAR");
        assert_eq!(to_upper_snake_case("FOO_BAR1"), "FOO_BAR1");
        assert_eq!(to_upper_snake_case("HTTPCode"), "HTTP_CODE");
    }

    #[test]
    fn pascal() {
        for (input, want) in [
            ("foo_bar", "FooBar"),
            ("fooBar", "FooBar"),
            ("FooBar", "FooBar"),
            ("HTTPServer", "HTTPServer"),
            ("foo_1bar", "Foo1bar"),
            ("Foo_Bar", "FooBar"),
            ("FOO", "FOO"),
            ("messageFoo", "MessageFoo"),
        ] {
            assert_eq!(to_pascal_case(input), want, "{input}");
        }
    }

    #[test]
    fn versions() {
        use Stability::*;
        for (pkg, want) in [
            ("foo.v1", Some(Stable)),
            ("foo.bar.v2", Some(Stable)),
            ("foo.v1beta1", Some(Beta)),
            ("foo.v1alpha", Some(Alpha)),
            ("foo.v1p1alpha1", Some(Alpha)),
            ("foo.v1p1beta2", Some(Beta)),
            ("foo.v1test", Some(Test)),
            ("foo.v1testfoo", Some(Test)),
            ("foo.v0", None),
            ("foo.v1p1", None),
            ("foo.v1alphabeta1", None),
            ("foo.v0alpha1", None),
            ("foo.v1alpha0", None),
            ("foo.vx", None),
            ("v1", None),
            ("foo", None),
            ("", None),
            ("foo.v", None),
            ("foo.v0test", None),
        ] {
            assert_eq!(package_version(pkg), want, "{pkg}");
        }
    }
}
