//! Git inputs, read in-process with git2 from the object database: no checkout, no `git` binary,
//! no network. A shallow clone works whenever the objects of the wanted commit are present.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::Path;
use std::sync::Arc;

use git2::{Commit, ErrorCode, ObjectType, Oid, Repository, RepositoryOpenFlags, Tree};

use super::target::{locate, Markers};
use super::{components, is_kept_file, InputSpec, Pending, Snapshot};
use crate::{Error, Result};

const MODE_TREE: i32 = 0o040000;
const MODE_LINK: i32 = 0o120000;
const MODE_COMMIT: i32 = 0o160000;

pub fn load(spec: &InputSpec, cwd: &Path, lazily: bool) -> Result<Snapshot> {
    let path = cwd.join(&spec.location);
    let repo = open(spec, &path)?;
    let revision = spec.git.describe();
    let commit = resolve(spec, &repo)?;
    let tree = commit
        .tree()
        .map_err(|e| git_error(spec, &format!("reading the tree of {revision}"), e))?;

    let subdir = spec.subdir.clone().unwrap_or_default();
    if !subdir.is_empty() {
        let is_tree = tree
            .get_path(Path::new(&subdir))
            .map(|e| e.filemode() == MODE_TREE)
            .unwrap_or(false);
        if !is_tree {
            return Err(Error::new(format!(
                "input \"{}\": subdir \"{subdir}\" is not a directory at {revision} of \"{}\"",
                spec.raw, spec.location
            ))
            .with_help(
                "give a directory that exists at that revision (relative to the repository root)",
            ));
        }
    }
    let comps = components(&subdir);
    let located = locate(&comps, None, 0, &mut |dir: &[String]| {
        probe_tree(&repo, &tree, dir)
    })?;
    let root = comps[..located.root_len].join("/");
    let root_tree = if root.is_empty() {
        tree
    } else {
        let entry = tree
            .get_path(Path::new(&root))
            .map_err(|e| git_error(spec, &root, e))?;
        repo.find_tree(entry.id())
            .map_err(|e| missing_object(spec, &root, entry.id(), e))?
    };

    let mut blobs: Vec<(String, Oid)> = Vec::new();
    collect(spec, &repo, &root_tree, "", &mut blobs)?;
    let mut unread = BTreeMap::new();
    if lazily {
        blobs.retain(|(path, oid)| {
            let keep = !path.ends_with(".proto");
            if !keep {
                let mut id = [0u8; 20];
                id.copy_from_slice(oid.as_bytes());
                unread.insert(path.clone(), Pending::Blob(id));
            }
            keep
        });
    }
    let files = read_blobs(spec, &repo, &root, blobs)?;
    Ok(Snapshot {
        files,
        display_prefix: root,
        origin: format!("{revision} of \"{}\"", spec.location),
        target_paths: located.target_paths,
        disk_root: None,
        display_base: None,
        unread,
        git_dir: Some(repo.path().to_path_buf()),
        overlays: Default::default(),
        known_blobs: None,
    })
}

/// Reads unread blobs of a lazily loaded git snapshot from the repository at `git_dir`.
pub(crate) fn read_pending(
    git_dir: Option<&Path>,
    origin: &str,
    wanted: Vec<(String, Pending)>,
) -> Result<Vec<(String, Arc<[u8]>)>> {
    let git_dir =
        git_dir.ok_or_else(|| Error::new(format!("{origin}: no repository to read from")))?;
    let repo = Repository::open(git_dir).map_err(|e| {
        Error::new(format!(
            "{origin}: cannot open the repository again: {}",
            e.message()
        ))
    })?;
    let odb = repo.odb().map_err(|e| {
        Error::new(format!(
            "{origin}: opening the object database: {}",
            e.message()
        ))
    })?;
    wanted
        .into_iter()
        .map(|(path, pending)| {
            let id = match &pending {
                Pending::Blob(id) => Oid::from_bytes(id).map_err(|e| Error::new(e.message()))?,
                Pending::Disk(p) => return super::dir::read_file(p).map(|b| (path, b)),
            };
            let object = odb.read(id).map_err(|e| {
                Error::new(format!(
                    "{origin}: {path} (object {id}) cannot be read: {}",
                    e.message()
                ))
                .with_help("the clone is shallow or partial and lacks this object: fetch it")
            })?;
            Ok((path, Arc::from(object.data())))
        })
        .collect()
}

/// Reads the blobs. Sequential: with one repository handle per rayon worker (a `Repository` is
/// not `Sync`) googleapis read no faster on 2 cores (each handle loads the pack indexes and keeps
/// its own delta cache).
fn read_blobs(
    spec: &InputSpec,
    repo: &Repository,
    root: &str,
    blobs: Vec<(String, Oid)>,
) -> Result<BTreeMap<String, Arc<[u8]>>> {
    let odb = repo
        .odb()
        .map_err(|e| git_error(spec, "opening the object database", e))?;
    blobs
        .into_iter()
        .map(|(path, oid)| {
            let object = odb
                .read(oid)
                .map_err(|e| missing_object(spec, &join(root, &path), oid, e))?;
            Ok((path, Arc::from(object.data())))
        })
        .collect()
}

