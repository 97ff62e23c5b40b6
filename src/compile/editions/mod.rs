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
//! `import option "x.proto";` (2024) is linked as a plain import, so the extensions of `x.proto`
//! resolve in options; the image has it in `ImageFile::option_dependency` (written as
//! `FileDescriptorProto.option_dependency`, field 15), not in `dependency`, which is all lint
//! and breaking rules look at (as buf's). Reading images back moves field 15 into `dependency`
//! for linking and out again ([`Restore`]).
//!
//! After linking, [`check_features`] makes the checks buf makes on editions: feature existence
//! per edition and targets, read from the shipped descriptors (`validate`), impossible feature
//! combinations, 2024 naming style and symbol visibility (`visibility`), types from
//! option-only imports.
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
mod validate;
mod visibility;

use std::collections::HashSet;

use prost::Message as _;
use prost_types::field_descriptor_proto::Label;
use prost_types::{DescriptorProto, FileDescriptorProto};

pub use lower::{
    editions_tree, legacy_option_import, lower, Edition, EditionsError, LowerError, Lowered,
    Restore, DESCRIPTOR_PROTO,
};

use crate::check::{Finding, Span};
use crate::image::Image;

/// Turns the linked proto2-shaped copy back into the editions form; returns the
/// `option_dependency` list (`import option` files, taken out of `dependency`).
pub fn restore_editions_form(proto: &mut FileDescriptorProto, restore: &Restore) -> Vec<String> {
    proto.syntax = Some("editions".to_string());
    if restore.added_descriptor_import {
        if let Some(pos) = proto.dependency.iter().rposition(|d| d == DESCRIPTOR_PROTO) {
            proto.dependency.remove(pos);
        }
    }
    let option_dependency = split_option_imports(proto, &restore.option_imports);
    for m in &mut proto.message_type {
        unrequire(m);
    }
    for f in &mut proto.extension {
        if f.label() == Label::Required {
            f.set_label(Label::Optional);
        }
    }
    option_dependency
}

