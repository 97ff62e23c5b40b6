//! ONEOF_NO_DELETE.

use super::{current_file, relax_help};
use crate::breaking::{Pairs, Report};

crate::declare_rule! {
    /// Checks that no oneof is deleted from a message (proto3 `optional` fields' synthetic oneofs
    /// are not counted). Reported on the message.
    pub ONEOF_NO_DELETE = "Checks that oneofs are not deleted from messages."
}

pub(super) fn check<'a>(p: &Pairs<'a>, r: &mut Report<'a>) {
    for (prev, cur) in &p.messages {
        for oneof in prev.oneofs() {
            if oneof.is_synthetic() || cur.oneofs().any(|o| o.name() == oneof.name()) {
                continue;
            }
            r.at(
                current_file(p, &cur.parent_file()),
                cur.path(),
                p.previous.file(prev.parent_file().name()),
                format!(
                    "Previously present oneof {:?} on message {:?} was deleted.",
                    oneof.name(),
                    cur.name()
                ),
            )
            .help(relax_help("ONEOF_NO_DELETE", "a oneof"));
        }
    }
}
