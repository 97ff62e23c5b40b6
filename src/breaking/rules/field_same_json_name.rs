//! FIELD_SAME_JSON_NAME.

use super::current_file;
use crate::breaking::{Pairs, Report};
use crate::image::tag;

crate::declare_rule! {
    /// Checks that a field keeps its JSON name (the `json_name` option, or the default
    /// lowerCamelCase name when unset).
    ///
    /// JSON carries fields by this name: changing it breaks every JSON reader and writer.
    /// Extensions are not checked (their JSON name cannot be set).
    pub FIELD_SAME_JSON_NAME = "Checks that fields keep their JSON name."
}

pub(super) fn check<'a>(p: &Pairs<'a>, r: &mut Report<'a>) {
    for (prev, cur) in &p.fields {
        if prev.extendee().is_some() || prev.json_name() == cur.json_name() {
            continue;
        }
        let file = current_file(p, &cur.file());
        let against = p.previous.file(prev.file().name());
        let mut json_path = cur.path().to_vec();
        json_path.push(tag::field::JSON_NAME);
        r.at_first(
            file,
            &[&json_path, cur.path()],
            against,
            format!(
                "{} changed option \"json_name\" from {:?} to {:?}.",
                cur.description(),
                prev.json_name(),
                cur.json_name()
            ),
        );
    }
}
