//! Images as bytes: writing ours (binary or JSON, deterministic) and reading ours or buf's.
//!
//! An image is a `FileDescriptorSet`; buf's `Image` message is wire-compatible with it and adds, on
//! each file, field 8042 (`ImageFileExtension`: `is_import` = 1, `is_syntax_unspecified` = 3). We
//! write that extension unless `--as-file-descriptor-set`, and read `is_import` from buf's images.
//! Encoding goes through the `DescriptorPool`, which keeps custom options (prost-types drops them).

use std::collections::BTreeSet;

use prost::encoding::{decode_key, decode_varint, encode_key, encode_varint, WireType};

use super::wire::{next_field, put_length_delimited, take_value};
use prost_reflect::{DescriptorPool, DynamicMessage, ReflectMessage, SerializeOptions};

use crate::image::{Image, ImageFile};
use crate::{Error, Result};

const BUF_EXTENSION_FIELD: u32 = 8042;
/// `source_code_info` in `FileDescriptorProto`.
const SOURCE_CODE_INFO_FIELD: u32 = 9;

/// How to write an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageEncoding {
    pub json: bool,
    pub exclude_imports: bool,
    pub exclude_source_info: bool,
    /// Leave out buf's per-file extension (a plain `FileDescriptorSet`).
    pub as_file_descriptor_set: bool,
}

/// Encodes an image, files in dependency order.
pub fn encode_image(image: &Image, enc: ImageEncoding) -> Result<Vec<u8>> {
    let mut set = Vec::new();
    for file in &image.files {
        if let Some(bytes) = encode_file(image, file, enc)? {
            put_length_delimited(1, &bytes, &mut set);
        }
    }
    if !enc.json {
        return Ok(set);
    }
    // Custom options are written as extensions, so the set is read through a pool that knows
    // them all: the image's own when it has one, else one linked from the set itself. That
    // pool's descriptor.proto, when it has one, knows `edition` and `features`.
    let merged;
    let pool = match image.pools() {
        [pool] => pool,
        _ => {
            merged = one_pool(image)?;
            &merged
        }
    };
    let set_desc = pool
        .get_message_by_name("google.protobuf.FileDescriptorSet")
        .unwrap_or_else(|| prost_types::FileDescriptorSet::default().descriptor());
    let msg = DynamicMessage::decode(set_desc, set.as_slice())
        .map_err(|e| Error::new(format!("encoding the image as JSON: {e}")))?;
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::new(&mut out);
    msg.serialize_with_options(
        &mut ser,
        &SerializeOptions::new().stringify_64_bit_integers(true),
    )
    .map_err(|e| Error::new(format!("encoding the image as JSON: {e}")))?;
    out.push(b'\n');
    Ok(out)
}

/// One file of an image as `encode_image` writes it (the body of a `FileDescriptorSet.file`
/// entry); `None` when the encoding leaves it out (`exclude_imports`) or no pool has it.
pub(super) fn encode_file(
    image: &Image,
    file: &ImageFile,
    enc: ImageEncoding,
) -> Result<Option<Vec<u8>>> {
    if enc.exclude_imports && file.is_import {
        return Ok(None);
    }
    let Some(pool) = image.pool_of(file.name()) else {
        return Ok(None);
    };
    let Some(fd) = pool.get_file_by_name(file.name()) else {
        return Ok(None);
    };
    let mut bytes = fd.encode_to_vec();
    if super::json_names::has_placeholders(fd.file_descriptor_proto()) {
        bytes = super::json_names::restore_encoded(pool, &bytes)
            .map_err(|e| Error::new(format!("encoding {}: {e}", file.name())))?;
    }
    if let Some(edition) = file.edition {
        bytes = super::editions::encode_editions_form(pool, file, edition, &bytes)?;
    }
    // The image file owns the source info (the pool may hold none, or only some of it).
    let info = file
        .encoded_source_info()
        .filter(|_| !enc.exclude_source_info);
    bytes = with_source_info(&bytes, info)
        .map_err(|e| Error::new(format!("encoding {}: {e}", file.name())))?;
    if !enc.as_file_descriptor_set && !enc.json {
        let mut ext = Vec::new();
        if file.is_import {
            encode_key(1, WireType::Varint, &mut ext);
            encode_varint(1, &mut ext);
        }
        if file.proto().syntax.as_deref().unwrap_or("").is_empty() {
            encode_key(3, WireType::Varint, &mut ext);
            encode_varint(1, &mut ext);
        }
        if !ext.is_empty() {
            put_length_delimited(BUF_EXTENSION_FIELD, &ext, &mut bytes);
        }
    }
    Ok(Some(bytes))
}

