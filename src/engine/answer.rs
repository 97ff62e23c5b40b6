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
//! The key of a command line never answered before is made after its run (see [`Recording`]),
//! from what the run read; a later run makes the same key before it runs, to replay the answer.
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
    let contents = known
        .into_iter()
        .map(|(f, k)| (f.root_path, k.content))
        .collect();
    Ok(fingerprint_with(snapshot, cwd, contents))
}

/// [`fingerprint_of`], given the content hash of every file of `snapshot` but unread git blobs
/// (in path order; those that cannot be read left out).
fn fingerprint_with<S: AsRef<str>>(
    snapshot: &Snapshot,
    cwd: &Path,
    contents: Vec<(S, Key)>,
) -> Option<Key> {
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
    key.u64(contents.len() as u64);
    for (path, content) in contents {
        key.str(path.as_ref()).key(content);
    }
    if !registry_deps(snapshot, cwd, &mut key) {
        return None;
    }
    Some(key.finish())
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
    let Some(mut key) = command_line(command, argv, cwd) else {
        return Ok(None);
    };
    for input in inputs {
        match fingerprint(input, cwd)? {
            Some(k) => key.key(k),
            None => return Ok(None),
        };
    }
    add_config_files(&mut key, cwd, config_files);
    Ok(Some(key.finish()))
}

/// The part of a run's key that is not its inputs: the command, `argv`, `cwd`, whether stdout and
/// stderr are terminals and the environment variables that change the output. `None` when the run
/// is not memoized.
fn command_line(command: &str, argv: &[OsString], cwd: &Path) -> Option<KeyBuilder> {
    if super::cache().is_none() || std::env::var_os("PROTOFORGE_INCLUDE").is_some() {
        return None;
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
    Some(key)
}

fn add_config_files(key: &mut KeyBuilder, cwd: &Path, config_files: &[Option<&str>]) {
    for (file, bytes) in read_config_files(cwd, config_files) {
        add_config_file(key, &file, bytes.as_deref());
    }
}

/// The config files named on the command line: inline YAML, or a file (whose bytes count).
fn read_config_files(cwd: &Path, config_files: &[Option<&str>]) -> Vec<(String, Option<Vec<u8>>)> {
    config_files
        .iter()
        .flatten()
        .map(|file| {
            let bytes = crate::limits::read_regular(&cwd.join(file)).ok();
            (file.to_string(), bytes)
        })
        .collect()
}

fn add_config_file(key: &mut KeyBuilder, file: &str, bytes: Option<&[u8]>) {
    key.str(file);
    if let Some(bytes) = bytes {
        key.bytes(bytes);
    }
}

/// Marks that an answer to this command line (in any state of its inputs) was given.
const SEEN: &str = "answered";

/// A run recorded before its answer's fingerprint is taken: for a command line never answered
/// before (no answer can be stored for it), the run goes first and its fingerprint is made
/// afterwards from what the run read (this process's memo of file contents, see
/// [`super::unread_heads`]), not by reading every input file before the run. The key is the one
/// [`question`] gives for the same inputs: the fingerprint is [`fingerprint`]'s, of the listing
/// the run started from. No answer is stored when a file was seen with two contents during the
/// run (written to meanwhile) or when the run did not read everything the fingerprint needs.
pub struct Recording {
    key: KeyBuilder,
    /// The command line's own key ([`SEEN`]).
    line: Key,
    /// Each input's listing (the run starts from it).
    listings: Vec<Listing>,
    cwd: std::path::PathBuf,
    /// The config files named on the command line, read before the run.
    config_files: Vec<(String, Option<Vec<u8>>)>,
}

/// What a [`Recording`] keeps of a listing: the snapshot without its unread files on disk (a
/// copy of a 7,000-entry map would cost the run a few milliseconds before it starts), and their
/// paths, packed into one text.
struct Listing {
    snapshot: Snapshot,
    /// The paths of the unread files on disk, in order, each ended by a NUL (no path has one).
    unread_on_disk: String,
}

impl Listing {
    fn of(snapshot: &Snapshot) -> Listing {
        let mut unread_on_disk = String::new();
        let mut blobs = std::collections::BTreeMap::new();
        for (path, pending) in &snapshot.unread {
            match pending {
                input::Pending::Disk(_) => {
                    unread_on_disk.push_str(path);
                    unread_on_disk.push('\0');
                }
                input::Pending::Blob(_) => {
                    blobs.insert(path.clone(), pending.clone());
                }
            }
        }
        Listing {
            snapshot: Snapshot {
                files: snapshot.files.clone(),
                display_prefix: snapshot.display_prefix.clone(),
                origin: snapshot.origin.clone(),
                target_paths: snapshot.target_paths.clone(),
                disk_root: snapshot.disk_root.clone(),
                display_base: snapshot.display_base.clone(),
                unread: blobs,
                git_dir: snapshot.git_dir.clone(),
                overlays: snapshot.overlays.clone(),
                known_blobs: snapshot.known_blobs.clone(),
            },
            unread_on_disk,
        }
    }

    /// [`super::contents_in_memory`] of the listing.
    fn contents_in_memory(&self) -> Option<Vec<(&str, Key)>> {
        let unread = self.unread_on_disk.split_terminator('\0');
        super::contents_in_memory(&self.snapshot, unread)
    }
}

/// The recording of a run of a command line never answered before (see [`Recording`]); `None`
/// when its answer is not memoized, or when it was answered before (then [`question`] comes first,
/// as a stored answer may be replayed).
pub fn record(
    command: &str,
    argv: &[OsString],
    cwd: &Path,
    inputs: &[&str],
    config_files: &[Option<&str>],
) -> Option<Recording> {
    let key = command_line(command, argv, cwd)?;
    let line = key.finish();
    let cache = super::cache()?;
    if cache.get(SEEN, line).is_some() {
        return None;
    }
    let mut listings = Vec::with_capacity(inputs.len());
    for input in inputs {
        let spec = input::InputSpec::parse(input).ok()?;
        if !matches!(
            spec.format,
            input::Format::Dir | input::Format::ProtoFile | input::Format::Git
        ) {
            return None;
        }
        let Ok(Loaded::Sources(snapshot)) = input::load_lazily(input, cwd) else {
            return None;
        };
        // The run itself starts from the same listing.
        listings.push(Listing::of(&snapshot));
        super::keep_loaded(input, cwd, snapshot);
    }
    super::SEEN_CHANGING.store(false, std::sync::atomic::Ordering::Relaxed);
    super::RECORDING.store(true, std::sync::atomic::Ordering::Relaxed);
    Some(Recording {
        key,
        line,
        listings,
        cwd: cwd.to_path_buf(),
        config_files: read_config_files(cwd, config_files),
    })
}

impl Recording {
    /// After the run: the key its answer is stored under, if it can be told from what the run
    /// read. The command line counts as answered from now on.
    pub fn finish(mut self) -> Option<Key> {
        super::RECORDING.store(false, std::sync::atomic::Ordering::Relaxed);
        if let Some(cache) = super::cache() {
            cache.put(SEEN, self.line, &[]);
        }
        if super::SEEN_CHANGING.load(std::sync::atomic::Ordering::Relaxed) {
            return None;
        }
        for listing in &self.listings {
            let contents = listing.contents_in_memory()?;
            let input = fingerprint_with(&listing.snapshot, &self.cwd, contents)?;
            self.key.key(input);
        }
        for (file, bytes) in &self.config_files {
            add_config_file(&mut self.key, file, bytes.as_deref());
        }
        Some(self.key.finish())
    }
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
