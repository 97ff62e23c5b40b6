use crate::image::tag;
use crate::lint::{Context, Sink};

crate::declare_rule! {
    /// Checks that every file has a `syntax` (or `edition`) statement.
    ///
    /// Why: a file without one is silently proto2, which surprises readers who expect proto3.
    ///
    /// Bad:
    /// ```proto
    /// package acme.v1;
    /// ```
    /// Good:
    /// ```proto
    /// syntax = "proto3";
    /// package acme.v1;
    /// ```
    ///
    /// Fix: add `syntax = "proto3";` (or `"proto2"`) as the first statement.
    pub SYNTAX_SPECIFIED = "Checks that all files have a syntax specified."
}

pub fn check(cx: &Context, out: &mut Sink) {
    for f in cx.targets() {
        // Compilers leave `syntax` empty for an explicit `syntax = "proto2";`: with source
        // info, the statement's location decides.
        let declared = match f.file.proto().syntax.as_deref() {
            None | Some("") => {
                f.file.has_location(&[tag::file::SYNTAX])
                    || f.file.has_location(&[tag::file::EDITION])
            }
            Some(_) => true,
        };
        if !declared {
            out.file(
                f,
                "Files must have a syntax explicitly specified. If no syntax is specified, the file defaults to \"proto2\".",
            );
        }
    }
}
