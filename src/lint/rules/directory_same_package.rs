use std::collections::{BTreeMap, BTreeSet};

use crate::image::tag;
use crate::lint::{CheckedFile, Context, Sink};

crate::declare_rule! {
    /// Checks that all files in one directory declare the same package (cross-file: the whole
    /// module counts, also under `--path`).
    ///
    /// Why: one directory, one package keeps generated code in one place per language
    /// (Go in particular cannot have two packages in one directory).
    ///
    /// Bad: `acme/v1/a.proto` with `package acme.v1;` and `acme/v1/b.proto` with `package acme.v2;`
    ///
    /// Good: both files declare `package acme.v1;`
    ///
    /// Fix: move the odd file into its own directory, or change its package.
    pub DIRECTORY_SAME_PACKAGE = "Checks that all files in a given directory are in the same package."
}

pub fn check(cx: &Context, out: &mut Sink) {
    let mut by_dir: BTreeMap<&str, Vec<&CheckedFile>> = BTreeMap::new();
    for f in &cx.files {
        let dir = match f.name().rfind('/') {
            Some(i) => &f.name()[..i],
            None => ".",
        };
        by_dir.entry(dir).or_default().push(f);
    }
    for (dir, files) in by_dir {
        let mut packages: BTreeSet<&str> = files.iter().map(|f| f.package()).collect();
        if packages.len() < 2 {
            continue;
        }
        let prefix = if packages.remove("") {
            let joined = packages.iter().copied().collect::<Vec<_>>().join(",");
            if packages.len() > 1 {
                format!("Multiple packages {joined:?} and file with no package")
            } else {
                format!("Package {joined:?} and file with no package")
            }
        } else {
            let joined = packages.iter().copied().collect::<Vec<_>>().join(",");
            format!("Multiple packages {joined:?}")
        };
        for f in files {
            out.at(
                f,
                &[tag::file::PACKAGE],
                format!("{prefix} detected within directory {dir:?}."),
            );
        }
    }
}
