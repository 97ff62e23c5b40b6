use crate::image::tag;
use crate::lint::{Context, Sink};

crate::declare_rule! {
    /// Checks that the enum value with number 0 ends with a fixed suffix (`_UNSPECIFIED`, or
    /// the `enum_zero_value_suffix` option).
    ///
    /// Why: the zero value is what a reader sees when the field was never set; naming it
    /// `..._UNSPECIFIED` keeps "not set" distinct from every meaningful value.
    ///
    /// Bad:
    /// ```proto
    /// enum Color { COLOR_RED = 0; }
    /// ```
    /// Good:
    /// ```proto
    /// enum Color { COLOR_UNSPECIFIED = 0; COLOR_RED = 1; }
    /// ```
    ///
    /// Fix: add a zero value named `<ENUM>_UNSPECIFIED` (or your configured suffix).
    pub ENUM_ZERO_VALUE_SUFFIX = "Checks that enum zero values have a consistent suffix (configurable, default suffix is \"_UNSPECIFIED\")."
}

pub fn check(cx: &Context, out: &mut Sink) {
    let suffix = &cx.options.enum_zero_value_suffix;
    for f in cx.targets() {
        for v in &f.elements.enum_values {
            if v.proto.number() != 0 {
                continue;
            }
            let name = v.proto.name();
            if !name.ends_with(suffix.as_str()) {
                let mut path = v.path.clone();
                path.push(tag::enum_value::NAME);
                out.at(
                    f,
                    &path,
                    format!("Enum zero value name {name:?} should be suffixed with {suffix:?}."),
                );
            }
        }
    }
}
