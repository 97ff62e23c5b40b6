//! The incremental core: what a question needs, and nothing more, with what was computed before.
//!
//! The engine owns four things the commands (and the language server) ask it for:
//! - **Per-file units keyed by content**: every `.proto` file of an input is known by its
//!   [`ModuleFile`] identity (import path, root-relative path, module) and its content hash
//!   ([`crate::cache::content_hash`] of the bytes; git inputs are stamped by blob id).
//! - **File summaries** ([`summary`]): package, imports, standard file options, message names and
//!   RPC request/response types, from a one-pass scanner. Cross-file lint rules see the whole
//!   module through them without compiling it.
//! - **File heads** ([`head`]): package, imports and syntax, exact or not given, with the words
//!   that can name a file's RPC types and messages; what most files of a module are known by.
//! - **The import graph** ([`read_needed`]): a run limited with `--path` reads and compiles only
//!   the targeted files and their transitive imports (on both sides of `breaking`).
//! - **What an edit invalidates** ([`lint_cache`]): a file's lint findings depend on its content,
//!   the contents of its transitive imports (a Merkle hash over the import graph), its module's
//!   config, and the cross-file facts of its module; a whole-tree `lint` recomputes only the files
//!   whose key changed.
//!
//! Under it sits the persistent store ([`crate::cache`]); nothing else knows the cache exists.
//! `--no-cache` ([`set_cache_enabled`]) makes every query compute from scratch with the same answer.
//!
//! # Public API (used by the CLI commands; the language server builds on the same calls)
//! - [`cache`]: the persistent cache in effect for this process (`None` with `--no-cache`).
//! - [`module_files`]`(snapshot, modules)`: every module file of an input, read or not.
//! - [`read_needed`]`(snapshot, modules, filter)`: reads the targets of `filter` and their
//!   transitive imports into a lazily loaded [`Snapshot`] ([`crate::input::load_lazily`]).
//! - [`rest_of_modules`]`(snapshot, modules, present)`: every module file not in `present`,
//!   known by its head ([`head`]: package, imports, the words of its RPCs and messages;
//!   stat-keyed from the cache when warm, else read and head-scanned in parallel, each file's text
//!   dropped after its scan); [`rest_files`] then reads whole only the files that can change a
//!   `--path` run's findings ([`rest`]). [`know_files`] (whole summaries) reads again a file the
//!   memo or the index knows by head only. A `--path` lint learns the heads of the files it did
//!   not read ([`unread_heads`]) while it compiles the targets, and hands them to
//!   [`add_rest_of_modules_known`]. A file read for the first time is read with one open, read
//!   and close (into a buffer its thread reuses), and stamped by its open handle.
//! - [`Session`]: an in-memory session over a workspace for an editor: document overlays
//!   ([`Session::set_overlay`]), per-file answers ([`Session::lint_file`],
//!   [`Session::compile_file`]) that touch only the file, its transitive imports and the module
//!   summaries, and summaries kept in memory between queries (see [`session`]).
//! - [`answer`]: whole-answer memo for a command run keyed by everything it depends on. The
//!   first `--path` lint of a command line runs before its key is known ([`answer::record`]):
//!   the key is then made from what the run read (the memo, which then also keeps the files read
//!   whole, and [`unread_heads`] every listed file), so the run does not wait for every input
//!   file to be read and hashed first.
//! - [`dep_memo`]: registry dependencies whose digest was verified, by a stamp of their cache entry.

pub mod answer;
pub mod dep_memo;
pub mod head;
mod index;
pub mod lint_cache;
pub mod lint_stream;
pub mod rest;
pub mod session;
pub mod summary;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

use crate::cache::Cache;
use crate::config::ModuleSpec;
use crate::input::{Entry, Pending, Snapshot};
use crate::workspace::{owning_module, TargetFilter};
use crate::Result;

pub use index::{finish_writes, know as know_bytes, know_head as know_head_bytes, Known, Stamp};
pub use rest::{
    add_rest_of_modules, add_rest_of_modules_known, rest_files, rest_of_modules, unread_heads,
    RestFile, UnreadHeads,
};
pub use session::Session;

static CACHE_OFF: AtomicBool = AtomicBool::new(false);

type Memo = HashMap<String, foldhash::HashMap<String, (Option<Stamp>, Known)>>;
static MEMO_TRUSTED: AtomicBool = AtomicBool::new(true);

/// Whether what this process learnt about a file is reused without a new stat (a CLI run sees
/// one state of the tree; a long-lived [`Session`] re-validates every file by its stamp).
pub fn trust_process_memo(trusted: bool) {
    MEMO_TRUSTED.store(trusted, Ordering::Relaxed);
}
/// Whether this process is a CLI run, which exits when its question is answered (not a
/// long-lived [`Session`]): what [`trust_process_memo`] sets.
fn short_lived() -> bool {
    MEMO_TRUSTED.load(Ordering::Relaxed)
}

/// What this process already knows about unread files, by root identity and root path.
static MEMO: std::sync::Mutex<Option<Memo>> = std::sync::Mutex::new(None);

