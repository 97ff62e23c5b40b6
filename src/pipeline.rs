//! The shared front half of every command: input -> config -> dependencies -> workspace -> compile.

use std::path::Path;
use std::sync::Arc;

use crate::check::clean_path;
use crate::cli::InputArgs;
use crate::compile::{self, Compiled};
use crate::config::{self, ModuleSpec};
use crate::deps;
use crate::engine;
use crate::image::Image;
use crate::input::{self, Snapshot};
use crate::workspace::{TargetFilter, Workspace};
use crate::{Error, Result};

/// An input, read and compiled.
#[derive(Debug)]
pub struct Built {
    /// The sources and their modules (`None` for image inputs).
    pub workspace: Option<Workspace>,
    pub snapshot: Option<Snapshot>,
    pub compiled: Compiled,
}

/// An input, read but not compiled yet.
#[derive(Debug)]
pub enum Loaded {
    Sources {
        snapshot: Box<Snapshot>,
        workspace: Box<Workspace>,
    },
    Image(Image),
}

/// Reads an input (as named on the command line) and compiles it.
pub fn build(args: &InputArgs, cwd: &Path) -> Result<Built> {
    build_with_config(&args.input, args, args.config.as_deref(), cwd)
}

/// Like [`build`], for another input (e.g. `--against`) with its own config override.
pub fn build_with_config(
    input: &str,
    args: &InputArgs,
    config_override: Option<&str>,
    cwd: &Path,
) -> Result<Built> {
    compile::warm_up();
    compile_loaded(load(input, args, config_override, cwd)?, args)
}

/// What `build` gets from [`build_encoded`].
#[derive(Debug)]
pub enum ForBuild {
    /// The image's file entries, encoded shard by shard ([`compile::compile_encoded`]; empty when
    /// no encoding was asked for).
    Encoded(Vec<Vec<u8>>),
    /// The input compiled the ordinary way (small inputs, errors, JSON...).
    Built(Box<Built>),
}

/// Reads an input and compiles it for `build`: encoded as `enc` says while compiling when
/// possible (the compiled tree is not kept), else the ordinary way.
pub fn build_encoded(
    args: &InputArgs,
    cwd: &Path,
    enc: Option<compile::ImageEncoding>,
) -> Result<ForBuild> {
    compile::warm_up();
    let loaded = load(&args.input, args, args.config.as_deref(), cwd)?;
    if let Loaded::Sources { workspace, .. } = &loaded {
        let includes = compile::include_roots(&args.includes);
        if let Some(entries) = compile::compile_encoded(workspace, &includes, enc)? {
            return Ok(ForBuild::Encoded(entries));
        }
    }
    compile_loaded(loaded, args).map(|b| ForBuild::Built(Box::new(b)))
}

/// Compiles what [`load`] (or [`load_limited`]) read.
pub fn compile_loaded(loaded: Loaded, args: &InputArgs) -> Result<Built> {
    compile_loaded_as(loaded, args, How::Plain)
}

/// Like [`compile_loaded`], each file's source info made from its text only when first read
/// ([`compile::compile_deferred`]): for `breaking`'s input, whose positions are read only
/// where findings are.
pub fn compile_loaded_deferred(loaded: Loaded, args: &InputArgs) -> Result<Built> {
    compile_loaded_as(loaded, args, How::DeferSourceInfo)
}

/// Like [`compile_loaded`], for the other side of `breaking`: the files it shares with `input`
/// (compiled without errors) are taken from `input`'s image, not compiled again
/// ([`compile::compile_against`]); the result is the same.
pub fn compile_loaded_sharing(
    loaded: Loaded,
    args: &InputArgs,
    input: Option<&Built>,
) -> Result<Built> {
    let how = match input {
        Some(input) => How::SharingWith(input),
        None => How::Plain,
    };
    compile_loaded_as(loaded, args, how)
}

/// How [`compile_sources`] compiles.
enum How<'a> {
    /// [`compile::compile`].
    Plain,
    /// [`compile::compile_deferred`].
    DeferSourceInfo,
    /// [`compile::compile_against`] this input, when it compiled.
    SharingWith(&'a Built),
}

