//! FIELD_SAME_DEFAULT.

use prost_reflect::{Kind, Value};

use super::current_file;
use crate::breaking::pairs::Field;
use crate::breaking::{Pairs, Report};
use crate::image::tag;

crate::declare_rule! {
    /// Checks that a singular scalar field keeps its default value (`[default = ...]`, proto2).
    ///
    /// Readers fill in the default for absent fields: changing it changes what old messages mean.
    /// Changes between equal values of different numeric types (e.g. `1` and `1.0`) are fine.
    pub FIELD_SAME_DEFAULT = "Checks that fields keep their default value."
}

/// A default, comparable across compatible types, and printed as buf prints it.
#[derive(Debug, Clone, PartialEq)]
enum Comparable {
    Text(Vec<u8>),
    Int(i128),
    F32(f32),
    F64(f64),
}

fn can_have_default(field: &Field) -> bool {
    !field.is_list()
        && !field.is_map()
        && !field.is_group()
        && !matches!(field.kind(), Kind::Message(_))
}

fn default_of(field: &Field) -> (Comparable, String) {
    match field.default_value() {
        Value::Bytes(b) => {
            let printed: Vec<String> = b.iter().map(|x| format!("0x{x:X}")).collect();
            (
                Comparable::Text(b.to_vec()),
                format!("[{}]", printed.join(",")),
            )
        }
        Value::String(s) => (Comparable::Text(s.clone().into_bytes()), format!("{s:?}")),
        Value::EnumNumber(n) => {
            let printed = match field.kind() {
                Kind::Enum(e) => match e.get_value(n) {
                    Some(v) => format!("{}.{}", e.name(), v.name()),
                    None => format!("{}.{n}(?)", e.name()),
                },
                _ => n.to_string(),
            };
            (Comparable::Int(n.into()), printed)
        }
        Value::Bool(b) => (Comparable::Int(b.into()), b.to_string()),
        Value::I32(n) => (Comparable::Int(n.into()), n.to_string()),
        Value::I64(n) => (Comparable::Int(n.into()), n.to_string()),
        Value::U32(n) => (Comparable::Int(n.into()), n.to_string()),
        Value::U64(n) => (Comparable::Int(n.into()), n.to_string()),
        Value::F32(f) => (Comparable::F32(f), go_float(f64::from(f), format!("{f:e}"))),
        Value::F64(f) => (Comparable::F64(f), go_float(f, format!("{f:e}"))),
        other => (Comparable::Text(Vec::new()), format!("{other:?}")),
    }
}

fn is_zero(c: &Comparable) -> bool {
    match c {
        Comparable::Text(t) => t.is_empty(),
        Comparable::Int(n) => *n == 0,
        Comparable::F32(f) => *f == 0.0 && f.is_sign_positive(),
        Comparable::F64(f) => *f == 0.0 && f.is_sign_positive(),
    }
}

fn equal(a: &Comparable, b: &Comparable) -> bool {
    use Comparable::*;
    match (a, b) {
        (Text(x), Text(y)) => x == y,
        (Text(_), _) | (_, Text(_)) => false,
        (F32(x), F64(y)) | (F64(y), F32(x)) => (x.is_nan() && y.is_nan()) || *x == *y as f32,
        _ => {
            let as_f64 = |c: &Comparable| match c {
                Int(n) => (*n as f64, false),
                F32(f) => (f64::from(*f), f.is_nan()),
                F64(f) => (*f, f.is_nan()),
                Text(_) => (0.0, false),
            };
            if let (Int(x), Int(y)) = (a, b) {
                return x == y;
            }
            let ((x, xn), (y, yn)) = (as_f64(a), as_f64(b));
            if xn || yn {
                return xn && yn;
            }
            x == y
        }
    }
}

/// Go's `%v` of a float: shortest digits, exponent form below 1e-4 or from 1e6 on (`%g`, shortest).
fn go_float(value: f64, scientific: String) -> String {
    if value.is_nan() {
        return "NaN".into();
    }
    if value.is_infinite() {
        return if value > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    let (mantissa, exp) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let negative = mantissa.starts_with('-');
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    let sign = if negative { "-" } else { "" };
    if !(-4..6).contains(&exp) {
        let (first, rest) = digits.split_at(1);
        let frac = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let esign = if exp < 0 { '-' } else { '+' };
        return format!("{sign}{first}{frac}e{esign}{:02}", exp.abs());
    }
    let point = exp + 1;
    if point <= 0 {
        format!("{sign}0.{}{digits}", "0".repeat((-point) as usize))
    } else if point as usize >= digits.len() {
        format!(
            "{sign}{digits}{}",
            "0".repeat(point as usize - digits.len())
        )
    } else {
        let (int, frac) = digits.split_at(point as usize);
        format!("{sign}{int}.{frac}")
    }
}

pub(super) fn check<'a>(p: &Pairs<'a>, r: &mut Report<'a>) {
    for (prev, cur) in &p.fields {
        if !can_have_default(prev) || !can_have_default(cur) {
            continue;
        }
        let (before, before_text) = default_of(prev);
        let (after, after_text) = default_of(cur);
        if (is_zero(&before) && is_zero(&after)) || equal(&before, &after) {
            continue;
        }
        let file = current_file(p, &cur.file());
        let against = p.previous.file(prev.file().name());
        let mut default_path = cur.path().to_vec();
        default_path.push(tag::field::DEFAULT_VALUE);
        let option_span = file.and_then(|f| super::option_span(f, &default_path, "default"));
        let hit = r.at_first(
            file,
            &[&default_path, cur.path()],
            against,
            format!(
                "{} changed default value from {before_text} to {after_text}.",
                cur.description()
            ),
        );
        if hit.path.as_deref() == Some(default_path.as_slice()) {
            hit.span = option_span;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::go_float;

    #[test]
    fn floats_print_like_go() {
        let g = |f: f64| go_float(f, format!("{f:e}"));
        assert_eq!(g(123.123), "123.123");
        assert_eq!(g(0.0), "0");
        assert_eq!(g(1e6), "1e+06");
        assert_eq!(g(123456.0), "123456");
        assert_eq!(g(1234567.0), "1.234567e+06");
        assert_eq!(g(0.00001), "1e-05");
        assert_eq!(g(-2.5), "-2.5");
        assert_eq!(
            go_float(f64::from(123.123f32), format!("{:e}", 123.123f32)),
            "123.123"
        );
    }
}
