//! `example` values checked against the standard rules beside them, as protovalidate would
//! judge a message holding the example. The rules evaluated here: lengths, bounds, `const`,
//! `in`/`not_in`, prefix/suffix/contains, `pattern`, `finite`, `defined_only` and the email,
//! UUID, ULID, hostname, IP and address formats (`formats`), for strings, bytes, numbers, bools
//! and enums. When any
//! other rule, a predefined rule, a `cel` rule, `required` or `ignore` is present, the examples
//! are left alone rather than judged wrongly.

use prost_reflect::{DynamicMessage, Kind, ReflectMessage, Value};

use super::field::Target;
use super::formats;
use super::report::Reporter;
use crate::lint::Sink;

/// Checks the examples of the type rules `number` (a `FieldRules.type` member).
pub(crate) fn check_examples(
    r: &Reporter,
    field_rules: &DynamicMessage,
    number: i32,
    rules: &DynamicMessage,
    target: &Target,
    out: &mut Sink,
) {
    let Some(example) = rules.descriptor().get_field_by_name("example") else {
        return;
    };
    let Value::List(values) = rules.get_field(&example).into_owned() else {
        return;
    };
    if values.is_empty() {
        return;
    }
    let other_rules =
        rules.fields().any(|(f, _)| f.name() != "example") || rules.extensions().next().is_some();
    let has_cel = matches!(
        field_rules.get_field_by_name("cel").as_deref(),
        Some(Value::List(l)) if !l.is_empty()
    );
    // Nothing to judge the examples by (buf stops there too), or rules this evaluator cannot
    // judge them by.
    if !other_rules
        || has_cel
        || field_rules.has_field_by_name("ignore")
        || field_rules.has_field_by_name("required")
        || rules.extensions().next().is_some()
    {
        return;
    }
    let prefix = rules
        .descriptor()
        .name()
        .trim_end_matches("Rules")
        .to_lowercase();
    for (i, value) in values.iter().enumerate() {
        let Some(violations) = evaluate(rules, value, &target.kind) else {
            return;
        };
        for (rule, message) in violations {
            r.add(
                out,
                &[number, example.number() as i32, i as i32],
                format!(
                    "\"{}\" is an example value but does not satisfy rule \"{prefix}.{rule}\": {message}",
                    display(value)
                ),
            );
        }
    }
}

/// Go's `%v` of an example value.
fn display(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::I32(n) | Value::EnumNumber(n) => n.to_string(),
        Value::I64(n) => n.to_string(),
        Value::U32(n) => n.to_string(),
        Value::U64(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::F32(f) => super::gofmt::go_float32(*f),
        Value::F64(f) => super::gofmt::go_float(*f),
        Value::Bytes(b) => format!(
            "[{}]",
            b.iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join(" ")
        ),
        _ => String::new(),
    }
}

/// An integer, for comparing any of the integer rule types.
fn int(v: &Value) -> Option<i128> {
    Some(match v {
        Value::I32(n) | Value::EnumNumber(n) => i128::from(*n),
        Value::I64(n) => i128::from(*n),
        Value::U32(n) => i128::from(*n),
        Value::U64(n) => i128::from(*n),
        _ => return None,
    })
}

/// The violations of `value` (rule suffix, message), or `None` when a rule present is one this
/// evaluator does not know.
fn evaluate(rules: &DynamicMessage, value: &Value, kind: &Kind) -> Option<Vec<(String, String)>> {
    let set: Vec<(String, Value)> = rules
        .fields()
        .filter(|(f, _)| f.name() != "example")
        .map(|(f, v)| (f.name().to_string(), v.clone()))
        .collect();
    let mut out = Vec::new();
    match value {
        Value::String(s) => {
            for (name, rule) in &set {
                let u = rule.as_u64().unwrap_or(0);
                let text = rule.as_str().unwrap_or_default();
                let chars = s.chars().count() as u64;
                let bytes = s.len() as u64;
                let failed = match name.as_str() {
                    "const" => (s != text).then(|| format!("must equal `{text}`")),
                    "len" => (chars != u).then(|| format!("must be {} characters", u)),
                    "min_len" => (chars < u).then(|| format!("must be at least {} characters", u)),
                    "max_len" => (chars > u).then(|| format!("must be at most {} characters", u)),
                    "len_bytes" => (bytes != u).then(|| format!("must be {} bytes", u)),
                    "min_bytes" => (bytes < u).then(|| format!("must be at least {} bytes", u)),
                    "max_bytes" => (bytes > u).then(|| format!("must be at most {} bytes", u)),
                    "prefix" => {
                        (!s.starts_with(text)).then(|| format!("does not have prefix `{text}`"))
                    }
                    "suffix" => {
                        (!s.ends_with(text)).then(|| format!("does not have suffix `{text}`"))
                    }
                    "contains" => {
                        (!s.contains(text)).then(|| format!("does not contain substring `{text}`"))
                    }
                    "not_contains" => s
                        .contains(text)
                        .then(|| format!("contains substring `{text}`")),
                    "in" => {
                        let list = strings(rule);
                        (!list.iter().any(|x| x == s))
                            .then(|| format!("must be in list [{}]", list.join(", ")))
                    }
                    "not_in" => {
                        let list = strings(rule);
                        list.iter()
                            .any(|x| x == s)
                            .then(|| format!("must not be in list [{}]", list.join(", ")))
                    }
                    "email" | "uuid" | "tuuid" | "ulid" | "hostname" | "ip" | "ipv4" | "ipv6"
                    | "address" => {
                        if !rule.as_bool().unwrap_or(false) {
                            continue;
                        }
                        let (valid, what) = formats::string_format(name, s)?;
                        if s.is_empty() {
                            out.push((
                                format!("{name}_empty"),
                                format!("value is empty, which is not a valid {what}"),
                            ));
                            continue;
                        }
                        (!valid).then(|| format!("must be a valid {what}"))
                    }
                    "pattern" => {
                        let re = regex::Regex::new(text).ok()?;
                        (!re.is_match(s)).then(|| format!("does not match regex pattern `{text}`"))
                    }
                    _ => return None,
                };
                out.extend(failed.map(|m| (name.clone(), m)));
            }
        }
        Value::Bytes(b) => formats::bytes_rules(b, &set, &mut out)?,
        Value::Bool(b) => {
            for (name, rule) in &set {
                match name.as_str() {
                    "const" => {
                        let c = rule.as_bool()?;
                        if *b != c {
                            out.push((name.clone(), format!("must equal {c}")));
                        }
                    }
                    _ => return None,
                }
            }
        }
        v if int(v).is_some() => {
            let enum_ = match kind {
                Kind::Enum(e) => Some(e),
                _ => None,
            };
            let x = int(v)?;
            numbers(x, &set, int, |n| n.to_string(), &mut out)?;
            let defined_only = set
                .iter()
                .any(|(n, r)| n == "defined_only" && r.as_bool() == Some(true));
            if defined_only {
                let defined = enum_?.values().any(|e| i128::from(e.number()) == x);
                if !defined {
                    out.push((
                        "defined_only".into(),
                        "value must be one of the defined enum values".into(),
                    ));
                }
            }
        }
        Value::F32(_) | Value::F64(_) => {
            let x = float(value)?;
            numbers(x, &set, float, cel_double, &mut out)?;
            let finite = set
                .iter()
                .any(|(n, r)| n == "finite" && r.as_bool() == Some(true));
            if finite && !x.is_finite() {
                out.push(("finite".into(), "must be finite".into()));
            }
        }
        _ => return None,
    }
    Some(out)
}

