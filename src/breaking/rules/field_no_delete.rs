//! Deleting message fields: never, or only with the number or the name reserved.

use super::current_file;
use crate::breaking::pairs::Field;
use crate::breaking::{Fix, Pairs, Report};

crate::declare_rule! {
    /// Checks that no field is deleted from a message.
    ///
    /// Generated code that uses the field stops compiling, and old writers still send it. Reported
    /// on the message.
    ///
    /// Fix: keep the field (deprecate it), or under `WIRE`/`WIRE_JSON` reserve it:
    /// `reserved 3; reserved "email";` (`protoforge breaking --fix` writes that for you).
    pub FIELD_NO_DELETE = "Checks that fields are not deleted from messages."
}

crate::declare_rule! {
    /// Checks that a deleted field has its name reserved, so that no later field reuses the name
    /// (JSON carries fields by name).
    pub FIELD_NO_DELETE_UNLESS_NAME_RESERVED = "Checks that deleted fields have their names reserved."
}

crate::declare_rule! {
    /// Checks that a deleted field has its number reserved, so that no later field reuses the
    /// number with another type (the binary encoding carries numbers).
    pub FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED = "Checks that deleted fields have their numbers reserved."
}

#[derive(Clone, Copy, PartialEq)]
enum Allow {
    Nothing,
    NameReserved,
    NumberReserved,
}

pub(super) fn no_delete<'a>(p: &Pairs<'a>, r: &mut Report<'a>) {
    check(p, r, Allow::Nothing)
}

pub(super) fn unless_name_reserved<'a>(p: &Pairs<'a>, r: &mut Report<'a>) {
    check(p, r, Allow::NameReserved)
}

pub(super) fn unless_number_reserved<'a>(p: &Pairs<'a>, r: &mut Report<'a>) {
    check(p, r, Allow::NumberReserved)
}

fn check<'a>(p: &Pairs<'a>, r: &mut Report<'a>, allow: Allow) {
    for (prev, cur) in &p.messages {
        for field in prev.fields() {
            let number = field.number();
            if cur.get_field(number).is_some() {
                continue;
            }
            let number_reserved = cur.reserved_ranges().any(|range| range.contains(&number));
            let name_reserved = cur.reserved_names().any(|n| n == field.name());
            let suffix = match allow {
                Allow::Nothing => String::new(),
                Allow::NumberReserved if number_reserved => continue,
                Allow::NameReserved if name_reserved => continue,
                Allow::NumberReserved => format!(" without reserving the number \"{number}\""),
                Allow::NameReserved => format!(" without reserving the name {:?}", field.name()),
            };
            let description = Field::Message(field.clone()).description();
            let description = lower_first(&description);
            let mut fix = Vec::new();
            if !number_reserved {
                fix.push(format!("reserved {number};"));
            }
            // A name still used by another field cannot be reserved.
            if !name_reserved && cur.get_field_by_name(field.name()).is_none() {
                fix.push(format!("reserved {:?};", field.name()));
            }
            let file = current_file(p, &cur.parent_file());
            let against = p.previous.file(prev.parent_file().name());
            let hit = r.at(
                file,
                cur.path(),
                against,
                format!("Previously present {description} was deleted{suffix}."),
            )
            .help(if fix.is_empty() {
                "the number and the name are reserved, so the wire and JSON encodings are safe; \
                     FIELD_NO_DELETE also protects code generated from the field: if none uses it, select \
                     FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED (the WIRE_JSON category) instead"
                    .to_string()
            } else {
                format!(
                    "add `{}` to message {} so the field is never reused",
                    fix.join(" "),
                    cur.name()
                )
            });
            if let (Some(file), false) = (file, fix.is_empty()) {
                hit.fix = Some(Fix {
                    root_path: file.root_path.clone(),
                    display_path: file.external_path.clone(),
                    container: cur.path().to_vec(),
                    container_name: format!("message {}", cur.name()),
                    statements: fix,
                });
            }
        }
    }
}

fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}
