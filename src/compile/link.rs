//! Linking parsed files with protox into descriptor pools, in parallel shards for large inputs.
//!
//! protox links one file at a time into one `DescriptorPool`, so linking is sequential. A large
//! input (googleapis: 7,000 files) is split into shards of neighbouring target files (same API
//! directories import each other), each linked by its own compiler on its own thread together with
//! what it imports; files imported by several shards (`google/api/...`) are linked in each. The
//! image takes every file from the first pool that has it, in the order one compiler would have
//! linked them ([`image_order`]), so the output does not depend on the number of threads.
//!
//! Imports are served by one resolver chain per shard: parsed workspace files, other workspace
//! files (parsed on first import), include roots (`-I`, `PROTOFORGE_INCLUDE`), the registry
//! dependencies pinned in buf.lock ([`crate::deps`]), then the well-known types.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

use prost_reflect::{DescriptorPool, FileDescriptor};
use protox::file::{ChainFileResolver, File, FileResolver, GoogleFileResolver};
use rayon::prelude::*;

use super::editions::{Edition, Restore};
use super::parse::{editions_finding, parse_file, ParseFailure, Parsed};
use super::source_info::Own;
use super::{errors, wkt, Linking};
use crate::check::Finding;
use crate::workspace::{Workspace, WorkspaceFile};

/// Inputs smaller than this are linked by one compiler: a shard's share of the common imports
/// would cost more than the parallelism saves.
pub const MIN_TARGETS_PER_SHARD: usize = 256;
/// Shards per thread: shards differ in cost, so more shards than threads keep both cores busy
/// to the end (each shard links its share of the common imports again).
pub(super) const SHARDS_PER_THREAD: usize = 2;

/// What linking gave.
pub(super) struct Linked {
    pub pools: Vec<DescriptorPool>,
    /// Link errors (and front-end errors of workspace files parsed on first import).
    pub findings: Vec<Finding>,
    /// Editions files among the workspace files parsed on first import.
    pub editions_files: HashMap<String, (Edition, Restore)>,
    /// Split-off source info of the workspace files parsed on first import.
    pub detached: HashMap<String, Own>,
}

/// Files already linked elsewhere that a compile takes as they are instead of parsing them again
/// (the files `breaking`'s two sides share, see `compile::share`): each is handed to the linker
/// as the descriptor `pools` linked (names resolved, options interpreted), which links to the
/// same descriptor. Every import of a seeded file must be seeded too.
pub(crate) struct Seed {
    pub pools: Vec<DescriptorPool>,
    pub files: Arc<HashSet<String>>,
}

impl Seed {
    /// The linked descriptor of a seeded file, as a file for the linker, without the option
    /// locations its pool kept: the image takes a seeded file from elsewhere, so nothing reads
    /// its locations here, and they were a large part of what the seeded copies cost (two
    /// decoded copies per pool).
    fn file(&self, name: &str) -> Option<File> {
        if !self.files.contains(name) {
            return None;
        }
        let fd = self.pools.iter().find_map(|p| p.get_file_by_name(name))?;
        let mut copy = fd.file_descriptor_proto().clone();
        copy.source_code_info = None;
        Some(File::from_file_descriptor_proto(copy))
    }
}

