//! Consistency of the rules of one type (`string`, `bytes`, numbers, `duration`, `timestamp`,
//! `field_mask`, `enum`): `const` alone, bounds that leave some value, lengths that agree.

use prost_reflect::{DynamicMessage, ReflectMessage, Value};

use super::field::get_bool;
use super::gofmt::{go_quote, go_quote_bytes, go_seconds_nanos, regexp_error};
use super::report::Reporter;
use crate::lint::Sink;

const STRING: i32 = 14;
const BYTES: i32 = 15;
const ENUM: i32 = 16;
const DURATION: i32 = 21;
const TIMESTAMP: i32 = 22;
const FIELD_MASK: i32 = 28;

pub(crate) fn check_type_rules(r: &Reporter, number: i32, rules: &DynamicMessage, out: &mut Sink) {
    match number {
        1..=12 => {
            numeric(r, number, rules, out);
            if number <= 2 {
                nan(r, number, rules, out);
            }
        }
        STRING => string(r, rules, out),
        BYTES => bytes(r, rules, out),
        ENUM => check_const(r, number, rules, out),
        DURATION => numeric(r, number, rules, out),
        TIMESTAMP => {
            numeric(r, number, rules, out);
            within(r, rules, out);
            if get_bool(rules, "lt_now") && get_bool(rules, "gt_now") {
                let (gt, lt) = (r.rule_name(&[number, 8]), r.rule_name(&[number, 7]));
                r.add_each(
                    out,
                    &[&[number, 8], &[number, 7]],
                    format!(
                        "Field {:?} has both {gt} and {lt}. A timestamp cannot be both before and after validation time.",
                        r.field_name
                    ),
                );
            }
        }
        FIELD_MASK => field_mask(r, rules, out),
        _ => {}
    }
}

/// Why Go's protovalidate refuses a Duration (buf's own range, slightly inside int64 nanos).
fn invalid_duration(secs: i64, nanos: i32) -> Option<String> {
    let d = go_seconds_nanos(secs, nanos);
    let total = i128::from(secs) * 1_000_000_000 + i128::from(nanos);
    let max = 9_223_372_036_i128 * 1_000_000_000 + 854_775_428;
    if nanos <= -1_000_000_000 || nanos >= 1_000_000_000 {
        Some(format!(
            "duration ({d}) must have nanos in the range 0 to 999999999"
        ))
    } else if (secs > 0 && nanos < 0) || (secs < 0 && nanos > 0) {
        Some(format!(
            "duration ({d}) has seconds and nanos with different signs"
        ))
    } else if total > max || total < -max {
        Some(format!(
            "duration ({d}) must be in the range {} to {}",
            go_seconds_nanos(-9_223_372_036, -854_775_428),
            go_seconds_nanos(9_223_372_036, 854_775_428)
        ))
    } else {
        None
    }
}

/// Why a Timestamp is not valid (`timestamppb.CheckValid`). Go's protobuf errors start with
/// `proto:` and a space that its build picks at random between a plain and a no-break space; buf
/// 1.75.0 prints the no-break one.
fn invalid_timestamp(secs: i64, nanos: i32) -> Option<String> {
    let t = go_seconds_nanos(secs, nanos);
    if secs < -62_135_596_800 {
        Some(format!("proto:\u{a0}timestamp ({t}) before 0001-01-01"))
    } else if secs > 253_402_300_799 {
        Some(format!("proto:\u{a0}timestamp ({t}) after 9999-12-31"))
    } else if !(0..1_000_000_000).contains(&nanos) {
        Some(format!(
            "proto:\u{a0}timestamp ({t}) has out-of-range nanos"
        ))
    } else {
        None
    }
}

/// `timestamp.within` must be a valid, positive duration.
fn within(r: &Reporter, rules: &DynamicMessage, out: &mut Sink) {
    let Some(f) = rules.descriptor().get_field_by_name("within") else {
        return;
    };
    if !rules.has_field(&f) {
        return;
    }
    let Some(Num::T(secs, nanos)) = num(&rules.get_field(&f)) else {
        return;
    };
    let k = f.number() as i32;
    let name = r.rule_name(&[TIMESTAMP, k]);
    if let Some(why) = invalid_duration(secs, nanos) {
        r.add(
            out,
            &[TIMESTAMP, k],
            format!("Field {:?} has an invalid {name}: {why}.", r.field_name),
        );
    } else if secs <= 0 && nanos <= 0 {
        r.add(
            out,
            &[TIMESTAMP, k],
            format!(
                "Field {:?} must have a positive {name} ({}).",
                r.field_name,
                go_seconds_nanos(secs, nanos)
            ),
        );
    }
}

fn count(rules: &DynamicMessage) -> usize {
    rules.fields().count() + rules.extensions().count()
}

