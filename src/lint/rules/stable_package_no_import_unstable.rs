use std::collections::HashMap;

use crate::image::tag;
use crate::lint::naming::{package_version, Stability};
use crate::lint::{Context, Sink};

crate::declare_rule! {
    /// Checks that files in a stable package (`foo.v1`) do not import files of the module
    /// whose package is unstable (`foo.v1beta1`, `foo.v1alpha`, `foo.v1test`).
    ///
    /// Why: a stable API that exposes unstable types inherits their instability.
    ///
    /// Bad: `acme/v1/a.proto` (package `acme.v1`) imports `acme/v1beta1/b.proto`.
    ///
    /// Good: promote the imported types to a stable package first.
    ///
    /// Fix: move the needed types to a stable package, or keep the importer unstable.
    pub STABLE_PACKAGE_NO_IMPORT_UNSTABLE = "Checks that all files that have stable versioned packages do not import packages with unstable version packages."
}

pub fn check(cx: &Context, out: &mut Sink) {
    let by_name: HashMap<&str, &str> = cx.files.iter().map(|f| (f.name(), f.package())).collect();
    for f in cx.targets() {
        if package_version(f.package()) != Some(Stability::Stable) {
            continue;
        }
        for (i, dep) in f.file.proto().dependency.iter().enumerate() {
            let Some(&dep_pkg) = by_name.get(dep.as_str()) else {
                continue;
            };
            match package_version(dep_pkg) {
                Some(Stability::Stable) | None => {}
                Some(_) => out.at(
                    f,
                    &[tag::file::DEPENDENCY, i as i32],
                    format!(
                        "This file is in stable package {:?}, so it should not depend on {dep:?} from unstable package {dep_pkg:?}.",
                        f.package()
                    ),
                ),
            }
        }
    }
}
