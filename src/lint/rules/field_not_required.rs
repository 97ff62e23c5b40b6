use prost_types::field_descriptor_proto::Label;

use crate::image::tag;
use crate::lint::{Context, Sink};

crate::declare_rule! {
    /// Checks that no field is `required` (proto2).
    ///
    /// Why: a required field can never be removed or made optional without breaking every
    /// reader that still requires it; proto3 dropped the label for that reason.
    ///
    /// Bad:
    /// ```proto
    /// required string name = 1;
    /// ```
    /// Good:
    /// ```proto
    /// optional string name = 1;
    /// ```
    ///
    /// Fix: make the field `optional` and validate presence in application code (or protovalidate).
    pub FIELD_NOT_REQUIRED = "Checks that fields are not configured to be required."
}

pub fn check(cx: &Context, out: &mut Sink) {
    for f in cx.targets() {
        for field in &f.elements.fields {
            if field.proto.label() == Label::Required {
                let mut path = field.path.clone();
                path.push(tag::field::NAME);
                out.at(
                    f,
                    &path,
                    format!(
                        "Field named {:?} should not be required.",
                        field.proto.name()
                    ),
                );
            }
        }
    }
}
