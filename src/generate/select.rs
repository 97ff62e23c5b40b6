//! Which files of the image get Rust code.
//!
//! The targets, plus every file defining a type they reference (directly or through other such
//! files), so that the crate builds: prost refers to other packages by relative module paths.
//! Types under an extern path (by default `google.protobuf`, provided by `prost_types`) are not
//! generated. `--include-imports` generates every file instead.

use std::collections::{BTreeSet, HashMap};

use prost::encoding::WireType;
use prost_types::{DescriptorProto, FileDescriptorProto, FileDescriptorSet};

use super::GenerateOptions;
use crate::{Error, Result};

/// The files to generate and what the crate needs at run time.
#[derive(Debug)]
pub(crate) struct Selection {
    /// Files to generate, in the image's (topological) order.
    pub files: Vec<FileDescriptorProto>,
    /// Names of the files the user asked for (the targets).
    pub targets: BTreeSet<String>,
    /// Generated files and all their imports, for the embedded descriptor set.
    pub descriptor_files: Vec<FileDescriptorProto>,
    /// Names of all files of the input set, in its order.
    pub all_names: Vec<String>,
    /// True when generated code refers to `prost_types` (well-known types kept extern).
    pub uses_prost_types: bool,
}

impl Selection {
    /// The `FileDescriptorSet` of [`Selection::descriptor_files`], each file's bytes exactly as in
    /// the input (custom options kept: decoding into prost-types would drop them), imports first.
    pub fn descriptor_set_bytes(&self, input: &[u8]) -> Result<Vec<u8>> {
        let raw = raw_files(input)?;
        let wanted: BTreeSet<&str> = self.descriptor_files.iter().map(|f| f.name()).collect();
        let mut out = Vec::new();
        for (file, bytes) in self.all_names.iter().zip(raw) {
            if wanted.contains(file.as_str()) {
                prost::encoding::encode_key(1, WireType::LengthDelimited, &mut out);
                prost::encoding::encode_varint(bytes.len() as u64, &mut out);
                out.extend_from_slice(bytes);
            }
        }
        Ok(out)
    }
}

/// The encoded `FileDescriptorProto`s of an encoded `FileDescriptorSet` (field 1), in order.
fn raw_files(mut buf: &[u8]) -> Result<Vec<&[u8]>> {
    use prost::encoding::{decode_key, decode_varint};
    let bad = |e: prost::DecodeError| {
        Error::new(format!(
            "the input is not an encoded FileDescriptorSet: {e}"
        ))
    };
    let mut files = Vec::new();
    while !buf.is_empty() {
        let (tag, wire_type) = decode_key(&mut buf).map_err(bad)?;
        let len = match wire_type {
            WireType::LengthDelimited => decode_varint(&mut buf).map_err(bad)? as usize,
            WireType::Varint => {
                decode_varint(&mut buf).map_err(bad)?;
                continue;
            }
            WireType::SixtyFourBit => 8,
            WireType::ThirtyTwoBit => 4,
            _ => {
                return Err(Error::new(
                    "the input FileDescriptorSet uses groups, which it must not",
                ))
            }
        };
        if len > buf.len() {
            return Err(Error::new("the input FileDescriptorSet is truncated"));
        }
        let (field, rest) = buf.split_at(len);
        if tag == 1 && wire_type == WireType::LengthDelimited {
            files.push(field);
        }
        buf = rest;
    }
    Ok(files)
}

/// Well-known types prost maps to Rust primitives or `()` rather than `prost_types`.
const WKT_PRIMITIVES: &[&str] = &[
    ".google.protobuf.BoolValue",
    ".google.protobuf.BytesValue",
    ".google.protobuf.DoubleValue",
    ".google.protobuf.Empty",
    ".google.protobuf.FloatValue",
    ".google.protobuf.Int32Value",
    ".google.protobuf.Int64Value",
    ".google.protobuf.StringValue",
    ".google.protobuf.UInt32Value",
    ".google.protobuf.UInt64Value",
];

