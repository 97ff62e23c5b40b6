//! Whole answers: what a `lint` or `breaking` run printed (stdout, stderr) and its exit code,
//! stored under a key made of everything the run depends on:
//! - protoforge's version and the command line (every argument, as given);
//! - the working directory, whether stdout/stderr are terminals, and the environment variables
//!   that change output or inputs (`NO_COLOR`, `PROTOFORGE_INCLUDE`, `PROTOFORGE_LINT_WHOLE_REST`);
//! - each input's fingerprint ([`fingerprint`]): where its root is and how paths are shown, and
//!   the content of every `.proto` and buf config file in it (content hashes of files on disk,
//!   stat-keyed through the summary index; the blob ids of unread git blobs, which are not read);
//! - the bytes of a `--config`/`--against-config` file;
//! - registry dependencies: where buf's module cache is, and for each module a buf.lock pins, the
//!   pin and a stamp of its cache entry (a deleted or changed entry is another key).
//!
//! Runs that read anything else are not memoized: `-I` include roots, archive and image inputs,
//! `--fix` (it writes files), `--error-format` values that need sources read at print time are
//! fine since the sources are part of the fingerprint.

use std::ffi::OsString;
use std::io::IsTerminal;
use std::path::Path;

use prost::Message;

use crate::cache::{Key, KeyBuilder};
use crate::input::{self, Loaded, Snapshot};
use crate::Result;

const KIND: &str = "answers";

/// A stored answer.
#[derive(Clone, PartialEq, Message)]
pub struct Answer {
    #[prost(bytes = "vec", tag = "1")]
    pub stdout: Vec<u8>,
    #[prost(bytes = "vec", tag = "2")]
    pub stderr: Vec<u8>,
    #[prost(int32, tag = "3")]
    pub exit: i32,
}

/// The fingerprint of an input (see the module doc), or `None` for inputs that are not
/// memoized (archives, images, stdin).
pub fn fingerprint(input: &str, cwd: &Path) -> Result<Option<Key>> {
    let spec = input::InputSpec::parse(input)?;
    if !matches!(
        spec.format,
        input::Format::Dir | input::Format::ProtoFile | input::Format::Git
    ) {
        return Ok(None);
    }
    let Loaded::Sources(snapshot) = input::load_lazily(input, cwd)? else {
        return Ok(None);
    };
    let key = fingerprint_of(&snapshot, cwd);
    // The run itself (on a miss) starts from the same listing.
    super::keep_loaded(input, cwd, snapshot);
    key
}

fn fingerprint_of(snapshot: &Snapshot, cwd: &Path) -> Result<Option<Key>> {
    let mut key = KeyBuilder::new("input");
    key.str(&snapshot.origin)
        .str(&snapshot.display_prefix)
        .str(&format!("{:?}", snapshot.disk_root))
        .str(&format!("{:?}", snapshot.display_base));
    for t in &snapshot.target_paths {
        key.str(t);
    }
    // Unread git blobs are known by their ids (a hash of their content): nothing to read.
    let mut blobs = 0u64;
    for (path, pending) in &snapshot.unread {
        if let input::Pending::Blob(id) = pending {
            key.str(path).bytes(id);
            blobs += 1;
        }
    }
    key.u64(blobs);
    let files: Vec<super::ModuleFile> = snapshot
        .paths()
        .filter(|p| !matches!(snapshot.unread.get(*p), Some(input::Pending::Blob(_))))
        .map(|p| super::ModuleFile {
            name: p.clone(),
            root_path: p.clone(),
            module: 0,
        })
        .collect();
    let known = super::know_files_lenient(snapshot, &files)?;
    key.u64(known.len() as u64);
    for (f, k) in known {
        key.str(&f.root_path).key(k.content);
    }
    if !registry_deps(snapshot, cwd, &mut key) {
        return Ok(None);
    }
    Ok(Some(key.finish()))
}

