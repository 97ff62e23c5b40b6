//! A file keeps its package, syntax and the file options that shape generated code.

use prost_types::FileOptions;

use crate::breaking::{Pairs, Report};
use crate::image::{tag, ImageFile};

/// Compares one value of every paired file; reports at `path` in the current file.
fn same_value<'a>(
    p: &Pairs<'a>,
    r: &mut Report<'a>,
    what: &str,
    path: &[i32],
    value: impl Fn(&ImageFile) -> String,
) {
    for (prev, cur) in &p.files {
        let (before, after) = (value(prev), value(cur));
        if before != after {
            r.at(
                Some(cur),
                path,
                Some(prev),
                format!("File {what} changed from {before:?} to {after:?}."),
            )
            .help(format!(
                "set it back to {before:?}; changing it changes the generated code of every language that reads it"
            ));
        }
    }
}

fn options(file: &ImageFile) -> FileOptions {
    file.proto().options.clone().unwrap_or_default()
}

crate::declare_rule! {
    /// Checks that a file keeps its package.
    ///
    /// The package is part of every full name: changing it renames every message, enum and service
    /// of the file, on the wire (`Any`, gRPC paths) and in generated code.
    pub FILE_SAME_PACKAGE = "Checks that files keep their package."
}

pub(super) fn package<'a>(p: &Pairs<'a>, r: &mut Report<'a>) {
    same_value(p, r, "package", &[tag::file::PACKAGE], |f| {
        f.package().to_string()
    });
}

crate::declare_rule! {
    /// Checks that a file keeps its syntax (`proto2`, `proto3`, editions).
    ///
    /// The syntax decides field presence, enum openness and UTF-8 validation of the whole file.
    pub FILE_SAME_SYNTAX = "Checks that files keep their syntax."
}

pub(super) fn syntax<'a>(p: &Pairs<'a>, r: &mut Report<'a>) {
    same_value(p, r, "syntax", &[tag::file::SYNTAX], |f| {
        f.syntax().to_string()
    });
}

crate::declare_rule! {
    /// Checks that a file keeps the value of its `cc_enable_arenas` option (unset counts as the option's default).
    ///
    /// The option decides how code is generated for the file; changing it breaks code that uses
    /// the generated code.
    pub FILE_SAME_CC_ENABLE_ARENAS = "Checks that files keep the value of the cc_enable_arenas option."
}

pub(super) fn cc_enable_arenas<'a>(p: &Pairs<'a>, r: &mut Report<'a>) {
    same_value(
        p,
        r,
        "option \"cc_enable_arenas\"",
        &[tag::file::OPTIONS, 31],
        |f| options(f).cc_enable_arenas().to_string(),
    );
}

crate::declare_rule! {
    /// Checks that a file keeps the value of its `cc_generic_services` option (unset counts as the option's default).
    ///
    /// The option decides how code is generated for the file; changing it breaks code that uses
    /// the generated code.
    pub FILE_SAME_CC_GENERIC_SERVICES = "Checks that files keep the value of the cc_generic_services option."
}

pub(super) fn cc_generic_services<'a>(p: &Pairs<'a>, r: &mut Report<'a>) {
    same_value(
        p,
        r,
        "option \"cc_generic_services\"",
        &[tag::file::OPTIONS, 16],
        |f| options(f).cc_generic_services().to_string(),
    );
}

crate::declare_rule! {
    /// Checks that a file keeps the value of its `csharp_namespace` option (unset counts as the option's default).
    ///
    /// The option decides how code is generated for the file; changing it breaks code that uses
    /// the generated code.
    pub FILE_SAME_CSHARP_NAMESPACE = "Checks that files keep the value of the csharp_namespace option."
}

pub(super) fn csharp_namespace<'a>(p: &Pairs<'a>, r: &mut Report<'a>) {
    same_value(
        p,
        r,
        "option \"csharp_namespace\"",
        &[tag::file::OPTIONS, 37],
        |f| options(f).csharp_namespace().to_string(),
    );
}

