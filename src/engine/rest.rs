//! The rest of the modules in a `--path` run: the module files outside the image, read only as far
//! as the targets' findings need.
//!
//! [`rest_of_modules`] knows every such file by its head ([`super::head`]: package, imports and
//! the words of its RPCs; from this process's memo, the summary index, or a read and a head scan).
//! [`rest_files`] then reads whole (again, from disk, in parallel batches) only the files that can
//! change the targets' findings ([`crate::lint::scope`]) or that decide what can:
//! - files in a target's package or directory (`PACKAGE_SAME_*`, `PACKAGE_SAME_DIRECTORY`,
//!   `DIRECTORY_SAME_PACKAGE`);
//! - files in a package reachable from a target's over the package import graph, and the files
//!   they import (`PACKAGE_NO_IMPORT_CYCLE`): whether such a file parses decides whether its
//!   imports are edges, so this is repeated until no file read whole turns out not to parse;
//! - in module order, files whose RPC words ([`super::head::RpcWords`]) can still name a target's
//!   request or response type that has fewer than two other users (`RPC_REQUEST_RESPONSE_UNIQUE`,
//!   [`crate::lint::scope::RpcUsers`]), and the files whose message names a scope search looks at.
//!
//! Every other file can add nothing: its package is not reachable, its RPCs cannot use a target's
//! type that still counts, and whether it parses changes nothing either. The selection of
//! [`crate::lint::scope::relevant`] then runs as on whole summaries, and gives the same files.

use foldhash::{HashMap, HashSet};
use std::sync::{Arc, OnceLock};

use prost_types::FileDescriptorProto;
use rayon::prelude::*;

use crate::config::ModuleSpec;
use crate::input::{Entry, Pending, Snapshot};
use crate::lint::scope::{self, RpcResolver, RpcUsers};
use crate::Result;

use super::head::RpcWords;
use super::{know, know_heads, know_with_others_from, module_files, Known, ModuleFile, Need};

/// How many files an RPC pass reads whole at once.
const BATCH: usize = 32;

/// A module file outside a `--path` run's image, as the cross-file lint rules see it: by its head
/// until [`rest_files`] reads it whole.
#[derive(Debug, Clone)]
pub struct RestFile {
    pub file: ModuleFile,
    known: Known,
    /// The whole summary, once read (`None` inside: the file could not be read again).
    whole: Arc<OnceLock<Option<Known>>>,
}

impl RestFile {
    /// What is known of the whole file, if read whole yet.
    fn whole(&self) -> Option<&Known> {
        if self.known.is_full() {
            return Some(&self.known);
        }
        self.whole.get()?.as_ref()
    }

    fn is_whole(&self) -> bool {
        self.known.is_full() || self.whole.get().is_some()
    }

    /// False once the file is known not to parse (or cannot be read again).
    fn alive(&self) -> bool {
        match (self.known.is_full(), self.whole.get()) {
            (true, _) => self.known.parses(),
            (false, Some(w)) => w.as_ref().is_some_and(Known::parses),
            (false, None) => true,
        }
    }

    /// Its package and imports (in a summary or head).
    fn outline(&self) -> Option<Arc<FileDescriptorProto>> {
        match self.whole() {
            Some(k) => k.summary(),
            None if self.is_whole() => None,
            None => self.known.summary(),
        }
    }

    /// The head for the cross-file rules: the whole summary's head once read whole.
    fn head(&self) -> Option<Arc<FileDescriptorProto>> {
        match self.whole() {
            Some(k) => k.head().map(Arc::new),
            None if self.is_whole() => None,
            None => self.known.summary(),
        }
    }

    /// Whether the file defines a message at `path` (`A.B`; [`scope::has_message_path`]): read
    /// whole only if its head's message words ([`super::head::RpcWords`]) have the first name.
    fn has_message(&self, snapshot: &Snapshot, path: &str) -> bool {
        if !self.is_whole() {
            let first = path.split('.').next().unwrap_or(path);
            if let Some(words) = self.known.rpc_words() {
                if !words.messages().any(|w| w == first) {
                    return false;
                }
            }
            let _ = read_whole(snapshot, std::slice::from_ref(self), [0]);
        }
        self.whole()
            .and_then(Known::summary)
            .is_some_and(|s| scope::has_message_path(&s.message_type, path))
    }
}

