//! Which files, in which module, under which import roots.
//!
//! A [`Workspace`] is a [`Snapshot`] (the files) seen through a [`WorkspaceConfig`] (the modules):
//! every `.proto` file belongs to at most one module, is known by its import path (relative to its
//! module's root), and is a target of this run or not (`--path`, `--exclude-path`, single-file inputs).
//! Two modules that define the same import path are rejected here, before compiling (a duplicated
//! root makes the compiler report thousands of duplicate definitions very slowly). The registry
//! dependencies pinned in buf.lock come with it ([`Workspace::deps`]), resolved by [`crate::deps`].

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::check::path_is_within;
use crate::config::{ModuleSpec, WorkspaceConfig};
use crate::deps::Deps;
use crate::input::Snapshot;
use crate::{Error, Result};

/// One `.proto` source file of the workspace.
#[derive(Debug, Clone)]
pub struct WorkspaceFile {
    /// The import path, relative to the module root: `foo/v1/foo.proto`.
    pub name: String,
    /// The path relative to the input root: `proto/foo/v1/foo.proto`.
    pub root_path: String,
    /// The path shown to users: `current/proto/foo/v1/foo.proto` for input `current`.
    pub external_path: String,
    /// Index into [`Workspace::modules`].
    pub module: usize,
    /// Whether this run checks/builds the file (it may still be compiled as an import).
    pub is_target: bool,
    pub text: Arc<str>,
}

/// The modules of an input and their files.
#[derive(Debug, Clone)]
pub struct Workspace {
    pub config: WorkspaceConfig,
    pub modules: Vec<ModuleSpec>,
    /// All module files by import path.
    pub files: BTreeMap<String, WorkspaceFile>,
    /// The registry dependencies (buf.lock, read from buf's module cache): imports only. Empty until
    /// [`crate::pipeline::load`] resolves them.
    pub deps: Arc<Deps>,
}

/// Which files of the workspace are targets.
#[derive(Debug, Clone, Default)]
pub struct TargetFilter {
    /// `--path` (and single-file inputs): root-relative files or directories; empty means all.
    pub paths: Vec<String>,
    /// `--exclude-path`: root-relative files or directories.
    pub exclude_paths: Vec<String>,
}

impl TargetFilter {
    pub fn matches(&self, root_path: &str) -> bool {
        (self.paths.is_empty() || self.paths.iter().any(|p| path_is_within(root_path, p)))
            && !self
                .exclude_paths
                .iter()
                .any(|p| path_is_within(root_path, p))
    }
}

impl Workspace {
    /// Assigns the snapshot's `.proto` files to the config's modules.
    pub fn new(
        snapshot: &Snapshot,
        config: WorkspaceConfig,
        filter: &TargetFilter,
    ) -> Result<Workspace> {
        let modules = config.modules.clone();
        let mut files: BTreeMap<String, WorkspaceFile> = BTreeMap::new();
        // Every file's text is checked first, in parallel (a whole tree is 67 MB of googleapis);
        // then the files are placed in order.
        let owned: Vec<(&String, &Arc<[u8]>, usize, &str)> = snapshot
            .files
            .iter()
            .filter(|(root_path, _)| root_path.ends_with(".proto"))
            .filter_map(|(root_path, bytes)| {
                let (module, name) = owning_module(&modules, root_path)?;
                Some((root_path, bytes, module, name))
            })
            .collect();
        let texts: Vec<Result<Arc<str>>> = {
            use rayon::prelude::*;
            owned
                .par_iter()
                .map(|(root_path, bytes, _, _)| decode_source(snapshot, root_path, bytes))
                .collect()
        };
        for ((root_path, _, module, name), text) in owned.into_iter().zip(texts) {
            let text = text?;
            // A file under two nested modules (`proto` and `proto/a`) belongs to both, as in buf:
            // its declarations then clash, a compile error, instead of one module hiding it.
            let also = modules
                .iter()
                .enumerate()
                .filter(|(i, m)| *i != module && m.contains(root_path))
                .map(|(i, m)| (i, m.import_path(root_path)));
            for (module, name) in std::iter::once((module, name)).chain(also) {
                let file = WorkspaceFile {
                    name: name.to_string(),
                    root_path: root_path.clone(),
                    external_path: snapshot.display_path(root_path),
                    module,
                    is_target: filter.matches(root_path),
                    text: text.clone(),
                };
                if let Some(other) = files.get(name) {
                    return Err(Error::new(format!(
                        "{} and {} both define the import path {name:?}",
                        other.external_path, file.external_path
                    ))
                    .with_help(
                        "two modules (or roots) must not contain the same file path: remove one, or exclude one of \
                         the directories in buf.yaml (`excludes`)",
                    ));
                }
                files.insert(name.to_string(), file);
            }
        }
        for p in &filter.paths {
            if !files.values().any(|f| path_is_within(&f.root_path, p)) {
                return Err(Error::new(format!(
                    "--path {p:?}: no .proto file of the input {} is there",
                    snapshot.origin
                ))
                .with_help("paths are relative to the input root; check the spelling"));
            }
        }
        Ok(Workspace {
            config,
            modules,
            files,
            deps: Arc::default(),
        })
    }

    /// Target files, in import-path order.
    pub fn targets(&self) -> impl Iterator<Item = &WorkspaceFile> {
        self.files.values().filter(|f| f.is_target)
    }
}

/// The module that owns a root-relative path, and the path's import name within it. With nested
/// module directories the deepest module that contains the file wins.
pub(crate) fn owning_module<'a>(
    modules: &[ModuleSpec],
    root_path: &'a str,
) -> Option<(usize, &'a str)> {
    modules
        .iter()
        .enumerate()
        .filter(|(_, m)| m.contains(root_path))
        .map(|(i, m)| (i, m.import_path(root_path)))
        .min_by_key(|(_, name)| name.len())
}

/// Stands for a byte that is not UTF-8 in a source's text (see [`decode_source`]).
pub const INVALID_UTF8_MARK: &str = "\0\u{FFFD}";

/// The file's bytes as text, sharing their allocation (the sources are not copied).
///
/// A file that is not UTF-8, or holds NUL bytes, is still a source: buf reports it as a compile
/// error at the first bad byte. Its text keeps NUL bytes and has each invalid sequence replaced by
/// [`INVALID_UTF8_MARK`] (a NUL, which no .proto may contain, then U+FFFD); the compiler reports
/// the first NUL as buf does (`crate::compile`), so lines stay where they were.
pub(crate) fn decode_source(
    _snapshot: &Snapshot,
    _root_path: &str,
    bytes: &Arc<[u8]>,
) -> Result<Arc<str>> {
    match simdutf8::basic::from_utf8(bytes) {
        Ok(_) if memchr::memchr(0, bytes).is_none() => {
            let raw = Arc::into_raw(Arc::clone(bytes)) as *const str;
            // SAFETY: `str` has the layout of `[u8]`, and the bytes were just checked to be UTF-8.
            Ok(unsafe { Arc::from_raw(raw) })
        }
        Ok(text) => Ok(Arc::from(text)),
        Err(_) => {
            let mut text = String::with_capacity(bytes.len() + 8);
            for chunk in bytes.utf8_chunks() {
                text.push_str(chunk.valid());
                if !chunk.invalid().is_empty() {
                    text.push_str(INVALID_UTF8_MARK);
                }
            }
            Ok(Arc::from(text))
        }
    }
}