/// Set while a run is recorded before its answer's fingerprint is taken ([`answer::Recording`]):
/// the memo then also keeps what it learns of files read whole, and [`unread_heads`] learns every
/// listed file, so that the fingerprint is made afterwards from what the run read.
static RECORDING: AtomicBool = AtomicBool::new(false);
/// Set when a file this process knew was known again with another content (written to during
/// the run): a recorded run's answer is then not stored.
static SEEN_CHANGING: AtomicBool = AtomicBool::new(false);

fn recording() -> bool {
    RECORDING.load(Ordering::Relaxed)
}

/// The content hash of every file `snapshot` lists but unread git blobs (known by id), and of
/// the files `unread_on_disk` names (in order, none of them in `snapshot`), in path order, when
/// all are in memory: read into it, or known to this process's memo (what a recorded run read,
/// see [`answer::Recording`]); `None` when one is not.
fn contents_in_memory<'a>(
    snapshot: &'a Snapshot,
    unread_on_disk: impl Iterator<Item = &'a str>,
) -> Option<Vec<(&'a str, crate::cache::Key)>> {
    let id = root_identity(snapshot)?;
    let memo = MEMO.lock().ok()?;
    let known = memo.as_ref().and_then(|m| m.get(&id));
    // Each listed file with its bytes at hand, or `None` to be looked up in the memo (on the
    // thread pool: this is what a recorded run does last), in path order.
    let listed = snapshot.entries().filter_map(|(path, entry)| match entry {
        Entry::Read(bytes) => Some((path.as_str(), Some(bytes))),
        Entry::Unread(Pending::Blob(_)) => None,
        Entry::Unread(Pending::Disk(_)) => Some((path.as_str(), None)),
    });
    let mut entries: Vec<(&str, Option<&std::sync::Arc<[u8]>>)> = listed
        .chain(unread_on_disk.map(|path| (path, None)))
        .collect();
    entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
    entries
        .into_par_iter()
        .map(|(path, bytes)| match bytes {
            Some(bytes) => Some((path, crate::cache::content_hash(bytes))),
            None => Some((path, known?.get(path)?.1.content)),
        })
        .collect()
}

/// Inputs listed by [`answer::fingerprint`] and not used yet: (input, working directory, listing).
static LOADED: std::sync::Mutex<Vec<(String, std::path::PathBuf, Snapshot)>> =
    std::sync::Mutex::new(Vec::new());

fn keep_loaded(input: &str, cwd: &std::path::Path, snapshot: Snapshot) {
    if let Ok(mut loaded) = LOADED.lock() {
        loaded.push((input.to_string(), cwd.to_path_buf(), snapshot));
    }
}

/// [`crate::input::load_lazily`], reusing the listing the answer's fingerprint made of the same
/// input earlier in this run (a CLI run sees one state of the tree; not in a [`Session`]).
pub fn load_lazily(input: &str, cwd: &std::path::Path) -> Result<crate::input::Loaded> {
    if MEMO_TRUSTED.load(Ordering::Relaxed) {
        if let Ok(mut loaded) = LOADED.lock() {
            if let Some(i) = loaded.iter().position(|(i, c, _)| i == input && c == cwd) {
                let (_, _, snapshot) = loaded.swap_remove(i);
                return Ok(crate::input::Loaded::Sources(snapshot));
            }
        }
    }
    crate::input::load_lazily(input, cwd)
}

/// Turns the persistent cache on or off for this process (`--no-cache`).
pub fn set_cache_enabled(on: bool) {
    CACHE_OFF.store(!on, Ordering::Relaxed);
}

/// The persistent cache in effect, if any.
pub fn cache() -> Option<Cache> {
    Cache::open(CACHE_OFF.load(Ordering::Relaxed))
}

/// A `.proto` file of an input that belongs to a module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleFile {
    /// The import path.
    pub name: String,
    /// The path relative to the input root.
    pub root_path: String,
    /// Index into the modules.
    pub module: usize,
}

/// Every module file of the input, read or not, in root-path order.
pub fn module_files(snapshot: &Snapshot, modules: &[ModuleSpec]) -> Vec<ModuleFile> {
    snapshot
        .paths()
        .filter_map(|p| module_file(modules, p))
        .collect()
}

/// The module and import path of the `.proto` file at root path `path`, if it is a module file.
fn module_and_name<'a>(modules: &[ModuleSpec], path: &'a str) -> Option<(usize, &'a str)> {
    if !path.ends_with(".proto") {
        return None;
    }
    owning_module(modules, path)
}

/// The module file at root path `path`, if it is one.
fn module_file(modules: &[ModuleSpec], path: &str) -> Option<ModuleFile> {
    let (module, name) = module_and_name(modules, path)?;
    Some(ModuleFile {
        name: name.to_string(),
        root_path: path.to_string(),
        module,
    })
}

