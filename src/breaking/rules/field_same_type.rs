//! Field types: the same, wire-compatible, or wire- and JSON-compatible.

use prost_reflect::Kind;

use super::current_file;
use crate::breaking::pairs::Field;
use crate::breaking::{features, Pairs, Report};
use crate::compile::editions::features as resolved;
use crate::image::{tag, Image};

crate::declare_rule! {
    /// Checks that a field keeps its type (and, for messages, enums and groups, the same type name).
    ///
    /// Any type change changes the generated API.
    pub FIELD_SAME_TYPE = "Checks that fields keep their type."
}

crate::declare_rule! {
    /// Checks that a field's type only changes to a wire-compatible one: int32/int64/uint32/uint64/
    /// bool, sint32/sint64, fixed32/sfixed32, fixed64/sfixed64, string to bytes; an enum only to an
    /// enum of the same name holding every previous value.
    pub FIELD_WIRE_COMPATIBLE_TYPE = "Checks that fields keep a wire-compatible type."
}

crate::declare_rule! {
    /// Checks that a field's type only changes to one compatible both on the wire and in JSON:
    /// int32/uint32, int64/uint64, fixed32/sfixed32, fixed64/sfixed64; an enum only to an enum of
    /// the same name holding every previous value.
    pub FIELD_WIRE_JSON_COMPATIBLE_TYPE = "Checks that fields keep a wire- and JSON-compatible type."
}

/// The kind name buf prints (`int32`, `message`, `group`, ...).
fn kind_name(image: &Image, field: &Field) -> &'static str {
    if field.is_group() || features::is_delimited(image, field) {
        return "group";
    }
    match field.kind() {
        Kind::Double => "double",
        Kind::Float => "float",
        Kind::Int32 => "int32",
        Kind::Int64 => "int64",
        Kind::Uint32 => "uint32",
        Kind::Uint64 => "uint64",
        Kind::Sint32 => "sint32",
        Kind::Sint64 => "sint64",
        Kind::Fixed32 => "fixed32",
        Kind::Fixed64 => "fixed64",
        Kind::Sfixed32 => "sfixed32",
        Kind::Sfixed64 => "sfixed64",
        Kind::Bool => "bool",
        Kind::String => "string",
        Kind::Bytes => "bytes",
        Kind::Message(_) => "message",
        Kind::Enum(_) => "enum",
    }
}

/// The kind as buf prints it: a delimited message field of an editions file is
/// `message (delimited encoding)` (a proto2 group stays `group`).
fn pretty_kind_name(image: &Image, field: &Field) -> &'static str {
    match kind_name(image, field) {
        "group" if resolved::file_edition(image, field.file().name()).is_editions() => {
            "message (delimited encoding)"
        }
        kind => kind,
    }
}

fn has_type_name(field: &Field) -> bool {
    field.is_group() || matches!(field.kind(), Kind::Message(_) | Kind::Enum(_))
}

fn type_name(field: &Field) -> &str {
    field.proto().type_name().trim_start_matches('.')
}

fn wire_group(kind: &str) -> u8 {
    match kind {
        "int32" | "int64" | "uint32" | "uint64" | "bool" => 1,
        "sint32" | "sint64" => 2,
        "string" => 3,
        "bytes" => 4,
        "fixed32" | "sfixed32" => 5,
        "fixed64" | "sfixed64" => 6,
        "double" => 7,
        "float" => 8,
        "group" => 9,
        "message" => 10,
        _ => 11,
    }
}

fn wire_json_group(kind: &str) -> u8 {
    match kind {
        "int32" | "uint32" => 1,
        "int64" | "uint64" => 2,
        "fixed32" | "sfixed32" => 3,
        "fixed64" | "sfixed64" => 4,
        "bool" => 5,
        "sint32" => 6,
        "sint64" => 7,
        "string" => 8,
        "bytes" => 9,
        "double" => 10,
        "float" => 11,
        "group" => 12,
        "message" => 13,
        _ => 14,
    }
}