/// All files of an image linked in one pool (for an image linked in shards).
fn one_pool(image: &Image) -> Result<DescriptorPool> {
    let all = ImageEncoding {
        json: false,
        exclude_imports: false,
        exclude_source_info: true,
        as_file_descriptor_set: true,
    };
    let set = encode_image(image, all)?;
    let err = |e: &dyn std::fmt::Display| Error::new(format!("encoding the image as JSON: {e}"));
    let (linkable, _) = super::editions::linkable_image(&set).map_err(|e| err(&e))?;
    DescriptorPool::decode(linkable.as_deref().unwrap_or(&set)).map_err(|e| err(&e))
}

/// Reads a binary image (ours, buf's, or a plain `FileDescriptorSet`).
pub fn image_from_bytes(bytes: &[u8], origin: &str) -> Result<Image> {
    let imports = buf_import_flags(bytes).map_err(|e| corrupt(origin, &e))?;
    // prost-reflect cannot link `syntax = "editions"`: hand it proto2-shaped copies.
    let (linkable, editions) =
        super::editions::linkable_image(bytes).map_err(|e| corrupt(origin, &e))?;
    let bytes = linkable.as_deref().unwrap_or(bytes);
    // Default JSON names that clash in proto2 files (allowed, as in buf): placeholders for linking.
    let placeholders = json_linkable(bytes).map_err(|e| corrupt(origin, &e))?;
    let bytes = placeholders.as_deref().unwrap_or(bytes);
    // The pool does not need the source info (options are already interpreted in an image), and
    // would copy it three times: the image files keep it encoded, as it came.
    let (bytes, mut source_infos) = split_source_infos(bytes).map_err(|e| corrupt(origin, &e))?;
    let pool = crate::limits::catch_dependency_panic(|| DescriptorPool::decode(bytes.as_slice()))
        .ok_or_else(|| corrupt(origin, "its descriptors do not fit together"))?
        .map_err(|e| corrupt(origin, &e.to_string()))?;
    if pool.files().len() == 0 {
        return Err(
            Error::new(format!("{origin}: the image contains no files")).with_help(
                "write an image with `protoforge build -o FILE.binpb` or `buf build -o FILE.binpb`",
            ),
        );
    }
    let mut image = super::image_from_pool(pool, &imports);
    for file in &mut image.files {
        if let Some(info) = source_infos.remove(file.name()) {
            file.set_encoded_source_info(Some(info));
        }
        if super::json_names::has_placeholders(file.proto()) {
            super::json_names::restore(file.proto_mut());
        }
        if let Some((edition, restore)) = editions.get(file.name()) {
            file.option_dependency =
                super::editions::restore_editions_form(file.proto_mut(), restore);
            file.edition = Some(*edition);
        }
    }
    Ok(image)
}

/// The set without the files' `source_code_info`, and those by file name (encoded). The same pass
/// over the files refuses an image whose files import themselves ([`import_cycle`]).
#[allow(clippy::type_complexity)]
fn split_source_infos(
    mut set: &[u8],
) -> std::result::Result<(Vec<u8>, std::collections::HashMap<String, Vec<u8>>), String> {
    let mut out = Vec::with_capacity(set.len());
    let mut infos = std::collections::HashMap::new();
    let mut imports: std::collections::HashMap<String, Vec<String>> =
        std::collections::HashMap::new();
    while !set.is_empty() {
        let field = next_field(&mut set)?;
        let (1, Some(mut file)) = (field.tag, field.body) else {
            out.extend_from_slice(field.raw);
            continue;
        };
        let mut stripped = Vec::with_capacity(file.len());
        let (mut name, mut info) = (None, None);
        let mut deps = Vec::new();
        while !file.is_empty() {
            let f = next_field(&mut file)?;
            match (f.tag, f.body) {
                (SOURCE_CODE_INFO_FIELD, Some(body)) => info = Some(body.to_vec()),
                (tag, body) => {
                    if let (1, Some(n)) = (tag, body) {
                        name = Some(String::from_utf8_lossy(n).into_owned());
                    }
                    if let (3, Some(d)) = (tag, body) {
                        deps.push(String::from_utf8_lossy(d).into_owned());
                    }
                    stripped.extend_from_slice(f.raw);
                }
            }
        }
        // prost-reflect recurses along imports without a guard: an image whose files import
        // themselves (found by the `image` fuzz target) would overflow any stack.
        imports.insert(name.clone().unwrap_or_default(), deps);
        if let (Some(name), Some(info)) = (name, info) {
            infos.insert(name, info);
        }
        put_length_delimited(1, &stripped, &mut out);
    }
    if let Some(file) = import_cycle(&imports) {
        return Err(format!(
            "file \"{file}\" imports itself (directly or through other files)"
        ));
    }
    Ok((out, infos))
}

