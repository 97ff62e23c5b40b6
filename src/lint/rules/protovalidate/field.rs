//! `(buf.validate.field)` rules: rule kind vs. field type, repeated/map rules, `required` and
//! `ignore`, then the per-type consistency checks (`scalar`), examples and CEL.

use prost_reflect::{DynamicMessage, ExtensionDescriptor, FieldDescriptor, Kind, Value};

use super::locate::{FileIndex, OptionLocations};
use super::report::Reporter;
use super::{cel, examples, scalar, Validate};
use crate::compile::editions::features::{effective_presence, FieldPresence};
use crate::image::{tag, Image};
use crate::lint::{CheckedFile, Sink};

// Field numbers in `buf.validate.FieldRules`.
pub const REPEATED: i32 = 18;
pub const MAP: i32 = 19;
const REQUIRED: i32 = 25;
const IGNORE: i32 = 27;
// `Ignore` enum values.
const IGNORE_IF_ZERO_VALUE: i32 = 1;
const IGNORE_ALWAYS: i32 = 3;

/// A field or extension as the checks see it (the same shape for both).
#[derive(Clone)]
pub(crate) struct Target {
    pub name: String,
    pub kind: Kind,
    pub is_list: bool,
    pub is_map: bool,
    /// Non-synthetic or synthetic oneof the field is in.
    pub oneof: Option<String>,
    pub proto3_optional: bool,
    pub has_presence: bool,
    pub is_extension: bool,
    pub options: Option<DynamicMessage>,
}

impl Target {
    pub fn field(image: &Image, f: &FieldDescriptor) -> Target {
        let proto = f.field_descriptor_proto();
        Target {
            name: f.name().to_string(),
            kind: f.kind(),
            is_list: f.is_list(),
            is_map: f.is_map(),
            oneof: f.containing_oneof().map(|o| o.name().to_string()),
            proto3_optional: proto.proto3_optional(),
            has_presence: has_presence(image, f),
            is_extension: false,
            options: proto.options.is_some().then(|| f.options()),
        }
    }

    pub fn extension(e: &ExtensionDescriptor) -> Target {
        let proto = e.field_descriptor_proto();
        Target {
            name: e.name().to_string(),
            kind: e.kind(),
            is_list: e.is_list(),
            is_map: e.is_map(),
            oneof: None,
            proto3_optional: false,
            has_presence: !e.is_list(),
            is_extension: true,
            options: proto.options.is_some().then(|| e.options()),
        }
    }

    /// The key or value field of a map entry, seen as a target of `map.keys` / `map.values`.
    fn map_part(image: &Image, f: &FieldDescriptor) -> Target {
        Target {
            name: f.name().to_string(),
            kind: f.kind(),
            is_list: false,
            is_map: false,
            oneof: None,
            proto3_optional: false,
            has_presence: has_presence(image, f),
            is_extension: false,
            options: None,
        }
    }

    fn message_name(&self) -> Option<String> {
        match &self.kind {
            Kind::Message(m) => Some(m.full_name().to_string()),
            _ => None,
        }
    }
}

/// Whether a field tracks presence (proto2, proto3 `optional`, messages, oneofs, editions'
/// `EXPLICIT`).
fn has_presence(image: &Image, f: &FieldDescriptor) -> bool {
    !matches!(
        effective_presence(image, f),
        None | Some(FieldPresence::Implicit)
    )
}

/// buf's name of a field's type: `int32`, `enum`, `foo.v1.Bar`, `map<string, int32>`.
pub fn pretty_type(kind: &Kind, is_map: bool) -> String {
    match kind {
        Kind::Message(m) if is_map => {
            let part = |f: Option<FieldDescriptor>| {
                f.map(|f| pretty_type(&f.kind(), f.is_map()))
                    .unwrap_or_default()
            };
            format!("map<{}, {}>", part(m.get_field(1)), part(m.get_field(2)))
        }
        Kind::Message(m) => m.full_name().to_string(),
        Kind::Enum(_) => "enum".into(),
        Kind::Double => "double".into(),
        Kind::Float => "float".into(),
        Kind::Int32 => "int32".into(),
        Kind::Int64 => "int64".into(),
        Kind::Uint32 => "uint32".into(),
        Kind::Uint64 => "uint64".into(),
        Kind::Sint32 => "sint32".into(),
        Kind::Sint64 => "sint64".into(),
        Kind::Fixed32 => "fixed32".into(),
        Kind::Fixed64 => "fixed64".into(),
        Kind::Sfixed32 => "sfixed32".into(),
        Kind::Sfixed64 => "sfixed64".into(),
        Kind::Bool => "bool".into(),
        Kind::String => "string".into(),
        Kind::Bytes => "bytes".into(),
    }
}

