//! MESSAGE_SAME_JSON_FORMAT.

use super::current_file;
use crate::breaking::{features, Pairs, Report};

crate::declare_rule! {
    /// Checks that a message whose JSON format was fully supported (`ALLOW`) stays so.
    pub MESSAGE_SAME_JSON_FORMAT = "Checks that messages keep their JSON format support."
}

pub(super) fn check<'a>(p: &Pairs<'a>, r: &mut Report<'a>) {
    for (prev, cur) in &p.messages {
        let before = features::json_format(&prev.parent_file());
        let after = features::json_format(&cur.parent_file());
        if before == "ALLOW" && after != "ALLOW" {
            let file = current_file(p, &cur.parent_file());
            let against = p.previous.file(prev.parent_file().name());
            r.at(
                file,
                cur.path(),
                against,
                format!(
                    "Message {:?} JSON format support changed from {before} to {after}.",
                    cur.name()
                ),
            );
        }
    }
}