/// Reads into `snapshot` the module files `wanted` selects (asked with each one's root path and
/// import path) and everything they import, transitively (imports are found by a scan of each
/// file, resolved against the modules' import paths; imports from elsewhere — include roots,
/// well-known types — are the compiler's business).
pub fn read_needed(
    snapshot: &mut Snapshot,
    modules: &[ModuleSpec],
    wanted: &dyn Fn(&str, &str) -> bool,
) -> Result<()> {
    let _timing = crate::trace::phase("read needed files");
    // Only the wanted files and what they import are made into paths: the 7,000 others of a
    // large module are looked at, not copied.
    let mut queue: Vec<String> = snapshot
        .paths()
        .filter(|p| module_and_name(modules, p).is_some_and(|(_, name)| wanted(p, name)))
        .cloned()
        .collect();
    let mut seen: HashSet<String> = queue.iter().cloned().collect();
    while !queue.is_empty() {
        snapshot.read(&queue)?;
        let files_read = &snapshot.files;
        let imported: Vec<String> = queue
            .par_iter()
            .filter_map(|p| files_read.get(p))
            .flat_map_iter(|bytes| summary::imports(std::str::from_utf8(bytes).unwrap_or("")))
            .collect();
        queue = Vec::new();
        for name in imported {
            if let Some(root_path) = module_file_named(snapshot, modules, &name) {
                if seen.insert(root_path.clone()) {
                    queue.push(root_path);
                }
            }
        }
    }
    Ok(())
}

/// The root path of the module file whose import path is `name`, if the snapshot lists one: in
/// some module's directory, and owned by that module under that name. Of several such files (in
/// two modules), the last in root-path order, as a map from import paths built in that order
/// would keep.
fn module_file_named(snapshot: &Snapshot, modules: &[ModuleSpec], name: &str) -> Option<String> {
    modules
        .iter()
        .filter_map(|m| {
            let root_path = crate::config::paths::join(&m.dir, name);
            let listed =
                snapshot.files.contains_key(&root_path) || snapshot.unread.contains_key(&root_path);
            let owned =
                listed && module_and_name(modules, &root_path).is_some_and(|(_, n)| n == name);
            owned.then_some(root_path)
        })
        .max()
}

/// The filter for `--path`-limited runs: a module file is wanted when the filter matches it.
pub fn wanted_by(filter: &TargetFilter) -> impl Fn(&str, &str) -> bool + '_ {
    move |root_path: &str, _name: &str| filter.matches(root_path)
}

/// A string that identifies the root of an input across runs (for the summary index), or `None`
/// for inputs read whole into memory (archives).
pub fn root_identity(snapshot: &Snapshot) -> Option<String> {
    if let Some(root) = &snapshot.disk_root {
        let canonical = std::fs::canonicalize(root).unwrap_or_else(|_| root.clone());
        return Some(format!("dir\0{}", canonical.display()));
    }
    let git = snapshot.git_dir.as_ref()?;
    let canonical = std::fs::canonicalize(git).unwrap_or_else(|_| git.clone());
    Some(format!(
        "git\0{}\0{}",
        canonical.display(),
        snapshot.display_prefix
    ))
}

/// What is known about every module file, read or not: content hash and summary. Files already
/// read are hashed from memory; unread ones come from the summary index when their stamp still
/// matches, else they are read (in parallel, not kept) and scanned. A file that is not UTF-8 is an
/// error, as it is when the workspace reads it.
pub fn know_files(snapshot: &Snapshot, files: &[ModuleFile]) -> Result<Vec<(ModuleFile, Known)>> {
    know(snapshot, files, true, Need::Full, true)
}

/// Like [`know_files`], for a caller that reads every summary whole: the summaries of files read
/// for the first time are kept decoded ([`index::know_decoded`]) instead of encoded, then decoded.
pub fn know_files_decoded(
    snapshot: &Snapshot,
    files: &[ModuleFile],
) -> Result<Vec<(ModuleFile, Known)>> {
    know(snapshot, files, true, Need::Decoded, true)
}

/// [`know`] where the files from `others_from` on are outside the modules: only their content
/// hash is needed ([`Need::Content`], for an answer's fingerprint), and one that cannot be read
/// is left out.
fn know_with_others_from(
    snapshot: &Snapshot,
    files: &[ModuleFile],
    others_from: usize,
    need: Need,
) -> Result<Vec<(ModuleFile, Known)>> {
    know_files_as(snapshot, files, true, others_from, need, true)
}

/// Like [`know_files`], but what is read for the first time is known by its head ([`head`])
/// where that is exact: the whole summary is known of the other files, and of those already
/// known whole.
pub fn know_heads(snapshot: &Snapshot, files: &[ModuleFile]) -> Result<Vec<(ModuleFile, Known)>> {
    know(snapshot, files, true, Need::Head, true)
}

/// What an answer's fingerprint needs of every file: its content hash. Whatever is known of a
/// file will do, a content hash alone too; a file read for it is known by its head, which serves
/// the run that follows on a miss (one that is not text is only hashed, no error).
pub fn know_files_lenient(
    snapshot: &Snapshot,
    files: &[ModuleFile],
) -> Result<Vec<(ModuleFile, Known)>> {
    know(snapshot, files, false, Need::Any, true)
}

/// How much of a file's summary a question needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Need {
    /// The content hash only: a file read for it is hashed and nothing else
    /// ([`index::know_content`]).
    Content,
    /// Anything known will do; a file read for it is known by its head.
    Any,
    /// The head will do ([`Known::is_full`] may be false).
    Head,
    /// The whole summary.
    Full,
    /// The whole summary, to be read whole: kept decoded.
    Decoded,
}

