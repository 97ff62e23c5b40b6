//! Resolved behaviour of elements that editions express as features and proto2/proto3 express
//! through the syntax, read through [`crate::compile::editions::features`] (which also gives the
//! features proto2/proto3 imply). Never `FileDescriptor::syntax()`: the pool holds proto2-shaped
//! copies of editions files.
//!
//! Also the source paths of explicitly set features, where buf points its findings first.

use prost_reflect::{EnumDescriptor, MessageDescriptor};

use crate::breaking::pairs::Field;
use crate::compile::editions::features::{self as resolved, CppStringType, Features};
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

/// Java's UTF-8 validation of a string field: `VERIFY` when the file sets
/// `java_string_check_utf8` or the field resolves `(pb.java).utf8_validation = VERIFY`, else the
/// field's `utf8_validation`.
pub fn java_utf8_validation(image: &Image, field: &Field) -> &'static str {
    let check = field
        .file()
        .file_descriptor_proto()
        .options
        .as_ref()
        .is_some_and(|o| o.java_string_check_utf8());
    let f = field_features(image, field);
    if check || f.java_utf8_validation == resolved::JavaUtf8Validation::Verify {
        "VERIFY"
    } else {
        f.utf8_validation.name()
    }
}

/// The C++ string type of a string/bytes field (`ctype` or `(pb.cpp).string_type`) and whether
/// it is the legacy `STRING_PIECE` (reported as `STRING_PIECE`, resolved as `STRING`).
pub fn cpp_string_type(image: &Image, field: &Field) -> (&'static str, bool) {
    use prost_types::field_options::CType;
    let ctype = field.proto().options.as_ref().and_then(|o| o.ctype);
    if ctype == Some(CType::StringPiece as i32) {
        return ("STRING", true);
    }
    let t = field_features(image, field).cpp_string_type;
    let t = match (ctype, t) {
        (Some(c), _) if c == CType::Cord as i32 => CppStringType::Cord,
        (Some(c), _) if c == CType::String as i32 => CppStringType::String,
        (_, t) => t,
    };
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
