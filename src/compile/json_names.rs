//! JSON name clashes that protoc and buf allow but the linker (prost-reflect) rejects.
//!
//! In proto2, and in editions messages with `features.json_format = LEGACY_BEST_EFFORT`, two fields
//! may have the same default JSON name (`foo_bar` and `fooBar`, `_x` and `X`): buf compiles such
//! files. prost-reflect rejects every clash. So before linking, [`make_linkable`] gives each later
//! field of such a clash a placeholder `json_name` (a NUL, then the field name: unique in the
//! message, never a real JSON name); after linking, [`restore`] and [`restore_encoded`] put the
//! default JSON name back in the image's descriptors, and [`real_json_name`] reads through the
//! placeholder where the pool's descriptors are used. Clashes that involve an explicit
//! `json_name`, or proto3 and `ALLOW` editions messages, stay errors (as in buf).

use std::borrow::Cow;
use std::collections::HashSet;

use prost_reflect::{DescriptorPool, DynamicMessage, ReflectMessage, Value};
use prost_types::{DescriptorProto, FieldDescriptorProto, FileDescriptorProto};

/// Starts a placeholder JSON name.
const PLACEHOLDER: char = '\0';

/// protoc's default JSON name: underscores dropped, the letter after each one upper-cased.
pub fn default_json_name(field_name: &str) -> String {
    let mut out = String::with_capacity(field_name.len());
    let mut upper = false;
    for c in field_name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// protoc's name of an enum value for the JSON-name conflict check: the enum's name removed as a
/// prefix (case and underscores ignored, when something is left), then PascalCase.
pub fn enum_value_pascal(enum_name: &str, value: &str) -> String {
    let prefix: String = enum_name
        .chars()
        .filter(|&c| c != '_')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    pascal_value(strip_enum_prefix(value, &prefix))
}

/// `name` without the enum name `prefix` (lower case, no underscores), if it starts with it
/// (ignoring case and underscores) and something is left.
pub(crate) fn strip_enum_prefix<'a>(name: &'a str, prefix: &str) -> &'a str {
    let bytes = name.as_bytes();
    let mut i = 0;
    let mut matched = 0;
    let prefix = prefix.as_bytes();
    while i < bytes.len() && matched < prefix.len() {
        if bytes[i] == b'_' {
            i += 1;
            continue;
        }
        if bytes[i].to_ascii_lowercase() != prefix[matched] {
            return name;
        }
        i += 1;
        matched += 1;
    }
    if matched < prefix.len() {
        return name;
    }
    while i < bytes.len() && bytes[i] == b'_' {
        i += 1;
    }
    match i == bytes.len() {
        true => name,
        false => &name[i..],
    }
}

/// `FOO_BAR` -> `FooBar` (underscores dropped, each word capitalised, the rest lower case).
pub(crate) fn pascal_value(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = true;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// The JSON name of a field as the pool has it, with a placeholder read through.
pub fn real_json_name<'a>(json_name: &'a str) -> Cow<'a, str> {
    match json_name.strip_prefix(PLACEHOLDER) {
        Some(field_name) => Cow::Owned(default_json_name(field_name)),
        None => Cow::Borrowed(json_name),
    }
}

/// Gives the later fields of allowed default-JSON-name clashes a placeholder (see the module
/// docs). `editions`: the file is an editions file (then only `LEGACY_BEST_EFFORT` messages allow
/// clashes). True when some field got one.
pub fn make_linkable(file: &mut FileDescriptorProto, editions: bool) -> bool {
    let syntax = file.syntax.as_deref().unwrap_or("");
    if !editions && !matches!(syntax, "" | "proto2") {
        return false;
    }
    let legacy =
        !editions || legacy_json_format(file.options.as_ref().map(|o| &o.uninterpreted_option[..]));
    let mut changed = false;
    for message in &mut file.message_type {
        changed |= message_linkable(message, editions, legacy);
    }
    changed
}

fn message_linkable(message: &mut DescriptorProto, editions: bool, inherited: bool) -> bool {
    let legacy = if editions {
        match json_format(
            message
                .options
                .as_ref()
                .map(|o| &o.uninterpreted_option[..]),
        ) {
            Some(format) => format == "LEGACY_BEST_EFFORT",
            None => inherited,
        }
    } else {
        true
    };
    let mut changed = false;
    if legacy {
        let explicit: HashSet<String> = message
            .field
            .iter()
            .filter_map(|f| f.json_name.clone())
            .collect();
        let mut seen: HashSet<String> = HashSet::new();
        for field in &mut message.field {
            if field.json_name.is_some() {
                continue;
            }
            let name = default_json_name(field.name());
            // A clash with an explicit json_name is an error in buf too: leave it to the linker.
            if explicit.contains(&name) {
                continue;
            }
            if !seen.insert(name) {
                field.json_name = Some(format!("{PLACEHOLDER}{}", field.name()));
                changed = true;
            }
        }
    }
    for nested in &mut message.nested_type {
        changed |= message_linkable(nested, editions, legacy);
    }
    changed
}

