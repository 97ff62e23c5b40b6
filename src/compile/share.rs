//! The `--against` side of `breaking`, compiled with the files it shares with the input: a file
//! whose text is the same on both sides, and whose imports are all shared too (transitively: its
//! descriptor's resolved type names, JSON names and options depend on them), compiles to the same
//! descriptor on both sides, so it is compiled once. [`compile_against`] finds these files from the
//! input's compiled image ([`shared_files`]: same import path, same bytes, every import shared;
//! files from outside the workspaces — well-known types, `-I` roots — only when neither side has
//! registry dependencies), compiles only the against side's other targets (with what they import;
//! the shared files among those are handed to the linker as the input's pools linked them,
//! [`link::Seed`], not parsed again), and makes the against image from both: the shared files are
//! the input's image files (the same descriptors, source info and text: one copy in memory) with
//! the against side's place in its workspace (paths, module, target or import), linked in the
//! input's pools, which the against image borrows for those files only ([`Image::with_borrowed`]).
//! The files are in the order one compiler would have linked the against side's targets, as
//! [`super::compile`] gives them, so the rules and the pairing see the same image. Anything unusual
//! compiles the against side whole, as before: editions files on either side (descriptor.proto is
//! linked with them), any compile error (whose findings must be those of the whole side; fast
//! linking of the rest gives up on any), or clashing names across the two halves.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use prost_reflect::FileDescriptor;

use super::{duplicates, editions, link, Compiled, Linking};
use crate::image::{Image, ImageFile};
use crate::workspace::Workspace;
use crate::Result;

/// Shards per thread for the against side's own files: they are fewer than a whole tree's
/// (googleapis between two tags: 1,947 of 7,234), so one shard per thread is enough to keep
/// both cores busy, and each shard links the shared files they import once more (as linked
/// descriptors, see [`link::Seed`]).
const SHARDS_PER_THREAD: usize = 1;

/// Compiles `against` (the other side of `breaking`), taking the files it shares with `current`
/// (the input, compiled from `current_ws`) from `current`'s image; the answer is the one
/// [`super::compile`] gives for `against`.
pub fn compile_against(
    current: &Image,
    current_ws: &Workspace,
    against: &mut Workspace,
    include_roots: &[PathBuf],
) -> Result<Compiled> {
    let editions = current.files.iter().any(|f| f.edition.is_some());
    let shared = if editions {
        HashSet::new()
    } else {
        shared_files(current, current_ws, against)
    };
    if shared.is_empty() {
        return super::compile(against, include_roots);
    }
    let _timing = crate::trace::phase("compile against (shared files)");
    match compile_rest(current, against, include_roots, shared)? {
        Some(image) => Ok(Compiled::Image(image)),
        None => {
            let _again = crate::trace::phase("compile against whole");
            super::compile(against, include_roots)
        }
    }
}

/// The files of `current`'s image that `against` would compile to the same descriptors: in
/// both workspaces with the same text (or in neither, and then found the same way on both sides:
/// no registry dependencies), with every import (and `import option`) shared too.
pub fn shared_files(
    current: &Image,
    current_ws: &Workspace,
    against: &Workspace,
) -> HashSet<String> {
    let outside_shared = current_ws.deps.is_empty() && against.deps.is_empty();
    let mut memo: HashMap<String, bool> = HashMap::new();
    for file in &current.files {
        is_shared(
            file.name(),
            current,
            current_ws,
            against,
            outside_shared,
            &mut memo,
        );
    }
    memo.into_iter()
        .filter_map(|(name, shared)| shared.then_some(name))
        .collect()
}

fn is_shared(
    name: &str,
    current: &Image,
    current_ws: &Workspace,
    against: &Workspace,
    outside_shared: bool,
    memo: &mut HashMap<String, bool>,
) -> bool {
    if let Some(&known) = memo.get(name) {
        return known;
    }
    // Not shared while its imports are looked at (an import cycle shares nothing).
    memo.insert(name.to_string(), false);
    let Some(file) = current.file(name) else {
        return false;
    };
    let same_text = match (current_ws.files.get(name), against.files.get(name)) {
        (Some(c), Some(a)) => c.text == a.text,
        (None, None) => outside_shared,
        _ => false,
    };
    let shared = same_text
        && file.edition.is_none()
        && file
            .proto()
            .dependency
            .iter()
            .chain(&file.option_dependency)
            .all(|dep| is_shared(dep, current, current_ws, against, outside_shared, memo));
    memo.insert(name.to_string(), shared);
    shared
}

