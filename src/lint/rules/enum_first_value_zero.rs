use crate::image::tag;
use crate::lint::{Context, Sink};

crate::declare_rule! {
    /// Checks that the first value of every enum has the number 0.
    ///
    /// Why: proto3 requires it, and in proto2 the first value is the default, so a non-zero
    /// first value makes "unset" look like a real value.
    ///
    /// Bad:
    /// ```proto
    /// enum Color { COLOR_RED = 1; }
    /// ```
    /// Good:
    /// ```proto
    /// enum Color { COLOR_UNSPECIFIED = 0; COLOR_RED = 1; }
    /// ```
    ///
    /// Fix: add a first value numbered 0.
    pub ENUM_FIRST_VALUE_ZERO = "Checks that all first values of enums have a numeric value of 0."
}

pub fn check(cx: &Context, out: &mut Sink) {
    for f in cx.targets() {
        for v in &f.elements.enum_values {
            if v.index == 0 && v.proto.number() != 0 {
                let mut path = v.path.clone();
                path.push(tag::enum_value::NUMBER);
                out.at(
                    f,
                    &path,
                    format!(
                        "First enum value {:?} should have a numeric value of 0",
                        v.proto.name()
                    ),
                );
            }
        }
    }
}
