//! Deletions from a package, wherever in the package the definitions live.

use std::collections::BTreeMap;

use super::{file_enums, file_extensions, file_messages, relax_help, surviving_parent};
use crate::breaking::pairs::Side;
use crate::breaking::{Pairs, Report};
use crate::image::ImageFile;

crate::declare_rule! {
    /// Checks that no enum is deleted from a package (moving it to another file of the same package
    /// is fine).
    pub PACKAGE_ENUM_NO_DELETE = "Checks that enums are not deleted from a package."
}

crate::declare_rule! {
    /// Checks that no extension is deleted from a package (moving it to another file of the same
    /// package is fine).
    pub PACKAGE_EXTENSION_NO_DELETE = "Checks that extensions are not deleted from a package."
}

crate::declare_rule! {
    /// Checks that no message is deleted from a package (moving it to another file of the same
    /// package is fine). A deleted nested message is reported on its closest enclosing message that
    /// still exists anywhere in the package.
    pub PACKAGE_MESSAGE_NO_DELETE = "Checks that messages are not deleted from a package."
}

crate::declare_rule! {
    /// Checks that no package of the previous version disappears entirely. The finding has no
    /// location, as no file of the package is left.
    pub PACKAGE_NO_DELETE = "Checks that packages are not deleted."
}

crate::declare_rule! {
    /// Checks that no service is deleted from a package (moving it to another file of the same
    /// package is fine).
    pub PACKAGE_SERVICE_NO_DELETE = "Checks that services are not deleted from a package."
}

/// Per package, the definitions of one kind by nested name, with the file that declares each.
type ByPackage<'a, T> = BTreeMap<String, BTreeMap<String, (T, &'a ImageFile)>>;

fn collect<'a, T>(
    side: &Side<'a>,
    of_file: impl Fn(&prost_reflect::FileDescriptor) -> BTreeMap<String, T>,
) -> ByPackage<'a, T> {
    let mut out: ByPackage<'a, T> = BTreeMap::new();
    for (name, fd) in &side.file_descriptors {
        let Some(file) = side.file(name) else {
            continue;
        };
        let entry = out.entry(fd.package_name().to_string()).or_default();
        for (nested, d) in of_file(fd) {
            entry.insert(nested, (d, file));
        }
    }
    out
}

/// Shared walk: for each package on both sides, each definition gone from the package.
fn deleted<'a, T>(
    p: &Pairs<'a>,
    of_file: impl Fn(&prost_reflect::FileDescriptor) -> BTreeMap<String, T> + Copy,
    mut on_deleted: impl FnMut(&str, &str, &'a ImageFile),
) {
    let prev = collect(&p.previous, of_file);
    let cur = collect(&p.current, of_file);
    for (package, defs) in &prev {
        let Some(now) = cur.get(package) else {
            continue;
        };
        for (nested, (_, file)) in defs {
            if !now.contains_key(nested) {
                on_deleted(package, nested, file);
            }
        }
    }
}

pub(super) fn enums<'a>(p: &Pairs<'a>, r: &mut Report<'a>) {
    deleted(p, file_enums, |package, nested, prev| {
        let msg =
            format!("Previously present enum {nested:?} was deleted from package {package:?}.");
        place_in_same_file(p, r, prev, nested, msg)
            .help(relax_help("PACKAGE_ENUM_NO_DELETE", "an enum"));
    });
}

pub(super) fn extensions<'a>(p: &Pairs<'a>, r: &mut Report<'a>) {
    deleted(p, file_extensions, |package, nested, prev| {
        let msg = format!(
            "Previously present extension {nested:?} was deleted from package {package:?}."
        );
        place_in_same_file(p, r, prev, nested, msg)
            .help(relax_help("PACKAGE_EXTENSION_NO_DELETE", "an extension"));
    });
}

/// Reported in the current file of the same path: on the closest surviving enclosing message of
/// that file, else at its top; nowhere if the file is gone too.
fn place_in_same_file<'a, 'r>(
    p: &Pairs<'a>,
    r: &'r mut Report<'a>,
    prev: &'a ImageFile,
    nested: &str,
    msg: String,
) -> &'r mut crate::breaking::Hit<'a> {
    let Some(cur) = p.current.file(prev.name()) else {
        return r.nowhere(Some(prev), msg);
    };
    let messages = p
        .current
        .file_descriptors
        .get(cur.name())
        .map(file_messages)
        .unwrap_or_default();
    match surviving_parent(&messages, nested) {
        Some(m) => r.at(Some(cur), m.path(), Some(prev), msg),
        None => r.in_file(cur, Some(prev), msg),
    }
}

pub(super) fn messages<'a>(p: &Pairs<'a>, r: &mut Report<'a>) {
    let cur = collect(&p.current, file_messages);
    deleted(p, file_messages, |package, nested, prev| {
        let msg =
            format!("Previously present message {nested:?} was deleted from package {package:?}.");
        let Some(cur_file) = p.current.file(prev.name()) else {
            r.nowhere(Some(prev), msg)
                .help(relax_help("PACKAGE_MESSAGE_NO_DELETE", "a message"));
            return;
        };
        // The enclosing message is looked up in the whole package: it may have moved files.
        let package_messages: BTreeMap<String, prost_reflect::MessageDescriptor> = cur
            .get(package)
            .map(|m| m.iter().map(|(k, (d, _))| (k.clone(), d.clone())).collect())
            .unwrap_or_default();
        let hit = match surviving_parent(&package_messages, nested) {
            Some(m) => {
                let file = p.current.file(m.parent_file().name());
                r.at(file, m.path(), Some(prev), msg)
            }
            None => r.in_file(cur_file, Some(prev), msg),
        };
        hit.help(relax_help("PACKAGE_MESSAGE_NO_DELETE", "a message"));
    });
}

pub(super) fn packages<'a>(p: &Pairs<'a>, r: &mut Report<'a>) {
    let now = p.current.packages();
    for (package, files) in p.previous.packages() {
        if now.contains_key(package) {
            continue;
        }
        // The first file by path stands for the package in the ignore filters.
        let first = files.iter().min_by_key(|f| f.name()).copied();
        r.nowhere(
            first,
            format!("Previously present package {package:?} was deleted."),
        )
        .help(relax_help("PACKAGE_NO_DELETE", "a package"));
    }
}

pub(super) fn services<'a>(p: &Pairs<'a>, r: &mut Report<'a>) {
    let of_file = |fd: &prost_reflect::FileDescriptor| {
        fd.services()
            .map(|s| (s.name().to_string(), s))
            .collect::<BTreeMap<_, _>>()
    };
    deleted(p, of_file, |package, name, prev| {
        let msg =
            format!("Previously present service {name:?} was deleted from package {package:?}.");
        let hit = match p.current.file(prev.name()) {
            Some(cur) => r.in_file(cur, Some(prev), msg),
            None => r.nowhere(Some(prev), msg),
        };
        hit.help(relax_help("PACKAGE_SERVICE_NO_DELETE", "a service"));
    });
}
