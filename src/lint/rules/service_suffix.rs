use crate::image::tag;
use crate::lint::{Context, Sink};

crate::declare_rule! {
    /// Checks that service names end with `Service` (or the `service_suffix` option).
    ///
    /// Why: a fixed suffix tells services apart from messages in generated code and docs.
    ///
    /// Bad:
    /// ```proto
    /// service Users {}
    /// ```
    /// Good:
    /// ```proto
    /// service UserService {}
    /// ```
    ///
    /// Fix: rename the service (this changes its RPC paths: a breaking change for clients).
    pub SERVICE_SUFFIX = "Checks that services have a consistent suffix (configurable, default suffix is \"Service\")."
}

pub fn check(cx: &Context, out: &mut Sink) {
    let suffix = &cx.options.service_suffix;
    for f in cx.targets() {
        for s in &f.elements.services {
            let name = s.proto.name();
            if !name.ends_with(suffix.as_str()) {
                let mut path = s.path.clone();
                path.push(tag::service::NAME);
                out.at(
                    f,
                    &path,
                    format!("Service name {name:?} should be suffixed with {suffix:?}."),
                );
            }
        }
    }
}
