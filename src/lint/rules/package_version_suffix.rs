use crate::image::tag;
use crate::lint::naming::package_version;
use crate::lint::{Context, Sink};

crate::declare_rule! {
    /// Checks that the last component of every package is a version: `v1`, `v2`, `v1beta1`,
    /// `v1alpha`, `v1p1alpha1`, `v1test`, `v1testfoo` (numbers start at 1; `v0` and `v1p1`
    /// are rejected).
    ///
    /// Why: a versioned package lets you publish `v2` next to `v1` instead of breaking `v1`,
    /// and lets tools tell stable packages from alpha and beta ones.
    ///
    /// Bad:
    /// ```proto
    /// package acme.user;
    /// ```
    /// Good:
    /// ```proto
    /// package acme.user.v1;
    /// ```
    ///
    /// Fix: append a version component to the package (and move the file to match).
    pub PACKAGE_VERSION_SUFFIX = "Checks that the last component of all packages is a version of the form v\\d+, v\\d+test.*, v\\d+(alpha|beta)\\d+, or v\\d+p\\d+(alpha|beta)\\d+, where numbers are >=1."
}

pub fn check(cx: &Context, out: &mut Sink) {
    for f in cx.targets() {
        let pkg = f.package();
        if pkg.is_empty() || package_version(pkg).is_some() {
            continue;
        }
        out.at(
            f,
            &[tag::file::PACKAGE],
            format!(
                "Package name {pkg:?} should be suffixed with a correctly formed version, such as \"{pkg}.v1\"."
            ),
        );
    }
}
