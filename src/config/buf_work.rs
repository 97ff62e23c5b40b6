//! `buf.work.yaml` (also the legacy name `buf.work`), version v1: the directories of a workspace,
//! each a module with its own v1beta1/v1 `buf.yaml` (or none, for v1 defaults).

use super::buf_yaml::read_version;
use super::paths::{self, shown};
use super::yaml::Source;
use super::ConfigVersion;
use crate::Result;

/// A parsed and validated `buf.work.yaml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BufWorkYaml {
    /// The name the file was read under (for messages).
    pub file: String,
    /// The workspace directories, normalised, relative to the directory of the file, sorted.
    /// Never empty, never `.`, no duplicates, none inside another.
    pub directories: Vec<String>,
}

/// Parses a `buf.work.yaml` read as `display_path`.
pub fn parse_buf_work_yaml(display_path: &str, text: &str) -> Result<BufWorkYaml> {
    let src = Source {
        file: display_path,
        text,
        json: false,
    };
    let (root, _) = read_version(&src, "buf.work.yaml", &[ConfigVersion::V1], "v1")?;
    let fields = src.fields(
        &root,
        "buf.work.yaml",
        &["version", "directories"],
        &|key| {
            matches!(
                key,
                "modules" | "lint" | "breaking" | "deps" | "name" | "build"
            )
            .then(|| {
                format!("`{key}` belongs in a buf.yaml; a buf.work.yaml only lists `directories`")
            })
        },
    )?;
    let directories = match fields.get("directories") {
        Some(node) => src.strings(node, "directories")?,
        None => Vec::new(),
    };
    if directories.is_empty() {
        let at = fields.get("directories").unwrap_or(&root);
        return Err(src
            .error_at(at, "directories is empty")
            .with_help("list the module directories of the workspace: `directories: [proto]`"));
    }
    let mut normalized: Vec<(String, String, &super::yaml::Node)> = Vec::new();
    for (dir, node) in &directories {
        let normal = paths::normalize(dir)
            .map_err(|e| src.error_at(node, format!("directory \"{dir}\" is invalid: {e}")))?;
        if normalized.iter().any(|(n, _, _)| *n == normal) {
            return Err(src.error_at(
                node,
                format!("directory \"{dir}\" is listed more than once"),
            ));
        }
        if normal.is_empty() {
            return Err(src
                .error_at(node, "directory \".\" is listed, it is not valid to have \".\" as a workspace directory, as this is no different than not having a workspace at all")
                .with_help("remove the buf.work.yaml and put the buf.yaml at the root, or list subdirectories"));
        }
        normalized.push((normal, dir.clone(), node));
    }
    let mut sorted: Vec<&(String, String, &super::yaml::Node)> = normalized.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    for (i, left) in sorted.iter().enumerate() {
        for right in &sorted[i + 1..] {
            let (outer, inner) = if paths::contains(&left.0, &right.0) {
                (left, right)
            } else if paths::contains(&right.0, &left.0) {
                (right, left)
            } else {
                continue;
            };
            return Err(src
                .error_at(
                    inner.2,
                    format!(
                        "directory \"{}\" contains directory \"{}\"",
                        outer.1, inner.1
                    ),
                )
                .with_help(format!(
                    "workspace directories cannot overlap: remove \"{}\" or \"{}\"",
                    shown(&outer.0),
                    shown(&inner.0)
                )));
        }
    }
    Ok(BufWorkYaml {
        file: display_path.to_string(),
        directories: sorted.into_iter().map(|(n, _, _)| n.clone()).collect(),
    })
}
