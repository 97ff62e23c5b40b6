//! `protoforge lint`: build the input, run the lint rules of each module, report.
//!
//! With `--path`/`--exclude-path`, the module files outside the paths are summarized
//! ([`crate::engine::add_rest_of_modules`]) so that cross-file rules see the whole module;
//! findings are still only reported for the targeted files.
//! A whole-tree lint of a large input is linted shard by shard ([`crate::engine::lint_stream`]).

use std::collections::{HashMap, HashSet};
use std::io::IsTerminal;

use crate::check::Finding;
use crate::cli::{ErrorFormat, LintArgs};
use crate::commands::{current_dir, emit_findings, Outcome};
use crate::compile::Compiled;
use crate::config::{ConfigVersion, LintConfig, ModuleSpec};
use crate::engine::lint_cache::{CompiledFacts, FieldReaders};
use crate::image::{Image, ImageFile};
use crate::input::Snapshot;
use crate::pipeline::{self, Built, Loaded};
use crate::report::{self, ModulePath, ReportContext, RuleDoc};
use crate::Result;

pub fn run(args: LintArgs) -> Result<Outcome> {
    let cwd = current_dir()?;
    let state_key = incremental::state_key(&args, &cwd);
    if let Some(key) = state_key {
        let _timing = crate::trace::phase("incremental lint");
        if let Some(outcome) = incremental::run(&args, &cwd, key)? {
            return Ok(outcome);
        }
    }
    let loaded = pipeline::load(
        &args.input.input,
        &args.input,
        args.input.config.as_deref(),
        &cwd,
    )?;
    if let Loaded::Sources {
        snapshot,
        workspace,
    } = &loaded
    {
        let includes = crate::compile::include_roots(&args.input.includes);
        let fallback = fallback_spec();
        let streamed = crate::engine::lint_stream::run(
            workspace,
            snapshot,
            &includes,
            &fallback,
            state_key.is_some(),
        )?;
        if let Some(streamed) = streamed {
            let _reporting = crate::trace::phase("report");
            let located = located_in_workspace(workspace);
            let compiled: CompiledFacts<'_> = &|name: &str| streamed.compiled.get(name).cloned();
            let outcome = finish(
                &args,
                &cwd,
                state_key,
                &streamed.outcome,
                &located,
                &workspace.modules,
                snapshot,
                Some((compiled, streamed.known.as_slice(), &streamed.fields)),
            )?;
            super::keep_until_exit((loaded, streamed));
            return Ok(outcome);
        }
    }
    // The heads of the module files a `--path` run did not read are known while the targets
    // compile (its cross-file rules need them, [`crate::engine::add_rest_of_modules`]); an error
    // in them counts only once the targets compiled.
    let (built, unread) =
        pipeline::compile_loaded_alongside(loaded, &args.input, crate::engine::unread_heads);
    let Built {
        workspace,
        compiled,
        snapshot,
    } = built?;
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
    // Over the compiled files only, before the summaries of the rest of the modules join them.
    let fields = match state_key {
        Some(_) => FieldReaders::of(image.files.iter().map(ImageFile::proto)),
        None => FieldReaders::empty(),
    };
    let modules = match (workspace, &snapshot) {
        (Some(ws), Some(snapshot)) => {
            let unread = unread.transpose()?.unwrap_or_default();
            crate::engine::add_rest_of_modules_known(&mut image, &ws.modules, snapshot, unread)?;
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
    let located = located_in_image(&image, &modules);
    let compiled: CompiledFacts<'_> = &|name: &str| {
        image
            .file(name)
            .map(|f| crate::engine::lint_cache::compiled_facts(f.proto()))
    };
    let result = match &snapshot {
        Some(snapshot) => finish(
            &args,
            &cwd,
            state_key,
            &outcome,
            &located,
            &modules,
            snapshot,
            Some((compiled, &[], &fields)),
        )?,
        None => {
            let version = modules.first().map(|m| m.version).unwrap_or_default();
            print_outcome(&args, &outcome, &located, version, None);
            if outcome.findings.is_empty() {
                Outcome::Clean
            } else {
                Outcome::Findings
            }
        }
    };
    super::keep_until_exit((image, snapshot, outcome));
    Ok(result)
}

/// The compiled facts of module files by import path, the module files as the summary index
/// knows them (empty: to be looked up), and who sees the message fields of whom, for storing the
/// lint state.
type ForState<'a> = (
    CompiledFacts<'a>,
    &'a [(crate::engine::ModuleFile, crate::engine::Known)],
    &'a FieldReaders,
);

