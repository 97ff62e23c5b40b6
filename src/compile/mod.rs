//! protox -> [`Image`].
//!
//! Target files are parsed up front in parallel (rayon, [`parse`]), checked for clashing
//! top-level names ([`duplicates`]), then linked by protox ([`link`]); large inputs are linked in
//! parallel shards instead, each parsing its files as its linker asks for them, and their names
//! are checked after linking. `build` compiles large inputs through [`stream`], which encodes each
//! shard's files and drops its pool as soon as it is linked. Linking first runs [`Linking::Fast`], which keeps source info out of the descriptor pool
//! ([`source_info`]); if anything goes wrong, everything is compiled again [`Linking::Exact`] so that
//! every error has its position. Where no one reads all of the source info, less of it is made:
//! none ([`Linking::Bare`]: `build` without `-o`, the `--against` side of `breaking`), only on
//! first read ([`Linking::Deferred`]: `breaking`'s input), or without comments (whole-tree `lint`
//! whose rules read none). Every compile error becomes a `COMPILE` [`Finding`]; a file whose
//! import failed is not reported again for the same missing import. protox stops at the first
//! failing phase: [`semantic`] then reports every error of each file that buf reports together
//! (with buf's messages and positions) in place of protox's errors of those kinds.

mod duplicates;
pub mod editions;
mod errors;
mod image_bytes;
pub mod json_names;
mod link;
pub mod lower_proto;
mod parse;
mod precheck;
mod semantic;
mod share;
mod source_info;
mod stream;
pub(crate) mod wire;
mod wkt;

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use prost_reflect::DescriptorPool;
use rayon::prelude::*;

use crate::check::{sort_and_dedup, Finding};
use crate::image::{Image, ImageFile};
use crate::workspace::Workspace;
use crate::Result;
use parse::{editions_finding, parse_file, ParseFailure};

pub use errors::{missing_import, missing_imports};
pub use image_bytes::{encode_image, image_from_bytes, ImageEncoding};
pub use link::MIN_TARGETS_PER_SHARD;
pub use share::{compile_against, shared_files};
pub use source_info::{buf_column, byte_of_buf_column, scan as scan_source_info};
pub use stream::{compile_encoded, for_each_shard};

/// What compiling a workspace gave: an image, or the compile errors as findings (exit 100).
#[derive(Debug)]
pub enum Compiled {
    Image(Image),
    Errors(Vec<Finding>),
}

/// Builds, on a thread of its own, what every link starts from and builds once per process:
/// prost-reflect's pool of the well-known types (protox resolves `google/protobuf/*.proto` from it;
/// ~1 ms). Called when a compile is sure to follow, it overlaps reading and parsing the input
/// (whichever thread gets to the pool first builds it, the other waits for it). Only the first call
/// in a process starts anything.
pub fn warm_up() {
    warm_up_then(|| {});
}

/// [`warm_up`], with `then` run on the same thread after the pool is built (other one-time set-up
/// a command knows it will need). Not run if a warm-up was already started.
pub fn warm_up_then(then: impl FnOnce() + Send + 'static) {
    static STARTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if STARTED.swap(true, std::sync::atomic::Ordering::Relaxed) {
        return;
    }
    // Not on the thread pool: reading the input runs there at the same time. No thread (address
    // space limits): nothing is warmed and the first user builds it, as without a warm-up.
    let _ = std::thread::Builder::new()
        .name("protoforge-warm-up".into())
        .spawn(move || {
            DescriptorPool::global();
            then();
        });
}

/// Compiles the workspace's target files (and everything they import).
pub fn compile(workspace: &Workspace, include_roots: &[PathBuf]) -> Result<Compiled> {
    compile_linking(workspace, include_roots, Linking::Fast)
}

/// [`compile`], each file's source info made from its text only when first read (as
/// [`Image::defer_source_info`] leaves it): for a command that reads positions and comments only
/// where it has findings (`breaking`).
pub fn compile_deferred(workspace: &Workspace, include_roots: &[PathBuf]) -> Result<Compiled> {
    compile_linking(workspace, include_roots, Linking::Deferred)
}

