//! Image inputs: binary (`.binpb`, `.bin`: a `FileDescriptorSet` or a buf image, which is
//! wire-compatible) and protobuf JSON (`.json`, as `buf build -o x.json` writes it), from a file or
//! standard input, optionally gzipped. The result is always the binary encoding.
//!
//! A buf image's files carry an extra field (`buf_extension = 8042`: whether the file is an import,
//! its module, unused dependencies). Binary images keep it byte for byte; in JSON images it is the
//! `bufExtension` key, which is converted to the same field.

use std::path::Path;
use std::sync::OnceLock;

use prost::Message;
use prost_reflect::{DescriptorPool, DeserializeOptions, DynamicMessage, MessageDescriptor};

use super::{decompress, read_location, Format, InputSpec};
use crate::{Error, Result};

/// Field number of `buf.alpha.image.v1.ImageFile.buf_extension`.
const BUF_EXTENSION_FIELD: u32 = 8042;

/// A current `google/protobuf/descriptor.proto` (protobuf v36.2).
const DESCRIPTOR_PROTO: &str = include_str!("../compile/wkt/descriptor.proto");

/// buf's image extension messages (buf/alpha/image/v1/image.proto), wire-compatible.
const BUF_IMAGE_PROTO: &str = r#"
syntax = "proto2";
package buf.alpha.image.v1;
message ImageFileExtension {
  optional bool is_import = 1;
  optional ModuleInfo module_info = 2;
  optional bool is_syntax_unspecified = 3;
  repeated uint32 unused_dependency = 4;
}
message ModuleInfo {
  optional ModuleName name = 1;
  optional string commit = 2;
}
message ModuleName {
  optional string remote = 1;
  optional string owner = 2;
  optional string repository = 3;
}
"#;

pub fn load(spec: &InputSpec, cwd: &Path) -> Result<Vec<u8>> {
    let bytes = decompress(spec, read_location(spec, cwd)?)?;
    let binary = match spec.format {
        Format::Binpb => bytes,
        Format::Json => json_to_binary(spec, &bytes)?,
        other => {
            return Err(Error::new(format!("input \"{}\": {other} images are not supported", spec.raw))
                .with_help("convert it to a binary (.binpb) or JSON (.json) image, e.g. with `buf build IMAGE -o out.binpb`"))
        }
    };
    let set = prost_types::FileDescriptorSet::decode(&binary[..]).map_err(|e| {
        let source = if spec.location == "-" { "standard input".to_string() } else { spec.location.clone() };
        Error::new(format!("input \"{}\": {source} is not a valid binary image: {e}", spec.raw)).with_help(
            "give an image written by `protoforge build -o` or `buf build -o` (a FileDescriptorSet); for a JSON image \
             use a .json name or `#format=json`",
        )
    })?;
    if set.file.is_empty() {
        return Err(
            Error::new(format!("input \"{}\": image contains no files", spec.raw))
                .with_help("build a non-empty image first, e.g. `protoforge build -o image.binpb`"),
        );
    }
    if let Some(i) = set.file.iter().position(|f| f.name().is_empty()) {
        return Err(Error::new(format!(
            "input \"{}\": file #{} of the image has no name",
            spec.raw,
            i + 1
        ))
        .with_help("the image is damaged: rebuild it"));
    }
    Ok(binary)
}

/// A pool holding a current descriptor.proto and buf's image extension messages.
fn base_pool() -> std::result::Result<&'static DescriptorPool, String> {
    static CELL: OnceLock<std::result::Result<DescriptorPool, String>> = OnceLock::new();
    CELL.get_or_init(|| {
        // prost-reflect's own descriptor.proto predates editions: buf's JSON images of files like
        // descriptor.proto itself use newer fields (featureSupport, editionDefaults), so read them
        // with a current descriptor.proto.
        let mut pool = DescriptorPool::new();
        for (name, source) in [
            ("google/protobuf/descriptor.proto", DESCRIPTOR_PROTO),
            ("buf/alpha/image/v1/image.proto", BUF_IMAGE_PROTO),
        ] {
            let parsed =
                protox::file::File::from_source(name, source).map_err(|e| e.to_string())?;
            pool.add_file_descriptor_proto(parsed.file_descriptor_proto().clone())
                .map_err(|e| e.to_string())?;
        }
        Ok(pool)
    })
    .as_ref()
    .map_err(Clone::clone)
}

fn message(pool: &DescriptorPool, name: &str) -> Result<MessageDescriptor> {
    pool.get_message_by_name(name)
        .ok_or_else(|| Error::new(format!("internal error: {name} missing")))
}

