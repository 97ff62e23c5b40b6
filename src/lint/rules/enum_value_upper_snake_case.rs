use crate::image::tag;
use crate::lint::naming::to_upper_snake_case;
use crate::lint::{Context, Sink};

crate::declare_rule! {
    /// Checks that enum value names are UPPER_SNAKE_CASE.
    ///
    /// Why: enum values are constants in most generated languages; the style guide spells them
    /// in UPPER_SNAKE_CASE.
    ///
    /// Bad:
    /// ```proto
    /// enum Color { colorUnspecified = 0; }
    /// ```
    /// Good:
    /// ```proto
    /// enum Color { COLOR_UNSPECIFIED = 0; }
    /// ```
    ///
    /// Fix: rename the value to the suggested UPPER_SNAKE_CASE name.
    pub ENUM_VALUE_UPPER_SNAKE_CASE = "Checks that enum values are UPPER_SNAKE_CASE."
}

pub fn check(cx: &Context, out: &mut Sink) {
    for f in cx.targets() {
        for v in &f.elements.enum_values {
            let name = v.proto.name();
            let expected = to_upper_snake_case(name);
            if name != expected {
                let mut path = v.path.clone();
                path.push(tag::enum_value::NAME);
                out.at(
                    f,
                    &path,
                    format!("Enum value name {name:?} should be UPPER_SNAKE_CASE, such as {expected:?}."),
                );
            }
        }
    }
}
