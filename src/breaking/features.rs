//! Resolved behaviour of elements that editions express as features and proto2/proto3 express
//! through the syntax. Kept behind these small functions so that editions support (features read
//! through the descriptor pool) only changes this file.
//!
//! Editions files do not compile yet (protox 0.10), so every element here is proto2 or proto3.

use prost_reflect::FileDescriptor;

/// The file's syntax as buf names it: `proto2`, `proto3` or `editions`.
fn syntax(file: &FileDescriptor) -> &str {
    match file.file_descriptor_proto().syntax.as_deref() {
        None | Some("") => "proto2",
        Some(s) => s,
    }
}

/// Whether enums of this file are closed (unknown values are not kept).
pub fn enum_is_closed(file: &FileDescriptor) -> bool {
    syntax(file) != "proto3"
}

/// `json_format` of messages and enums of this file: `ALLOW` or `LEGACY_BEST_EFFORT`.
pub fn json_format(file: &FileDescriptor) -> &'static str {
    if syntax(file) == "proto3" {
        "ALLOW"
    } else {
        "LEGACY_BEST_EFFORT"
    }
}

/// `utf8_validation` of string fields of this file: `VERIFY` or `NONE`.
pub fn utf8_validation(file: &FileDescriptor) -> &'static str {
    if syntax(file) == "proto3" {
        "VERIFY"
    } else {
        "NONE"
    }
}

/// Java's UTF-8 validation of string fields: `VERIFY` when the file sets
/// `java_string_check_utf8`, else the file's UTF-8 validation.
pub fn java_utf8_validation(file: &FileDescriptor) -> &'static str {
    let check = file
        .file_descriptor_proto()
        .options
        .as_ref()
        .is_some_and(|o| o.java_string_check_utf8());
    if check {
        "VERIFY"
    } else {
        utf8_validation(file)
    }
}