/// Protobuf JSON of an image (`{"file": [...]}`) -> binary, keeping `bufExtension`.
fn json_to_binary(spec: &InputSpec, bytes: &[u8]) -> Result<Vec<u8>> {
    let bad = |msg: String| {
        Error::new(format!(
            "input \"{}\": not a valid JSON image: {msg}",
            spec.raw
        ))
        .with_help("give an image written by `protoforge build -o x.json` or `buf build -o x.json`")
    };
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| bad(e.to_string()))?;
    let serde_json::Value::Object(top) = value else {
        return Err(bad("the top level is not an object".to_string()));
    };
    if let Some(key) = top.keys().find(|k| k.as_str() != "file") {
        return Err(bad(format!(
            "unknown key \"{key}\" (an image has only \"file\")"
        )));
    }
    let files = match top.get("file") {
        None | Some(serde_json::Value::Null) => Vec::new(),
        Some(serde_json::Value::Array(files)) => files.clone(),
        Some(_) => return Err(bad("\"file\" is not an array".to_string())),
    };
    // Custom options appear as `"[pkg.ext]"` keys: they can only be read once the file that
    // declares the extension is in the pool. Image files come dependencies first, so each file is
    // added to the pool after it is read (a file using its own extensions is read twice).
    let mut pool = base_pool()
        .map_err(|e| Error::new(format!("internal error: {e}")))?
        .clone();
    let strict = DeserializeOptions::new();
    let lenient = DeserializeOptions::new().deny_unknown_fields(false);
    let mut out = Vec::new();
    for (i, file) in files.into_iter().enumerate() {
        let serde_json::Value::Object(mut file) = file else {
            return Err(bad(format!("file #{} is not an object", i + 1)));
        };
        let extension = file
            .remove("bufExtension")
            .or_else(|| file.remove("buf_extension"));
        let name = file
            .get("name")
            .and_then(|n| n.as_str())
            .unwrap_or("")
            .to_string();
        let where_ = if name.is_empty() {
            format!("file #{}", i + 1)
        } else {
            format!("file \"{name}\"")
        };
        let file = serde_json::Value::Object(file);
        let read =
            |pool: &DescriptorPool, options: &DeserializeOptions| -> Result<DynamicMessage> {
                DynamicMessage::deserialize_with_options(
                    message(pool, "google.protobuf.FileDescriptorProto")?,
                    &file,
                    options,
                )
                .map_err(|e| bad(format!("{where_}: {e}")))
            };
        let known = !name.is_empty() && pool.get_file_by_name(&name).is_some();
        let (encoded_file, added) = match read(&pool, &strict) {
            Ok(message) => (message.encode_to_vec(), false),
            Err(first_error) => {
                let lossy =
                    read(&pool, &lenient)?.transcode_to::<prost_types::FileDescriptorProto>();
                match lossy {
                    Ok(fdp)
                        if !known
                            && pool
                                .add_file_descriptor_proto(linkable(fdp.clone()))
                                .is_ok() =>
                    {
                        (read(&pool, &strict)?.encode_to_vec(), true)
                    }
                    _ => return Err(first_error),
                }
            }
        };
        if !added && !known {
            // Later files may use this file's extensions; a file whose imports are missing
            // (an image without imports) cannot be added, which only matters if they do.
            if let Ok(fdp) = prost_types::FileDescriptorProto::decode(&encoded_file[..]) {
                let _ = pool.add_file_descriptor_proto(linkable(fdp));
            }
        }
        let mut encoded = encoded_file;
        if let Some(extension) = extension {
            let descriptor = message(&pool, "buf.alpha.image.v1.ImageFileExtension")?;
            let ext = DynamicMessage::deserialize_with_options(descriptor, extension, &strict)
                .map_err(|e| bad(format!("{where_}: bufExtension: {e}")))?;
            let ext_bytes = ext.encode_to_vec();
            prost::encoding::encode_key(
                BUF_EXTENSION_FIELD,
                prost::encoding::WireType::LengthDelimited,
                &mut encoded,
            );
            prost::encoding::encode_varint(ext_bytes.len() as u64, &mut encoded);
            encoded.extend_from_slice(&ext_bytes);
        }
        prost::encoding::encode_key(1, prost::encoding::WireType::LengthDelimited, &mut out);
        prost::encoding::encode_varint(encoded.len() as u64, &mut out);
        out.extend_from_slice(&encoded);
    }
    Ok(out)
}

/// prost-reflect cannot link (and panics on) `syntax = "editions"`: this pool only resolves
/// extensions for reading JSON, so a proto2-shaped copy serves.
fn linkable(mut fdp: prost_types::FileDescriptorProto) -> prost_types::FileDescriptorProto {
    if fdp.syntax() == "editions" {
        fdp.syntax = Some("proto2".to_string());
    }
    fdp
}