/// A file of the image that imports itself, directly or through others (iterative, so that a
/// long import chain cannot overflow the stack here either).
fn import_cycle(imports: &std::collections::HashMap<String, Vec<String>>) -> Option<String> {
    // 1: on the current path, 2: done.
    let mut state: std::collections::HashMap<&str, u8> = std::collections::HashMap::new();
    for start in imports.keys() {
        if state.contains_key(start.as_str()) {
            continue;
        }
        let mut stack: Vec<(&str, usize)> = vec![(start.as_str(), 0)];
        state.insert(start.as_str(), 1);
        while let Some((file, next)) = stack.last_mut() {
            let deps = &imports[*file];
            if let Some(dep) = deps.get(*next) {
                *next += 1;
                if !imports.contains_key(dep) {
                    continue;
                }
                match state.get(dep.as_str()) {
                    Some(1) => return Some(dep.clone()),
                    Some(_) => {}
                    None => {
                        state.insert(dep.as_str(), 1);
                        stack.push((dep.as_str(), 0));
                    }
                }
            } else {
                state.insert(file, 2);
                stack.pop();
            }
        }
    }
    None
}

/// The set with [`super::json_names::make_linkable_encoded`] applied to each file; `None` when
/// no file needs it.
fn json_linkable(mut set: &[u8]) -> std::result::Result<Option<Vec<u8>>, String> {
    let mut out = Vec::with_capacity(set.len());
    let mut changed = false;
    while !set.is_empty() {
        let field = next_field(&mut set)?;
        let linkable = match (field.tag, field.body) {
            (1, Some(file)) => super::json_names::make_linkable_encoded(file)?,
            _ => None,
        };
        match linkable {
            Some(linkable) => {
                put_length_delimited(1, &linkable, &mut out);
                changed = true;
            }
            None => out.extend_from_slice(field.raw),
        }
    }
    Ok(changed.then_some(out))
}

fn corrupt(origin: &str, detail: &str) -> Error {
    Error::new(format!("{origin}: not a valid image (FileDescriptorSet): {detail}")).with_help(
        "images are written by `protoforge build -o x.binpb` or `buf build -o x.binpb`; for JSON images use a .json \
         name or `#format=json`",
    )
}

/// Names of files whose buf extension says `is_import`.
fn buf_import_flags(mut set: &[u8]) -> std::result::Result<BTreeSet<String>, String> {
    let mut imports = BTreeSet::new();
    while !set.is_empty() {
        let field = next_field(&mut set)?;
        if field.tag != 1 {
            continue;
        }
        let Some(mut file) = field.body else {
            return Err("file entry is not length-delimited".into());
        };
        let (mut name, mut is_import) = (None, false);
        while !file.is_empty() {
            let f = next_field(&mut file)?;
            match (f.tag, f.body) {
                (1, Some(n)) => name = Some(String::from_utf8_lossy(n).into_owned()),
                (BUF_EXTENSION_FIELD, Some(mut ext)) => {
                    while !ext.is_empty() {
                        let (etag, ewire) = decode_key(&mut ext).map_err(|e| e.to_string())?;
                        if etag == 1 && ewire == WireType::Varint {
                            is_import = decode_varint(&mut ext).map_err(|e| e.to_string())? != 0;
                        } else {
                            take_value(&mut ext, ewire)?;
                        }
                    }
                }
                _ => {}
            }
        }
        if is_import {
            if let Some(name) = name {
                imports.insert(name);
            }
        }
    }
    Ok(imports)
}