fn compile_loaded_as(loaded: Loaded, args: &InputArgs, how: How<'_>) -> Result<Built> {
    match loaded {
        Loaded::Image(image) => Ok(Built {
            workspace: None,
            snapshot: None,
            compiled: Compiled::Image(image),
        }),
        Loaded::Sources {
            snapshot,
            workspace,
        } => {
            let (workspace, compiled) = compile_sources(workspace, args, how)?;
            Ok(Built {
                workspace: Some(*workspace),
                snapshot: Some(*snapshot),
                compiled,
            })
        }
    }
}

/// Like [`compile_loaded`], with `alongside` run on the loaded sources and their modules
/// at the same time as the compile (on the thread pool; not run for an image input): work on
/// the other module files that does not need the image (a `--path` lint's head scan of the rest
/// of the modules, [`crate::engine::unread_heads`]).
pub fn compile_loaded_alongside<T: Send>(
    loaded: Loaded,
    args: &InputArgs,
    alongside: impl FnOnce(&Snapshot, &[ModuleSpec]) -> T + Send,
) -> (Result<Built>, Option<T>) {
    match loaded {
        Loaded::Image(image) => (
            Ok(Built {
                workspace: None,
                snapshot: None,
                compiled: Compiled::Image(image),
            }),
            None,
        ),
        Loaded::Sources {
            snapshot,
            workspace,
        } => {
            let modules = workspace.modules.clone();
            let (compiled, side) = rayon::join(
                || compile_sources(workspace, args, How::Plain),
                || alongside(&snapshot, &modules),
            );
            let built = compiled.map(|(workspace, compiled)| Built {
                workspace: Some(*workspace),
                snapshot: Some(*snapshot),
                compiled,
            });
            (built, Some(side))
        }
    }
}

fn compile_sources(
    mut workspace: Box<Workspace>,
    args: &InputArgs,
    how: How<'_>,
) -> Result<(Box<Workspace>, Compiled)> {
    let includes = compile::include_roots(&args.includes);
    let _compiling = crate::trace::phase("compile");
    let compiled = match how {
        How::SharingWith(Built {
            workspace: Some(input_ws),
            compiled: Compiled::Image(input_image),
            ..
        }) => compile::compile_against(input_image, input_ws, &mut workspace, &includes)?,
        How::DeferSourceInfo => compile::compile_deferred(&workspace, &includes)?,
        How::Plain | How::SharingWith(_) => compile::compile(&workspace, &includes)?,
    };
    if let Compiled::Errors(findings) = &compiled {
        // Imports not found while a pinned module is missing from buf's cache (or buf.yaml
        // declares deps without a buf.lock): that is the error to fix, not the findings.
        let missing = compile::missing_imports(findings, &workspace);
        if let Some(err) = workspace.deps.unresolved_imports_error(&missing) {
            return Err(err);
        }
    }
    Ok((workspace, compiled))
}

/// Reads an input and its config and decides the modules and target files, without compiling.
/// With `--path`/`--exclude-path`, only the targeted files and their transitive imports are read
/// (see [`crate::engine::read_needed`]); the other files stay listed in [`Snapshot::unread`].
pub fn load(
    input: &str,
    args: &InputArgs,
    config_override: Option<&str>,
    cwd: &Path,
) -> Result<Loaded> {
    load_limited(input, args, config_override, cwd, None, None)
}