impl Need {
    fn met_by(self, known: &Known) -> bool {
        match self {
            Need::Content | Need::Any => true,
            Need::Head => known.has_head(),
            Need::Full | Need::Decoded => known.is_full(),
        }
    }

    /// What is known of `bytes`, the contents of a file read for the first time.
    fn know(self, bytes: &[u8]) -> Known {
        match self {
            Need::Content => index::know_content(crate::cache::content_hash(bytes)),
            Need::Any | Need::Head => index::know_head(bytes),
            Need::Full => index::know(bytes),
            Need::Decoded => index::know_decoded(bytes),
        }
    }
}

/// Misses [`know`] reads without recording them in the index (see there).
const FEW_READS: usize = 16;

fn know(
    snapshot: &Snapshot,
    files: &[ModuleFile],
    strict: bool,
    need: Need,
    indexed: bool,
) -> Result<Vec<(ModuleFile, Known)>> {
    know_files_as(snapshot, files, strict, files.len(), need, indexed)
}

/// A file [`know_files_as`] is asked about, by position: its stamp and what is known of it, as
/// far as found so far.
type Slot = (usize, Option<Stamp>, Option<Known>);

fn know_files_as(
    snapshot: &Snapshot,
    files: &[ModuleFile],
    strict: bool,
    others_from: usize,
    need: Need,
    indexed: bool,
) -> Result<Vec<(ModuleFile, Known)>> {
    // What is needed of file `i` (see [`know_with_others_from`]).
    let need_of = |i: usize| {
        if i >= others_from {
            Need::Content
        } else {
            need
        }
    };
    let recording = recording();
    if files.is_empty() {
        return Ok(Vec::new());
    }
    let _timing = crate::trace::phase("summaries");
    let identity = root_identity(snapshot);
    // Within one process an unread file is known once (a run sees one state of the tree).
    let trusted = MEMO_TRUSTED.load(Ordering::Relaxed);
    // Only the entries of `files` (a run asks for a few files at a time, too).
    let seen: foldhash::HashMap<&str, (Option<Stamp>, Known)> = identity
        .as_ref()
        .and_then(|id| {
            let memo = MEMO.lock().ok()?;
            let known = memo.as_ref()?.get(id)?;
            Some(
                files
                    .iter()
                    .filter_map(|f| {
                        let k = known.get(&f.root_path)?;
                        Some((f.root_path.as_str(), k.clone()))
                    })
                    .collect(),
            )
        })
        .unwrap_or_default();
    let cache = cache();
    // What is known without a system call first (read already, or known to this process), then
    // the persistent index for the rest (a long-lived session that knows every file skips loading
    // it), then stamps (stat calls) for the files the memo or the index may know, then the misses
    // are read. A file neither knows is stamped when it is read (`fstat` of the open file): a cold
    // run does not stat the tree before reading it.
    // Stamps are for the index and for a session's memo: a run without the cache that trusts
    // what it saw needs none (nor, of a file read already, one that records no memo of it).
    let stamps_needed = cache.is_some() || !trusted;
    let stamp_read_files = stamps_needed || recording;
    // With each file not known yet, its pending read (found once in the listing).
    let entries = entries_of(snapshot, files);
    let (mut stamped, pending): (Vec<Slot>, Vec<Option<&Pending>>) = files
        .par_iter()
        .zip(entries)
        .enumerate()
        .map(|(i, (f, entry))| {
            if let Some(Entry::Read(bytes)) = entry {
                // Read already: stamped after the read (a write in between is recent, so racy).
                let stamp = snapshot
                    .disk_root
                    .as_ref()
                    .filter(|_| stamp_read_files && !snapshot.overlays.contains(&f.root_path))
                    .and_then(|root| Stamp::of_path(&root.join(&f.root_path)));
                return ((i, stamp, Some(need_of(i).know(bytes))), None);
            }
            let seen_before = seen
                .get(f.root_path.as_str())
                .filter(|(_, k)| need_of(i).met_by(k));
            if let (Some((_, k)), true) = (seen_before, trusted) {
                return ((i, None, Some(k.clone())), None);
            }
            let pending = match entry {
                Some(Entry::Unread(pending)) => Some(pending),
                _ => None,
            };
            ((i, None, None), pending)
        })
        .unzip();
    // Known from this process's memo as they are: not written back to it.
    let from_memo: Vec<bool> = stamped
        .iter()
        .map(|(i, _, k)| k.is_some() && !snapshot.files.contains_key(&files[*i].root_path))
        .collect();
    let any_miss = stamped.iter().any(|(_, _, k)| k.is_none());
    // The index serves a miss only by a stamp that is not racy, and not by one the process memo
    // knows the file by (head only): what the index had then is what the memo got. When no miss
    // can be served and only a few are read (a file just edited, known by head before), the
    // index is not loaded (nor written back); many are recorded in it for the next run.
    let index_may_serve = |i: usize| {
        let f = &files[i];
        match seen.get(f.root_path.as_str()) {
            Some((Some(old), _)) => {
                let now = snapshot.unread.get(&f.root_path).and_then(Stamp::of);
                !matches!(&now, None | Some(Stamp::Racy)) && now.as_ref() != Some(old)
            }
            _ => true,
        }
    };
    let misses = || stamped.iter().filter(|(_, _, k)| k.is_none());
    let load_index =
        any_miss && (misses().count() > FEW_READS || misses().any(|(i, _, _)| index_may_serve(*i)));
    let stored = match (&identity, load_index && indexed) {
        (Some(id), true) => Some(index::Index::read(cache.as_ref(), id)),
        _ => None,
    };
    // With an index to decode, every miss is stamped now, while it decodes (taking a stamp before
    // the read is what stamping at the read saves a lookup of; a file the index turns out not to
    // have is then read by that stamp).
    let stamp_now = stamps_needed && stored.as_ref().is_some_and(index::Stored::exists);
    let (mut index, stamped_now) = rayon::join(
        || stored.map(index::Index::decode),
        || -> Vec<Option<Stamp>> {
            if !stamp_now {
                return Vec::new();
            }
            let _timing = crate::trace::phase("stamps");
            stamped
                .par_iter()
                .map(|(i, _, k)| match k {
                    None => pending[*i].and_then(Stamp::of),
                    Some(_) => None,
                })
                .collect()
        },
    );
    // Per miss: its stamp, and whether it is to be stamped when read.
    let mut stamp_at_read: Vec<bool> = vec![false; files.len()];
    if stamps_needed && any_miss {
        let _timing = crate::trace::phase("stamps and index");
        let looked_up: Vec<(usize, Option<Stamp>, Option<Known>, bool)> = stamped
            .par_iter()
            .filter(|(_, _, k)| k.is_none())
            .map(|(i, _, _)| {
                let f = &files[*i];
                let pending = pending[*i];
                let seen_before = seen
                    .get(f.root_path.as_str())
                    .filter(|(_, k)| need_of(*i).met_by(k));
                let indexed = index.as_ref().is_some_and(|ix| ix.has(&f.root_path));
                if !stamp_now
                    && seen_before.is_none()
                    && !indexed
                    && matches!(pending, Some(Pending::Disk(_)))
                {
                    return (*i, None, None, true);
                }
                // `stamped` is in file order: slot `i` is file `i`.
                let stamp = match stamped_now.get(*i) {
                    Some(stamp) => stamp.clone(),
                    None => pending.and_then(Stamp::of),
                };
                if let Some((Some(old), k)) = seen_before {
                    if stamp.as_ref() == Some(old) && *old != Stamp::Racy {
                        return (*i, stamp, Some(k.clone()), false);
                    }
                }
                let k = match (&index, &stamp) {
                    (Some(ix), Some(s)) => ix
                        .get(&f.root_path, s)
                        .filter(|k| need_of(*i).met_by(k))
                        .cloned(),
                    _ => None,
                };
                (*i, stamp, k, false)
            })
            .collect();
        for (i, stamp, k, at_read) in looked_up {
            // `stamped` is in file order.
            let slot = &mut stamped[i];
            slot.1 = stamp;
            slot.2 = k;
            stamp_at_read[i] = at_read;
        }
    }
    let misses: Vec<(usize, &Pending, Option<Stamp>)> = stamped
        .iter()
        .filter(|(_, _, k)| k.is_none())
        .filter_map(|(i, s, _)| Some((*i, pending[*i]?, s.clone())))
        .collect();
    let mut known: Vec<Option<Known>> = Vec::with_capacity(stamped.len());
    let mut stamps: Vec<Option<Stamp>> = vec![None; files.len()];
    // What the index is to record (on its writing thread, see [`index::Index::save_with`]): the
    // files read already and the misses read now, by the stamps they were known by.
    let mut to_index: Vec<bool> = vec![false; files.len()];
    let indexing = index.is_some();
    for (i, stamp, k) in stamped {
        to_index[i] = indexing && snapshot.files.contains_key(&files[i].root_path);
        stamps[i] = stamp;
        known.push(k);
    }
    let read = read_and_know(
        snapshot,
        files,
        misses,
        &stamp_at_read,
        &need_of,
        others_from,
    )?;
    for (i, stamp, k) in read {
        to_index[i] = indexing;
        stamps[i] = stamp;
        known[i] = Some(k);
    }
    // What is left is bookkeeping of every file (the index's updates and the memo copy each
    // path; so does the answer): the memo on one thread, the rest on the others.
    let ((), out) = rayon::join(
        || {
            let Some((id, Ok(mut memo))) = identity.as_ref().map(|id| (id, MEMO.lock())) else {
                return;
            };
            let seen = memo
                .get_or_insert_with(HashMap::new)
                .entry(id.clone())
                .or_default();
            seen.reserve(files.len().saturating_sub(seen.len()));
            for (((f, k), stamp), _) in files
                .iter()
                .zip(&known)
                .zip(&stamps)
                .zip(&from_memo)
                .filter(|(_, memo)| !**memo)
            {
                let Some(k) = k else { continue };
                if recording || !snapshot.files.contains_key(&f.root_path) {
                    let before = seen.insert(f.root_path.clone(), (stamp.clone(), k.clone()));
                    if before.is_some_and(|(_, b)| b.content != k.content) {
                        SEEN_CHANGING.store(true, Ordering::Relaxed);
                    }
                }
            }
        },
        || {
            if let Some(mut ix) = index.take() {
                let updates: Vec<(String, Stamp, Known)> = (0..files.len())
                    .into_par_iter()
                    .filter(|&i| to_index[i])
                    .filter_map(|i| {
                        let (stamp, k) = (stamps[i].as_ref()?, known[i].as_ref()?);
                        Some((files[i].root_path.clone(), stamp.clone(), k.clone()))
                    })
                    .collect();
                // Entries of files that are gone are dropped first: every update is of a
                // present file.
                if !ix.is_empty() {
                    let present: foldhash::HashSet<&str> =
                        snapshot.paths().map(String::as_str).collect();
                    ix.retain(|p| present.contains(p));
                }
                ix.save_with(cache.as_ref(), updates);
            }
            files
                .par_iter()
                .zip(&known)
                .filter_map(|(f, k)| Some((f.clone(), k.clone()?)))
                .collect::<Vec<_>>()
        },
    );
    // A file that is not text fails a strict run with the workspace's own error (file, line,
    // fix), the first such file in order.
    if strict {
        let strict_files = files.iter().zip(&known).take(others_from);
        for (f, _) in strict_files.filter(|(_, k)| k.as_ref().is_some_and(|k| k.not_text)) {
            // Read it once more for that error.
            let mut one = snapshot.clone();
            one.read(std::slice::from_ref(&f.root_path))?;
            if let Some(bytes) = one.files.get(&f.root_path) {
                crate::workspace::decode_source(snapshot, &f.root_path, bytes)?;
            }
        }
    }
    Ok(out)
}

