//! buf's module cache, found and read as buf 1.75 finds and reads it, and never written.
//!
//! The cache directory is `$BUF_CACHE_DIR`, else `$XDG_CACHE_HOME/buf`, else `$HOME/.cache/buf`
//! (`%LOCALAPPDATA%\buf` on Windows). Since buf 1.32 a module at a commit is the directory
//! `v3/modules/<digest type>/<registry>/<owner>/<name>/<commit>/` holding `module.yaml`, the module's
//! files under its `files_dir` (`files/`), and for v1 modules their `buf.yaml` and `buf.lock`
//! (`v1_buf_yaml/`, `v1_buf_lock/`). buf writes `module.yaml` last: without it the entry is
//! incomplete and buf reads it as absent. `module.yaml` is read leniently, as buf reads it (unknown
//! keys are ignored); its `deps` are the module's own dependencies, which its b5 digest covers.
//! buf holds a shared file lock under `v3/modulelocks/` while it reads; protoforge only reads
//! complete entries (module.yaml present) and verifies every digest, so it takes no lock.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use serde::Deserialize;

use super::digest::{doc_file, module_file, Digest, DigestType};
use super::lock::dashless_uuid;

/// Where buf's cache is, and how it was chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheDir {
    /// The directory, as it is used to read (relative values are joined to the working directory).
    pub root: PathBuf,
    /// The directory as the user gave it (buf shows cache paths this way, relative ones too).
    pub shown: String,
    /// Which setting chose it: `$BUF_CACHE_DIR`, `$XDG_CACHE_HOME/buf`, `$HOME/.cache/buf`, ...
    pub origin: &'static str,
}

impl CacheDir {
    /// The cache directory from the environment, as buf picks it; `None` when nothing says where
    /// (no `BUF_CACHE_DIR`, `XDG_CACHE_HOME` nor `HOME`).
    pub fn from_env(cwd: &Path) -> Option<CacheDir> {
        Self::from_vars(cwd, |name| {
            std::env::var_os(name)
                .map(|v| v.to_string_lossy().into_owned())
                .filter(|v| !v.is_empty())
        })
    }

    /// [`CacheDir::from_env`] over any variable lookup (tests).
    pub fn from_vars(cwd: &Path, var: impl Fn(&str) -> Option<String>) -> Option<CacheDir> {
        let (shown, origin) = if let Some(dir) = var("BUF_CACHE_DIR") {
            (dir, "$BUF_CACHE_DIR")
        } else if cfg!(windows) {
            (join(&var("LOCALAPPDATA")?, "buf"), "%LOCALAPPDATA%\\buf")
        } else if let Some(dir) = var("XDG_CACHE_HOME") {
            (join(&dir, "buf"), "$XDG_CACHE_HOME/buf")
        } else {
            (
                join(&join(&var("HOME")?, ".cache"), "buf"),
                "$HOME/.cache/buf",
            )
        };
        Some(CacheDir {
            root: cwd.join(&shown),
            shown,
            origin,
        })
    }

    /// The directory of a module at a commit (it may not exist).
    pub fn entry_dir(&self, kind: DigestType, name: &str, commit: &str) -> PathBuf {
        let mut dir = self.root.join("v3").join("modules").join(kind.as_str());
        for part in name.split('/') {
            dir.push(part);
        }
        dir.join(commit)
    }

    /// [`CacheDir::entry_dir`] as the user would write it (from [`CacheDir::shown`]).
    pub fn entry_shown(&self, kind: DigestType, name: &str, commit: &str) -> String {
        format!(
            "{}/v3/modules/{}/{name}/{commit}",
            self.shown.trim_end_matches(['/', '\\']),
            kind.as_str()
        )
    }
}

fn join(dir: &str, name: &str) -> String {
    let sep = if cfg!(windows) { '\\' } else { '/' };
    format!("{}{sep}{name}", dir.trim_end_matches(['/', '\\']))
}

/// A module's files by path: content.
pub type Files = BTreeMap<String, Arc<[u8]>>;

/// A complete cache entry, read into memory.
#[derive(Debug)]
pub struct Entry {
    /// The module's files (see [`module_file`]) by path relative to the module root.
    pub files: Files,
    /// The module's own dependencies (module.yaml `deps`).
    pub deps: Vec<EntryDep>,
    /// The v1 `buf.yaml` and `buf.lock` (name, content) the module has, for b4 digests.
    pub v1_files: Vec<(String, Vec<u8>)>,
    /// Where the files are (`<entry>/files`), as read and as the user sees it.
    pub files_dir: PathBuf,
    pub files_shown: String,
}

/// One entry of module.yaml `deps`.
#[derive(Debug, Clone)]
pub struct EntryDep {
    pub name: String,
    pub commit: String,
    pub digest: Digest,
}

/// Why an entry could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryProblem {
    /// No directory for the module at this commit.
    Absent,
    /// The directory has no module.yaml: a download that did not finish (buf: not in the cache).
    Incomplete,
    /// module.yaml is there but not something buf would use (buf: not in the cache).
    Invalid(String),
    /// A file could not be read.
    Unreadable(String),
}

