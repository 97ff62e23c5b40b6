//! Registry dependencies, offline: the modules a workspace's `buf.lock` pins, read from buf's module
//! cache and verified, become in-memory import roots before anything is compiled.
//!
//! This module owns `buf.lock` ([`lock`]: v1beta1, v1, v2, strict, with line/column errors), buf's
//! module cache ([`cache`]: found as buf finds it, read and never written), module digests
//! ([`digest`]: b5 and shake256, checked before a file is used; a check is skipped when an earlier run
//! verified the same, unchanged cache entry: [`crate::engine::dep_memo`]) and the resolved set ([`Deps`]): for
//! each pinned module its name, commit and digest ([`Pin`], what a cached answer depends on) and its
//! files, which the compiler serves as imports after `-I`/`PROTOFORGE_INCLUDE` roots (those win)
//! and before the well-known types. buf.lock lists every module the workspace needs, transitive ones
//! included (buf writes it so and relies on it); a cached module's own `deps` (its module.yaml) are
//! what its b5 digest covers, and name the module to add when buf.lock lacks one. Dependency files
//! are always imports, never targets, as in buf.

pub mod cache;
pub mod digest;
pub mod lock;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

pub use cache::CacheDir;
pub use digest::{Digest, DigestType};
pub use lock::{LockFile, LockedDep};

use crate::config::{ConfigSource, ConfigVersion, WorkspaceConfig};
use crate::input::Snapshot;
use crate::workspace::Workspace;
use crate::{Error, Result};

/// A module at a commit with its digest: what a resolved dependency is, for hashing and display.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Pin {
    /// `registry/owner/name`.
    pub name: String,
    /// Dashless lower-case commit id.
    pub commit: String,
    /// `b5:<hex>` or `shake256:<hex>`, as in buf.lock.
    pub digest: String,
}

/// A pinned module found in the cache, its digest verified.
#[derive(Debug, Clone)]
pub struct DepModule {
    pub pin: Pin,
    /// The buf.lock that pins it, as users see its path.
    pub lock_file: String,
    /// Where its files are in the cache: as read, and as shown (like buf shows it).
    pub files_dir: PathBuf,
    pub files_shown: String,
    /// Its `.proto` files.
    pub proto_count: usize,
    /// Its own dependencies (its module.yaml), which its digest covers.
    pub deps: Vec<Pin>,
}

/// A pinned module that could not be read from the cache.
#[derive(Debug, Clone)]
pub struct MissingDep {
    pub pin: Pin,
    pub lock_file: String,
    /// The cache entry that was looked at, as users see it.
    pub entry: String,
    /// What is wrong with it.
    pub problem: String,
}

/// The registry dependencies of a workspace, resolved.
#[derive(Debug, Clone, Default)]
pub struct Deps {
    /// The modules found and verified, sorted by name.
    pub modules: Vec<DepModule>,
    /// Every `.proto` file of every module by import path: (index into `modules`, content).
    files: BTreeMap<String, (usize, Arc<[u8]>)>,
    /// Pinned modules missing from the cache (kept only when `-I` roots may provide them).
    pub missing: Vec<MissingDep>,
    /// Modules buf.yaml declares in `deps` when there is no buf.lock to pin them.
    pub unlocked: Vec<String>,
    /// The buf.lock files that were looked for (root-relative), as users see them.
    pub lock_files: Vec<String>,
    /// The cache read (`None`: no buf.lock pins anything, or nothing says where the cache is).
    pub cache: Option<CacheDir>,
}

impl Deps {
    /// What the resolved set is: (name, commit, digest) of every module, sorted by name.
    pub fn pins(&self) -> Vec<&Pin> {
        self.modules.iter().map(|m| &m.pin).collect()
    }

    pub fn is_empty(&self) -> bool {
        self.modules.is_empty() && self.missing.is_empty() && self.unlocked.is_empty()
    }

