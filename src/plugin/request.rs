//! `CodeGeneratorRequest` in, `CodeGeneratorResponse` out, read and written at the wire level: the
//! files of the request keep their bytes (custom options included) on their way into an [`Image`].

use std::collections::HashSet;

use prost::encoding::{encode_key, encode_varint, WireType};

use crate::compile::wire::{next_field, put_length_delimited};
use crate::image::Image;
use crate::{Error, Result};

/// `CodeGeneratorRequest` field numbers.
const FILE_TO_GENERATE: u32 = 1;
const PARAMETER: u32 = 2;
const PROTO_FILE: u32 = 15;

/// `CodeGeneratorResponse.Feature`: `FEATURE_PROTO3_OPTIONAL | FEATURE_SUPPORTS_EDITIONS`.
const SUPPORTED_FEATURES: u64 = 1 | 2;
/// `Edition` values: the editions protoforge reads (`EDITION_2023` to `EDITION_2024`).
const MINIMUM_EDITION: u64 = 1000;
const MAXIMUM_EDITION: u64 = 1001;

/// What the plugin reads from a request.
#[derive(Debug, Default)]
pub struct Request {
    /// The files protoc was asked to process (the targets).
    pub file_to_generate: Vec<String>,
    /// The `--NAME_opt` values, joined by commas by protoc.
    pub parameter: String,
    /// `proto_file` as a binary `FileDescriptorSet`: every target and everything it imports,
    /// dependencies first, each file's bytes as protoc sent them.
    pub files: Vec<u8>,
}

/// Reads an encoded `CodeGeneratorRequest`.
pub fn decode(mut bytes: &[u8]) -> Result<Request> {
    let bad = |detail: String| {
        Error::new(format!("standard input is not a CodeGeneratorRequest: {detail}"))
            .with_help("this program is a protoc plugin: run it through protoc (`--plugin=protoc-gen-NAME=PATH --NAME_out=.`)")
    };
    let text = |body: Option<&[u8]>, what: &str| -> Result<String> {
        let body = body.ok_or_else(|| bad(format!("{what} is not length-delimited")))?;
        String::from_utf8(body.to_vec()).map_err(|_| bad(format!("{what} is not UTF-8")))
    };
    let mut request = Request::default();
    while !bytes.is_empty() {
        let field = next_field(&mut bytes).map_err(bad)?;
        match field.tag {
            FILE_TO_GENERATE => request
                .file_to_generate
                .push(text(field.body, "file_to_generate")?),
            PARAMETER => request.parameter = text(field.body, "parameter")?,
            PROTO_FILE => {
                let body = field
                    .body
                    .ok_or_else(|| bad("proto_file is not length-delimited".into()))?;
                put_length_delimited(1, body, &mut request.files);
            }
            _ => {}
        }
    }
    Ok(request)
}

impl Request {
    /// The request as an image: `file_to_generate` are the targets, the other files imports.
    ///
    /// A file without a `syntax` statement cannot be told from one with `syntax = "proto2";`
    /// (protoc leaves both empty), so, as buf does for requests, every file counts as having one.
    pub fn image(&self) -> Result<Image> {
        let mut image = crate::compile::image_from_bytes(&self.files, "the CodeGeneratorRequest")?;
        let targets: HashSet<&str> = self.file_to_generate.iter().map(String::as_str).collect();
        for file in &mut image.files {
            file.is_import = !targets.contains(file.name());
            if !file.is_import && file.proto().syntax().is_empty() {
                file.proto_mut().syntax = Some("proto2".to_string());
            }
        }
        if let Some(missing) = self
            .file_to_generate
            .iter()
            .find(|name| image.file(name).is_none())
        {
            return Err(Error::new(format!(
                "the CodeGeneratorRequest names {missing} in file_to_generate but has no such proto_file"
            )));
        }
        Ok(image)
    }
}

/// An encoded `CodeGeneratorResponse` with no files: `error` holds the findings, if any.
pub fn response(error: Option<&str>) -> Vec<u8> {
    let mut out = Vec::new();
    if let Some(error) = error {
        put_length_delimited(1, error.as_bytes(), &mut out);
    }
    for (tag, value) in [
        (2, SUPPORTED_FEATURES),
        (3, MINIMUM_EDITION),
        (4, MAXIMUM_EDITION),
    ] {
        encode_key(tag, WireType::Varint, &mut out);
        encode_varint(value, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use prost::Message;
    use prost_types::compiler::{CodeGeneratorRequest, CodeGeneratorResponse};
    use prost_types::FileDescriptorProto;

    fn file(name: &str, syntax: Option<&str>, deps: &[&str]) -> FileDescriptorProto {
        FileDescriptorProto {
            name: Some(name.into()),
            package: Some("p".into()),
            syntax: syntax.map(str::to_string),
            dependency: deps.iter().map(|d| d.to_string()).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn targets_imports_and_parameter() {
        let request = CodeGeneratorRequest {
            file_to_generate: vec!["b.proto".into()],
            parameter: Some(r#"{"error_format":"json"}"#.into()),
            proto_file: vec![
                file("a.proto", None, &[]),
                file("b.proto", None, &["a.proto"]),
            ],
            ..Default::default()
        };
        let decoded = decode(&request.encode_to_vec()).unwrap();
        assert_eq!(decoded.parameter, r#"{"error_format":"json"}"#);
        let image = decoded.image().unwrap();
        let shape: Vec<(&str, bool, &str)> = image
            .files
            .iter()
            .map(|f| (f.name(), f.is_import, f.proto().syntax()))
            .collect();
        assert_eq!(shape, [("a.proto", true, ""), ("b.proto", false, "proto2")]);
    }

    #[test]
    fn bad_requests_are_errors() {
        assert!(decode(&[0x0a, 0x05, b'a']).is_err());
        let request = CodeGeneratorRequest {
            file_to_generate: vec!["missing.proto".into()],
            proto_file: vec![file("a.proto", Some("proto3"), &[])],
            ..Default::default()
        };
        let err = decode(&request.encode_to_vec())
            .unwrap()
            .image()
            .unwrap_err();
        assert!(err.message().contains("missing.proto"), "{err}");
    }

    #[test]
    fn the_response_carries_the_error_and_features() {
        let decoded = CodeGeneratorResponse::decode(&response(Some("a.proto:1:1:x"))[..]).unwrap();
        assert_eq!(decoded.error.as_deref(), Some("a.proto:1:1:x"));
        assert_eq!(decoded.supported_features, Some(3));
        assert!(decoded.file.is_empty());
        let clean = CodeGeneratorResponse::decode(&response(None)[..]).unwrap();
        assert_eq!(clean.error, None);
    }
}