/// Checks the `(buf.validate.field)` option of a field or extension at `path`.
pub(crate) fn check_field(
    v: &Validate,
    file: &CheckedFile,
    index: &FileIndex,
    target: &Target,
    path: &[i32],
    out: &mut Sink,
) {
    let Some(options) = &target.options else {
        return;
    };
    if !options.has_extension(&v.field_ext) {
        return;
    }
    let Value::Message(rules) = options.get_extension(&v.field_ext).into_owned() else {
        return;
    };
    let locations = OptionLocations::new(index, &v.pool, path, tag::field::OPTIONS, &v.field_ext);
    let reporter = Reporter {
        file,
        element: path,
        locations: &locations,
        field_rules: &v.field_rules,
        base: Vec::new(),
        field_name: target.name.clone(),
        pretty_type: pretty_type(&target.kind, target.is_map),
    };
    rules_for(
        v,
        &reporter,
        &rules,
        target,
        target.is_list || target.is_map,
        out,
    );
}

fn get_i32(m: &DynamicMessage, name: &str) -> Option<i32> {
    if !m.has_field_by_name(name) {
        return None;
    }
    match m.get_field_by_name(name)?.as_ref() {
        Value::EnumNumber(n) | Value::I32(n) => Some(*n),
        _ => None,
    }
}

pub fn get_bool(m: &DynamicMessage, name: &str) -> bool {
    m.has_field_by_name(name)
        && m.get_field_by_name(name)
            .and_then(|v| v.as_bool())
            .unwrap_or(false)
}

/// The name of an `Ignore` value as buf prints it (from its own copy of validate.proto, whatever
/// names the linted copy uses).
fn ignore_name(n: i32) -> &'static str {
    match n {
        IGNORE_IF_ZERO_VALUE => "IGNORE_IF_ZERO_VALUE",
        IGNORE_ALWAYS => "IGNORE_ALWAYS",
        _ => "IGNORE_UNSPECIFIED",
    }
}

/// One `FieldRules` message for `target` (recursing once into items, keys and values).
fn rules_for(
    v: &Validate,
    r: &Reporter,
    rules: &DynamicMessage,
    target: &Target,
    expect_repeated: bool,
    out: &mut Sink,
) {
    let required = get_bool(rules, "required");
    let ignore = get_i32(rules, "ignore");
    if target.is_extension {
        if required {
            r.add(
                out,
                &[REQUIRED],
                format!(
                    "Field {:?} is an extension field and cannot have {}.",
                    r.field_name,
                    r.rule_name(&[REQUIRED])
                ),
            );
        }
        if ignore == Some(IGNORE_IF_ZERO_VALUE) {
            r.add(
                out,
                &[IGNORE],
                format!(
                    "Field {:?} is an extension field and cannot have {}={}.",
                    r.field_name,
                    r.rule_name(&[IGNORE]),
                    ignore_name(IGNORE_IF_ZERO_VALUE)
                ),
            );
        }
    }
    if let Some(oneof) = &target.oneof {
        if !target.proto3_optional && required && r.base.is_empty() {
            let name = r.rule_name(&[REQUIRED]);
            r.add(
                out,
                &[REQUIRED],
                format!(
                    "Field {:?} has {name} but is in a oneof ({oneof}). Oneof fields must not have {name}.",
                    r.field_name
                ),
            );
        }
    }
    let count = rules.fields().count() + rules.extensions().count();
    if ignore == Some(IGNORE_ALWAYS) && count > 1 {
        r.add(
            out,
            &[IGNORE],
            format!(
                "Field {:?} has {}={} and therefore other rules in {} are not applied and should be removed.",
                r.field_name,
                r.rule_name(&[IGNORE]),
                ignore_name(IGNORE_ALWAYS),
                r.rule_name(&[])
            ),
        );
    }
    if required && ignore == Some(IGNORE_IF_ZERO_VALUE) {
        r.add_each(
            out,
            &[&[REQUIRED], &[IGNORE]],
            format!(
                "Field {:?} has both {} and {}={}. A field cannot be empty if it is required.",
                r.field_name,
                r.rule_name(&[REQUIRED]),
                r.rule_name(&[IGNORE]),
                ignore_name(IGNORE_IF_ZERO_VALUE)
            ),
        );
    }
    if ignore == Some(IGNORE_IF_ZERO_VALUE) && target.has_presence && !target.is_extension {
        r.add(
            out,
            &[IGNORE],
            format!(
                "Field {:?} has {}={} and tracks presence. This is the same as the default and the ignore option can be removed.",
                r.field_name,
                r.rule_name(&[IGNORE]),
                ignore_name(IGNORE_IF_ZERO_VALUE)
            ),
        );
    }
    cel::check_field_cel(v, r, rules, target, !expect_repeated, out);
    let Some((type_field, type_rules)) = type_rules(rules) else {
        return;
    };
    let number = type_field.number() as i32;
    if number == MAP {
        map_rules(v, r, &type_rules, target, out);
        return;
    }
    if number == REPEATED {
        repeated_rules(v, r, &type_rules, target, out);
        return;
    }
    if !type_matches(r, target, number, expect_repeated, out) {
        return;
    }
    examples::check_examples(r, rules, number, &type_rules, target, out);
    scalar::check_type_rules(r, number, &type_rules, out);
}