    /// A dependency's `.proto` file by import path: its module and content.
    pub fn file(&self, import_path: &str) -> Option<(&DepModule, &Arc<[u8]>)> {
        let (module, bytes) = self.files.get(import_path)?;
        Some((&self.modules[*module], bytes))
    }

    /// Import paths of all dependency `.proto` files, sorted.
    pub fn file_names(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    /// Where a dependency file is in the cache, as buf's `ls-files --format json` shows it.
    pub fn local_path(&self, import_path: &str) -> Option<String> {
        let (module, _) = self.file(import_path)?;
        Some(format!("{}/{import_path}", module.files_shown))
    }

    /// Rejects a workspace file that a dependency also has: buf's "contained in multiple modules".
    pub fn check_conflicts(&self, workspace: &Workspace) -> Result<()> {
        if self.files.is_empty() {
            return Ok(());
        }
        for (name, file) in &workspace.files {
            if let Some((module, _)) = self.file(name) {
                let local = &workspace.modules[file.module];
                let local = match &local.name {
                    Some(n) => n.clone(),
                    None => local.description(),
                };
                return Err(Error::new(format!(
                    "{name} is contained in multiple modules:\n  {}\n  {local}",
                    module.pin.name
                ))
                .with_help(format!(
                    "{} is a file of the dependency {} (buf.lock): remove or rename the local copy, or exclude it in buf.yaml",
                    file.external_path, module.pin.name
                )));
            }
        }
        Ok(())
    }

    /// The error for imports that were not found while the dependency set is incomplete: a pinned
    /// module is missing from the cache (and `-I` roots did not hold it), buf.yaml declares deps
    /// without a buf.lock, or a pinned module depends on one buf.lock does not pin. `None` otherwise
    /// (then the compile errors say it all).
    pub fn unresolved_imports_error(&self, imports: &[String]) -> Option<Error> {
        if imports.is_empty() {
            return None;
        }
        let mut list = imports.to_vec();
        list.sort();
        list.dedup();
        let shown = list.iter().take(5).cloned().collect::<Vec<_>>().join(", ");
        let more = if list.len() > 5 {
            format!(" and {} more", list.len() - 5)
        } else {
            String::new()
        };
        let not_found = format!("imports not found: {shown}{more}");
        if !self.missing.is_empty() {
            let err = missing_error(&self.missing, self.cache.as_ref());
            return Some(
                Error::new(format!("{not_found}; and {}", err.message()))
                    .with_help(err.help_text().unwrap_or_default().to_string()),
            );
        }
        if !self.unlocked.is_empty() {
            return Some(
                Error::new(format!(
                    "{not_found}; buf.yaml declares deps ({}) but there is no buf.lock to pin them (looked for {})",
                    self.unlocked.join(", "),
                    self.lock_files.join(", ")
                ))
                .with_help(
                    "run `buf dep update` once with network access: it writes buf.lock and fills buf's module cache, \
                     which protoforge then reads offline; or pass a directory holding these files with -I DIR",
                ),
            );
        }
        let unpinned = self.unpinned();
        if !unpinned.is_empty() {
            return Some(
                Error::new(format!(
                    "{not_found}; buf.lock does not pin {}",
                    unpinned.join(", ")
                ))
                .with_help(
                    "buf.lock must list every dependency, transitive ones too (buf writes it so): run `buf dep update` \
                     once with network access to complete it",
                ),
            );
        }
        None
    }

    /// Dependencies of pinned modules (their module.yaml) that buf.lock does not pin, described.
    fn unpinned(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for m in &self.modules {
            for d in &m.deps {
                if self.modules.iter().any(|o| o.pin.name == d.name) {
                    continue;
                }
                let line = format!("{} (a dependency of {})", d.name, m.pin.name);
                if !out.contains(&line) {
                    out.push(line);
                }
            }
        }
        out
    }

    /// More help for an import that was not found: a cached module depends on a module that
    /// buf.lock does not pin (buf.lock is incomplete), or some pinned module is not cached.
    pub fn import_hint(&self) -> Option<String> {
        let unpinned = self.unpinned();
        if !unpinned.is_empty() {
            return Some(format!(
                "buf.lock does not pin {}: run `buf dep update` to complete it",
                unpinned.join(", ")
            ));
        }
        if !self.missing.is_empty() {
            let names: Vec<&str> = self.missing.iter().map(|m| m.pin.name.as_str()).collect();
            return Some(format!(
                "buf.lock pins {}, which buf's module cache does not hold",
                names.join(", ")
            ));
        }
        None
    }
}

/// Resolves a workspace's dependencies with the cache the environment names (as buf finds it, relative
/// to `cwd`), rejects local files a dependency also has, and puts them on the workspace. Everything
/// that builds a [`Workspace`] from a snapshot calls this before compiling (as `pipeline::load` does).
pub fn attach(
    snapshot: &Snapshot,
    workspace: &mut Workspace,
    cwd: &std::path::Path,
    tolerate_missing: bool,
) -> Result<()> {
    let cache = CacheDir::from_env(cwd);
    let resolved = resolve(
        snapshot,
        &workspace.config,
        cache.as_ref(),
        tolerate_missing,
    )?;
    resolved.check_conflicts(workspace)?;
    workspace.deps = Arc::new(resolved);
    Ok(())
}

/// Where the buf.lock files of a workspace are (root-relative directories), and whether they
/// belong to a v2 buf.yaml: next to a v2 buf.yaml (one for the workspace), next to each v1 module's
/// buf.yaml (or in the module directory of a buf.work.yaml module without one).
fn lock_dirs(config: &WorkspaceConfig) -> Vec<(String, bool)> {
    let dir_of = |file: &str| {
        file.rsplit_once('/')
            .map(|(d, _)| d.to_string())
            .unwrap_or_default()
    };
    match &config.source {
        ConfigSource::BufWorkYaml(_) => {
            let mut dirs: Vec<(String, bool)> = Vec::new();
            for module in &config.modules {
                let dir = match &module.config_file {
                    Some(file) => dir_of(file),
                    None => module.dir.clone(),
                };
                if !dirs.iter().any(|(d, _)| *d == dir) {
                    dirs.push((dir, false));
                }
            }
            dirs
        }
        ConfigSource::BufYaml(file) => vec![(dir_of(file), config.version == ConfigVersion::V2)],
        ConfigSource::Override(_) => vec![(String::new(), config.version == ConfigVersion::V2)],
        ConfigSource::Defaults => vec![(String::new(), false)],
    }
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// The module name of a buf.yaml `deps` entry (without its `:ref`).
fn dep_name(dep: &str) -> &str {
    match dep.rfind(':') {
        Some(i) if !dep[i..].contains('/') => &dep[..i],
        _ => dep,
    }
}

/// `"a"`, `"a" and "b"`, `"a", "b", and "c"` (buf's `SliceToHumanStringQuoted`).
fn human_list(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("\"{i}\"")).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [a, b] => format!("{a} and {b}"),
        [rest @ .., last] => format!("{}, and {last}", rest.join(", ")),
    }
}