/// `file` (an encoded `FileDescriptorProto`) with its `source_code_info` replaced by `info`, or
/// removed when `info` is `None`. The other fields keep their bytes and order; `info` goes where
/// field 9 belongs in field-number order (before `syntax`, `edition`, ...).
fn with_source_info(mut file: &[u8], info: Option<&[u8]>) -> std::result::Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(file.len() + info.map_or(0, |i| i.len() + 8));
    let mut pending = info;
    while !file.is_empty() {
        let field = next_field(&mut file)?;
        if field.tag > SOURCE_CODE_INFO_FIELD {
            if let Some(info) = pending.take() {
                put_length_delimited(SOURCE_CODE_INFO_FIELD, info, &mut out);
            }
        }
        if field.tag != SOURCE_CODE_INFO_FIELD {
            out.extend_from_slice(field.raw);
        }
    }
    if let Some(info) = pending {
        put_length_delimited(SOURCE_CODE_INFO_FIELD, info, &mut out);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use prost::Message;
    use prost_types::source_code_info::Location;
    use prost_types::{FileDescriptorProto, SourceCodeInfo};

    /// Found by the `image` fuzz target: prost-reflect panics while building its error for these
    /// bytes; the image is reported as corrupt instead.
    #[test]
    fn an_image_that_panics_the_descriptor_pool_is_corrupt() {
        let err = image_from_bytes(FUZZ_IMAGE_PANIC, "x.binpb").unwrap_err();
        assert!(
            err.to_string().contains("x.binpb: not a valid image"),
            "{err}"
        );
    }

    /// Found by the `image` fuzz target: a nameless file that publicly imports "" (itself);
    /// prost-reflect's import walk would recurse until the stack overflows.
    #[test]
    fn an_image_whose_file_imports_itself_is_corrupt() {
        let bytes = [
            0x8a, 0x00, 0x0a, 0xa8, 0x08, 0x9a, 0x2a, 0x58, 0x58, 0x1a, 0x00, 0x50, 0x00,
        ];
        let err = image_from_bytes(&bytes, "x.binpb").unwrap_err();
        assert!(err.to_string().contains("imports itself"), "{err}");
        let mut imports = std::collections::HashMap::new();
        imports.insert("a".to_string(), vec!["b".to_string()]);
        imports.insert("b".to_string(), vec!["c".to_string(), "x".to_string()]);
        assert_eq!(import_cycle(&imports), None);
        imports.insert("c".to_string(), vec!["a".to_string()]);
        assert!(import_cycle(&imports).is_some());
    }

    const FUZZ_IMAGE_PANIC: &[u8] = &[
        0x40, 0xa4, 0xa4, 0x40, 0x0a, 0x0a, 0xf0, 0xff, 0x08, 0x00, 0xe2, 0x00, 0x00, 0xe2, 0x00,
        0x00, 0x40, 0x40, 0xd5, 0xa4, 0x40, 0xf4, 0x95, 0x95, 0x95,
    ];

    #[test]
    fn source_info_is_replaced_in_field_order() {
        let info = SourceCodeInfo {
            location: vec![Location {
                path: vec![4, 0],
                span: vec![1, 0, 5],
                ..Location::default()
            }],
        };
        let with = FileDescriptorProto {
            name: Some("a.proto".into()),
            package: Some("p".into()),
            syntax: Some("proto3".into()),
            source_code_info: Some(info.clone()),
            ..FileDescriptorProto::default()
        };
        let without = FileDescriptorProto {
            source_code_info: None,
            ..with.clone()
        };
        let bytes = without.encode_to_vec();
        let info = info.encode_to_vec();
        assert_eq!(
            with_source_info(&bytes, Some(&info)).unwrap(),
            with.encode_to_vec()
        );
        assert_eq!(
            with_source_info(&with.encode_to_vec(), None).unwrap(),
            bytes
        );
        assert!(with_source_info(&[0x0a, 0x05, b'a'], None).is_err());
    }
}
