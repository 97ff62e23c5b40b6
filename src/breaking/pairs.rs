//! Matching the previous image with the current one, once, for every rule.
//!
//! As buf pairs them: files by path; messages, enums and services by full name; fields by number
//! inside a paired message; extensions by extendee and number; enum values by number (all the names
//! that share a number together); oneofs by name; methods by name inside a paired service. Every
//! file of each side takes part, imports included, as in buf: [`crate::breaking::check`] drops the
//! findings that touch an import when imports are excluded.

use std::collections::{BTreeMap, HashMap};

use prost_reflect::{
    Cardinality, EnumDescriptor, EnumValueDescriptor, ExtensionDescriptor, FieldDescriptor,
    FileDescriptor, Kind, MessageDescriptor, MethodDescriptor, OneofDescriptor, ServiceDescriptor,
    Value,
};
use prost_types::FieldDescriptorProto;
use rayon::prelude::*;

use crate::image::{Image, ImageFile};

/// One side (previous or current) indexed by the keys buf pairs on.
pub struct Side<'a> {
    pub image: &'a Image,
    /// Files (targets and imports) by import path.
    pub files: BTreeMap<&'a str, &'a ImageFile>,
    /// Linked descriptors of the files, by import path.
    pub file_descriptors: BTreeMap<String, FileDescriptor>,
    pub messages: BTreeMap<String, MessageDescriptor>,
    pub enums: BTreeMap<String, EnumDescriptor>,
    pub services: BTreeMap<String, ServiceDescriptor>,
    /// Extensions by (extendee full name, number).
    pub extensions: BTreeMap<(String, u32), ExtensionDescriptor>,
}

impl<'a> Side<'a> {
    pub fn new(image: &'a Image) -> Side<'a> {
        let mut side = Side {
            image,
            files: BTreeMap::new(),
            file_descriptors: BTreeMap::new(),
            messages: BTreeMap::new(),
            enums: BTreeMap::new(),
            services: BTreeMap::new(),
            extensions: BTreeMap::new(),
        };
        for file in &image.files {
            side.files.insert(file.name(), file);
            let Some(fd) = image.file_descriptor(file.name()) else {
                continue;
            };
            for m in fd.messages() {
                side.add_message(m);
            }
            for e in fd.enums() {
                side.enums.insert(e.full_name().to_string(), e);
            }
            for s in fd.services() {
                side.services.insert(s.full_name().to_string(), s);
            }
            for x in fd.extensions() {
                side.add_extension(x);
            }
            side.file_descriptors.insert(file.name().to_string(), fd);
        }
        side
    }

    fn add_message(&mut self, m: MessageDescriptor) {
        for child in m.child_messages() {
            self.add_message(child);
        }
        for e in m.child_enums() {
            self.enums.insert(e.full_name().to_string(), e);
        }
        for x in m.child_extensions() {
            self.add_extension(x);
        }
        self.messages.insert(m.full_name().to_string(), m);
    }

    fn add_extension(&mut self, x: ExtensionDescriptor) {
        let key = (x.containing_message().full_name().to_string(), x.number());
        self.extensions.insert(key, x);
    }

    /// An image file, by import path.
    pub fn file(&self, name: &str) -> Option<&'a ImageFile> {
        self.files.get(name).copied()
    }

    /// Packages of the files, each with its files (sorted by path).
    pub fn packages(&self) -> BTreeMap<&'a str, Vec<&'a ImageFile>> {
        let mut out: BTreeMap<&str, Vec<&ImageFile>> = BTreeMap::new();
        for f in self.files.values() {
            out.entry(f.package()).or_default().push(f);
        }
        out
    }
}

/// A message field or an extension, seen the same way by the field rules.
#[derive(Clone, Debug)]
pub enum Field {
    Message(FieldDescriptor),
    Extension(ExtensionDescriptor),
}

impl Field {
    pub fn proto(&self) -> &FieldDescriptorProto {
        match self {
            Field::Message(f) => f.field_descriptor_proto(),
            Field::Extension(x) => x.field_descriptor_proto(),
        }
    }