/// Reads the buf.lock files of a snapshot's workspace and the modules they pin from `cache`.
///
/// Every pinned module must be in the cache, complete, with the digest buf.lock says: a missing one
/// is an error unless `tolerate_missing` (import roots were given that may hold its files: then it
/// is recorded in [`Deps::missing`] and reported if an import is not found); a digest mismatch is
/// always an error.
pub fn resolve(
    snapshot: &Snapshot,
    config: &WorkspaceConfig,
    cache: Option<&CacheDir>,
    tolerate_missing: bool,
) -> Result<Deps> {
    let local_names: Vec<&str> = config
        .modules
        .iter()
        .filter_map(|m| m.name.as_deref())
        .collect();
    let mut deps = Deps::default();
    // name -> (pin, buf.lock it came from)
    let mut pinned: BTreeMap<String, (LockedDep, Arc<lock::LockSource>)> = BTreeMap::new();
    let mut had_lock = false;
    for (dir, v2) in lock_dirs(config) {
        let path = join(&dir, "buf.lock");
        deps.lock_files.push(snapshot.display_path(&path));
        let Some(bytes) = snapshot.files.get(&path) else {
            continue;
        };
        had_lock = true;
        let display = snapshot.display_path(&path);
        let text = std::str::from_utf8(bytes).map_err(|_| {
            Error::new(format!("{display}: not valid UTF-8 text"))
                .with_help("buf.lock is written by buf: restore it from version control")
        })?;
        let lock = lock::parse(&display, text)?;
        match (v2, lock.version) {
            (true, ConfigVersion::V2) | (false, ConfigVersion::V1Beta1 | ConfigVersion::V1) => {}
            (true, version) => {
                return Err(Error::new(format!(
                    "{display}: got a {} buf.lock file for a v2 buf.yaml",
                    version.as_str()
                ))
                .with_help("run `buf dep update` to write a v2 buf.lock"))
            }
            (false, _) => {
                return Err(Error::new(format!(
                    "{display}: got a v2 buf.lock file for a v1 buf.yaml - this is not allowed, run buf mod update to update your buf.lock file"
                ))
                .with_help("a v2 buf.lock goes with a v2 buf.yaml: update buf.yaml to v2 (`buf config migrate`), or write the lock again with buf"))
            }
        }
        for dep in lock.deps {
            // A module of the workspace wins over the same module pinned in a buf.lock.
            if local_names.contains(&dep.name.as_str()) {
                continue;
            }
            if let Some((other, other_source)) = pinned.get(&dep.name) {
                if other.commit != dep.commit || other.digest != dep.digest {
                    return Err(Error::new(format!(
                        "{} is pinned at commit {} in {} and at commit {} in {}",
                        dep.name, other.commit, other_source.display, dep.commit, display
                    ))
                    .with_help("buf picks the newer commit with the registry, which protoforge never asks: run `buf dep update` in each module so the buf.lock files agree"));
                }
                continue;
            }
            pinned.insert(dep.name.clone(), (dep, lock.source.clone()));
        }
    }
    let declared: Vec<&str> = config.deps.iter().map(|d| dep_name(d)).collect();
    if had_lock {
        let absent: Vec<&str> = declared
            .iter()
            .copied()
            .filter(|d| !pinned.contains_key(*d) && !local_names.contains(d))
            .collect();
        if !absent.is_empty() {
            return Err(Error::new(format!(
                "{} declared in buf.yaml deps but not present in buf.lock; run \"buf dep update\" to update the lock file",
                human_list(&absent)
            ))
            .with_help("buf.lock must pin every dependency buf.yaml declares: run `buf dep update` once with network access"));
        }
    } else {
        deps.unlocked = declared
            .iter()
            .filter(|d| !local_names.contains(d))
            .map(|d| d.to_string())
            .collect();
    }
    if pinned.is_empty() {
        return Ok(deps);
    }
    deps.cache = cache.cloned();
    let Some(cache) = cache else {
        deps.missing = pinned
            .values()
            .map(|(dep, source)| MissingDep {
                pin: pin_of(dep),
                lock_file: source.display.clone(),
                entry: String::new(),
                problem: "nothing says where buf's module cache is: none of $BUF_CACHE_DIR, $XDG_CACHE_HOME and $HOME is set"
                    .to_string(),
            })
            .collect();
        return finish_missing(deps, tolerate_missing, snapshot);
    };

    let pinned: Vec<(LockedDep, Arc<lock::LockSource>)> = pinned.into_values().collect();
    let read: Vec<_> = pinned
        .par_iter()
        .map(|(dep, _)| {
            let (kind, name, commit) = (dep.digest.kind, &dep.name, &dep.commit);
            // Stamped before and after the read: equal stamps say the bytes read are the ones
            // stamped (see `cache::stamp_entry`).
            let before = cache::stamp_entry(cache, kind, name, commit);
            let entry = cache::read_entry(cache, kind, name, commit);
            let after = match (&before, &entry) {
                (Some(_), Ok(_)) => cache::stamp_entry(cache, kind, name, commit),
                _ => None,
            };
            let stamp = before.filter(|b| after.as_ref() == Some(b));
            (entry, stamp)
        })
        .collect();
    let mut found = Vec::new();
    for ((dep, source), (entry, stamp)) in pinned.into_iter().zip(read) {
        match entry {
            Ok(entry) => {
                verify(&dep, &source, &entry, cache, snapshot, stamp.as_deref())?;
                found.push((dep, source, entry));
            }
            Err(problem) => deps.missing.push(MissingDep {
                pin: pin_of(&dep),
                lock_file: source.display.clone(),
                entry: cache.entry_shown(dep.digest.kind, &dep.name, &dep.commit),
                problem: problem.describe(),
            }),
        }
    }
    for (dep, source, entry) in found {
        let index = deps.modules.len();
        let mut proto_count = 0;
        for (path, bytes) in entry.files {
            if !path.ends_with(".proto") {
                continue;
            }
            proto_count += 1;
            if let Some((other, _)) = deps.files.get(&path) {
                return Err(Error::new(format!(
                    "{path} is contained in multiple modules:\n  {}\n  {}",
                    deps.modules[*other].pin.name, dep.name
                ))
                .with_help("two dependencies pinned in buf.lock have a file with the same path: drop one of them from buf.yaml deps and run `buf dep update`"));
            }
            deps.files.insert(path, (index, bytes));
        }
        deps.modules.push(DepModule {
            pin: pin_of(&dep),
            lock_file: source.display.clone(),
            files_dir: entry.files_dir,
            files_shown: entry.files_shown,
            proto_count,
            deps: entry
                .deps
                .iter()
                .map(|d| Pin {
                    name: d.name.clone(),
                    commit: d.commit.clone(),
                    digest: d.digest.to_string(),
                })
                .collect(),
        });
    }
    finish_missing(deps, tolerate_missing, snapshot)
}