/// Each file's entry in `snapshot` (read, or its pending read), `None` for a file it does not
/// list. Files come in runs in path order (module files, then other files): each long run is
/// walked beside the snapshot's entries, one comparison a step, instead of a search of the
/// listing per file (7,000 searches of a 7,000-entry tree cost a cold run milliseconds).
fn entries_of<'s>(snapshot: &'s Snapshot, files: &[ModuleFile]) -> Vec<Option<Entry<'s>>> {
    /// Runs shorter than this are looked up file by file.
    const WALKED: usize = 64;
    let look_up = |path: &str| match snapshot.files.get(path) {
        Some(bytes) => Some(Entry::Read(bytes)),
        None => snapshot.unread.get(path).map(Entry::Unread),
    };
    let mut out = Vec::with_capacity(files.len());
    let mut start = 0;
    while start < files.len() {
        let mut end = start + 1;
        while end < files.len() && files[end - 1].root_path < files[end].root_path {
            end += 1;
        }
        let run = &files[start..end];
        if run.len() < WALKED {
            out.extend(run.iter().map(|f| look_up(&f.root_path)));
        } else {
            let mut entries = snapshot.entries().peekable();
            for f in run {
                let path = f.root_path.as_str();
                while entries.next_if(|(p, _)| p.as_str() < path).is_some() {}
                out.push(entries.next_if(|(p, _)| p.as_str() == path).map(|(_, e)| e));
            }
        }
        start = end;
    }
    out
}

