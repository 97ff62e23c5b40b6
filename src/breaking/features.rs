//! Resolved behaviour of elements that editions express as features and proto2/proto3 express
//! through the syntax, read through [`crate::compile::editions::features`] (which also gives the
//! features proto2/proto3 imply). Never `FileDescriptor::syntax()`: the pool holds proto2-shaped
//! copies of editions files.
//!
//! Also the source paths of explicitly set features, where buf points its findings first.

use prost_reflect::{EnumDescriptor, MessageDescriptor};

use crate::breaking::pairs::Field;
use crate::compile::editions::features::{self as resolved, CppStringType, Features};
use crate::compile::editions::Edition;
use crate::image::{tag, Image};

/// `google.protobuf.FeatureSet` field numbers buf points at.
pub mod feature {
    pub const ENUM_TYPE: i32 = 2;
    pub const UTF8_VALIDATION: i32 = 4;
    pub const JSON_FORMAT: i32 = 6;
    /// `(pb.cpp)` extension and its `string_type`.
    pub const CPP: i32 = 1000;
    pub const CPP_STRING_TYPE: i32 = 2;
    /// `(pb.java)` extension and its `utf8_validation`.
    pub const JAVA: i32 = 1001;
    pub const JAVA_UTF8_VALIDATION: i32 = 2;
}

/// Number of the `features` field in `FieldOptions`, `MessageOptions`, `EnumOptions`.
const FIELD_FEATURES: i32 = 21;
const MESSAGE_FEATURES: i32 = 12;
const ENUM_FEATURES: i32 = 7;

/// Resolved features of a message field or an extension.
pub fn field_features(image: &Image, field: &Field) -> Features {
    match field {
        Field::Message(f) => resolved::field_features(image, f),
        Field::Extension(x) => resolved::extension_features(image, x),
    }
}

/// Whether an enum is closed (unknown values are not kept).
pub fn enum_is_closed(image: &Image, e: &EnumDescriptor) -> bool {
    resolved::enum_features(image, e).enum_type == resolved::EnumType::Closed
}

/// `json_format` of an enum: `ALLOW` or `LEGACY_BEST_EFFORT`.
pub fn enum_json_format(image: &Image, e: &EnumDescriptor) -> &'static str {
    resolved::enum_features(image, e).json_format.name()
}

/// `json_format` of a message: `ALLOW` or `LEGACY_BEST_EFFORT`.
pub fn message_json_format(image: &Image, m: &MessageDescriptor) -> &'static str {
    resolved::message_features(image, m).json_format.name()
}

/// `utf8_validation` of a string field: `VERIFY` or `NONE`.
pub fn utf8_validation(image: &Image, field: &Field) -> &'static str {
    field_features(image, field).utf8_validation.name()
}

/// Java's UTF-8 validation of a string field, as buf resolves it: outside editions, or when the
/// file sets `java_string_check_utf8` explicitly, that option decides (`VERIFY` when true, else the
/// field's `utf8_validation`); in editions otherwise `(pb.java).utf8_validation = VERIFY` gives
/// `VERIFY`, anything else the field's `utf8_validation`.
pub fn java_utf8_validation(image: &Image, field: &Field) -> &'static str {
    let file = field.file();
    let check = file
        .file_descriptor_proto()
        .options
        .as_ref()
        .and_then(|o| o.java_string_check_utf8);
    let f = field_features(image, field);
    let editions = resolved::file_edition(image, file.name()).is_editions();
    let verify = match check {
        Some(check) => check,
        None if !editions => false,
        None => f.java_utf8_validation == resolved::JavaUtf8Validation::Verify,
    };
    if verify {
        "VERIFY"
    } else {
        f.utf8_validation.name()
    }
}

/// The C++ string type of a string/bytes field and whether it is the legacy `STRING_PIECE`
/// (reported as `STRING_PIECE`, compared as `STRING`). Before edition 2024 an explicit `ctype`
/// decides; otherwise the resolved `(pb.cpp).string_type` (`STRING` outside editions).
pub fn cpp_string_type(image: &Image, field: &Field) -> (&'static str, bool) {
    use prost_types::field_options::CType;
    let file = field.file();
    let edition = resolved::file_edition(image, file.name());
    let ctype = field.proto().options.as_ref().and_then(|o| o.ctype);
    if edition < Edition::E2024 {
        match ctype.and_then(|c| CType::try_from(c).ok()) {
            Some(CType::Cord) => return ("CORD", false),
            Some(CType::StringPiece) => return ("STRING", true),
            Some(CType::String) => return ("STRING", false),
            None => {}
        }
        if !edition.is_editions() {
            return ("STRING", false);
        }
    }
    let t: CppStringType = field_features(image, field).cpp_string_type;
    (t.name(), false)
}

/// Whether a message-typed field is encoded as a group (proto2 `group` or `DELIMITED`).
pub fn is_delimited(image: &Image, field: &Field) -> bool {
    matches!(field.kind(), prost_reflect::Kind::Message(_))
        && field_features(image, field).message_encoding == resolved::MessageEncoding::Delimited
}

/// Path of a feature set on a field itself: `options.features.<number>`.
pub fn field_feature_path(field: &Field, number: &[i32]) -> Vec<i32> {
    let mut path = field.path().to_vec();
    path.extend([tag::field::OPTIONS, FIELD_FEATURES]);
    path.extend(number);
    path
}

/// Path of a feature set on a message itself.
pub fn message_feature_path(m: &MessageDescriptor, number: i32) -> Vec<i32> {
    let mut path = m.path().to_vec();
    path.extend([tag::message::OPTIONS, MESSAGE_FEATURES, number]);
    path
}

/// Path of a feature set on an enum itself.
pub fn enum_feature_path(e: &EnumDescriptor, number: i32) -> Vec<i32> {
    let mut path = e.path().to_vec();
    path.extend([tag::enum_::OPTIONS, ENUM_FEATURES, number]);
    path
}
