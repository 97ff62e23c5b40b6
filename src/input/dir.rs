//! Directory and single-file inputs: the root is found as buf finds it ([`super::target`]), then
//! every `.proto` and buf config file under it is read eagerly.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use super::target::{locate, Markers};
use super::{clean_path, is_kept_file, package_files, relative_display, InputSpec, Snapshot};
use crate::{Error, Result};

pub fn load_dir(spec: &InputSpec, cwd: &Path, lazily: bool) -> Result<Snapshot> {
    let dir = clean_path(&cwd.join(&spec.location));
    match std::fs::metadata(&dir) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => {
            return Err(Error::new(format!("input \"{}\": {} is not a directory", spec.raw, spec.location)).with_help(
                "give a directory, a .proto file, a .git repository, an archive (.tar, .tar.gz, .zip) or an image \
                 (.binpb, .json), or set `#format=` explicitly",
            ))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::new(format!("input \"{}\": directory {} does not exist", spec.raw, spec.location))
                .with_help("check the path; it is relative to the current directory"))
        }
        Err(e) => return Err(Error::io(format!("input \"{}\"", spec.raw), e)),
    }
    let comps = normal_components(&dir);
    let located = locate(&comps, None, bucket_len(&dir, cwd), &mut probe_disk)?;
    finish(
        spec,
        cwd,
        &comps[..located.root_len],
        located.target_paths,
        None,
        lazily,
    )
}

pub fn load_proto_file(spec: &InputSpec, cwd: &Path, lazily: bool) -> Result<Snapshot> {
    let file = clean_path(&cwd.join(&spec.location));
    match std::fs::metadata(&file) {
        Ok(m) if m.is_file() => {}
        Ok(_) => return Err(Error::new(format!(
            "input \"{}\": {} is not a file",
            spec.raw, spec.location
        ))
        .with_help(
            "a location ending in .proto is read as one file; add `#format=dir` for a directory",
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::new(format!(
                "input \"{}\": file {} does not exist",
                spec.raw, spec.location
            ))
            .with_help("check the path; it is relative to the current directory"))
        }
        Err(e) => return Err(Error::io(format!("input \"{}\"", spec.raw), e)),
    }
    let mut comps = normal_components(&file);
    let Some(name) = comps.pop() else {
        return Err(Error::new(format!("input \"{}\": not a file", spec.raw)));
    };
    let parent = file
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("/"));
    let located = locate(
        &comps,
        Some(&name),
        bucket_len(&parent, cwd),
        &mut probe_disk,
    )?;
    let target = located.target_paths.first().cloned().unwrap_or(name);
    finish(
        spec,
        cwd,
        &comps[..located.root_len],
        vec![target],
        Some(spec.include_package_files),
        lazily,
    )
}

fn finish(
    spec: &InputSpec,
    cwd: &Path,
    root_comps: &[String],
    mut target_paths: Vec<String>,
    include_package_files: Option<bool>,
    lazily: bool,
) -> Result<Snapshot> {
    let root = to_path(root_comps);
    // Package files of a single-file input are found by reading them all.
    let lazily = lazily && include_package_files != Some(true);
    let (files, unread) = if lazily {
        let mut files = BTreeMap::new();
        // Collected, then built in one go (a sort of the listing and a bulk build, not 7,000
        // searches of a growing tree).
        let mut unread = Vec::new();
        for (rel, path) in list_tree(&root)? {
            if rel.ends_with(".proto") {
                unread.push((rel, super::Pending::Disk(path)));
            } else {
                let bytes = read_file(&path)?;
                files.insert(rel, bytes);
            }
        }
        // Sorted on every thread first: the tree's own sort then finds one run.
        {
            use rayon::slice::ParallelSliceMut;
            unread.par_sort_unstable_by(|(a, _), (b, _)| a.cmp(b));
        }
        (files, unread.into_iter().collect())
    } else {
        (read_tree(&root)?, BTreeMap::new())
    };
    if include_package_files == Some(true) {
        if let Some(target) = target_paths.first().cloned() {
            target_paths = package_files(&files, &target);
        }
    }
    let (display_prefix, display_base) = if Path::new(&spec.location).is_absolute() {
        (root.to_string_lossy().into_owned(), None)
    } else {
        (relative_display(&root, cwd), Some(cwd.to_path_buf()))
    };
    Ok(Snapshot {
        files,
        display_prefix,
        origin: format!("directory \"{}\"", spec.location),
        target_paths,
        disk_root: Some(root),
        display_base,
        unread,
        git_dir: None,
        overlays: Default::default(),
        known_blobs: None,
    })
}

fn normal_components(path: &Path) -> Vec<String> {
    path.components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect()
}

fn to_path(comps: &[String]) -> PathBuf {
    let mut p = PathBuf::from("/");
    for c in comps {
        p.push(c);
    }
    p
}

/// The bucket root buf uses for the v1 module search: the working directory when the input is
/// under it, else the input directory itself.
fn bucket_len(dir: &Path, cwd: &Path) -> usize {
    if dir.starts_with(cwd) {
        normal_components(cwd).len()
    } else {
        normal_components(dir).len()
    }
}

