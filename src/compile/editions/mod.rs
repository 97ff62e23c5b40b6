//! Editions 2023 / 2024: front end, feature resolution, and the checks protoc/buf make on features.
//!
//! ## How an editions file is compiled
//! [`lower::lower`] checks the file with our lossless parser (forbidden constructs become
//! `COMPILE` findings at their exact span), rewrites it in place into proto3 grammar keeping every
//! byte offset, and lets protox parse it: locations and comments are therefore exactly protox's.
//! A proto2-shaped copy is linked by protox/prost-reflect (`LEGACY_REQUIRED` -> `LABEL_REQUIRED`,
//! `google/protobuf/descriptor.proto` imported so that `features` options resolve against the
//! modern `FeatureSet` that [`super::wkt`] ships along with `cpp_features.proto`,
//! `java_features.proto` and `go_features.proto`). The [`crate::image::ImageFile`] keeps the
//! editions form ([`restore_editions_form`]: `syntax = "editions"`, labels as written, edition
//! location at path `[12]`, as buf records it) and `ImageFile::edition`; `encode_image` writes `edition` (field 14).
//! The linked [`crate::image::Image::pool`] still holds the proto2-shaped copy: ask
//! [`features`] for semantics, not `FileDescriptor::syntax()`.
//!
//! ## API for rules (lint / breaking)
//! All in [`features`], over prost-reflect descriptors of the image's pools, for every syntax
//! (proto2/proto3 files get the features their syntax implies):
//! - `features::file_edition(&image, "a.proto") -> Edition` (`Proto2`, `Proto3`, `E2023`, `E2024`);
//! - `features::field_features(&image, &field) -> Features` (also `message_features`,
//!   `oneof_features`, `enum_features`, `enum_value_features`, `service_features`,
//!   `method_features`, `extension_features`, `extension_range_features`, `file_features`);
//! - `Features { field_presence, enum_type, repeated_field_encoding, utf8_validation,
//!   message_encoding, json_format, enforce_naming_style, cpp_legacy_closed_enum, cpp_string_type,
//!   java_legacy_closed_enum, java_utf8_validation }`, each a small enum with `.name()` giving the
//!   descriptor.proto spelling (`LEGACY_REQUIRED`, `CLOSED`, `DELIMITED`, `VIEW`, ...);
//! - `features::effective_presence(&image, &field) -> Option<FieldPresence>` (message fields, oneof
//!   members and extensions are `EXPLICIT` whatever is inherited; `None` for repeated/map) — what
//!   FIELD_NOT_REQUIRED / FIELD_SAME_CARDINALITY need;
//! - `features::is_delimited(&image, &field)` — group or `DELIMITED` (FIELD_SAME_TYPE);
//! - `features::explicit_features(options_bytes, features_field::FIELD)` — only what is written.

pub mod features;
pub mod lower;

use prost::Message as _;
use prost_types::field_descriptor_proto::Label;
use prost_types::{DescriptorProto, FileDescriptorProto};

pub use lower::{
    editions_tree, lower, Edition, EditionsError, LowerError, Lowered, DESCRIPTOR_PROTO,
};

use crate::check::{Finding, Span};
use crate::image::Image;

/// Turns the linked proto2-shaped copy back into the editions form.
pub fn restore_editions_form(proto: &mut FileDescriptorProto, added_descriptor_import: bool) {
    proto.syntax = Some("editions".to_string());
    if added_descriptor_import {
        if let Some(pos) = proto.dependency.iter().rposition(|d| d == DESCRIPTOR_PROTO) {
            proto.dependency.remove(pos);
        }
    }
    for m in &mut proto.message_type {
        unrequire(m);
    }
    for f in &mut proto.extension {
        if f.label() == Label::Required {
            f.set_label(Label::Optional);
        }
    }
}