/// Compiles with `linking` (fast), and again exactly if that gave up (to report the errors).
fn compile_linking(
    workspace: &Workspace,
    include_roots: &[PathBuf],
    linking: Linking,
) -> Result<Compiled> {
    let shards = link::MIN_TARGETS_PER_SHARD;
    if let Some(compiled) = compile_with(workspace, include_roots, linking, shards) {
        return Ok(compiled);
    }
    let _again = crate::trace::phase("compile again for error positions");
    Ok(
        compile_with(workspace, include_roots, Linking::Exact, shards)
            .expect("exact linking always gives an outcome"),
    )
}

/// [`compile`] for a few hundred targets that share many imports (the importers of an edited
/// file): one shard per thread from [`SPREAD_TARGETS_PER_SHARD`] targets on, each linking its
/// share of the common imports again.
pub fn compile_spread(workspace: &Workspace, include_roots: &[PathBuf]) -> Result<Compiled> {
    if let Some(compiled) = compile_seeded(
        workspace,
        include_roots,
        Linking::Fast,
        SPREAD_TARGETS_PER_SHARD,
        1,
        None,
    ) {
        return Ok(compiled);
    }
    compile(workspace, include_roots)
}

/// Targets per shard at least, in [`compile_spread`].
const SPREAD_TARGETS_PER_SHARD: usize = 64;

/// How much of each file the linker (prost-reflect's `DescriptorPool`) gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Linking {
    /// Descriptors without their source info (see [`source_info`]), which the image files keep
    /// instead, in parallel shards: several times faster and smaller. Link errors would have no
    /// position, so any error makes [`compile_with`] give up (`None`).
    Fast,
    /// One compiler, files with their source text and full source info: errors carry exact positions.
    Exact,
    /// [`Linking::Fast`] with no source info made at all, for a compile whose positions and
    /// comments are never read (`build` without `-o` or with `--exclude-source-info`, the
    /// `--against` side of `breaking`): lowering a file without its locations and comments is a
    /// fifth to a third less work. Errors lose nothing: any error gives up, as in `Fast`.
    Bare,
    /// [`Linking::Fast`] with the source info of the files our lowering reads made again from their
    /// text when first read ([`source_info::Own::Later`]; the linker gets their option
    /// locations only): for `breaking`, whose findings are in a few of the input's files.
    Deferred,
}

impl Linking {
    /// Whether any error gives up (all but `Exact`), for [`Linking::Exact`] to report it.
    fn gives_up_on_errors(self) -> bool {
        self != Linking::Exact
    }
}

fn compile_with(
    workspace: &Workspace,
    include_roots: &[PathBuf],
    linking: Linking,
    min_targets_per_shard: usize,
) -> Option<Compiled> {
    compile_seeded(
        workspace,
        include_roots,
        linking,
        min_targets_per_shard,
        link::SHARDS_PER_THREAD,
        None,
    )
}