/// The module files whose import path is not in `present`, by head (for cross-file lint rules);
/// files known not to parse are left out.
pub fn rest_of_modules(
    snapshot: &Snapshot,
    modules: &[ModuleSpec],
    present: &HashSet<&str>,
) -> Result<Vec<RestFile>> {
    rest_of_modules_from(snapshot, modules, present, UnreadHeads::default())
}

/// What [`unread_heads`] knew: module files not read into the snapshot, each with its head.
#[derive(Debug, Clone, Default)]
pub struct UnreadHeads {
    known: Vec<KnownFile>,
    /// When `known` was every module file the snapshot had not read: how many files it had read
    /// then. A file is only ever moved from the unread ones to the read ones, so while the
    /// snapshot has read as many, `known` is still every module file it has not.
    every_unread_at: Option<usize>,
}

/// The heads of the module files not read yet ([`know_heads`]): what [`rest_of_modules`] needs
/// of most files, known before the image is (a `--path` lint computes it while it compiles the
/// targets, [`crate::pipeline::compile_loaded_alongside`]; then [`add_rest_of_modules_known`]).
///
/// While a run is recorded for its answer ([`super::answer::Recording`]), every other file the
/// input lists is known too (but unread git blobs, known by id): read already (hashed from
/// memory), outside the modules (only hashed, and read leniently: such a file cannot fail the
/// run), so that the answer's fingerprint is then made without reading anything again. What is
/// returned is the same.
pub fn unread_heads(snapshot: &Snapshot, modules: &[ModuleSpec]) -> Result<UnreadHeads> {
    let recording = super::recording();
    if snapshot.unread.is_empty() && !recording {
        return Ok(UnreadHeads::default());
    }
    let mut files: Vec<ModuleFile> = module_files(snapshot, modules)
        .into_iter()
        .filter(|f| !snapshot.files.contains_key(&f.root_path))
        .collect();
    let module_count = files.len();
    let every = |known: Vec<KnownFile>| UnreadHeads {
        // `know_heads` leaves out a file it cannot know: then not every one is known.
        every_unread_at: (known.len() == module_count).then_some(snapshot.files.len()),
        known,
    };
    if !recording {
        return know_heads(snapshot, &files).map(every);
    }
    // Both in path order: the listing walked once beside the module files (a few other files
    // among 7,000 module files).
    let others: Vec<ModuleFile> = {
        let mut unread = files.iter().map(|f| f.root_path.as_str()).peekable();
        snapshot
            .entries()
            .filter(|(p, entry)| {
                while unread.next_if(|u| *u < p.as_str()).is_some() {}
                unread.peek() != Some(&p.as_str())
                    && !matches!(entry, Entry::Unread(Pending::Blob(_)))
            })
            .map(|(p, _)| ModuleFile {
                name: p.clone(),
                root_path: p.clone(),
                module: 0,
            })
            .collect()
    };
    files.extend(others);
    let mut known = know_with_others_from(snapshot, &files, module_count, Need::Head)?;
    // What is known keeps the order of `files` (module files first), leaving out files it cannot
    // know: the module files' entries are the ones matched in order against the first
    // `module_count` files (the others' paths are not theirs).
    let mut module_files = files[..module_count].iter();
    let kept = known
        .iter()
        .take_while(|(f, _)| module_files.any(|m| m.root_path == f.root_path))
        .count();
    known.truncate(kept);
    Ok(every(known))
}

/// [`rest_of_modules`], with what is already known of some files (`before`, from
/// [`unread_heads`]): the others are known as [`rest_of_modules`] knows them.
fn rest_of_modules_from(
    snapshot: &Snapshot,
    modules: &[ModuleSpec],
    present: &HashSet<&str>,
    before: UnreadHeads,
) -> Result<Vec<RestFile>> {
    let before = match known_beside_read(snapshot, modules, present, before) {
        Ok(known) => return Ok(rest_files_of(known?)),
        Err(before) => before,
    };
    let files: Vec<ModuleFile> = module_files(snapshot, modules)
        .into_iter()
        .filter(|f| !present.contains(f.name.as_str()))
        .collect();
    let known = if before.is_empty() {
        know_heads(snapshot, &files)?
    } else {
        // Each known entry into the slot of its file: both lists are in root-path order, so one
        // walk beside the files places them (entries of no file among them are dropped).
        let mut before = before.into_iter().peekable();
        let mut slots: Vec<Option<(ModuleFile, Known)>> = Vec::with_capacity(files.len());
        for f in &files {
            while before.next_if(|(b, _)| b.root_path < f.root_path).is_some() {}
            slots.push(before.next_if(|(b, _)| b == f));
        }
        let missing: Vec<ModuleFile> = files
            .iter()
            .zip(&slots)
            .filter(|(_, slot)| slot.is_none())
            .map(|(f, _)| f.clone())
            .collect();
        let mut rest = know_heads(snapshot, &missing)?.into_iter().peekable();
        let mut known = Vec::with_capacity(files.len());
        for (f, slot) in files.iter().zip(slots) {
            match slot {
                Some(k) => known.push(k),
                // `know_heads` keeps the order of its files and leaves out those it cannot know.
                None => {
                    if rest.peek().is_some_and(|(r, _)| r == f) {
                        known.extend(rest.next());
                    }
                }
            }
        }
        known
    };
    Ok(rest_files_of(known))
}

