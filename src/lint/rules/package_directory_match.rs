use crate::image::tag;
use crate::lint::{Context, Sink};

crate::declare_rule! {
    /// Checks that a file with package `a.b.v1` is in directory `a/b/v1` (relative to its module root).
    ///
    /// Why: the package then tells where the file is, and tools that map packages to
    /// directories (Go, Java, many codegen plugins) work without extra options.
    ///
    /// Bad: `proto/user.proto` declaring `package acme.user.v1;`
    ///
    /// Good: `proto/acme/user/v1/user.proto` declaring `package acme.user.v1;`
    ///
    /// Fix: move the file (or change the package) so that they match.
    pub PACKAGE_DIRECTORY_MATCH = "Checks that all files are in a directory that matches their package name."
}

pub fn check(cx: &Context, out: &mut Sink) {
    for f in cx.targets() {
        let pkg = f.package();
        if pkg.is_empty() {
            continue;
        }
        let expected = pkg.replace('.', "/");
        let dir = match f.name().rfind('/') {
            Some(i) => &f.name()[..i],
            None => ".",
        };
        if dir != expected {
            out.at(
                f,
                &[tag::file::PACKAGE],
                format!("Files with package {pkg:?} must be within a directory \"{expected}\" relative to root but were in directory \"{dir}\"."),
            );
        }
    }
}