fn unrequire(m: &mut DescriptorProto) {
    for f in m.field.iter_mut().chain(m.extension.iter_mut()) {
        if f.label() == Label::Required {
            f.set_label(Label::Optional);
        }
    }
    for n in &mut m.nested_type {
        unrequire(n);
    }
}

/// The feature rules protoc enforces after linking: features set on a target they do not apply
/// to, and impossible combinations (implicit presence on message fields, extensions or repeated
/// fields, `LEGACY_REQUIRED` on extensions, `DELIMITED` on non-message fields, encodings on
/// non-repeated fields), and open enums whose first value is not zero.
pub fn check_features(image: &Image) -> Vec<Finding> {
    use features::*;
    let mut out = Vec::new();
    let has_editions = image.files.iter().any(|f| f.edition.is_some());
    for file in image.targets() {
        if has_editions && file.syntax() == "proto3" {
            closed_enums_in_proto3(image, file, &mut out);
        }
        let Some(edition) = file.edition else {
            continue;
        };
        let Some(fd) = image.file_descriptor(file.name()) else {
            continue;
        };
        let locs = file.locations();
        let span_of = |path: &[i32]| {
            locs.get(path)
                .and_then(|l| Span::from_source_code_info(&l.span))
        };
        let mut report = |path: Vec<i32>, message: String| {
            let span =
                span_of(&path).or_else(|| span_of(&path[..path.len().saturating_sub(3).max(1)]));
            // As buf: point at the feature's own name (`enum_type` in `features.enum_type`).
            let span = match message.starts_with("option features.") {
                true => span.map(|s| narrow_to_feature_name(s, &message, file.source.as_deref())),
                false => span,
            };
            out.push(Finding::new(
                "COMPILE",
                Some(file.external_path.clone()),
                span,
                message,
            ));
        };
        let _ = edition;
        // (feature number, allowed targets) for google.protobuf.FeatureSet.
        const FIELD: u16 = 1;
        const FILE: u16 = 2;
        const MESSAGE: u16 = 4;
        const ENUM: u16 = 8;
        const ONEOF: u16 = 16;
        const SERVICE: u16 = 64;
        const METHOD: u16 = 128;
        let allowed = |n: u32| -> u16 {
            match n {
                1 | 3 | 4 | 5 => FIELD | FILE,
                2 => ENUM | FILE,
                6 => MESSAGE | ENUM | FILE,
                8 => FILE,
                _ => u16::MAX,
            }
        };
        let names = [
            "",
            "field_presence",
            "enum_type",
            "repeated_field_encoding",
            "utf8_validation",
            "message_encoding",
            "json_format",
            "enforce_naming_style",
            "default_symbol_visibility",
        ];
        let mut check_targets =
            |set: &FeatureSet,
             target: u16,
             what: &str,
             path: &[i32],
             feat_field: u32,
             report: &mut dyn FnMut(Vec<i32>, String)| {
                for &(n, _) in &set.core {
                    if allowed(n) & target == 0 {
                        let name = names.get(n as usize).copied().unwrap_or("?");
                        let mut p = path.to_vec();
                        p.extend([feat_field as i32, n as i32]);
                        report(p, format!("option features.{name} cannot be set on an entity of type `{what}`"));
                    }
                }
            };
        for (mi, msg) in fd.messages().enumerate() {
            walk_message(&msg, vec![4, mi as i32], &mut |path, item| match item {
                Item::Message(m) => {
                    let set =
                        explicit_features(&m.options().encode_to_vec(), features_field::MESSAGE);
                    let mut p = path.to_vec();
                    p.push(7);
                    check_targets(
                        &set,
                        MESSAGE,
                        "message",
                        &p,
                        features_field::MESSAGE,
                        &mut report,
                    );
                    for (oi, o) in m.oneofs().enumerate() {
                        let set =
                            explicit_features(&o.options().encode_to_vec(), features_field::ONEOF);
                        let p = [path.to_vec(), vec![8, oi as i32, 2]].concat();
                        check_targets(&set, ONEOF, "oneof", &p, features_field::ONEOF, &mut report);
                    }
                }
                Item::Field(f) => {
                    let set =
                        explicit_features(&f.options().encode_to_vec(), features_field::FIELD);
                    let mut p = path.to_vec();
                    p.push(8);
                    check_targets(&set, FIELD, "field", &p, features_field::FIELD, &mut report);
                    field_combinations(image, f, &set, &p, &mut report);
                }
                Item::Enum(e) => enum_checks(image, e, path, &mut check_targets, &mut report),
            });
        }
        for (ei, e) in fd.enums().enumerate() {
            enum_checks(image, &e, &[5, ei as i32], &mut check_targets, &mut report);
        }
        for (si, svc) in fd.services().enumerate() {
            let set = explicit_features(&svc.options().encode_to_vec(), features_field::SERVICE);
            let p = vec![6, si as i32, 3];
            check_targets(
                &set,
                SERVICE,
                "service",
                &p,
                features_field::SERVICE,
                &mut report,
            );
            for (mi, m) in svc.methods().enumerate() {
                let set = explicit_features(&m.options().encode_to_vec(), features_field::METHOD);
                let p = vec![6, si as i32, 2, mi as i32, 4];
                check_targets(
                    &set,
                    METHOD,
                    "method",
                    &p,
                    features_field::METHOD,
                    &mut report,
                );
            }
        }

        for (xi, x) in fd.extensions().enumerate() {
            let set = explicit_features(&x.options().encode_to_vec(), features_field::FIELD);
            let p = vec![7, xi as i32, 8];
            check_targets(&set, FIELD, "field", &p, features_field::FIELD, &mut report);
            for &(n, v) in &set.core {
                if n == 1 {
                    report(
                        vec![7, xi as i32],
                        if v == 3 {
                            "extensions cannot be required (features.field_presence = LEGACY_REQUIRED)".to_string()
                        } else {
                            "extensions cannot set features.field_presence: they always have explicit presence".to_string()
                        },
                    );
                }
            }
        }
    }
    out
}

