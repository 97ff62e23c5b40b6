//! What the unit tests share: writing a small tree of files to look at.

use std::path::Path;

/// Writes `text` at `path` (relative, `/`-separated) under `root`, making its directories.
pub(crate) fn write_file(root: &Path, path: &str, text: &str) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().expect("a path under the root"))
        .expect("directories made");
    std::fs::write(path, text).expect("file written");
}
