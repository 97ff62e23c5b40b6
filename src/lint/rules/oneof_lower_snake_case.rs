use crate::image::tag;
use crate::lint::naming::to_lower_snake_case;
use crate::lint::{Context, Sink};

crate::declare_rule! {
    /// Checks that oneof names are lower_snake_case (the synthetic oneofs of proto3 `optional`
    /// fields are skipped).
    ///
    /// Why: oneof names become accessor and case-enum names in generated code.
    ///
    /// Bad:
    /// ```proto
    /// oneof userId { string email = 1; int64 number = 2; }
    /// ```
    /// Good:
    /// ```proto
    /// oneof user_id { string email = 1; int64 number = 2; }
    /// ```
    ///
    /// Fix: rename the oneof to the suggested lower_snake_case name.
    pub ONEOF_LOWER_SNAKE_CASE = "Checks that oneof names are lower_snake_case."
}

pub fn check(cx: &Context, out: &mut Sink) {
    for f in cx.targets() {
        for o in &f.elements.oneofs {
            let name = o.proto.name();
            let expected = to_lower_snake_case(name);
            if name == expected {
                continue;
            }
            let members: Vec<_> = o
                .parent
                .field
                .iter()
                .filter(|fd| fd.oneof_index == Some(o.index as i32))
                .collect();
            if members.len() == 1 && members[0].proto3_optional() {
                continue;
            }
            let mut path = o.path.clone();
            path.push(tag::oneof::NAME);
            out.at(
                f,
                &path,
                format!("Oneof name {name:?} should be lower_snake_case, such as {expected:?}."),
            );
        }
    }
}