/// A file's bytes as [`read_reusing`] read them: in the thread's buffer, or (a file larger than
/// it) in their own allocation.
enum ReadBytes {
    /// The first this many bytes of the buffer.
    InBuffer(usize),
    /// A file larger than the buffer.
    Own(Vec<u8>),
}

impl ReadBytes {
    fn bytes<'a>(&'a self, buffer: &'a [u8]) -> &'a [u8] {
        match self {
            ReadBytes::InBuffer(len) => &buffer[..*len],
            ReadBytes::Own(bytes) => bytes,
        }
    }
}

/// Reads the file at `path` into `buffer` (kept between calls; its length is its capacity), and
/// its stamp by the open handle if `stamp`: an open, a read and a close, where reading to the end
/// of a `Vec` would also take the file's size and position first and read once more to see the
/// end. A read that fills less than the buffer is the end of a regular file (the listing keeps
/// only those).
///
/// A file larger than the buffer (googleapis has two of 4 MB, a few of 300 KB) is read on into
/// an allocation of its own, sized from its length and not zeroed first, and freed after it is
/// scanned: growing each thread's buffer to the largest file had the kernel fault in and zero
/// megabytes per thread (then zeroed again by the resize) that nothing else could use, where a
/// freed allocation's memory goes to the allocations that follow.
fn read_reusing(
    path: &std::path::Path,
    buffer: &mut Vec<u8>,
    stamp: bool,
) -> std::io::Result<(ReadBytes, Option<Stamp>)> {
    use std::io::Read;
    let (mut file, meta) = open_into(path, buffer, stamp)?;
    let size = meta.as_ref().map(std::fs::Metadata::len);
    let stamp = meta.as_ref().and_then(Stamp::of_metadata);
    let mut len = 0;
    while len < buffer.len() {
        match file.read(&mut buffer[len..]) {
            Ok(0) => return Ok((ReadBytes::InBuffer(len), stamp)),
            Ok(n) => {
                len += n;
                if len < buffer.len() {
                    return Ok((ReadBytes::InBuffer(len), stamp));
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    // The buffer is full: the rest goes after a copy of it, read to the end (`read_to_end` reads
    // into the spare capacity as it is, without zeroing it).
    let size = size
        .or_else(|| file.metadata().ok().map(|m| m.len()))
        .and_then(|s| usize::try_from(s).ok())
        .unwrap_or(0);
    let mut own = Vec::with_capacity(size.max(len) + 1);
    own.extend_from_slice(&buffer[..len]);
    file.read_to_end(&mut own)?;
    Ok((ReadBytes::Own(own), stamp))
}

/// Opens `path` to be read into `buffer` (a thread's, made [`READ_BUFFER`] long the first
/// time), with its metadata by the open handle if `stamp` (one `fstat`, no path lookup).
fn open_into(
    path: &std::path::Path,
    buffer: &mut Vec<u8>,
    stamp: bool,
) -> std::io::Result<(std::fs::File, Option<std::fs::Metadata>)> {
    if buffer.len() < READ_BUFFER {
        buffer.resize(READ_BUFFER, 0);
    }
    let file = std::fs::File::open(path)?;
    let meta = if stamp { file.metadata().ok() } else { None };
    Ok((file, meta))
}

/// How long each thread's read buffer is ([`read_reusing`], [`hash_reusing`]).
const READ_BUFFER: usize = 256 * 1024;

/// The content hash of the file at `path` ([`crate::cache::content_hash`]), read into `buffer`
/// piece by piece (as [`read_reusing`] reads, but a file larger than the buffer is hashed as it
/// is read instead of read into an allocation of its own), and its stamp by the open handle if
/// `stamp`.
fn hash_reusing(
    path: &std::path::Path,
    buffer: &mut Vec<u8>,
    stamp: bool,
) -> std::io::Result<(crate::cache::Key, Option<Stamp>)> {
    use std::io::Read;
    let (mut file, meta) = open_into(path, buffer, stamp)?;
    let stamp = meta.as_ref().and_then(Stamp::of_metadata);
    let mut hasher = crate::cache::ContentHasher::new();
    loop {
        match file.read(buffer) {
            Ok(0) => return Ok((hasher.finish(), stamp)),
            Ok(n) => hasher.update(&buffer[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// Reads the missed files and summarizes them without keeping their text; a file whose
/// `stamp_at_read` is set is stamped by its open handle.
fn read_and_know(
    snapshot: &Snapshot,
    files: &[ModuleFile],
    misses: Vec<(usize, &Pending, Option<Stamp>)>,
    stamp_at_read: &[bool],
    need_of: &(dyn Fn(usize) -> Need + Sync),
    others_from: usize,
) -> Result<Vec<(usize, Option<Stamp>, Known)>> {
    if misses.is_empty() {
        return Ok(Vec::new());
    }
    let disk = misses.iter().all(|(_, p, _)| matches!(p, Pending::Disk(_)));
    if disk {
        return misses
            .into_par_iter()
            .map(|(i, pending, stamp)| {
                let Pending::Disk(path) = pending else {
                    unreachable!("checked above")
                };
                // Read into a buffer each thread keeps: the text is not kept.
                thread_local! {
                    static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
                }
                BUFFER.with(|buffer| {
                    let mut buffer = buffer.borrow_mut();
                    let need = need_of(i);
                    let read = if need == Need::Content {
                        // Hashed as it is read, in pieces: never whole in memory.
                        hash_reusing(path, &mut buffer, stamp_at_read[i]).map(
                            |(content, at_read)| (index::know_content(content), at_read),
                        )
                    } else {
                        read_reusing(path, &mut buffer, stamp_at_read[i])
                            .map(|(read, at_read)| (need.know(read.bytes(&buffer)), at_read))
                    };
                    match read {
                        Ok((known, at_read)) => Ok(Some((i, at_read.or(stamp), known))),
                        Err(_) if i >= others_from => Ok(None),
                        Err(e) => Err(crate::Error::io(path.display(), e).with_help(
                            "make the file readable, or exclude it in buf.yaml",
                        )),
                    }
                })
            })
            .collect::<Result<Vec<_>>>()
            .map(|read| read.into_iter().flatten().collect());
    }
    // Git blobs: one repository handle, read in order; scanned in parallel.
    let paths: Vec<String> = misses
        .iter()
        .map(|(i, _, _)| files[*i].root_path.clone())
        .collect();
    let paths = &paths;
    let mut one = Snapshot {
        unread: misses
            .iter()
            .zip(paths)
            .map(|((_, p, _), path)| (path.clone(), (*p).clone()))
            .collect(),
        git_dir: snapshot.git_dir.clone(),
        origin: snapshot.origin.clone(),
        known_blobs: snapshot.known_blobs.clone(),
        ..Snapshot::default()
    };
    one.read(paths)?;
    Ok(misses
        .into_par_iter()
        .zip(paths.par_iter())
        .map(|((i, _, stamp), path)| {
            let bytes: &[u8] = one.files.get(path).map(|b| &b[..]).unwrap_or(&[]);
            (i, stamp, need_of(i).know(bytes))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An import path is resolved to the module file that has it, as a map from every module
    /// file's import path (built in root-path order) would resolve it.
    #[test]
    fn an_import_is_the_module_file_of_that_import_path() {
        let mut snapshot = Snapshot::default();
        for path in [
            "a/x.proto",
            "b/x.proto",
            "a/y.proto",
            "b/skip/z.proto",
            "a/notes.txt",
        ] {
            snapshot.unread.insert(
                path.to_string(),
                Pending::Disk(std::path::PathBuf::from(path)),
            );
        }
        let module = |dir: &str, excludes: &[&str]| ModuleSpec {
            dir: dir.to_string(),
            excludes: excludes.iter().map(|e| e.to_string()).collect(),
            ..ModuleSpec::default()
        };
        let modules = [module("a", &[]), module("b", &["b/skip"])];
        let by_map = |name: &str| {
            let files = module_files(&snapshot, &modules);
            let map: HashMap<&str, &str> = files
                .iter()
                .map(|f| (f.name.as_str(), f.root_path.as_str()))
                .collect();
            map.get(name).map(|p| p.to_string())
        };
        for name in [
            "x.proto",
            "y.proto",
            "skip/z.proto",
            "z.proto",
            "notes.txt",
            "none.proto",
        ] {
            assert_eq!(
                module_file_named(&snapshot, &modules, name),
                by_map(name),
                "{name}"
            );
        }
        assert_eq!(
            module_file_named(&snapshot, &modules, "x.proto").as_deref(),
            Some("b/x.proto")
        );
        assert_eq!(module_file_named(&snapshot, &modules, "skip/z.proto"), None);
    }

    /// Walked or looked up, each file's entry is the one the snapshot has for its path, whatever
    /// the order of the files (runs in path order, short runs, repeats, paths it does not list).
    #[test]
    fn entries_of_files_are_the_snapshots_entries() {
        let mut snapshot = Snapshot::default();
        for i in 0..300 {
            let path = format!("d{}/f{i:03}.proto", i % 7);
            if i % 5 == 0 {
                snapshot
                    .files
                    .insert(path, std::sync::Arc::from(vec![i as u8]));
            } else {
                snapshot
                    .unread
                    .insert(path.clone(), Pending::Disk(std::path::PathBuf::from(path)));
            }
        }
        let file = |p: &str| ModuleFile {
            name: p.to_string(),
            root_path: p.to_string(),
            module: 0,
        };
        let mut sorted: Vec<String> = snapshot.paths().cloned().collect();
        sorted.push("zz/missing.proto".into());
        sorted.sort();
        let mut files: Vec<ModuleFile> = sorted.iter().map(|p| file(p)).collect();
        // A second long run, a short one, a repeat and a path not listed.
        files.extend(sorted.iter().step_by(3).map(|p| file(p)));
        files.extend(
            [
                "d3/f003.proto",
                "d1/f001.proto",
                "d1/f001.proto",
                "a/none.proto",
            ]
            .map(file),
        );
        let walked = entries_of(&snapshot, &files);
        assert_eq!(walked.len(), files.len());
        for (f, e) in files.iter().zip(&walked) {
            let expected = match snapshot.files.get(&f.root_path) {
                Some(bytes) => Some(format!("read {bytes:?}")),
                None => snapshot
                    .unread
                    .get(&f.root_path)
                    .map(|p| format!("unread {p:?}")),
            };
            let got = e.map(|e| match e {
                Entry::Read(bytes) => format!("read {bytes:?}"),
                Entry::Unread(p) => format!("unread {p:?}"),
            });
            assert_eq!(got, expected, "{}", f.root_path);
        }
    }

    /// Files smaller than, as large as, and larger than the reused buffer, read after one another
    /// with it: each read gives exactly the file's bytes (those that fill the buffer in their own
    /// allocation, the buffer left as it is), and its stamp when asked.
    #[test]
    fn reads_into_a_reused_buffer_give_whole_files() {
        let dir = tempfile::tempdir().unwrap();
        let mut buffer = Vec::new();
        let grown = 700_000 + 256 * 1024 / 4;
        for (i, len) in [
            0usize,
            10,
            256 * 1024,
            256 * 1024 + 1,
            700_000,
            3,
            grown,
            grown + 1,
        ]
        .into_iter()
        .enumerate()
        {
            let bytes: Vec<u8> = (0..len).map(|b| (b * 7 + i) as u8).collect();
            let path = dir.path().join(format!("{i}.proto"));
            std::fs::write(&path, &bytes).unwrap();
            let (read, stamp) = read_reusing(&path, &mut buffer, i % 2 == 0).unwrap();
            assert_eq!(read.bytes(&buffer), &bytes[..], "file of {len} bytes");
            // Only a file larger than the buffer has its own allocation; the buffer stays.
            assert_eq!(
                matches!(read, ReadBytes::Own(_)),
                len >= 256 * 1024,
                "{len}"
            );
            assert_eq!(buffer.len(), 256 * 1024);
            assert_eq!(stamp.is_some(), i % 2 == 0);
        }
        assert!(read_reusing(&dir.path().join("missing.proto"), &mut buffer, true).is_err());
    }
}