/// Links the workspace's target files (those that parsed) and everything they import.
/// `ready` holds the parsed targets; `failed`, the workspace files that did not parse. Fast
/// linking uses `shards_per_thread` shards per thread ([`SHARDS_PER_THREAD`]) of at least
/// `min_targets_per_shard` targets ([`MIN_TARGETS_PER_SHARD`]; tests force shards on small
/// inputs). Files in `seed` are taken linked from there.
#[allow(clippy::too_many_arguments)]
pub(super) fn link(
    workspace: &Workspace,
    include_roots: &[PathBuf],
    linking: Linking,
    min_targets_per_shard: usize,
    shards_per_thread: usize,
    ready: HashMap<String, Parsed>,
    failed: BTreeSet<String>,
    seed: Option<Arc<Seed>>,
) -> Linked {
    let targets: Vec<&WorkspaceFile> = workspace
        .targets()
        .filter(|t| !failed.contains(&t.name))
        .collect();
    let mut shared = Shared::new(workspace, include_roots, linking, failed);
    shared.seed = seed;
    shared.compact = true;
    let count = shard_count(
        linking,
        targets.len(),
        min_targets_per_shard,
        shards_per_thread,
    );
    let shards = plan_shards(&targets, ready, count);
    let outcomes: Vec<Linked> = if shards.len() == 1 {
        shards
            .into_iter()
            .map(|s| link_shard(s, &shared, workspace))
            .collect()
    } else {
        shards
            .into_par_iter()
            .map(|s| link_shard(s, &shared, workspace))
            .collect()
    };
    let mut linked = Linked {
        pools: Vec::with_capacity(outcomes.len()),
        findings: Vec::new(),
        editions_files: HashMap::new(),
        detached: HashMap::new(),
    };
    for outcome in outcomes {
        linked.pools.extend(outcome.pools);
        linked.findings.extend(outcome.findings);
        linked.editions_files.extend(outcome.editions_files);
        for (name, info) in outcome.detached {
            linked.detached.entry(name).or_insert(info);
        }
    }
    linked
}

/// How many shards [`link`] links `targets` target files in.
pub(super) fn shard_count(
    linking: Linking,
    targets: usize,
    min_targets_per_shard: usize,
    shards_per_thread: usize,
) -> usize {
    match linking {
        Linking::Exact => 1,
        Linking::Fast | Linking::Bare | Linking::Deferred => (shards_per_thread
            * rayon::current_num_threads())
        .min(targets / min_targets_per_shard.max(1)),
    }
}

/// The files of the image, each from the first pool that has it, in the order one compiler
/// linking `targets` in turn would have added them (imports first, in declaration order).
pub(super) fn image_order(pools: &[DescriptorPool], targets: &[&str]) -> Vec<FileDescriptor> {
    fn visit(
        name: &str,
        pools: &[DescriptorPool],
        seen: &mut HashSet<String>,
        out: &mut Vec<FileDescriptor>,
    ) {
        if seen.contains(name) {
            return;
        }
        let Some(fd) = pools.iter().find_map(|p| p.get_file_by_name(name)) else {
            return;
        };
        seen.insert(name.to_string());
        for dep in &fd.file_descriptor_proto().dependency {
            visit(dep, pools, seen, out);
        }
        out.push(fd);
    }
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for target in targets {
        visit(target, pools, &mut seen, &mut out);
    }
    out
}

/// What every shard reads.
pub(super) struct Shared {
    /// Every workspace file (text, external path), for those a shard has not got parsed (files
    /// that are not targets, or that went to another shard): parsed when first imported.
    sources: Arc<HashMap<String, (Arc<str>, String)>>,
    /// Workspace files that failed to parse: importing them is not reported as "not found".
    failed: Arc<BTreeSet<String>>,
    include_roots: Vec<PathBuf>,
    linking: Linking,
    /// Files taken linked from elsewhere, not parsed.
    seed: Option<Arc<Seed>>,
    /// Whether each file is compacted as soon as it is linked (`prost_reflect::compact_while_linking`:
    /// the pool then holds it once, as its `prost_types` descriptor and its encoded options,
    /// ~-15% of a googleapis breaking run's peak memory; whole-tree lint's shards, ~-2% of its
    /// time, most of it in dropping each shard's pool). Not for pools whose files are all encoded
    /// and the pool then dropped (`stream`'s build): encoding a compacted file makes its encoded
    /// form again first.
    compact: bool,
    /// Whether, with [`Linking::Fast`], the files a shard links that are not its own targets are
    /// parsed [`Linking::Deferred`] (their source info made only if read): see
    /// [`Shared::defer_imports`].
    defer_imports: bool,
    /// With [`Linking::Fast`], only the files whose text holds this keep their comments (see
    /// [`Shared::comments_only_in_files_with`]).
    comments_only_with: Option<&'static str>,
}

