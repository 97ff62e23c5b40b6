use crate::image::tag;
use crate::lint::naming::to_lower_snake_case;
use crate::lint::{Context, Sink};

crate::declare_rule! {
    /// Checks that field names (including extensions) are lower_snake_case.
    ///
    /// Why: protoc derives JSON names and accessor names from field names; lower_snake_case is
    /// the style guide's form and converts cleanly to camelCase in every language. Digits do
    /// not start a new word: `field1` and `field_1` are both accepted.
    ///
    /// Bad:
    /// ```proto
    /// string userName = 1;
    /// ```
    /// Good:
    /// ```proto
    /// string user_name = 1;
    /// ```
    ///
    /// Fix: rename the field (renaming keeps the wire format; it changes JSON names and generated code).
    pub FIELD_LOWER_SNAKE_CASE = "Checks that field names are lower_snake_case."
}

pub fn check(cx: &Context, out: &mut Sink) {
    for f in cx.targets() {
        for field in &f.elements.fields {
            if field.parent_is_map_entry {
                continue;
            }
            let name = field.proto.name();
            let expected = to_lower_snake_case(name);
            if name != expected {
                let mut path = field.path.clone();
                path.push(tag::field::NAME);
                out.at(
                    f,
                    &path,
                    format!(
                        "Field name {name:?} should be lower_snake_case, such as {expected:?}."
                    ),
                );
            }
        }
    }
}
