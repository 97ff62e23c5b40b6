//! FIELD_SAME_NAME.

use super::current_file;
use crate::breaking::{Pairs, Report};
use crate::image::tag;

crate::declare_rule! {
    /// Checks that a field number keeps its name (extensions: their full name).
    ///
    /// Generated code and JSON use the name: renaming breaks both.
    pub FIELD_SAME_NAME = "Checks that fields keep their name."
}

pub(super) fn check<'a>(p: &Pairs<'a>, r: &mut Report<'a>) {
    for (prev, cur) in &p.fields {
        let (before, after) = if prev.extendee().is_some() {
            (prev.full_name(), cur.full_name())
        } else {
            (prev.name(), cur.name())
        };
        if before == after {
            continue;
        }
        let file = current_file(p, &cur.file());
        let against = p.previous.file(prev.file().name());
        let mut path = cur.path().to_vec();
        path.push(tag::field::NAME);
        r.at(
            file,
            &path,
            against,
            format!(
                "{} changed name from {before:?} to {after:?}.",
                cur.description_with_name(false)
            ),
        );
    }
}
