use crate::image::tag;
use crate::lint::naming::to_pascal_case;
use crate::lint::{Context, Sink};

crate::declare_rule! {
    /// Checks that RPC (method) names are PascalCase.
    ///
    /// Why: RPC names become method names and URL paths (`/pkg.Service/Method`); one casing
    /// keeps them predictable.
    ///
    /// Bad:
    /// ```proto
    /// rpc get_user(GetUserRequest) returns (GetUserResponse);
    /// ```
    /// Good:
    /// ```proto
    /// rpc GetUser(GetUserRequest) returns (GetUserResponse);
    /// ```
    ///
    /// Fix: rename the RPC to the suggested PascalCase name.
    pub RPC_PASCAL_CASE = "Checks that RPCs are PascalCase."
}

pub fn check(cx: &Context, out: &mut Sink) {
    for f in cx.targets() {
        for m in &f.elements.methods {
            let name = m.proto.name();
            let expected = to_pascal_case(name);
            if name != expected {
                let mut path = m.path.clone();
                path.push(tag::method::NAME);
                out.at(
                    f,
                    &path,
                    format!("RPC name {name:?} should be PascalCase, such as {expected:?}."),
                );
            }
        }
    }
}
