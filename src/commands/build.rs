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
        Ok(Some((_, enc))) => Some(Some(*enc)),
        Err(_) => None,
    };
    let built = match streamed {
        Some(enc) => match pipeline::build_encoded(&args.input, &cwd, enc)? {
            pipeline::ForBuild::Encoded(entries) => {
                if let Ok(Some((path, _))) = &output {
                    write_image(path, |out| {
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
    let Some((path, enc)) = output? else {
        super::keep_until_exit((image, built.workspace, built.snapshot));
        return Ok(Outcome::Clean);
    };
    let bytes = encode_image(&image, enc)?;
    write_image(&path, |out| out.write_all(&bytes))?;
    super::keep_until_exit((image, bytes, built.workspace, built.snapshot));
    Ok(Outcome::Clean)
}

/// Where `-o` writes (a path, `-` for stdout) and how.
fn output_target(output: &str, args: &BuildArgs) -> Result<(String, ImageEncoding)> {
    let (path, format) = match output.split_once('#') {
        Some((p, opts)) => (p.to_string(), Some(parse_output_format(opts)?)),
        None => (output.to_string(), None),
    };
    let json = match format.as_deref() {
        Some("json") => true,
        Some("binpb") | Some("bin") => false,
        Some(other) => {
            return Err(
                Error::new(format!("-o {output:?}: unknown image format {other:?}"))
                    .with_help("use format=binpb or format=json"),
            )
        }
        None => path.ends_with(".json"),
    };
    if !json && path != "-" && !(path.ends_with(".binpb") || path.ends_with(".bin")) {
        return Err(Error::new(format!(
            "-o {output:?}: cannot tell the image format from the file name"
        ))
        .with_help("name the file .binpb (binary) or .json, or add #format=binpb / #format=json"));
    }
    let enc = ImageEncoding {
        json,
        exclude_imports: args.exclude_imports,
        exclude_source_info: args.exclude_source_info,
        as_file_descriptor_set: args.as_file_descriptor_set,
    };
    Ok((path, enc))
}

/// The key and length of a `FileDescriptorSet.file` entry (field 1, length-delimited).
fn entry_header(entry: &[u8]) -> Vec<u8> {
    let mut header = Vec::with_capacity(11);
    prost::encoding::encode_key(1, prost::encoding::WireType::LengthDelimited, &mut header);
    prost::encoding::encode_varint(entry.len() as u64, &mut header);
    header
}

/// Writes the image to `path` (`-`: stdout), through `write`.
fn write_image(
    path: &str,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    if path == "-" {
        let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
        write(&mut out)
            .and_then(|_| out.flush())
            .map_err(|e| Error::io("stdout", e))
    } else {
        write_atomically(std::path::Path::new(path), write)
    }
}

fn parse_output_format(opts: &str) -> Result<String> {
    let mut format = None;
    for kv in opts.split(',') {
        match kv.split_once('=') {
            Some(("format", v)) => format = Some(v.to_string()),
            _ => {
                return Err(Error::new(format!("-o: unknown option {kv:?}"))
                    .with_help("the only output option is format=binpb|json"))
            }
        }
    }
    format.ok_or_else(|| {
        Error::new("-o: missing format=").with_help("use #format=binpb or #format=json")
    })
}

/// Writes through a temporary file in the same directory (buffered, the content written by
/// `write`), then renames it into place (see [`crate::limits::replace_file`]).
fn write_atomically(
    path: &std::path::Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    crate::limits::replace_file_with(path, write).map_err(|e| Error::io(path.display(), e))
}
