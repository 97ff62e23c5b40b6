use crate::image::tag;
use crate::lint::naming::to_pascal_case;
use crate::lint::{Context, Sink};

crate::declare_rule! {
    /// Checks that enum names are PascalCase.
    ///
    /// Why: generated code in most languages turns enum names into type names; one casing
    /// keeps those names predictable. Acronyms may stay upper-case (`HTTPStatus` is fine).
    ///
    /// Bad:
    /// ```proto
    /// enum foo_status { FOO_STATUS_UNSPECIFIED = 0; }
    /// ```
    /// Good:
    /// ```proto
    /// enum FooStatus { FOO_STATUS_UNSPECIFIED = 0; }
    /// ```
    ///
    /// Fix: rename the enum to the suggested PascalCase name.
    pub ENUM_PASCAL_CASE = "Checks that enums are PascalCase."
}

pub fn check(cx: &Context, out: &mut Sink) {
    for f in cx.targets() {
        for e in &f.elements.enums {
            let name = e.proto.name();
            let expected = to_pascal_case(name);
            if name != expected {
                let mut path = e.path.clone();
                path.push(tag::enum_::NAME);
                out.at(
                    f,
                    &path,
                    format!("Enum name {name:?} should be PascalCase, such as {expected:?}."),
                );
            }
        }
    }
}
