//! FILE_NO_DELETE.

use crate::breaking::{Pairs, Report};

crate::declare_rule! {
    /// Checks that no file of the previous version is deleted.
    ///
    /// Generated code is organised by file: deleting (or renaming, or moving) a file breaks every
    /// import of the code generated from it. The finding has no location, as the file is gone.
    ///
    /// Fix: restore the file; if its content moved elsewhere in the same package and only wire
    /// compatibility matters, use the `PACKAGE` or `WIRE_JSON` category instead of `FILE`.
    pub FILE_NO_DELETE = "Checks that files are not deleted."
}

pub(super) fn check<'a>(p: &Pairs<'a>, r: &mut Report<'a>) {
    for (name, prev) in &p.previous.files {
        if p.current.files.contains_key(name) {
            continue;
        }
        r.nowhere(
            Some(prev),
            format!("Previously present file {name:?} was deleted."),
        )
        .help(
            "restore the file, or if its definitions moved to another file of the same package, \
             check with the PACKAGE category instead of FILE",
        );
    }
}
