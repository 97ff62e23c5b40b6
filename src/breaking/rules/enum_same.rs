//! An enum keeps its openness and its JSON format support.

use super::current_file;
use crate::breaking::{features, Pairs, Report};

crate::declare_rule! {
    /// Checks that an enum stays open or stays closed.
    ///
    /// Open enums (proto3) keep unknown values, closed enums (proto2) move them to unknown fields:
    /// switching changes what readers see for values they do not know.
    pub ENUM_SAME_TYPE = "Checks that enums stay open or closed."
}

crate::declare_rule! {
    /// Checks that an enum whose JSON format was fully supported (`ALLOW`) stays so.
    pub ENUM_SAME_JSON_FORMAT = "Checks that enums keep their JSON format support."
}

pub(super) fn enum_same_type<'a>(p: &Pairs<'a>, r: &mut Report<'a>) {
    for (prev, cur) in &p.enums {
        let before = features::enum_is_closed(p.previous.image, prev);
        let after = features::enum_is_closed(p.current.image, cur);
        if before != after {
            let (from, to) = if after {
                ("open", "closed")
            } else {
                ("closed", "open")
            };
            let file = current_file(p, &cur.parent_file());
            let against = p.previous.file(prev.parent_file().name());
            let feature = features::enum_feature_path(cur, features::feature::ENUM_TYPE);
            r.at_first(
                file,
                &[&feature, cur.path()],
                against,
                format!("Enum {:?} changed from {from} to {to}.", cur.name()),
            );
        }
    }
}

pub(super) fn enum_same_json_format<'a>(p: &Pairs<'a>, r: &mut Report<'a>) {
    for (prev, cur) in &p.enums {
        let before = features::enum_json_format(p.previous.image, prev);
        let after = features::enum_json_format(p.current.image, cur);
        if before == "ALLOW" && after != "ALLOW" {
            let file = current_file(p, &cur.parent_file());
            let against = p.previous.file(prev.parent_file().name());
            let feature = features::enum_feature_path(cur, features::feature::JSON_FORMAT);
            r.at_first(
                file,
                &[&feature, cur.path()],
                against,
                format!(
                    "Enum {:?} JSON format support changed from {before} to {after}.",
                    cur.name()
                ),
            );
        }
    }
}