fn check_const(r: &Reporter, number: i32, rules: &DynamicMessage, out: &mut Sink) {
    let Some(c) = rules.descriptor().get_field_by_name("const") else {
        return;
    };
    if rules.has_field(&c) && count(rules) > 1 {
        let n = c.number() as i32;
        r.add(
            out,
            &[number, n],
            format!(
                "Field {:?} has {}, therefore other rules in {} are not applied and should be removed.",
                r.field_name,
                r.rule_name(&[number, n]),
                r.rule_name(&[number])
            ),
        );
    }
}

/// A bound's value, comparable within one rule type.
#[derive(Debug, Clone, PartialEq)]
enum Num {
    I(i64),
    U(u64),
    F(f64),
    /// Seconds and nanos of a Duration or Timestamp.
    T(i64, i32),
}

fn num(value: &Value) -> Option<Num> {
    Some(match value {
        Value::I32(n) => Num::I(i64::from(*n)),
        Value::I64(n) => Num::I(*n),
        Value::U32(n) => Num::U(u64::from(*n)),
        Value::U64(n) => Num::U(*n),
        Value::F32(n) => Num::F(f64::from(*n)),
        Value::F64(n) => Num::F(*n),
        Value::Message(m) => {
            let secs = m.get_field_by_name("seconds").and_then(|v| v.as_i64())?;
            let nanos = m.get_field_by_name("nanos").and_then(|v| v.as_i32())?;
            Num::T(secs, nanos)
        }
        _ => return None,
    })
}

fn numeric(r: &Reporter, number: i32, rules: &DynamicMessage, out: &mut Sink) {
    check_const(r, number, rules, out);
    let mut lower: Option<(Num, i32, bool)> = None;
    let mut upper: Option<(Num, i32, bool)> = None;
    for (f, value) in rules.fields() {
        let k = f.number() as i32;
        if !matches!(f.name(), "const" | "gt" | "gte" | "lt" | "lte") {
            continue;
        }
        let Some(n) = num(value) else { continue };
        if let Num::T(secs, nanos) = n {
            let invalid = if number == DURATION {
                invalid_duration(secs, nanos)
            } else {
                invalid_timestamp(secs, nanos)
            };
            if let Some(why) = invalid {
                r.add(
                    out,
                    &[number, k],
                    format!(
                        "Field {:?} has an invalid {}: {why}.",
                        r.field_name,
                        r.rule_name(&[number, k])
                    ),
                );
                continue;
            }
        }
        match f.name() {
            "gt" => lower = Some((n, k, false)),
            "gte" => lower = Some((n, k, true)),
            "lt" => upper = Some((n, k, false)),
            "lte" => upper = Some((n, k, true)),
            _ => {}
        }
    }
    // protovalidate accepts both {gt: 3, lt: 5} and {gt: 5, lt: 3} (an exclusive range), so only
    // equal bounds are wrong.
    let (Some((lo, lo_n, lo_incl)), Some((hi, hi_n, hi_incl))) = (lower, upper) else {
        return;
    };
    if lo != hi {
        return;
    }
    let (lo_name, hi_name) = (r.rule_name(&[number, lo_n]), r.rule_name(&[number, hi_n]));
    let message = if lo_incl && hi_incl {
        format!(
            "Field {:?} has equal {lo_name} and {hi_name}, use {}.const instead.",
            r.field_name,
            r.rule_name(&[number])
        )
    } else {
        format!(
            "Field {:?} has equal {lo_name} and {hi_name}. All values are rejected by these checks.",
            r.field_name
        )
    };
    r.add_each(out, &[&[number, lo_n], &[number, hi_n]], message);
}

/// NaN in float/double bounds or lists.
fn nan(r: &Reporter, number: i32, rules: &DynamicMessage, out: &mut Sink) {
    let is_nan = |v: &Value| match v {
        Value::F32(f) => f.is_nan(),
        Value::F64(f) => f.is_nan(),
        _ => false,
    };
    for (f, value) in rules.fields() {
        let k = f.number() as i32;
        match (f.name(), value) {
            ("const" | "gt" | "gte" | "lt" | "lte", v) if is_nan(v) => r.add(
                out,
                &[number, k],
                format!(
                    "Field {:?} has {} set to NaN. Comparisons with NaN are always false, so this rule can never be satisfied.",
                    r.field_name,
                    r.rule_name(&[number, k])
                ),
            ),
            (name @ ("in" | "not_in"), Value::List(items)) => {
                for (i, item) in items.iter().enumerate() {
                    if is_nan(item) {
                        let effect = if name == "in" {
                            "can never match"
                        } else {
                            "has no effect"
                        };
                        r.add(
                            out,
                            &[number, k, i as i32],
                            format!(
                                "Field {:?} has NaN in {}. Comparisons with NaN are always false, so this entry {effect}.",
                                r.field_name,
                                r.rule_name(&[number, k])
                            ),
                        );
                    }
                }
            }
            _ => {}
        }
    }
}

