//! `protoforge ls-files`: the files of an input, as buf lists them (text: one path per line; json: one
//! object per line with path, import_path, module, commit, is_import; import: import paths). A file of
//! a buf.lock dependency is listed (json) under its module and commit, with its path in buf's cache.

use crate::cli::LsFilesArgs;
use crate::commands::{current_dir, emit_findings, Outcome};
use crate::compile::Compiled;
use crate::image::Image;
use crate::pipeline;
use crate::workspace::Workspace;
use crate::{Error, Result};

/// One listed file.
struct Row {
    /// The path users see (text output).
    path: String,
    /// Where the file is on disk as buf shows it (json `path`): the cache path for a dependency.
    local_path: String,
    import_path: String,
    module: String,
    commit: String,
    is_import: bool,
}

pub fn run(args: LsFilesArgs) -> Result<Outcome> {
    if !matches!(args.format.as_str(), "text" | "json" | "import") {
        return Err(
            Error::new(format!("--format {:?}: unknown format", args.format))
                .with_help("use text, json or import"),
        );
    }
    let cwd = current_dir()?;
    // Listing targets needs no compile; imports do (they are whatever the targets import).
    let mut rows: Vec<Row> = if args.include_imports {
        let built = pipeline::build(&args.input, &cwd)?;
        match built.compiled {
            Compiled::Errors(findings) => {
                emit_findings(&findings, None, true, "ls-files", built.snapshot.as_ref());
                return Ok(Outcome::Findings);
            }
            Compiled::Image(image) => image_rows(&image, true, built.workspace.as_ref()),
        }
    } else {
        match pipeline::load(
            &args.input.input,
            &args.input,
            args.input.config.as_deref(),
            &cwd,
        )? {
            pipeline::Loaded::Sources { workspace, .. } => workspace
                .targets()
                .map(|f| Row {
                    path: f.external_path.clone(),
                    local_path: f.external_path.clone(),
                    import_path: f.name.clone(),
                    module: workspace.modules[f.module].name.clone().unwrap_or_default(),
                    commit: String::new(),
                    is_import: false,
                })
                .collect(),
            pipeline::Loaded::Image(image) => image_rows(&image, false, None),
        }
    };
    // As buf: text by path, json by local path then import path, import in image order.
    match args.format.as_str() {
        "text" => rows.sort_by(|a, b| a.path.cmp(&b.path)),
        "json" => rows
            .sort_by(|a, b| (&a.local_path, &a.import_path).cmp(&(&b.local_path, &b.import_path))),
        _ => rows.sort_by(|a, b| a.path.cmp(&b.path)),
    }
    let mut out = String::new();
    for row in rows {
        match args.format.as_str() {
            "text" => out.push_str(&format!("{}\n", row.path)),
            "import" => out.push_str(&format!("{}\n", row.import_path)),
            _ => out.push_str(&format!(
                "{}\n",
                serde_json::json!({
                    "path": row.local_path,
                    "import_path": row.import_path,
                    "module": row.module,
                    "commit": row.commit,
                    "is_import": row.is_import,
                })
            )),
        }
    }
    crate::commands::out(&out);
    Ok(Outcome::Clean)
}

fn image_rows(image: &Image, include_imports: bool, workspace: Option<&Workspace>) -> Vec<Row> {
    image
        .files
        .iter()
        .filter(|f| include_imports || !f.is_import)
        .map(|f| {
            let mut row = Row {
                path: f.external_path.clone(),
                local_path: f.external_path.clone(),
                import_path: f.name().to_string(),
                module: String::new(),
                commit: String::new(),
                is_import: f.is_import,
            };
            if let Some(ws) = workspace {
                if let Some(module) = f.module.and_then(|m| ws.modules.get(m)) {
                    row.module = module.name.clone().unwrap_or_default();
                } else if let Some((dep, _)) = ws.deps.file(f.name()) {
                    row.module = dep.pin.name.clone();
                    row.commit = dep.pin.commit.clone();
                    row.local_path = ws.deps.local_path(f.name()).unwrap_or_default();
                }
            }
            row
        })
        .collect()
}