    pub fn number(&self) -> u32 {
        match self {
            Field::Message(f) => f.number(),
            Field::Extension(x) => x.number(),
        }
    }

    pub fn name(&self) -> &str {
        match self {
            Field::Message(f) => f.name(),
            Field::Extension(x) => x.name(),
        }
    }

    pub fn full_name(&self) -> &str {
        match self {
            Field::Message(f) => f.full_name(),
            Field::Extension(x) => x.full_name(),
        }
    }

    /// The `SourceCodeInfo` path of the field declaration.
    pub fn path(&self) -> &[i32] {
        match self {
            Field::Message(f) => f.path(),
            Field::Extension(x) => x.path(),
        }
    }

    pub fn file(&self) -> FileDescriptor {
        match self {
            Field::Message(f) => f.parent_file(),
            Field::Extension(x) => x.parent_file(),
        }
    }

    pub fn kind(&self) -> Kind {
        match self {
            Field::Message(f) => f.kind(),
            Field::Extension(x) => x.kind(),
        }
    }

    pub fn is_group(&self) -> bool {
        match self {
            Field::Message(f) => f.is_group(),
            Field::Extension(x) => x.is_group(),
        }
    }

    pub fn is_list(&self) -> bool {
        match self {
            Field::Message(f) => f.is_list(),
            Field::Extension(x) => x.is_list(),
        }
    }

    pub fn is_map(&self) -> bool {
        match self {
            Field::Message(f) => f.is_map(),
            Field::Extension(x) => x.is_map(),
        }
    }

    pub fn cardinality(&self) -> Cardinality {
        match self {
            Field::Message(f) => f.cardinality(),
            Field::Extension(x) => x.cardinality(),
        }
    }

    /// The oneof the field is in, synthetic (proto3 `optional`) ones excluded.
    pub fn real_oneof(&self) -> Option<OneofDescriptor> {
        match self {
            Field::Message(f) => f.containing_oneof().filter(|o| !o.is_synthetic()),
            Field::Extension(_) => None,
        }
    }

    /// The extended message's full name, for extensions.
    pub fn extendee(&self) -> Option<String> {
        match self {
            Field::Message(_) => None,
            Field::Extension(x) => Some(x.containing_message().full_name().to_string()),
        }
    }

    /// Whether the field belongs to a synthetic map entry message.
    pub fn in_map_entry(&self) -> bool {
        match self {
            Field::Message(f) => f.parent_message().is_map_entry(),
            Field::Extension(_) => false,
        }
    }

    /// The JSON name in effect (explicit `json_name`, or the default lowerCamelCase one).
    pub fn json_name(&self) -> std::borrow::Cow<'_, str> {
        crate::compile::json_names::real_json_name(match self {
            Field::Message(f) => f.json_name(),
            Field::Extension(x) => x.json_name(),
        })
    }

    pub fn default_value(&self) -> Value {
        match self {
            Field::Message(f) => f.default_value(),
            Field::Extension(x) => x.default_value(),
        }
    }

    /// How buf names the field in messages: `Field "1" with name "one" on message "Two"`, or
    /// `Extension "10" with name "a.ext" on message "a.Foo"`.
    pub fn description(&self) -> String {
        self.description_with_name(true)
    }

    pub fn description_with_name(&self, with_name: bool) -> String {
        let (kind, name, message) = match self {
            Field::Message(f) => (
                "Field",
                f.name().to_string(),
                f.parent_message().name().to_string(),
            ),
            Field::Extension(x) => (
                "Extension",
                x.full_name().to_string(),
                x.containing_message().full_name().to_string(),
            ),
        };
        let name = if with_name {
            format!(" with name {name:?}")
        } else {
            String::new()
        };
        format!("{kind} \"{}\"{name} on message {message:?}", self.number())
    }
}

