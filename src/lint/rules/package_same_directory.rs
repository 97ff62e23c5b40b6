use std::collections::{BTreeMap, BTreeSet};

use crate::image::tag;
use crate::lint::{CheckedFile, Context, Sink};

crate::declare_rule! {
    /// Checks that all files of one package are in the same directory (cross-file: the whole
    /// module counts, also under `--path`).
    ///
    /// Why: a package split over directories generates code into several places and confuses
    /// readers looking for a type.
    ///
    /// Bad: `acme/v1/a.proto` and `other/b.proto` both with `package acme.v1;`
    ///
    /// Good: both files in `acme/v1/`
    ///
    /// Fix: move the files of the package into one directory.
    pub PACKAGE_SAME_DIRECTORY = "Checks that all files with a given package are in the same directory."
}

pub fn check(cx: &Context, out: &mut Sink) {
    let mut by_package: BTreeMap<&str, Vec<&CheckedFile>> = BTreeMap::new();
    for f in &cx.files {
        by_package.entry(f.package()).or_default().push(f);
    }
    for (pkg, files) in by_package {
        let dirs: BTreeSet<&str> = files
            .iter()
            .map(|f| match f.name().rfind('/') {
                Some(i) => &f.name()[..i],
                None => ".",
            })
            .collect();
        if dirs.len() < 2 {
            continue;
        }
        let joined = dirs.into_iter().collect::<Vec<_>>().join(",");
        for f in files {
            out.at(
                f,
                &[tag::file::PACKAGE],
                format!("Multiple directories {joined:?} contain files with package {pkg:?}."),
            );
        }
    }
}
