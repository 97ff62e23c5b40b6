//! Field cardinality: optional (explicit or implicit presence), required, repeated, map.

use super::current_file;
use crate::breaking::pairs::Field;
use crate::breaking::{Pairs, Report};
use crate::compile::editions::features::{self as resolved, FieldPresence};
use crate::image::Image;

crate::declare_rule! {
    /// Checks that a field keeps its cardinality: optional with explicit presence, optional with
    /// implicit presence, required, repeated or map.
    ///
    /// Each changes the generated API (e.g. `has_` methods come and go). Map entry fields are not
    /// checked (they are generated).
    pub FIELD_SAME_CARDINALITY = "Checks that fields keep their cardinality."
}

crate::declare_rule! {
    /// Checks that a field's cardinality only changes within a wire-compatible group: optional
    /// (either presence), required, or repeated/map.
    pub FIELD_WIRE_COMPATIBLE_CARDINALITY = "Checks that fields keep a wire-compatible cardinality."
}

crate::declare_rule! {
    /// Checks that a field's cardinality only changes within a group compatible on the wire and in
    /// JSON: optional (either presence), required, repeated, map.
    pub FIELD_WIRE_JSON_COMPATIBLE_CARDINALITY = "Checks that fields keep a wire- and JSON-compatible cardinality."
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Cardinality {
    Explicit,
    Implicit,
    Required,
    Repeated,
    Map,
}

impl Cardinality {
    /// From the resolved features: the pool holds proto2-shaped copies of editions files, whose
    /// labels and presence do not say what the features do.
    fn of(image: &Image, field: &Field) -> Cardinality {
        if field.is_map() {
            return Cardinality::Map;
        }
        if field.is_list() {
            return Cardinality::Repeated;
        }
        let presence = match field {
            Field::Message(f) => resolved::effective_presence(image, f),
            Field::Extension(_) => None,
        };
        match presence {
            Some(FieldPresence::LegacyRequired) => Cardinality::Required,
            Some(FieldPresence::Implicit) => Cardinality::Implicit,
            Some(FieldPresence::Explicit) => Cardinality::Explicit,
            // Extensions: required only by proto2 label, otherwise explicit presence.
            None if field.cardinality() == prost_reflect::Cardinality::Required => {
                Cardinality::Required
            }
            None => Cardinality::Explicit,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Cardinality::Explicit => "optional with explicit presence",
            Cardinality::Implicit => "optional with implicit presence",
            Cardinality::Required => "required",
            Cardinality::Repeated => "repeated",
            Cardinality::Map => "map",
        }
    }

    fn wire_group(self) -> u8 {
        match self {
            Cardinality::Explicit | Cardinality::Implicit => 1,
            Cardinality::Required => 2,
            Cardinality::Repeated | Cardinality::Map => 3,
        }
    }

    fn wire_json_group(self) -> u8 {
        match self {
            Cardinality::Map => 4,
            other => other.wire_group(),
        }
    }
}

fn check<'a>(p: &Pairs<'a>, r: &mut Report<'a>, group: fn(Cardinality) -> u8) {
    for (prev, cur) in &p.fields {
        if prev.in_map_entry() && cur.in_map_entry() {
            continue;
        }
        let (before, after) = (
            Cardinality::of(p.previous.image, prev),
            Cardinality::of(p.current.image, cur),
        );
        if group(before) != group(after) {
            let file = current_file(p, &cur.file());
            let against = p.previous.file(prev.file().name());
            r.at(
                file,
                cur.path(),
                against,
                format!(
                    "{} changed cardinality from {:?} to {:?}.",
                    cur.description(),
                    before.as_str(),
                    after.as_str()
                ),
            );
        }
    }
}

fn identity(c: Cardinality) -> u8 {
    c as u8
}

pub(super) fn same<'a>(p: &Pairs<'a>, r: &mut Report<'a>) {
    check(p, r, identity)
}

pub(super) fn wire<'a>(p: &Pairs<'a>, r: &mut Report<'a>) {
    check(p, r, Cardinality::wire_group)
}

pub(super) fn wire_json<'a>(p: &Pairs<'a>, r: &mut Report<'a>) {
    check(p, r, Cardinality::wire_json_group)
}
