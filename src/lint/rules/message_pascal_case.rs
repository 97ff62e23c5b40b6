use crate::image::tag;
use crate::lint::naming::to_pascal_case;
use crate::lint::{Context, Sink};

crate::declare_rule! {
    /// Checks that message names are PascalCase (map entry messages are skipped).
    ///
    /// Why: message names become class and struct names in generated code; one casing keeps
    /// them predictable across languages.
    ///
    /// Bad:
    /// ```proto
    /// message get_user_request {}
    /// ```
    /// Good:
    /// ```proto
    /// message GetUserRequest {}
    /// ```
    ///
    /// Fix: rename the message to the suggested PascalCase name.
    pub MESSAGE_PASCAL_CASE = "Checks that messages are PascalCase."
}

pub fn check(cx: &Context, out: &mut Sink) {
    for f in cx.targets() {
        for m in &f.elements.messages {
            if m.is_map_entry() {
                continue;
            }
            let name = m.proto.name();
            let expected = to_pascal_case(name);
            if name != expected {
                let mut path = m.path.clone();
                path.push(tag::message::NAME);
                out.at(
                    f,
                    &path,
                    format!("Message name {name:?} should be PascalCase, such as {expected:?}."),
                );
            }
        }
    }
}