/// Prints the report of a lint of sources and stores the lint state when there is a key.
#[allow(clippy::too_many_arguments)]
fn finish(
    args: &LintArgs,
    cwd: &std::path::Path,
    state_key: Option<crate::cache::Key>,
    outcome: &crate::lint::Outcome,
    located: &HashMap<String, ModulePath>,
    modules: &[ModuleSpec],
    snapshot: &Snapshot,
    for_state: Option<ForState<'_>>,
) -> Result<Outcome> {
    let version = modules.first().map(|m| m.version).unwrap_or_default();
    let printed = print_outcome(args, outcome, located, version, Some(snapshot));
    if let (Some(key), Some((compiled, known, fields))) = (state_key, for_state) {
        let format = args.error_format.unwrap_or_else(report::default_format);
        incremental::save_full_run(
            key, cwd, compiled, fields, known, modules, snapshot, outcome, format, &printed,
        )?;
    }
    Ok(if outcome.findings.is_empty() {
        Outcome::Clean
    } else {
        Outcome::Findings
    })
}

/// Prints the warnings and the report; returns the report.
fn print_outcome(
    args: &LintArgs,
    outcome: &crate::lint::Outcome,
    located: &HashMap<String, ModulePath>,
    version: ConfigVersion,
    snapshot: Option<&Snapshot>,
) -> String {
    for w in &outcome.warnings {
        super::err(&format!("WARN\t{w}\n"));
    }
    let format = args.error_format.unwrap_or_else(report::default_format);
    let printed = report(&outcome.findings, located, version, format, snapshot);
    super::out(&printed);
    printed
}

/// Renders the findings with everything the formats can use: sources (pretty, sarif), the rule
/// docs (sarif's rules table, pretty's help) and the config version and module layout, so that
/// `config-ignore-yaml` writes a baseline for the config in use.
fn report(
    findings: &[Finding],
    located: &HashMap<String, ModulePath>,
    version: ConfigVersion,
    format: ErrorFormat,
    snapshot: Option<&Snapshot>,
) -> String {
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
    report::render(findings, format, &ctx)
}

/// Each workspace file's module directory and import path, by the path findings show.
fn located_in_workspace(workspace: &crate::workspace::Workspace) -> HashMap<String, ModulePath> {
    let mut located = HashMap::new();
    for f in workspace.files.values() {
        if let Some(m) = workspace.modules.get(f.module) {
            located.insert(f.external_path.clone(), module_path(m, &f.name));
        }
    }
    located
}

/// Each image file's module directory and import path, by the path findings show.
fn located_in_image(image: &Image, modules: &[ModuleSpec]) -> HashMap<String, ModulePath> {
    let mut located = HashMap::new();
    for f in &image.files {
        if let Some(m) = f.module.and_then(|m| modules.get(m)) {
            located.insert(f.external_path.clone(), module_path(m, f.name()));
        }
    }
    located
}

fn module_path(m: &ModuleSpec, name: &str) -> ModulePath {
    ModulePath {
        module_dir: m.dir.trim_matches('/').trim_start_matches("./").to_string(),
        path: name.to_string(),
    }
}

/// Whole-tree `lint` after an edit: only what the edit invalidates is compiled and linted
/// ([`crate::engine::lint_cache`]); the other files' findings come from the last run.
mod incremental {
    use std::collections::{HashMap, HashSet};
    use std::path::Path;

    use crate::cache::{content_hash, Key};
    use crate::check::{sort_and_dedup, Finding};
    use crate::cli::{ErrorFormat, LintArgs};
    use crate::commands::Outcome;
    use crate::compile::{self, Compiled};
    use crate::config::ModuleSpec;
    use crate::engine::lint_cache::{CompiledFacts, FieldReaders};
    use crate::engine::{self, lint_cache, ModuleFile};
    use crate::image::ImageFile;
    use crate::input::{self, Snapshot};
    use crate::workspace::{TargetFilter, Workspace};
    use crate::Result;

    /// The most files an incremental run recompiles before a full run is cheaper.
    const MAX_AFFECTED: usize = 400;

