//! Inputs, in buf's syntax `location#key=value,...`: a directory, a single `.proto` file, a git
//! repository read in-process with git2 (no checkout), a `.tar`/`.tar.gz`/`.zip` archive, or an image
//! (`.binpb`/`.bin`/`.json`, `-` for stdin). Every source kind is read into the same in-memory
//! [`Snapshot`]; images come out as encoded binary `FileDescriptorSet` bytes.
//!
//! ```no_run
//! # fn main() -> protoforge::Result<()> {
//! use protoforge::input::{load, Loaded};
//! match load(".git#branch=main,subdir=proto", std::path::Path::new("."))? {
//!     Loaded::Sources(snapshot) => println!("{} files from {}", snapshot.files.len(), snapshot.origin),
//!     Loaded::Image(bytes) => println!("image of {} bytes", bytes.len()),
//! }
//! # Ok(())
//! # }
//! ```

mod archive;
mod dir;
mod git;
mod image;
pub mod spec;
pub mod target;

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

pub use spec::{Compression, Format, GitOptions, InputSpec};

use crate::{Error, Result};

/// The file names (at any depth) a snapshot keeps besides `.proto` files.
pub const CONFIG_FILE_NAMES: &[&str] = &[
    "buf.yaml",
    "buf.yml",
    "buf.work.yaml",
    "buf.work.yml",
    "buf.lock",
    "buf.gen.yaml",
];

/// Whether a snapshot keeps a file with this `/`-separated path.
pub fn is_kept_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.ends_with(".proto") || CONFIG_FILE_NAMES.contains(&name)
}

/// The files of a source input, read into memory.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// Every `.proto` file and buf config file ([`CONFIG_FILE_NAMES`]) under the root, keyed by
    /// `/`-separated path relative to the root.
    pub files: BTreeMap<String, Arc<[u8]>>,
    /// Where the root is, as users see it: prepended (with a `/`) to root-relative paths in
    /// messages. For a directory input it is the root relative to the working directory as buf
    /// shows it (`current` for input `current`, empty for `.`, `..` when the workspace is above,
    /// absolute for an absolute input); for a git repository or archive, the root inside it
    /// (`proto` for `subdir=proto`, empty for the top).
    pub display_prefix: String,
    /// Where the files came from, for messages: `directory "current"`, `branch "main" of ".git"`.
    pub origin: String,
    /// Root-relative paths (files or directories) the run is limited to: the file of a single-file
    /// input, or the module directory of an input that names one module of a workspace. Empty: all.
    pub target_paths: Vec<String>,
    /// The root on disk, for directory (and single-file) inputs.
    pub disk_root: Option<PathBuf>,
    /// The working directory the display prefix is relative to (directory inputs given as a
    /// relative path): used to show `b.proto` rather than `../b/b.proto` when the root is above it.
    pub display_base: Option<PathBuf>,
    /// Files listed but not read yet (inputs read with [`load_lazily`]): read them with
    /// [`Snapshot::read`]. Always empty for [`load`].
    pub unread: BTreeMap<String, Pending>,
    /// For git inputs: the repository the unread blobs are in.
    pub git_dir: Option<PathBuf>,
    /// Files whose text is not the one on disk (an editor's unsaved documents).
    pub overlays: std::collections::BTreeSet<String>,
    /// Contents already in memory by git blob id (the input of `breaking`, for its `--against`
    /// side): [`Snapshot::read`] takes an unread blob from here instead of the repository.
    pub known_blobs: Option<Arc<KnownBlobs>>,
}

/// Files of another snapshot by git blob id (the hash of their bytes), computed on first use:
/// a git snapshot reading a blob with one of these ids takes these bytes (the same bytes, one
/// copy in memory, no inflating).
pub struct KnownBlobs {
    files: Vec<Arc<[u8]>>,
    by_id: std::sync::OnceLock<std::collections::HashMap<[u8; 20], Arc<[u8]>>>,
}

impl KnownBlobs {
    /// The `.proto` files `snapshot` has read.
    pub fn of(snapshot: &Snapshot) -> KnownBlobs {
        KnownBlobs {
            files: snapshot
                .files
                .iter()
                .filter(|(path, _)| path.ends_with(".proto"))
                .map(|(_, bytes)| bytes.clone())
                .collect(),
            by_id: std::sync::OnceLock::new(),
        }
    }

