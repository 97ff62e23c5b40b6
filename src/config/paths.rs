//! Paths in config files, normalised and validated as buf does (`normalpath.NormalizeAndValidate`):
//! cleaned (`a/./b/` -> `a/b`, `a/../b` -> `b`), relative, and inside the directory of the file.
//! Internally the root itself is `""`; messages show it as `.`.

/// Cleans a `/`-separated path; the root is `""`. `Err` carries buf's reason.
pub(crate) fn normalize(path: &str) -> Result<String, String> {
    if path.starts_with('/') {
        return Err(format!("{path}: expected to be relative"));
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err(format!("{path}: is outside the context directory"));
                }
            }
            other => parts.push(other),
        }
    }
    Ok(parts.join("/"))
}

/// `dir` joined with `path` (both normalised, `""` is the root).
pub(crate) fn join(dir: &str, path: &str) -> String {
    match (dir.is_empty(), path.is_empty()) {
        (true, _) => path.to_string(),
        (false, true) => dir.to_string(),
        (false, false) => format!("{dir}/{path}"),
    }
}

/// Whether `path` is `dir` or inside it (both normalised).
pub(crate) fn equals_or_contains(dir: &str, path: &str) -> bool {
    dir.is_empty()
        || path == dir
        || (path.len() > dir.len() && path.starts_with(dir) && path.as_bytes()[dir.len()] == b'/')
}

/// Whether `path` is strictly inside `dir`.
pub(crate) fn contains(dir: &str, path: &str) -> bool {
    path != dir && equals_or_contains(dir, path)
}

/// `path` relative to `dir` (`path` must be inside `dir`).
pub(crate) fn relative(dir: &str, path: &str) -> String {
    if dir.is_empty() {
        path.to_string()
    } else if path == dir {
        String::new()
    } else {
        path[dir.len() + 1..].to_string()
    }
}

/// A normalised path as buf prints it (`.` for the root).
pub(crate) fn shown(path: &str) -> &str {
    if path.is_empty() {
        "."
    } else {
        path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_like_buf() {
        assert_eq!(normalize(".").unwrap(), "");
        assert_eq!(normalize("./a/b/").unwrap(), "a/b");
        assert_eq!(normalize("a/../b").unwrap(), "b");
        assert_eq!(normalize("a//b").unwrap(), "a/b");
        assert_eq!(normalize("/a").unwrap_err(), "/a: expected to be relative");
        assert_eq!(
            normalize("../a").unwrap_err(),
            "../a: is outside the context directory"
        );
        assert_eq!(
            normalize("a/../../b").unwrap_err(),
            "a/../../b: is outside the context directory"
        );
    }

    #[test]
    fn containment() {
        assert!(equals_or_contains("", "a"));
        assert!(equals_or_contains("a", "a"));
        assert!(equals_or_contains("a", "a/b"));
        assert!(!equals_or_contains("a", "ab"));
        assert!(contains("a", "a/b") && !contains("a", "a"));
        assert_eq!(relative("a", "a/b/c"), "b/c");
        assert_eq!(relative("", "a"), "a");
        assert_eq!(join("", "a"), "a");
        assert_eq!(join("a", ""), "a");
        assert_eq!(join("a", "b"), "a/b");
    }
}