/// The set member of the `type` oneof of `FieldRules`, with its value.
fn type_rules(rules: &DynamicMessage) -> Option<(FieldDescriptor, DynamicMessage)> {
    rules.fields().find_map(|(f, value)| {
        let in_type = f.containing_oneof().is_some_and(|o| o.name() == "type");
        match value {
            Value::Message(m) if in_type => Some((f, m.clone())),
            _ => None,
        }
    })
}

/// Whether the scalar rules `number` (a `FieldRules.type` member) fit a field of `kind`.
fn scalar_fits(number: i32, kind: &Kind) -> bool {
    matches!(
        (number, kind),
        (1, Kind::Float)
            | (2, Kind::Double)
            | (3, Kind::Int32)
            | (4, Kind::Int64)
            | (5, Kind::Uint32)
            | (6, Kind::Uint64)
            | (7, Kind::Sint32)
            | (8, Kind::Sint64)
            | (9, Kind::Fixed32)
            | (10, Kind::Fixed64)
            | (11, Kind::Sfixed32)
            | (12, Kind::Sfixed64)
            | (13, Kind::Bool)
            | (14, Kind::String)
            | (15, Kind::Bytes)
            | (16, Kind::Enum(_))
    )
}

/// The message the rules `number` also fit (wrappers and well-known types).
fn message_fits(number: i32) -> Option<&'static str> {
    Some(match number {
        1 => "google.protobuf.FloatValue",
        2 => "google.protobuf.DoubleValue",
        3 => "google.protobuf.Int32Value",
        4 => "google.protobuf.Int64Value",
        5 => "google.protobuf.UInt32Value",
        6 => "google.protobuf.UInt64Value",
        13 => "google.protobuf.BoolValue",
        14 => "google.protobuf.StringValue",
        15 => "google.protobuf.BytesValue",
        20 => "google.protobuf.Any",
        21 => "google.protobuf.Duration",
        22 => "google.protobuf.Timestamp",
        28 => "google.protobuf.FieldMask",
        _ => return None,
    })
}

fn type_matches(
    r: &Reporter,
    target: &Target,
    number: i32,
    expect_repeated: bool,
    out: &mut Sink,
) -> bool {
    if expect_repeated {
        r.add(
            out,
            &[number],
            format!(
                "Field {:?} is of type repeated {} but has {} rules.",
                r.field_name,
                r.pretty_type,
                r.rule_name(&[number])
            ),
        );
        return false;
    }
    if scalar_fits(number, &target.kind) {
        return true;
    }
    let message = message_fits(number);
    if message.is_some() && target.message_name().as_deref() == message {
        return true;
    }
    r.add(
        out,
        &[number],
        format!(
            "Field {:?} is of type {} but has {} rules.",
            r.field_name,
            r.pretty_type,
            r.rule_name(&[number])
        ),
    );
    false
}

fn get_u64(m: &DynamicMessage, name: &str) -> Option<u64> {
    if !m.has_field_by_name(name) {
        return None;
    }
    m.get_field_by_name(name).and_then(|v| v.as_u64())
}

const WRAPPERS: &[&str] = &[
    "google.protobuf.FloatValue",
    "google.protobuf.DoubleValue",
    "google.protobuf.Int32Value",
    "google.protobuf.Int64Value",
    "google.protobuf.UInt32Value",
    "google.protobuf.UInt64Value",
    "google.protobuf.BoolValue",
    "google.protobuf.StringValue",
    "google.protobuf.BytesValue",
];