fn finish_missing(deps: Deps, tolerate_missing: bool, snapshot: &Snapshot) -> Result<Deps> {
    if deps.missing.is_empty() || tolerate_missing {
        return Ok(deps);
    }
    let err = missing_error(&deps.missing, deps.cache.as_ref());
    let message = if snapshot.disk_root.is_none() {
        format!("{} (input: {})", err.message(), snapshot.origin)
    } else {
        err.message().to_string()
    };
    Err(Error::new(message).with_help(err.help_text().unwrap_or_default().to_string()))
}

fn pin_of(dep: &LockedDep) -> Pin {
    Pin {
        name: dep.name.clone(),
        commit: dep.commit.clone(),
        digest: dep.digest.to_string(),
    }
}

/// "These pinned modules are not in buf's cache", with where protoforge looked and the ways out.
fn missing_error(missing: &[MissingDep], cache: Option<&CacheDir>) -> Error {
    let mut message = match missing.len() {
        1 => "a module pinned in buf.lock is not in buf's module cache:".to_string(),
        n => format!("{n} modules pinned in buf.lock are not in buf's module cache:"),
    };
    for m in missing {
        message.push_str(&format!(
            "\n  {} at commit {} (pinned in {}): ",
            m.pin.name, m.pin.commit, m.lock_file
        ));
        if m.entry.is_empty() {
            message.push_str(&m.problem);
        } else {
            message.push_str(&format!("{} {}", m.entry, m.problem));
        }
    }
    if let Some(cache) = cache {
        let exists = if cache.root.is_dir() {
            ""
        } else {
            ", which does not exist"
        };
        message.push_str(&format!(
            "\nbuf's module cache is {} (from {}){exists}",
            cache.shown, cache.origin
        ));
    }
    let first = &missing[0].pin;
    Error::new(message).with_help(format!(
        "protoforge reads buf's module cache and never downloads. Fill the cache once with network access \
         (`buf dep update`, or any `buf build` of this workspace), or set BUF_CACHE_DIR to a cache that has these \
         commits; or export a module and pass it as an import root: `buf export {}:{} -o DIR`, then `-I DIR`",
        first.name, first.commit
    ))
}

