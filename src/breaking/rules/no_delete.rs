//! Deleting messages, enums, extensions and services from a file.

use super::{file_enums, file_extensions, file_messages, relax_help, surviving_parent};
use crate::breaking::{Pairs, Report};

crate::declare_rule! {
    /// Checks that no enum is deleted from a file that still exists.
    ///
    /// Generated code refers to enums by the file that declares them: removing one (or moving it to
    /// another file) breaks every caller. A deleted nested enum is reported on its closest message
    /// that still exists, a deleted top-level enum at the top of the file.
    ///
    /// Fix: restore the enum (deprecate it instead), or relax the policy to `PACKAGE` if it only
    /// moved to another file of the same package.
    pub ENUM_NO_DELETE = "Checks that enums are not deleted from a file."
}

crate::declare_rule! {
    /// Checks that no extension is deleted from a file that still exists.
    ///
    /// Code that sets or reads the extension stops compiling, and the extension's number may be
    /// reused for something else. Reported like ENUM_NO_DELETE.
    pub EXTENSION_NO_DELETE = "Checks that extensions are not deleted from a file."
}

crate::declare_rule! {
    /// Checks that no message is deleted from a file that still exists.
    ///
    /// Generated code refers to messages by the file that declares them. A deleted nested message is
    /// reported on its closest enclosing message that still exists, a top-level one at the top of the
    /// file.
    pub MESSAGE_NO_DELETE = "Checks that messages are not deleted from a file."
}

crate::declare_rule! {
    /// Checks that no service is deleted from a file that still exists.
    ///
    /// Clients generated from the previous file stop compiling, and servers stop serving the
    /// service. Reported at the top of the file.
    pub SERVICE_NO_DELETE = "Checks that services are not deleted from a file."
}

pub(super) fn enum_no_delete<'a>(p: &Pairs<'a>, r: &mut Report<'a>) {
    for (prev, cur) in &p.files {
        let (Some(pfd), Some(cfd)) = (
            p.previous.file_descriptors.get(prev.name()),
            p.current.file_descriptors.get(cur.name()),
        ) else {
            continue;
        };
        let now = file_enums(cfd);
        let messages = file_messages(cfd);
        for name in file_enums(pfd).keys() {
            if now.contains_key(name) {
                continue;
            }
            let msg = format!("Previously present enum {name:?} was deleted from file.");
            let hit = match surviving_parent(&messages, name) {
                Some(m) => r.at(Some(cur), m.path(), Some(prev), msg),
                None => r.in_file(cur, Some(prev), msg),
            };
            hit.help(relax_help("ENUM_NO_DELETE", "an enum"));
        }
    }
}

pub(super) fn extension_no_delete<'a>(p: &Pairs<'a>, r: &mut Report<'a>) {
    for (prev, cur) in &p.files {
        let (Some(pfd), Some(cfd)) = (
            p.previous.file_descriptors.get(prev.name()),
            p.current.file_descriptors.get(cur.name()),
        ) else {
            continue;
        };
        let now = file_extensions(cfd);
        let messages = file_messages(cfd);
        for name in file_extensions(pfd).keys() {
            if now.contains_key(name) {
                continue;
            }
            let msg = format!("Previously present extension {name:?} was deleted from file.");
            let hit = match surviving_parent(&messages, name) {
                Some(m) => r.at(Some(cur), m.path(), Some(prev), msg),
                None => r.in_file(cur, Some(prev), msg),
            };
            hit.help(relax_help("EXTENSION_NO_DELETE", "an extension"));
        }
    }
}

pub(super) fn message_no_delete<'a>(p: &Pairs<'a>, r: &mut Report<'a>) {
    for (prev, cur) in &p.files {
        let (Some(pfd), Some(cfd)) = (
            p.previous.file_descriptors.get(prev.name()),
            p.current.file_descriptors.get(cur.name()),
        ) else {
            continue;
        };
        let now = file_messages(cfd);
        for name in file_messages(pfd).keys() {
            if now.contains_key(name) {
                continue;
            }
            let msg = format!("Previously present message {name:?} was deleted from file.");
            let hit = match surviving_parent(&now, name) {
                Some(m) => r.at(Some(cur), m.path(), Some(prev), msg),
                None => r.in_file(cur, Some(prev), msg),
            };
            hit.help(relax_help("MESSAGE_NO_DELETE", "a message"));
        }
    }
}

pub(super) fn service_no_delete<'a>(p: &Pairs<'a>, r: &mut Report<'a>) {
    for (prev, cur) in &p.files {
        let now: Vec<&str> = cur.proto().service.iter().map(|s| s.name()).collect();
        for s in &prev.proto().service {
            if now.contains(&s.name()) {
                continue;
            }
            r.in_file(
                cur,
                Some(prev),
                format!(
                    "Previously present service {:?} was deleted from file.",
                    s.name()
                ),
            )
            .help(relax_help("SERVICE_NO_DELETE", "a service"));
        }
    }
}
