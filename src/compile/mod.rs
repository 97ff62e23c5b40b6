//! protox -> [`Image`].
//!
//! All sources are parsed up front in parallel (rayon); the parsed files are then linked in one
//! protox `Compiler` (linking is sequential: one `DescriptorPool` accumulates the files). Imports are
//! served by one resolver chain: workspace files, then include roots (`-I`, `PROTOFORGE_INCLUDE`),
//! then the well-known types. Every compile error becomes a `COMPILE` [`Finding`]; a file whose import
//! failed is not reported again for the same missing import.

mod duplicates;
mod errors;
mod image_bytes;

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use prost_reflect::DescriptorPool;
use protox::file::{ChainFileResolver, File, FileResolver, GoogleFileResolver};
use rayon::prelude::*;

use crate::check::{sort_and_dedup, Finding};
use crate::image::{Image, ImageFile};
use crate::workspace::Workspace;
use crate::Result;

pub use image_bytes::{encode_image, image_from_bytes, ImageEncoding};

/// What compiling a workspace gave: an image, or the compile errors as findings (exit 100).
#[derive(Debug)]
pub enum Compiled {
    Image(Image),
    Errors(Vec<Finding>),
}

/// Compiles the workspace's target files (and everything they import).
pub fn compile(workspace: &Workspace, include_roots: &[PathBuf]) -> Result<Compiled> {
    // Parse every workspace file in parallel; parse errors are findings.
    let parsed: Vec<(String, std::result::Result<File, protox::Error>)> = workspace
        .files
        .par_iter()
        .map(|(name, f)| (name.clone(), File::from_source(name, &f.text)))
        .collect();
    let mut findings = Vec::new();
    let mut ready = HashMap::new();
    let mut failed = BTreeSet::new();
    for (name, result) in parsed {
        match result {
            Ok(file) => {
                ready.insert(name, file);
            }
            Err(err) => {
                if workspace.files[&name].is_target {
                    findings.extend(errors::to_findings(&err, workspace));
                }
                failed.insert(name);
            }
        }
    }

    // Clashing top-level names across files: report once, keep the later file out of linking.
    let mut names: Vec<&String> = ready.keys().collect();
    names.sort();
    let dups = duplicates::find(names.iter().map(|n| ready[*n].file_descriptor_proto()));
    if !dups.is_empty() {
        findings.extend(duplicates::to_findings(&dups, |name| {
            workspace
                .files
                .get(name)
                .map(|f| f.external_path.clone())
                .unwrap_or_else(|| name.to_string())
        }));
        for d in dups {
            ready.remove(&d.file);
            failed.insert(d.file);
        }
    }

    let mut chain = ChainFileResolver::new();
    chain.add(ParsedFiles {
        files: RefCell::new(ready),
        failed: failed.clone(),
    });
    for root in include_roots {
        chain.add(IncludeRoot { root: root.clone() });
    }
    chain.add(GoogleFileResolver::new());
    let mut compiler = protox::Compiler::with_file_resolver(chain);
    compiler.include_source_info(true).include_imports(true);

    for target in workspace.targets() {
        if failed.contains(&target.name) {
            continue;
        }
        if let Err(err) = compiler.open_file(&target.name) {
            findings.extend(errors::to_findings(&err, workspace));
        }
    }
    if !findings.is_empty() {
        sort_and_dedup(&mut findings);
        return Ok(Compiled::Errors(findings));
    }

    let pool = compiler.descriptor_pool();
    let targets: BTreeSet<&str> = workspace.targets().map(|f| f.name.as_str()).collect();
    let files = pool
        .files()
        .map(|fd| {
            let name = fd.name();
            let proto = fd.file_descriptor_proto().clone();
            match workspace.files.get(name) {
                Some(wf) => ImageFile::new(
                    proto,
                    !targets.contains(name),
                    wf.external_path.clone(),
                    wf.root_path.clone(),
                    Some(wf.module),
                    Some(wf.text.clone()),
                ),
                None => ImageFile::new(proto, true, name.to_string(), name.to_string(), None, None),
            }
        })
        .collect();
    Ok(Compiled::Image(Image { files, pool }))
}

/// Include roots from `-I` flags and the `PROTOFORGE_INCLUDE` path list.
pub fn include_roots(flags: &[PathBuf]) -> Vec<PathBuf> {
    let mut roots = flags.to_vec();
    if let Some(list) = std::env::var_os("PROTOFORGE_INCLUDE") {
        roots.extend(std::env::split_paths(&list).filter(|p| !p.as_os_str().is_empty()));
    }
    roots
}

/// Workspace files, parsed ahead of time. A file is handed to the compiler once (it keeps it).
struct ParsedFiles {
    files: RefCell<HashMap<String, File>>,
    /// Files that failed to parse: importing them is not reported as "not found".
    failed: BTreeSet<String>,
}

impl FileResolver for ParsedFiles {
    fn open_file(&self, name: &str) -> std::result::Result<File, protox::Error> {
        if let Some(file) = self.files.borrow_mut().remove(name) {
            return Ok(file);
        }
        if self.failed.contains(name) {
            return Err(protox::Error::new(errors::ImportFailedToParse(
                name.to_string(),
            )));
        }
        Err(protox::Error::file_not_found(name))
    }
}

/// A directory of `.proto` files on disk, read lazily (only the files that are imported).
struct IncludeRoot {
    root: PathBuf,
}

impl FileResolver for IncludeRoot {
    fn open_file(&self, name: &str) -> std::result::Result<File, protox::Error> {
        let path = self.root.join(name);
        if !is_plain_relative(name) || !path.is_file() {
            return Err(protox::Error::file_not_found(name));
        }
        File::open(name, &path)
    }
}

fn is_plain_relative(name: &str) -> bool {
    let p = Path::new(name);
    p.is_relative()
        && p.components()
            .all(|c| matches!(c, std::path::Component::Normal(_)))
}

/// Builds an [`Image`] from a pool (image inputs): every file is a target unless marked as an import.
pub fn image_from_pool(pool: DescriptorPool, imports: &BTreeSet<String>) -> Image {
    let files = pool
        .files()
        .map(|fd| {
            let name = fd.name().to_string();
            ImageFile::new(
                fd.file_descriptor_proto().clone(),
                imports.contains(&name),
                name.clone(),
                name,
                None,
                None::<Arc<str>>,
            )
        })
        .collect();
    Image { files, pool }
}