/// Like [`load`]; with `limit` (root-relative paths, the `--path` of the other side of `breaking`),
/// only the files under those paths (by root path or import path) and their imports are read.
/// Every file read is still a target, and no path needs to match. Git blobs whose bytes are
/// `known` (the other side's files) are taken from there.
pub fn load_limited(
    input: &str,
    args: &InputArgs,
    config_override: Option<&str>,
    cwd: &Path,
    limit: Option<&TargetFilter>,
    known: Option<Arc<input::KnownBlobs>>,
) -> Result<Loaded> {
    let reading = crate::trace::phase("read input");
    let mut loaded = engine::load_lazily(input, cwd)?;
    if let input::Loaded::Sources(snapshot) = &mut loaded {
        snapshot.known_blobs = known;
    }
    drop(reading);
    let _workspace = crate::trace::phase("config and workspace");
    match loaded {
        input::Loaded::Image(bytes) => {
            let mut image = compile::image_from_bytes(&bytes, input)?;
            let filter = TargetFilter {
                paths: args.paths.iter().map(|p| clean_path(p)).collect(),
                exclude_paths: args.exclude_paths.iter().map(|p| clean_path(p)).collect(),
            };
            for f in &mut image.files {
                if !filter.matches(&f.root_path) {
                    f.is_import = true;
                }
            }
            if !image.files.iter().any(|f| !f.is_import) {
                return Err(Error::new(NOTHING_TARGETED));
            }
            Ok(Loaded::Image(image))
        }
        input::Loaded::Sources(mut snapshot) => {
            let config = config::load(&snapshot, config_override)?;
            let to_root = |p: &String| root_relative(&snapshot, p);
            let filter = TargetFilter {
                paths: limit_to_targets(
                    args.paths.iter().map(to_root).collect(),
                    &snapshot.target_paths,
                ),
                exclude_paths: args.exclude_paths.iter().map(to_root).collect(),
            };
            match limit {
                Some(limit) if !limit.paths.is_empty() => {
                    let wanted = |root_path: &str, name: &str| {
                        limit.matches(root_path) || limit.matches(name)
                    };
                    engine::read_needed(&mut snapshot, &config.modules, &wanted)?
                }
                _ if !filter.paths.is_empty() || !filter.exclude_paths.is_empty() => {
                    engine::read_needed(
                        &mut snapshot,
                        &config.modules,
                        &engine::wanted_by(&filter),
                    )?
                }
                _ => {
                    let all: Vec<String> = snapshot.unread.keys().cloned().collect();
                    snapshot.read(&all)?;
                }
            }
            let mut workspace = Workspace::new(&snapshot, config, &filter)?;
            drop(_workspace);
            let _deps = crate::trace::phase("dependencies");
            // Import roots may hold what the cache lacks: then a missing module is only an error
            // if an import is not found.
            let has_include_roots = !compile::include_roots(&args.includes).is_empty();
            deps::attach(&snapshot, &mut workspace, cwd, has_include_roots)?;
            if workspace.targets().next().is_none() {
                return Err(Error::new(NOTHING_TARGETED));
            }
            Ok(Loaded::Sources {
                snapshot: Box::new(snapshot),
                workspace: Box::new(workspace),
            })
        }
    }
}

const NOTHING_TARGETED: &str =
    "no .proto files were targeted. This can occur if no .proto files are found in \
     your input, --path points to files that do not exist, or --exclude-path excludes all files.";

/// `--path` and `--exclude-path` are given as the user sees paths (relative to the working
/// directory, like the paths in findings): turn one into an input-root-relative path.
pub fn root_relative(snapshot: &Snapshot, path: &str) -> String {
    clean_path(&snapshot_relative(snapshot, path))
}

fn snapshot_relative(snapshot: &Snapshot, path: &str) -> String {
    let path = path.trim_start_matches("./");
    let prefix = snapshot.display_prefix.trim_end_matches('/');
    if prefix.is_empty() || prefix == "." {
        return path.to_string();
    }
    if path == prefix {
        return ".".to_string();
    }
    match path.strip_prefix(prefix).and_then(|p| p.strip_prefix('/')) {
        Some(rest) => rest.to_string(),
        None => path.to_string(),
    }
}

/// `--path` values limited to the input's own target paths (a single file, or one module of a
/// workspace): the paths inside both.
fn limit_to_targets(paths: Vec<String>, targets: &[String]) -> Vec<String> {
    if targets.is_empty() {
        return paths;
    }
    if paths.is_empty() {
        return targets.to_vec();
    }
    let within = |a: &str, b: &str| b == "." || a == b || a.starts_with(&format!("{b}/"));
    let mut out: Vec<String> = Vec::new();
    for p in &paths {
        for t in targets {
            if within(p, t) {
                out.push(p.clone());
            } else if within(t, p) {
                out.push(t.clone());
            }
        }
    }
    if out.is_empty() {
        // Nothing in both: the explicit `--path` wins.
        return paths;
    }
    out.sort();
    out.dedup();
    out
}
