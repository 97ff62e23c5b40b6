//! Inputs, in buf's syntax `location#key=value,...`: a directory, a single `.proto` file, a git
//! repository read in-process with git2 (no checkout), a `.tar`/`.tar.gz`/`.zip` archive, or an image
//! (`.binpb`/`.bin`/`.json`, `-` for stdin). Every source kind is read into the same in-memory
//! [`Snapshot`]; images come out as a `FileDescriptorSet`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

/// The files of a source input, read into memory.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// Every `.proto` file and buf config file (`buf.yaml`, `buf.work.yaml`, `buf.lock`) under the
    /// root, keyed by `/`-separated path relative to the root.
    pub files: BTreeMap<String, Arc<[u8]>>,
    /// Prepended (with a `/`) to paths shown to users: `current` for input `current`, empty for `.`.
    pub display_prefix: String,
    /// Where the files came from, for messages: `directory "current"`, `git ref "main" of ".git"`.
    pub origin: String,
    /// For a single-file input (`foo/bar.proto`): that file, relative to the root.
    pub target_file: Option<String>,
    /// The root on disk, for directory (and single-file) inputs.
    pub disk_root: Option<PathBuf>,
}

impl Snapshot {
    /// The path a user sees for a root-relative path.
    pub fn display_path(&self, path: &str) -> String {
        if self.display_prefix.is_empty() || self.display_prefix == "." {
            path.to_string()
        } else {
            format!("{}/{}", self.display_prefix.trim_end_matches('/'), path)
        }
    }
}

/// What an input resolved to.
#[derive(Debug, Clone)]
pub enum Loaded {
    Sources(Snapshot),
    Image(prost_types::FileDescriptorSet),
}

mod bootstrap;
pub use bootstrap::load;