    /// The bytes whose git blob id is `id`, if known.
    pub fn get(&self, id: &[u8; 20]) -> Option<&Arc<[u8]>> {
        let by_id = self.by_id.get_or_init(|| {
            use rayon::prelude::*;
            self.files
                .par_iter()
                .filter_map(|bytes| {
                    let oid = git2::Oid::hash_object(git2::ObjectType::Blob, bytes).ok()?;
                    let id: [u8; 20] = oid.as_bytes().try_into().ok()?;
                    Some((id, bytes.clone()))
                })
                .collect()
        });
        by_id.get(id)
    }
}

impl std::fmt::Debug for KnownBlobs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KnownBlobs({} files)", self.files.len())
    }
}

/// Where an unread file of a [`Snapshot`] is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pending {
    /// A file on disk.
    Disk(PathBuf),
    /// A git blob (its id is a hash of its content).
    Blob([u8; 20]),
}

/// A file of a [`Snapshot`] as [`Snapshot::entries`] gives it.
#[derive(Debug, Clone, Copy)]
pub enum Entry<'a> {
    /// Read: its bytes.
    Read(&'a Arc<[u8]>),
    /// Not read yet: where from.
    Unread(&'a Pending),
}

impl Snapshot {
    /// Every file's root-relative path, read or not, in order.
    pub fn paths(&self) -> impl Iterator<Item = &String> {
        self.entries().map(|(path, _)| path)
    }

    /// Every file, read or not, in path order, with its bytes or its pending read (a path both
    /// read and unread — never left so by [`Snapshot::read`] — counts as read, once).
    pub fn entries(&self) -> impl Iterator<Item = (&String, Entry<'_>)> {
        let mut read = self.files.iter().peekable();
        let mut unread = self.unread.iter().peekable();
        std::iter::from_fn(move || match (read.peek(), unread.peek()) {
            (Some((a, _)), Some((b, _))) if b < a => unread
                .next()
                .map(|(p, pending)| (p, Entry::Unread(pending))),
            (Some((a, _)), Some((b, _))) if a == b => {
                unread.next();
                read.next().map(|(p, bytes)| (p, Entry::Read(bytes)))
            }
            (Some(_), _) => read.next().map(|(p, bytes)| (p, Entry::Read(bytes))),
            (None, _) => unread
                .next()
                .map(|(p, pending)| (p, Entry::Unread(pending))),
        })
    }

    /// Reads unread files (in parallel for files on disk) and moves them into [`Snapshot::files`].
    /// Paths already read or unknown are skipped.
    pub fn read(&mut self, paths: &[String]) -> Result<()> {
        use rayon::prelude::*;
        let mut wanted: Vec<(String, Pending)> = paths
            .iter()
            .filter_map(|p| self.unread.remove_entry(p))
            .collect();
        if let Some(known) = &self.known_blobs {
            wanted.retain(|(path, pending)| {
                let Pending::Blob(id) = pending else {
                    return true;
                };
                let Some(bytes) = known.get(id) else {
                    return true;
                };
                self.files.insert(path.clone(), bytes.clone());
                false
            });
        }
        if wanted.is_empty() {
            return Ok(());
        }
        let blobs = wanted.iter().any(|(_, p)| matches!(p, Pending::Blob(_)));
        let read: Vec<(String, Arc<[u8]>)> = if blobs {
            git::read_pending(self.git_dir.as_deref(), &self.origin, wanted)?
        } else {
            wanted
                .into_par_iter()
                .map(|(rel, pending)| match pending {
                    Pending::Disk(path) => dir::read_file(&path).map(|b| (rel, b)),
                    Pending::Blob(_) => unreachable!("no blobs here"),
                })
                .collect::<Result<_>>()?
        };
        self.files.extend(read);
        Ok(())
    }

    /// The path a user sees for a root-relative path.
    pub fn display_path(&self, path: &str) -> String {
        let prefix = self.display_prefix.trim_end_matches('/');
        if prefix.is_empty() || prefix == "." {
            return path.to_string();
        }
        if prefix == ".." || prefix.starts_with("../") {
            if let (Some(root), Some(base)) = (&self.disk_root, &self.display_base) {
                return relative_display(&root.join(path), base);
            }
        }
        format!("{prefix}/{path}")
    }

    /// The reverse of [`Snapshot::display_path`]: the root-relative path of a file of this
    /// snapshot shown as `display` (`None` when no file of the snapshot is shown so).
    pub fn root_path(&self, display: &str) -> Option<&str> {
        let prefix = self.display_prefix.trim_end_matches('/');
        let direct = if prefix.is_empty() || prefix == "." {
            Some(display)
        } else {
            display
                .strip_prefix(prefix)
                .and_then(|rest| rest.strip_prefix('/'))
        };
        if let Some((key, _)) = direct.and_then(|p| self.files.get_key_value(p)) {
            return Some(key.as_str());
        }
        // Prefixes that climb (`..`) are shown relative to the working directory.
        self.files
            .keys()
            .map(String::as_str)
            .find(|key| self.display_path(key) == display)
    }
}

/// What an input resolved to.
#[derive(Debug, Clone)]
pub enum Loaded {
    Sources(Snapshot),
    /// An encoded binary `FileDescriptorSet` (a buf image is wire-compatible): JSON images are
    /// converted, gzip is undone. Build a `DescriptorPool` from it to keep custom options.
    Image(Vec<u8>),
}

/// Parses and reads an input. `cwd` is the directory relative locations are resolved against.
pub fn load(input: &str, cwd: &Path) -> Result<Loaded> {
    let spec = InputSpec::parse(input)?;
    load_spec(&spec, cwd)
}

/// Like [`load`], but directory, single-file and git inputs are only listed: their buf config
/// files are read, every other file stays in [`Snapshot::unread`] until [`Snapshot::read`].
pub fn load_lazily(input: &str, cwd: &Path) -> Result<Loaded> {
    let spec = InputSpec::parse(input)?;
    read_spec(&spec, cwd, true)
}

/// Reads one file of a directory input (as [`Snapshot::read`] does).
pub fn read_disk_file(path: &Path) -> Result<Arc<[u8]>> {
    dir::read_file(path)
}

/// Reads an already parsed input.
pub fn load_spec(spec: &InputSpec, cwd: &Path) -> Result<Loaded> {
    read_spec(spec, cwd, false)
}

fn read_spec(spec: &InputSpec, cwd: &Path, lazily: bool) -> Result<Loaded> {
    let cwd = absolute_cwd(cwd)?;
    match spec.format {
        Format::Dir => dir::load_dir(spec, &cwd, lazily).map(Loaded::Sources),
        Format::ProtoFile => dir::load_proto_file(spec, &cwd, lazily).map(Loaded::Sources),
        Format::Git => git::load(spec, &cwd, lazily).map(Loaded::Sources),
        Format::Tar | Format::Zip => archive::load(spec, &cwd).map(Loaded::Sources),
        Format::Binpb | Format::Json | Format::Txtpb | Format::Yaml => {
            image::load(spec, &cwd).map(Loaded::Image)
        }
    }
}

fn absolute_cwd(cwd: &Path) -> Result<PathBuf> {
    let joined = if cwd.is_absolute() {
        cwd.to_path_buf()
    } else {
        std::env::current_dir()
            .map_err(|e| Error::io("current directory", e))?
            .join(cwd)
    };
    Ok(clean_path(&joined))
}

/// Lexically cleans a path: drops `.`, resolves `..` against earlier components.
pub(crate) fn clean_path(path: &Path) -> PathBuf {
    let mut out: Vec<Component> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir) | Some(Component::Prefix(_)) => {}
                _ => out.push(c),
            },
            c => out.push(c),
        }
    }
    if out.is_empty() {
        return PathBuf::from(".");
    }
    out.iter().collect()
}

