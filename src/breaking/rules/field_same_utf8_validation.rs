//! UTF-8 validation of string fields, in general and in Java.

use prost_reflect::Kind;

use super::current_file;
use crate::breaking::{features, Pairs, Report};
use crate::image::tag;

crate::declare_rule! {
    /// Checks that a string field keeps its UTF-8 validation (`VERIFY` in proto3, `NONE` in proto2,
    /// the `utf8_validation` feature in editions).
    ///
    /// A reader that verifies rejects messages a writer that does not verify may produce.
    pub FIELD_SAME_UTF8_VALIDATION = "Checks that string fields keep their UTF-8 validation."
}

crate::declare_rule! {
    /// Checks that a string field keeps its Java UTF-8 validation (the `java_string_check_utf8`
    /// file option, or the `(pb.java).utf8_validation` feature in editions).
    pub FIELD_SAME_JAVA_UTF8_VALIDATION = "Checks that string fields keep their Java UTF-8 validation."
}

pub(super) fn standard<'a>(p: &Pairs<'a>, r: &mut Report<'a>) {
    for (prev, cur) in &p.fields {
        if !matches!(prev.kind(), Kind::String) || !matches!(cur.kind(), Kind::String) {
            continue;
        }
        let before = features::utf8_validation(p.previous.image, prev);
        let after = features::utf8_validation(p.current.image, cur);
        if before != after {
            let file = current_file(p, &cur.file());
            let against = p.previous.file(prev.file().name());
            let feature = features::field_feature_path(cur, &[features::feature::UTF8_VALIDATION]);
            r.at_first(
                file,
                &[&feature, cur.path()],
                against,
                format!(
                    "{} changed UTF8 validation from {before} to {after}.",
                    cur.description()
                ),
            );
        }
    }
}

pub(super) fn java<'a>(p: &Pairs<'a>, r: &mut Report<'a>) {
    for (prev, cur) in &p.fields {
        if !matches!(prev.kind(), Kind::String) || !matches!(cur.kind(), Kind::String) {
            continue;
        }
        let before = features::java_utf8_validation(p.previous.image, prev);
        let after = features::java_utf8_validation(p.current.image, cur);
        if before != after {
            let file = current_file(p, &cur.file());
            let against = p.previous.file(prev.file().name());
            r.at_first(
                file,
                &[
                    &[tag::file::OPTIONS, 27],
                    &features::field_feature_path(
                        cur,
                        &[
                            features::feature::JAVA,
                            features::feature::JAVA_UTF8_VALIDATION,
                        ],
                    ),
                    cur.path(),
                ],
                against,
                format!(
                    "{} changed Java string UTF8 validation from {before:?} to {after:?}.",
                    cur.description()
                ),
            );
        }
    }
}