fn join(root: &str, path: &str) -> String {
    if root.is_empty() {
        path.to_string()
    } else {
        format!("{root}/{path}")
    }
}

fn open(spec: &InputSpec, path: &Path) -> Result<Repository> {
    if !path.exists() {
        return Err(Error::new(format!(
            "input \"{}\": {} does not exist",
            spec.raw, spec.location
        ))
        .with_help(
            "give the path of a repository's .git directory or work tree (protoforge never clones)",
        ));
    }
    Repository::open_ext(
        path,
        RepositoryOpenFlags::NO_SEARCH,
        std::iter::empty::<&OsStr>(),
    )
    .map_err(|e| {
        Error::new(format!(
            "input \"{}\": {} is not a git repository ({})",
            spec.raw,
            spec.location,
            e.message()
        ))
        .with_help(
            "give the .git directory or the work tree of a repository, e.g. `.git#branch=main`",
        )
    })
}

fn resolve<'r>(spec: &InputSpec, repo: &'r Repository) -> Result<Commit<'r>> {
    let git = &spec.git;
    let branch_commit = match &git.branch {
        Some(branch) => Some(find_branch(spec, repo, branch)?),
        None => None,
    };
    if let Some(r) = &git.ref_ {
        // With `branch=`, HEAD means the tip of that branch (buf clones the branch, then checks out ref).
        let rev = match (&branch_commit, r.strip_prefix("HEAD")) {
            (Some(c), Some(rest)) => format!("{}{rest}", c.id()),
            _ => r.clone(),
        };
        return match repo.revparse_single(&rev) {
            Ok(obj) => peel(spec, obj, &format!("ref \"{r}\"")),
            Err(_) => match repo.revparse_single(&format!("refs/remotes/origin/{r}")) {
                Ok(obj) => peel(spec, obj, &format!("ref \"{r}\"")),
                Err(_) => Err(missing_ref(spec, repo, "ref", r)),
            },
        };
    }
    if let Some(c) = branch_commit {
        return Ok(c);
    }
    if let Some(tag) = &git.tag {
        return match repo.revparse_single(&format!("refs/tags/{tag}")) {
            Ok(obj) => peel(spec, obj, &format!("tag \"{tag}\"")),
            Err(_) => Err(missing_ref(spec, repo, "tag", tag)),
        };
    }
    if let Some(sha) = &git.commit {
        return match repo.revparse_single(sha) {
            Ok(obj) => peel(spec, obj, &format!("commit \"{sha}\"")),
            Err(_) => Err(missing_ref(spec, repo, "commit", sha)),
        };
    }
    let head = repo.head().map_err(|e| {
        let err = Error::new(format!(
            "input \"{}\": cannot read HEAD of \"{}\": {}",
            spec.raw,
            spec.location,
            e.message()
        ));
        if e.code() == ErrorCode::UnbornBranch {
            err.with_help(
                "the repository has no commits yet; commit first, or name a branch or tag",
            )
        } else {
            err.with_help("name a revision explicitly, e.g. `#branch=main` or `#ref=<sha>`")
        }
    })?;
    let obj = head
        .peel(ObjectType::Any)
        .map_err(|e| git_error(spec, "HEAD", e))?;
    peel(spec, obj, "HEAD")
}

fn find_branch<'r>(spec: &InputSpec, repo: &'r Repository, branch: &str) -> Result<Commit<'r>> {
    for name in [
        format!("refs/heads/{branch}"),
        format!("refs/remotes/origin/{branch}"),
    ] {
        if let Ok(reference) = repo.find_reference(&name) {
            let obj = reference
                .peel(ObjectType::Any)
                .map_err(|e| git_error(spec, &name, e))?;
            return peel(spec, obj, &format!("branch \"{branch}\""));
        }
    }
    Err(missing_ref(spec, repo, "branch", branch))
}

fn peel<'r>(spec: &InputSpec, obj: git2::Object<'r>, what: &str) -> Result<Commit<'r>> {
    obj.peel_to_commit().map_err(|e| {
        Error::new(format!(
            "input \"{}\": {what} does not point to a commit ({})",
            spec.raw,
            e.message()
        ))
        .with_help("name a branch, a tag or a commit")
    })
}

