//! An in-memory session over one workspace directory, for an editor (the language server):
//! unsaved document texts are overlays over the files on disk, and each question touches only the
//! file asked about, its transitive imports and the module summaries.
//!
//! ```no_run
//! # fn main() -> protoforge::Result<()> {
//! use protoforge::engine::Session;
//! let mut session = Session::open(std::path::Path::new("proto"))?;
//! session.set_overlay("acme/v1/a.proto", Some("syntax = \"proto3\";\npackage acme.v1;\n".into()));
//! let findings = session.lint_file("acme/v1/a.proto")?; // compile errors or lint findings
//! session.set_overlay("acme/v1/a.proto", None); // closed: the file on disk again
//! # Ok(()) }
//! ```
//!
//! Summaries of the files that are not open stay in memory between questions (re-validated by
//! their stamp, so edits on disk are seen); the persistent cache is for separate CLI processes.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::check::Finding;
use crate::compile::{self, Compiled};
use crate::config::ModuleSpec;
use crate::image::{Image, ImageFile};
use crate::input::{self, Loaded, Snapshot};
use crate::workspace::{TargetFilter, Workspace};
use crate::{Error, Result};

/// A workspace directory with open documents.
pub struct Session {
    dir: PathBuf,
    overlays: BTreeMap<String, Arc<[u8]>>,
    /// A `--config` value (a buf.yaml path or its contents) used instead of the workspace's.
    config: Option<String>,
}

/// What compiling one file gave: its image (the file, its imports and, for lint, the relevant
/// module summaries) and the modules, or compile errors.
pub enum FileAnswer {
    Image {
        image: Image,
        modules: Vec<ModuleSpec>,
    },
    Errors(Vec<Finding>),
}

impl Session {
    /// A session over the workspace at `dir` (a directory input, as `protoforge lint DIR`).
    pub fn open(dir: &Path) -> Result<Session> {
        super::trust_process_memo(false);
        let dir = std::fs::canonicalize(dir).map_err(|e| Error::io(dir.display(), e))?;
        Ok(Session {
            dir,
            overlays: BTreeMap::new(),
            config: None,
        })
    }

    /// Uses this config (a buf.yaml path or its contents, as `--config` takes it) instead of the
    /// workspace's own.
    pub fn set_config(&mut self, config: Option<String>) {
        self.config = config;
    }

    /// The workspace directory (canonical).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Every module file of the workspace (import path, root-relative path), read or not, with
    /// overlays counted as present.
    pub fn module_files(&self) -> Result<Vec<super::ModuleFile>> {
        let snapshot = self.snapshot()?;
        let config = crate::config::load(&snapshot, self.config.as_deref())?;
        Ok(super::module_files(&snapshot, &config.modules))
    }

    /// The text of a workspace file: its overlay, else the file on disk.
    pub fn text(&self, root_path: &str) -> Option<Arc<[u8]>> {
        match self.overlays.get(root_path) {
            Some(t) => Some(t.clone()),
            None => input::read_disk_file(&self.dir.join(root_path)).ok(),
        }
    }

    /// Sets (or with `None`, drops) the unsaved text of the file at `root_path` (relative to the
    /// workspace directory).
    pub fn set_overlay(&mut self, root_path: &str, text: Option<String>) {
        match text {
            Some(t) => {
                self.overlays
                    .insert(root_path.to_string(), Arc::from(t.into_bytes()));
            }
            None => {
                self.overlays.remove(root_path);
            }
        }
    }

    /// The workspace as it is now: listed from disk, with the overlays read in.
    fn snapshot(&self) -> Result<Snapshot> {
        let Loaded::Sources(mut snapshot) = input::load_lazily(".", &self.dir)? else {
            return Err(Error::new("a session needs a directory input"));
        };
        for (path, bytes) in &self.overlays {
            snapshot.unread.remove(path);
            snapshot.files.insert(path.clone(), bytes.clone());
            snapshot.overlays.insert(path.clone());
        }
        Ok(snapshot)
    }

    /// Compiles the file at `root_path` and what it imports.
    pub fn compile_file(&mut self, root_path: &str) -> Result<FileAnswer> {
        let (answer, _) = self.compile(&[root_path.to_string()])?;
        Ok(answer)
    }

