//! FIELD_SAME_CPP_STRING_TYPE.

use prost_reflect::Kind;

use super::current_file;
use crate::breaking::pairs::Field;
use crate::breaking::{features, Pairs, Report};
use crate::image::tag;

crate::declare_rule! {
    /// Checks that a string or bytes field keeps its C++ string type (the `ctype` option, or the
    /// `(pb.cpp).string_type` feature in editions): `STRING`, `CORD`, `VIEW`, `STRING_PIECE`.
    ///
    /// It changes the generated C++ accessors. Going from `STRING_PIECE` to `STRING` is allowed.
    pub FIELD_SAME_CPP_STRING_TYPE = "Checks that string and bytes fields keep their C++ string type."
}

fn is_string_or_bytes(field: &Field) -> bool {
    matches!(field.kind(), Kind::String | Kind::Bytes)
}

pub(super) fn check<'a>(p: &Pairs<'a>, r: &mut Report<'a>) {
    for (prev, cur) in &p.fields {
        if prev.in_map_entry() && cur.in_map_entry() {
            continue;
        }
        if !is_string_or_bytes(prev) || !is_string_or_bytes(cur) {
            continue;
        }
        let (before, before_piece) = features::cpp_string_type(p.previous.image, prev);
        let (after, after_piece) = features::cpp_string_type(p.current.image, cur);
        let changed = before != after || before_piece != after_piece;
        if !changed || (before_piece && after == "STRING" && !after_piece) {
            continue;
        }
        let show = |t: &'static str, piece: bool| if piece { "STRING_PIECE" } else { t };
        let file = current_file(p, &cur.file());
        let against = p.previous.file(prev.file().name());
        let mut ctype_path = cur.path().to_vec();
        ctype_path.extend([tag::field::OPTIONS, 1]);
        r.at_first(
            file,
            &[
                &ctype_path,
                &features::field_feature_path(
                    cur,
                    &[features::feature::CPP, features::feature::CPP_STRING_TYPE],
                ),
                cur.path(),
            ],
            against,
            format!(
                "{} changed C++ string type from {:?} to {:?}.",
                cur.description(),
                show(before, before_piece),
                show(after, after_piece)
            ),
        );
    }
}