fn u64_of(rules: &DynamicMessage, name: &str) -> Option<(u64, i32)> {
    let f = rules.descriptor().get_field_by_name(name)?;
    if !rules.has_field(&f) {
        return None;
    }
    Some((rules.get_field(&f).as_u64()?, f.number() as i32))
}

fn str_of(rules: &DynamicMessage, name: &str) -> Option<(String, i32)> {
    let f = rules.descriptor().get_field_by_name(name)?;
    if !rules.has_field(&f) {
        return None;
    }
    Some((rules.get_field(&f).as_str()?.to_string(), f.number() as i32))
}

fn bytes_of(rules: &DynamicMessage, name: &str) -> Option<(Vec<u8>, i32)> {
    let f = rules.descriptor().get_field_by_name(name)?;
    if !rules.has_field(&f) {
        return None;
    }
    Some((rules.get_field(&f).as_bytes()?.to_vec(), f.number() as i32))
}

/// `len` with `min_len`/`max_len`, and `min_len` against `max_len`.
fn lengths(r: &Reporter, number: i32, rules: &DynamicMessage, names: [&str; 3], out: &mut Sink) {
    let len = u64_of(rules, names[0]);
    let min = u64_of(rules, names[1]);
    let max = u64_of(rules, names[2]);
    if let Some((_, len_n)) = len {
        for (_, n) in [min, max].into_iter().flatten() {
            r.add(
                out,
                &[number, n],
                format!(
                    "Field {:?} has {} and therefore, {} is redundant and should be removed.",
                    r.field_name,
                    r.rule_name(&[number, len_n]),
                    r.rule_name(&[number, n])
                ),
            );
        }
    }
    let (Some((min, min_n)), Some((max, max_n))) = (min, max) else {
        return;
    };
    let (min_name, max_name) = (r.rule_name(&[number, min_n]), r.rule_name(&[number, max_n]));
    if min > max {
        r.add(
            out,
            &[number, min_n],
            format!(
                "Field {:?} has value {min} for {min_name}, which must be lower than value {max} for {max_name}.",
                r.field_name
            ),
        );
        r.add(
            out,
            &[number, max_n],
            format!(
                "Field {:?} has value {max} for {max_name}, which must be higher than value {min} for {min_name}.",
                r.field_name
            ),
        );
    } else if min == max {
        r.add_each(
            out,
            &[&[number, min_n], &[number, max_n]],
            format!(
                "Field {:?} has equal {min_name} and {}, use {}.{} instead.",
                r.field_name,
                names[2],
                r.rule_name(&[number]),
                names[0]
            ),
        );
    }
}