/// A module file and what is known of it.
type KnownFile = (ModuleFile, Known);

/// What [`rest_of_modules_from`] knows when `before` is every module file not read into
/// `snapshot` (what [`unread_heads`] gives, unless the snapshot read more since): those not in
/// `present`, in root-path order beside the module files read already and not in `present`, known
/// now. Only the few files read are made into [`ModuleFile`]s, not the 7,000 paths of the listing
/// again. `Err(before)` when `before` is not that (none, not every one, or the snapshot read more
/// files since: see [`UnreadHeads`]).
fn known_beside_read(
    snapshot: &Snapshot,
    modules: &[ModuleSpec],
    present: &HashSet<&str>,
    before: UnreadHeads,
) -> std::result::Result<Result<Vec<KnownFile>>, Vec<KnownFile>> {
    let every_unread = before.every_unread_at == Some(snapshot.files.len());
    if before.known.is_empty() || !every_unread {
        return Err(before.known);
    }
    let before = before.known;
    let read: Vec<ModuleFile> = snapshot
        .files
        .keys()
        .filter_map(|p| super::module_file(modules, p))
        .filter(|f| !present.contains(f.name.as_str()))
        .collect();
    let read = match know_heads(snapshot, &read) {
        Ok(read) => read,
        Err(e) => return Ok(Err(e)),
    };
    // Both in root-path order: merged.
    let mut known = Vec::with_capacity(before.len() + read.len());
    let mut read = read.into_iter().peekable();
    for entry in before
        .into_iter()
        .filter(|(f, _)| !present.contains(f.name.as_str()))
    {
        while let Some(r) = read.next_if(|(r, _)| r.root_path < entry.0.root_path) {
            known.push(r);
        }
        known.push(entry);
    }
    known.extend(read);
    Ok(Ok(known))
}

/// The module files known, as [`RestFile`]s (files known not to parse are left out).
fn rest_files_of(known: Vec<KnownFile>) -> Vec<RestFile> {
    let _timing = crate::trace::phase("summary heads");
    known
        .into_par_iter()
        .filter(|(_, k)| !k.is_full() || k.parses())
        .map(|(file, known)| RestFile {
            file,
            known,
            whole: Arc::default(),
        })
        .collect()
}

/// Reads whole the files `which` of `rest` that are known by head only (in parallel; the summary
/// index is left as it is: most runs read few files whole, and a whole index write would cost
/// more than they do).
fn read_whole(
    snapshot: &Snapshot,
    rest: &[RestFile],
    which: impl IntoIterator<Item = usize>,
) -> Result<()> {
    // Once each (a file imported by several of those asked for is asked for by each).
    let mut todo: Vec<usize> = which.into_iter().filter(|&i| !rest[i].is_whole()).collect();
    todo.sort_unstable();
    todo.dedup();
    if todo.is_empty() {
        return Ok(());
    }
    let files: Vec<ModuleFile> = todo.iter().map(|&i| rest[i].file.clone()).collect();
    let mut known: HashMap<String, Known> = know(snapshot, &files, true, Need::Full, false)?
        .into_iter()
        .map(|(f, k)| (f.root_path, k))
        .collect();
    for i in todo {
        let _ = rest[i].whole.set(known.remove(&rest[i].file.root_path));
    }
    Ok(())
}