    /// The key of the stored state, for whole-tree runs that may use one.
    pub fn state_key(args: &LintArgs, cwd: &Path) -> Option<Key> {
        let input = &args.input;
        if !input.paths.is_empty()
            || !input.exclude_paths.is_empty()
            || !input.includes.is_empty()
            || std::env::var_os("PROTOFORGE_INCLUDE").is_some()
        {
            return None;
        }
        let argv = crate::commands::argv()?;
        let configs = [input.config.as_deref()];
        engine::answer::question("lint-state", argv, cwd, &[], &configs).ok()?
    }

    /// Content hashes of the input's buf config files.
    fn config_states(snapshot: &Snapshot) -> Vec<lint_cache::FileState> {
        snapshot
            .files
            .iter()
            .filter(|(p, _)| !p.ends_with(".proto"))
            .map(|(p, b)| lint_cache::FileState {
                root_path: p.clone(),
                content: content_hash(b).0.to_le_bytes().to_vec(),
                ..Default::default()
            })
            .collect()
    }

    /// One file's part of a report in a per-finding format.
    fn render_file(findings: &[Finding], format: ErrorFormat) -> String {
        crate::report::render(findings, format, &crate::report::ReportContext::new("lint"))
    }

    #[allow(clippy::too_many_arguments)]
    pub fn save_full_run(
        key: Key,
        cwd: &Path,
        compiled: CompiledFacts<'_>,
        fields: &FieldReaders,
        known: &[(engine::ModuleFile, engine::Known)],
        modules: &[ModuleSpec],
        snapshot: &Snapshot,
        outcome: &crate::lint::Outcome,
        format: ErrorFormat,
        printed: &str,
    ) -> Result<()> {
        let _timing = crate::trace::phase("store lint state");
        let looked_up;
        let known = if known.is_empty() {
            let files = engine::module_files(snapshot, modules);
            looked_up = engine::know_files(snapshot, &files)?;
            &looked_up[..]
        } else {
            known
        };
        let display = |p: &str| snapshot.display_path(p);
        let Some(deps) = engine::answer::registry_deps_stamp(snapshot, cwd) else {
            return Ok(());
        };
        let render = move |f: &[Finding]| render_file(f, format);
        let per_file = crate::report::is_per_finding(format)
            .then_some((&render as lint_cache::RenderFile<'_>, printed));
        if let Some(state) = lint_cache::state_of_full_run(
            compiled,
            fields,
            known,
            &display,
            &outcome.findings,
            &outcome.warnings,
            config_states(snapshot),
            per_file,
        ) {
            let mut state = lint_cache::State { deps, ..state };
            lint_cache::save(key, &mut state);
        }
        Ok(())
    }

    /// Compiles the module files `roots` (by root path) and their imports; `None` when the
    /// incremental run cannot go on (registry dependencies that do not attach, compile errors).
    fn compile_files(
        snapshot: &mut Snapshot,
        config: &crate::config::WorkspaceConfig,
        cwd: &Path,
        roots: &HashSet<String>,
    ) -> Result<Option<crate::image::Image>> {
        let wanted = |root_path: &str, _: &str| roots.contains(root_path);
        engine::read_needed(snapshot, &config.modules, &wanted)?;
        let mut paths: Vec<String> = roots.iter().cloned().collect();
        paths.sort();
        let filter = TargetFilter {
            paths,
            exclude_paths: Vec::new(),
        };
        let mut workspace = Workspace::new(snapshot, config.clone(), &filter)?;
        if crate::deps::attach(snapshot, &mut workspace, cwd, false).is_err() {
            return Ok(None);
        }
        Ok(
            match compile::compile_spread(&workspace, &compile::include_roots(&[]))? {
                Compiled::Image(image) => Some(image),
                Compiled::Errors(_) => None,
            },
        )
    }

    /// The incremental run, or `None` when a full run is needed.
    pub fn run(args: &LintArgs, cwd: &Path, key: Key) -> Result<Option<Outcome>> {
        let format = args
            .error_format
            .unwrap_or_else(crate::report::default_format);
        let loading = crate::trace::phase("load lint state");
        let Some(mut state) = lint_cache::load(key) else {
            return Ok(None);
        };
        drop(loading);
        if state.rendered != crate::report::is_per_finding(format) {
            return Ok(None);
        }
        let input::Loaded::Sources(mut snapshot) = engine::load_lazily(&args.input.input, cwd)?
        else {
            return Ok(None);
        };
        if !snapshot.target_paths.is_empty() || config_states(&snapshot) != state.configs {
            return Ok(None);
        }
        // Registry dependencies as they were (the module cache unchanged, same pins).
        if engine::answer::registry_deps_stamp(&snapshot, cwd).as_ref() != Some(&state.deps) {
            return Ok(None);
        }
        let config = crate::config::load(&snapshot, args.input.config.as_deref())?;
        let files = engine::module_files(&snapshot, &config.modules);
        let known = engine::know_files(&snapshot, &files)?;
        let Some((changed, mut affected)) = lint_cache::invalidated(&state, &known) else {
            return Ok(None);
        };
        if changed.len() > MAX_AFFECTED {
            return Ok(None);
        }
        let by_root: HashMap<&str, &ModuleFile> =
            files.iter().map(|f| (f.root_path.as_str(), f)).collect();
        let index: HashMap<String, usize> = state
            .files
            .iter()
            .enumerate()
            .map(|(i, f)| (f.root_path.clone(), i))
            .collect();
        let modules = config.modules.clone();
        let mut fresh: Vec<Finding> = Vec::new();
        // The report as pieces (stored parts and new ones), when findings are kept rendered.
        let mut report: Option<Vec<bytes::Bytes>> = None;
        if !affected.is_empty() {
            // The changed files first: when each keeps its shape, their importers cannot have
            // changed (see [`lint_cache::Hashes`]) and only the changed files are linted again.
            let only_changed = affected.len() > changed.len();
            let first: HashSet<String> = if only_changed {
                changed.keys().cloned().collect()
            } else {
                affected.clone()
            };
            let Some(mut image) = compile_files(&mut snapshot, &config, cwd, &first)? else {
                return Ok(None);
            };
            // Whether an importer can see what changed: nothing when every changed file keeps
            // its shape; its message fields only, when every file whose shape changed has none
            // an option value can reach (then only importers that read imported fields can).
            let mut same_shapes = true;
            let mut fields_unreachable = true;
            for (root, &i) in &changed {
                let Some(file) = by_root.get(root.as_str()).and_then(|f| image.file(&f.name))
                else {
                    return Ok(None);
                };
                let hashes = lint_cache::interface_and_shape(file.proto());
                if hashes.interface != state.files[i].interface {
                    return Ok(None);
                }
                if hashes.shape != state.files[i].shape {
                    same_shapes = false;
                    fields_unreachable &= state.files[i].fields_unreachable;
                }
            }
            if only_changed && same_shapes {
                affected = first;
            } else if only_changed {
                if fields_unreachable {
                    affected.retain(|root| {
                        first.contains(root)
                            || index
                                .get(root)
                                .is_none_or(|&i| !state.files[i].reads_no_imported_fields)
                    });
                }
                if affected.len() > MAX_AFFECTED {
                    return Ok(None);
                }
                // `affected` still holds `first`: anything more is importers to compile too.
                if affected.len() > first.len() {
                    image = match compile_files(&mut snapshot, &config, cwd, &affected)? {
                        Some(image) => image,
                        None => return Ok(None),
                    };
                }
            }
            crate::trace::note(|| {
                format!(
                    "incremental lint: {} of {} files linted again ({} changed)",
                    affected.len(),
                    state.files.len(),
                    changed.len()
                )
            });
            let targets: HashSet<String> = image.targets().map(|f| f.name().to_string()).collect();
            engine::add_rest_of_modules(&mut image, &modules, &snapshot)?;
            let outcome = super::lint_image(&image, &modules, &|f: &ImageFile| {
                targets.contains(f.name())
            })?;
            let by_display: HashMap<String, usize> = affected
                .iter()
                .filter_map(|r| Some((snapshot.display_path(r), *index.get(r)?)))
                .collect();
            let content: HashMap<&str, Key> = known
                .iter()
                .map(|(m, k)| (m.root_path.as_str(), k.content))
                .collect();
            for root in &affected {
                let (Some(&i), Some(f)) = (index.get(root), by_root.get(root.as_str())) else {
                    return Ok(None);
                };
                let Some(file) = image.file(&f.name) else {
                    return Ok(None);
                };
                let slot = &mut state.files[i];
                let k = content.get(root.as_str()).copied().unwrap_or_default();
                slot.content = k.0.to_le_bytes().to_vec();
                let hashes = lint_cache::interface_and_shape(file.proto());
                slot.interface = hashes.interface;
                slot.shape = hashes.shape;
                slot.findings.clear();
            }
            let mut per_file: HashMap<usize, Vec<Finding>> = HashMap::new();
            for finding in &outcome.findings {
                let Some(&i) = finding.path.as_ref().and_then(|p| by_display.get(p)) else {
                    return Ok(None);
                };
                per_file.entry(i).or_default().push(finding.clone());
            }
            if state.rendered {
                // The report again: the affected files' parts new, the others as stored.
                let Some(parts) = lint_cache::report_parts(&state) else {
                    return Ok(None);
                };
                let affected_index: HashSet<usize> = affected
                    .iter()
                    .filter_map(|r| index.get(r).copied())
                    .collect();
                let mut pieces = Vec::with_capacity(parts.len());
                for (i, part) in parts.into_iter().enumerate() {
                    let piece = if affected_index.contains(&i) {
                        per_file
                            .get(&i)
                            .map(|found| bytes::Bytes::from(render_file(found, format)))
                            .unwrap_or_default()
                    } else {
                        part
                    };
                    state.files[i].report_len = piece.len() as u64;
                    pieces.push(piece);
                }
                report = Some(pieces);
            } else {
                for (i, found) in per_file {
                    state.files[i].findings =
                        found.iter().map(lint_cache::StoredFinding::of).collect();
                }
            }
            fresh = outcome.findings;
            let _saving = crate::trace::phase("store lint state");
            match &report {
                Some(pieces) => {
                    state.report = bytes::Bytes::new();
                    lint_cache::save_with_report(key, &state, pieces);
                }
                None => lint_cache::save(key, &mut state),
            }
            crate::commands::keep_until_exit(image);
        }
        for w in &state.warnings {
            crate::commands::err(&format!("WARN\t{w}\n"));
        }
        let _reporting = crate::trace::phase("report");
        if state.rendered {
            // The parts, in display-path order, are the report: as stored (their lengths add
            // up, and the entry's checksum says they are the text a full run rendered), with
            // the new parts of the affected files.
            let pieces = match report {
                Some(pieces) => pieces,
                None => match lint_cache::report_parts(&state) {
                    Some(_) => vec![state.report.clone()],
                    None => return Ok(None),
                },
            };
            // The state is this answer: storing it again as a whole answer would only cost.
            crate::commands::answer_kept_elsewhere();
            crate::commands::out_pieces(&pieces);
            let clean = pieces.iter().all(bytes::Bytes::is_empty);
            crate::commands::keep_until_exit((state, snapshot));
            return Ok(Some(if clean {
                Outcome::Clean
            } else {
                Outcome::Findings
            }));
        }
        let mut findings = fresh;
        for f in &state.files {
            if !affected.contains(&f.root_path) {
                findings.extend(f.findings.iter().map(lint_cache::StoredFinding::finding));
            }
        }
        sort_and_dedup(&mut findings);
        let located: HashMap<String, crate::report::ModulePath> = files
            .iter()
            .filter_map(|f| {
                let m = modules.get(f.module)?;
                Some((
                    snapshot.display_path(&f.root_path),
                    super::module_path(m, &f.name),
                ))
            })
            .collect();
        if matches!(format, ErrorFormat::Pretty | ErrorFormat::Sarif) {
            let display: HashMap<String, &str> = files
                .iter()
                .map(|f| (snapshot.display_path(&f.root_path), f.root_path.as_str()))
                .collect();
            let mut wanted: Vec<String> = findings
                .iter()
                .filter_map(|f| display.get(f.path.as_deref()?).map(|r| r.to_string()))
                .collect();
            wanted.sort();
            wanted.dedup();
            snapshot.read(&wanted)?;
        }
        let version = modules.first().map(|m| m.version).unwrap_or_default();
        let printed = super::report(&findings, &located, version, format, Some(&snapshot));
        crate::commands::out(&printed);
        Ok(Some(if findings.is_empty() {
            Outcome::Clean
        } else {
            Outcome::Findings
        }))
    }
}

/// Lints `image` with the modules' configs; files without a module (image inputs) get buf's v2 defaults.
pub fn lint_image(
    image: &Image,
    modules: &[ModuleSpec],
    is_target: &(dyn Fn(&ImageFile) -> bool + Sync),
) -> Result<crate::lint::Outcome> {
    crate::lint::run(image, modules, &fallback_spec(), is_target)
}

/// The config of files without a module (image inputs): buf's v2 defaults.
fn fallback_spec() -> ModuleSpec {
    ModuleSpec {
        version: ConfigVersion::V2,
        lint: LintConfig {
            allow_comment_ignores: true,
            ..LintConfig::default()
        },
        ..ModuleSpec::default()
    }
}
