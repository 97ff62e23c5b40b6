//! Whole-tree `lint` of a large input shard by shard, so that only as many descriptor pools as
//! threads are alive at once (issue #15: the pools were three quarters of lint's memory).
//!
//! The targets are linked in shards ([`crate::compile::for_each_shard`]); each shard is linted as
//! a `--path` run over its own targets is: the module files it did not link come in as summaries
//! ([`crate::engine::summary`], RPC types resolved), as many as can change its targets' findings
//! ([`crate::lint::scope::relevant`]), and findings are kept for its own targets only. Then the
//! shard's image and pool go. The findings of all shards, sorted and deduplicated, are the
//! whole-tree answer because every module file is a target of exactly one shard and the
//! cross-file rules read, of a file that is not a target, only its summary's facts
//! ([`crate::engine::lint_cache::facts`]). That is checked, not assumed: each target's compiled
//! facts must equal its summary's, else (as on any compile error, editions file, missing summary
//! or config error) the caller lints the ordinary way, whose answer is the reference.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use prost_types::FileDescriptorProto;

use crate::check::{sort_and_dedup, Finding};
use crate::config::ModuleSpec;
use crate::engine::lint_cache::{facts, interface_and_shape, FactsAndInterface, FieldReaders};
use crate::engine::{know_files_decoded, module_files, Known, ModuleFile};
use crate::image::{Image, ImageFile};
use crate::input::Snapshot;
use crate::lint::scope::{relevant, resolved_rpc_types, Rest};
use crate::lint::ModuleWarnings;
use crate::workspace::Workspace;
use crate::Result;

/// What a streamed lint found.
pub struct Streamed {
    pub outcome: crate::lint::Outcome,
    /// Every module file as the summary index knows it (what storing the lint state needs).
    pub known: Vec<(ModuleFile, Known)>,
    /// The facts and interface ([`crate::engine::lint_cache`]) of every module file as compiled,
    /// by import path, when asked for.
    pub compiled: HashMap<String, FactsAndInterface>,
    /// Who sees the message fields of whom, over every compiled file, when asked for.
    pub fields: FieldReaders,
}

/// A module file, its summary (shared with the summary index) and its RPC types resolved.
type Outside<'a> = (
    &'a ModuleFile,
    Arc<FileDescriptorProto>,
    Vec<(String, String)>,
);

/// What one shard gave.
struct ShardOutcome {
    findings: Vec<Finding>,
    warnings: ModuleWarnings,
    compiled: Vec<(String, FactsAndInterface)>,
    fields: FieldReaders,
}

/// A module file as the cross-file rules see it when it is not compiled: its summary, named,
/// with its RPC types resolved (as [`crate::engine::rest_files`] makes it).
fn outline(
    name: &str,
    summary: &FileDescriptorProto,
    types: &[(String, String)],
) -> FileDescriptorProto {
    let mut proto = summary.clone();
    proto.name = Some(name.to_string());
    let slots = proto.service.iter_mut().flat_map(|s| s.method.iter_mut());
    for (m, (input, output)) in slots.zip(types) {
        m.input_type = Some(input.clone());
        m.output_type = Some(output.clone());
    }
    proto
}

/// Lints every module file of `workspace` shard by shard (see the module doc), with `fallback`
/// for files without a module; `keep_compiled` keeps [`Streamed::compiled`]. `None`: lint the
/// ordinary way.
pub fn run(
    workspace: &Workspace,
    snapshot: &Snapshot,
    include_roots: &[std::path::PathBuf],
    fallback: &ModuleSpec,
    keep_compiled: bool,
) -> Result<Option<Streamed>> {
    let min_targets_per_shard = crate::compile::MIN_TARGETS_PER_SHARD;
    run_with(
        workspace,
        snapshot,
        include_roots,
        fallback,
        keep_compiled,
        min_targets_per_shard,
    )
}