/// [`compile_with`], with `shards_per_thread` shards per thread, and the files of `seed` taken
/// linked from its pools (not parsed); those files are left out of the image (the caller has
/// them).
fn compile_seeded(
    workspace: &Workspace,
    include_roots: &[PathBuf],
    linking: Linking,
    min_targets_per_shard: usize,
    shards_per_thread: usize,
    seed: Option<Arc<link::Seed>>,
) -> Option<Compiled> {
    // Parse the targets in parallel; parse errors are findings. Other workspace files are parsed
    // only if a target imports them (a one-file run in a large module stays fast). Files with an
    // `edition` statement go through our editions front end (see `editions`).
    //
    // A large input linked fast, in shards, is not parsed up front: each shard parses its files
    // as its linker asks for them, so no parsed tree waits for its turn (they were 200 MB on
    // googleapis); clashing names are then checked after linking.
    let targets_count = workspace.targets().count();
    let lazy = link::shard_count(
        linking,
        targets_count,
        min_targets_per_shard,
        shards_per_thread,
    ) > 1;
    let parsing = crate::trace::phase("parse");
    let parsed: Vec<_> = workspace
        .files
        .par_iter()
        .filter(|(_, f)| f.is_target && !lazy)
        .map(|(name, f)| (name.clone(), parse_file(name, &f.text, linking, true)))
        .collect();
    drop(parsing);
    let mut findings = Vec::new();
    let mut ready = HashMap::new();
    let mut detached = HashMap::new();
    let mut failed = BTreeSet::new();
    let mut editions_files: HashMap<String, (editions::Edition, editions::Restore)> =
        HashMap::new();
    for (name, result) in parsed {
        match result {
            Ok((mut parsed, source_info)) => {
                if let Some(meta) = parsed.editions.take() {
                    editions_files.insert(name.clone(), meta);
                }
                if let Some(info) = source_info {
                    detached.insert(name.clone(), info);
                }
                ready.insert(name, parsed);
            }
            Err(_) if linking.gives_up_on_errors() => return None,
            Err(ParseFailure::Protox(err)) => {
                findings.extend(errors::to_findings(&err, workspace));
                failed.insert(name);
            }
            Err(ParseFailure::Editions(errs)) => {
                let wf = &workspace.files[&name];
                findings.extend(
                    errs.iter()
                        .map(|e| editions_finding(e, &wf.text, &wf.external_path)),
                );
                failed.insert(name);
            }
        }
    }

    // Clashing top-level names across files: report once, keep the later file out of linking.
    let checking = crate::trace::phase("duplicate check");
    let mut names: Vec<&String> = ready.keys().collect();
    names.sort();
    let dups = duplicates::find(names.iter().map(|n| ready[*n].descriptor()));
    drop(checking);
    if !dups.is_empty() {
        if linking.gives_up_on_errors() {
            return None;
        }
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

    let linking_phase = crate::trace::phase("link");
    let linked = link::link(
        workspace,
        include_roots,
        linking,
        min_targets_per_shard,
        shards_per_thread,
        ready,
        failed,
        seed.clone(),
    );
    drop(linking_phase);
    findings.extend(linked.findings);
    editions_files.extend(linked.editions_files);
    for (name, info) in linked.detached {
        detached.entry(name).or_insert(info);
    }
    if !findings.is_empty() {
        if linking.gives_up_on_errors() {
            return None;
        }
        errors::place_import_cycles(&mut findings, workspace);
        let _every = crate::trace::phase("every error of each file");
        semantic::merge(&mut findings, workspace, include_roots);
        sort_and_dedup(&mut findings);
        return Some(Compiled::Errors(findings));
    }
    if lazy {
        // Targets in different shards are linked apart: their names may clash unseen.
        let _checking = crate::trace::phase("duplicate check");
        let linked_targets: Vec<_> = workspace
            .targets()
            .filter_map(|t| {
                linked
                    .pools
                    .iter()
                    .find_map(|p| p.get_file_by_name(&t.name))
            })
            .collect();
        let protos = linked_targets.iter().map(|fd| fd.file_descriptor_proto());
        if duplicates::any(protos) {
            return None;
        }
    }

    let _image_phase = crate::trace::phase("image files");
    let targets: Vec<&str> = workspace.targets().map(|f| f.name.as_str()).collect();
    let is_target: BTreeSet<&str> = targets.iter().copied().collect();
    let order = link::image_order(&linked.pools, &targets);
    // descriptor.proto is linked with every editions file (for `features`); keep it in the image
    // only when some file really imports it.
    let injected_only = !editions_files.is_empty()
        && !order.iter().any(|fd| {
            let deps = fd.file_descriptor_proto().dependency.iter();
            let injected = editions_files
                .get(fd.name())
                .is_some_and(|(_, restore)| restore.added_descriptor_import);
            deps.filter(|d| *d == editions::DESCRIPTOR_PROTO).count() > usize::from(injected)
        })
        && !is_target.contains(editions::DESCRIPTOR_PROTO);
    // Each file's descriptor, its own source info, and its place in the workspace, in parallel.
    let seeded = |name: &str| seed.as_ref().is_some_and(|s| s.files.contains(name));
    let work: Vec<_> = order
        .into_iter()
        .filter(|fd| !(injected_only && fd.name() == editions::DESCRIPTOR_PROTO))
        .filter(|fd| !seeded(fd.name()))
        .map(|fd| {
            let own = detached.remove(fd.name());
            (fd, own)
        })
        .collect();
    let files = work
        .into_par_iter()
        .map(|(fd, own)| image_file(&fd, own, workspace, &is_target, &editions_files))
        .collect::<Option<Vec<ImageFile>>>()?;
    let image = Image::new(files, linked.pools);
    drop(_image_phase);
    let _checking = crate::trace::phase("feature checks");
    let mut feature_errors = editions::check_features(&image);
    if !feature_errors.is_empty() {
        if linking == Linking::Bare {
            // Without source info they would have no positions.
            return None;
        }
        sort_and_dedup(&mut feature_errors);
        return Some(Compiled::Errors(feature_errors));
    }
    Some(Compiled::Image(image))
}

/// The image file of a linked file: its descriptor as the image shows it (default JSON names,
/// editions form; the pool's copy when it needs neither), its source info (`own`, split off
/// before fast linking; else the pool's) with buf's columns, and where it is in the workspace.
/// `None` if `own` does not line up with the pool's option locations (then link again exactly).
fn image_file(
    fd: &prost_reflect::FileDescriptor,
    own: Option<source_info::Own>,
    workspace: &Workspace,
    is_target: &BTreeSet<&str>,
    editions_files: &HashMap<String, (editions::Edition, editions::Restore)>,
) -> Option<ImageFile> {
    let name = fd.name();
    let linked = fd.file_descriptor_proto();
    let wf = workspace.files.get(name);
    let rejoined = own.is_some();
    let later = matches!(own, Some(source_info::Own::Later));
    let source_info = match own {
        // Fast linking: the pool holds only the option locations, with their resolved paths.
        Some(source_info::Own::Split(own)) => Some(own.rejoin(linked.source_code_info.as_ref())?),
        Some(source_info::Own::Later) => None,
        // Exact linking (and files from include roots): the pool's, with protox's columns.
        None => linked.source_code_info.as_ref().map(|info| {
            match wf.and_then(|wf| source_info::BufColumns::new(&wf.text)) {
                Some(columns) => {
                    let mut info = info.clone();
                    columns.apply(&mut info);
                    prost::Message::encode_to_vec(&info)
                }
                None => prost::Message::encode_to_vec(info),
            }
        }),
    };
    let (is_import, external_path, root_path, module, source) = match wf {
        Some(wf) => (
            !is_target.contains(name),
            wf.external_path.clone(),
            wf.root_path.clone(),
            Some(wf.module),
            Some(wf.text.clone()),
        ),
        None => (true, name.to_string(), name.to_string(), None, None),
    };
    let mut file = ImageFile::linked(
        fd.clone(),
        source_info,
        is_import,
        external_path,
        root_path,
        module,
        source,
    );
    file.rejoined = rejoined;
    if later {
        // Made again from the text and the linked descriptor when first read.
        file.defer_source_info(fd.clone(), wf?.text.clone());
    }
    if json_names::has_placeholders(linked) {
        json_names::restore(file.proto_mut());
    }
    if let Some((edition, restore)) = editions_files.get(name) {
        // Restoring the editions form renumbers locations (`import option`): decoded for it.
        let mut proto = file.proto().clone();
        proto.source_code_info = file.source_code_info();
        file.option_dependency = editions::restore_editions_form(&mut proto, restore);
        file.set_proto(proto);
        file.edition = Some(*edition);
    }
    Some(file)
}

/// The source info [`image_file`] gave a fast-linked file (see [`crate::image::ImageFile`]'s
/// `rejoined`), computed again: `text` parsed as fast linking parses it, with the option
/// locations of its linked descriptor `fd` put back.
pub(crate) fn rejoined_source_info(
    fd: &prost_reflect::FileDescriptor,
    text: &str,
) -> Option<Vec<u8>> {
    let (_, Some(source_info::Own::Split(own))) =
        parse_file(fd.name(), text, Linking::Fast, true).ok()?
    else {
        return None;
    };
    own.rejoin(fd.file_descriptor_proto().source_code_info.as_ref())
}

/// Include roots from `-I` flags and the `PROTOFORGE_INCLUDE` path list.
pub fn include_roots(flags: &[PathBuf]) -> Vec<PathBuf> {
    let mut roots = flags.to_vec();
    if let Some(list) = std::env::var_os("PROTOFORGE_INCLUDE") {
        roots.extend(std::env::split_paths(&list).filter(|p| !p.as_os_str().is_empty()));
    }
    roots
}

/// Builds an [`Image`] from a pool (image inputs): every file is a target unless marked as an import.
pub fn image_from_pool(pool: DescriptorPool, imports: &BTreeSet<String>) -> Image {
    let files = pool
        .files()
        .map(|fd| {
            let name = fd.name().to_string();
            let source_info = fd
                .file_descriptor_proto()
                .source_code_info
                .as_ref()
                .map(prost::Message::encode_to_vec);
            ImageFile::linked(
                fd.clone(),
                source_info,
                imports.contains(&name),
                name.clone(),
                name,
                None,
                None::<Arc<str>>,
            )
        })
        .collect();
    Image::new(files, vec![pool])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::InputArgs;
    use crate::pipeline::{self, Loaded};
    use std::path::Path;

    /// The workspace of every fixture folder that loads as one.
    fn workspaces() -> Vec<(PathBuf, Workspace)> {
        let args = InputArgs {
            input: ".".to_string(),
            ..InputArgs::default()
        };
        fixtures()
            .into_iter()
            .filter_map(|dir| match pipeline::load(".", &args, None, &dir) {
                Ok(Loaded::Sources { workspace, .. }) => Some((dir, *workspace)),
                _ => None,
            })
            .collect()
    }

    /// Every fixture folder that is one input (a `buf.yaml`, or a breaking side).
    fn fixtures() -> Vec<PathBuf> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut dirs = vec![root.join("examples/orders")];
        let list = |dir: &Path| -> Vec<PathBuf> {
            let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
                .map(|r| r.filter_map(|e| e.ok()).map(|e| e.path()).collect())
                .unwrap_or_default();
            out.sort();
            out
        };
        for kind in ["lint", "generate", "editions", "editions/errors"] {
            dirs.extend(
                list(&root.join("testdata").join(kind))
                    .into_iter()
                    .filter(|d| d.is_dir()),
            );
        }
        for rule in list(&root.join("testdata/breaking")) {
            dirs.extend([rule.join("previous"), rule.join("current")]);
        }
        dirs.retain(|d| d.is_dir());
        dirs
    }

    const PLAIN: ImageEncoding = ImageEncoding {
        json: false,
        exclude_imports: false,
        exclude_source_info: false,
        as_file_descriptor_set: false,
    };

    fn bytes(image: &Image) -> Vec<u8> {
        encode_image(image, PLAIN).expect("encodes")
    }

    /// `build`'s streamed compile (shards checked and encoded one by one, forced on small inputs)
    /// writes exactly the bytes of the ordinary compile, and gives up whenever that finds errors.
    #[test]
    fn the_streamed_build_writes_the_exact_image() {
        let encodings = [
            PLAIN,
            ImageEncoding {
                exclude_imports: true,
                exclude_source_info: true,
                ..PLAIN
            },
            ImageEncoding {
                as_file_descriptor_set: true,
                ..PLAIN
            },
        ];
        let (mut compared, mut checked_only) = (0, 0);
        for (dir, workspace) in workspaces() {
            let exact = compile_with(&workspace, &[], Linking::Exact, 1).expect("an outcome");
            for enc in encodings {
                let streamed =
                    stream::compile_encoded_with(&workspace, &[], Some(enc), 1).expect("no error");
                match (&exact, streamed) {
                    (Compiled::Errors(_), Some(_)) => {
                        panic!("{}: the streamed build hid errors", dir.display())
                    }
                    (Compiled::Image(image), Some(entries)) => {
                        let mut got = Vec::new();
                        for entry in &entries {
                            wire::put_length_delimited(1, entry, &mut got);
                        }
                        assert!(
                            encode_image(image, enc).expect("encodes") == got,
                            "{}: streamed image differs ({enc:?})",
                            dir.display()
                        );
                        compared += 1;
                    }
                    (_, None) => {}
                }
            }
            // Checking alone (no source info made) gives up exactly where encoding does.
            let checked = stream::compile_encoded_with(&workspace, &[], None, 1).expect("no error");
            if matches!(exact, Compiled::Errors(_)) {
                assert!(checked.is_none(), "{}: errors hidden", dir.display());
            }
            let encoded = stream::compile_encoded_with(&workspace, &[], Some(PLAIN), 1);
            assert_eq!(
                checked.is_some(),
                encoded.expect("no error").is_some(),
                "{}: checking and encoding disagree",
                dir.display()
            );
            checked_only += usize::from(checked.is_some());
        }
        assert!(compared > 20, "only {compared} streamed images compared");
        assert!(
            checked_only > 10,
            "only {checked_only} streamed checks passed"
        );
    }

    /// Source info let go of ([`Image::defer_source_info`]) comes back byte for byte, for every
    /// file, after fast linking in shards.
    #[test]
    fn deferred_source_info_comes_back_the_same() {
        let mut compared = 0;
        for (dir, workspace) in workspaces() {
            let Some(Compiled::Image(image)) = compile_with(&workspace, &[], Linking::Fast, 1)
            else {
                continue;
            };
            let mut deferred = image.clone();
            deferred.defer_source_info();
            for (kept, again) in image.files.iter().zip(&deferred.files) {
                assert!(
                    kept.encoded_source_info() == again.encoded_source_info(),
                    "{}: {}",
                    dir.display(),
                    kept.name()
                );
                compared += usize::from(kept.rejoined && kept.encoded_source_info().is_some());
            }
        }
        assert!(compared > 100, "only {compared} files compared");
    }

    /// Deferred linking (only option locations linked, source info made on first read) gives the
    /// image fast linking gives: the same files, descriptors and source info byte for byte, and
    /// gives up exactly where fast linking does.
    #[test]
    fn deferred_linking_gives_the_fast_image() {
        let (mut compared, mut later) = (0, 0);
        for (dir, workspace) in workspaces() {
            let fast = compile_with(&workspace, &[], Linking::Fast, 1);
            let deferred = compile_with(&workspace, &[], Linking::Deferred, 1);
            let (fast, deferred) = match (fast, deferred) {
                (Some(Compiled::Image(f)), Some(Compiled::Image(d))) => (f, d),
                (None, None) => continue,
                (Some(Compiled::Errors(f)), Some(Compiled::Errors(d))) => {
                    assert_eq!(f, d, "{}", dir.display());
                    continue;
                }
                (f, d) => panic!(
                    "{}: fast gave {:?}, deferred {:?}",
                    dir.display(),
                    f.map(|c| matches!(c, Compiled::Image(_))),
                    d.map(|c| matches!(c, Compiled::Image(_)))
                ),
            };
            assert_eq!(fast.files.len(), deferred.files.len(), "{}", dir.display());
            for (f, d) in fast.files.iter().zip(&deferred.files) {
                let what = format!("{}: {}", dir.display(), f.name());
                assert_eq!(f.name(), d.name(), "{what}");
                // The pool's copy of the option locations is never read (see `ImageFile::proto`).
                let without_source_info =
                    |p: &prost_types::FileDescriptorProto| prost_types::FileDescriptorProto {
                        source_code_info: None,
                        ..p.clone()
                    };
                assert_eq!(
                    without_source_info(f.proto()),
                    without_source_info(d.proto()),
                    "{what}"
                );
                assert!(
                    f.encoded_source_info() == d.encoded_source_info(),
                    "{what}: source info differs"
                );
                later += usize::from(d.is_deferred());
                compared += 1;
            }
        }
        assert!(compared > 100, "only {compared} files compared");
        assert!(
            later > 100,
            "only {later} files had their source info made later"
        );
    }

    /// Fast linking (source info split off, shards) gives exactly the image exact linking gives,
    /// and gives up (so that exact linking reports) whenever exact linking finds errors.
    #[test]
    fn fast_and_sharded_linking_give_the_exact_image() {
        let mut compared = 0;
        for (dir, workspace) in workspaces() {
            let exact = compile_with(&workspace, &[], Linking::Exact, 1).expect("an outcome");
            let fast = compile_with(&workspace, &[], Linking::Fast, link::MIN_TARGETS_PER_SHARD);
            let sharded = compile_with(&workspace, &[], Linking::Fast, 1);
            match exact {
                Compiled::Errors(_) => {
                    assert!(fast.is_none(), "{}: fast linking hid errors", dir.display());
                    assert!(
                        sharded.is_none(),
                        "{}: sharded linking hid errors",
                        dir.display()
                    );
                }
                Compiled::Image(exact) => {
                    let want = bytes(&exact);
                    for (how, got) in [("fast", fast), ("sharded", sharded)] {
                        let Some(Compiled::Image(got)) = got else {
                            panic!(
                                "{}: {how} linking failed where exact linking did not",
                                dir.display()
                            );
                        };
                        assert!(
                            bytes(&got) == want,
                            "{}: {how} image differs",
                            dir.display()
                        );
                        let names = |i: &Image| -> Vec<(String, bool)> {
                            i.files
                                .iter()
                                .map(|f| (f.name().to_string(), f.is_import))
                                .collect()
                        };
                        assert_eq!(names(&got), names(&exact), "{}: {how}", dir.display());
                    }
                    compared += 1;
                }
            }
        }
        assert!(compared > 100, "only {compared} fixtures compiled");
    }
}
