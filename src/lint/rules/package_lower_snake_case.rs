use crate::image::tag;
use crate::lint::naming::to_lower_snake_case;
use crate::lint::{Context, Sink};

crate::declare_rule! {
    /// Checks that every component of the package name is lower_snake_case.
    ///
    /// Why: packages become namespaces, modules and directories; lower case avoids clashes on
    /// case-insensitive file systems and matches every language's convention.
    ///
    /// Bad:
    /// ```proto
    /// package Acme.UserService.v1;
    /// ```
    /// Good:
    /// ```proto
    /// package acme.user_service.v1;
    /// ```
    ///
    /// Fix: rename the package as suggested (and move the file, see PACKAGE_DIRECTORY_MATCH).
    pub PACKAGE_LOWER_SNAKE_CASE = "Checks that packages are lower_snake.case."
}

pub fn check(cx: &Context, out: &mut Sink) {
    for f in cx.targets() {
        let pkg = f.package();
        if pkg.is_empty() {
            continue;
        }
        let expected: Vec<String> = pkg.split('.').map(to_lower_snake_case).collect();
        let expected = expected.join(".");
        if pkg != expected {
            out.at(
                f,
                &[tag::file::PACKAGE],
                format!("Package name {pkg:?} should be lower_snake.case, such as {expected:?}."),
            );
        }
    }
}