/// Compiles the targets of `against` that are not `shared` and makes the whole image; `None` to
/// compile `against` whole (see the module docs).
fn compile_rest(
    current: &Image,
    against: &mut Workspace,
    include_roots: &[PathBuf],
    shared: HashSet<String>,
) -> Result<Option<Image>> {
    let shared = Arc::new(shared);
    let targets: Vec<String> = against.targets().map(|t| t.name.clone()).collect();
    let shared_targets: Vec<String> = targets
        .iter()
        .filter(|t| shared.contains(*t))
        .cloned()
        .collect();
    let mut rest = None;
    if shared_targets.len() < targets.len() {
        for name in &shared_targets {
            if let Some(f) = against.files.get_mut(name) {
                f.is_target = false;
            }
        }
        // The shared files the rest imports are linked as the input linked them, not parsed.
        let seed = link::Seed {
            pools: current.pools().to_vec(),
            files: shared.clone(),
        };
        let compiled = super::compile_seeded(
            against,
            include_roots,
            // No rule reads the `--against` side's positions or comments (see
            // `Image::forget_sources`): none are made.
            Linking::Bare,
            link::MIN_TARGETS_PER_SHARD,
            SHARDS_PER_THREAD,
            Some(Arc::new(seed)),
        );
        for name in &shared_targets {
            if let Some(f) = against.files.get_mut(name) {
                f.is_target = true;
            }
        }
        match compiled {
            Some(Compiled::Image(image)) if !image.files.iter().any(|f| f.edition.is_some()) => {
                rest = Some(image)
            }
            _ => return Ok(None),
        }
    }

    // Every file in the order one compiler linking the targets would have added it.
    let descriptor = |name: &str| -> Option<FileDescriptor> {
        if shared.contains(name) {
            current.file_descriptor(name)
        } else {
            rest.as_ref()?.file_descriptor(name)
        }
    };
    let mut seen = HashSet::new();
    let mut order = Vec::new();
    for target in &targets {
        visit(target, &descriptor, &mut seen, &mut order);
    }
    let (mut own, pools) = match rest {
        Some(mut image) => {
            let files = std::mem::take(&mut image.files);
            let own: HashMap<String, ImageFile> = files
                .into_iter()
                .map(|f| (f.name().to_string(), f))
                .collect();
            (own, image.pools().to_vec())
        }
        None => (HashMap::new(), Vec::new()),
    };
    let mut files = Vec::with_capacity(order.len());
    for name in order {
        let file = if shared.contains(&name) {
            let Some(file) = current.file(&name) else {
                return Ok(None);
            };
            placed(file.clone(), against)
        } else {
            let Some(file) = own.remove(&name) else {
                return Ok(None);
            };
            file
        };
        files.push(file);
    }
    drop(own);
    let image = Image::with_borrowed(files, pools, current.pools().to_vec(), shared.clone());

    // Targets compiled apart may clash unseen (as in shards).
    let protos = targets
        .iter()
        .filter_map(|t| image.file(t))
        .map(ImageFile::proto);
    if duplicates::any(protos) {
        return Ok(None);
    }
    if !editions::check_features(&image).is_empty() {
        return Ok(None);
    }
    Ok(Some(image))
}

/// Depth first, imports before the files that import them (as `link::image_order`).
fn visit(
    name: &str,
    descriptor: &dyn Fn(&str) -> Option<FileDescriptor>,
    seen: &mut HashSet<String>,
    out: &mut Vec<String>,
) {
    if seen.contains(name) {
        return;
    }
    let Some(fd) = descriptor(name) else {
        return;
    };
    seen.insert(name.to_string());
    for dep in &fd.file_descriptor_proto().dependency {
        visit(dep, descriptor, seen, out);
    }
    out.push(name.to_string());
}

/// A shared file with its place in `workspace` (as [`super::image_file`] gives it).
fn placed(mut file: ImageFile, workspace: &Workspace) -> ImageFile {
    match workspace.files.get(file.name()) {
        Some(wf) => {
            file.is_import = !wf.is_target;
            file.external_path = wf.external_path.clone();
            file.root_path = wf.root_path.clone();
            file.module = Some(wf.module);
            file.source = Some(wf.text.clone());
        }
        None => {
            file.is_import = true;
            file.external_path = file.name().to_string();
            file.root_path = file.name().to_string();
            file.module = None;
            file.source = None;
        }
    }
    file
}
