//! Feature resolution, as protoc and buf do it.
//!
//! Every element gets a complete [`Features`]: the defaults of its file's edition, overridden by
//! the `features` options of the file, then of each enclosing element, then of the element itself
//! (file -> message -> nested message -> oneof -> field; file -> [message ->] enum -> enum value;
//! file -> service -> method; an extension inherits from the message it is declared in, or the file).
//! For proto2 and proto3 files the same functions return the features those syntaxes imply
//! (proto2: explicit presence, closed enums, expanded repeated fields, no UTF-8 check, legacy JSON;
//! `required` -> `LEGACY_REQUIRED`, groups -> `DELIMITED`, `[packed = true]` -> `PACKED`;
//! proto3: implicit presence unless `optional`, open enums, packed, verified UTF-8, JSON allowed;
//! `[packed = false]` -> `EXPANDED`), plus `ctype` -> cpp `string_type` and
//! `java_string_check_utf8` -> java `utf8_validation = VERIFY`.

use prost::encoding::{decode_key, decode_varint, WireType};
use prost::Message as _;
use prost_reflect::{
    EnumDescriptor, EnumValueDescriptor, ExtensionDescriptor, FieldDescriptor, FileDescriptor,
    Kind, MessageDescriptor, MethodDescriptor, OneofDescriptor, ServiceDescriptor,
};

use super::lower::Edition;
use crate::image::Image;

macro_rules! feature_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $n:literal / $spelling:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
        #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
        pub enum $name { $($variant),* }
        impl $name {
            fn from_number(n: u64) -> Option<Self> {
                match n { $($n => Some($name::$variant),)* _ => None }
            }
            /// The enum value name as in descriptor.proto (`EXPLICIT`, `LEGACY_REQUIRED`, ...).
            pub fn name(self) -> &'static str {
                match self { $($name::$variant => $spelling,)* }
            }
        }
    };
}

feature_enum!(FieldPresence {
    Explicit = 1 / "EXPLICIT",
    Implicit = 2 / "IMPLICIT",
    LegacyRequired = 3 / "LEGACY_REQUIRED",
});
feature_enum!(EnumType { Open = 1 / "OPEN", Closed = 2 / "CLOSED" });
feature_enum!(RepeatedFieldEncoding { Packed = 1 / "PACKED", Expanded = 2 / "EXPANDED" });
feature_enum!(Utf8Validation { Verify = 2 / "VERIFY", None = 3 / "NONE" });
feature_enum!(MessageEncoding {
    LengthPrefixed = 1 / "LENGTH_PREFIXED",
    Delimited = 2 / "DELIMITED",
});
feature_enum!(JsonFormat { Allow = 1 / "ALLOW", LegacyBestEffort = 2 / "LEGACY_BEST_EFFORT" });
feature_enum!(EnforceNamingStyle { Style2024 = 1 / "STYLE2024", StyleLegacy = 2 / "STYLE_LEGACY" });
feature_enum!(
    /// `pb.cpp` `string_type`.
    CppStringType { View = 1 / "VIEW", Cord = 2 / "CORD", String = 3 / "STRING" }
);
feature_enum!(
    /// `pb.java` `utf8_validation` (`DEFAULT` follows the core `utf8_validation`).
    JavaUtf8Validation { Default = 1 / "DEFAULT", Verify = 2 / "VERIFY" }
);

/// The resolved features of one element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Features {
    pub field_presence: FieldPresence,
    pub enum_type: EnumType,
    pub repeated_field_encoding: RepeatedFieldEncoding,
    pub utf8_validation: Utf8Validation,
    pub message_encoding: MessageEncoding,
    pub json_format: JsonFormat,
    /// `STYLE2024` from edition 2024 on.
    pub enforce_naming_style: EnforceNamingStyle,
    /// `(pb.cpp).legacy_closed_enum`.
    pub cpp_legacy_closed_enum: bool,
    /// `(pb.cpp).string_type`.
    pub cpp_string_type: CppStringType,
    /// `(pb.java).legacy_closed_enum`.
    pub java_legacy_closed_enum: bool,
    /// `(pb.java).utf8_validation`.
    pub java_utf8_validation: JavaUtf8Validation,
}