fn probe_disk(comps: &[String]) -> Result<Markers> {
    let dir = to_path(comps);
    let read = |names: [&str; 2]| -> Result<Option<(String, Vec<u8>)>> {
        for name in names {
            let path = dir.join(name);
            // A FIFO or device named buf.yaml is no marker (buf skips it) and is never opened.
            match crate::limits::read_regular(&path) {
                Ok(bytes) => return Ok(Some((path.to_string_lossy().into_owned(), bytes))),
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
                    ) => {}
                // Unreadable or a directory named buf.yaml: not a marker buf could use either.
                Err(_) => {}
            }
        }
        Ok(None)
    };
    let work = read(["buf.work.yaml", "buf.work.yml"])?;
    let buf_yaml = read(["buf.yaml", "buf.yml"])?;
    Markers::parse(
        work.as_ref().map(|(n, b)| (n.as_str(), b.as_slice())),
        buf_yaml.as_ref().map(|(n, b)| (n.as_str(), b.as_slice())),
    )
}

/// Reads every kept file under `root`, following symlinks but never into a directory already on
/// the current path (no loops), skipping `.git`. Directories are listed first, then the files are
/// read in parallel.
pub(crate) fn read_tree(root: &Path) -> Result<BTreeMap<String, Arc<[u8]>>> {
    use rayon::prelude::*;
    list_tree(root)?
        .into_par_iter()
        .map(|(rel, path)| read_file(&path).map(|bytes| (rel, bytes)))
        .collect()
}

/// The kept files under `root` (see [`read_tree`]), not read. Directories are listed in
/// parallel; the order of the list is not meaningful.
pub(crate) fn list_tree(root: &Path) -> Result<Vec<(String, PathBuf)>> {
    let canonical_root = std::fs::canonicalize(root).map_err(|e| Error::io(root.display(), e))?;
    let stack = vec![canonical_root.clone()];
    list(root, &canonical_root, "", &stack)
}

/// Reads one file of a directory input.
pub(crate) fn read_file(path: &Path) -> Result<Arc<[u8]>> {
    let err = |e| {
        Error::io(path.display(), e).with_help("make the file readable, or exclude it in buf.yaml")
    };
    read_into_arc(path).map_err(err)
}

/// The file's bytes, read straight into their shared allocation: `fs::read` then `Arc::from`
/// would copy every file once, and those freed copies stayed in the process (tens of MB on
/// googleapis). A file whose size changes while it is read is read again the simple way.
fn read_into_arc(path: &Path) -> std::io::Result<Arc<[u8]>> {
    use std::io::Read;
    let (mut file, size) = crate::limits::open_regular(path, crate::limits::MAX_FILE_BYTES)?;
    let Ok(size) = usize::try_from(size) else {
        return Err(std::io::Error::other("file too large"));
    };
    let mut bytes: Arc<[u8]> = Arc::from(Vec::new());
    if size > 0 {
        let mut buf = Arc::<[u8]>::new_uninit_slice(size);
        let slots = Arc::get_mut(&mut buf).expect("just allocated, not shared");
        for slot in slots.iter_mut() {
            slot.write(0);
        }
        // SAFETY: every byte was just written.
        let mut buf = unsafe { buf.assume_init() };
        let whole = Arc::get_mut(&mut buf).expect("just allocated, not shared");
        match file.read_exact(whole) {
            Ok(()) => bytes = buf,
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                return Ok(Arc::from(crate::limits::read_regular(path)?))
            }
            Err(e) => return Err(e),
        }
    }
    let mut probe = [0u8; 1];
    if file.read(&mut probe)? == 0 {
        return Ok(bytes);
    }
    // The file grew while it was read: read it as it is now.
    Ok(Arc::from(crate::limits::read_regular(path)?))
}

/// Lists kept files under `dir`; `canonical` is `dir` with symlinks resolved, `stack` the
/// canonical directories from the root down to here. Subdirectories are listed in parallel; the
/// first error in listing order is the one reported.
fn list(
    dir: &Path,
    canonical: &Path,
    rel: &str,
    stack: &[PathBuf],
) -> Result<Vec<(String, PathBuf)>> {
    use rayon::prelude::*;
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir.display(), e))?;
    let mut out = Vec::new();
    let mut subdirs: Vec<(PathBuf, PathBuf, String)> = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir.display(), e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name == ".git" {
            continue;
        }
        let path = entry.path();
        let child_rel = if rel.is_empty() {
            name.clone()
        } else {
            format!("{rel}/{name}")
        };
        let Ok(file_type) = entry.file_type() else {
            continue;
        };
        // A subdirectory's canonical path (to list it), or `None` for a file.
        let child_canonical = if file_type.is_symlink() {
            // Follow the link; a dangling one is skipped.
            let Ok(meta) = std::fs::metadata(&path) else {
                continue;
            };
            if meta.is_dir() {
                let Ok(target) = std::fs::canonicalize(&path) else {
                    continue;
                };
                Some(target)
            } else if meta.is_file() {
                None
            } else {
                continue;
            }
        } else if file_type.is_dir() {
            Some(canonical.join(&name))
        } else if file_type.is_file() {
            None
        } else {
            // A FIFO, socket or device: buf skips it (reading a FIFO would block forever).
            continue;
        };
        match child_canonical {
            // A directory already on the way down here is a symlink cycle: not listed again.
            Some(child_canonical) if !stack.contains(&child_canonical) => {
                subdirs.push((path, child_canonical, child_rel));
            }
            None if is_kept_file(&child_rel) => out.push((child_rel, path)),
            _ => {}
        }
    }
    let listed: Vec<Result<Vec<(String, PathBuf)>>> = subdirs
        .into_par_iter()
        .map(|(path, child_canonical, child_rel)| {
            let mut stack = stack.to_vec();
            stack.push(child_canonical.clone());
            list(&path, &child_canonical, &child_rel, &stack)
        })
        .collect();
    for files in listed {
        out.extend(files?);
    }
    Ok(out)
}
