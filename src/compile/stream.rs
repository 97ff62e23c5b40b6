//! `build` of a large input without holding the whole compiled tree: the image is checked and
//! encoded shard by shard, and each shard's descriptor pool is dropped as soon as its files are
//! encoded.
//!
//! The ordinary compile ([`super::compile`]) parses every target up front and keeps every shard's
//! pool until the end, because lint and breaking look at the whole image. `build` only needs the
//! image's bytes (or, without `-o`, only to know that the input compiles), so here each shard
//! parses its own files as the linker asks for them, and when it has linked them its files go
//! through the same steps as in [`super::compile`] (image file, feature checks, encoding) before
//! the pool goes. Only as many pools as threads are alive at once, and no parsed tree waits for
//! its turn. A file is identical in every pool that links it (same text, same imports), so a
//! target is encoded only by its own shard and any other file by each shard that links it (the
//! first copy is kept), and the files are written in the order one compiler would have
//! linked them, as the ordinary compile does: the bytes are the same. When no source info is
//! read (no `-o`, or `--exclude-source-info`), the files are lowered without it
//! ([`Linking::Bare`]): a third less time for a googleapis `build`.
//!
//! [`for_each_shard`] does the same linking and checking for whole-tree `lint`
//! ([`crate::engine::lint_stream`]), handing each shard's image to the caller instead of encoding it.
//!
//! Anything unusual gives up (`None`) and the caller compiles the ordinary way, which also
//! reports the errors: small inputs, JSON output, any compile error or clash of names, editions
//! files (their checks look across files).

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use prost_types::FileDescriptorProto;
use rayon::prelude::*;

use super::image_bytes::{encode_file, ImageEncoding};
use super::link::{self, Shard};
use super::{duplicates, editions, image_file, Linking};
use crate::image::Image;
use crate::workspace::Workspace;
use crate::Result;

/// Shards per thread: more shards than threads keep fewer pools alive at once (each thread holds
/// one) at the price of linking the common imports once more per shard.
const SHARDS_PER_THREAD: usize = 4;

/// What a shard leaves behind once its pool is gone.
struct Done {
    /// The shard's own targets and the files it imports that are not targets: name, imports,
    /// and its encoding (when asked for).
    files: Vec<(String, Vec<String>, Option<Vec<u8>>)>,
    /// Top-level names of the shard's targets, for the clash check across shards.
    names: Vec<FileDescriptorProto>,
}

/// Compiles the workspace and encodes its image (`enc`; `None`: only check that it compiles).
/// Returns the image's file entries in order (each the body of a `FileDescriptorSet.file`), or
/// `None` when this input is to be compiled the ordinary way (see the module docs).
pub fn compile_encoded(
    workspace: &Workspace,
    include_roots: &[PathBuf],
    enc: Option<ImageEncoding>,
) -> Result<Option<Vec<Vec<u8>>>> {
    compile_encoded_with(workspace, include_roots, enc, link::MIN_TARGETS_PER_SHARD)
}

/// [`compile_encoded`] with shards of at least `min_targets_per_shard` targets (tests use 1).
pub(super) fn compile_encoded_with(
    workspace: &Workspace,
    include_roots: &[PathBuf],
    enc: Option<ImageEncoding>,
    min_targets_per_shard: usize,
) -> Result<Option<Vec<Vec<u8>>>> {
    if enc.is_some_and(|e| e.json) {
        return Ok(None);
    }
    let targets: Vec<&crate::workspace::WorkspaceFile> = workspace.targets().collect();
    let threads = rayon::current_num_threads();
    let count = (SHARDS_PER_THREAD * threads).min(targets.len() / min_targets_per_shard.max(1));
    if count < 2 {
        return Ok(None);
    }
    let _timing = crate::trace::phase("compile (streamed)");
    let shards = link::plan_shards(&targets, HashMap::new(), count);
    // Nothing reads the source info when no image is written, or it is written without it.
    let linking = match enc {
        Some(enc) if !enc.exclude_source_info => Linking::Fast,
        _ => Linking::Bare,
    };
    let shared = link::Shared::new(workspace, include_roots, linking, BTreeSet::new());
    let is_target: HashSet<&str> = targets.iter().map(|t| t.name.as_str()).collect();
    let done: Vec<Option<Done>> = shards
        .into_par_iter()
        .map(|shard| finish_shard(shard, &shared, workspace, &is_target, enc))
        .collect::<Result<_>>()?;
    let Some(done) = done.into_iter().collect::<Option<Vec<Done>>>() else {
        return Ok(None);
    };

    // Names clashing across shards (within one, the linker has already refused them); whether
    // there is one does not depend on the order.
    if duplicates::any(done.iter().flat_map(|d| &d.names)) {
        return Ok(None);
    }

    // Nothing was encoded (a build that only checks): there are no entries to put in order.
    if enc.is_none() {
        return Ok(Some(Vec::new()));
    }
    // Each target from its shard, each other file from the first shard that linked it, in the
    // order one compiler would have linked them.
    let mut files: HashMap<String, (Vec<String>, Option<Vec<u8>>)> = HashMap::new();
    for d in done {
        for (name, deps, bytes) in d.files {
            files.entry(name).or_insert((deps, bytes));
        }
    }
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for target in &targets {
        visit(&target.name, &mut files, &mut seen, &mut out);
    }
    Ok(Some(out))
}