/// The location of the type: the type name for messages, enums and groups, else the scalar type.
fn type_path(field: &Field) -> Vec<i32> {
    let mut path = field.path().to_vec();
    path.push(if has_type_name(field) {
        tag::field::TYPE_NAME
    } else {
        tag::field::TYPE
    });
    path
}

fn changed_type<'a>(p: &Pairs<'a>, r: &mut Report<'a>, prev: &Field, cur: &Field, extra: &str) {
    let file = current_file(p, &cur.file());
    let against = p.previous.file(prev.file().name());
    r.at(
        file,
        &type_path(cur),
        against,
        format!(
            "{} changed type from {:?} to {:?}.{extra}",
            cur.description(),
            pretty_kind_name(p.previous.image, prev),
            pretty_kind_name(p.current.image, cur)
        ),
    );
}

fn changed_type_name<'a>(p: &Pairs<'a>, r: &mut Report<'a>, prev: &Field, cur: &Field) {
    let file = current_file(p, &cur.file());
    let against = p.previous.file(prev.file().name());
    let mut path = cur.path().to_vec();
    path.push(tag::field::TYPE_NAME);
    r.at(
        file,
        &path,
        against,
        format!(
            "{} changed type from {:?} to {:?}.",
            cur.description(),
            type_name(prev),
            type_name(cur)
        ),
    );
}

pub(super) fn same<'a>(p: &Pairs<'a>, r: &mut Report<'a>) {
    for (prev, cur) in &p.fields {
        if kind_name(p.previous.image, prev) != kind_name(p.current.image, cur) {
            changed_type(p, r, prev, cur, "");
        } else if has_type_name(cur) && type_name(prev) != type_name(cur) {
            changed_type_name(p, r, prev, cur);
        }
    }
}

const WIRE_NOTE: &str =
    " See https://developers.google.com/protocol-buffers/docs/proto3#updating for wire compatibility rules.";

pub(super) fn wire<'a>(p: &Pairs<'a>, r: &mut Report<'a>) {
    for (prev, cur) in &p.fields {
        let (before, after) = (
            kind_name(p.previous.image, prev),
            kind_name(p.current.image, cur),
        );
        if wire_group(before) != wire_group(after) {
            match (before, after) {
                ("string", "bytes") => {}
                ("bytes", "string") => changed_type(
                    p,
                    r,
                    prev,
                    cur,
                    &format!(
                        "{WIRE_NOTE} Note that while string and bytes are compatible if the data is valid UTF-8, there is no way to enforce that a bytes field is UTF-8, so these fields may be incompatible."
                    ),
                ),
                _ => changed_type(p, r, prev, cur, WIRE_NOTE),
            }
            continue;
        }
        compatible_type_name(p, r, prev, cur);
    }
}

pub(super) fn wire_json<'a>(p: &Pairs<'a>, r: &mut Report<'a>) {
    for (prev, cur) in &p.fields {
        if wire_json_group(kind_name(p.previous.image, prev))
            != wire_json_group(kind_name(p.current.image, cur))
        {
            changed_type(
                p,
                r,
                prev,
                cur,
                " See https://developers.google.com/protocol-buffers/docs/proto3#updating for wire compatibility rules and https://developers.google.com/protocol-buffers/docs/proto3#json for JSON compatibility rules.",
            );
            continue;
        }
        compatible_type_name(p, r, prev, cur);
    }
}

/// Same kind group: messages and groups must keep the type name; an enum may change to an enum of
/// the same short name that holds every previous value.
fn compatible_type_name<'a>(p: &Pairs<'a>, r: &mut Report<'a>, prev: &Field, cur: &Field) {
    if !has_type_name(cur) || type_name(prev) == type_name(cur) {
        return;
    }
    if let (Kind::Enum(before), Kind::Enum(after)) = (prev.kind(), cur.kind()) {
        let subset = before.values().all(|v| {
            after.get_value(v.number()).is_some_and(|_| {
                after
                    .values()
                    .any(|a| a.number() == v.number() && a.name() == v.name())
            })
        });
        if before.name() == after.name() && subset {
            return;
        }
    }
    changed_type_name(p, r, prev, cur);
}