/// With `--path`/`--exclude-path` (or a single-file input), the image holds only the targeted files
/// and what they import. The module's other files come in as summaries from the engine (not
/// linked: that would cost as much as compiling the whole module), as non-target files, so that
/// cross-file rules see the whole module. Their RPC types are resolved against the known type
/// names; a file that does not parse is left out, as buf would not look at it either. Only the
/// summaries of the files that can change the targets' findings are copied into the image.
pub fn add_rest_of_modules(
    image: &mut crate::image::Image,
    modules: &[ModuleSpec],
    snapshot: &Snapshot,
) -> Result<()> {
    add_rest_of_modules_known(image, modules, snapshot, UnreadHeads::default())
}

/// [`add_rest_of_modules`], with the heads of the files not read known already
/// ([`unread_heads`]); the same files are added.
pub fn add_rest_of_modules_known(
    image: &mut crate::image::Image,
    modules: &[ModuleSpec],
    snapshot: &Snapshot,
    unread: UnreadHeads,
) -> Result<()> {
    let present: HashSet<&str> = image.files.iter().map(|f| f.name()).collect();
    let rest = rest_of_modules_from(snapshot, modules, &present, unread)?;
    let files = rest_files(image, &rest, snapshot)?;
    image.files.extend(files);
    if super::short_lived() {
        // A CLI run exits soon: freeing 7,000 summaries one by one would only delay its answer.
        std::mem::forget(rest);
    }
    Ok(())
}

/// The files [`add_rest_of_modules`] adds to `image`, given the module files not in it (`rest`,
/// from [`rest_of_modules`]; those this reads whole stay read). What of `image` this reads is
/// what [`crate::lint::scope::image_key`] keeps, so a caller may reuse the answer while that key
/// stays the same.
pub fn rest_files(
    image: &crate::image::Image,
    rest: &[RestFile],
    snapshot: &Snapshot,
) -> Result<Vec<crate::image::ImageFile>> {
    if rest.is_empty() {
        return Ok(Vec::new());
    }
    let _timing = crate::trace::phase("rest of modules");
    if whole_rest() {
        read_whole(snapshot, rest, 0..rest.len())?;
    } else {
        let _timing = crate::trace::phase("rest: select");
        select(image, rest, snapshot)?;
    }
    loop {
        let alive: Vec<(usize, Arc<FileDescriptorProto>)> = rest
            .par_iter()
            .enumerate()
            .filter(|(_, r)| r.alive())
            .filter_map(|(i, r)| Some((i, r.head()?)))
            .collect();
        let heads: Vec<&FileDescriptorProto> = alive.iter().map(|(_, h)| &**h).collect();
        let messages = |j: usize, path: &str| rest[alive[j].0].has_message(snapshot, path);
        let types = {
            let _timing = crate::trace::phase("rest: rpc types");
            scope::target_rpc_types(image, &heads, &messages)
        };
        let keep = if whole_rest() {
            vec![true; alive.len()]
        } else {
            let rest_files: Vec<scope::Rest<'_>> = alive
                .iter()
                .zip(&types)
                .map(|((i, head), t)| scope::Rest {
                    name: &rest[*i].file.name,
                    summary: head,
                    rpc_types: t,
                })
                .collect();
            let _timing = crate::trace::phase("rest: relevant");
            scope::relevant(image, &rest_files)
        };
        // What [`select`] read whole covers every file kept; should one be kept by its head
        // alone, it is read whole and the selection made again.
        let by_head: Vec<usize> = alive
            .iter()
            .zip(&keep)
            .filter(|((i, _), keep)| **keep && !rest[*i].is_whole())
            .map(|((i, _), _)| *i)
            .collect();
        debug_assert!(by_head.is_empty(), "kept by head: {by_head:?}");
        if !by_head.is_empty() {
            read_whole(snapshot, rest, by_head)?;
            continue;
        }
        let mut added = Vec::new();
        for (((i, head), types), keep) in alive.iter().zip(types).zip(keep) {
            if !keep {
                continue;
            }
            let f = &rest[*i].file;
            let mut proto = FileDescriptorProto::clone(head);
            proto.name = Some(f.name.clone());
            let slots = proto.service.iter_mut().flat_map(|s| s.method.iter_mut());
            for (m, (input, output)) in slots.zip(types) {
                m.input_type = Some(input);
                m.output_type = Some(output);
            }
            added.push(crate::image::ImageFile::new(
                proto,
                true,
                snapshot.display_path(&f.root_path),
                f.root_path.clone(),
                Some(f.module),
                None,
            ));
        }
        return Ok(added);
    }
}

