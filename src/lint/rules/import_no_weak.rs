use crate::image::tag;
use crate::lint::{Context, Sink};

crate::declare_rule! {
    /// Checks that imports are not `weak` (deprecated in buf: not in any category; select it by id).
    ///
    /// Why: weak imports are a Google-internal feature that most runtimes do not implement.
    ///
    /// Bad:
    /// ```proto
    /// import weak "acme/v1/user.proto";
    /// ```
    /// Good:
    /// ```proto
    /// import "acme/v1/user.proto";
    /// ```
    ///
    /// Fix: make the import plain.
    pub IMPORT_NO_WEAK = "Checks that imports are not weak."
}

pub fn check(cx: &Context, out: &mut Sink) {
    for f in cx.targets() {
        for &i in &f.file.proto().weak_dependency {
            if let Some(dep) = f.file.proto().dependency.get(i as usize) {
                out.at(
                    f,
                    &[tag::file::DEPENDENCY, i],
                    format!("Import {dep:?} must not be weak."),
                );
            }
        }
    }
}