impl Shared {
    /// `failed`: the workspace files that did not parse.
    pub(super) fn new(
        workspace: &Workspace,
        include_roots: &[PathBuf],
        linking: Linking,
        failed: BTreeSet<String>,
    ) -> Shared {
        Shared {
            sources: Arc::new(
                workspace
                    .files
                    .iter()
                    .map(|(name, f)| (name.clone(), (f.text.clone(), f.external_path.clone())))
                    .collect(),
            ),
            failed: Arc::new(failed),
            include_roots: include_roots.to_vec(),
            linking,
            seed: None,
            compact: false,
            defer_imports: false,
            comments_only_with: None,
        }
    }

    /// For a compile whose comments are read only where they may hold `marker`, if any (a whole-tree
    /// `lint` whose rules read no comments: only comment ignores, `// buf:lint:ignore ...`): the
    /// other files are lowered without comments (positions are all there). Making the comments is
    /// a tenth of a lint's CPU, and few files have an ignore comment.
    pub(super) fn comments_only_in_files_with(mut self, marker: Option<&'static str>) -> Shared {
        self.comments_only_with = marker;
        self
    }

    /// For shards whose images are read for their own targets only (whole-tree `lint`): every
    /// shard also links the imports the targets share (and other shards' targets), whose
    /// positions and comments no rule reads there; their source info is made only if it is read.
    pub(super) fn defer_imports(mut self) -> Shared {
        self.defer_imports = true;
        self
    }

    /// Each file compacted as soon as it is linked (see `compact`).
    pub(super) fn compacting(mut self) -> Shared {
        self.compact = true;
        self
    }
}

/// Target files to link together, and the parsed workspace files they need (the others are
/// parsed when first imported).
pub(super) struct Shard {
    pub targets: Vec<String>,
    files: HashMap<String, Parsed>,
}

/// `count` shards (contiguous runs of targets of about equal source size; one if `count` <= 1).
/// A parsed file needed by several shards is copied into each.
pub(super) fn plan_shards(
    targets: &[&WorkspaceFile],
    mut ready: HashMap<String, Parsed>,
    count: usize,
) -> Vec<Shard> {
    if count <= 1 {
        return vec![Shard {
            targets: targets.iter().map(|t| t.name.clone()).collect(),
            files: ready,
        }];
    }
    // Shards of about equal source size (a rough measure of linking cost), cut between
    // directory groups when that still gives half the shards asked for (two at least),
    // anywhere otherwise.
    let mut runs = cut_runs(targets, count, true);
    if runs.len() < count.div_ceil(2).max(2) {
        runs = cut_runs(targets, count, false);
    }
    // The parsed files each run needs: its targets and their imports, transitively.
    let needs: Vec<Vec<String>> = runs
        .iter()
        .map(|run| {
            let mut seen: HashSet<&str> = HashSet::new();
            let mut stack: Vec<&str> = run.iter().map(String::as_str).collect();
            let mut out = Vec::new();
            while let Some(name) = stack.pop() {
                let Some((key, parsed)) = ready.get_key_value(name) else {
                    continue;
                };
                if seen.insert(key) {
                    out.push(key.clone());
                    stack.extend(parsed.descriptor().dependency.iter().map(String::as_str));
                }
            }
            out
        })
        .collect();
    let mut uses: HashMap<String, usize> = HashMap::new();
    for name in needs.iter().flatten() {
        *uses.entry(name.clone()).or_default() += 1;
    }
    runs.into_iter()
        .zip(needs)
        .map(|(targets, needed)| {
            let mut files = HashMap::with_capacity(needed.len());
            for name in needed {
                let left = uses.get_mut(&name).expect("counted");
                *left -= 1;
                let parsed = if *left == 0 {
                    ready.remove(&name)
                } else {
                    ready.get(&name).and_then(Parsed::duplicate)
                };
                if let Some(parsed) = parsed {
                    files.insert(name, parsed);
                }
            }
            Shard { targets, files }
        })
        .collect()
}

/// Files in one directory tree this deep (`google/ads/googleads/v23`: one API version) import
/// each other heavily: a shard boundary inside one makes the second shard link much of the first
/// again. On googleapis, cutting 8 shards anywhere linked 8,304 files for 7,291 (one boundary fell
/// among the `v23` services, which import 647 of its resources and enums); cutting between these
/// groups links 7,569.
const SHARD_GROUP_DEPTH: usize = 4;

