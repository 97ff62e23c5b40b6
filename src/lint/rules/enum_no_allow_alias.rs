use crate::image::tag;
use crate::lint::{Context, Sink};

crate::declare_rule! {
    /// Checks that enums do not set `option allow_alias = true`.
    ///
    /// Why: aliases give one number several names; JSON and text output can only print one of
    /// them, and renaming a value becomes a breaking change in disguise.
    ///
    /// Bad:
    /// ```proto
    /// enum Color { option allow_alias = true; COLOR_UNSPECIFIED = 0; COLOR_NONE = 0; }
    /// ```
    /// Good:
    /// ```proto
    /// enum Color { COLOR_UNSPECIFIED = 0; }
    /// ```
    ///
    /// Fix: remove the alias values and the option.
    pub ENUM_NO_ALLOW_ALIAS = "Checks that enums do not have the allow_alias option set."
}

/// `EnumOptions.allow_alias`.
const ALLOW_ALIAS: i32 = 2;

pub fn check(cx: &Context, out: &mut Sink) {
    for f in cx.targets() {
        for e in &f.elements.enums {
            let allow = e.proto.options.as_ref().and_then(|o| o.allow_alias);
            if allow == Some(true) {
                let mut path = e.path.clone();
                path.extend([tag::enum_::OPTIONS, ALLOW_ALIAS]);
                out.at(
                    f,
                    &path,
                    format!(
                        "Enum option \"allow_alias\" on enum {:?} must be false.",
                        e.proto.name()
                    ),
                );
            }
        }
    }
}
