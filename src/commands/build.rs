//! `protoforge build`: compile the input; with `-o`, write the image.

use std::io::Write;

use crate::cli::BuildArgs;
use crate::commands::{current_dir, emit_findings, Outcome};
use crate::compile::{encode_image, Compiled, ImageEncoding};
use crate::pipeline;
use crate::{Error, Result};

pub fn run(args: BuildArgs) -> Result<Outcome> {
    let cwd = current_dir()?;
    let built = pipeline::build(&args.input, &cwd)?;
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
    let Some(output) = args.output else {
        super::keep_until_exit((image, built.workspace, built.snapshot));
        return Ok(Outcome::Clean);
    };
    let (path, format) = match output.split_once('#') {
        Some((p, opts)) => (p.to_string(), Some(parse_output_format(opts)?)),
        None => (output.clone(), None),
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
    let bytes = encode_image(
        &image,
        ImageEncoding {
            json,
            exclude_imports: args.exclude_imports,
            exclude_source_info: args.exclude_source_info,
            as_file_descriptor_set: args.as_file_descriptor_set,
        },
    )?;
    if path == "-" {
        let mut out = std::io::stdout().lock();
        out.write_all(&bytes)
            .and_then(|_| out.flush())
            .map_err(|e| Error::io("stdout", e))?;
    } else {
        write_atomically(std::path::Path::new(&path), &bytes)?;
    }
    super::keep_until_exit((image, bytes, built.workspace, built.snapshot));
    Ok(Outcome::Clean)
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

/// Writes through a temporary file in the same directory, then renames it into place.
pub(crate) fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    crate::limits::replace_file(path, bytes).map_err(|e| Error::io(path.display(), e))
}