crate::declare_rule! {
    /// Checks that a file keeps the value of its `go_package` option (unset counts as the option's default).
    ///
    /// The option decides how code is generated for the file; changing it breaks code that uses
    /// the generated code.
    pub FILE_SAME_GO_PACKAGE = "Checks that files keep the value of the go_package option."
}

pub(super) fn go_package<'a>(p: &Pairs<'a>, r: &mut Report<'a>) {
    same_value(
        p,
        r,
        "option \"go_package\"",
        &[tag::file::OPTIONS, 11],
        |f| options(f).go_package().to_string(),
    );
}

crate::declare_rule! {
    /// Checks that a file keeps the value of its `java_generic_services` option (unset counts as the option's default).
    ///
    /// The option decides how code is generated for the file; changing it breaks code that uses
    /// the generated code.
    pub FILE_SAME_JAVA_GENERIC_SERVICES = "Checks that files keep the value of the java_generic_services option."
}

pub(super) fn java_generic_services<'a>(p: &Pairs<'a>, r: &mut Report<'a>) {
    same_value(
        p,
        r,
        "option \"java_generic_services\"",
        &[tag::file::OPTIONS, 17],
        |f| options(f).java_generic_services().to_string(),
    );
}

crate::declare_rule! {
    /// Checks that a file keeps the value of its `java_multiple_files` option (unset counts as the option's default).
    ///
    /// The option decides how code is generated for the file; changing it breaks code that uses
    /// the generated code.
    pub FILE_SAME_JAVA_MULTIPLE_FILES = "Checks that files keep the value of the java_multiple_files option."
}

pub(super) fn java_multiple_files<'a>(p: &Pairs<'a>, r: &mut Report<'a>) {
    same_value(
        p,
        r,
        "option \"java_multiple_files\"",
        &[tag::file::OPTIONS, 10],
        |f| options(f).java_multiple_files().to_string(),
    );
}

crate::declare_rule! {
    /// Checks that a file keeps the value of its `java_outer_classname` option (unset counts as the option's default).
    ///
    /// The option decides how code is generated for the file; changing it breaks code that uses
    /// the generated code.
    pub FILE_SAME_JAVA_OUTER_CLASSNAME = "Checks that files keep the value of the java_outer_classname option."
}

pub(super) fn java_outer_classname<'a>(p: &Pairs<'a>, r: &mut Report<'a>) {
    same_value(
        p,
        r,
        "option \"java_outer_classname\"",
        &[tag::file::OPTIONS, 8],
        |f| options(f).java_outer_classname().to_string(),
    );
}

crate::declare_rule! {
    /// Checks that a file keeps the value of its `java_package` option (unset counts as the option's default).
    ///
    /// The option decides how code is generated for the file; changing it breaks code that uses
    /// the generated code.
    pub FILE_SAME_JAVA_PACKAGE = "Checks that files keep the value of the java_package option."
}

pub(super) fn java_package<'a>(p: &Pairs<'a>, r: &mut Report<'a>) {
    same_value(
        p,
        r,
        "option \"java_package\"",
        &[tag::file::OPTIONS, 1],
        |f| options(f).java_package().to_string(),
    );
}

crate::declare_rule! {
    /// Checks that a file keeps the value of its `objc_class_prefix` option (unset counts as the option's default).
    ///
    /// The option decides how code is generated for the file; changing it breaks code that uses
    /// the generated code.
    pub FILE_SAME_OBJC_CLASS_PREFIX = "Checks that files keep the value of the objc_class_prefix option."
}

pub(super) fn objc_class_prefix<'a>(p: &Pairs<'a>, r: &mut Report<'a>) {
    same_value(
        p,
        r,
        "option \"objc_class_prefix\"",
        &[tag::file::OPTIONS, 36],
        |f| options(f).objc_class_prefix().to_string(),
    );
}

crate::declare_rule! {
    /// Checks that a file keeps the value of its `optimize_for` option (unset counts as the option's default).
    ///
    /// The option decides how code is generated for the file; changing it breaks code that uses
    /// the generated code.
    pub FILE_SAME_OPTIMIZE_FOR = "Checks that files keep the value of the optimize_for option."
}

