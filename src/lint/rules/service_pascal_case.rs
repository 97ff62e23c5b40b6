use crate::image::tag;
use crate::lint::naming::to_pascal_case;
use crate::lint::{Context, Sink};

crate::declare_rule! {
    /// Checks that service names are PascalCase.
    ///
    /// Why: service names become client and server type names in generated code.
    ///
    /// Bad:
    /// ```proto
    /// service user_service {}
    /// ```
    /// Good:
    /// ```proto
    /// service UserService {}
    /// ```
    ///
    /// Fix: rename the service to the suggested PascalCase name.
    pub SERVICE_PASCAL_CASE = "Checks that services are PascalCase."
}

pub fn check(cx: &Context, out: &mut Sink) {
    for f in cx.targets() {
        for s in &f.elements.services {
            let name = s.proto.name();
            let expected = to_pascal_case(name);
            if name != expected {
                let mut path = s.path.clone();
                path.push(tag::service::NAME);
                out.at(
                    f,
                    &path,
                    format!("Service name {name:?} should be PascalCase, such as {expected:?}."),
                );
            }
        }
    }
}
