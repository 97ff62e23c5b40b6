//! Which root an input is read from, and which paths the run is limited to, as buf decides it.
//!
//! Measured with buf 1.75:
//! - From the input directory upward (on disk: up to the filesystem root, beyond the working
//!   directory; in a git tree or archive: up to its root) the first directory with a
//!   `buf.work.yaml` listing a directory that is or contains the input, or a v2 `buf.yaml` with a
//!   module path that is or contains the input (or the input directory itself), is the workspace:
//!   the root is there. An input that is a module directory limits the run to it; an input strictly
//!   inside a module is an error ("contained by module at path ...").
//! - Without a workspace, a v1 `buf.yaml` between the input and the "bucket" root (the working
//!   directory when the input is under it, else the input itself; the tree root for git and
//!   archives) makes the module: a single file is read with that module as root; a directory below
//!   it is the same error.
//! - Otherwise the input directory (a file's own directory) is the root.

use crate::{Error, Result};

/// The buf config files that mark a workspace or module in a directory.
#[derive(Debug, Default)]
pub struct Markers {
    /// `buf.work.yaml` (or `.yml`): its `directories`, normalised.
    pub work_directories: Option<Vec<String>>,
    /// `buf.yaml` (or `.yml`).
    pub buf_yaml: Option<BufYaml>,
}

#[derive(Debug)]
pub enum BufYaml {
    /// v2: the module paths (`.` when none are listed).
    V2 { module_paths: Vec<String> },
    /// v1 or v1beta1: one module at this directory.
    V1,
}

impl Markers {
    /// Reads markers from the contents of `buf.work.yaml` and `buf.yaml` (either may be absent).
    /// A file that is not valid YAML is an error naming it.
    pub fn parse(work: Option<(&str, &[u8])>, buf_yaml: Option<(&str, &[u8])>) -> Result<Markers> {
        let mut markers = Markers::default();
        if let Some((name, bytes)) = work {
            let parsed = crate::config::parse_buf_work_yaml(name, &utf8(name, bytes)?)?;
            markers.work_directories = Some(parsed.directories);
        }
        if let Some((name, bytes)) = buf_yaml {
            let parsed = crate::config::parse_buf_yaml(name, &utf8(name, bytes)?)?;
            markers.buf_yaml = Some(if parsed.version == crate::config::ConfigVersion::V2 {
                BufYaml::V2 {
                    module_paths: parsed.modules.into_iter().map(|m| m.dir).collect(),
                }
            } else {
                BufYaml::V1
            });
        }
        Ok(markers)
    }

    /// The module directories of a workspace here (relative to this directory), if it is one.
    fn workspace_dirs(&self) -> Option<&[String]> {
        if let Some(dirs) = &self.work_directories {
            return Some(dirs);
        }
        match &self.buf_yaml {
            Some(BufYaml::V2 { module_paths }) => Some(module_paths),
            _ => None,
        }
    }
}

fn utf8(name: &str, bytes: &[u8]) -> Result<String> {
    String::from_utf8(bytes.to_vec()).map_err(|_| {
        Error::new(format!("{name}: not valid UTF-8")).with_help("save the file as UTF-8")
    })
}

/// `a/./b/` -> `a/b`, `.` -> ``.
pub fn clean_rel(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

/// `a` equals or contains `b` (both clean, relative, `""` is the root).
pub fn contains(a: &str, b: &str) -> bool {
    a.is_empty()
        || a == b
        || (b.len() > a.len() && b.starts_with(a) && b.as_bytes()[a.len()] == b'/')
}

/// Where an input is read from: `root` is a prefix of the input's directory components.
#[derive(Debug, PartialEq, Eq)]
pub struct Located {
    /// Number of leading components of the input directory that make the root.
    pub root_len: usize,
    /// Paths relative to the root that the run is limited to (empty: everything).
    pub target_paths: Vec<String>,
}

/// Finds the root for an input directory `dir` (components from the top of the tree), or for a
/// file `file_name` in it. `bucket_len`: components of the bucket root (see module docs).
/// `probe(components)` reads the markers of one directory.
pub fn locate(
    dir: &[String],
    file_name: Option<&str>,
    bucket_len: usize,
    probe: &mut dyn FnMut(&[String]) -> Result<Markers>,
) -> Result<Located> {
    let rel_from = |len: usize| dir[len..].join("/");
    let target_from = |len: usize| {
        let d = rel_from(len);
        match file_name {
            Some(f) if d.is_empty() => f.to_string(),
            Some(f) => format!("{d}/{f}"),
            None => d,
        }
    };

    // 1. A controlling workspace, walking up to the top.
    let mut v1_modules: Vec<usize> = Vec::new();
    for len in (0..=dir.len()).rev() {
        let markers = probe(&dir[..len])?;
        if matches!(markers.buf_yaml, Some(BufYaml::V1)) {
            v1_modules.push(len);
        }
        let Some(module_dirs) = markers.workspace_dirs() else {
            continue;
        };
        let input = target_from(len);
        let input_dir = rel_from(len);
        let controlling = (len == dir.len() && file_name.is_none())
            || module_dirs.iter().any(|m| contains(m, &input));
        if !controlling {
            continue;
        }
        if file_name.is_some() || input_dir.is_empty() {
            let target_paths = if input.is_empty() {
                Vec::new()
            } else {
                vec![input]
            };
            return Ok(Located {
                root_len: len,
                target_paths,
            });
        }
        if module_dirs.contains(&input_dir) {
            return Ok(Located {
                root_len: len,
                target_paths: vec![input_dir],
            });
        }
        let module = module_dirs
            .iter()
            .find(|m| contains(m, &input_dir))
            .cloned()
            .unwrap_or_default();
        return Err(contained_error(&input_dir, &module));
    }

    // 2. A v1 module between the input and the bucket root.
    if let Some(&len) = v1_modules.iter().find(|&&len| len >= bucket_len) {
        if file_name.is_some() {
            return Ok(Located {
                root_len: len,
                target_paths: vec![target_from(len)],
            });
        }
        if len == dir.len() {
            return Ok(Located {
                root_len: len,
                target_paths: Vec::new(),
            });
        }
        let input_dir = dir[bucket_len..].join("/");
        let module = dir[bucket_len..len].join("/");
        return Err(contained_error(
            &input_dir,
            if module.is_empty() { "." } else { &module },
        ));
    }

    // 3. The input directory itself.
    let target_paths = file_name.map(|f| vec![f.to_string()]).unwrap_or_default();
    Ok(Located {
        root_len: dir.len(),
        target_paths,
    })
}

fn contained_error(input: &str, module: &str) -> Error {
    let module = if module.is_empty() { "." } else { module };
    Error::new(format!(
        "failed to build input \"{input}\" because it is contained by module at path \"{module}\" specified in your \
         configuration, you must provide the workspace or module as the input, and filter to this path using --path"
    ))
    .with_help(format!("use the directory holding the configuration as the input, with `--path {input}`"))
}
