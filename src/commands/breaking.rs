//! `protoforge breaking`: compare the input with `--against`, report breaking changes.

use crate::breaking::{self, fix, Policy};
use crate::check::clean_path;
use crate::cli::BreakingArgs;
use crate::commands::{current_dir, emit_findings, Outcome};
use crate::compile::Compiled;
use crate::config::BreakingConfig;
use crate::image::{Image, ImageFile};
use crate::pipeline::{self, Built};
use crate::workspace::TargetFilter;
use crate::{Error, Result};

pub fn run(args: BreakingArgs) -> Result<Outcome> {
    let cwd = current_dir()?;
    // The against side is read with its own config and no --path of its own; the input's
    // --path filter is applied to its files afterwards (a file new in the input must not make the
    // against side fail). Only the files under those paths and their imports are read there.
    let mut against_args = args.input.clone();
    against_args.paths.clear();
    against_args.exclude_paths.clear();
    against_args.config = None;
    let loaded = pipeline::load(
        &args.input.input,
        &args.input,
        args.input.config.as_deref(),
        &cwd,
    )?;
    let limit = match &loaded {
        pipeline::Loaded::Sources { snapshot, .. } => TargetFilter {
            paths: limited_paths(&args, snapshot),
            exclude_paths: Vec::new(),
        },
        pipeline::Loaded::Image(_) => TargetFilter {
            paths: args.input.paths.iter().map(|p| clean_path(p)).collect(),
            exclude_paths: Vec::new(),
        },
    };
    // Blobs of a git against side that are the input's files are not read again.
    let known = match &loaded {
        pipeline::Loaded::Sources { snapshot, .. } => {
            Some(std::sync::Arc::new(crate::input::KnownBlobs::of(snapshot)))
        }
        pipeline::Loaded::Image(_) => None,
    };
    // The against side is read while the input compiles, then compiled with the files both
    // sides share taken from the input's image (`PROTOFORGE_NO_SHARING=1`: compiled whole).
    let (current, against) = rayon::join(
        || pipeline::compile_loaded_deferred(loaded, &args.input),
        || {
            pipeline::load_limited(
                &args.against,
                &against_args,
                args.against_config.as_deref(),
                &cwd,
                Some(&limit),
                known,
            )
        },
    );
    let mut current = current?;
    // The input's source info is needed only where findings are: made there (compiled
    // deferred; this lets go of what was made now, for files our lowering did not read).
    if let Compiled::Image(image) = &mut current.compiled {
        image.defer_source_info();
    }
    let Some(current_image) = image_or_errors(&current, &args) else {
        return Ok(Outcome::Findings);
    };
    let sharing = std::env::var_os("PROTOFORGE_NO_SHARING").is_none_or(|v| v.is_empty());
    let input = sharing.then_some(&current);
    let previous = pipeline::compile_loaded_sharing(against?, &against_args, input)?.compiled;
    let mut previous_image = match previous {
        Compiled::Image(image) => image,
        Compiled::Errors(findings) => {
            // As buf: compile errors of either side are findings on stdout (exit 100).
            emit_findings(&findings, args.error_format, false, "breaking", None);
            return Ok(Outcome::Findings);
        }
    };
    restrict_against(&mut previous_image, &current, current_image, &args);
    previous_image.forget_sources();
    let mut outcome = compare(&current, current_image, &previous_image, &args)?;

    // After --fix, findings point into the fixed sources.
    let mut fixed = None;
    if args.fix && !outcome.fixes.is_empty() {
        let rebuilt = apply_fixes(&args, &cwd, &current, current_image, &outcome)?;
        let Compiled::Image(fixed_image) = &rebuilt.compiled else {
            return Err(Error::new("the fixed sources do not compile"));
        };
        outcome = compare(&rebuilt, fixed_image, &previous_image, &args)?;
        fixed = Some(rebuilt);
    }
    let reported = fixed.as_ref().unwrap_or(&current);

    for warning in &outcome.warnings {
        super::err(&format!("WARN\t{warning}\n"));
    }
    emit_findings(
        &outcome.findings,
        args.error_format,
        false,
        "breaking",
        reported.snapshot.as_ref(),
    );
    let clean = outcome.findings.is_empty();
    super::keep_until_exit((outcome, fixed, current, previous_image));
    Ok(if clean {
        Outcome::Clean
    } else {
        Outcome::Findings
    })
}