fn sub_rules(m: &DynamicMessage, name: &str) -> Option<DynamicMessage> {
    if !m.has_field_by_name(name) {
        return None;
    }
    match m.get_field_by_name(name)?.into_owned() {
        Value::Message(m) => Some(m),
        _ => None,
    }
}

fn repeated_rules(
    v: &Validate,
    r: &Reporter,
    rules: &DynamicMessage,
    target: &Target,
    out: &mut Sink,
) {
    if !target.is_list {
        r.add(
            out,
            &[REPEATED],
            format!(
                "Field {:?} is not repeated but has {} rules.",
                r.field_name,
                r.rule_name(&[REPEATED])
            ),
        );
        return;
    }
    if get_bool(rules, "unique") {
        if let Some(name) = target.message_name() {
            if !WRAPPERS.contains(&name.as_str()) {
                r.add(
                    out,
                    &[REPEATED, 3],
                    format!(
                        "Field {:?} is of type {} but has {} set to true, which is only allowed for scalar types and wrapper types.",
                        r.field_name,
                        r.pretty_type,
                        r.rule_name(&[REPEATED, 3])
                    ),
                );
            }
        }
    }
    if let (Some(min), Some(max)) = (get_u64(rules, "min_items"), get_u64(rules, "max_items")) {
        if min > max {
            let (min_name, max_name) = (r.rule_name(&[REPEATED, 1]), r.rule_name(&[REPEATED, 2]));
            r.add(
                out,
                &[REPEATED, 1],
                format!(
                    "Field {:?} has value {min} for {min_name}, which must be lower than value {max} for {max_name}.",
                    r.field_name
                ),
            );
            r.add(
                out,
                &[REPEATED, 2],
                format!(
                    "Field {:?} has value {max} for {max_name}, which must be higher than value {min} for {min_name}.",
                    r.field_name
                ),
            );
        }
    }
    let items = r.nested(&[REPEATED, 4]);
    if let Some(item_rules) = sub_rules(rules, "items") {
        if get_bool(&item_rules, "required") {
            let name = items.rule_name(&[REQUIRED]);
            items.add(
                out,
                &[REQUIRED],
                format!(
                    "Field {:?} has {name} on repeated item rules, which is unenforceable. The {name} constraint cannot be applied to individual items in a repeated field.",
                    r.field_name
                ),
            );
        }
        let mut item = target.clone();
        item.has_presence = false;
        item.oneof = None;
        rules_for(v, &items, &item_rules, &item, false, out);
    }
}

fn map_rules(v: &Validate, r: &Reporter, rules: &DynamicMessage, target: &Target, out: &mut Sink) {
    let entry = match (&target.kind, target.is_map) {
        (Kind::Message(m), true) => m.clone(),
        _ => {
            r.add(
                out,
                &[MAP],
                format!(
                    "Field {:?} is not a map but has {}.",
                    r.field_name,
                    r.rule_name(&[MAP])
                ),
            );
            return;
        }
    };
    if let (Some(min), Some(max)) = (get_u64(rules, "min_pairs"), get_u64(rules, "max_pairs")) {
        if min > max {
            let (min_name, max_name) = (r.rule_name(&[MAP, 1]), r.rule_name(&[MAP, 2]));
            r.add(
                out,
                &[MAP, 1],
                format!(
                    "Field {:?} has value {min} for {min_name}, which must be lower than value {max} for {max_name}.",
                    r.field_name
                ),
            );
            r.add(
                out,
                &[MAP, 2],
                format!(
                    "Field {:?} has value {max} for {max_name}, which must be higher than value {min} for {min_name}.",
                    r.field_name
                ),
            );
        }
    }
    for (name, number, what) in [("keys", 4, "key"), ("values", 5, "value")] {
        let Some(part_rules) = sub_rules(rules, name) else {
            continue;
        };
        let nested = r.nested(&[MAP, number]);
        if get_bool(&part_rules, "required") {
            let rule = nested.rule_name(&[REQUIRED]);
            let plural = if what == "key" { "keys" } else { "values" };
            nested.add(
                out,
                &[REQUIRED],
                format!(
                    "Field {:?} has {rule} on map {what} rules, which is unenforceable. The {rule} constraint cannot be applied to map {plural}.",
                    r.field_name
                ),
            );
        }
        let Some(part) = entry.get_field(number as u32 - 3) else {
            continue;
        };
        let part = Target::map_part(v.image, &part);
        rules_for(v, &nested, &part_rules, &part, false, out);
    }
}