fn legacy_json_format(options: Option<&[prost_types::UninterpretedOption]>) -> bool {
    json_format(options) == Some("LEGACY_BEST_EFFORT")
}

/// `features.json_format` as written in uninterpreted options.
fn json_format(options: Option<&[prost_types::UninterpretedOption]>) -> Option<&str> {
    options?.iter().rev().find_map(|o| {
        let parts: Vec<&str> = o
            .name
            .iter()
            .filter(|p| !p.is_extension)
            .map(|p| p.name_part.as_str())
            .collect();
        (parts == ["features", "json_format"] && o.name.len() == 2)
            .then_some(o.identifier_value.as_deref())
            .flatten()
    })
}

/// [`make_linkable`] for a file read from an image (encoded, options kept): images list every
/// field's JSON name, so a name equal to the default one counts as not written. `None` when the
/// file needs no placeholder.
pub fn make_linkable_encoded(bytes: &[u8]) -> Result<Option<Vec<u8>>, String> {
    if encoded_syntax(bytes).is_some_and(|s| s != b"proto2") {
        return Ok(None);
    }
    let mut proto =
        <FileDescriptorProto as prost::Message>::decode(bytes).map_err(|e| e.to_string())?;
    each_field_mut(&mut proto.message_type, &mut |f| {
        if f.json_name.as_deref() == Some(default_json_name(f.name()).as_str()) {
            f.json_name = None;
        }
    });
    if !make_linkable(&mut proto, false) {
        return Ok(None);
    }
    // Set the placeholders on the full form, field by field in the same order.
    let mut placed = Vec::new();
    each_field_mut(&mut proto.message_type, &mut |f| {
        placed.push(f.json_name().starts_with(PLACEHOLDER))
    });
    let mut placed = placed.into_iter();
    let desc = FileDescriptorProto::default().descriptor();
    let mut file = DynamicMessage::decode(desc, bytes).map_err(|e| e.to_string())?;
    each_dynamic_field(&mut file, &mut |_, name| {
        placed
            .next()
            .unwrap_or(false)
            .then(|| format!("{PLACEHOLDER}{name}"))
    });
    Ok(Some(prost::Message::encode_to_vec(&file)))
}

/// The `syntax` (field 12) of an encoded file, without decoding the rest; `None` when absent (or
/// the bytes are malformed, which decoding will then report).
fn encoded_syntax(mut bytes: &[u8]) -> Option<&[u8]> {
    while !bytes.is_empty() {
        let field = super::wire::next_field(&mut bytes).ok()?;
        if field.tag == 12 {
            return field.body;
        }
    }
    None
}

/// Puts the default JSON name back where the linked copy has a placeholder.
pub fn restore(file: &mut FileDescriptorProto) {
    each_field_mut(&mut file.message_type, &mut |f| {
        if f.json_name().starts_with(PLACEHOLDER) {
            f.json_name = Some(default_json_name(f.name()));
        }
    });
}

/// Whether a linked file has placeholders (so its encoding needs [`restore_encoded`]).
pub fn has_placeholders(file: &FileDescriptorProto) -> bool {
    fn message(m: &DescriptorProto) -> bool {
        m.field
            .iter()
            .any(|f| f.json_name().starts_with(PLACEHOLDER))
            || m.nested_type.iter().any(message)
    }
    file.message_type.iter().any(message)
}

/// [`restore`] on an encoded `FileDescriptorProto` (custom options and unknown fields kept).
pub fn restore_encoded(pool: &DescriptorPool, bytes: &[u8]) -> Result<Vec<u8>, String> {
    let desc = pool
        .get_message_by_name("google.protobuf.FileDescriptorProto")
        .unwrap_or_else(|| FileDescriptorProto::default().descriptor());
    let mut file = DynamicMessage::decode(desc, bytes).map_err(|e| e.to_string())?;
    each_dynamic_field(&mut file, &mut |f, name| {
        let placeholder = matches!(
            f.get_field_by_name("json_name").as_deref(),
            Some(Value::String(s)) if s.starts_with(PLACEHOLDER)
        );
        placeholder.then(|| default_json_name(name))
    });
    Ok(prost::Message::encode_to_vec(&file))
}

