//! `protoforge breaking`: compare the input with `--against`, report breaking changes.

use crate::breaking::{self, Policy};
use crate::check::Finding;
use crate::cli::BreakingArgs;
use crate::commands::{current_dir, emit_findings, Outcome};
use crate::compile::Compiled;
use crate::config::{BreakingConfig, ConfigVersion};
use crate::image::{Image, ImageFile};
use crate::pipeline::{self, Built};
use crate::workspace::TargetFilter;
use crate::{Error, Result};

pub fn run(args: BreakingArgs) -> Result<Outcome> {
    if args.fix {
        return Err(Error::new("`protoforge breaking --fix` is not implemented yet")
            .with_help("the `help` of each deletion finding shows the `reserved` statements to add by hand"));
    }
    let cwd = current_dir()?;
    let current = pipeline::build(&args.input, &cwd)?;
    let current_image = match image_or_errors(&current, &args)? {
        Some(image) => image,
        None => return Ok(Outcome::Findings),
    };
    // The against side is read whole with its own config; the input's --path filter is applied to
    // its files afterwards (a file new in the input must not make the against side fail).
    let mut against_args = args.input.clone();
    against_args.paths.clear();
    against_args.exclude_paths.clear();
    against_args.config = None;
    let previous = pipeline::build_with_config(
        &args.against,
        &against_args,
        args.against_config.as_deref(),
        &cwd,
    )?;
    let Some(previous_image) = image_or_errors(&previous, &args)? else {
        return Ok(Outcome::Findings);
    };
    let mut previous_image = previous_image.clone();
    let filter = TargetFilter {
        paths: args.input.paths.iter().map(|p| normalize(p)).collect(),
        exclude_paths: args
            .input
            .exclude_paths
            .iter()
            .map(|p| normalize(p))
            .collect(),
    };
    for f in &mut previous_image.files {
        let in_input = current_image.file(f.name()).is_some_and(|c| !c.is_import);
        if !(filter.matches(&f.root_path) || filter.matches(f.name()))
            || (args.limit_to_input_files && !in_input)
        {
            f.is_import = true;
        }
    }

    let default_config = BreakingConfig::default();
    let policies: Vec<Policy<'_>> = match &current.workspace {
        Some(ws) if !ws.modules.is_empty() => ws
            .modules
            .iter()
            .map(|m| Policy {
                version: m.version,
                config: &m.breaking,
            })
            .collect(),
        _ => vec![Policy {
            version: ConfigVersion::V2,
            config: &default_config,
        }],
    };
    let module_of = |file: Option<&ImageFile>, against: Option<&ImageFile>| -> usize {
        file.and_then(|f| f.module)
            .or_else(|| {
                let name = against?.name();
                current
                    .workspace
                    .as_ref()?
                    .files
                    .get(name)
                    .map(|f| f.module)
            })
            .unwrap_or(0)
    };
    let outcome = breaking::check(&previous_image, current_image, &policies, &module_of)?;
    for warning in &outcome.warnings {
        eprintln!("WARN\t{warning}");
    }
    emit_findings(&outcome.findings, args.error_format, false, &[]);
    Ok(if outcome.findings.is_empty() {
        Outcome::Clean
    } else {
        Outcome::Findings
    })
}

/// The image of a side, or `None` after printing its compile errors (exit 100, as buf).
fn image_or_errors<'b>(built: &'b Built, args: &BreakingArgs) -> Result<Option<&'b Image>> {
    match &built.compiled {
        Compiled::Image(image) => Ok(Some(image)),
        Compiled::Errors(findings) => {
            let findings: Vec<Finding> = findings.clone();
            emit_findings(&findings, args.error_format, true, &[]);
            Ok(None)
        }
    }
}

/// `./a/b/` -> `a/b`.
fn normalize(path: &str) -> String {
    let p = path.trim_start_matches("./").trim_end_matches('/');
    if p.is_empty() {
        ".".to_string()
    } else {
        p.to_string()
    }
}
