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
use std::time::{Duration, Instant};

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
    /// Unsaved texts by root path, each with the number of the edit that set it.
    overlays: BTreeMap<String, (Arc<[u8]>, u64)>,
    edits: u64,
    /// A `--config` value (a buf.yaml path or its contents) used instead of the workspace's.
    config: Option<String>,
    /// What was listed and stamped on disk, trusted for `disk_interval` or until
    /// [`Session::disk_changed`].
    disk: Option<DiskState>,
    disk_interval: Duration,
}

/// The tree as listed from disk (no file read), and what the last lint learnt from it.
struct DiskState {
    at: Instant,
    snapshot: Snapshot,
    rest: Option<RestState>,
}

/// The summaries of the module files outside the last lint's image, for the same image files,
/// modules and other open documents; and the files they added to the last image, by its
/// [`crate::lint::scope::image_key`].
struct RestState {
    present: Vec<String>,
    modules: Vec<ModuleSpec>,
    others: Vec<(String, u64)>,
    rest: Vec<super::RestFile>,
    added: Option<(String, Vec<ImageFile>)>,
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
            edits: 0,
            config: None,
            disk: None,
            disk_interval: Duration::ZERO,
        })
    }

    /// Trusts what was listed and stamped on disk for `interval` before looking again (an
    /// editor's server calls [`Session::disk_changed`] when it hears of a change sooner). Zero,
    /// the default, looks at the disk on every question.
    pub fn set_disk_interval(&mut self, interval: Duration) {
        self.disk_interval = interval;
    }

    /// Files on disk may have changed (saved, created, deleted): the next question lists and
    /// stamps the tree again.
    pub fn disk_changed(&mut self) {
        self.disk = None;
    }

    /// Uses this config (a buf.yaml path or its contents, as `--config` takes it) instead of the
    /// workspace's own.
    pub fn set_config(&mut self, config: Option<String>) {
        self.config = config;
        self.disk = None;
    }

    /// The workspace directory (canonical).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Every module file of the workspace (import path, root-relative path), read or not, with
    /// overlays counted as present.
    pub fn module_files(&mut self) -> Result<Vec<super::ModuleFile>> {
        let snapshot = self.snapshot()?;
        let config = crate::config::load(&snapshot, self.config.as_deref())?;
        Ok(super::module_files(&snapshot, &config.modules))
    }

    /// The text of a workspace file: its overlay, else the file on disk.
    pub fn text(&self, root_path: &str) -> Option<Arc<[u8]>> {
        match self.overlays.get(root_path) {
            Some((t, _)) => Some(t.clone()),
            None => input::read_disk_file(&self.dir.join(root_path)).ok(),
        }
    }

    /// Sets (or with `None`, drops) the unsaved text of the file at `root_path` (relative to the
    /// workspace directory).
    pub fn set_overlay(&mut self, root_path: &str, text: Option<String>) {
        match text {
            Some(t) => {
                self.edits += 1;
                self.overlays.insert(
                    root_path.to_string(),
                    (Arc::from(t.into_bytes()), self.edits),
                );
            }
            None => {
                self.overlays.remove(root_path);
            }
        }
    }

    /// The workspace as it is now: listed from disk (or as listed less than the disk interval
    /// ago), with the overlays read in.
    fn snapshot(&mut self) -> Result<Snapshot> {
        let fresh = self
            .disk
            .as_ref()
            .is_some_and(|d| d.at.elapsed() < self.disk_interval);
        if !fresh {
            let Loaded::Sources(listed) = input::load_lazily(".", &self.dir)? else {
                return Err(Error::new("a session needs a directory input"));
            };
            self.disk = Some(DiskState {
                at: Instant::now(),
                snapshot: listed,
                rest: None,
            });
        }
        let mut snapshot = self.disk.as_ref().expect("set above").snapshot.clone();
        for (path, (bytes, _)) in &self.overlays {
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
        let added = self.rest_files(&image, &modules, &snapshot, root_path)?;
        image.files.extend(added);
        let outcome = crate::commands::lint_image(&image, &modules, &|f: &ImageFile| {
            targets.contains(f.name())
        })?;
        Ok((Some(compiled), outcome.findings))
    }
}

