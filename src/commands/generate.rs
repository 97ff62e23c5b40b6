//! `protoforge generate`: input -> image -> generated crate -> written under `--out` (or diffed
//! with `--check`). Settings come from the flags, then `buf.gen.yaml` in the current directory.

use std::path::PathBuf;

use crate::cli::{ErrorFormat, GenerateArgs, InputArgs};
use crate::commands::{current_dir, emit_findings, Outcome};
use crate::compile::{encode_image, Compiled, ImageEncoding};
use crate::config::buf_gen;
use crate::generate::{generate, writer, GenerateOptions};
use crate::pipeline;
use crate::{Error, Result};

pub fn run(args: GenerateArgs) -> Result<Outcome> {
    crate::generate::warm_up();
    let cwd = current_dir()?;
    let config = buf_gen::load(&cwd)?;

    let mut input = args.input.clone();
    let mut opts = GenerateOptions::default();
    let mut out = PathBuf::from("gen");
    if let Some(config) = &config {
        opts = config.options.clone();
        out = config.out.clone();
        // As buf: an input on the command line replaces the file's `inputs`.
        if let (Some(i), true) = (&config.input, input.input == ".") {
            input.input = i.input.clone();
            if input.paths.is_empty() {
                input.paths = i.paths.clone();
            }
            if input.exclude_paths.is_empty() {
                input.exclude_paths = i.exclude_paths.clone();
            }
        }
    }
    if let Some(o) = args.out {
        out = o;
    }
    if args.crate_name.is_some() {
        opts.crate_name = args.crate_name;
    }
    opts.include_imports |= args.include_imports;
    opts.template_dir = args.template_dir;
    opts.skeleton = args.skeleton;

    if out.is_file() {
        return Err(Error::new(format!(
            "--out {} is a file, not a directory",
            out.display()
        ))
        .with_help("pass a directory for the generated crate, e.g. --out gen"));
    }

    let Some((fds, targets)) = compile_input(&input, args.error_format)? else {
        return Ok(Outcome::Findings);
    };
    let krate = generate(&fds, &targets, &opts)?;

    if args.check {
        let _timing = crate::trace::phase("compare with the output directory");
        let report = writer::check(&krate, &out)?;
        if report.is_current() {
            return Ok(Outcome::Clean);
        }
        crate::commands::out(&report.diff);
        eprintln!(
            "{} is stale: {} file(s) differ from what protoforge generates; run `protoforge generate` to update it",
            out.display(),
            report.stale.len()
        );
        return Ok(Outcome::Findings);
    }
    writer::write(&krate, &out)?;
    Ok(Outcome::Clean)
}

/// The input through the core pipeline, as the generator wants it: the encoded
/// `FileDescriptorSet` (imports and source info included, custom options kept) and the target
/// file names. Compile errors are findings: printed, exit 100, as `protoforge build`.
fn compile_input(
    input: &InputArgs,
    format: Option<ErrorFormat>,
) -> Result<Option<(Vec<u8>, Vec<String>)>> {
    let cwd = current_dir()?;
    let built = pipeline::build(input, &cwd)?;
    let image = match built.compiled {
        Compiled::Errors(findings) => {
            emit_findings(&findings, format, true, "generate", built.snapshot.as_ref());
            return Ok(None);
        }
        Compiled::Image(image) => image,
    };
    let targets: Vec<String> = image.targets().map(|f| f.name().to_string()).collect();
    if targets.is_empty() {
        return Err(
            Error::new(format!("{}: no .proto files to generate", input.input))
                .with_help("check the input and the --path / --exclude-path flags"),
        );
    }
    let fds = encode_image(
        &image,
        ImageEncoding {
            json: false,
            exclude_imports: false,
            exclude_source_info: false,
            as_file_descriptor_set: true,
        },
    )?;
    Ok(Some((fds, targets)))
}