/// Narrows a one-line option span to the first `features.<name>` name quoted in the message.
fn narrow_to_feature_name(span: Span, message: &str, source: Option<&str>) -> Span {
    let Some(source) = source else { return span };
    let Some(name) = message
        .split("features.")
        .nth(1)
        .map(|rest| {
            rest.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .next()
                .unwrap_or("")
        })
        .filter(|n| !n.is_empty())
    else {
        return span;
    };
    if span.start_line != span.end_line {
        return span;
    }
    let Some(line) = source.lines().nth(span.start_line as usize - 1) else {
        return span;
    };
    let chars: Vec<char> = line.chars().collect();
    let from = (span.start_column as usize)
        .saturating_sub(1)
        .min(chars.len());
    let to = (span.end_column as usize)
        .saturating_sub(1)
        .min(chars.len());
    let within: String = chars[from..to].iter().collect();
    match within.find(&format!("features.{name}")) {
        Some(byte) => {
            let col = span.start_column
                + within[..byte].chars().count() as u32
                + "features.".len() as u32;
            Span {
                start_line: span.start_line,
                start_column: col,
                end_line: span.end_line,
                end_column: col + name.chars().count() as u32,
            }
        }
        None => span,
    }
}

/// proto3 messages cannot use closed enums (an editions enum with `enum_type = CLOSED`).
fn closed_enums_in_proto3(image: &Image, file: &crate::image::ImageFile, out: &mut Vec<Finding>) {
    let Some(fd) = image.file_descriptor(file.name()) else {
        return;
    };
    let mut stack: Vec<(prost_reflect::MessageDescriptor, Vec<i32>)> = fd
        .messages()
        .enumerate()
        .map(|(i, m)| (m, vec![4, i as i32]))
        .collect();
    while let Some((m, path)) = stack.pop() {
        for (i, n) in m.child_messages().enumerate() {
            stack.push((n, [path.clone(), vec![3, i as i32]].concat()));
        }
        for (i, f) in m.fields().enumerate() {
            let prost_reflect::Kind::Enum(e) = f.kind() else {
                continue;
            };
            let from_editions = image
                .file(e.parent_file().name())
                .is_some_and(|ef| ef.edition.is_some());
            if from_editions
                && features::enum_features(image, &e).enum_type == features::EnumType::Closed
            {
                let type_path = [path.clone(), vec![2, i as i32, 6]].concat();
                let span = file
                    .locations()
                    .get(&type_path)
                    .and_then(|l| Span::from_source_code_info(&l.span));
                out.push(Finding::new(
                    "COMPILE",
                    Some(file.external_path.clone()),
                    span,
                    format!(
                        "closed enum `{}` cannot be used in a \"proto3\" message",
                        e.full_name()
                    ),
                ));
            }
        }
    }
}