/// `target` relative to `base` (both absolute and clean), `/`-separated, with `..` where needed.
pub(crate) fn relative_display(target: &Path, base: &Path) -> String {
    let (target, base) = (clean_path(target), clean_path(base));
    let t: Vec<_> = target.components().collect();
    let b: Vec<_> = base.components().collect();
    let common = t.iter().zip(b.iter()).take_while(|(x, y)| x == y).count();
    let mut parts: Vec<String> = Vec::new();
    for _ in common..b.len() {
        parts.push("..".to_string());
    }
    for c in &t[common..] {
        parts.push(c.as_os_str().to_string_lossy().into_owned());
    }
    parts.join("/")
}

/// Reads all of a file or standard input (`-`).
pub(crate) fn read_location(spec: &InputSpec, cwd: &Path) -> Result<Vec<u8>> {
    if spec.location == "-" {
        return crate::limits::read_capped(std::io::stdin().lock(), crate::limits::MAX_INPUT_BYTES)
            .map_err(|e| Error::io(format!("input \"{}\": standard input", spec.raw), e));
    }
    let path = cwd.join(&spec.location);
    crate::limits::read_regular_capped(&path, crate::limits::MAX_INPUT_BYTES).map_err(|e| {
        let err = Error::new(format!(
            "input \"{}\": cannot read {}: {e}",
            spec.raw, spec.location
        ));
        if e.kind() == std::io::ErrorKind::NotFound {
            err.with_help("check the path; it is relative to the current directory")
        } else {
            err
        }
    })
}

