//! protox -> [`Image`].
//!
//! All sources are parsed up front in parallel (rayon); the parsed files are then linked in one
//! protox `Compiler` (linking is sequential: one `DescriptorPool` accumulates the files). Imports are
//! served by one resolver chain: workspace files, then include roots (`-I`, `PROTOFORGE_INCLUDE`),
//! then the well-known types. Every compile error becomes a `COMPILE` [`Finding`]; a file whose import
//! failed is not reported again for the same missing import.

mod duplicates;
pub mod editions;
mod errors;
mod image_bytes;
mod wkt;

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::rc::Rc;
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
    // Parse the targets in parallel; parse errors are findings. Other workspace files are parsed
    // only if a target imports them (a one-file run in a large module stays fast). Files with an
    // `edition` statement go through our editions front end (see `editions`).
    let parsed: Vec<(String, std::result::Result<Parsed, ParseFailure>)> = workspace
        .files
        .par_iter()
        .filter(|(_, f)| f.is_target)
        .map(|(name, f)| (name.clone(), parse_file(name, &f.text)))
        .collect();
    let lazy: HashMap<String, (Arc<str>, String)> = workspace
        .files
        .iter()
        .filter(|(_, f)| !f.is_target)
        .map(|(name, f)| (name.clone(), (f.text.clone(), f.external_path.clone())))
        .collect();
    let mut findings = Vec::new();
    let mut ready = HashMap::new();
    let mut failed = BTreeSet::new();
    let mut editions_files: HashMap<String, (editions::Edition, editions::Restore)> =
        HashMap::new();
    for (name, result) in parsed {
        match result {
            Ok(Parsed::Plain(file)) => {
                ready.insert(name, *file);
            }
            Ok(Parsed::Editions(lowered)) => {
                editions_files.insert(name.clone(), (lowered.edition, lowered.restore()));
                ready.insert(name, lowered.link);
            }
            Err(err) => {
                match err {
                    ParseFailure::Protox(err) => {
                        findings.extend(errors::to_findings(&err, workspace))
                    }
                    ParseFailure::Editions(errs) => {
                        let wf = &workspace.files[&name];
                        findings.extend(
                            errs.iter()
                                .map(|e| editions_finding(e, &wf.text, &wf.external_path)),
                        );
                    }
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
    let lazily_parsed = Rc::new(RefCell::new(LazyOutcome::default()));
    chain.add(ParsedFiles {
        files: RefCell::new(ready),
        failed: failed.clone(),
        lazy,
        outcome: lazily_parsed.clone(),
    });
    for root in include_roots {
        chain.add(IncludeRoot { root: root.clone() });
    }
    chain.add(wkt::BuiltinFiles);
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
    let lazy_outcome = std::mem::take(&mut *lazily_parsed.borrow_mut());
    findings.extend(lazy_outcome.findings);
    editions_files.extend(lazy_outcome.editions_files);
    if !findings.is_empty() {
        sort_and_dedup(&mut findings);
        return Ok(Compiled::Errors(findings));
    }

    let pool = compiler.descriptor_pool();
    let targets: BTreeSet<&str> = workspace.targets().map(|f| f.name.as_str()).collect();
    // descriptor.proto is linked with every editions file (for `features`); keep it in the image
    // only when some file really imports it.
    let injected_only = !editions_files.is_empty()
        && !pool.files().any(|fd| {
            let deps = fd.file_descriptor_proto().dependency.iter();
            let injected = editions_files
                .get(fd.name())
                .is_some_and(|(_, restore)| restore.added_descriptor_import);
            deps.filter(|d| *d == editions::DESCRIPTOR_PROTO).count() > usize::from(injected)
        })
        && !targets.contains(editions::DESCRIPTOR_PROTO);
    let files = pool
        .files()
        .filter(|fd| !(injected_only && fd.name() == editions::DESCRIPTOR_PROTO))
        .map(|fd| {
            let name = fd.name();
            let mut proto = fd.file_descriptor_proto().clone();
            let edition = editions_files.get(name).map(|(edition, restore)| {
                (
                    *edition,
                    editions::restore_editions_form(&mut proto, restore),
                )
            });
            let mut file = match workspace.files.get(name) {
                Some(wf) => ImageFile::new(
                    proto,
                    !targets.contains(name),
                    wf.external_path.clone(),
                    wf.root_path.clone(),
                    Some(wf.module),
                    Some(wf.text.clone()),
                ),
                None => ImageFile::new(proto, true, name.to_string(), name.to_string(), None, None),
            };
            if let Some((edition, option_dependency)) = edition {
                file.edition = Some(edition);
                file.option_dependency = option_dependency;
            }
            file
        })
        .collect();
    let image = Image::new(files, pool);
    let mut feature_errors = editions::check_features(&image);
    if !feature_errors.is_empty() {
        sort_and_dedup(&mut feature_errors);
        return Ok(Compiled::Errors(feature_errors));
    }
    Ok(Compiled::Image(image))
}

/// A parsed workspace file: plain protox, or an editions file lowered by [`editions`].
enum Parsed {
    Plain(Box<File>),
    Editions(Box<editions::Lowered>),
}

enum ParseFailure {
    Protox(protox::Error),
    Editions(Vec<editions::EditionsError>),
}

fn parse_file(name: &str, text: &str) -> std::result::Result<Parsed, ParseFailure> {
    match editions::editions_tree(text) {
        Some(Err(e)) => Err(ParseFailure::Editions(vec![e])),
        Some(Ok(tree)) => match editions::lower(name, &tree) {
            Ok(lowered) => Ok(Parsed::Editions(Box::new(lowered))),
            Err(editions::LowerError::Protox(e)) => Err(ParseFailure::Protox(e)),
            Err(editions::LowerError::Editions(errs)) => Err(ParseFailure::Editions(errs)),
        },
        None => File::from_source(name, text)
            .map(|f| Parsed::Plain(Box::new(f)))
            .map_err(|e| match editions::legacy_option_import(text) {
                Some(err) => ParseFailure::Editions(vec![err]),
                None => ParseFailure::Protox(e),
            }),
    }
}

/// A `COMPILE` finding for an editions front-end error (byte span -> 1-based line/column).
fn editions_finding(e: &editions::EditionsError, text: &str, path: &str) -> Finding {
    let span =
        crate::check::Span::from_byte_range(text, e.span.start as usize, e.span.end as usize);
    let mut f = Finding::new(
        "COMPILE",
        Some(path.to_string()),
        Some(span),
        e.message.clone(),
    );
    if let Some(help) = &e.help {
        f = f.with_help(help.clone());
    }
    f
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
    /// Workspace files that are not targets (text, external path): parsed when first imported.
    lazy: HashMap<String, (Arc<str>, String)>,
    /// What parsing them on demand found out, for the compile step to collect afterwards.
    outcome: Rc<RefCell<LazyOutcome>>,
}

/// Editions files and front-end errors met while parsing imported non-target files.
#[derive(Default)]
struct LazyOutcome {
    editions_files: HashMap<String, (editions::Edition, editions::Restore)>,
    findings: Vec<Finding>,
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
        if let Some((text, external_path)) = self.lazy.get(name) {
            return match parse_file(name, text) {
                Ok(Parsed::Plain(file)) => Ok(*file),
                Ok(Parsed::Editions(lowered)) => {
                    let meta = (lowered.edition, lowered.restore());
                    self.outcome
                        .borrow_mut()
                        .editions_files
                        .insert(name.to_string(), meta);
                    Ok(lowered.link)
                }
                Err(ParseFailure::Protox(err)) => Err(err),
                Err(ParseFailure::Editions(errs)) => {
                    let found = errs
                        .iter()
                        .map(|e| editions_finding(e, text, external_path));
                    self.outcome.borrow_mut().findings.extend(found);
                    Err(protox::Error::new(errors::ImportFailedToParse(
                        name.to_string(),
                    )))
                }
            };
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
    Image::new(files, pool)
}
