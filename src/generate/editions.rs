//! Editions files for prost-build, which only knows proto2 and proto3.
//!
//! prost-build 0.14 decides presence from the file's `syntax` and `proto3_optional` (proto2:
//! every singular field `Option<T>`; proto3: plain `T` unless `proto3_optional`; messages
//! always `Option`), packing from `options.packed` when the field has options and from the
//! syntax otherwise, and the group wire format from `TYPE_GROUP`. So each editions file goes to
//! prost-build proto3-shaped, with its resolved features ([`features`]) spelled out per field:
//!
//! - implicit presence: a plain proto3 field (`T`);
//! - explicit presence (scalars, strings, bytes, enums): `proto3_optional` with a synthetic
//!   oneof, as protoc writes proto3 `optional` (`Option<T>`);
//! - `LEGACY_REQUIRED`: `LABEL_REQUIRED` (`T`, `required`);
//! - repeated scalars and enums: `packed` set to the resolved `repeated_field_encoding`;
//! - `DELIMITED` message fields (never maps, as protoc): `TYPE_GROUP`, the group wire format;
//!   singular ones also `proto3_optional`, so they stay `Option<T>` as proto2 groups;
//! - closed enums and `utf8_validation = NONE`: nothing to spell out. prost treats them as it
//!   treats proto2 (an enum field is an `i32` that keeps unknown values; strings are `String`,
//!   always validated).
//!
//! prost-build only boxes recursive `TYPE_MESSAGE` fields; [`boxed_groups`] lists the group
//! fields that close a cycle, for `Config::boxed`.

use std::collections::{HashMap, HashSet};

use prost_reflect::{DescriptorPool, MessageDescriptor};
use prost_types::field_descriptor_proto::{Label, Type};
use prost_types::{DescriptorProto, FileDescriptorSet, OneofDescriptorProto};

use crate::compile::editions::features::{
    self, FieldPresence, MessageEncoding, RepeatedFieldEncoding,
};
use crate::compile::editions::Edition;
use crate::image::Image;

/// Rewrites the editions files of `set` (named in `editions`) proto3-shaped for prost-build;
/// `pool` is the linked set (proto2-shaped copies), used to resolve features.
pub(crate) fn shape(
    set: &mut FileDescriptorSet,
    pool: &DescriptorPool,
    editions: &HashMap<String, Edition>,
) {
    if editions.is_empty() {
        return;
    }
    let mut image = crate::compile::image_from_pool(pool.clone(), &Default::default());
    for file in &mut image.files {
        file.edition = editions.get(file.name()).copied();
    }
    for file in &mut set.file {
        if !editions.contains_key(file.name()) {
            continue;
        }
        file.syntax = Some("proto3".to_string());
        let prefix = match file.package() {
            "" => String::new(),
            p => format!("{p}."),
        };
        for msg in &mut file.message_type {
            let name = format!("{prefix}{}", msg.name());
            if let Some(md) = pool.get_message_by_name(&name) {
                shape_message(&image, &md, msg);
            }
        }
    }
}

fn shape_message(image: &Image, md: &MessageDescriptor, msg: &mut DescriptorProto) {
    if md.is_map_entry() {
        return;
    }
    let mut names: HashSet<String> = msg
        .field
        .iter()
        .map(|f| f.name().to_string())
        .chain(msg.oneof_decl.iter().map(|o| o.name().to_string()))
        .chain(msg.nested_type.iter().map(|m| m.name().to_string()))
        .chain(msg.enum_type.iter().map(|e| e.name().to_string()))
        .collect();
    let first_synthetic = msg.oneof_decl.len() as i32;
    let mut synthetic = Vec::new();
    for f in &mut msg.field {
        let Some(fd) = md.get_field(f.number() as u32) else {
            continue;
        };
        let resolved = features::field_features(image, &fd);
        let is_message = matches!(f.r#type(), Type::Message | Type::Group);
        if is_message && !fd.is_map() && resolved.message_encoding == MessageEncoding::Delimited {
            f.set_type(Type::Group);
        }
        if f.label() == Label::Repeated {
            if packable(f.r#type()) {
                f.options.get_or_insert_with(Default::default).packed =
                    Some(resolved.repeated_field_encoding == RepeatedFieldEncoding::Packed);
            }
            continue;
        }
        // Members of real oneofs track presence already (editions has no proto3 `optional`).
        if f.oneof_index.is_some() {
            continue;
        }
        if resolved.field_presence == FieldPresence::LegacyRequired {
            f.set_label(Label::Required);
            continue;
        }
        let tracks_presence = match f.r#type() {
            // prost-build makes every singular message field an `Option`.
            Type::Message => false,
            Type::Group => true,
            _ => resolved.field_presence == FieldPresence::Explicit,
        };
        if tracks_presence {
            f.proto3_optional = Some(true);
            f.oneof_index = Some(first_synthetic + synthetic.len() as i32);
            synthetic.push(OneofDescriptorProto {
                name: Some(synthetic_oneof_name(f.name(), &mut names)),
                options: None,
            });
        }
    }
    msg.oneof_decl.extend(synthetic);
    for nested in &mut msg.nested_type {
        let name = format!("{}.{}", md.full_name(), nested.name());
        if let Some(child) = md.parent_pool().get_message_by_name(&name) {
            shape_message(image, &child, nested);
        }
    }
}