/// Marks against files outside the input's `--path`/`--exclude-path` (and, with
/// `--limit-to-input-files`, files the input does not have) as imports, and keeps only the files the
/// rest import, as buf builds the against image for those targets: imports are compared unless
/// `--exclude-imports`, files neither targeted nor imported are not.
fn restrict_against(previous: &mut Image, built: &Built, current: &Image, args: &BreakingArgs) {
    // `--path` is relative to the working directory (as the paths in findings): make it relative
    // to the input root, which is how both sides name their files.
    let root_relative = |p: &String| match &built.snapshot {
        Some(snapshot) => pipeline::root_relative(snapshot, p),
        None => clean_path(p),
    };
    let paths = match &built.snapshot {
        Some(snapshot) => limited_paths(args, snapshot),
        None => args.input.paths.iter().map(root_relative).collect(),
    };
    let filter = TargetFilter {
        paths,
        exclude_paths: args.input.exclude_paths.iter().map(root_relative).collect(),
    };
    for f in &mut previous.files {
        let in_input = current.file(f.name()).is_some_and(|c| !c.is_import);
        if !(filter.matches(&f.root_path) || filter.matches(f.name()))
            || (args.limit_to_input_files && !in_input)
        {
            f.is_import = true;
        }
    }
    if !args.exclude_imports {
        previous.keep_targets_and_their_imports();
    }
}

/// The input's `--path` values, relative to its root; without any, the paths a single-file input
/// or one module of a workspace limits the run to (empty: everything).
fn limited_paths(args: &BreakingArgs, snapshot: &crate::input::Snapshot) -> Vec<String> {
    let paths: Vec<String> = args
        .input
        .paths
        .iter()
        .map(|p| pipeline::root_relative(snapshot, p))
        .collect();
    if paths.is_empty() {
        snapshot.target_paths.clone()
    } else {
        paths
    }
}

/// Runs the rules the current input's config selects.
fn compare(
    current: &Built,
    current_image: &Image,
    previous: &Image,
    args: &BreakingArgs,
) -> Result<breaking::Outcome> {
    let default_config = BreakingConfig::default();
    let modules = current
        .workspace
        .as_ref()
        .map_or(&[][..], |ws| &ws.modules[..]);
    let policies = Policy::for_modules(modules, &default_config);
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
    breaking::check(
        previous,
        current_image,
        &policies,
        &module_of,
        !args.exclude_imports,
    )
}

/// `--fix`: writes the `reserved` statements, recompiles the input, and puts the files back if it
/// no longer compiles. Prints each change on stderr. Returns the rebuilt input.
fn apply_fixes(
    args: &BreakingArgs,
    cwd: &std::path::Path,
    current: &Built,
    current_image: &Image,
    outcome: &breaking::Outcome,
) -> Result<Built> {
    let Some(disk_root) = current.snapshot.as_ref().and_then(|s| s.disk_root.clone()) else {
        return Err(Error::new(format!(
            "--fix: the input {:?} is not a directory on disk",
            args.input.input
        ))
        .with_help("run --fix on a directory input (the sources to change)"));
    };
    let edits = fix::plan(&outcome.fixes, current_image, &disk_root)?;
    fix::write(&edits, false)?;
    let rebuilt = pipeline::build(&args.input, cwd);
    let compiles = matches!(
        &rebuilt,
        Ok(Built {
            compiled: Compiled::Image(_),
            ..
        })
    );
    if !compiles {
        fix::write(&edits, true)?;
        let detail = match &rebuilt {
            Ok(Built {
                compiled: Compiled::Errors(errors),
                ..
            }) => errors
                .first()
                .map(|e| format!(": {}", e.message))
                .unwrap_or_default(),
            Err(e) => format!(": {e}"),
            _ => String::new(),
        };
        return Err(Error::new(format!(
            "--fix: the sources would not compile with the reserved statements{detail}; nothing was changed"
        ))
        .with_help("add the `reserved` statements shown in the findings' help by hand"));
    }
    for edit in &edits {
        for change in &edit.changes {
            eprintln!("{}: {change}", edit.display_path);
        }
    }
    rebuilt
}

/// The image of a side, or `None` after printing its compile errors on stdout (exit 100, as buf).
fn image_or_errors<'b>(built: &'b Built, args: &BreakingArgs) -> Option<&'b Image> {
    match &built.compiled {
        Compiled::Image(image) => Some(image),
        Compiled::Errors(findings) => {
            emit_findings(
                findings,
                args.error_format,
                false,
                "breaking",
                built.snapshot.as_ref(),
            );
            None
        }
    }
}
