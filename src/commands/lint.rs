//! `protoforge lint`: build the input, run the lint rules of each module, report.
//!
//! With `--path`/`--exclude-path`, the module files outside the paths are parsed too so that
//! cross-file rules see the whole module; findings are still only reported for the targeted files.

use std::collections::{HashMap, HashSet};
use std::io::IsTerminal;


use crate::check::Finding;
use crate::cli::{ErrorFormat, LintArgs};
use crate::commands::{current_dir, emit_findings, Outcome};
use crate::compile::Compiled;
use crate::config::{ConfigVersion, LintConfig, ModuleSpec};
use crate::image::{Image, ImageFile};
use crate::input::Snapshot;
use crate::pipeline::{self, Built};
use crate::report::{self, ModulePath, ReportContext, RuleDoc};
use crate::workspace::Workspace;
use crate::Result;

pub fn run(args: LintArgs) -> Result<Outcome> {
    let cwd = current_dir()?;
    let Built {
        workspace,
        compiled,
        snapshot,
    } = pipeline::build(&args.input, &cwd)?;
    let mut image = match compiled {
        Compiled::Image(image) => image,
        Compiled::Errors(findings) => {
            emit_findings(
                &findings,
                args.error_format,
                false,
                "lint",
                snapshot.as_ref(),
            );
            return Ok(Outcome::Findings);
        }
    };
    let targets: HashSet<String> = image.targets().map(|f| f.name().to_string()).collect();
    let modules = match (workspace, &snapshot) {
        (Some(ws), Some(snapshot)) => {
            add_rest_of_modules(&mut image, &ws, snapshot)?;
            ws.modules
        }
        (Some(ws), None) => ws.modules,
        _ => Vec::new(),
    };
    let linting = crate::trace::phase("lint");
    let outcome = lint_image(&image, &modules, &|f: &ImageFile| {
        targets.contains(f.name())
    })?;
    drop(linting);
    let _reporting = crate::trace::phase("report");
    for w in &outcome.warnings {
        super::err(&format!("WARN\t{w}\n"));
    }
    let version = modules.first().map(|m| m.version).unwrap_or_default();
    report(
        &outcome.findings,
        &image,
        &modules,
        version,
        args.error_format,
        snapshot.as_ref(),
    );
    let clean = outcome.findings.is_empty();
    super::keep_until_exit((image, snapshot, outcome));
    Ok(if clean {
        Outcome::Clean
    } else {
        Outcome::Findings
    })
}

/// Prints the findings with everything the formats can use: sources (pretty, sarif), the rule
/// docs (sarif's rules table, pretty's help) and the config version and module layout, so that
/// `config-ignore-yaml` writes a baseline for the config in use.
fn report(
    findings: &[Finding],
    image: &Image,
    modules: &[ModuleSpec],
    version: ConfigVersion,
    format: Option<ErrorFormat>,
    snapshot: Option<&Snapshot>,
) {
    let mut located: HashMap<&str, ModulePath> = HashMap::new();
    for f in &image.files {
        if let Some(m) = f.module.and_then(|m| modules.get(m)) {
            located.insert(
                f.external_path.as_str(),
                ModulePath {
                    module_dir: m.dir.trim_matches('/').trim_start_matches("./").to_string(),
                    path: f.name().to_string(),
                },
            );
        }
    }
    let locate = |path: &str| located.get(path).cloned();
    let rule_doc = |id: &str| {
        crate::lint::RULES
            .iter()
            .find(|r| r.meta.id == id)
            .map(|r| RuleDoc {
                purpose: r.meta.purpose.to_string(),
                help: Some(crate::lint::help_line(id)),
                url: None,
            })
    };
    let no_sources = |_: &str| None;
    let sources = snapshot.map(report::snapshot_sources);
    let ctx = ReportContext::new("lint")
        .with_color(report::use_color(std::io::stdout().is_terminal()))
        .with_rule_doc(&rule_doc)
        .with_baseline(version, &locate);
    let ctx = match &sources {
        Some(f) => ctx.with_sources(f),
        None => ctx.with_sources(&no_sources),
    };
    let format = format.unwrap_or_else(report::default_format);
    super::out(&report::render(findings, format, &ctx));
}

/// With `--path`/`--exclude-path` (or a single-file input), the image holds only the targeted files
/// and what they import. The module's other files come in as summaries from the engine (not
/// linked: that would cost as much as compiling the whole module), as non-target files, so that
/// cross-file rules see the whole module. Their RPC types are resolved against the known type
/// names; a file that does not parse is left out, as buf would not look at it either.
fn add_rest_of_modules(image: &mut Image, ws: &Workspace, snapshot: &Snapshot) -> Result<()> {
    let present: HashSet<&str> = image.files.iter().map(|f| f.name()).collect();
    let rest = crate::engine::rest_of_modules(snapshot, &ws.modules, &present)?;
    if rest.is_empty() {
        return Ok(());
    }
    let _timing = crate::trace::phase("rest of modules");
    let (files, mut summaries): (Vec<_>, Vec<_>) = rest
        .into_iter()
        .map(|(f, s)| (f, std::sync::Arc::unwrap_or_clone(s)))
        .unzip();
    crate::lint::scope::resolve_rpc_types(image, &mut summaries);
    let keep = if whole_rest() {
        vec![true; summaries.len()]
    } else {
        crate::lint::scope::relevant(image, &summaries.iter().collect::<Vec<_>>())
    };
    for ((f, proto), keep) in files.into_iter().zip(summaries).zip(keep) {
        if !keep {
            continue;
        }
        image.files.push(ImageFile::new(
            proto,
            true,
            snapshot.display_path(&f.root_path),
            f.root_path,
            Some(f.module),
            None,
        ));
    }
    Ok(())
}

/// `PROTOFORGE_LINT_WHOLE_REST=1` keeps every module file in a `--path` run instead of only those
/// that can change the targets' findings ([`crate::lint::scope`]): tests compare the two.
fn whole_rest() -> bool {
    std::env::var_os("PROTOFORGE_LINT_WHOLE_REST").is_some_and(|v| v == "1")
}

/// Lints `image` with the modules' configs; files without a module (image inputs) get buf's v2 defaults.
pub fn lint_image(
    image: &Image,
    modules: &[ModuleSpec],
    is_target: &(dyn Fn(&ImageFile) -> bool + Sync),
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