pub(super) fn optimize_for<'a>(p: &Pairs<'a>, r: &mut Report<'a>) {
    same_value(
        p,
        r,
        "option \"optimize_for\"",
        &[tag::file::OPTIONS, 9],
        |f| options(f).optimize_for().as_str_name().to_string(),
    );
}

crate::declare_rule! {
    /// Checks that a file keeps the value of its `php_class_prefix` option (unset counts as the option's default).
    ///
    /// The option decides how code is generated for the file; changing it breaks code that uses
    /// the generated code.
    pub FILE_SAME_PHP_CLASS_PREFIX = "Checks that files keep the value of the php_class_prefix option."
}

pub(super) fn php_class_prefix<'a>(p: &Pairs<'a>, r: &mut Report<'a>) {
    same_value(
        p,
        r,
        "option \"php_class_prefix\"",
        &[tag::file::OPTIONS, 40],
        |f| options(f).php_class_prefix().to_string(),
    );
}

crate::declare_rule! {
    /// Checks that a file keeps the value of its `php_metadata_namespace` option (unset counts as the option's default).
    ///
    /// The option decides how code is generated for the file; changing it breaks code that uses
    /// the generated code.
    pub FILE_SAME_PHP_METADATA_NAMESPACE = "Checks that files keep the value of the php_metadata_namespace option."
}

pub(super) fn php_metadata_namespace<'a>(p: &Pairs<'a>, r: &mut Report<'a>) {
    same_value(
        p,
        r,
        "option \"php_metadata_namespace\"",
        &[tag::file::OPTIONS, 44],
        |f| options(f).php_metadata_namespace().to_string(),
    );
}

crate::declare_rule! {
    /// Checks that a file keeps the value of its `php_namespace` option (unset counts as the option's default).
    ///
    /// The option decides how code is generated for the file; changing it breaks code that uses
    /// the generated code.
    pub FILE_SAME_PHP_NAMESPACE = "Checks that files keep the value of the php_namespace option."
}

pub(super) fn php_namespace<'a>(p: &Pairs<'a>, r: &mut Report<'a>) {
    same_value(
        p,
        r,
        "option \"php_namespace\"",
        &[tag::file::OPTIONS, 41],
        |f| options(f).php_namespace().to_string(),
    );
}

crate::declare_rule! {
    /// Checks that a file keeps the value of its `py_generic_services` option (unset counts as the option's default).
    ///
    /// The option decides how code is generated for the file; changing it breaks code that uses
    /// the generated code.
    pub FILE_SAME_PY_GENERIC_SERVICES = "Checks that files keep the value of the py_generic_services option."
}

pub(super) fn py_generic_services<'a>(p: &Pairs<'a>, r: &mut Report<'a>) {
    same_value(
        p,
        r,
        "option \"py_generic_services\"",
        &[tag::file::OPTIONS, 18],
        |f| options(f).py_generic_services().to_string(),
    );
}

crate::declare_rule! {
    /// Checks that a file keeps the value of its `ruby_package` option (unset counts as the option's default).
    ///
    /// The option decides how code is generated for the file; changing it breaks code that uses
    /// the generated code.
    pub FILE_SAME_RUBY_PACKAGE = "Checks that files keep the value of the ruby_package option."
}

pub(super) fn ruby_package<'a>(p: &Pairs<'a>, r: &mut Report<'a>) {
    same_value(
        p,
        r,
        "option \"ruby_package\"",
        &[tag::file::OPTIONS, 45],
        |f| options(f).ruby_package().to_string(),
    );
}

crate::declare_rule! {
    /// Checks that a file keeps the value of its `swift_prefix` option (unset counts as the option's default).
    ///
    /// The option decides how code is generated for the file; changing it breaks code that uses
    /// the generated code.
    pub FILE_SAME_SWIFT_PREFIX = "Checks that files keep the value of the swift_prefix option."
}

pub(super) fn swift_prefix<'a>(p: &Pairs<'a>, r: &mut Report<'a>) {
    same_value(
        p,
        r,
        "option \"swift_prefix\"",
        &[tag::file::OPTIONS, 39],
        |f| options(f).swift_prefix().to_string(),
    );
}
