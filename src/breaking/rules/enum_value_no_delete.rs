//! Deleting enum values: never, or only with the number or the name reserved.

use super::current_file;
use crate::breaking::pairs::values_by_number;
use crate::breaking::{Fix, Pairs, Report};

crate::declare_rule! {
    /// Checks that no enum value is deleted.
    ///
    /// Generated code that names the value stops compiling. Reported on the enum.
    ///
    /// Fix: keep the value (deprecate it), or under `WIRE`/`WIRE_JSON` reserve it:
    /// `reserved 2; reserved "FOO_BAR";` (`protoforge breaking --fix` writes that for you).
    pub ENUM_VALUE_NO_DELETE = "Checks that enum values are not deleted."
}

crate::declare_rule! {
    /// Checks that a deleted enum value has its name reserved, so that no later value reuses the
    /// name (JSON carries enum values by name).
    pub ENUM_VALUE_NO_DELETE_UNLESS_NAME_RESERVED = "Checks that deleted enum values have their names reserved."
}

crate::declare_rule! {
    /// Checks that a deleted enum value has its number reserved, so that no later value reuses the
    /// number with another meaning (the binary encoding carries numbers).
    pub ENUM_VALUE_NO_DELETE_UNLESS_NUMBER_RESERVED = "Checks that deleted enum values have their numbers reserved."
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
    for (prev, cur) in &p.enums {
        let now = values_by_number(cur);
        for (number, values) in values_by_number(prev) {
            if now.contains_key(&number) {
                continue;
            }
            let mut names: Vec<&str> = values.iter().map(|v| v.name()).collect();
            names.sort_unstable();
            let number_reserved = cur.reserved_ranges().any(|range| range.contains(&number));
            let names_reserved = names
                .iter()
                .all(|n| cur.reserved_names().any(|reserved| reserved == *n));
            let suffix = match allow {
                Allow::Nothing => String::new(),
                Allow::NumberReserved if number_reserved => continue,
                Allow::NameReserved if names_reserved => continue,
                Allow::NumberReserved => format!(" without reserving the number \"{number}\""),
                Allow::NameReserved => format!(
                    " without reserving the name{} {}",
                    if names.len() > 1 { "s" } else { "" },
                    quoted_list(&names)
                ),
            };
            let file = current_file(p, &cur.parent_file());
            let against = p.previous.file(prev.parent_file().name());
            let mut fix = Vec::new();
            if !number_reserved {
                fix.push(format!("reserved {number};"));
            }
            // Names still used by other values cannot be reserved.
            let free: Vec<&str> = names
                .iter()
                .copied()
                .filter(|n| {
                    cur.get_value_by_name(n).is_none() && !cur.reserved_names().any(|r| r == *n)
                })
                .collect();
            if !free.is_empty() {
                fix.push(format!("reserved {};", quoted_list(&free)));
            }
            let hit = r.at(
                file,
                cur.path(),
                against,
                format!(
                    "Previously present enum value \"{number}\" on enum {:?} was deleted{suffix}.",
                    cur.name()
                ),
            )
            .help(if fix.is_empty() {
                "the number and the name are reserved, so the wire and JSON encodings are safe; \
                     ENUM_VALUE_NO_DELETE also protects code generated from the value: if none uses it, select \
                     ENUM_VALUE_NO_DELETE_UNLESS_NUMBER_RESERVED (the WIRE_JSON category) instead"
                    .to_string()
            } else {
                format!(
                    "add `{}` to enum {} so the value is never reused",
                    fix.join(" "),
                    cur.name()
                )
            });
            if let (Some(file), false) = (file, fix.is_empty()) {
                hit.fix = Some(Fix {
                    root_path: file.root_path.clone(),
                    display_path: file.external_path.clone(),
                    container: cur.path().to_vec(),
                    container_name: format!("enum {}", cur.name()),
                    statements: fix,
                });
            }
        }
    }
}

/// `"A", "B"`.
pub(super) fn quoted_list(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("{n:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}
