//! `protoforge lint`: build the input, run the lint rules of each module, report.
//!
//! With `--path`/`--exclude-path`, the whole module is compiled a second time so that cross-file
//! rules see the files outside the paths too; findings are still only reported for the targeted
//! files. If the rest of the module does not compile, the targeted files alone are linted (as buf).

use std::collections::HashSet;

use crate::cli::{InputArgs, LintArgs};
use crate::commands::{current_dir, emit_findings, Outcome};
use crate::compile::Compiled;
use crate::config::{ConfigVersion, LintConfig, ModuleSpec};
use crate::image::{Image, ImageFile};
use crate::pipeline::{self, Built};
use crate::Result;

pub fn run(args: LintArgs) -> Result<Outcome> {
    let cwd = current_dir()?;
    let built = pipeline::build(&args.input, &cwd)?;
    let Built {
        workspace,
        compiled,
        snapshot,
    } = built;
    // Only the modules are needed from here on: free the raw input bytes and the file table.
    drop(snapshot);
    let workspace = workspace.map(|ws| ws.modules);
    let image = match compiled {
        Compiled::Image(image) => image,
        Compiled::Errors(findings) => {
            emit_findings(&findings, args.error_format, false, &[]);
            return Ok(Outcome::Findings);
        }
    };
    let targets: HashSet<String> = image.targets().map(|f| f.name().to_string()).collect();
    let limited = !args.input.paths.is_empty() || !args.input.exclude_paths.is_empty();
    let (image, modules) = match workspace {
        Some(modules) if limited => {
            // The targeted image is no longer needed once its targets are known: free it
            // before compiling the whole module.
            drop(image);
            let whole = InputArgs {
                paths: Vec::new(),
                exclude_paths: Vec::new(),
                ..args.input.clone()
            };
            match pipeline::build(&whole, &cwd) {
                Ok(Built {
                    compiled: Compiled::Image(full),
                    workspace: Some(full_ws),
                    ..
                }) => (full, full_ws.modules),
                // The rest of the module does not compile: lint the targets alone, as buf.
                _ => match pipeline::build(&args.input, &cwd)?.compiled {
                    Compiled::Image(image) => (image, modules),
                    Compiled::Errors(findings) => {
                        emit_findings(&findings, args.error_format, false, &[]);
                        return Ok(Outcome::Findings);
                    }
                },
            }
        }
        Some(modules) => (image, modules),
        None => (image, Vec::new()),
    };
    let outcome = lint_image(&image, &modules, &|f: &ImageFile| {
        targets.contains(f.name())
    })?;
    for w in &outcome.warnings {
        eprintln!("WARN\t{w}");
    }
    emit_findings(&outcome.findings, args.error_format, false, &[]);
    Ok(if outcome.findings.is_empty() {
        Outcome::Clean
    } else {
        Outcome::Findings
    })
}

/// Lints `image` with the modules' configs; files without a module (image inputs) get buf's v2 defaults.
pub fn lint_image(
    image: &Image,
    modules: &[ModuleSpec],
    is_target: &dyn Fn(&ImageFile) -> bool,
) -> Result<crate::lint::Outcome> {
    let fallback = ModuleSpec {
        version: ConfigVersion::V2,
        lint: LintConfig {
            allow_comment_ignores: true,
            ..LintConfig::default()
        },
        ..ModuleSpec::default()
    };
    crate::lint::run(image, modules, &fallback, is_target)
}