/// Depth first, imports before the files that import them (as `link::image_order`).
fn visit(
    name: &str,
    files: &mut HashMap<String, (Vec<String>, Option<Vec<u8>>)>,
    seen: &mut HashSet<String>,
    out: &mut Vec<Vec<u8>>,
) {
    if !seen.insert(name.to_string()) {
        return;
    }
    let Some((deps, bytes)) = files.remove(name) else {
        return;
    };
    for dep in &deps {
        visit(dep, files, seen, out);
    }
    out.extend(bytes);
}

/// Links one shard, then checks and encodes its files; `Ok(None)` to give up.
fn finish_shard(
    shard: Shard,
    shared: &link::Shared,
    workspace: &Workspace,
    is_target: &HashSet<&str>,
    enc: Option<ImageEncoding>,
) -> Result<Option<Done>> {
    let Some(LinkedShard { mut image, names }) = link_and_check(shard, shared, workspace) else {
        return Ok(None);
    };
    // A target is kept (and encoded) only by the shard it belongs to (the targets of the shard's
    // image); the other shards link it as an import, identically, so their copies would be
    // thrown away.
    let own: Vec<bool> = image.files.iter().map(|f| !f.is_import).collect();
    let mut done = Done {
        files: Vec::with_capacity(image.files.len()),
        names,
    };
    for file in &mut image.files {
        file.is_import = !is_target.contains(file.name());
    }
    for (file, own) in image.files.iter().zip(own) {
        if !file.is_import && !own {
            continue;
        }
        let bytes = match enc {
            Some(enc) => encode_file(&image, file, enc)?,
            None => None,
        };
        let deps = file.proto().dependency.clone();
        done.files.push((file.name().to_string(), deps, bytes));
    }
    Ok(Some(done))
}

/// One shard, linked and checked: its image (the shard's own targets are the targets, the files
/// they import are imports) and its targets' top-level names, for the clash check across shards.
struct LinkedShard {
    image: Image,
    names: Vec<FileDescriptorProto>,
}

/// Links one shard and makes its image files (in the order one compiler would have linked the
/// shard's targets) and checks their features; `None` on any error or editions file (the
/// ordinary compile reports those).
fn link_and_check(
    shard: Shard,
    shared: &link::Shared,
    workspace: &Workspace,
) -> Option<LinkedShard> {
    let names = shard.targets.clone();
    let own_targets: BTreeSet<&str> = names.iter().map(String::as_str).collect();
    let mut linked = link::link_shard(shard, shared, workspace);
    if !linked.findings.is_empty() || !linked.editions_files.is_empty() {
        return None;
    }
    let pool = linked.pools.pop()?;
    let _timing = crate::trace::phase("shard image");
    let none = HashMap::new();
    let targets: Vec<&str> = names.iter().map(String::as_str).collect();
    let order = link::image_order(std::slice::from_ref(&pool), &targets);
    let mut image_files = Vec::with_capacity(order.len());
    for fd in order {
        let own = linked.detached.remove(fd.name());
        // The feature checks look at this shard's own targets; the others are imports here.
        image_files.push(image_file(&fd, own, workspace, &own_targets, &none)?);
    }
    let image = Image::new(image_files, vec![pool]);
    if !editions::check_features(&image).is_empty() {
        return None;
    }
    let names = image
        .targets()
        .map(|f| duplicates::top_level_names(f.proto()))
        .collect();
    Some(LinkedShard { image, names })
}