/// Undoes the input's compression.
pub(crate) fn decompress(spec: &InputSpec, bytes: Vec<u8>) -> Result<Vec<u8>> {
    match spec.compression {
        Compression::None => Ok(bytes),
        Compression::Gzip => {
            let limit = crate::limits::MAX_INPUT_BYTES;
            crate::limits::read_capped(flate2::read::MultiGzDecoder::new(&bytes[..]), limit)
                .map_err(|e| {
                    if e.kind() == std::io::ErrorKind::FileTooLarge {
                        return Error::new(format!("input \"{}\": decompresses to {e}", spec.raw))
                            .with_help("protoforge reads inputs into memory and caps their size");
                    }
                    Error::new(format!("input \"{}\": not valid gzip data: {e}", spec.raw))
                        .with_help(
                        "give an uncompressed file, or set `compression=none` if it is not gzipped",
                    )
                })
        }
        Compression::Zstd => Err(Error::new(format!(
            "input \"{}\": zstd compression is not supported",
            spec.raw
        ))
        .with_help("decompress it first (`zstd -d`), or use gzip")),
    }
}

/// Splits a clean `/`-separated relative path into components (`""` -> none).
pub(crate) fn components(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

/// Selects the files under `root` (a clean relative directory, `""` for all) and re-keys them
/// relative to it.
pub(crate) fn files_under(
    files: BTreeMap<String, Arc<[u8]>>,
    root: &str,
) -> BTreeMap<String, Arc<[u8]>> {
    if root.is_empty() {
        return files;
    }
    let prefix = format!("{root}/");
    files
        .into_iter()
        .filter_map(|(path, bytes)| {
            path.strip_prefix(&prefix)
                .map(|rel| (rel.to_string(), bytes))
        })
        .collect()
}

/// For `include_package_files=true`: the `.proto` files in the target file's directory declaring
/// the same package.
pub(crate) fn package_files(files: &BTreeMap<String, Arc<[u8]>>, target: &str) -> Vec<String> {
    let Some(package) = files.get(target).map(|b| declared_package(b)) else {
        return vec![target.to_string()];
    };
    let dir = target.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
    let mut out: Vec<String> = files
        .iter()
        .filter(|(path, _)| {
            path.ends_with(".proto") && path.rsplit_once('/').map(|(d, _)| d).unwrap_or("") == dir
        })
        .filter(|(_, bytes)| declared_package(bytes) == package)
        .map(|(path, _)| path.clone())
        .collect();
    if !out.iter().any(|p| p == target) {
        out.push(target.to_string());
    }
    out.sort();
    out
}

/// The package a `.proto` source declares (`""` when none), skipping comments.
fn declared_package(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut stripped = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '/' && chars.peek() == Some(&'/') {
            for c in chars.by_ref() {
                if c == '\n' {
                    break;
                }
            }
            stripped.push('\n');
        } else if c == '/' && chars.peek() == Some(&'*') {
            chars.next();
            let mut prev = ' ';
            for c in chars.by_ref() {
                if prev == '*' && c == '/' {
                    break;
                }
                prev = c;
            }
            stripped.push(' ');
        } else {
            stripped.push(c);
        }
    }
    for statement in stripped.split(';') {
        let s = statement.trim();
        if let Some(rest) = s.strip_prefix("package") {
            if rest.starts_with(char::is_whitespace) {
                return rest.split_whitespace().collect::<String>();
            }
        }
    }
    String::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Read and unread files come out merged in path order, each once, with what it maps to.
    #[test]
    fn entries_merge_read_and_unread_files_in_path_order() {
        let mut snapshot = Snapshot::default();
        for p in ["b.proto", "d.proto"] {
            snapshot.files.insert(p.to_string(), Arc::from(&b"x"[..]));
        }
        snapshot
            .unread
            .insert("a.proto".into(), Pending::Disk("a.proto".into()));
        snapshot
            .unread
            .insert("c.proto".into(), Pending::Blob([0; 20]));
        let seen: Vec<(&str, bool)> = snapshot
            .entries()
            .map(|(p, e)| (p.as_str(), matches!(e, Entry::Read(_))))
            .collect();
        assert_eq!(
            seen,
            [
                ("a.proto", false),
                ("b.proto", true),
                ("c.proto", false),
                ("d.proto", true)
            ]
        );
        let paths: Vec<&String> = snapshot.paths().collect();
        assert_eq!(paths, ["a.proto", "b.proto", "c.proto", "d.proto"]);
    }
}