impl Features {
    /// The defaults of an edition (descriptor.proto / cpp_features / java_features `edition_defaults`).
    pub fn defaults(edition: Edition) -> Features {
        let proto3_or_later = edition >= Edition::Proto3;
        Features {
            field_presence: match edition {
                Edition::Proto3 => FieldPresence::Implicit,
                _ => FieldPresence::Explicit,
            },
            enum_type: if proto3_or_later {
                EnumType::Open
            } else {
                EnumType::Closed
            },
            repeated_field_encoding: if proto3_or_later {
                RepeatedFieldEncoding::Packed
            } else {
                RepeatedFieldEncoding::Expanded
            },
            utf8_validation: if proto3_or_later {
                Utf8Validation::Verify
            } else {
                Utf8Validation::None
            },
            message_encoding: MessageEncoding::LengthPrefixed,
            json_format: if proto3_or_later {
                JsonFormat::Allow
            } else {
                JsonFormat::LegacyBestEffort
            },
            enforce_naming_style: if edition >= Edition::E2024 {
                EnforceNamingStyle::Style2024
            } else {
                EnforceNamingStyle::StyleLegacy
            },
            cpp_legacy_closed_enum: !proto3_or_later,
            cpp_string_type: if edition >= Edition::E2024 {
                CppStringType::View
            } else {
                CppStringType::String
            },
            java_legacy_closed_enum: !proto3_or_later,
            java_utf8_validation: JavaUtf8Validation::Default,
        }
    }

    /// Applies explicitly set features (later wins).
    fn apply(&mut self, set: &FeatureSet) {
        for &(field, value) in &set.core {
            match field {
                1 => set_if(&mut self.field_presence, FieldPresence::from_number(value)),
                2 => set_if(&mut self.enum_type, EnumType::from_number(value)),
                3 => set_if(
                    &mut self.repeated_field_encoding,
                    RepeatedFieldEncoding::from_number(value),
                ),
                4 => set_if(
                    &mut self.utf8_validation,
                    Utf8Validation::from_number(value),
                ),
                5 => set_if(
                    &mut self.message_encoding,
                    MessageEncoding::from_number(value),
                ),
                6 => set_if(&mut self.json_format, JsonFormat::from_number(value)),
                7 => set_if(
                    &mut self.enforce_naming_style,
                    EnforceNamingStyle::from_number(value),
                ),
                _ => {}
            }
        }
        for &(field, value) in &set.cpp {
            match field {
                1 => self.cpp_legacy_closed_enum = value != 0,
                2 => set_if(&mut self.cpp_string_type, CppStringType::from_number(value)),
                _ => {}
            }
        }
        for &(field, value) in &set.java {
            match field {
                1 => self.java_legacy_closed_enum = value != 0,
                2 => set_if(
                    &mut self.java_utf8_validation,
                    JavaUtf8Validation::from_number(value),
                ),
                _ => {}
            }
        }
    }
}

fn set_if<T>(slot: &mut T, value: Option<T>) {
    if let Some(v) = value {
        *slot = v;
    }
}

/// Feature values set explicitly on one element: `(field number, value)` in source order.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FeatureSet {
    /// `google.protobuf.FeatureSet` fields 1..=9.
    pub core: Vec<(u32, u64)>,
    /// `(pb.cpp)` = extension 1000.
    pub cpp: Vec<(u32, u64)>,
    /// `(pb.java)` = extension 1001.
    pub java: Vec<(u32, u64)>,
    /// `(pb.go)` = extension 1002.
    pub go: Vec<(u32, u64)>,
}

impl FeatureSet {
    pub fn is_empty(&self) -> bool {
        self.core.is_empty() && self.cpp.is_empty() && self.java.is_empty() && self.go.is_empty()
    }
}

/// Number of the `features` field in each options message.
pub mod features_field {
    pub const FILE: u32 = 50;
    pub const MESSAGE: u32 = 12;
    pub const FIELD: u32 = 21;
    pub const ONEOF: u32 = 1;
    pub const ENUM: u32 = 7;
    pub const ENUM_VALUE: u32 = 2;
    pub const SERVICE: u32 = 34;
    pub const METHOD: u32 = 35;
    pub const EXTENSION_RANGE: u32 = 50;
}

