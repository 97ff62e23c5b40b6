//! `(buf.validate.message)` rules (`cel`, `oneof`) and predefined rule extensions
//! (`extend buf.validate.StringRules { ... [(buf.validate.predefined).cel = ...] }`).

use std::collections::BTreeMap;

use prost_reflect::{DynamicMessage, ExtensionDescriptor, MessageDescriptor, Value};

use super::cel::{self, CelSite};
use super::cel_types::Ty;
use super::locate::{FileIndex, OptionLocations};
use super::Validate;
use crate::image::tag;
use crate::lint::{CheckedFile, Sink};

// Field numbers in `buf.validate.MessageRules` and `MessageOneofRule`.
const CEL: i32 = 3;
const ONEOF: i32 = 4;
const ONEOF_FIELDS: i32 = 1;

fn emit(
    file: &CheckedFile,
    element: &[i32],
    locations: &OptionLocations,
    extra: &[i32],
    out: &mut Sink,
    message: &str,
) {
    match locations.find(extra) {
        Some(span) => out.at_span(file, element, span, message),
        None => out.at(file, element, message),
    }
}

pub(crate) fn check_message(
    v: &Validate,
    file: &CheckedFile,
    index: &FileIndex,
    md: &MessageDescriptor,
    path: &[i32],
    out: &mut Sink,
) {
    if md.descriptor_proto().options.is_none() {
        return;
    }
    let options = md.options();
    if !options.has_extension(&v.message_ext) {
        return;
    }
    let Value::Message(rules) = options.get_extension(&v.message_ext).into_owned() else {
        return;
    };
    let locations =
        OptionLocations::new(index, &v.pool, path, tag::message::OPTIONS, &v.message_ext);
    let name = md.name();
    let site = CelSite {
        parent: format!("message {name:?}"),
        parent_capitalized: format!("Message {name:?}"),
        rule_name: "(buf.validate.message).cel".into(),
    };
    let rules_list = cel::rules_of(&rules, "cel");
    let this = Ty::Message(md.clone());
    let mut add = |index: usize, message: String| {
        emit(file, path, &locations, &[CEL, index as i32], out, &message);
    };
    cel::check_rules(&v.pool, &site, &rules_list, &[("this", this)], &mut add);
    oneof_rules(file, md, path, &locations, &rules, out);
}

fn oneof_rules(
    file: &CheckedFile,
    md: &MessageDescriptor,
    path: &[i32],
    locations: &OptionLocations,
    rules: &DynamicMessage,
    out: &mut Sink,
) {
    let Some(Value::List(entries)) = rules.get_field_by_name("oneof").map(|v| v.into_owned())
    else {
        return;
    };
    let name = md.name();
    // Field name -> indexes of the entries that name it (in order).
    let mut users: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        let Value::Message(entry) = entry else {
            continue;
        };
        let fields: Vec<String> = match entry.get_field_by_name("fields").as_deref() {
            Some(Value::List(items)) => items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        };
        let at = [ONEOF, i as i32];
        if fields.is_empty() {
            emit(file, path, locations, &at, out, &format!(
                "Message {name:?} has a (buf.validate.message).oneof entry with no fields. Each oneof entry must specify at least one field."
            ));
            continue;
        }
        let mut seen: Vec<&str> = Vec::new();
        for (j, field) in fields.iter().enumerate() {
            let field_at = [ONEOF, i as i32, ONEOF_FIELDS, j as i32];
            if seen.contains(&field.as_str()) {
                emit(file, path, locations, &field_at, out, &format!(
                    "Message {name:?} has a (buf.validate.message).oneof entry that references field {field:?} more than once. Duplicate field names are not permitted."
                ));
                continue;
            }
            seen.push(field);
            if md.get_field_by_name(field).is_none() {
                emit(file, path, locations, &field_at, out, &format!(
                    "Message {name:?} has a (buf.validate.message).oneof entry that references field {field:?}, which is not defined in the message."
                ));
                continue;
            }
            let list = users.entry(field.clone()).or_default();
            if list.is_empty() {
                order.push(field.clone());
            }
            list.push(i);
        }
    }
    for field in order {
        let indexes = &users[&field];
        if indexes.len() < 2 {
            continue;
        }
        let mut seen = Vec::new();
        for &i in indexes {
            let span = locations.find(&[ONEOF, i as i32]);
            if seen.contains(&span) {
                continue;
            }
            seen.push(span);
            let message = format!(
                "Message {name:?} references field {field:?} in more than one (buf.validate.message).oneof entry. A field may only appear in one oneof entry."
            );
            match span {
                Some(span) => out.at_span(file, path, span, message),
                None => out.at(file, path, message),
            }
        }
    }
}

/// `(buf.validate.predefined).cel` on an extension of one of the standard `*Rules` messages.
pub(crate) fn check_predefined(
    v: &Validate,
    file: &CheckedFile,
    index: &FileIndex,
    ext: &ExtensionDescriptor,
    path: &[i32],
    out: &mut Sink,
) {
    let Some(predefined) = &v.predefined_ext else {
        return;
    };
    let extendee = ext.containing_message();
    let extendee_name = extendee.full_name();
    if !(extendee_name.starts_with("buf.validate.") && extendee_name.ends_with("Rules")) {
        return;
    }
    let Some(this) = Ty::for_rules_message(&v.pool, extendee.name()) else {
        return;
    };
    if ext.field_descriptor_proto().options.is_none() {
        return;
    }
    let options = ext.options();
    if !options.has_extension(predefined) {
        return;
    }
    let Value::Message(rules) = options.get_extension(predefined).into_owned() else {
        return;
    };
    let locations = OptionLocations::new(index, &v.pool, path, tag::field::OPTIONS, predefined);
    let site = CelSite {
        parent: "extension field".into(),
        parent_capitalized: "Extension field".into(),
        rule_name: "(buf.validate.predefined).cel".into(),
    };
    let rule = Ty::of_field(&ext.kind(), ext.is_list(), ext.is_map());
    let rules_list = cel::rules_of(&rules, "cel");
    let mut add = |index: usize, message: String| {
        emit(file, path, &locations, &[1, index as i32], out, &message);
    };
    cel::check_rules(
        &v.pool,
        &site,
        &rules_list,
        &[
            ("rule", rule),
            ("rules", Ty::Message(extendee.clone())),
            ("this", this),
        ],
        &mut add,
    );
}