/// Moves `dependency[i]` for each `i` of `option_imports` to the returned list, renumbering
/// `public_dependency`, `weak_dependency` and the import locations (`[3, i]` -> `[15, j]`).
fn split_option_imports(proto: &mut FileDescriptorProto, option_imports: &[usize]) -> Vec<String> {
    if option_imports.is_empty() {
        return Vec::new();
    }
    let old = std::mem::take(&mut proto.dependency);
    // Old index -> (is option, new index in its list).
    let mut map = Vec::with_capacity(old.len());
    let mut options = Vec::new();
    for (i, dep) in old.into_iter().enumerate() {
        if option_imports.contains(&i) {
            map.push((true, options.len() as i32));
            options.push(dep);
        } else {
            map.push((false, proto.dependency.len() as i32));
            proto.dependency.push(dep);
        }
    }
    let renumber = |list: &mut Vec<i32>| {
        list.retain_mut(|i| match map.get(*i as usize) {
            Some(&(false, new)) => {
                *i = new;
                true
            }
            _ => false,
        })
    };
    renumber(&mut proto.public_dependency);
    renumber(&mut proto.weak_dependency);
    if let Some(info) = &mut proto.source_code_info {
        for loc in &mut info.location {
            if let [3, i, ..] = loc.path[..] {
                if let Some(&(is_option, new)) = map.get(i as usize) {
                    loc.path[0] = if is_option { 15 } else { 3 };
                    loc.path[1] = new;
                }
            }
        }
    }
    options
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

/// The feature rules protoc and buf enforce after linking: features that do not exist in the
/// file's edition or are set on a target they do not apply to (`validate`), impossible
/// combinations (implicit presence on message fields, extensions or repeated fields,
/// `LEGACY_REQUIRED` on extensions, `DELIMITED` on non-message fields, encodings on
/// non-repeated fields, closed enums in implicit-presence fields), open enums whose first value
/// is not zero, edition 2024's naming style, enum values that clash once their prefix is
/// stripped (proto3 too), and types used from files not imported for them.
pub fn check_features(image: &Image) -> Vec<Finding> {
    use rayon::prelude::*;
    let has_editions = image.files.iter().any(|f| f.edition.is_some());
    let local_symbols = visibility::local_symbols(image);
    image
        .files
        .par_iter()
        .filter(|f| !f.is_import)
        .flat_map_iter(|file| check_file(image, file, local_symbols.as_ref(), has_editions))
        .collect()
}

/// [`check_features`] for one target file.
fn check_file(
    image: &Image,
    file: &crate::image::ImageFile,
    local_symbols: Option<&std::collections::HashMap<String, bool>>,
    has_editions: bool,
) -> Vec<Finding> {
    use features::*;
    let mut out = Vec::new();
    // (A block: `report` below borrows `out` until its end.)
    {
        if let Some(local) = local_symbols {
            visibility::unexported_uses(image, file, local, &mut out);
            visibility::strict_exports(image, file, &mut out);
        }
        if has_editions && file.syntax() == "proto3" {
            closed_enums_in_proto3(image, file, &mut out);
        }
        if file.edition.is_some() || file.syntax() == "proto3" {
            validate::enum_value_conflicts(image, file, &mut out);
        }
        if file.edition.is_none() {
            return out;
        }
        types_not_imported(image, file, &mut out);
        validate::feature_sets(image, file, &mut out);
        validate::naming_style(image, file, &mut out);
        let Some(fd) = image.file_descriptor(file.name()) else {
            return out;
        };
        let locs = file.locations();
        let mut report = |path: Vec<i32>, message: String| {
            let span = locs
                .span(&path)
                .or_else(|| locs.span(&path[..path.len().saturating_sub(3).max(1)]));
            out.push(Finding::new(
                "COMPILE",
                Some(file.external_path.clone()),
                span,
                message,
            ));
        };
        for (mi, msg) in fd.messages().enumerate() {
            walk_message(&msg, vec![4, mi as i32], &mut |path, item| match item {
                Item::Field(f) => {
                    let set =
                        explicit_features(&f.options().encode_to_vec(), features_field::FIELD);
                    field_combinations(image, f, &set, path, &mut report);
                }
                Item::Extension(x) => extension_presence(x, path, &mut report),
                Item::Enum(e) => first_value_zero(image, e, path, &mut report),
            });
        }
        for (ei, e) in fd.enums().enumerate() {
            first_value_zero(image, &e, &[5, ei as i32], &mut report);
        }
        for (xi, x) in fd.extensions().enumerate() {
            extension_presence(&x, &[7, xi as i32], &mut report);
        }
    }
    out
}

/// Extensions always have explicit presence: `features.field_presence` is refused on them.
fn extension_presence(
    x: &prost_reflect::ExtensionDescriptor,
    path: &[i32],
    report: &mut dyn FnMut(Vec<i32>, String),
) {
    use features::*;
    let set = explicit_features(&x.options().encode_to_vec(), features_field::FIELD);
    for &(n, v) in &set.core {
        if n == 1 {
            report(
                path.to_vec(),
                if v == 3 {
                    "extensions cannot be required (features.field_presence = LEGACY_REQUIRED)"
                        .to_string()
                } else {
                    "extensions cannot set features.field_presence: they always have explicit presence"
                        .to_string()
                },
            );
        }
    }
}

/// `name` and the files it re-exports through `import public`, transitively (per the pool).
fn with_public_imports(pool: &prost_reflect::DescriptorPool, names: &[String]) -> HashSet<String> {
    let mut out = HashSet::new();
    let mut stack: Vec<String> = names.to_vec();
    while let Some(name) = stack.pop() {
        if !out.insert(name.clone()) {
            continue;
        }
        if let Some(fd) = pool.get_file_by_name(&name) {
            stack.extend(fd.public_dependencies().map(|d| d.name().to_string()));
        }
    }
    out
}

/// Types (field types, extendees, RPC input and output) from files the editions file does not
/// import: from an `import option` file ("`T` is only imported for use in options", as buf), or
/// from the `descriptor.proto` linked only for `features` ("cannot find `T` in this scope").
/// Reported at the type name as written.
fn types_not_imported(image: &Image, file: &crate::image::ImageFile, out: &mut Vec<Finding>) {
    let (Some(fd), Some(pool)) = (
        image.file_descriptor(file.name()),
        image.pool_of(file.name()),
    ) else {
        return;
    };
    let mut visible = with_public_imports(pool, &file.proto().dependency);
    visible.insert(file.name().to_string());
    let option_only: HashSet<String> = with_public_imports(pool, &file.option_dependency)
        .into_iter()
        .filter(|f| !visible.contains(f))
        .collect();
    let injected = !visible.contains(DESCRIPTOR_PROTO) && !option_only.contains(DESCRIPTOR_PROTO);
    if option_only.is_empty() && !injected {
        return;
    }
    let refs = type_refs(&fd);
    for r in refs {
        let option_import = option_only.contains(&r.file);
        let injected_type = injected && r.file == DESCRIPTOR_PROTO;
        if !option_import && !injected_type {
            continue;
        }
        let (written, span) = r.written(file);
        let full_name = r.full_name;
        let help = match option_import {
            true => "use a plain `import` for files whose types are used, not only their options",
            false => "add `import \"google/protobuf/descriptor.proto\";`",
        };
        let finding = Finding::new(
            "COMPILE",
            Some(file.external_path.clone()),
            span,
            match option_import {
                true => format!(
                    "`{}` is only imported for use in options",
                    written.unwrap_or(full_name)
                ),
                false => format!(
                    "cannot find `{}` in this scope",
                    written.unwrap_or(full_name)
                ),
            },
        );
        out.push(finding.with_help(help));
    }
}

/// A message or enum type used by a field, map value, extendee or RPC of a file.
pub(crate) struct TypeRef {
    /// `SourceCodeInfo` path of the type name (`[.., 6]` type, `[.., 2]` extendee or input).
    pub path: Vec<i32>,
    /// The file defining the type.
    pub file: String,
    pub full_name: String,
    pub is_enum: bool,
    /// The reference is the value type of a map field (`path` spans `map<K, V>`).
    pub is_map_value: bool,
}

impl TypeRef {
    /// The type name as written and its span (for a map field: the value type).
    pub fn written(&self, file: &crate::image::ImageFile) -> (Option<String>, Option<Span>) {
        let loc = file.locations().get(&self.path).map(|l| l.span.clone());
        match (&loc, file.source.as_deref()) {
            (Some(span), Some(source)) => written_type(source, span, self.is_map_value),
            _ => (None, loc.as_deref().and_then(Span::from_source_code_info)),
        }
    }
}

/// Every type reference of a file (map entries are seen through their map field).
pub(crate) fn type_refs(fd: &prost_reflect::FileDescriptor) -> Vec<TypeRef> {
    use prost_reflect::Kind;
    let mut refs = Vec::new();
    let of = |kind: &Kind, path: Vec<i32>, is_map_value: bool| match kind {
        Kind::Message(m) => Some(TypeRef {
            path,
            file: m.parent_file().name().to_string(),
            full_name: m.full_name().to_string(),
            is_enum: false,
            is_map_value,
        }),
        Kind::Enum(e) => Some(TypeRef {
            path,
            file: e.parent_file().name().to_string(),
            full_name: e.full_name().to_string(),
            is_enum: true,
            is_map_value,
        }),
        _ => None,
    };
    let extension = |path: Vec<i32>, x: &prost_reflect::ExtensionDescriptor, refs: &mut Vec<_>| {
        let extendee = Kind::Message(x.containing_message());
        refs.extend(of(&extendee, [path.as_slice(), &[2]].concat(), false));
        refs.extend(of(&x.kind(), [path.as_slice(), &[6]].concat(), false));
    };
    let mut stack: Vec<(prost_reflect::MessageDescriptor, Vec<i32>)> = fd
        .messages()
        .enumerate()
        .map(|(i, m)| (m, vec![4, i as i32]))
        .collect();
    while let Some((m, path)) = stack.pop() {
        for (i, n) in m.child_messages().enumerate() {
            if !n.is_map_entry() {
                stack.push((n, [path.as_slice(), &[3, i as i32]].concat()));
            }
        }
        for (i, f) in m.fields().enumerate() {
            let p = [path.as_slice(), &[2, i as i32, 6]].concat();
            let kind = match f.kind() {
                Kind::Message(entry) if f.is_map() => entry.map_entry_value_field().kind(),
                kind => kind,
            };
            refs.extend(of(&kind, p, f.is_map()));
        }
        for (i, x) in m.child_extensions().enumerate() {
            extension([path.as_slice(), &[6, i as i32]].concat(), &x, &mut refs);
        }
    }
    for (i, x) in fd.extensions().enumerate() {
        extension(vec![7, i as i32], &x, &mut refs);
    }
    for (si, svc) in fd.services().enumerate() {
        for (mi, m) in svc.methods().enumerate() {
            for (tag, msg) in [(2, m.input()), (3, m.output())] {
                let p = vec![6, si as i32, 2, mi as i32, tag];
                refs.extend(of(&Kind::Message(msg), p, false));
            }
        }
    }
    refs
}

/// The type name as written at a `SourceCodeInfo` span (0-based `[line, col, end_col]`), and
/// its 1-based span; for a map field (`map<string, T>`) the value type `T`.
fn written_type(source: &str, span: &[i32], is_map: bool) -> (Option<String>, Option<Span>) {
    let whole = Span::from_source_code_info(span);
    let [line, col, end] = *span else {
        return (None, whole);
    };
    let Some(text) = source.lines().nth(line as usize) else {
        return (None, whole);
    };
    let chars: Vec<char> = text.chars().collect();
    let (from, to) = (col as usize, (end as usize).min(chars.len()));
    if from >= to {
        return (None, whole);
    }
    let written: String = chars[from..to].iter().collect();
    if !is_map {
        return (Some(written), whole);
    }
    // `map<K, V>`: the text between the comma and the closing `>`.
    let (Some(comma), Some(close)) = (written.find(','), written.rfind('>')) else {
        return (Some(written), whole);
    };
    if comma >= close {
        return (Some(written), whole);
    }
    let inner = &written[comma + 1..close];
    let value = inner.trim();
    let lead = written[..comma + 1].chars().count() + (inner.len() - inner.trim_start().len());
    let start = col + lead as i32;
    let value_span = [line, start, start + value.chars().count() as i32];
    (
        Some(value.to_string()),
        Span::from_source_code_info(&value_span),
    )
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
    Field(&'a prost_reflect::FieldDescriptor),
    Extension(&'a prost_reflect::ExtensionDescriptor),
    Enum(&'a prost_reflect::EnumDescriptor),
}

/// Visits the fields, nested extensions and enums of a message and its nested messages (map
/// entries skipped), with their `SourceCodeInfo` paths.
fn walk_message(
    msg: &prost_reflect::MessageDescriptor,
    path: Vec<i32>,
    visit: &mut dyn FnMut(&[i32], Item),
) {
    if msg.is_map_entry() {
        return;
    }
    for (i, f) in msg.fields().enumerate() {
        visit(&[path.as_slice(), &[2, i as i32]].concat(), Item::Field(&f));
    }
    for (i, x) in msg.child_extensions().enumerate() {
        visit(
            &[path.as_slice(), &[6, i as i32]].concat(),
            Item::Extension(&x),
        );
    }
    for (i, n) in msg.child_messages().enumerate() {
        walk_message(&n, [path.as_slice(), &[3, i as i32]].concat(), visit);
    }
    for (i, e) in msg.child_enums().enumerate() {
        visit(&[path.as_slice(), &[4, i as i32]].concat(), Item::Enum(&e));
    }
}

/// Open enums must start with the value zero.
fn first_value_zero(
    image: &Image,
    e: &prost_reflect::EnumDescriptor,
    path: &[i32],
    report: &mut dyn FnMut(Vec<i32>, String),
) {
    use features::*;
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
    field_path: &[i32],
    report: &mut dyn FnMut(Vec<i32>, String),
) {
    use prost_reflect::Kind;
    // As buf: impossible combinations are reported at the field declaration.
    let at = |_feature: u32| field_path.to_vec();
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
    // Closed enums need presence: an implicit-presence field cannot hold one.
    if let Kind::Enum(e) = f.kind() {
        let implicit =
            features::effective_presence(image, f) == Some(features::FieldPresence::Implicit);
        if implicit && features::enum_features(image, &e).enum_type == features::EnumType::Closed {
            report(
                [field_path, &[6]].concat(),
                format!(
                    "closed enum `{}` cannot be used in an implicit-presence field",
                    e.full_name()
                ),
            );
        }
    }
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
    let strings = |list: &[String]| Value::List(list.iter().cloned().map(Value::String).collect());
    let ints = |list: &[i32]| Value::List(list.iter().copied().map(Value::I32).collect());
    msg.set_field_by_name("dependency", strings(&file.proto().dependency));
    msg.set_field_by_name("public_dependency", ints(&file.proto().public_dependency));
    msg.set_field_by_name("weak_dependency", ints(&file.proto().weak_dependency));
    let mut option_dependency = None;
    if !file.option_dependency.is_empty() {
        match desc.get_field_by_name("option_dependency") {
            Some(field) => msg.set_field(&field, strings(&file.option_dependency)),
            None => option_dependency = Some(&file.option_dependency),
        }
    }
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
    // A descriptor.proto older than edition 2024 does not know field 15: write it raw.
    for dep in option_dependency.into_iter().flatten() {
        prost::encoding::string::encode(15, dep, &mut bytes);
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
/// rewritten proto2-shaped (`syntax = "proto2"`, `LEGACY_REQUIRED` fields `LABEL_REQUIRED`,
/// `option_dependency` appended to `dependency`), and the edition of each such file with what
/// [`restore_editions_form`] needs. `None` bytes when the set has no editions file.
#[allow(clippy::type_complexity)]
pub fn linkable_image(
    set: &[u8],
) -> std::result::Result<
    (
        Option<Vec<u8>>,
        std::collections::HashMap<String, (Edition, Restore)>,
    ),
    String,
> {
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
                let option_dependency = features::raw_strings(body, 15);
                let mut restore = Restore::default();
                if !option_dependency.is_empty() {
                    if let Some(Value::List(deps)) = msg.get_field_by_name_mut("dependency") {
                        restore.option_imports =
                            (deps.len()..deps.len() + option_dependency.len()).collect();
                        deps.extend(option_dependency.into_iter().map(Value::String));
                    }
                }
                editions.insert(name, (edition, restore));
                msg.set_field_by_name("syntax", Value::String("proto2".into()));
                for list in ["message_type", "extension"] {
                    if let Some(Value::List(items)) = msg.get_field_by_name_mut(list) {
                        for item in items {
                            if let Value::Message(m) = item {
                                if list == "message_type" {
                                    require_dynamic(m);
                                } else {
                                    require_field(m);
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

fn require_dynamic(m: &mut prost_reflect::DynamicMessage) {
    use prost_reflect::Value;
    for name in ["field", "extension", "nested_type"] {
        if let Some(Value::List(items)) = m.get_field_by_name_mut(name) {
            for item in items {
                if let Value::Message(inner) = item {
                    if name == "nested_type" {
                        require_dynamic(inner);
                    } else {
                        require_field(inner);
                    }
                }
            }
        }
    }
}

/// `features.field_presence = LEGACY_REQUIRED` on the field itself -> `LABEL_REQUIRED` (buf
/// refuses it at the file level, the only other place it could come from).
fn require_field(f: &mut prost_reflect::DynamicMessage) {
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
    let presence = set
        .core
        .iter()
        .rev()
        .find(|(f, _)| *f == 1)
        .map(|(_, v)| *v);
    if presence == Some(3) {
        f.set_field_by_name("label", Value::EnumNumber(Label::Required as i32));
    }
}