/// The directory group of a file (its directory, cut to [`SHARD_GROUP_DEPTH`] components).
fn shard_group(name: &str) -> &str {
    let dir = name.rsplit_once('/').map_or("", |(dir, _)| dir);
    match dir.match_indices('/').nth(SHARD_GROUP_DEPTH - 1) {
        Some((i, _)) => &dir[..i],
        None => dir,
    }
}

/// Up to `count` contiguous runs of `targets` of about equal source size; with `by_group`, a run
/// ends only where the next target starts another [`shard_group`].
fn cut_runs(targets: &[&WorkspaceFile], count: usize, by_group: bool) -> Vec<Vec<String>> {
    let total: usize = targets.iter().map(|t| t.text.len()).sum();
    let mut runs: Vec<Vec<String>> = vec![Vec::new()];
    let mut size = 0;
    let mut group = None;
    for t in targets {
        let this_group = shard_group(&t.name);
        let may_cut = !by_group || group != Some(this_group);
        group = Some(this_group);
        if may_cut && size >= total * runs.len() / count && runs.len() < count {
            runs.push(Vec::new());
        }
        size += t.text.len();
        runs.last_mut()
            .expect("one run at least")
            .push(t.name.clone());
    }
    runs
}

/// Links one shard's targets with one compiler (one pool).
pub(super) fn link_shard(shard: Shard, shared: &Shared, workspace: &Workspace) -> Linked {
    let _timing = crate::trace::phase("link shard");
    let outcome = Rc::new(RefCell::new(LazyOutcome::default()));
    let mut chain = ChainFileResolver::new();
    chain.add(ParsedFiles {
        files: RefCell::new(shard.files),
        failed: shared.failed.clone(),
        sources: shared.sources.clone(),
        linking: shared.linking,
        own_targets: (shared.defer_imports && shared.linking == Linking::Fast)
            .then(|| shard.targets.iter().cloned().collect()),
        comments_only_with: shared.comments_only_with,
        seed: shared.seed.clone(),
        outcome: outcome.clone(),
    });
    for root in &shared.include_roots {
        chain.add(IncludeRoot { root: root.clone() });
    }
    if !workspace.deps.is_empty() {
        chain.add(DepFiles {
            deps: workspace.deps.clone(),
        });
    }
    chain.add(wkt::BuiltinFiles);
    chain.add(GoogleFileResolver::new());
    let mut compiler = protox::Compiler::with_file_resolver(chain);
    compiler.include_source_info(true).include_imports(true);
    let mut findings = Vec::new();
    let mut link_targets = || {
        for target in &shard.targets {
            if let Err(err) = compiler.open_file(target) {
                findings.extend(errors::to_findings(&err, workspace));
                if shared.linking.gives_up_on_errors() {
                    break;
                }
            }
        }
    };
    // Each file is compacted as soon as it is linked: the pool never holds two copies of it.
    if shared.compact {
        prost_reflect::compact_while_linking(link_targets);
    } else {
        link_targets();
    }
    let lazy = std::mem::take(&mut *outcome.borrow_mut());
    findings.extend(lazy.findings);
    Linked {
        pools: vec![compiler.descriptor_pool()],
        findings,
        editions_files: lazy.editions_files,
        detached: lazy.detached,
    }
}

/// Parsed workspace files for one compiler, which takes each file once (it keeps it).
struct ParsedFiles {
    files: RefCell<HashMap<String, Parsed>>,
    failed: Arc<BTreeSet<String>>,
    sources: Arc<HashMap<String, (Arc<str>, String)>>,
    linking: Linking,
    /// The shard's own targets, when the other files are parsed [`Linking::Deferred`]
    /// ([`Shared::defer_imports`]).
    own_targets: Option<HashSet<String>>,
    /// [`Shared::comments_only_in_files_with`].
    comments_only_with: Option<&'static str>,
    seed: Option<Arc<Seed>>,
    /// What parsing files on first import found out, collected after linking.
    outcome: Rc<RefCell<LazyOutcome>>,
}

/// Editions files, front-end errors and split-off source info of files parsed on first import.
#[derive(Default)]
struct LazyOutcome {
    editions_files: HashMap<String, (Edition, Restore)>,
    findings: Vec<Finding>,
    detached: HashMap<String, Own>,
}