/// protoc's name for the synthetic oneof of a proto3 `optional` field: `_name`, prefixed with
/// `X` until no field, oneof or nested type of the message has it.
fn synthetic_oneof_name(field: &str, names: &mut HashSet<String>) -> String {
    let mut name = if field.starts_with('_') {
        field.to_string()
    } else {
        format!("_{field}")
    };
    while names.contains(&name) {
        name.insert(0, 'X');
    }
    names.insert(name.clone());
    name
}

/// Scalar and enum types, whose repeated fields can be packed.
fn packable(ty: Type) -> bool {
    !matches!(ty, Type::String | Type::Bytes | Type::Message | Type::Group)
}

/// prost-build paths (`.pkg.Msg.field`, `.pkg.Msg.oneof.field` in oneofs) of the singular group
/// fields whose type leads back to their message through singular message or group fields.
/// prost-build boxes recursive message fields itself but does not see group fields, so a cycle
/// through a group would give a type of infinite size.
pub(crate) fn boxed_groups(set: &FileDescriptorSet) -> Vec<String> {
    // Message full name (`.pkg.Msg`) -> singular message/group fields: (type, path, is group).
    let mut edges: HashMap<String, Vec<(String, String, bool)>> = HashMap::new();
    fn walk(
        m: &DescriptorProto,
        prefix: &str,
        edges: &mut HashMap<String, Vec<(String, String, bool)>>,
    ) {
        let name = format!("{prefix}.{}", m.name());
        let out = edges.entry(name.clone()).or_default();
        for f in &m.field {
            let singular = f.label() != Label::Repeated;
            let ty = f.r#type();
            if singular && matches!(ty, Type::Message | Type::Group) {
                let path = match f.oneof_index.filter(|_| !f.proto3_optional()) {
                    Some(i) => match m.oneof_decl.get(i as usize) {
                        Some(o) => format!("{name}.{}.{}", o.name(), f.name()),
                        None => format!("{name}.{}", f.name()),
                    },
                    None => format!("{name}.{}", f.name()),
                };
                out.push((f.type_name().to_string(), path, ty == Type::Group));
            }
        }
        for n in &m.nested_type {
            walk(n, &name, edges);
        }
    }
    for file in &set.file {
        let prefix = match file.package() {
            "" => String::new(),
            p => format!(".{p}"),
        };
        for m in &file.message_type {
            walk(m, &prefix, &mut edges);
        }
    }
    let reaches = |from: &str, to: &str| -> bool {
        let mut seen = HashSet::new();
        let mut stack = vec![from.to_string()];
        while let Some(n) = stack.pop() {
            if n == to {
                return true;
            }
            if !seen.insert(n.clone()) {
                continue;
            }
            for (ty, _, _) in edges.get(&n).into_iter().flatten() {
                stack.push(ty.clone());
            }
        }
        false
    };
    let mut out: Vec<String> = edges
        .iter()
        .flat_map(|(msg, fields)| {
            fields
                .iter()
                .filter(|(ty, _, is_group)| *is_group && reaches(ty, msg))
                .map(|(_, path, _)| path.clone())
        })
        .collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::synthetic_oneof_name;

    #[test]
    fn synthetic_oneof_names_avoid_clashes() {
        let mut names = ["_a".to_string(), "b".to_string()].into_iter().collect();
        assert_eq!(synthetic_oneof_name("a", &mut names), "X_a");
        assert_eq!(synthetic_oneof_name("b", &mut names), "_b");
        assert_eq!(synthetic_oneof_name("_c", &mut names), "_c");
    }
}
