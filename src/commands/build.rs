//! `protoforge build`: compile the input; with `-o`, write the image.

use std::io::Write;

use crate::cli::BuildArgs;
use crate::commands::{current_dir, emit_findings, Outcome};
use crate::compile::{encode_image, Compiled, ImageEncoding};
use crate::pipeline;
use crate::{Error, Result};

pub fn run(args: BuildArgs) -> Result<Outcome> {
    let cwd = current_dir()?;
    // A bad `-o` is reported after compiling (as before): then compile the ordinary way.
    let output = match &args.output {
        None => Ok(None),
        Some(output) => output_target(output, &args).map(Some),
    };
    let streamed = match &output {
        Ok(None) => Some(None),
        Ok(Some((_, enc, _))) => Some(Some(*enc)),
        Err(_) => None,
    };
    let built = match streamed {
        Some(enc) => match pipeline::build_encoded(&args.input, &cwd, enc)? {
            pipeline::ForBuild::Encoded(entries) => {
                if let Ok(Some((path, _, compression))) = &output {
                    write_image(path, *compression, |out| {
                        for entry in &entries {
                            out.write_all(&entry_header(entry))?;
                            out.write_all(entry)?;
                        }
                        Ok(())
                    })?;
                }
                super::keep_until_exit(entries);
                return Ok(Outcome::Clean);
            }
            pipeline::ForBuild::Built(built) => *built,
        },
        None => pipeline::build(&args.input, &cwd)?,
    };
    let image = match built.compiled {
        Compiled::Errors(findings) => {
            // As buf: build errors go to stderr, exit 100.
            emit_findings(
                &findings,
                args.error_format,
                true,
                "build",
                built.snapshot.as_ref(),
            );
            return Ok(Outcome::Findings);
        }
        Compiled::Image(image) => image,
    };
    let Some((path, enc, compression)) = output? else {
        super::keep_until_exit((image, built.workspace, built.snapshot));
        return Ok(Outcome::Clean);
    };
    let bytes = encode_image(&image, enc)?;
    write_image(&path, compression, |out| out.write_all(&bytes))?;
    super::keep_until_exit((image, bytes, built.workspace, built.snapshot));
    Ok(Outcome::Clean)
}

/// How `-o` compresses the image (buf's `compression=`, or a `.gz` / `.zst` file name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Compression {
    None,
    Gzip,
}

/// Where `-o` writes (a path, `-` for stdout) and how. As buf: the format comes from
/// `#format=` or the file name (`.json`; `.binpb`, `.bin` and any other name are binary), the
/// compression from `#compression=` or a `.gz` ending. Formats and compressions buf has and
/// protoforge does not write (text, YAML, zstd) are refused (reported once the input compiles:
/// buf, too, reports compile errors first).
fn output_target(output: &str, args: &BuildArgs) -> Result<(String, ImageEncoding, Compression)> {
    let (path, options) = match output.split_once('#') {
        Some((p, opts)) => (p.to_string(), Some(parse_output_options(opts)?)),
        None => (output.to_string(), None),
    };
    let (format, compression) = options.unwrap_or_default();
    let (named, named_compression) = match (path.strip_suffix(".gz"), path.strip_suffix(".zst")) {
        (Some(rest), _) => (rest, Some("gzip")),
        (_, Some(rest)) => (rest, Some("zstd")),
        _ => (path.as_str(), None),
    };
    let format = format.unwrap_or_else(|| {
        let extension = std::path::Path::new(named)
            .extension()
            .and_then(|e| e.to_str());
        match extension {
            Some("json") => "json",
            Some("txtpb") => "txtpb",
            Some("yaml") | Some("yml") => "yaml",
            _ => "binpb",
        }
        .to_string()
    });
    let json = match format.as_str() {
        "json" => true,
        "binpb" | "bin" => false,
        "txtpb" | "yaml" => return Err(Error::new(format!(
            "-o {output:?}: protoforge does not write {format} images"
        ))
        .with_help(
            "write a binary (.binpb) or JSON (.json) image, or add #format=binpb / #format=json",
        )),
        other => {
            return Err(
                Error::new(format!("-o {output:?}: unknown image format {other:?}"))
                    .with_help("use format=binpb or format=json"),
            )
        }
    };
    let compression = match compression.as_deref().or(named_compression) {
        None | Some("none") => Compression::None,
        Some("gzip") => Compression::Gzip,
        Some("zstd") => {
            return Err(Error::new(format!(
                "-o {output:?}: protoforge does not write zstd-compressed images"
            ))
            .with_help("use .gz (#compression=gzip) or no compression"))
        }
        Some(other) => {
            return Err(
                Error::new(format!("-o {output:?}: unknown compression {other:?}"))
                    .with_help("use compression=none or compression=gzip"),
            )
        }
    };
    let enc = ImageEncoding {
        json,
        exclude_imports: args.exclude_imports,
        exclude_source_info: args.exclude_source_info,
        as_file_descriptor_set: args.as_file_descriptor_set,
    };
    Ok((path, enc, compression))
}

/// The key and length of a `FileDescriptorSet.file` entry (field 1, length-delimited).
fn entry_header(entry: &[u8]) -> Vec<u8> {
    let mut header = Vec::with_capacity(11);
    prost::encoding::encode_key(1, prost::encoding::WireType::LengthDelimited, &mut header);
    prost::encoding::encode_varint(entry.len() as u64, &mut header);
    header
}

/// Writes the image to `path` (`-`: stdout; a device or pipe such as `/dev/null` is written in
/// place; a file is replaced atomically), through `write`, compressed as asked.
fn write_image(
    path: &str,
    compression: Compression,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    let write = |out: &mut dyn Write| match compression {
        Compression::None => write(out),
        Compression::Gzip => {
            let mut gz = flate2::write::GzEncoder::new(out, flate2::Compression::default());
            write(&mut gz)?;
            gz.finish().map(drop)
        }
    };
    let special = std::fs::metadata(path).is_ok_and(|meta| !meta.is_file() && !meta.is_dir());
    if path == "-" {
        let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
        write(&mut out)
            .and_then(|_| out.flush())
            .map_err(|e| Error::io("stdout", e))
    } else if special {
        let file = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(|e| Error::io(path, e))?;
        let mut out = std::io::BufWriter::with_capacity(1 << 16, file);
        write(&mut out)
            .and_then(|_| out.flush())
            .map_err(|e| Error::io(path, e))
    } else {
        write_atomically(std::path::Path::new(path), write)
    }
}

/// The `format=` and `compression=` of an `-o` path's `#` options.
fn parse_output_options(opts: &str) -> Result<(Option<String>, Option<String>)> {
    let (mut format, mut compression) = (None, None);
    for kv in opts.split(',') {
        match kv.split_once('=') {
            Some(("format", v)) => format = Some(v.to_string()),
            Some(("compression", v)) => compression = Some(v.to_string()),
            _ => {
                return Err(Error::new(format!("-o: unknown option {kv:?}")).with_help(
                    "the output options are format=binpb|json and compression=none|gzip",
                ))
            }
        }
    }
    Ok((format, compression))
}

/// Writes through a temporary file in the same directory (buffered, the content written by
/// `write`), then renames it into place (see [`crate::limits::replace_file`]).
fn write_atomically(
    path: &std::path::Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    crate::limits::replace_file_with(path, write).map_err(|e| Error::io(path.display(), e))
}