/// "branch "x" not found", with the refs that look like it (or a few of that kind).
fn missing_ref(spec: &InputSpec, repo: &Repository, kind: &str, name: &str) -> Error {
    let mut all: Vec<String> = Vec::new();
    if let Ok(refs) = repo.references() {
        for r in refs.flatten() {
            let Ok(full) = r.name() else { continue };
            let short = full
                .strip_prefix("refs/heads/")
                .or_else(|| full.strip_prefix("refs/tags/"))
                .or_else(|| full.strip_prefix("refs/remotes/"))
                .unwrap_or(full);
            let of_kind = match kind {
                "branch" => full.starts_with("refs/heads/") || full.starts_with("refs/remotes/"),
                "tag" => full.starts_with("refs/tags/"),
                _ => true,
            };
            if of_kind && !short.ends_with("/HEAD") && short != "HEAD" {
                all.push(short.to_string());
            }
        }
    }
    all.sort();
    all.dedup();
    let needle = name.to_lowercase();
    let similar: Vec<&String> = all
        .iter()
        .filter(|r| {
            let r = r.to_lowercase();
            let last = r.rsplit('/').next().unwrap_or(&r).to_string();
            r.contains(&needle) || needle.contains(&last) || edit_distance(&last, &needle) <= 2
        })
        .take(8)
        .collect();
    let mut err = Error::new(format!(
        "input \"{}\": {kind} \"{name}\" not found in \"{}\"",
        spec.raw, spec.location
    ));
    let help = if !similar.is_empty() {
        format!(
            "similar refs: {}",
            similar
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )
    } else if !all.is_empty() {
        let shown: Vec<&str> = all.iter().take(10).map(String::as_str).collect();
        let more = if all.len() > 10 {
            format!(" (and {} more)", all.len() - 10)
        } else {
            String::new()
        };
        format!("available: {}{more}", shown.join(", "))
    } else {
        "the repository has no such refs; fetch them first (protoforge never uses the network)"
            .to_string()
    };
    err = err.with_help(help);
    err
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

fn git_error(spec: &InputSpec, what: &str, e: git2::Error) -> Error {
    Error::new(format!(
        "input \"{}\": git error on {what}: {}",
        spec.raw,
        e.message()
    ))
}

fn missing_object(spec: &InputSpec, path: &str, oid: Oid, e: git2::Error) -> Error {
    if e.code() == ErrorCode::NotFound {
        Error::new(format!(
            "input \"{}\": {path} (object {oid}) is missing from the object database of \"{}\"",
            spec.raw, spec.location
        ))
        .with_help("the clone is shallow or partial and lacks this object: fetch it (e.g. `git fetch --unshallow`)")
    } else {
        git_error(spec, path, e)
    }
}

/// The buf config files of one directory of the tree.
fn probe_tree(repo: &Repository, tree: &Tree, dir: &[String]) -> Result<Markers> {
    let read = |names: [&str; 2]| -> Option<(String, Vec<u8>)> {
        for name in names {
            let path = if dir.is_empty() {
                name.to_string()
            } else {
                format!("{}/{name}", dir.join("/"))
            };
            if let Ok(entry) = tree.get_path(Path::new(&path)) {
                if entry.kind() == Some(ObjectType::Blob) && entry.filemode() != MODE_LINK {
                    if let Ok(blob) = repo.find_blob(entry.id()) {
                        return Some((path, blob.content().to_vec()));
                    }
                }
            }
        }
        None
    };
    let work = read(["buf.work.yaml", "buf.work.yml"]);
    let buf_yaml = read(["buf.yaml", "buf.yml"]);
    Markers::parse(
        work.as_ref().map(|(n, b)| (n.as_str(), b.as_slice())),
        buf_yaml.as_ref().map(|(n, b)| (n.as_str(), b.as_slice())),
    )
}

/// The kept blobs under `tree` (paths relative to it), skipping submodules and symlinks.
fn collect(
    spec: &InputSpec,
    repo: &Repository,
    tree: &Tree,
    prefix: &str,
    out: &mut Vec<(String, Oid)>,
) -> Result<()> {
    for entry in tree.iter() {
        let Ok(name) = entry.name() else { continue };
        let path = if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}/{name}")
        };
        match entry.filemode() {
            MODE_TREE => {
                let sub = repo
                    .find_tree(entry.id())
                    .map_err(|e| missing_object(spec, &path, entry.id(), e))?;
                collect(spec, repo, &sub, &path, out)?;
            }
            MODE_LINK => {}
            MODE_COMMIT => {
                if spec.git.recurse_submodules {
                    return Err(Error::new(format!(
                        "input \"{}\": recurse_submodules=true: reading submodules is not supported (submodule at \"{path}\")",
                        spec.raw
                    ))
                    .with_help(
                        "drop `recurse_submodules` to skip submodules, or give the submodule's repository as its own input",
                    ));
                }
            }
            _ => {
                if is_kept_file(&path) {
                    out.push((path, entry.id()));
                }
            }
        }
    }
    Ok(())
}
