//! Which workspace an opened file belongs to, found as buf finds it: walking up from the file's
//! directory, the first `buf.work.yaml` or v2 `buf.yaml` is the workspace root; a v1 `buf.yaml`
//! is a module root, the workspace unless a `buf.work.yaml` further up lists it; a file with no
//! config above it belongs to the editor's folder that holds it (else its own directory), with
//! buf's defaults.

use std::path::{Path, PathBuf};

fn is_file(dir: &Path, names: &[&str]) -> Option<PathBuf> {
    names.iter().map(|n| dir.join(n)).find(|p| p.is_file())
}

/// Whether a buf.yaml declares `version: v2`.
fn is_v2(buf_yaml: &Path) -> bool {
    std::fs::read_to_string(buf_yaml).is_ok_and(|text| {
        text.lines().any(|l| {
            let l = l.trim();
            l.starts_with("version:")
                && l["version:".len()..]
                    .trim()
                    .trim_matches(|c| c == '"' || c == '\'')
                    == "v2"
        })
    })
}

/// The workspace root for a file (canonical path).
pub fn root_for(file: &Path, folders: &[PathBuf]) -> PathBuf {
    let mut v1_module: Option<PathBuf> = None;
    for dir in file.ancestors().skip(1) {
        if is_file(dir, &["buf.work.yaml", "buf.work"]).is_some() {
            return dir.to_path_buf();
        }
        if let Some(buf_yaml) = is_file(dir, &["buf.yaml", "buf.mod"]) {
            if v1_module.is_none() {
                if is_v2(&buf_yaml) {
                    return dir.to_path_buf();
                }
                v1_module = Some(dir.to_path_buf());
            }
        }
    }
    if let Some(m) = v1_module {
        return m;
    }
    let folder = folders
        .iter()
        .filter_map(|f| std::fs::canonicalize(f).ok())
        .filter(|f| file.starts_with(f))
        .max_by_key(|f| f.components().count());
    folder.unwrap_or_else(|| {
        file.parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("/"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_roots_as_buf_does() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        let write = |p: &str, t: &str| crate::test_support::write_file(&root, p, t);
        write("v2/buf.yaml", "version: v2\n");
        write("v2/a/b/x.proto", "");
        write("work/buf.work.yaml", "version: v1\ndirectories: [m]\n");
        write("work/m/buf.yaml", "version: v1\n");
        write("work/m/p/y.proto", "");
        write("v1/buf.yaml", "version: v1\n");
        write("v1/p/z.proto", "");
        write("none/q/w.proto", "");
        assert_eq!(root_for(&root.join("v2/a/b/x.proto"), &[]), root.join("v2"));
        assert_eq!(
            root_for(&root.join("work/m/p/y.proto"), &[]),
            root.join("work")
        );
        assert_eq!(root_for(&root.join("v1/p/z.proto"), &[]), root.join("v1"));
        assert_eq!(
            root_for(&root.join("none/q/w.proto"), &[root.join("none")]),
            root.join("none")
        );
        assert_eq!(
            root_for(&root.join("none/q/w.proto"), &[]),
            root.join("none/q")
        );
    }
}