/// Every field of `messages` and their nested messages: a message's fields, then its nested
/// messages in turn (the order [`each_dynamic_field`] follows too).
fn each_field_mut(messages: &mut [DescriptorProto], f: &mut dyn FnMut(&mut FieldDescriptorProto)) {
    for m in messages {
        m.field.iter_mut().for_each(&mut *f);
        each_field_mut(&mut m.nested_type, f);
    }
}

/// Every field of a dynamic `FileDescriptorProto`, in [`each_field_mut`]'s order: `json_name(field,
/// its name)` gives a new `json_name` to set, if any.
fn each_dynamic_field(
    file: &mut DynamicMessage,
    json_name: &mut dyn FnMut(&DynamicMessage, &str) -> Option<String>,
) {
    fn messages(
        list: Option<&mut Value>,
        json_name: &mut dyn FnMut(&DynamicMessage, &str) -> Option<String>,
    ) {
        let Some(Value::List(list)) = list else {
            return;
        };
        for m in list {
            let Value::Message(m) = m else { continue };
            if let Some(Value::List(fields)) = m.get_field_by_name_mut("field") {
                for f in fields {
                    let Value::Message(f) = f else { continue };
                    let name = match f.get_field_by_name("name").as_deref() {
                        Some(Value::String(s)) => s.clone(),
                        _ => String::new(),
                    };
                    if let Some(new) = json_name(f, &name) {
                        f.set_field_by_name("json_name", Value::String(new));
                    }
                }
            }
            messages(m.get_field_by_name_mut("nested_type"), json_name);
        }
    }
    messages(file.get_field_by_name_mut("message_type"), json_name);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(name: &str, json: Option<&str>) -> FieldDescriptorProto {
        FieldDescriptorProto {
            name: Some(name.into()),
            json_name: json.map(String::from),
            ..FieldDescriptorProto::default()
        }
    }

    fn file(syntax: &str, fields: Vec<FieldDescriptorProto>) -> FileDescriptorProto {
        FileDescriptorProto {
            syntax: Some(syntax.into()),
            message_type: vec![DescriptorProto {
                name: Some("M".into()),
                field: fields,
                ..DescriptorProto::default()
            }],
            ..FileDescriptorProto::default()
        }
    }

    #[test]
    fn proto2_default_clashes_get_placeholders_and_come_back() {
        let mut f = file(
            "proto2",
            vec![
                field("descriptor", None),
                field("Descriptor", None),
                field("_descriptor", None),
            ],
        );
        assert!(make_linkable(&mut f, false));
        let json: Vec<&str> = f.message_type[0]
            .field
            .iter()
            .map(|f| f.json_name())
            .collect();
        assert_eq!(json, ["", "", "\0_descriptor"]);
        assert_eq!(real_json_name("\0_descriptor"), "Descriptor");
        assert_eq!(real_json_name("fooBar"), "fooBar");
        assert!(has_placeholders(&f));
        restore(&mut f);
        assert_eq!(f.message_type[0].field[2].json_name(), "Descriptor");
        assert!(!has_placeholders(&f));
    }

    #[test]
    fn clashes_buf_rejects_are_left_alone() {
        let mut proto3 = file(
            "proto3",
            vec![field("foo_bar", None), field("fooBar", None)],
        );
        assert!(!make_linkable(&mut proto3, false));
        let mut explicit = file(
            "proto2",
            vec![field("foo_bar", None), field("baz", Some("fooBar"))],
        );
        assert!(!make_linkable(&mut explicit, false));
        let mut allow = file(
            "editions",
            vec![field("foo_bar", None), field("fooBar", None)],
        );
        assert!(!make_linkable(&mut allow, true));
    }

    #[test]
    fn legacy_best_effort_editions_messages_allow_clashes() {
        let mut f = file(
            "editions",
            vec![field("foo_bar", None), field("fooBar", None)],
        );
        f.message_type[0].options = Some(prost_types::MessageOptions {
            uninterpreted_option: vec![prost_types::UninterpretedOption {
                name: vec![
                    prost_types::uninterpreted_option::NamePart {
                        name_part: "features".into(),
                        is_extension: false,
                    },
                    prost_types::uninterpreted_option::NamePart {
                        name_part: "json_format".into(),
                        is_extension: false,
                    },
                ],
                identifier_value: Some("LEGACY_BEST_EFFORT".into()),
                ..Default::default()
            }],
            ..Default::default()
        });
        assert!(make_linkable(&mut f, true));
    }

    #[test]
    fn default_json_names_as_protoc() {
        assert_eq!(default_json_name("foo_bar_baz"), "fooBarBaz");
        assert_eq!(default_json_name("__descriptor__"), "Descriptor");
        assert_eq!(default_json_name("a1_b2"), "a1B2");
    }
}
