//! EXTENSION_MESSAGE_NO_DELETE.

use super::current_file;
use super::tag_ranges::{collapse, missing, range_string};
use crate::breaking::{Pairs, Report};

crate::declare_rule! {
    /// Checks that a message keeps every number of its extension ranges.
    ///
    /// Extensions declared elsewhere may use any number in the ranges; removing numbers breaks them.
    /// Reported on the message, once per previous range that lost numbers.
    pub EXTENSION_MESSAGE_NO_DELETE = "Checks that extension ranges are not deleted from messages."
}

/// The largest field number of a message (of a message-set message).
pub(super) fn message_max(m: &prost_reflect::MessageDescriptor) -> i64 {
    let message_set = m
        .descriptor_proto()
        .options
        .as_ref()
        .is_some_and(|o| o.message_set_wire_format());
    if message_set {
        2_147_483_646
    } else {
        536_870_911
    }
}

pub(super) fn check<'a>(p: &Pairs<'a>, r: &mut Report<'a>) {
    for (prev, cur) in &p.messages {
        let ranges = |m: &prost_reflect::MessageDescriptor| -> Vec<(i64, i64)> {
            m.extension_ranges()
                .map(|r| (i64::from(r.start), i64::from(r.end) - 1))
                .collect()
        };
        let previous = ranges(prev);
        if previous.is_empty() {
            continue;
        }
        let now = collapse(ranges(cur));
        for (start, end) in previous {
            let gone = missing(start, end, &now);
            if gone.is_empty() {
                continue;
            }
            let removed: Vec<String> = gone
                .iter()
                .map(|(s, e)| range_string(*s, *e, message_max(cur)))
                .collect();
            r.at(
                current_file(p, &cur.parent_file()),
                cur.path(),
                p.previous.file(prev.parent_file().name()),
                format!(
                    "Previously present extension range {:?} on message {:?} is missing values: {} were removed.",
                    range_string(start, end, message_max(prev)),
                    cur.name(),
                    removed.join(", ")
                ),
            )
            .help(format!(
                "keep `extensions {};` in message {}: extensions declared elsewhere may use these numbers",
                if start == end {
                    start.to_string()
                } else if end == message_max(prev) {
                    format!("{start} to max")
                } else {
                    format!("{start} to {end}")
                },
                cur.name()
            ));
        }
    }
}