    fn compile(&mut self, root_paths: &[String]) -> Result<(FileAnswer, Snapshot)> {
        let mut snapshot = self.snapshot()?;
        let config = crate::config::load(&snapshot, self.config.as_deref())?;
        let filter = TargetFilter {
            paths: root_paths.to_vec(),
            exclude_paths: Vec::new(),
        };
        super::read_needed(&mut snapshot, &config.modules, &super::wanted_by(&filter))?;
        let workspace = Workspace::new(&snapshot, config, &filter)?;
        let answer = match compile::compile(&workspace, &compile::include_roots(&[]))? {
            Compiled::Image(image) => FileAnswer::Image {
                image,
                modules: workspace.modules,
            },
            Compiled::Errors(errors) => FileAnswer::Errors(errors),
        };
        Ok((answer, snapshot))
    }

    /// Lint findings (or compile errors) of the file at `root_path`, as `protoforge lint --path`
    /// gives them.
    pub fn lint_file(&mut self, root_path: &str) -> Result<Vec<Finding>> {
        Ok(self.check_file(root_path)?.1)
    }

    /// Compiles and lints the file at `root_path`: the compiled image (the file and its imports,
    /// before the module summaries are added for lint) with the modules, and the lint findings
    /// (or the compile errors, without an image).
    pub fn check_file(&mut self, root_path: &str) -> Result<(Option<FileAnswer>, Vec<Finding>)> {
        let (answer, snapshot) = self.compile(&[root_path.to_string()])?;
        let (mut image, modules) = match answer {
            FileAnswer::Errors(errors) => return Ok((None, errors)),
            FileAnswer::Image { image, modules } => (image, modules),
        };
        let compiled = FileAnswer::Image {
            image: image.clone(),
            modules: modules.clone(),
        };
        let targets: HashSet<String> = image.targets().map(|f| f.name().to_string()).collect();
        super::add_rest_of_modules(&mut image, &modules, &snapshot)?;
        let outcome = crate::commands::lint_image(&image, &modules, &|f: &ImageFile| {
            targets.contains(f.name())
        })?;
        Ok((Some(compiled), outcome.findings))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlays_are_seen_and_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let write = |p: &str, t: &str| {
            let path = dir.path().join(p);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, t).unwrap();
        };
        write("buf.yaml", "version: v2\n");
        write(
            "acme/v1/a.proto",
            "syntax = \"proto3\";\npackage acme.v1;\nmessage A { string id = 1; }\n",
        );
        write(
            "acme/v1/b.proto",
            "syntax = \"proto3\";\npackage acme.v1;\nimport \"acme/v1/a.proto\";\nmessage B { A a = 1; }\n",
        );
        let mut s = Session::open(dir.path()).unwrap();
        let clean = s.lint_file("acme/v1/b.proto").unwrap();
        assert!(clean.is_empty(), "{clean:?}");
        // An unsaved edit of an import breaks the file asked about.
        s.set_overlay(
            "acme/v1/a.proto",
            Some("syntax = \"proto3\";\npackage acme.v1;\nmessage C {}\n".into()),
        );
        let broken = s.lint_file("acme/v1/b.proto").unwrap();
        assert!(broken.iter().any(|f| f.rule == "COMPILE"), "{broken:?}");
        // An unsaved edit of the file itself: a lint finding.
        s.set_overlay("acme/v1/a.proto", None);
        s.set_overlay(
            "acme/v1/b.proto",
            Some("syntax = \"proto3\";\npackage acme.v1;\nimport \"acme/v1/a.proto\";\nmessage B { A badName = 1; }\n".into()),
        );
        let found = s.lint_file("acme/v1/b.proto").unwrap();
        assert!(
            found.iter().any(|f| f.rule == "FIELD_LOWER_SNAKE_CASE"),
            "{found:?}"
        );
        // Closed: the file on disk again.
        s.set_overlay("acme/v1/b.proto", None);
        assert!(s.lint_file("acme/v1/b.proto").unwrap().is_empty());
    }
}