/// The strings of a list rule (`in`, `not_in`).
pub(super) fn strings(rule: &Value) -> Vec<String> {
    match rule {
        Value::List(items) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

/// A float rule value as a double (a float rule is widened, as CEL does).
fn float(v: &Value) -> Option<f64> {
    match v {
        Value::F32(f) => Some(f64::from(*f)),
        Value::F64(f) => Some(*f),
        _ => None,
    }
}

/// A double as CEL's `format("%s")` prints it: shortest digits, never an exponent.
fn cel_double(f: f64) -> String {
    if f.is_nan() {
        "NaN".into()
    } else if f.is_infinite() {
        if f > 0.0 { "+Inf" } else { "-Inf" }.into()
    } else {
        format!("{f}")
    }
}

/// The numeric rules (`const`, bounds, `in`, `not_in`) for `x`; `None` for a rule it does not know.
fn numbers<T: PartialOrd + Copy>(
    x: T,
    set: &[(String, Value)],
    conv: fn(&Value) -> Option<T>,
    show: fn(T) -> String,
    out: &mut Vec<(String, String)>,
) -> Option<()> {
    let bound = |n: &str| set.iter().find(|(k, _)| k == n).and_then(|(_, v)| conv(v));
    for (name, rule) in set {
        match name.as_str() {
            "const" => {
                let c = conv(rule)?;
                if x != c {
                    out.push((name.clone(), format!("must equal {}", show(c))));
                }
            }
            "in" | "not_in" => {
                let Value::List(items) = rule else {
                    return None;
                };
                let list: Vec<T> = items.iter().filter_map(conv).collect();
                let found = list.contains(&x);
                if found == (name == "not_in") {
                    let text = list.iter().map(|n| show(*n)).collect::<Vec<_>>().join(", ");
                    let verb = if found { "must not be" } else { "must be" };
                    out.push((name.clone(), format!("{verb} in list [{text}]")));
                }
            }
            // Handled by the caller, which knows the kind.
            "finite" | "defined_only" => {}
            "gt" | "gte" | "lt" | "lte" => {}
            _ => return None,
        }
    }
    let lower = bound("gt")
        .map(|v| ("gt", v, "greater than"))
        .or(bound("gte").map(|v| ("gte", v, "greater than or equal to")));
    let upper = bound("lt")
        .map(|v| ("lt", v, "less than"))
        .or(bound("lte").map(|v| ("lte", v, "less than or equal to")));
    let above = |(n, v, _): (&str, T, &str)| if n == "gt" { x > v } else { x >= v };
    let below = |(n, v, _): (&str, T, &str)| if n == "lt" { x < v } else { x <= v };
    let violation = match (lower, upper) {
        (None, None) => None,
        (None, Some(u)) => {
            (!below(u)).then(|| (u.0.to_string(), format!("must be {} {}", u.2, show(u.1))))
        }
        (Some(l), None) => {
            (!above(l)).then(|| (l.0.to_string(), format!("must be {} {}", l.2, show(l.1))))
        }
        (Some(l), Some(u)) => {
            let id = format!("{}_{}", l.0, u.0);
            let (lo, hi) = (show(l.1), show(u.1));
            if u.1 >= l.1 {
                (!(above(l) && below(u)))
                    .then(|| (id, format!("must be {} {lo} and {} {hi}", l.2, u.2)))
            } else {
                (!(above(l) || below(u))).then(|| {
                    (
                        format!("{id}_exclusive"),
                        format!("must be {} {lo} or {} {hi}", l.2, u.2),
                    )
                })
            }
        }
    };
    out.extend(violation);
    Some(())
}
