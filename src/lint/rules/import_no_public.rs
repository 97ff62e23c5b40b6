use crate::image::tag;
use crate::lint::{Context, Sink};

crate::declare_rule! {
    /// Checks that imports are not `public`.
    ///
    /// Why: a public import re-exports another file's types through this one; several
    /// generators (Go among them) do not support it, and it hides where types come from.
    ///
    /// Bad:
    /// ```proto
    /// import public "acme/v1/user.proto";
    /// ```
    /// Good:
    /// ```proto
    /// import "acme/v1/user.proto";
    /// ```
    ///
    /// Fix: make the import plain and import the file directly wherever its types are used.
    pub IMPORT_NO_PUBLIC = "Checks that imports are not public."
}

pub fn check(cx: &Context, out: &mut Sink) {
    for f in cx.targets() {
        for &i in &f.file.proto().public_dependency {
            if let Some(dep) = f.file.proto().dependency.get(i as usize) {
                out.at(
                    f,
                    &[tag::file::DEPENDENCY, i],
                    format!("Import {dep:?} must not be public."),
                );
            }
        }
    }
}
