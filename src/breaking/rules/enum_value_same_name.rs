//! ENUM_VALUE_SAME_NAME.

use super::current_file;
use super::enum_value_no_delete::quoted_list;
use crate::breaking::{Pairs, Report};
use crate::image::tag;

crate::declare_rule! {
    /// Checks that an enum number keeps its name(s).
    ///
    /// JSON encodes enum values by name: renaming a value breaks every JSON reader and writer, and
    /// generated code that names it. Adding an alias is fine: every previous name of the number must
    /// still be a name of it.
    pub ENUM_VALUE_SAME_NAME = "Checks that enum values keep their names."
}

pub(super) fn check<'a>(p: &Pairs<'a>, r: &mut Report<'a>) {
    for (prev, cur) in &p.enum_values {
        let mut before: Vec<&str> = prev.iter().map(|v| v.name()).collect();
        let mut after: Vec<&str> = cur.iter().map(|v| v.name()).collect();
        before.sort_unstable();
        after.sort_unstable();
        if before.iter().all(|n| after.contains(n)) {
            continue;
        }
        let plural = if before.len() > 1 && after.len() > 1 {
            "s"
        } else {
            ""
        };
        for value in cur {
            let file = current_file(p, &value.parent_file());
            let against = prev
                .first()
                .and_then(|v| p.previous.file(v.parent_file().name()));
            let mut path = value.path().to_vec();
            path.push(tag::enum_value::NUMBER);
            r.at(
                file,
                &path,
                against,
                format!(
                    "Enum value \"{}\" on enum {:?} changed name{plural} from {} to {}.",
                    value.number(),
                    value.parent_enum().name(),
                    quoted_list(&before),
                    quoted_list(&after)
                ),
            );
        }
    }
}
