//! Archive inputs: `.tar`, `.tar.gz`/`.tgz`, `.zip`, with `strip_components=N` and `subdir=`.
//! Entries are read into memory; the root inside the archive is found as for a git tree.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use super::target::{locate, Markers};
use super::{
    components, decompress, files_under, is_kept_file, read_location, Format, InputSpec, Snapshot,
};
use crate::{Error, Result};

pub fn load(spec: &InputSpec, cwd: &Path) -> Result<Snapshot> {
    let bytes = decompress(spec, read_location(spec, cwd)?)?;
    let entries = match spec.format {
        Format::Zip => read_zip(spec, &bytes)?,
        _ => read_tar(spec, &bytes)?,
    };

    // Strip leading components; entries with too few components are dropped (as tar does).
    let strip = spec.strip_components as usize;
    let mut all: BTreeMap<String, Arc<[u8]>> = BTreeMap::new();
    let mut dirs_seen = std::collections::BTreeSet::new();
    let mut deepest = 0usize;
    for (path, data) in entries {
        let parts = components(&path);
        deepest = deepest.max(parts.len().saturating_sub(1));
        if parts.len() <= strip {
            continue;
        }
        let rel = parts[strip..].join("/");
        let rel_parts = &parts[strip..];
        for i in 1..rel_parts.len() {
            dirs_seen.insert(rel_parts[..i].join("/"));
        }
        if is_kept_file(&rel) {
            all.insert(rel, data);
        }
    }
    if strip > 0 && deepest < strip {
        return Err(Error::new(format!(
            "input \"{}\": strip_components={strip} removes every file (the deepest file is {deepest} directories down)",
            spec.raw
        ))
        .with_help(format!("use a smaller strip_components (at most {deepest})")));
    }

    let subdir = spec.subdir.clone().unwrap_or_default();
    if !subdir.is_empty() && !dirs_seen.contains(&subdir) {
        return Err(Error::new(format!(
            "input \"{}\": subdir \"{subdir}\" is not a directory in the archive{}",
            spec.raw,
            if strip > 0 { format!(" (after stripping {strip} components)") } else { String::new() }
        ))
        .with_help("give a directory that exists in the archive, relative to its root after strip_components"));
    }
    let comps = components(&subdir);
    let mut probe = |dir: &[String]| -> Result<Markers> {
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{}/", dir.join("/"))
        };
        let find = |names: [&str; 2]| {
            names.iter().find_map(|n| {
                let p = format!("{prefix}{n}");
                all.get(&p).map(|b| (p, b.clone()))
            })
        };
        let work = find(["buf.work.yaml", "buf.work.yml"]);
        let buf_yaml = find(["buf.yaml", "buf.yml"]);
        Markers::parse(
            work.as_ref().map(|(n, b)| (n.as_str(), &b[..])),
            buf_yaml.as_ref().map(|(n, b)| (n.as_str(), &b[..])),
        )
    };
    let located = locate(&comps, None, 0, &mut probe)?;
    let root = comps[..located.root_len].join("/");
    Ok(Snapshot {
        files: files_under(all, &root),
        display_prefix: root,
        origin: format!("archive \"{}\"", spec.location),
        target_paths: located.target_paths,
        disk_root: None,
        display_base: None,
        ..Snapshot::default()
    })
}

fn corrupt(spec: &InputSpec, kind: &str, e: impl std::fmt::Display) -> Error {
    Error::new(format!("input \"{}\": not a valid {kind} archive: {e}", spec.raw))
        .with_help("check the file, or set `#format=` (tar, zip, dir, git, binpb, json) if it is detected wrongly")
}

/// Regular files of a tar archive, path -> bytes (all files: the caller filters).
fn read_tar(spec: &InputSpec, bytes: &[u8]) -> Result<Vec<(String, Arc<[u8]>)>> {
    let mut archive = tar::Archive::new(bytes);
    let mut out = Vec::new();
    let mut total = 0u64;
    let entries = archive.entries().map_err(|e| corrupt(spec, "tar", e))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| corrupt(spec, "tar", e))?;
        let path = entry
            .path()
            .map_err(|e| corrupt(spec, "tar", e))?
            .to_string_lossy()
            .into_owned();
        let Some(path) = entry_path(spec, &path)? else {
            continue;
        };
        if !entry.header().entry_type().is_file() {
            continue;
        }
        if !is_kept_file(&path) {
            // Still record the directories it implies (for subdir and strip_components checks).
            out.push((path, Arc::from(Vec::new())));
            continue;
        }
        let declared = entry.header().size().unwrap_or(0);
        let data = read_entry(spec, &path, &mut entry, declared, &mut total)?;
        out.push((path, Arc::from(data)));
    }
    Ok(out)
}

fn read_zip(spec: &InputSpec, bytes: &[u8]) -> Result<Vec<(String, Arc<[u8]>)>> {
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| corrupt(spec, "zip", e))?;
    let mut out = Vec::new();
    let mut total = 0u64;
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).map_err(|e| corrupt(spec, "zip", e))?;
        if !file.is_file() {
            continue;
        }
        let Some(path) = entry_path(spec, file.name())? else {
            continue;
        };
        if !is_kept_file(&path) {
            out.push((path, Arc::from(Vec::new())));
            continue;
        }
        let declared = file.size();
        let data = read_entry(spec, &path, &mut file, declared, &mut total)?;
        out.push((path, Arc::from(data)));
    }
    Ok(out)
}

/// Reads one entry, at most [`crate::limits::MAX_FILE_BYTES`], and at most
/// [`crate::limits::MAX_INPUT_BYTES`] for the whole archive (`total` so far): a zip bomb is an
/// error, not an allocation of gigabytes.
fn read_entry(
    spec: &InputSpec,
    path: &str,
    entry: &mut impl Read,
    declared: u64,
    total: &mut u64,
) -> Result<Vec<u8>> {
    use crate::limits::{read_capped_sized, too_large, MAX_FILE_BYTES, MAX_INPUT_BYTES};
    let left = MAX_INPUT_BYTES.saturating_sub(*total);
    let data = read_capped_sized(entry, MAX_FILE_BYTES.min(left), declared).map_err(|e| {
        let message = if e.kind() == std::io::ErrorKind::FileTooLarge && left < MAX_FILE_BYTES {
            format!(
                "the archive's files decompress to {}",
                too_large(MAX_INPUT_BYTES + 1, MAX_INPUT_BYTES)
            )
        } else {
            e.to_string()
        };
        Error::new(format!(
            "input \"{}\": archive entry {path}: {message}",
            spec.raw
        ))
        .with_help("check the archive; protoforge reads archives into memory and caps their size")
    })?;
    *total += data.len() as u64;
    Ok(data)
}

/// An entry's path, relative and `/`-separated; `None` for the archive's root itself. An absolute
/// path, or one that leaves the archive through `..`, is an error (as in buf): extracting it would
/// write outside the directory, so the archive is not trusted.
fn entry_path(spec: &InputSpec, raw: &str) -> Result<Option<String>> {
    let path = raw.replace('\\', "/");
    let bad = |what: &str| {
        Err(Error::new(format!("input \"{}\": archive entry {raw}: {what}", spec.raw))
            .with_help("the archive has an entry that would land outside its root; rebuild the archive with relative paths"))
    };
    if path.starts_with('/') || path.get(1..3) == Some(":/") {
        return bad("expected to be relative");
    }
    let mut parts = Vec::new();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return bad("is outside the context directory");
                }
            }
            p => parts.push(p),
        }
    }
    if parts.is_empty() {
        Ok(None)
    } else {
        Ok(Some(parts.join("/")))
    }
}
