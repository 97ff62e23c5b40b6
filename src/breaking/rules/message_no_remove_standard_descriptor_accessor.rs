//! MESSAGE_NO_REMOVE_STANDARD_DESCRIPTOR_ACCESSOR.

use super::current_file;
use crate::breaking::{Pairs, Report};
use crate::image::tag;

crate::declare_rule! {
    /// Checks that a message does not turn `no_standard_descriptor_accessor` on.
    ///
    /// The option removes the generated `descriptor()` accessor, which callers may use.
    pub MESSAGE_NO_REMOVE_STANDARD_DESCRIPTOR_ACCESSOR = "Checks that messages keep their standard descriptor accessor."
}

pub(super) fn check<'a>(p: &Pairs<'a>, r: &mut Report<'a>) {
    let flag = |m: &prost_reflect::MessageDescriptor| {
        m.descriptor_proto()
            .options
            .as_ref()
            .is_some_and(|o| o.no_standard_descriptor_accessor())
    };
    for (prev, cur) in &p.messages {
        if !flag(prev) && flag(cur) {
            let mut path = cur.path().to_vec();
            path.extend([tag::message::OPTIONS, 2]);
            r.at(
                current_file(p, &cur.parent_file()),
                &path,
                p.previous.file(prev.parent_file().name()),
                "Message option \"no_standard_descriptor_accessor\" changed from \"false\" to \"true\".",
            )
            .help("remove `option no_standard_descriptor_accessor = true;`");
        }
    }
}