impl FileResolver for ParsedFiles {
    fn open_file(&self, name: &str) -> Result<File, protox::Error> {
        if let Some(parsed) = self.files.borrow_mut().remove(name) {
            return Ok(parsed.into_file());
        }
        if let Some(file) = self.seed.as_ref().and_then(|s| s.file(name)) {
            return Ok(file);
        }
        if self.failed.contains(name) {
            return Err(protox::Error::new(errors::ImportFailedToParse(
                name.to_string(),
            )));
        }
        let Some((text, external_path)) = self.sources.get(name) else {
            return Err(protox::Error::file_not_found(name));
        };
        let linking = match &self.own_targets {
            Some(own) if !own.contains(name) => Linking::Deferred,
            _ => self.linking,
        };
        // Only a file parsed `Fast` makes comments: the others need no search for the marker.
        let comments = linking != Linking::Fast
            || self.comments_only_with.is_none_or(|marker| {
                memchr::memmem::find(text.as_bytes(), marker.as_bytes()).is_some()
            });
        match parse_file(name, text, linking, comments) {
            Ok((mut parsed, source_info)) => {
                let mut outcome = self.outcome.borrow_mut();
                if let Some(meta) = parsed.editions.take() {
                    outcome.editions_files.insert(name.to_string(), meta);
                }
                if let Some(info) = source_info {
                    outcome.detached.insert(name.to_string(), info);
                }
                Ok(parsed.into_file())
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
        }
    }
}

/// A directory of `.proto` files on disk, read lazily (only the files that are imported).
struct IncludeRoot {
    root: PathBuf,
}

impl FileResolver for IncludeRoot {
    fn open_file(&self, name: &str) -> Result<File, protox::Error> {
        let path = self.root.join(name);
        if !is_plain_relative(name) || !path.is_file() {
            return Err(protox::Error::file_not_found(name));
        }
        File::open(name, &path)
    }
}

/// The `.proto` files of the modules pinned in buf.lock, read from buf's module cache and verified
/// ([`crate::deps`]).
struct DepFiles {
    deps: Arc<crate::deps::Deps>,
}

impl FileResolver for DepFiles {
    fn open_file(&self, name: &str) -> Result<File, protox::Error> {
        let Some((module, bytes)) = self.deps.file(name) else {
            return Err(protox::Error::file_not_found(name));
        };
        match std::str::from_utf8(bytes) {
            Ok(text) => File::from_source(name, text),
            Err(_) => Err(protox::Error::new(errors::DependencyNotUtf8 {
                file: name.to_string(),
                module: module.pin.name.clone(),
            })),
        }
    }
}

fn is_plain_relative(name: &str) -> bool {
    let p = Path::new(name);
    p.is_relative()
        && p.components()
            .all(|c| matches!(c, std::path::Component::Normal(_)))
}

/// A file from outside the workspace as the linker would find it (include roots, buf.lock's
/// dependencies, the well-known types), parsed; `None` if no resolver has it or it does not parse.
pub(super) fn open_outside(
    name: &str,
    include_roots: &[PathBuf],
    workspace: &Workspace,
) -> Option<prost_types::FileDescriptorProto> {
    let mut chain = ChainFileResolver::new();
    for root in include_roots {
        chain.add(IncludeRoot { root: root.clone() });
    }
    if !workspace.deps.is_empty() {
        chain.add(DepFiles {
            deps: workspace.deps.clone(),
        });
    }
    chain.add(wkt::BuiltinFiles);
    chain.add(GoogleFileResolver::new());
    chain
        .open_file(name)
        .ok()
        .map(|file| file.file_descriptor_proto().clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, size: usize) -> WorkspaceFile {
        WorkspaceFile {
            name: name.to_string(),
            root_path: name.to_string(),
            external_path: name.to_string(),
            module: 0,
            is_target: true,
            text: "x".repeat(size).into(),
        }
    }

    use prost::Message;

    /// Files from memory, then the well-known types.
    struct Sources(Vec<(&'static str, &'static str)>);

    impl FileResolver for Sources {
        fn open_file(&self, name: &str) -> Result<File, protox::Error> {
            match self.0.iter().find(|(n, _)| *n == name) {
                Some((_, text)) => File::from_source(name, text),
                None => GoogleFileResolver::new().open_file(name),
            }
        }
    }

    const OPTIONS_PROTO: &str = r#"syntax = "proto2";
package t;
import "google/protobuf/descriptor.proto";
extend google.protobuf.FileOptions { optional string owner = 50000; }
extend google.protobuf.MessageOptions { optional int32 level = 50001; }
extend google.protobuf.FieldOptions { repeated string tag = 50002; }
extend google.protobuf.EnumValueOptions { optional bool old = 50003; }
extend google.protobuf.MethodOptions { optional string route = 50004; }
option (owner) = "me";
option java_package = "t.j";
message M {
  option (level) = 3;
  option deprecated = true;
  reserved 5 to 7;
  reserved "gone";
  extensions 100 to 200;
  optional string a = 1 [(tag) = "x", (tag) = "y", deprecated = true];
  map<string, int32> m = 2;
  oneof choice { string b = 3; int32 c = 4; }
  message N { optional M inner = 1 [lazy = true]; }
  extend M { optional int32 nested_ext = 150 [(tag) = "n"]; }
}
enum E { option allow_alias = true; E_ZERO = 0; E_ONE = 1 [(old) = true]; E_UNO = 1; reserved 9; reserved "NINE"; }
service S {
  rpc Get(M) returns (M) { option (route) = "/get"; option idempotency_level = NO_SIDE_EFFECTS; }
  rpc Watch(stream M) returns (stream M);
}
"#;

    fn pool(
        sources: Vec<(&'static str, &'static str)>,
        target: &str,
        compact: bool,
    ) -> Result<DescriptorPool, String> {
        let mut compiler = protox::Compiler::with_file_resolver(Sources(sources));
        compiler.include_imports(true).include_source_info(true);
        let result = if compact {
            prost_reflect::compact_while_linking(|| compiler.open_file(target).map(drop))
        } else {
            compiler.open_file(target).map(drop)
        };
        result.map_err(|e| format!("{e:?}"))?;
        Ok(compiler.descriptor_pool())
    }

    /// An element's full name and its options, encoded.
    fn named_options(name: &str, options: &prost_reflect::DynamicMessage) -> String {
        format!("{name} {:?}", options.encode_to_vec())
    }

    /// Everything the pool answers about a file's elements, encoded.
    fn answers(pool: &DescriptorPool) -> Vec<String> {
        fn message(m: &prost_reflect::MessageDescriptor, out: &mut Vec<String>) {
            out.push(format!(
                "{} {:?} {:?} {:?} {:?} {}",
                m.full_name(),
                m.options().encode_to_vec(),
                m.reserved_ranges().collect::<Vec<_>>(),
                m.reserved_names().collect::<Vec<_>>(),
                m.extension_ranges().collect::<Vec<_>>(),
                m.is_map_entry()
            ));
            for f in m.fields() {
                out.push(format!(
                    "{} {:?} {}",
                    f.full_name(),
                    f.options().encode_to_vec(),
                    f.is_map()
                ));
            }
            for o in m.oneofs() {
                out.push(named_options(o.full_name(), &o.options()));
            }
            for x in m.child_extensions() {
                out.push(named_options(x.full_name(), &x.options()));
            }
            for e in m.child_enums() {
                enumeration(&e, out);
            }
            for n in m.child_messages() {
                message(&n, out);
            }
        }
        fn enumeration(e: &prost_reflect::EnumDescriptor, out: &mut Vec<String>) {
            out.push(format!(
                "{} {:?} {:?} {:?}",
                e.full_name(),
                e.options().encode_to_vec(),
                e.reserved_ranges().collect::<Vec<_>>(),
                e.reserved_names().collect::<Vec<_>>()
            ));
            for v in e.values() {
                out.push(named_options(v.full_name(), &v.options()));
            }
        }
        let mut out = Vec::new();
        for fd in pool.files() {
            out.push(format!(
                "{} {:?} {:?}",
                fd.name(),
                fd.encode_to_vec(),
                fd.options().encode_to_vec()
            ));
            out.push(format!("{:?}", fd.file_descriptor_proto()));
            for m in fd.messages() {
                message(&m, &mut out);
            }
            for e in fd.enums() {
                enumeration(&e, &mut out);
            }
            for x in fd.extensions() {
                out.push(named_options(x.full_name(), &x.options()));
            }
            for s in fd.services() {
                out.push(named_options(s.full_name(), &s.options()));
                for m in s.methods() {
                    out.push(format!(
                        "{} {:?} {} {}",
                        m.full_name(),
                        m.options().encode_to_vec(),
                        m.is_client_streaming(),
                        m.is_server_streaming()
                    ));
                }
            }
        }
        out.push(format!("{:?}", pool.encode_to_vec()));
        out
    }

    /// A pool whose files were compacted as they were linked answers as one that kept them whole:
    /// the same encoded files (custom options included) and the same options, ranges and names
    /// on every element; files linked after them (extending their messages, in range or not)
    /// link, or fail, the same way.
    #[test]
    fn compacted_pools_answer_as_whole_ones() {
        let whole = pool(vec![("t.proto", OPTIONS_PROTO)], "t.proto", false).expect("links");
        let compacted = pool(vec![("t.proto", OPTIONS_PROTO)], "t.proto", true).expect("links");
        assert!(compacted.is_compacted() && !whole.is_compacted());
        assert_eq!(answers(&whole), answers(&compacted));

        let extending = r#"syntax = "proto2"; package u; import "t.proto";
extend t.M { optional string more = 120 [(t.tag) = "m"]; }
message V { optional t.M m = 1; optional t.E e = 2 [default = E_ONE]; }
"#;
        let sources = vec![("t.proto", OPTIONS_PROTO), ("u.proto", extending)];
        let whole = pool(sources.clone(), "u.proto", false).expect("links");
        let compacted = pool(sources, "u.proto", true).expect("links");
        assert_eq!(answers(&whole), answers(&compacted));

        for bad in [
            r#"syntax = "proto2"; package u; import "t.proto"; extend t.M { optional string x = 6; }"#,
            r#"syntax = "proto2"; package u; import "t.proto"; extend t.M { optional string x = 300; }"#,
            r#"syntax = "proto2"; package u; import "t.proto"; message V { optional t.M.N.Missing x = 1; }"#,
        ] {
            let sources = vec![("t.proto", OPTIONS_PROTO), ("u.proto", bad)];
            let whole = pool(sources.clone(), "u.proto", false).expect_err("fails");
            let compacted = pool(sources, "u.proto", true).expect_err("fails");
            assert_eq!(whole, compacted);
        }
    }

    #[test]
    fn shard_groups_are_directories_four_deep() {
        assert_eq!(
            shard_group("google/ads/googleads/v23/services/a.proto"),
            "google/ads/googleads/v23"
        );
        assert_eq!(shard_group("google/type/date.proto"), "google/type");
        assert_eq!(shard_group("top.proto"), "");
    }

    #[test]
    fn runs_end_between_groups_when_they_can() {
        let files = [
            file("a/b/c/v1/x.proto", 10),
            file("a/b/c/v1/y.proto", 10),
            file("a/b/c/v1/z/w.proto", 10),
            file("a/b/d/v1/x.proto", 10),
            file("a/b/d/v1/y.proto", 10),
            file("a/b/d/v1/z.proto", 10),
        ];
        let targets: Vec<&WorkspaceFile> = files.iter().collect();
        let names = |runs: Vec<Vec<String>>| runs.iter().map(Vec::len).collect::<Vec<_>>();
        // Anywhere: three equal runs; between groups: the two API directories.
        assert_eq!(names(cut_runs(&targets, 3, false)), [2, 2, 2]);
        assert_eq!(names(cut_runs(&targets, 3, true)), [3, 3]);
        // One group only: plan_shards falls back to cutting anywhere.
        let one: Vec<&WorkspaceFile> = files[..3].iter().collect();
        assert_eq!(names(cut_runs(&one, 3, true)), [3]);
        let shards = plan_shards(&one, HashMap::new(), 3);
        assert_eq!(shards.len(), 3);
    }
}
