//! The walker: every element of a file that a rule looks at, with its `SourceCodeInfo` path, listed
//! once per file so that each rule is a short loop (buf's iteration order: messages depth-first,
//! enums of the file then of each message, fields then extensions of each message, then file extensions).

use prost_types::{
    DescriptorProto, EnumDescriptorProto, EnumValueDescriptorProto, FieldDescriptorProto,
    FileDescriptorProto, MethodDescriptorProto, OneofDescriptorProto, ServiceDescriptorProto,
};

use crate::image::tag;

/// A message, nested or not.
#[derive(Debug)]
pub struct Message<'a> {
    pub proto: &'a DescriptorProto,
    pub path: Vec<i32>,
    /// Fully-qualified name without a leading dot (`foo.v1.Outer.Inner`).
    pub full_name: String,
}

impl Message<'_> {
    pub fn is_map_entry(&self) -> bool {
        self.proto
            .options
            .as_ref()
            .and_then(|o| o.map_entry)
            .unwrap_or(false)
    }
}

#[derive(Debug)]
pub struct Enum<'a> {
    pub proto: &'a EnumDescriptorProto,
    pub path: Vec<i32>,
}

#[derive(Debug)]
pub struct EnumValue<'a> {
    pub proto: &'a EnumValueDescriptorProto,
    pub path: Vec<i32>,
    /// The enum the value belongs to.
    pub enum_name: &'a str,
    pub index: usize,
}

#[derive(Debug)]
pub struct Field<'a> {
    pub proto: &'a FieldDescriptorProto,
    pub path: Vec<i32>,
    /// The message that declares the field (`None` for file-level extensions).
    pub parent: Option<&'a DescriptorProto>,
    pub parent_is_map_entry: bool,
}

#[derive(Debug)]
pub struct Oneof<'a> {
    pub proto: &'a OneofDescriptorProto,
    pub path: Vec<i32>,
    pub parent: &'a DescriptorProto,
    pub index: usize,
}

#[derive(Debug)]
pub struct Service<'a> {
    pub proto: &'a ServiceDescriptorProto,
    pub path: Vec<i32>,
}

#[derive(Debug)]
pub struct Method<'a> {
    pub proto: &'a MethodDescriptorProto,
    pub path: Vec<i32>,
    pub service: &'a ServiceDescriptorProto,
}

/// Everything of one file, flattened.
#[derive(Debug, Default)]
pub struct Elements<'a> {
    pub messages: Vec<Message<'a>>,
    pub enums: Vec<Enum<'a>>,
    pub enum_values: Vec<EnumValue<'a>>,
    pub fields: Vec<Field<'a>>,
    pub oneofs: Vec<Oneof<'a>>,
    pub services: Vec<Service<'a>>,
    pub methods: Vec<Method<'a>>,
}

impl<'a> Elements<'a> {
    pub fn of(file: &'a FileDescriptorProto) -> Self {
        let mut e = Elements::default();
        let prefix = file.package();
        for (i, m) in file.message_type.iter().enumerate() {
            e.message(m, vec![tag::file::MESSAGE_TYPE, i as i32], prefix);
        }
        for (i, en) in file.enum_type.iter().enumerate() {
            e.enum_(en, vec![tag::file::ENUM_TYPE, i as i32]);
        }
        // buf visits enums of the file first, then nested ones message by message.
        let mut nested_enums = Vec::new();
        collect_nested_enums(
            &file.message_type,
            &[tag::file::MESSAGE_TYPE],
            &mut nested_enums,
        );
        for (en, path) in nested_enums {
            e.enum_(en, path);
        }
        for (i, f) in file.extension.iter().enumerate() {
            e.fields.push(Field {
                proto: f,
                path: vec![tag::file::EXTENSION, i as i32],
                parent: None,
                parent_is_map_entry: false,
            });
        }
        for (si, s) in file.service.iter().enumerate() {
            let path = vec![tag::file::SERVICE, si as i32];
            for (mi, m) in s.method.iter().enumerate() {
                let mut mp = path.clone();
                mp.extend([tag::service::METHOD, mi as i32]);
                e.methods.push(Method {
                    proto: m,
                    path: mp,
                    service: s,
                });
            }
            e.services.push(Service { proto: s, path });
        }
        e
    }

    fn message(&mut self, m: &'a DescriptorProto, path: Vec<i32>, scope: &str) {
        let full_name = if scope.is_empty() {
            m.name().to_string()
        } else {
            format!("{scope}.{}", m.name())
        };
        let is_map_entry = m
            .options
            .as_ref()
            .and_then(|o| o.map_entry)
            .unwrap_or(false);
        for (i, f) in m.field.iter().enumerate() {
            let mut p = path.clone();
            p.extend([tag::message::FIELD, i as i32]);
            self.fields.push(Field {
                proto: f,
                path: p,
                parent: Some(m),
                parent_is_map_entry: is_map_entry,
            });
        }
        for (i, f) in m.extension.iter().enumerate() {
            let mut p = path.clone();
            p.extend([tag::message::EXTENSION, i as i32]);
            self.fields.push(Field {
                proto: f,
                path: p,
                parent: Some(m),
                parent_is_map_entry: is_map_entry,
            });
        }
        for (i, o) in m.oneof_decl.iter().enumerate() {
            let mut p = path.clone();
            p.extend([tag::message::ONEOF_DECL, i as i32]);
            self.oneofs.push(Oneof {
                proto: o,
                path: p,
                parent: m,
                index: i,
            });
        }
        let nested: Vec<(usize, &'a DescriptorProto)> = m.nested_type.iter().enumerate().collect();
        self.messages.push(Message {
            proto: m,
            path: path.clone(),
            full_name: full_name.clone(),
        });
        for (i, n) in nested {
            let mut p = path.clone();
            p.extend([tag::message::NESTED_TYPE, i as i32]);
            self.message(n, p, &full_name);
        }
    }

    fn enum_(&mut self, en: &'a EnumDescriptorProto, path: Vec<i32>) {
        for (i, v) in en.value.iter().enumerate() {
            let mut p = path.clone();
            p.extend([tag::enum_::VALUE, i as i32]);
            self.enum_values.push(EnumValue {
                proto: v,
                path: p,
                enum_name: en.name(),
                index: i,
            });
        }
        self.enums.push(Enum { proto: en, path });
    }
}

fn collect_nested_enums<'a>(
    messages: &'a [DescriptorProto],
    prefix: &[i32],
    out: &mut Vec<(&'a EnumDescriptorProto, Vec<i32>)>,
) {
    for (i, m) in messages.iter().enumerate() {
        let mut path = prefix.to_vec();
        path.push(i as i32);
        for (ei, en) in m.enum_type.iter().enumerate() {
            let mut p = path.clone();
            p.extend([tag::message::ENUM_TYPE, ei as i32]);
            out.push((en, p));
        }
        let mut nested_prefix = path.clone();
        nested_prefix.push(tag::message::NESTED_TYPE);
        collect_nested_enums(&m.nested_type, &nested_prefix, out);
    }
}

/// `.foo.v1.Bar` -> `foo.v1.Bar`.
pub fn strip_dot(name: &str) -> &str {
    name.strip_prefix('.').unwrap_or(name)
}
