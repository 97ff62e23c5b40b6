use crate::lint::{Context, Sink};

crate::declare_rule! {
    /// Checks that every file declares a package.
    ///
    /// Why: without a package, every type lands in one global namespace and clashes with any
    /// other file that picked the same names.
    ///
    /// Bad:
    /// ```proto
    /// syntax = "proto3";
    /// message User {}
    /// ```
    /// Good:
    /// ```proto
    /// syntax = "proto3";
    /// package acme.user.v1;
    /// message User {}
    /// ```
    ///
    /// Fix: add a `package` statement (matching the file's directory, see PACKAGE_DIRECTORY_MATCH).
    pub PACKAGE_DEFINED = "Checks that all files have a package defined."
}

pub fn check(cx: &Context, out: &mut Sink) {
    for f in cx.targets() {
        if f.package().is_empty() {
            out.file(f, "Files must have a package defined.");
        }
    }
}
