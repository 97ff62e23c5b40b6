//! FIELD_SAME_ONEOF.

use super::current_file;
use crate::breaking::{Pairs, Report};

crate::declare_rule! {
    /// Checks that a field stays in the same oneof, or stays out of oneofs.
    ///
    /// Moving a field into or out of a oneof changes presence and which fields clear each other.
    /// proto3 `optional` (a synthetic oneof) does not count as a oneof here.
    pub FIELD_SAME_ONEOF = "Checks that fields keep their oneof."
}

pub(super) fn check<'a>(p: &Pairs<'a>, r: &mut Report<'a>) {
    for (prev, cur) in &p.fields {
        if prev.extendee().is_some() {
            continue;
        }
        let (before, after) = (prev.real_oneof(), cur.real_oneof());
        let message = match (&before, &after) {
            (None, None) => continue,
            (Some(b), Some(a)) if b.name() == a.name() => continue,
            // buf's message has a stray `q` here; kept for identical output.
            (Some(b), Some(a)) => format!(
                "{}q moved from oneof {:?} to oneof {:?}.",
                cur.description(),
                b.name(),
                a.name()
            ),
            (Some(_), None) => format!(
                "{} moved from inside to outside a oneof.",
                cur.description()
            ),
            (None, Some(_)) => format!(
                "{} moved from outside to inside a oneof.",
                cur.description()
            ),
        };
        let file = current_file(p, &cur.file());
        let against = p.previous.file(prev.file().name());
        r.at(file, cur.path(), against, message);
    }
}
