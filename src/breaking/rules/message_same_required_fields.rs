//! MESSAGE_SAME_REQUIRED_FIELDS.

use std::collections::BTreeSet;

use super::current_file;
use crate::breaking::{Pairs, Report};

crate::declare_rule! {
    /// Checks that a message neither gains nor loses `required` fields.
    ///
    /// Required fields must always be present: a reader that knows a required field the writer does
    /// not know rejects the message. A deleted one is reported on the message, an added one on the
    /// field.
    pub MESSAGE_SAME_REQUIRED_FIELDS = "Checks that messages keep the same required fields."
}

pub(super) fn check<'a>(p: &Pairs<'a>, r: &mut Report<'a>) {
    let required = |m: &prost_reflect::MessageDescriptor| -> BTreeSet<u32> {
        m.fields()
            .filter(|f| f.cardinality() == prost_reflect::Cardinality::Required)
            .map(|f| f.number())
            .collect()
    };
    for (prev, cur) in &p.messages {
        let (before, after) = (required(prev), required(cur));
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
