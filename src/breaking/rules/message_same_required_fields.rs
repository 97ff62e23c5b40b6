//! MESSAGE_SAME_REQUIRED_FIELDS.

use std::collections::BTreeSet;

use super::current_file;
use crate::breaking::{Pairs, Report};
use crate::compile::editions::features;
use crate::image::Image;

crate::declare_rule! {
    /// Checks that a message neither gains nor loses `required` fields.
    ///
    /// Required fields must always be present: a reader that knows a required field the writer does
    /// not know rejects the message. A deleted one is reported on the message, an added one on the
    /// field.
    pub MESSAGE_SAME_REQUIRED_FIELDS = "Checks that messages keep the same required fields."
}

pub(super) fn check<'a>(p: &Pairs<'a>, r: &mut Report<'a>) {
    // As buf 1.75: the `required` label as written. Editions files have no labels, so their
    // `LEGACY_REQUIRED` fields do not count (and proto2 `required` migrated to
    // `LEGACY_REQUIRED` reads as a deleted required field); the pool's proto2-shaped copy of an
    // editions file marks them required, hence the edition check.
    let required = |image: &Image, m: &prost_reflect::MessageDescriptor| -> BTreeSet<u32> {
        if features::file_edition(image, m.parent_file().name()).is_editions() {
            return BTreeSet::new();
        }
        m.fields()
            .filter(|f| f.cardinality() == prost_reflect::Cardinality::Required)
            .map(|f| f.number())
            .collect()
    };
    for (prev, cur) in &p.messages {
        let (before, after) = (
            required(p.previous.image, prev),
            required(p.current.image, cur),
        );
        let file = current_file(p, &cur.parent_file());
        let against = p.previous.file(prev.parent_file().name());
        for n in before.difference(&after) {
            r.at(
                file,
                cur.path(),
                against,
                format!(
                    "Message {:?} had required field \"{n}\" deleted. Required fields must always be sent, so if one side does not know about the required field, this will result in a breakage.",
                    prev.name()
                ),
            );
        }
        for n in after.difference(&before) {
            let Some(field) = cur.get_field(*n) else {
                continue;
            };
            r.at(
                file,
                field.path(),
                None,
                format!(
                    "Message {:?} had required field \"{n}\" added. Required fields must always be sent, so if one side does not know about the required field, this will result in a breakage.",
                    cur.name()
                ),
            );
        }
    }
}