/// Reads whole the files of `rest` that can change the targets' findings or decide which can
/// (see the module doc).
fn select(image: &crate::image::Image, rest: &[RestFile], snapshot: &Snapshot) -> Result<()> {
    let packages: HashSet<&str> = image.targets().map(|f| f.package()).collect();
    let dirs: HashSet<&str> = image
        .targets()
        .map(|f| scope::directory_of(f.name()))
        .collect();
    let timing = crate::trace::phase("rest: same package or directory");
    // Same package or directory (while the files are indexed by name on the other thread).
    let (by_name, same) = rayon::join(
        || -> foldhash::HashMap<&str, usize> {
            rest.iter()
                .enumerate()
                .map(|(i, r)| (r.file.name.as_str(), i))
                .collect()
        },
        || -> Vec<usize> {
            (0..rest.len())
                .into_par_iter()
                .filter(|&i| {
                    dirs.contains(scope::directory_of(&rest[i].file.name))
                        || rest[i]
                            .outline()
                            .is_some_and(|o| packages.contains(o.package()))
                })
                .collect()
        },
    );
    read_whole(snapshot, rest, same)?;
    drop(timing);
    let timing = crate::trace::phase("rest: reachable packages");
    // Reachable packages and what their files import, until every file that decides them parses.
    loop {
        let outlines: Vec<Option<Arc<FileDescriptorProto>>> = rest
            .par_iter()
            .map(|r| r.alive().then(|| r.outline()).flatten())
            .collect();
        let reachable = scope::reachable_packages(
            image,
            rest.iter().zip(&outlines).filter_map(|(r, o)| {
                let o = o.as_ref()?;
                Some((r.file.name.as_str(), o.package(), o.dependency.as_slice()))
            }),
        );
        let mut wanted: Vec<usize> = Vec::new();
        let want_imports = |deps: &[String], wanted: &mut Vec<usize>| {
            wanted.extend(deps.iter().filter_map(|d| by_name.get(d.as_str()).copied()));
        };
        for f in &image.files {
            if reachable.contains(f.package()) {
                want_imports(&f.proto().dependency, &mut wanted);
            }
        }
        for (i, o) in outlines.iter().enumerate() {
            if let Some(o) = o.as_ref().filter(|o| reachable.contains(o.package())) {
                wanted.push(i);
                want_imports(&o.dependency, &mut wanted);
            }
        }
        let unread: Vec<usize> = wanted
            .into_iter()
            .filter(|&i| !rest[i].is_whole())
            .collect();
        if unread.is_empty() {
            break;
        }
        let dead = |rest: &[RestFile]| rest.iter().filter(|r| !r.alive()).count();
        let before = dead(rest);
        read_whole(snapshot, rest, unread)?;
        if dead(rest) == before {
            break;
        }
    }

    drop(timing);
    let timing = crate::trace::phase("rest: rpc candidates");
    // RPCs, in module order: a file is read whole while its words can still add a user.
    let messages = |i: usize, path: &str| rest[i].has_message(snapshot, path);
    let outlines: Vec<Option<Arc<FileDescriptorProto>>> =
        rest.par_iter().map(RestFile::outline).collect();
    let resolver = RpcResolver::new(
        image,
        outlines
            .iter()
            .map(|o| o.as_deref().map_or("", FileDescriptorProto::package)),
        &messages,
    );
    let mut users = RpcUsers::new(image);
    let package = |i: usize| {
        outlines[i]
            .as_deref()
            .map_or("", FileDescriptorProto::package)
    };
    // A file read whole is checked by the words of its summary's RPC types (resolving its types
    // would read the files that may define them): the same test its head's words make, exact.
    let may_add_if = |i: usize, users: &RpcUsers<'_>, only_open: bool| {
        let test = |package: &str, words: &RpcWords| match only_open {
            true => users.may_add(package, words.requests(), words.responses()),
            false => users.may_ever_add(package, words.requests(), words.responses()),
        };
        match rest[i].known.rpc_words() {
            Some(words) if !rest[i].is_whole() => test(package(i), words),
            _ => rest[i]
                .whole()
                .and_then(Known::summary)
                .is_some_and(|s| test(s.package(), &RpcWords::of_summary(&s))),
        }
    };
    let may_add = |i: usize, users: &RpcUsers<'_>| may_add_if(i, users, true);
    // Which files could add a user at all (their words checked against every target type, in
    // parallel); the pass below checks only those against the types still open.
    let candidates: Vec<usize> = (0..rest.len())
        .into_par_iter()
        .filter(|&i| may_add_if(i, &users, false))
        .collect();
    drop(timing);
    let _timing = crate::trace::phase("rest: rpc users");
    let mut next = 0;
    while next < candidates.len() {
        let batch: Vec<usize> = (next..candidates.len())
            .filter(|&c| may_add(candidates[c], &users))
            .take(BATCH)
            .collect();
        let Some(&last) = batch.last() else {
            break;
        };
        let batch: Vec<usize> = batch.into_iter().map(|c| candidates[c]).collect();
        read_whole(snapshot, rest, batch.iter().copied())?;
        // Resolved in parallel (a resolution may read a file whole to see its messages), added
        // in module order.
        let resolved: Vec<_> = batch
            .into_par_iter()
            .filter_map(|i| {
                let summary = rest[i].whole().and_then(Known::summary)?;
                let types = resolver.types_of(&summary);
                Some((summary, types))
            })
            .collect();
        for (summary, types) in resolved {
            users.add(summary.package(), &summary, &types);
        }
        next = last + 1;
    }
    Ok(())
}

