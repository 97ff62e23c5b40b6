use crate::image::tag;
use crate::lint::{Context, Sink};

crate::declare_rule! {
    /// Checks that no field is named `descriptor` in any capitalization, with any number of
    /// leading or trailing underscores (v1beta1 only).
    ///
    /// Why: generated code for several languages (Java, Go) has a `descriptor` accessor that
    /// such a field collides with.
    ///
    /// Bad:
    /// ```proto
    /// string _Descriptor = 1;
    /// ```
    /// Good:
    /// ```proto
    /// string descriptor_text = 1;
    /// ```
    ///
    /// Fix: rename the field.
    pub FIELD_NO_DESCRIPTOR = "Checks that field names are not any capitalization of \"descriptor\" with any number of prefix or suffix underscores."
}

pub fn check(cx: &Context, out: &mut Sink) {
    for f in cx.targets() {
        for field in &f.elements.fields {
            let name = field.proto.name();
            if name.trim_matches('_').to_lowercase() == "descriptor" {
                let mut path = field.path.clone();
                path.push(tag::field::NAME);
                out.at(
                    f,
                    &path,
                    format!("Field name {name:?} cannot be any capitalization of \"descriptor\" with any number of prefix or suffix underscores."),
                );
            }
        }
    }
}