impl Session {
    /// The files [`super::add_rest_of_modules`] would add to `image`, reused from the last
    /// question while nothing they depend on changed: the disk (as listed and stamped), the
    /// image's files, the modules, the other open documents, and what of the image
    /// [`crate::lint::scope::image_key`] keeps.
    fn rest_files(
        &mut self,
        image: &Image,
        modules: &[ModuleSpec],
        snapshot: &Snapshot,
        root_path: &str,
    ) -> Result<Vec<ImageFile>> {
        let mut present: Vec<String> = image.files.iter().map(|f| f.name().to_string()).collect();
        present.sort();
        let others: Vec<(String, u64)> = self
            .overlays
            .iter()
            .filter(|(p, _)| p.as_str() != root_path)
            .map(|(p, (_, edit))| (p.clone(), *edit))
            .collect();
        let Some(disk) = self.disk.as_mut() else {
            // Not kept (no listing): as an uncached run.
            let names: foldhash::HashSet<&str> = present.iter().map(String::as_str).collect();
            let rest = super::rest_of_modules(snapshot, modules, &names)?;
            return super::rest_files(image, &rest, snapshot);
        };
        let same = disk
            .rest
            .as_ref()
            .is_some_and(|r| r.present == present && r.modules == modules && r.others == others);
        if !same {
            let names: foldhash::HashSet<&str> = present.iter().map(String::as_str).collect();
            let rest = super::rest_of_modules(snapshot, modules, &names)?;
            disk.rest = Some(RestState {
                present,
                modules: modules.to_vec(),
                others,
                rest,
                added: None,
            });
        }
        let state = disk.rest.as_mut().expect("set above");
        let key = crate::lint::scope::image_key(image);
        if let Some((k, added)) = &state.added {
            if *k == key {
                return Ok(added.clone());
            }
        }
        let added = super::rest_files(image, &state.rest, snapshot)?;
        state.added = Some((key, added.clone()));
        Ok(added)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlays_are_seen_and_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let write = |p: &str, t: &str| crate::test_support::write_file(dir.path(), p, t);
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

#[cfg(test)]
mod incremental_tests {
    use super::*;

    use crate::test_support::write_file as write;

    /// What a session that keeps nothing between questions answers, with the same overlays.
    fn fresh(dir: &Path, overlays: &[(&str, &str)], path: &str) -> Vec<String> {
        let mut s = Session::open(dir).unwrap();
        for (p, t) in overlays {
            s.set_overlay(p, Some(t.to_string()));
        }
        answer(&mut s, path)
    }

    fn answer(s: &mut Session, path: &str) -> Vec<String> {
        s.lint_file(path)
            .unwrap()
            .iter()
            .map(|f| format!("{f:?}"))
            .collect()
    }

    /// A session that keeps the listing, the summaries and the added files between edits
    /// answers as a fresh one after each of a sequence of edits: unsaved edits of the file
    /// (same image key and not), edits on disk of an import and of a file that is not
    /// imported, a new file and a deleted one (each told by `disk_changed`, as the language
    /// server does on a save or a watched-file notice).
    #[test]
    fn incremental_answers_equal_fresh_ones() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        write(
            dir,
            "buf.yaml",
            "version: v2\nlint:\n  use: [STANDARD, PACKAGE_NO_IMPORT_CYCLE]\n",
        );
        write(
            dir,
            "acme/v1/a.proto",
            "syntax = \"proto3\";\npackage acme.v1;\nmessage GetRequest {}\nmessage GetResponse {}\n",
        );
        write(
            dir,
            "acme/v1/c.proto",
            "syntax = \"proto3\";\npackage acme.v1;\nimport \"acme/v1/a.proto\";\nservice CService {\n  rpc Get(GetRequest) returns (GetResponse);\n}\n",
        );
        write(
            dir,
            "acme/v2/d.proto",
            "syntax = \"proto3\";\npackage acme.v2;\nmessage D {}\n",
        );
        // Relevant to b.proto only once b has an RPC taking `Extra` (another package, importing
        // b: kept by the RPC rule alone), so a stale image key would miss it.
        write(
            dir,
            "acme/v3/f.proto",
            "syntax = \"proto3\";\npackage acme.v3;\nimport \"acme/v1/b.proto\";\nservice FService {\n  rpc Use(acme.v1.Extra) returns (acme.v1.Extra);\n}\n",
        );
        let b = "acme/v1/b.proto";
        let b0 = "syntax = \"proto3\";\npackage acme.v1;\nimport \"acme/v1/a.proto\";\nservice BService {\n  rpc Get(GetRequest) returns (GetResponse);\n}\n";
        write(dir, b, b0);

        let mut s = Session::open(dir).unwrap();
        s.set_disk_interval(Duration::from_secs(3600));
        let check = |s: &mut Session, text: &str, step: &str| -> Vec<String> {
            s.set_overlay(b, Some(text.to_string()));
            let got = answer(s, b);
            let want = fresh(dir, &[(b, text)], b);
            assert_eq!(got, want, "step: {step}");
            got
        };
        let first = check(&mut s, b0, "open");
        assert!(
            first
                .iter()
                .any(|f| f.contains("RPC_REQUEST_RESPONSE_UNIQUE")),
            "the fixture needs a cross-file finding: {first:?}"
        );
        // Same image key: a comment, then a field.
        check(&mut s, &format!("{b0}// typing\n"), "comment");
        let b1 = b0.replace(
            "service BService",
            "message Extra { string badName = 1; }\nservice BService",
        );
        check(&mut s, &b1, "field");
        // The image key changes: an RPC with other types, a new message name.
        let b2 = b1.replace(
            "rpc Get(GetRequest) returns (GetResponse);",
            "rpc Get(GetRequest) returns (GetResponse);\n  rpc Put(Extra) returns (GetResponse);",
        );
        check(&mut s, &b2, "rpc");
        // An import edited on disk: the shared types go away from c.proto's point of view.
        write(
            dir,
            "acme/v1/a.proto",
            "syntax = \"proto3\";\npackage acme.v1;\nmessage GetRequest {}\nmessage GetResponse {}\nmessage Other {}\n",
        );
        s.disk_changed();
        check(&mut s, &b2, "import on disk");
        // A file that is not imported, edited on disk: c.proto no longer shares the types.
        write(
            dir,
            "acme/v1/c.proto",
            "syntax = \"proto3\";\npackage acme.v1;\nimport \"acme/v1/a.proto\";\nservice CService {\n  rpc Get(Other) returns (Other);\n}\n",
        );
        s.disk_changed();
        let after = check(&mut s, &b2, "rest on disk");
        assert_ne!(after, first, "the edit on disk must change the findings");
        // A new file in b's directory with another package, then deleted.
        write(
            dir,
            "acme/v1/e.proto",
            "syntax = \"proto3\";\npackage acme.v9;\n",
        );
        s.disk_changed();
        check(&mut s, &b2, "new file");
        std::fs::remove_file(dir.join("acme/v1/e.proto")).unwrap();
        s.disk_changed();
        check(&mut s, &b2, "deleted file");
        // Another open document (not imported) changes the rest: it is seen without a save.
        s.set_overlay(
            "acme/v1/c.proto",
            Some("syntax = \"proto3\";\npackage acme.v1;\nimport \"acme/v1/a.proto\";\nservice CService {\n  rpc Get(GetRequest) returns (GetResponse);\n}\n".into()),
        );
        let got = answer(&mut s, b);
        let want = fresh(
            dir,
            &[
                (b, &b2),
                ("acme/v1/c.proto", "syntax = \"proto3\";\npackage acme.v1;\nimport \"acme/v1/a.proto\";\nservice CService {\n  rpc Get(GetRequest) returns (GetResponse);\n}\n"),
            ],
            b,
        );
        assert_eq!(got, want, "step: other open document");
    }
}
