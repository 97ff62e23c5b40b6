use crate::image::tag;
use crate::lint::naming::to_upper_snake_case;
use crate::lint::{Context, Sink};

crate::declare_rule! {
    /// Checks that enum value names start with the enum name in UPPER_SNAKE_CASE and `_`.
    ///
    /// Why: enum values are scoped like C++ enums: siblings of the enum, not children, so two
    /// enums in one package cannot both have `UNKNOWN`. The prefix makes every value unique.
    ///
    /// Bad:
    /// ```proto
    /// enum Color { UNSPECIFIED = 0; RED = 1; }
    /// ```
    /// Good:
    /// ```proto
    /// enum Color { COLOR_UNSPECIFIED = 0; COLOR_RED = 1; }
    /// ```
    ///
    /// Fix: prefix each value with the enum name in UPPER_SNAKE_CASE followed by `_`.
    pub ENUM_VALUE_PREFIX = "Checks that enum values are prefixed with ENUM_NAME_UPPER_SNAKE_CASE."
}

pub fn check(cx: &Context, out: &mut Sink) {
    for f in cx.targets() {
        // The values of an enum come together: its prefix is made once.
        let mut prefix = String::new();
        let mut of_enum: Option<&str> = None;
        for v in &f.elements.enum_values {
            let name = v.proto.name();
            if of_enum != Some(v.enum_name) {
                prefix = format!("{}_", to_upper_snake_case(v.enum_name));
                of_enum = Some(v.enum_name);
            }
            if !name.starts_with(&prefix) {
                let mut path = v.path.clone();
                path.push(tag::enum_value::NAME);
                out.at(
                    f,
                    &path,
                    format!("Enum value name {name:?} should be prefixed with {prefix:?}."),
                );
            }
        }
    }
}