/// What [`for_each_shard`] keeps of a shard: what `each` gave and the targets' top-level names.
type ShardResult<T> = Result<Option<(T, Vec<FileDescriptorProto>)>>;

/// Compiles a large workspace shard by shard and hands each shard's image to `each` as soon as
/// it is linked (its own targets are the image's targets; what they import, imports), dropping
/// it afterwards: only as many shards as threads are alive at once. Returns what `each` gave,
/// in shard order, or `None` when the input is to be compiled the ordinary way (small input,
/// any compile error or clash of names, editions files) or when `each` gave `None`.
///
/// Each shard runs on a thread of its own (not a rayon job), so `each` may use rayon without
/// another shard starting on the same thread while it waits. With `comments_only_with`, only the
/// files whose text holds it have comments in their source info (for an `each` that reads no
/// other comments; positions are all there).
pub fn for_each_shard<T: Send>(
    workspace: &Workspace,
    include_roots: &[PathBuf],
    min_targets_per_shard: usize,
    comments_only_with: Option<&'static str>,
    each: &(dyn Fn(Image) -> Result<Option<T>> + Sync),
) -> Result<Option<Vec<T>>> {
    let targets: Vec<&crate::workspace::WorkspaceFile> = workspace.targets().collect();
    let threads = rayon::current_num_threads();
    let count = (SHARDS_PER_THREAD * threads).min(targets.len() / min_targets_per_shard.max(1));
    if count < 2 {
        return Ok(None);
    }
    let _timing = crate::trace::phase("compile (streamed)");
    let shards = link::plan_shards(&targets, HashMap::new(), count);
    // The plan may make fewer shards than asked for (runs end between directory groups).
    let count = shards.len();
    let shared = link::Shared::new(workspace, include_roots, Linking::Fast, BTreeSet::new())
        .defer_imports()
        .compacting()
        .comments_only_in_files_with(comments_only_with);
    let queue = Mutex::new(shards.into_iter().enumerate());
    let results: Mutex<Vec<(usize, ShardResult<T>)>> = Mutex::new(Vec::new());
    let given_up = AtomicBool::new(false);
    let work = || loop {
        let next = queue.lock().map(|mut q| q.next()).ok().flatten();
        let Some((i, shard)) = next else { break };
        if given_up.load(Ordering::Relaxed) {
            break;
        }
        let out = match link_and_check(shard, &shared, workspace) {
            None => Ok(None),
            Some(LinkedShard { image, names }) => each(image).map(|t| t.map(|t| (t, names))),
        };
        if !matches!(out, Ok(Some(_))) {
            given_up.store(true, Ordering::Relaxed);
        }
        if let Ok(mut r) = results.lock() {
            r.push((i, out));
        }
    };
    std::thread::scope(|scope| {
        for _ in 0..threads.min(count) {
            // Linking recurses along import chains: the same large stack as the command's
            // thread and the rayon workers (a chain of 1,500 imports overflows the default).
            let spawned = std::thread::Builder::new()
                .stack_size(crate::limits::STACK_SIZE)
                .spawn_scoped(scope, work);
            if spawned.is_err() {
                // No thread could be made (address space limits): work on this one.
                work();
            }
        }
    });
    let mut results = results.into_inner().unwrap_or_default();
    results.sort_by_key(|(i, _)| *i);
    let mut out = Vec::with_capacity(results.len());
    let mut names = Vec::new();
    for (_, r) in results {
        let Some((t, n)) = r? else {
            return Ok(None);
        };
        out.push(t);
        names.extend(n);
    }
    if given_up.load(Ordering::Relaxed) || out.len() != count {
        return Ok(None);
    }
    // Names clashing across shards (within one, the linker has already refused them); whether
    // there is one does not depend on the order.
    if duplicates::any(names.iter()) {
        return Ok(None);
    }
    Ok(Some(out))
}
