use std::collections::HashSet;

use prost_reflect::{FileDescriptor, MessageDescriptor};
use prost_types::field_descriptor_proto::Label;

use crate::compile::editions::features::{self, FieldPresence};
use crate::image::{tag, Image};
use crate::lint::{Context, Sink};

crate::declare_rule! {
    /// Checks that no field is required: proto2 `required`, or the editions feature
    /// `field_presence = LEGACY_REQUIRED` (set on the field or inherited).
    ///
    /// Why: a required field can never be removed or made optional without breaking every
    /// reader that still requires it; proto3 dropped the label for that reason.
    ///
    /// Bad:
    /// ```proto
    /// required string name = 1;
    /// string id = 2 [features.field_presence = LEGACY_REQUIRED];
    /// ```
    /// Good:
    /// ```proto
    /// optional string name = 1;
    /// string id = 2;
    /// ```
    ///
    /// Fix: make the field optional (drop `required` / `LEGACY_REQUIRED`) and validate presence in
    /// application code (or protovalidate).
    pub FIELD_NOT_REQUIRED = "Checks that fields are not configured to be required."
}

pub fn check(cx: &Context, out: &mut Sink) {
    for f in cx.targets() {
        // Only editions files can be LEGACY_REQUIRED; proto2's `required` is the label.
        let required = match cx.image.file_descriptor(f.name()) {
            Some(fd) if f.file.edition.is_some() => legacy_required_paths(cx.image, &fd),
            _ => HashSet::new(),
        };
        for field in &f.elements.fields {
            if field.proto.label() == Label::Required || required.contains(&field.path) {
                let mut path = field.path.clone();
                path.push(tag::field::NAME);
                out.at(
                    f,
                    &path,
                    format!(
                        "Field named {:?} should not be required.",
                        field.proto.name()
                    ),
                );
            }
        }
    }
}

/// Source paths of the fields of a file whose resolved presence is `LEGACY_REQUIRED` (read from
/// the linked pool: the image keeps editions files in their editions form, without labels).
fn legacy_required_paths(image: &Image, file: &FileDescriptor) -> HashSet<Vec<i32>> {
    fn walk(image: &Image, m: &MessageDescriptor, out: &mut HashSet<Vec<i32>>) {
        for field in m.fields() {
            if features::effective_presence(image, &field) == Some(FieldPresence::LegacyRequired) {
                out.insert(field.path().to_vec());
            }
        }
        for nested in m.child_messages() {
            walk(image, &nested, out);
        }
    }
    let mut out = HashSet::new();
    for m in file.messages() {
        walk(image, &m, &mut out);
    }
    out
}