/// The explicitly set features in encoded options (`FileOptions`, `FieldOptions`, ...).
pub fn explicit_features(options: &[u8], features_field: u32) -> FeatureSet {
    let mut out = FeatureSet::default();
    for body in length_delimited(options, features_field) {
        for (field, wire, mut value) in fields(body) {
            match (field, wire) {
                (1..=999, WireType::Varint) => {
                    if let Ok(v) = decode_varint(&mut value) {
                        out.core.push((field, v));
                    }
                }
                (1000..=1002, WireType::LengthDelimited) => {
                    let target = match field {
                        1000 => &mut out.cpp,
                        1001 => &mut out.java,
                        _ => &mut out.go,
                    };
                    for (f, w, mut v) in fields(value) {
                        if w == WireType::Varint {
                            if let Ok(v) = decode_varint(&mut v) {
                                target.push((f, v));
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// Top-level fields of an encoded message: (number, wire type, value bytes; for varints the
/// varint itself, for length-delimited fields the body).
fn fields(mut buf: &[u8]) -> Vec<(u32, WireType, &[u8])> {
    let mut out = Vec::new();
    while !buf.is_empty() {
        let Ok((tag, wire)) = decode_key(&mut buf) else {
            break;
        };
        let before = buf;
        let value: &[u8] = match wire {
            WireType::Varint => {
                if decode_varint(&mut buf).is_err() {
                    break;
                }
                &before[..before.len() - buf.len()]
            }
            WireType::LengthDelimited => {
                let Ok(len) = decode_varint(&mut buf) else {
                    break;
                };
                let len = len as usize;
                if len > buf.len() {
                    break;
                }
                let (body, rest) = buf.split_at(len);
                buf = rest;
                body
            }
            WireType::SixtyFourBit if buf.len() >= 8 => {
                buf = &buf[8..];
                &before[..8]
            }
            WireType::ThirtyTwoBit if buf.len() >= 4 => {
                buf = &buf[4..];
                &before[..4]
            }
            _ => break,
        };
        out.push((tag, wire, value));
    }
    out
}

fn length_delimited(buf: &[u8], number: u32) -> impl Iterator<Item = &[u8]> {
    fields(buf)
        .into_iter()
        .filter(move |(n, w, _)| *n == number && *w == WireType::LengthDelimited)
        .map(|(_, _, b)| b)
}

/// The last value of a varint field in an encoded message.
pub(crate) fn raw_varint(buf: &[u8], number: u32) -> Option<u64> {
    varint_field(buf, number)
}

fn varint_field(buf: &[u8], number: u32) -> Option<u64> {
    fields(buf)
        .into_iter()
        .filter(|(n, w, _)| *n == number && *w == WireType::Varint)
        .filter_map(|(_, _, mut v)| decode_varint(&mut v).ok())
        .next_back()
}

/// The edition of a file of the image (`Proto2`/`Proto3` from its syntax).
pub fn file_edition(image: &Image, file: &str) -> Edition {
    match image.file(file) {
        Some(f) => match f.edition {
            Some(e) => e,
            None if f.syntax() == "proto3" => Edition::Proto3,
            None => Edition::Proto2,
        },
        None => match image.file_descriptor(file) {
            Some(fd) if fd.syntax() == prost_reflect::Syntax::Proto3 => Edition::Proto3,
            _ => Edition::Proto2,
        },
    }
}

/// Resolved features of a file.
pub fn file_features(image: &Image, file: &FileDescriptor) -> Features {
    let edition = file_edition(image, file.name());
    let mut f = Features::defaults(edition);
    let opts = file.options().encode_to_vec();
    if edition.is_editions() {
        f.apply(&explicit_features(&opts, features_field::FILE));
    } else if varint_field(&opts, 27) == Some(1) {
        // java_string_check_utf8
        f.java_utf8_validation = JavaUtf8Validation::Verify;
    }
    f
}

/// Resolved features of a message (nested messages inherit from their parent).
pub fn message_features(image: &Image, message: &MessageDescriptor) -> Features {
    let mut f = match message.parent_message() {
        Some(parent) => message_features(image, &parent),
        None => file_features(image, &message.parent_file()),
    };
    f.apply(&explicit_features(
        &message.options().encode_to_vec(),
        features_field::MESSAGE,
    ));
    f
}

/// Resolved features of a oneof.
pub fn oneof_features(image: &Image, oneof: &OneofDescriptor) -> Features {
    let mut f = message_features(image, oneof.parent_message());
    f.apply(&explicit_features(
        &oneof.options().encode_to_vec(),
        features_field::ONEOF,
    ));
    f
}

/// Resolved features of a message field (not an extension: see [`extension_features`]).
pub fn field_features(image: &Image, field: &FieldDescriptor) -> Features {
    let parent = match field.containing_oneof() {
        Some(oneof) if !oneof.is_synthetic() => oneof_features(image, &oneof),
        _ => message_features(image, field.parent_message()),
    };
    let edition = file_edition(image, field.parent_file().name());
    let proto = field.field_descriptor_proto();
    let opts = field.options().encode_to_vec();
    own_field_features(parent, edition, proto, &opts)
}

/// Resolved features of an extension (inherits from the message it is declared in, or the file).
pub fn extension_features(image: &Image, ext: &ExtensionDescriptor) -> Features {
    let parent = match ext.parent_message() {
        Some(m) => message_features(image, &m),
        None => file_features(image, &ext.parent_file()),
    };
    let edition = file_edition(image, ext.parent_file().name());
    own_field_features(
        parent,
        edition,
        ext.field_descriptor_proto(),
        &ext.options().encode_to_vec(),
    )
}

fn own_field_features(
    mut f: Features,
    edition: Edition,
    proto: &prost_types::FieldDescriptorProto,
    opts: &[u8],
) -> Features {
    use prost_types::field_descriptor_proto::{Label, Type};
    if edition.is_editions() {
        f.apply(&explicit_features(opts, features_field::FIELD));
        return f;
    }
    // Legacy syntaxes: what protoc infers from labels, types and options.
    if proto.label() == Label::Required {
        f.field_presence = FieldPresence::LegacyRequired;
    } else if edition == Edition::Proto3 && proto.proto3_optional() {
        f.field_presence = FieldPresence::Explicit;
    }
    if proto.r#type() == Type::Group {
        f.message_encoding = MessageEncoding::Delimited;
    }
    match varint_field(opts, 2) {
        // packed
        Some(1) => f.repeated_field_encoding = RepeatedFieldEncoding::Packed,
        Some(0) => f.repeated_field_encoding = RepeatedFieldEncoding::Expanded,
        _ => {}
    }
    match varint_field(opts, 1) {
        // ctype: STRING = 0, CORD = 1, STRING_PIECE = 2
        Some(1) => f.cpp_string_type = CppStringType::Cord,
        Some(2) => f.cpp_string_type = CppStringType::View,
        _ => {}
    }
    f
}

/// The presence a singular field really has: message fields, oneof members and extensions always
/// track presence (`EXPLICIT`) unless `LEGACY_REQUIRED`; `None` for repeated and map fields.
pub fn effective_presence(image: &Image, field: &FieldDescriptor) -> Option<FieldPresence> {
    if field.is_list() || field.is_map() {
        return None;
    }
    let presence = field_features(image, field).field_presence;
    let always_explicit = matches!(field.kind(), Kind::Message(_))
        || field.containing_oneof().is_some()
        || field.field_descriptor_proto().proto3_optional();
    Some(match presence {
        FieldPresence::Implicit if always_explicit => FieldPresence::Explicit,
        p => p,
    })
}

/// True when a message-typed field is encoded as a group (proto2 `group` or `DELIMITED`).
pub fn is_delimited(image: &Image, field: &FieldDescriptor) -> bool {
    matches!(field.kind(), Kind::Message(_))
        && field_features(image, field).message_encoding == MessageEncoding::Delimited
}

/// Resolved features of an enum.
pub fn enum_features(image: &Image, enum_: &EnumDescriptor) -> Features {
    let mut f = match enum_.parent_message() {
        Some(m) => message_features(image, &m),
        None => file_features(image, &enum_.parent_file()),
    };
    f.apply(&explicit_features(
        &enum_.options().encode_to_vec(),
        features_field::ENUM,
    ));
    f
}

/// Resolved features of an enum value.
pub fn enum_value_features(image: &Image, value: &EnumValueDescriptor) -> Features {
    let mut f = enum_features(image, value.parent_enum());
    f.apply(&explicit_features(
        &value.options().encode_to_vec(),
        features_field::ENUM_VALUE,
    ));
    f
}

/// Resolved features of a service.
pub fn service_features(image: &Image, service: &ServiceDescriptor) -> Features {
    let mut f = file_features(image, &service.parent_file());
    f.apply(&explicit_features(
        &service.options().encode_to_vec(),
        features_field::SERVICE,
    ));
    f
}

/// Resolved features of a method.
pub fn method_features(image: &Image, method: &MethodDescriptor) -> Features {
    let mut f = service_features(image, method.parent_service());
    f.apply(&explicit_features(
        &method.options().encode_to_vec(),
        features_field::METHOD,
    ));
    f
}

/// Resolved features of extension range `index` of a message.
pub fn extension_range_features(
    image: &Image,
    message: &MessageDescriptor,
    index: usize,
) -> Features {
    let mut f = message_features(image, message);
    // prost-types drops `features` from ExtensionRangeOptions: read the linked file's bytes.
    let file = message.parent_file().encode_to_vec();
    let path = [message.path(), &[5, index as i32][..]].concat();
    if let Some(range) = raw_at(&file, &path) {
        for opts in length_delimited(range, 3) {
            f.apply(&explicit_features(opts, features_field::EXTENSION_RANGE));
        }
    }
    f
}

/// The encoded message at a descriptor path (`[4, 0, 5, 1]`: message 0, extension range 1).
fn raw_at<'a>(mut buf: &'a [u8], path: &[i32]) -> Option<&'a [u8]> {
    for pair in path.chunks(2) {
        let [field, index] = pair else { return None };
        buf = length_delimited(buf, *field as u32).nth(*index as usize)?;
    }
    Some(buf)
}