/// Everything the rules compare, matched once.
pub struct Pairs<'a> {
    pub previous: Side<'a>,
    pub current: Side<'a>,
    /// (previous, current) files present on both sides, by path.
    pub files: Vec<(&'a ImageFile, &'a ImageFile)>,
    pub messages: Vec<(MessageDescriptor, MessageDescriptor)>,
    pub enums: Vec<(EnumDescriptor, EnumDescriptor)>,
    pub services: Vec<(ServiceDescriptor, ServiceDescriptor)>,
    /// Fields of paired messages paired by number, then extensions paired by extendee and number.
    pub fields: Vec<(Field, Field)>,
    pub methods: Vec<(MethodDescriptor, MethodDescriptor)>,
    /// For each paired enum, the values of each number present on both sides.
    pub enum_values: Vec<(Vec<EnumValueDescriptor>, Vec<EnumValueDescriptor>)>,
}

impl<'a> Pairs<'a> {
    pub fn new(previous: &'a Image, current: &'a Image) -> Pairs<'a> {
        let (previous, current) = rayon::join(|| Side::new(previous), || Side::new(current));
        let files = previous
            .files
            .iter()
            .filter_map(|(name, p)| current.files.get(name).map(|c| (*p, *c)))
            .collect();
        let messages: Vec<_> = pair_by_key(&previous.messages, &current.messages);
        let enums: Vec<_> = pair_by_key(&previous.enums, &current.enums);
        let services: Vec<_> = pair_by_key(&previous.services, &current.services);
        let mut fields: Vec<(Field, Field)> = messages
            .par_iter()
            .flat_map_iter(|(p, c)| {
                let cur: HashMap<u32, FieldDescriptor> =
                    c.fields().map(|f| (f.number(), f)).collect();
                p.fields()
                    .filter_map(|pf| {
                        let cf = cur.get(&pf.number())?.clone();
                        Some((Field::Message(pf), Field::Message(cf)))
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        for (key, px) in &previous.extensions {
            if let Some(cx) = current.extensions.get(key) {
                fields.push((Field::Extension(px.clone()), Field::Extension(cx.clone())));
            }
        }
        let mut methods = Vec::new();
        for (p, c) in &services {
            let cur: HashMap<String, MethodDescriptor> =
                c.methods().map(|m| (m.name().to_string(), m)).collect();
            for pm in p.methods() {
                if let Some(cm) = cur.get(pm.name()) {
                    methods.push((pm, cm.clone()));
                }
            }
        }
        let mut enum_values = Vec::new();
        for (p, c) in &enums {
            let prev = values_by_number(p);
            let cur = values_by_number(c);
            for (number, pv) in prev {
                if let Some(cv) = cur.get(&number) {
                    enum_values.push((pv, cv.clone()));
                }
            }
        }
        Pairs {
            previous,
            current,
            files,
            messages,
            enums,
            services,
            fields,
            methods,
            enum_values,
        }
    }
}

fn pair_by_key<T: Clone>(
    previous: &BTreeMap<String, T>,
    current: &BTreeMap<String, T>,
) -> Vec<(T, T)> {
    previous
        .iter()
        .filter_map(|(k, p)| current.get(k).map(|c| (p.clone(), c.clone())))
        .collect()
}

/// Enum values grouped by number (aliases share a number), in declaration order.
pub fn values_by_number(e: &EnumDescriptor) -> BTreeMap<i32, Vec<EnumValueDescriptor>> {
    let mut out: BTreeMap<i32, Vec<EnumValueDescriptor>> = BTreeMap::new();
    for v in e.values() {
        out.entry(v.number()).or_default().push(v);
    }
    out
}

/// A name relative to its package: `a.b.Foo.Bar` in package `a.b` is `Foo.Bar`.
pub fn nested_name<'n>(full_name: &'n str, package: &str) -> &'n str {
    if package.is_empty() {
        full_name
    } else {
        full_name
            .strip_prefix(package)
            .and_then(|s| s.strip_prefix('.'))
            .unwrap_or(full_name)
    }
}
