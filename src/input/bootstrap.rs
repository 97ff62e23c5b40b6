//! Minimal directory-only loader used until the full input reader (git, archives, images) lands.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use super::{Loaded, Snapshot};
use crate::{Error, Result};

pub fn load(input: &str, cwd: &Path) -> Result<Loaded> {
    let root = cwd.join(input);
    if !root.is_dir() {
        return Err(Error::new(format!("input {input:?}: no such directory")));
    }
    let mut files = BTreeMap::new();
    walk(&root, "", &mut files)?;
    Ok(Loaded::Sources(Snapshot {
        files,
        display_prefix: if input == "." {
            String::new()
        } else {
            input.trim_end_matches('/').to_string()
        },
        origin: format!("directory {input:?}"),
        target_file: None,
        disk_root: Some(root),
    }))
}

fn walk(dir: &Path, rel: &str, out: &mut BTreeMap<String, Arc<[u8]>>) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir.display(), e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir.display(), e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        let rel_path = if rel.is_empty() {
            name.clone()
        } else {
            format!("{rel}/{name}")
        };
        if path.is_dir() {
            if name != ".git" {
                walk(&path, &rel_path, out)?;
            }
        } else if name.ends_with(".proto") || name == "buf.yaml" || name == "buf.work.yaml" {
            let bytes = std::fs::read(&path).map_err(|e| Error::io(path.display(), e))?;
            out.insert(rel_path, Arc::from(bytes));
        }
    }
    Ok(())
}