/// `PROTOFORGE_LINT_WHOLE_REST=1` keeps every module file in a `--path` run instead of only those
/// that can change the targets' findings ([`crate::lint::scope`]): tests compare the two.
fn whole_rest() -> bool {
    std::env::var_os("PROTOFORGE_LINT_WHOLE_REST").is_some_and(|v| v == "1")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loaded(dir: &std::path::Path) -> (Snapshot, Vec<ModuleSpec>) {
        let Ok(crate::input::Loaded::Sources(snapshot)) = crate::input::load_lazily(".", dir)
        else {
            panic!("a directory input");
        };
        let config = crate::config::load(&snapshot, None).expect("buf.yaml");
        (snapshot, config.modules)
    }

    fn paths(rest: Vec<RestFile>) -> Vec<String> {
        rest.into_iter().map(|f| f.file.root_path).collect()
    }

    /// The heads known while the targets compile stand for every module file not read only as
    /// long as the snapshot reads nothing more: then the rest of the modules is the same as
    /// without them; after one more read they are not taken as every unread file, and the rest
    /// is still the same as without them.
    #[test]
    fn heads_known_beside_the_compile_stand_while_nothing_more_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let write = |p: &str, text: &str| crate::test_support::write_file(dir.path(), p, text);
        write("buf.yaml", "version: v2\n");
        for pkg in ["a", "b", "c", "d"] {
            write(
                &format!("{pkg}/v1/{pkg}.proto"),
                &format!("syntax = \"proto3\";\npackage {pkg}.v1;\nmessage M {{}}\n"),
            );
        }
        let (mut snapshot, modules) = loaded(dir.path());
        snapshot.read(&["a/v1/a.proto".to_string()]).unwrap();
        let heads = unread_heads(&snapshot, &modules).unwrap();
        assert_eq!(heads.known.len(), 3);
        assert_eq!(heads.every_unread_at, Some(snapshot.files.len()));
        let present: HashSet<&str> = ["a/v1/a.proto"].into_iter().collect();
        let without = paths(rest_of_modules(&snapshot, &modules, &present).unwrap());
        assert_eq!(without, ["b/v1/b.proto", "c/v1/c.proto", "d/v1/d.proto"]);
        assert!(known_beside_read(&snapshot, &modules, &present, heads.clone()).is_ok());
        let with = rest_of_modules_from(&snapshot, &modules, &present, heads.clone()).unwrap();
        assert_eq!(paths(with), without);
        // One more file read: the heads no longer are every unread file.
        snapshot.read(&["b/v1/b.proto".to_string()]).unwrap();
        assert!(known_beside_read(&snapshot, &modules, &present, heads.clone()).is_err());
        let without = paths(rest_of_modules(&snapshot, &modules, &present).unwrap());
        let with = rest_of_modules_from(&snapshot, &modules, &present, heads).unwrap();
        assert_eq!(paths(with), without);
        assert_eq!(without, ["b/v1/b.proto", "c/v1/c.proto", "d/v1/d.proto"]);
    }
}