/// Checks a cache entry's digest against the one buf.lock pins. With the entry's `stamp` (taken
/// before and after it was read, see [`cache::stamp_entry`]), a digest verified by an earlier run
/// for the same stamp is not computed again ([`crate::engine::dep_memo`]).
fn verify(
    dep: &LockedDep,
    source: &lock::LockSource,
    entry: &cache::Entry,
    cache: &CacheDir,
    snapshot: &Snapshot,
    stamp: Option<&[u8]>,
) -> Result<()> {
    let entry_dir = cache.entry_dir(dep.digest.kind, &dep.name, &dep.commit);
    let pinned = dep.digest.to_string();
    let memo =
        stamp.map(|s| crate::engine::dep_memo::key(&entry_dir, &dep.name, &dep.commit, &pinned, s));
    if memo.is_some_and(crate::engine::dep_memo::verified) {
        return Ok(());
    }
    let files = cache::file_digests(&entry.files);
    let actual = match dep.digest.kind {
        DigestType::B5 => {
            if let Some(other) = entry.deps.iter().find(|d| d.digest.kind != DigestType::B5) {
                return Err(Error::new(format!(
                    "the cache entry of {} at commit {} lists its dependency {} with a {} digest: its b5 digest needs b5 digests of its dependencies, which only the registry can supply",
                    dep.name, dep.commit, other.name, other.digest.kind.as_str()
                ))
                .with_help("fill the cache again with network access: `buf registry cc`, then `buf dep update`"));
            }
            let dep_digests: Vec<&Digest> = entry.deps.iter().map(|d| &d.digest).collect();
            digest::b5(&files, &dep_digests)
        }
        DigestType::B4 => {
            let v1: Vec<(&str, &[u8])> = entry
                .v1_files
                .iter()
                .map(|(name, bytes)| (name.as_str(), bytes.as_slice()))
                .collect();
            digest::b4(&files, &v1)
        }
    };
    if actual == dep.digest {
        if let Some(memo) = memo {
            crate::engine::dep_memo::remember(memo);
        }
        return Ok(());
    }
    let origin = if snapshot.disk_root.is_none() {
        format!(" (input: {})", snapshot.origin)
    } else {
        String::new()
    };
    Err(source
        .error_at(
            dep.digest_span,
            format!(
                "digest verification failed for {} at commit {}{origin}:\n  expected (from buf.lock): {}\n  actual (cache entry {}): {actual}",
                dep.name,
                dep.commit,
                dep.digest,
                cache.entry_shown(dep.digest.kind, &dep.name, &dep.commit),
            ),
        )
        .with_label("buf.lock pins this digest")
        .with_help(
            "the cache entry or buf.lock was changed (by hand, by a corrupted download, or by an attack). If buf.lock \
             is right (check it against version control), clear buf's cache with `buf registry cc` and fill it again \
             with network access (`buf dep update`); if it is not, restore buf.lock from version control",
        ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_lists_read_as_bufs() {
        assert_eq!(human_list(&["a"]), "\"a\"");
        assert_eq!(human_list(&["a", "b"]), "\"a\" and \"b\"");
        assert_eq!(human_list(&["a", "b", "c"]), "\"a\", \"b\", and \"c\"");
    }

    #[test]
    fn dep_names_drop_the_ref() {
        assert_eq!(dep_name("buf.build/a/b:v1.2"), "buf.build/a/b");
        assert_eq!(dep_name("localhost:8080/a/b"), "localhost:8080/a/b");
    }
}