impl EntryProblem {
    /// What is wrong, for messages (after the entry's path).
    pub fn describe(&self) -> String {
        match self {
            EntryProblem::Absent => "does not exist".to_string(),
            EntryProblem::Incomplete => {
                "has no module.yaml (an incomplete download: buf reads it as not cached)"
                    .to_string()
            }
            EntryProblem::Invalid(why) => format!("has an unusable module.yaml: {why}"),
            EntryProblem::Unreadable(why) => format!("cannot be read: {why}"),
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ModuleYaml {
    version: String,
    files_dir: String,
    deps: Vec<ModuleYamlDep>,
    v1_buf_yaml_file: String,
    v1_buf_lock_file: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ModuleYamlDep {
    name: String,
    commit: String,
    digest: String,
}

/// Reads the entry of a module at a commit (`kind` picks the `v3/modules/<kind>/` tree).
pub fn read_entry(
    cache: &CacheDir,
    kind: DigestType,
    name: &str,
    commit: &str,
) -> Result<Entry, EntryProblem> {
    let dir = cache.entry_dir(kind, name, commit);
    let module_yaml = match std::fs::read(dir.join("module.yaml")) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(if dir.is_dir() {
                EntryProblem::Incomplete
            } else {
                EntryProblem::Absent
            });
        }
        Err(e) => return Err(EntryProblem::Unreadable(format!("module.yaml: {e}"))),
    };
    let parsed: ModuleYaml = if module_yaml.iter().all(u8::is_ascii_whitespace) {
        ModuleYaml::default()
    } else {
        serde_yaml_ng::from_slice(&module_yaml).map_err(|e| EntryProblem::Invalid(e.to_string()))?
    };
    // buf's `isValid`: version v1, a files directory, every dep with a name, commit and digest.
    if parsed.version != "v1" {
        return Err(EntryProblem::Invalid(format!(
            "version is {:?}, not \"v1\"",
            parsed.version
        )));
    }
    if parsed.files_dir.is_empty() {
        return Err(EntryProblem::Invalid("no files_dir".to_string()));
    }
    let deps = parsed
        .deps
        .iter()
        .map(|d| {
            if d.name.is_empty() || d.commit.is_empty() || d.digest.is_empty() {
                return Err(EntryProblem::Invalid(
                    "a dependency without a name, commit or digest".to_string(),
                ));
            }
            let bad = |why: String| EntryProblem::Invalid(format!("dependency {}: {why}", d.name));
            if let Some(problem) = crate::config::full_name_problem(&d.name) {
                return Err(bad(problem));
            }
            Ok(EntryDep {
                name: d.name.clone(),
                commit: dashless_uuid(&d.commit).map_err(bad)?,
                digest: Digest::parse(&d.digest).map_err(bad)?,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let v1_file = |rel: &str| -> Result<Option<(String, Vec<u8>)>, EntryProblem> {
        if rel.is_empty() {
            return Ok(None);
        }
        let path = inside(&dir, rel)?;
        let bytes =
            std::fs::read(&path).map_err(|e| EntryProblem::Unreadable(format!("{rel}: {e}")))?;
        let name = rel.rsplit('/').next().unwrap_or(rel).to_string();
        Ok(Some((name, bytes)))
    };
    let v1_files = [
        v1_file(&parsed.v1_buf_yaml_file)?,
        v1_file(&parsed.v1_buf_lock_file)?,
    ]
    .into_iter()
    .flatten()
    .collect();
    let files_dir = inside(&dir, &parsed.files_dir)?;
    let files = read_files(&files_dir)?;
    let files_shown = format!(
        "{}/{}",
        cache.entry_shown(kind, name, commit),
        parsed.files_dir.trim_matches('/')
    );
    Ok(Entry {
        files,
        deps,
        v1_files,
        files_dir,
        files_shown,
    })
}

/// A path named in module.yaml, kept inside the entry.
fn inside(dir: &Path, rel: &str) -> Result<PathBuf, EntryProblem> {
    let plain = !rel.is_empty()
        && Path::new(rel).components().all(|c| {
            matches!(
                c,
                std::path::Component::Normal(_) | std::path::Component::CurDir
            )
        });
    if !plain {
        return Err(EntryProblem::Invalid(format!(
            "{rel:?} is not a path inside the entry"
        )));
    }
    Ok(dir.join(rel))
}

/// The module files under `root` (symlinks followed, as buf's storage does), read in parallel. A
/// missing directory is an empty module.
fn read_files(root: &Path) -> Result<Files, EntryProblem> {
    let mut paths = Vec::new();
    if root.is_dir() {
        list(root, "", &mut paths, 0)?;
    }
    let doc = doc_file(|name| paths.iter().any(|(p, _)| p == name));
    paths
        .into_par_iter()
        .filter(|(rel, _)| module_file(rel, doc))
        .map(|(rel, path)| {
            let bytes = std::fs::read(&path)
                .map_err(|e| EntryProblem::Unreadable(format!("{}: {e}", path.display())))?;
            Ok((rel, Arc::from(bytes)))
        })
        .collect()
}

fn list(
    dir: &Path,
    rel: &str,
    out: &mut Vec<(String, PathBuf)>,
    depth: usize,
) -> Result<(), EntryProblem> {
    // A symlink loop would recurse forever: no module nests files this deep.
    if depth > 64 {
        return Err(EntryProblem::Unreadable(format!(
            "{}: directories nested too deep (a symlink loop?)",
            dir.display()
        )));
    }
    let entries = std::fs::read_dir(dir)
        .map_err(|e| EntryProblem::Unreadable(format!("{}: {e}", dir.display())))?;
    for entry in entries {
        let entry =
            entry.map_err(|e| EntryProblem::Unreadable(format!("{}: {e}", dir.display())))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        let child = if rel.is_empty() {
            name
        } else {
            format!("{rel}/{name}")
        };
        let Ok(meta) = std::fs::metadata(&path) else {
            continue; // a dangling symlink
        };
        if meta.is_dir() {
            list(&path, &child, out, depth + 1)?;
        } else {
            out.push((child, path));
        }
    }
    Ok(())
}

/// The SHAKE256 digest of every file of an entry (in parallel), for its module digest.
pub fn file_digests(files: &Files) -> Vec<(&str, [u8; 64])> {
    files
        .par_iter()
        .map(|(path, bytes)| (path.as_str(), super::digest::shake256(bytes)))
        .collect()
}

/// Modification or change times this close to now (or later) are not trusted by [`stamp_entry`]:
/// a write in the same clock tick would not change them.
const RACY_NANOS: i64 = 2_000_000_000;

/// A stamp of everything in the entry of a module at a commit, without reading a file: for each
/// file under the entry directory (symlinks followed, as [`read_entry`] follows them) its path, size,
/// modification and change times and inode; a missing entry has the stamp `absent`. Equal stamps,
/// taken before and after the entry is read, mean the bytes read are the ones stamped: a digest
/// verified then holds for as long as the stamp stays the same. `None` when the entry cannot be
/// listed or a time is too recent to be trusted (then nothing may be remembered about it).
pub fn stamp_entry(
    cache: &CacheDir,
    kind: DigestType,
    name: &str,
    commit: &str,
) -> Option<Vec<u8>> {
    let dir = cache.entry_dir(kind, name, commit);
    let meta = match std::fs::metadata(&dir) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Some(b"absent".to_vec()),
        Err(_) => return None,
    };
    if !meta.is_dir() {
        return Some(b"not a directory".to_vec());
    }
    let mut files = Vec::new();
    list(&dir, "", &mut files, 0).ok()?;
    files.sort();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as i64)
        .ok()?;
    let mut out = Vec::with_capacity(files.len() * 64);
    for (rel, path) in files {
        let meta = std::fs::metadata(&path).ok()?;
        let mtime = meta
            .modified()
            .ok()?
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?
            .as_nanos() as i64;
        #[cfg(unix)]
        let (ctime, ino) = {
            use std::os::unix::fs::MetadataExt;
            (meta.ctime() * 1_000_000_000 + meta.ctime_nsec(), meta.ino())
        };
        #[cfg(not(unix))]
        let (ctime, ino) = (mtime, 0);
        if mtime >= now - RACY_NANOS || ctime >= now - RACY_NANOS {
            return None;
        }
        out.extend_from_slice(&(rel.len() as u64).to_le_bytes());
        out.extend_from_slice(rel.as_bytes());
        for n in [meta.len(), mtime as u64, ctime as u64, ino] {
            out.extend_from_slice(&n.to_le_bytes());
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars<'a>(list: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            list.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[cfg(unix)]
    #[test]
    fn the_cache_directory_is_found_as_buf_finds_it() {
        let cwd = Path::new("/work");
        let all = [
            ("BUF_CACHE_DIR", "rel/cache"),
            ("XDG_CACHE_HOME", "/xdg"),
            ("HOME", "/home/u"),
        ];
        let c = CacheDir::from_vars(cwd, vars(&all)).unwrap();
        assert_eq!(
            (c.root.as_path(), c.shown.as_str(), c.origin),
            (Path::new("/work/rel/cache"), "rel/cache", "$BUF_CACHE_DIR")
        );
        let c = CacheDir::from_vars(cwd, vars(&all[1..])).unwrap();
        assert_eq!(c.root, Path::new("/xdg/buf"));
        let c = CacheDir::from_vars(cwd, vars(&all[2..])).unwrap();
        assert_eq!(c.root, Path::new("/home/u/.cache/buf"));
        assert_eq!(c.origin, "$HOME/.cache/buf");
        assert!(CacheDir::from_vars(cwd, vars(&[])).is_none());
        assert_eq!(
            c.entry_shown(DigestType::B5, "buf.build/a/b", "00"),
            "/home/u/.cache/buf/v3/modules/b5/buf.build/a/b/00"
        );
    }
}
