//! MESSAGE_SAME_JSON_FORMAT.

use super::current_file;
use crate::breaking::{features, Pairs, Report};

crate::declare_rule! {
    /// Checks that a message whose JSON format was fully supported (`ALLOW`) stays so.
    pub MESSAGE_SAME_JSON_FORMAT = "Checks that messages keep their JSON format support."
}

pub(super) fn check<'a>(p: &Pairs<'a>, r: &mut Report<'a>) {
    for (prev, cur) in &p.messages {
        let before = features::message_json_format(p.previous.image, prev);
        let after = features::message_json_format(p.current.image, cur);
        if before == "ALLOW" && after != "ALLOW" {
            let file = current_file(p, &cur.parent_file());
            let against = p.previous.file(prev.parent_file().name());
            let feature = features::message_feature_path(cur, features::feature::JSON_FORMAT);
            r.at_first(
                file,
                &[&feature, cur.path()],
                against,
                format!(
                    "Message {:?} JSON format support changed from {before} to {after}.",
                    cur.name()
                ),
            );
        }
    }
}
