//! `protoforge ls-files`: the files of an input, as buf lists them (text: one path per line; json: one
//! object per line with path, import_path, module, commit, is_import; import: import paths).

use crate::cli::LsFilesArgs;
use crate::commands::{current_dir, emit_findings, Outcome};
use crate::compile::Compiled;
use crate::pipeline;
use crate::{Error, Result};

pub fn run(args: LsFilesArgs) -> Result<Outcome> {
    if !matches!(args.format.as_str(), "text" | "json" | "import") {
        return Err(
            Error::new(format!("--format {:?}: unknown format", args.format))
                .with_help("use text, json or import"),
        );
    }
    let cwd = current_dir()?;
    // Listing targets needs no compile; imports do (they are whatever the targets import).
    let mut rows: Vec<(String, String, bool)> = match pipeline::load(
        &args.input.input,
        &args.input,
        args.input.config.as_deref(),
        &cwd,
    )? {
        pipeline::Loaded::Sources { workspace, .. } if !args.include_imports => workspace
            .targets()
            .map(|f| (f.external_path.clone(), f.name.clone(), false))
            .collect(),
        pipeline::Loaded::Image(image) => image_rows(&image, args.include_imports),
        pipeline::Loaded::Sources { .. } => {
            let built = pipeline::build(&args.input, &cwd)?;
            match built.compiled {
                Compiled::Errors(findings) => {
                    emit_findings(&findings, None, true, "ls-files", built.snapshot.as_ref());
                    return Ok(Outcome::Findings);
                }
                Compiled::Image(image) => image_rows(&image, true),
            }
        }
    };
    rows.sort();
    let mut out = String::new();
    for (path, import_path, is_import) in rows {
        match args.format.as_str() {
            "text" => out.push_str(&format!("{path}\n")),
            "import" => out.push_str(&format!("{import_path}\n")),
            _ => out.push_str(&format!(
                "{}\n",
                serde_json::json!({"path": path, "import_path": import_path, "module": "", "commit": "", "is_import": is_import})
            )),
        }
    }
    print!("{out}");
    Ok(Outcome::Clean)
}

fn image_rows(image: &crate::image::Image, include_imports: bool) -> Vec<(String, String, bool)> {
    image
        .files
        .iter()
        .filter(|f| include_imports || !f.is_import)
        .map(|f| (f.external_path.clone(), f.name().to_string(), f.is_import))
        .collect()
}