pub(crate) fn select(
    set: &FileDescriptorSet,
    targets: &[String],
    opts: &GenerateOptions,
) -> Result<Selection> {
    let by_name: HashMap<&str, usize> = set
        .file
        .iter()
        .enumerate()
        .map(|(i, f)| (f.name(), i))
        .collect();
    let mut target_set = BTreeSet::new();
    for t in targets {
        if !by_name.contains_key(t.as_str()) {
            return Err(Error::new(format!(
                "target `{t}` is not in the compiled descriptor set"
            )));
        }
        target_set.insert(t.clone());
    }

    // Type full name (`.pkg.Msg.Inner`) -> index of the defining file.
    let mut defined_in: HashMap<String, usize> = HashMap::new();
    for (i, file) in set.file.iter().enumerate() {
        let prefix = if file.package().is_empty() {
            String::new()
        } else {
            format!(".{}", file.package())
        };
        for m in &file.message_type {
            index_message(m, &prefix, i, &mut defined_in);
        }
        for e in &file.enum_type {
            defined_in.insert(format!("{prefix}.{}", e.name()), i);
        }
    }

    let is_extern = |type_name: &str| -> bool {
        if !opts.compile_well_known_types && type_name.starts_with(".google.protobuf.") {
            return true;
        }
        opts.extern_paths
            .iter()
            .any(|(proto, _)| path_covers(proto, type_name))
    };
    let skip_file = |file: &FileDescriptorProto| {
        file.package() == "google.protobuf" && !opts.compile_well_known_types
            || opts.extern_paths.iter().any(|(proto, _)| {
                let pkg = format!(".{}", file.package());
                path_covers(proto, &pkg)
            })
    };

    let mut chosen = vec![false; set.file.len()];
    let mut queue: Vec<usize> = Vec::new();
    if opts.include_imports {
        queue.extend((0..set.file.len()).filter(|&i| !skip_file(&set.file[i])));
    } else {
        queue.extend(target_set.iter().map(|t| by_name[t.as_str()]));
    }
    let mut uses_prost_types = false;
    while let Some(i) = queue.pop() {
        if chosen[i] {
            continue;
        }
        chosen[i] = true;
        let file = &set.file[i];
        for type_name in referenced_types(file) {
            if is_extern(&type_name) {
                let is_wkt = type_name.starts_with(".google.protobuf.");
                let user_extern = opts
                    .extern_paths
                    .iter()
                    .any(|(p, _)| path_covers(p, &type_name));
                if is_wkt && !user_extern && !WKT_PRIMITIVES.contains(&type_name.as_str()) {
                    uses_prost_types = true;
                }
                continue;
            }
            match defined_in.get(&type_name) {
                Some(&j) if !chosen[j] => queue.push(j),
                Some(_) => {}
                None => {
                    return Err(Error::new(format!(
                        "`{}` refers to `{}`, which no file of the descriptor set defines",
                        file.name(),
                        type_name.trim_start_matches('.')
                    )))
                }
            }
        }
    }

    let files: Vec<FileDescriptorProto> = set
        .file
        .iter()
        .enumerate()
        .filter(|(i, _)| chosen[*i])
        .map(|(_, f)| f.clone())
        .collect();

    // The descriptor set embedded for reflection: generated files and everything they import.
    let mut needed = chosen.clone();
    let mut stack: Vec<usize> = (0..set.file.len()).filter(|&i| chosen[i]).collect();
    while let Some(i) = stack.pop() {
        for dep in &set.file[i].dependency {
            if let Some(&j) = by_name.get(dep.as_str()) {
                if !needed[j] {
                    needed[j] = true;
                    stack.push(j);
                }
            }
        }
    }
    let descriptor_files = set
        .file
        .iter()
        .enumerate()
        .filter(|(i, _)| needed[*i])
        .map(|(_, f)| f.clone())
        .collect();

    Ok(Selection {
        files,
        targets: target_set,
        descriptor_files,
        all_names: set.file.iter().map(|f| f.name().to_string()).collect(),
        uses_prost_types,
    })
}

/// Whether the proto path `prefix` (`.foo.bar` or `.` for all) covers `name` (`.foo.bar.Baz`).
fn path_covers(prefix: &str, name: &str) -> bool {
    prefix == "."
        || name == prefix
        || name.starts_with(prefix) && name[prefix.len()..].starts_with('.')
}

fn index_message(m: &DescriptorProto, prefix: &str, file: usize, out: &mut HashMap<String, usize>) {
    let name = format!("{prefix}.{}", m.name());
    for nested in &m.nested_type {
        index_message(nested, &name, file, out);
    }
    for e in &m.enum_type {
        out.insert(format!("{name}.{}", e.name()), file);
    }
    out.insert(name, file);
}

/// Fully-qualified names of the message and enum types a file's fields and methods use.
fn referenced_types(file: &FileDescriptorProto) -> BTreeSet<String> {
    fn walk(m: &DescriptorProto, out: &mut BTreeSet<String>) {
        for f in &m.field {
            if let Some(t) = &f.type_name {
                out.insert(t.clone());
            }
        }
        for nested in &m.nested_type {
            walk(nested, out);
        }
    }
    let mut out = BTreeSet::new();
    for m in &file.message_type {
        walk(m, &mut out);
    }
    for s in &file.service {
        for method in &s.method {
            out.insert(method.input_type().to_string());
            out.insert(method.output_type().to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::path_covers;

    #[test]
    fn extern_prefixes_match_whole_segments() {
        assert!(path_covers(".", ".a.B"));
        assert!(path_covers(".a", ".a.B"));
        assert!(path_covers(".a.B", ".a.B"));
        assert!(!path_covers(".a", ".ab.C"));
    }
}