/// What the registry dependencies of `snapshot` are (see [`registry_deps`]) as bytes to compare,
/// or `None` when a cache entry cannot be stamped.
pub fn registry_deps_stamp(snapshot: &Snapshot, cwd: &Path) -> Option<Vec<u8>> {
    let mut key = KeyBuilder::new("registry deps");
    registry_deps(snapshot, cwd, &mut key).then(|| key.finish().0.to_le_bytes().to_vec())
}

/// Adds to `key` what the registry dependencies of `snapshot` are: where buf's module cache is
/// (as the environment names it) and, for every module any buf.lock of the input pins, the pin
/// and the stamp of its cache entry ([`crate::deps::cache::stamp_entry`]): a module removed from
/// the cache, or a file of it changed, gives another key. False when an entry cannot be stamped
/// (the run is then not memoized). buf.lock files that do not parse add nothing: the run reports
/// them (and errors are never memoized).
fn registry_deps(snapshot: &Snapshot, cwd: &Path, key: &mut KeyBuilder) -> bool {
    use crate::deps::{cache, lock, CacheDir};
    let locks: Vec<(&String, &std::sync::Arc<[u8]>)> = snapshot
        .files
        .iter()
        .filter(|(p, _)| *p == "buf.lock" || p.ends_with("/buf.lock"))
        .collect();
    if locks.is_empty() {
        return true;
    }
    let buf_cache = CacheDir::from_env(cwd);
    key.str(&format!("{buf_cache:?}"));
    for (path, bytes) in locks {
        let Ok(text) = std::str::from_utf8(bytes) else {
            continue;
        };
        let Ok(parsed) = lock::parse(path, text) else {
            continue;
        };
        for dep in &parsed.deps {
            key.str(&dep.name)
                .str(&dep.commit)
                .str(&dep.digest.to_string());
            let Some(buf_cache) = &buf_cache else {
                continue;
            };
            match cache::stamp_entry(buf_cache, dep.digest.kind, &dep.name, &dep.commit) {
                Some(stamp) => key.bytes(&stamp),
                None => return false,
            };
        }
    }
    true
}

/// The key of a run: `argv` (without the program name), `cwd`, the inputs' fingerprints and the
/// config files named on the command line. `None` when the run is not memoized.
pub fn question(
    command: &str,
    argv: &[OsString],
    cwd: &Path,
    inputs: &[&str],
    config_files: &[Option<&str>],
) -> Result<Option<Key>> {
    if super::cache().is_none() || std::env::var_os("PROTOFORGE_INCLUDE").is_some() {
        return Ok(None);
    }
    let mut key = KeyBuilder::new(KIND);
    key.str(command);
    for a in argv {
        key.bytes(a.as_encoded_bytes());
    }
    key.str(&cwd.to_string_lossy());
    key.u64(u64::from(std::io::stdout().is_terminal()))
        .u64(u64::from(std::io::stderr().is_terminal()));
    for var in ["NO_COLOR", "PROTOFORGE_LINT_WHOLE_REST"] {
        match std::env::var_os(var) {
            Some(v) => key.u64(1).bytes(v.as_encoded_bytes()),
            None => key.u64(0),
        };
    }
    for input in inputs {
        match fingerprint(input, cwd)? {
            Some(k) => key.key(k),
            None => return Ok(None),
        };
    }
    for file in config_files.iter().flatten() {
        // Inline YAML, or a file (whose bytes count).
        key.str(file);
        if let Ok(bytes) = crate::limits::read_regular(&cwd.join(file)) {
            key.bytes(&bytes);
        }
    }
    Ok(Some(key.finish()))
}

/// The stored answer to `question`, if any.
pub fn recall(question: Key) -> Option<Answer> {
    let bytes = super::cache()?.get(KIND, question)?;
    Answer::decode(bytes.as_slice()).ok()
}

/// Stores the answer to `question`.
pub fn remember(question: Key, answer: &Answer) {
    if let Some(cache) = super::cache() {
        cache.put(KIND, question, &answer.encode_to_vec());
    }
}