fn string(r: &Reporter, rules: &DynamicMessage, out: &mut Sink) {
    let n = STRING;
    check_const(r, n, rules, out);
    lengths(r, n, rules, ["len", "min_len", "max_len"], out);
    lengths(r, n, rules, ["len_bytes", "min_bytes", "max_bytes"], out);
    let min_len = u64_of(rules, "min_len");
    let max_len = u64_of(rules, "max_len");
    let min_bytes = u64_of(rules, "min_bytes");
    let max_bytes = u64_of(rules, "max_bytes");
    if let (Some((min, min_n)), Some((maxb, maxb_n))) = (min_len, max_bytes) {
        if maxb < min {
            let (a, b) = (r.rule_name(&[n, min_n]), r.rule_name(&[n, maxb_n]));
            r.add(
                out,
                &[n, min_n],
                format!(
                    "Field {:?} has value {min} for {a}, which must be lower than value {maxb} for {b}. A string with {min} UTF-8 characters has at least {min} bytes, which is higher than {maxb} bytes.",
                    r.field_name
                ),
            );
            r.add(
                out,
                &[n, maxb_n],
                format!(
                    "Field {:?} has value {maxb} for {b}, which must be higher than value {min} for {a}. A string with {min} UTF-8 characters has at least {min} bytes, which is higher than {maxb} bytes.",
                    r.field_name
                ),
            );
        }
    }
    if let (Some((max, max_n)), Some((minb, minb_n))) = (max_len, min_bytes) {
        if max.saturating_mul(4) < minb {
            let (a, b) = (r.rule_name(&[n, minb_n]), r.rule_name(&[n, max_n]));
            let most = max.saturating_mul(4);
            r.add(
                out,
                &[n, minb_n],
                format!(
                    "Field {:?} has value {minb} for {a} but {max} for {b}. A string with {max} UTF-8 characters has at most {most} bytes.",
                    r.field_name
                ),
            );
            r.add(
                out,
                &[n, max_n],
                format!(
                    "Field {:?} has value {max} for {b} but {minb} for {a}. A string with {max} UTF-8 characters has at most {most} bytes.",
                    r.field_name
                ),
            );
        }
    }
    let not_contains = str_of(rules, "not_contains");
    for name in ["prefix", "suffix", "contains"] {
        let Some((sub, sub_n)) = str_of(rules, name) else {
            continue;
        };
        let rule = r.rule_name(&[n, sub_n]);
        let runes = sub.chars().count() as u64;
        if let Some((max, _)) = max_len {
            if runes > max {
                r.add(
                    out,
                    &[n, sub_n],
                    format!(
                        "Field {:?} has a {rule} of length {runes}, exceeding its max_len ({max}). It is impossible for a string to contain {} while having less than or equal to {runes} UTF-8 characters.",
                        r.field_name,
                        go_quote(&sub)
                    ),
                );
            }
        }
        let len = sub.len() as u64;
        if let Some((max, _)) = max_bytes {
            if len > max {
                r.add(
                    out,
                    &[n, sub_n],
                    format!(
                        "Field {:?} has a {rule} of {len} bytes, exceeding its max_bytes ({max}). It is impossible for a string to contain {} while having less than or equal to {len} bytes.",
                        r.field_name,
                        go_quote(&sub)
                    ),
                );
            }
        }
        if let Some((nc, _)) = &not_contains {
            if sub.contains(nc.as_str()) {
                r.add(
                    out,
                    &[n, sub_n],
                    format!(
                        "Field {:?} has a {rule} ({}) containing its not_contains ({}). It is impossible for a string to contain {} without containing {}.",
                        r.field_name,
                        go_quote(&sub),
                        go_quote(nc),
                        go_quote(&sub),
                        go_quote(nc)
                    ),
                );
            }
        }
    }
    if let Some((pattern, p_n)) = str_of(rules, "pattern") {
        if let Some(err) = regexp_error(&pattern) {
            r.add(
                out,
                &[n, p_n],
                format!(
                    "Field {:?} has a {} that fails to compile: {err}.",
                    r.field_name,
                    r.rule_name(&[n, p_n])
                ),
            );
        }
    }
    let strict = rules
        .descriptor()
        .get_field_by_name("strict")
        .filter(|f| rules.has_field(f));
    let well_known = rules
        .descriptor()
        .get_field_by_name("well_known_regex")
        .filter(|f| rules.has_field(f))
        .map(|f| rules.get_field(&f).as_enum_number().unwrap_or(0))
        .unwrap_or(0);
    if let Some(strict) = strict {
        if !rules.get_field(&strict).as_bool().unwrap_or(true) && well_known == 0 {
            let s = r.rule_name(&[n, strict.number() as i32]);
            let w = r.rule_name(&[n, 24]);
            r.add(
                out,
                &[n, strict.number() as i32],
                format!(
                    "Field {:?} has {s} without {w}. {s} only applies to {w} and is invalid without it.",
                    r.field_name
                ),
            );
        }
    }
}

fn bytes(r: &Reporter, rules: &DynamicMessage, out: &mut Sink) {
    let n = BYTES;
    check_const(r, n, rules, out);
    lengths(r, n, rules, ["len", "min_len", "max_len"], out);
    let max_len = u64_of(rules, "max_len");
    for name in ["prefix", "suffix", "contains"] {
        let Some((sub, sub_n)) = bytes_of(rules, name) else {
            continue;
        };
        if let Some((max, _)) = max_len {
            if sub.len() as u64 > max {
                r.add(
                    out,
                    &[n, sub_n],
                    format!(
                        "Field {:?} has a {} of {} bytes, exceeding its max_len ({max}). It is impossible to contain {} while having less than or equal to {max} bytes.",
                        r.field_name,
                        r.rule_name(&[n, sub_n]),
                        sub.len(),
                        go_quote_bytes(&sub)
                    ),
                );
            }
        }
    }
    if let Some((pattern, p_n)) = str_of(rules, "pattern") {
        if let Some(err) = regexp_error(&pattern) {
            r.add(
                out,
                &[n, p_n],
                format!(
                    "Field {:?} has a {} that fails to compile: {err}.",
                    r.field_name,
                    r.rule_name(&[n, p_n])
                ),
            );
        }
    }
}

fn field_mask(r: &Reporter, rules: &DynamicMessage, out: &mut Sink) {
    check_const(r, FIELD_MASK, rules, out);
    let list = |name: &str| -> Vec<String> {
        match rules.get_field_by_name(name).as_deref() {
            Some(Value::List(items)) => items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        }
    };
    let not_in = list("not_in");
    for path in list("in") {
        if not_in.contains(&path) {
            r.add(
                out,
                &[FIELD_MASK, 2],
                format!(
                    "Field {:?} has path {} in both in and not_in rules.",
                    r.field_name,
                    go_quote(&path)
                ),
            );
        }
    }
}