enum Item<'a> {
    Message(&'a prost_reflect::MessageDescriptor),
    Field(&'a prost_reflect::FieldDescriptor),
    Enum(&'a prost_reflect::EnumDescriptor),
}

fn walk_message(
    msg: &prost_reflect::MessageDescriptor,
    path: Vec<i32>,
    visit: &mut dyn FnMut(&[i32], Item),
) {
    if msg.is_map_entry() {
        return;
    }
    visit(&path, Item::Message(msg));
    for (i, f) in msg.fields().enumerate() {
        let mut p = path.clone();
        p.extend([2, i as i32]);
        visit(&p, Item::Field(&f));
    }
    for (i, n) in msg.child_messages().enumerate() {
        let mut p = path.clone();
        p.extend([3, i as i32]);
        walk_message(&n, p, visit);
    }
    for (i, e) in msg.child_enums().enumerate() {
        let mut p = path.clone();
        p.extend([4, i as i32]);
        visit(&p, Item::Enum(&e));
    }
}

type TargetCheck<'a> =
    dyn FnMut(&features::FeatureSet, u16, &str, &[i32], u32, &mut dyn FnMut(Vec<i32>, String)) + 'a;

fn enum_checks(
    image: &Image,
    e: &prost_reflect::EnumDescriptor,
    path: &[i32],
    check_targets: &mut TargetCheck<'_>,
    report: &mut dyn FnMut(Vec<i32>, String),
) {
    use features::*;
    let set = explicit_features(&e.options().encode_to_vec(), features_field::ENUM);
    let mut p = path.to_vec();
    p.push(3);
    check_targets(&set, 8, "enum", &p, features_field::ENUM, report);
    for (vi, v) in e.values().enumerate() {
        let set = explicit_features(&v.options().encode_to_vec(), features_field::ENUM_VALUE);
        let p = [path.to_vec(), vec![2, vi as i32, 3]].concat();
        // 32 = enum entry (see the target bits in `check_features`)
        check_targets(
            &set,
            32,
            "enum entry",
            &p,
            features_field::ENUM_VALUE,
            report,
        );
    }
    if enum_features(image, e).enum_type == EnumType::Open {
        if let Some(first) = e.values().next() {
            if first.number() != 0 {
                report(
                    [path.to_vec(), vec![2, 0, 2]].concat(),
                    format!(
                        "enum {}: the first value of an open enum must be zero",
                        e.full_name()
                    ),
                );
            }
        }
    }
}

fn field_combinations(
    image: &Image,
    f: &prost_reflect::FieldDescriptor,
    set: &features::FeatureSet,
    options_path: &[i32],
    report: &mut dyn FnMut(Vec<i32>, String),
) {
    use prost_reflect::Kind;
    // As buf: impossible combinations are reported at the field declaration.
    let field_path = options_path[..options_path.len() - 1].to_vec();
    let at = |_feature: u32| field_path.clone();
    let is_message = matches!(f.kind(), Kind::Message(_)) && !f.is_map();
    let repeated = f.is_list() || f.is_map();
    for &(n, v) in &set.core {
        match n {
            1 if repeated => report(
                at(1),
                "repeated fields cannot specify features.field_presence".into(),
            ),
            1 if f.containing_oneof().is_some() => report(
                at(1),
                "oneof fields cannot specify features.field_presence".into(),
            ),
            1 if v == 2 && is_message => report(
                at(1),
                "message fields cannot specify implicit presence".into(),
            ),
            3 if !repeated => report(
                at(3),
                "only repeated fields can specify features.repeated_field_encoding".into(),
            ),
            3 if !f.kind().is_packable_kind() => report(
                at(3),
                "only repeated primitive fields can specify features.repeated_field_encoding"
                    .into(),
            ),
            4 if f.kind() != Kind::String && !is_string_map(f) => report(
                at(4),
                "only string fields can specify features.utf8_validation".into(),
            ),
            5 if !is_message => report(
                at(5),
                "only message fields can specify features.message_encoding".into(),
            ),
            _ => {}
        }
    }
    let _ = image;
}

fn is_string_map(f: &prost_reflect::FieldDescriptor) -> bool {
    match f.kind() {
        prost_reflect::Kind::Message(m) if f.is_map() => {
            m.map_entry_key_field().kind() == prost_reflect::Kind::String
                || m.map_entry_value_field().kind() == prost_reflect::Kind::String
        }
        _ => false,
    }
}

trait Packable {
    fn is_packable_kind(&self) -> bool;
}

impl Packable for prost_reflect::Kind {
    fn is_packable_kind(&self) -> bool {
        !matches!(
            self,
            prost_reflect::Kind::String
                | prost_reflect::Kind::Bytes
                | prost_reflect::Kind::Message(_)
        )
    }
}

/// Re-encodes a linked editions file (`linked` = the pool's encoding of the proto2-shaped copy)
/// in its editions form: `syntax = "editions"`, `edition` (field 14), the real imports, labels as
/// written. Options (with `features`) are kept as linked; the caller puts in the image file's
/// `SourceCodeInfo`.
pub fn encode_editions_form(
    pool: &prost_reflect::DescriptorPool,
    file: &crate::image::ImageFile,
    edition: Edition,
    linked: &[u8],
) -> crate::Result<Vec<u8>> {
    use prost_reflect::{DynamicMessage, ReflectMessage, Value};
    let err =
        |e: &dyn std::fmt::Display| crate::Error::new(format!("encoding {}: {e}", file.name()));
    let desc = pool
        .get_message_by_name("google.protobuf.FileDescriptorProto")
        .unwrap_or_else(|| prost_types::FileDescriptorProto::default().descriptor());
    let mut msg = DynamicMessage::decode(desc.clone(), linked).map_err(|e| err(&e))?;
    msg.set_field_by_name("syntax", Value::String("editions".into()));
    msg.set_field_by_name(
        "dependency",
        Value::List(
            file.proto
                .dependency
                .iter()
                .map(|d| Value::String(d.clone()))
                .collect(),
        ),
    );
    for name in ["message_type", "extension"] {
        if let Some(Value::List(items)) = msg.get_field_by_name_mut(name) {
            for item in items {
                if let Value::Message(m) = item {
                    if name == "message_type" {
                        unrequire_dynamic(m);
                    } else {
                        unrequire_field(m);
                    }
                }
            }
        }
    }
    if let Some(source) = &file.source {
        if let Ok(tree) = crate::syntax::parse(source) {
            set_visibility(&mut msg, &tree, &tree.decls);
        }
    }
    let mut bytes = msg.encode_to_vec();
    if desc.get_field_by_name("edition").is_some() {
        msg.set_field_by_name("edition", Value::EnumNumber(edition.number()));
        bytes = msg.encode_to_vec();
    } else {
        prost::encoding::encode_key(14, prost::encoding::WireType::Varint, &mut bytes);
        prost::encoding::encode_varint(edition.number() as u64, &mut bytes);
    }
    Ok(bytes)
}

/// `export` / `local` (edition 2024) -> `visibility` of messages (field 11) and enums (field 6):
/// `VISIBILITY_LOCAL` = 1, `VISIBILITY_EXPORT` = 2. Messages and map fields count as nested types
/// in declaration order (protox adds map entries where the map field is).
fn set_visibility(
    msg: &mut prost_reflect::DynamicMessage,
    tree: &crate::syntax::File,
    decls: &[crate::syntax::Decl],
) {
    use crate::syntax::Decl;
    use prost_reflect::{ReflectMessage, Value};
    let (messages_field, enums_field) =
        if msg.descriptor().full_name() == "google.protobuf.FileDescriptorProto" {
            ("message_type", "enum_type")
        } else {
            ("nested_type", "enum_type")
        };
    let visibility =
        |v: Option<crate::syntax::TokenId>| v.map(|t| if tree.text(t) == "local" { 1 } else { 2 });
    let (mut mi, mut ei) = (0usize, 0usize);
    for decl in decls {
        match decl {
            Decl::Message(d) => {
                if let Some(Value::List(items)) = msg.get_field_by_name_mut(messages_field) {
                    if let Some(Value::Message(m)) = items.get_mut(mi) {
                        if let Some(v) = visibility(d.visibility) {
                            if m.descriptor().get_field_by_name("visibility").is_some() {
                                m.set_field_by_name("visibility", Value::EnumNumber(v));
                            }
                        }
                        set_visibility(m, tree, &d.body.decls);
                    }
                }
                mi += 1;
            }
            Decl::MapField(_) => mi += 1,
            Decl::Enum(d) => {
                if let Some(Value::List(items)) = msg.get_field_by_name_mut(enums_field) {
                    if let (Some(Value::Message(e)), Some(v)) =
                        (items.get_mut(ei), visibility(d.visibility))
                    {
                        if e.descriptor().get_field_by_name("visibility").is_some() {
                            e.set_field_by_name("visibility", Value::EnumNumber(v));
                        }
                    }
                }
                ei += 1;
            }
            _ => {}
        }
    }
}

fn unrequire_dynamic(m: &mut prost_reflect::DynamicMessage) {
    use prost_reflect::Value;
    for name in ["field", "extension", "nested_type"] {
        if let Some(Value::List(items)) = m.get_field_by_name_mut(name) {
            for item in items {
                if let Value::Message(inner) = item {
                    if name == "nested_type" {
                        unrequire_dynamic(inner);
                    } else {
                        unrequire_field(inner);
                    }
                }
            }
        }
    }
}

fn unrequire_field(f: &mut prost_reflect::DynamicMessage) {
    use prost_reflect::Value;
    if f.get_field_by_name("label").as_deref() == Some(&Value::EnumNumber(Label::Required as i32)) {
        f.set_field_by_name("label", Value::EnumNumber(Label::Optional as i32));
    }
}

/// For images read from bytes (ours or buf's): the `FileDescriptorSet` with every editions file
/// rewritten proto2-shaped (`syntax = "proto2"`, `LEGACY_REQUIRED` fields `LABEL_REQUIRED`), and
/// the edition of each such file. `None` bytes when the set has no editions file.
/// `delimited_as_group` also turns `features.message_encoding = DELIMITED` fields into
/// `TYPE_GROUP` (for code generators that only know proto2/proto3, e.g. prost-build).
#[allow(clippy::type_complexity)]
pub fn linkable_image(
    set: &[u8],
    delimited_as_group: bool,
) -> std::result::Result<(Option<Vec<u8>>, std::collections::HashMap<String, Edition>), String> {
    use prost::encoding::{decode_key, decode_varint, encode_key, encode_varint, WireType};
    use prost_reflect::{DynamicMessage, ReflectMessage, Value};
    let mut editions = std::collections::HashMap::new();
    if !set.windows(8).any(|w| w == b"editions") {
        return Ok((None, editions));
    }
    let file_desc = prost_types::FileDescriptorProto::default().descriptor();
    let mut out = Vec::with_capacity(set.len());
    let mut rest = set;
    while !rest.is_empty() {
        let (tag, wire) = decode_key(&mut rest).map_err(|e| e.to_string())?;
        if wire != WireType::LengthDelimited {
            return Err(format!("unexpected wire type for field {tag}"));
        }
        let len = decode_varint(&mut rest).map_err(|e| e.to_string())? as usize;
        if len > rest.len() {
            return Err("truncated file entry".into());
        }
        let (body, tail) = rest.split_at(len);
        rest = tail;
        let mut entry = body.to_vec();
        if tag == 1 {
            let mut msg =
                DynamicMessage::decode(file_desc.clone(), body).map_err(|e| e.to_string())?;
            if msg
                .get_field_by_name("syntax")
                .and_then(|v| v.as_str().map(str::to_string))
                .as_deref()
                == Some("editions")
            {
                let number = features::raw_varint(body, 14).unwrap_or(0) as i32;
                let edition = match number {
                    1000 => Edition::E2023,
                    1001 => Edition::E2024,
                    n => return Err(format!("unsupported edition {n} in the image")),
                };
                let name = msg
                    .get_field_by_name("name")
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default();
                editions.insert(name, edition);
                msg.set_field_by_name("syntax", Value::String("proto2".into()));
                for list in ["message_type", "extension"] {
                    if let Some(Value::List(items)) = msg.get_field_by_name_mut(list) {
                        for item in items {
                            if let Value::Message(m) = item {
                                if list == "message_type" {
                                    require_dynamic(m, delimited_as_group);
                                } else {
                                    require_field(m, delimited_as_group);
                                }
                            }
                        }
                    }
                }
                entry = msg.encode_to_vec();
            }
        }
        encode_key(tag, WireType::LengthDelimited, &mut out);
        encode_varint(entry.len() as u64, &mut out);
        out.extend_from_slice(&entry);
    }
    Ok((Some(out), editions))
}

fn require_dynamic(m: &mut prost_reflect::DynamicMessage, delimited_as_group: bool) {
    use prost_reflect::Value;
    for name in ["field", "extension", "nested_type"] {
        if let Some(Value::List(items)) = m.get_field_by_name_mut(name) {
            for item in items {
                if let Value::Message(inner) = item {
                    if name == "nested_type" {
                        require_dynamic(inner, delimited_as_group);
                    } else {
                        require_field(inner, delimited_as_group);
                    }
                }
            }
        }
    }
}

/// `features.field_presence = LEGACY_REQUIRED` on the field itself -> `LABEL_REQUIRED`
/// (and, when asked, `features.message_encoding = DELIMITED` -> `TYPE_GROUP`).
fn require_field(f: &mut prost_reflect::DynamicMessage, delimited_as_group: bool) {
    use prost_reflect::Value;
    let set = match f.get_field_by_name("options") {
        Some(v) => match v.as_message() {
            Some(opts) => {
                features::explicit_features(&opts.encode_to_vec(), features::features_field::FIELD)
            }
            None => features::FeatureSet::default(),
        },
        None => features::FeatureSet::default(),
    };
    let last = |n: u32| {
        set.core
            .iter()
            .rev()
            .find(|(f, _)| *f == n)
            .map(|(_, v)| *v)
    };
    if last(1) == Some(3) {
        f.set_field_by_name("label", Value::EnumNumber(Label::Required as i32));
    }
    let is_message = f.get_field_by_name("type").as_deref() == Some(&Value::EnumNumber(11));
    if delimited_as_group && is_message && last(5) == Some(2) {
        f.set_field_by_name("type", Value::EnumNumber(10));
    }
}