/// [`run`] with shards of at least `min_targets_per_shard` targets (tests use 1).
fn run_with(
    workspace: &Workspace,
    snapshot: &Snapshot,
    include_roots: &[std::path::PathBuf],
    fallback: &ModuleSpec,
    keep_compiled: bool,
    min_targets_per_shard: usize,
) -> Result<Option<Streamed>> {
    let modules = &workspace.modules;
    let targets = workspace.targets().count();
    if targets < 2 * min_targets_per_shard || targets != workspace.files.len() {
        return Ok(None);
    }
    let summarizing = crate::trace::phase("summaries");
    let files = module_files(snapshot, modules);
    if files.len() != workspace.files.len() {
        return Ok(None);
    }
    let known = know_files_decoded(snapshot, &files)?;
    // The summaries stay shared with `known` (one copy); a file's summary with its name and
    // resolved RPC types is made only where it is used ([`outline`]).
    let mut shared: Vec<Arc<FileDescriptorProto>> = Vec::with_capacity(known.len());
    for (f, k) in &known {
        let Some(summary) = k.summary() else {
            return Ok(None);
        };
        if summary.syntax() == "editions" || !workspace.files.contains_key(&f.name) {
            return Ok(None);
        }
        shared.push(summary);
    }
    let refs: Vec<&FileDescriptorProto> = shared.iter().map(|s| &**s).collect();
    let types = resolved_rpc_types(&Image::new(Vec::new(), Vec::new()), &refs);
    drop(refs);
    let rest: Vec<Outside<'_>> = known
        .iter()
        .zip(shared)
        .zip(types)
        .map(|(((f, _), s), t)| (f, s, t))
        .collect();
    let by_name: HashMap<&str, usize> = rest
        .iter()
        .enumerate()
        .map(|(i, (f, _, _))| (f.name.as_str(), i))
        .collect();
    drop(summarizing);

    // No rule reads comments but the comment ignores: only the files that may hold one need them.
    let comments_read = modules
        .iter()
        .chain([fallback])
        .any(crate::lint::rules_read_comments);
    let comments_only_with = (!comments_read).then_some(crate::lint::COMMENT_IGNORE_PREFIX);
    let each = |mut image: Image| -> Result<Option<ShardOutcome>> {
        let _timing = crate::trace::phase("lint shard");
        // The summaries must give the cross-file rules what the compiled files give them.
        let mut compiled = Vec::new();
        for f in image.targets() {
            let Some(&i) = by_name.get(f.name()) else {
                return Ok(None);
            };
            // The interface only when kept (it encodes the whole file).
            let fact = facts(f.proto());
            let (m, summary, types) = &rest[i];
            if fact != facts(&outline(&m.name, summary, types)) {
                return Ok(None);
            }
            if keep_compiled {
                compiled.push((f.name().to_string(), (fact, interface_and_shape(f.proto()))));
            }
        }
        // Over the shard's compiled files (its targets and their imports), before any summary
        // joins them.
        let fields = if keep_compiled {
            let _timing = crate::trace::phase("field readers");
            FieldReaders::of(image.files.iter().map(ImageFile::proto))
        } else {
            FieldReaders::empty()
        };
        let present: HashSet<&str> = image.files.iter().map(|f| f.name()).collect();
        let outside: Vec<usize> = (0..rest.len())
            .filter(|&i| !present.contains(rest[i].0.name.as_str()))
            .collect();
        drop(present);
        let views: Vec<Rest<'_>> = outside
            .iter()
            .map(|&i| Rest {
                name: &rest[i].0.name,
                summary: &rest[i].1,
                rpc_types: &rest[i].2,
            })
            .collect();
        let keep = relevant(&image, &views);
        drop(views);
        for (&i, keep) in outside.iter().zip(keep) {
            if keep {
                let (f, summary, types) = &rest[i];
                image.files.push(ImageFile::new(
                    outline(&f.name, summary, types),
                    true,
                    snapshot.display_path(&f.root_path),
                    f.root_path.clone(),
                    Some(f.module),
                    None,
                ));
            }
        }
        let is_target = |f: &ImageFile| !f.is_import;
        let Ok((findings, warnings)) =
            crate::lint::run_by_module(&image, modules, fallback, &is_target)
        else {
            return Ok(None);
        };
        Ok(Some(ShardOutcome {
            findings,
            warnings,
            compiled,
            fields,
        }))
    };
    let Some(shards) = crate::compile::for_each_shard(
        workspace,
        include_roots,
        min_targets_per_shard,
        comments_only_with,
        &each,
    )?
    else {
        return Ok(None);
    };
    let mut findings = Vec::new();
    let mut warnings = ModuleWarnings::new();
    let mut compiled = HashMap::new();
    let mut fields = FieldReaders::empty();
    for shard in shards {
        findings.extend(shard.findings);
        warnings.extend(shard.warnings);
        compiled.extend(shard.compiled);
        fields.merge(shard.fields);
    }
    sort_and_dedup(&mut findings);
    let outcome = crate::lint::Outcome {
        findings,
        warnings: crate::lint::merge_warnings(warnings),
    };
    Ok(Some(Streamed {
        outcome,
        known,
        compiled,
        fields,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::InputArgs;
    use crate::compile::Compiled;
    use crate::pipeline::{self, Loaded};
    use std::path::{Path, PathBuf};

    fn fixtures() -> Vec<PathBuf> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut dirs = vec![root.join("examples/orders")];
        for kind in ["lint", "generate", "editions"] {
            let mut found: Vec<PathBuf> = std::fs::read_dir(root.join("testdata").join(kind))
                .map(|r| r.filter_map(|e| e.ok()).map(|e| e.path()).collect())
                .unwrap_or_default();
            found.sort();
            dirs.extend(found.into_iter().filter(|d| d.is_dir()));
        }
        dirs
    }

    /// Linting shard by shard (forced on small inputs) gives exactly the findings and warnings of
    /// the ordinary lint, or gives up.
    #[test]
    fn the_streamed_lint_gives_the_ordinary_findings() {
        let fallback = ModuleSpec::default();
        let mut compared = 0;
        for dir in fixtures() {
            let args = InputArgs {
                input: ".".to_string(),
                ..InputArgs::default()
            };
            let Ok(Loaded::Sources {
                workspace,
                snapshot,
            }) = pipeline::load(".", &args, None, &dir)
            else {
                continue;
            };
            let streamed = run_with(&workspace, &snapshot, &[], &fallback, true, 1)
                .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
            let ordinary = crate::compile::compile(&workspace, &[]).expect("compiles");
            let Some(streamed) = streamed else {
                continue;
            };
            let Compiled::Image(image) = ordinary else {
                panic!("{}: the streamed lint hid compile errors", dir.display());
            };
            let expected =
                crate::lint::run(&image, &workspace.modules, &fallback, &|f| !f.is_import)
                    .expect("lints");
            assert_eq!(
                streamed.outcome.findings,
                expected.findings,
                "{}",
                dir.display()
            );
            assert_eq!(
                streamed.outcome.warnings,
                expected.warnings,
                "{}",
                dir.display()
            );
            for f in image.targets() {
                let want = crate::engine::lint_cache::compiled_facts(f.proto());
                assert_eq!(streamed.compiled.get(f.name()), Some(&want), "{}", f.name());
            }
            compared += 1;
        }
        assert!(compared > 10, "only {compared} fixtures compared");
    }
}
