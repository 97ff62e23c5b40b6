//! FIELD_SAME_JSTYPE.

use prost_types::field_descriptor_proto::Type;
use prost_types::field_options::JsType;

use super::current_file;
use crate::breaking::pairs::Field;
use crate::breaking::{Pairs, Report};
use crate::image::tag;

crate::declare_rule! {
    /// Checks that a 64-bit integer field keeps its `jstype` option.
    ///
    /// `jstype` changes the type of the field in generated JavaScript (number or string).
    pub FIELD_SAME_JSTYPE = "Checks that 64-bit integer fields keep their jstype option."
}

fn is_64_bit(field: &Field) -> bool {
    matches!(
        field.proto().r#type(),
        Type::Int64 | Type::Sint64 | Type::Uint64 | Type::Fixed64 | Type::Sfixed64
    )
}

fn jstype(field: &Field) -> JsType {
    field
        .proto()
        .options
        .as_ref()
        .map(|o| o.jstype())
        .unwrap_or(JsType::JsNormal)
}

pub(super) fn check<'a>(p: &Pairs<'a>, r: &mut Report<'a>) {
    for (prev, cur) in &p.fields {
        if !is_64_bit(prev) || !is_64_bit(cur) {
            continue;
        }
        let (before, after) = (jstype(prev), jstype(cur));
        if before == after {
            continue;
        }
        let file = current_file(p, &cur.file());
        let against = p.previous.file(prev.file().name());
        let mut option_path = cur.path().to_vec();
        option_path.extend([tag::field::OPTIONS, 6]);
        r.at_first(
            file,
            &[&option_path, cur.path()],
            against,
            format!(
                "{} changed option \"jstype\" from {:?} to {:?}.",
                cur.description(),
                before.as_str_name(),
                after.as_str_name()
            ),
        );
    }
}
