//! The compiled form every check works on: a list of files (dependencies first) with their
//! descriptors, source info and source text, plus the linked [`DescriptorPool`]s for reading
//! options (custom options are only visible through a pool, prost-types drops them).
//!
//! A large input is linked in several pools (shards, see `compile::link`); each pool holds some of
//! the files with everything they import. Look descriptors up through [`Image::file_descriptor`]
//! and [`Image::pool_of`], which find the right pool.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, OnceLock};

use prost::Message;
use prost_reflect::{DescriptorPool, EnumDescriptor, FileDescriptor, MessageDescriptor};
use prost_types::source_code_info::Location;
use prost_types::{FileDescriptorProto, SourceCodeInfo};

use crate::check::Span;

/// A compiled set of files.
#[derive(Debug, Clone)]
pub struct Image {
    /// Files in topological order: every file comes after the files it imports.
    /// Imports (files that are not targets) are included with `is_import = true`.
    pub files: Vec<ImageFile>,
    /// The linked files: each file is in at least one pool, with all it imports.
    pools: Vec<DescriptorPool>,
    /// Pools of another image whose files this image shares (the other side of `breaking`, see
    /// `compile::share`): they serve only the files named in [`Borrowed::files`].
    borrowed: Option<Borrowed>,
    /// Position of each file in `files` by import path, built on first lookup. Files are only
    /// ever appended, so an entry stays right; a name missing from it is looked up by a scan.
    by_name: OnceLock<HashMap<String, usize>>,
}

/// Whether a pool from [`Image::all_pools`] serves `file` here (`only`: the files it serves, all
/// when `None`).
fn serves(only: Option<&HashSet<String>>, file: &str) -> bool {
    only.is_none_or(|names| names.contains(file))
}

/// Pools borrowed from another image, and the files they serve here.
#[derive(Debug, Clone)]
struct Borrowed {
    pools: Vec<DescriptorPool>,
    files: Arc<HashSet<String>>,
}

impl Image {
    pub fn new(files: Vec<ImageFile>, pools: Vec<DescriptorPool>) -> Image {
        Image {
            files,
            pools,
            borrowed: None,
            by_name: OnceLock::new(),
        }
    }

    /// An image whose files named in `shared` are linked in `borrowed_pools` (another image's
    /// pools, which also hold files this image does not have, or has other versions of: those are
    /// never seen through this image); its other files are linked in its own `pools`.
    pub fn with_borrowed(
        files: Vec<ImageFile>,
        pools: Vec<DescriptorPool>,
        borrowed_pools: Vec<DescriptorPool>,
        shared: Arc<HashSet<String>>,
    ) -> Image {
        Image {
            files,
            pools,
            borrowed: Some(Borrowed {
                pools: borrowed_pools,
                files: shared,
            }),
            by_name: OnceLock::new(),
        }
    }

    /// The image's own descriptor pools (one, unless the input was linked in shards; none of
    /// the pools it borrowed, see [`Image::with_borrowed`]).
    pub fn pools(&self) -> &[DescriptorPool] {
        &self.pools
    }

    /// Every pool with some of this image's files, each with the files it serves here (`None`:
    /// all of its files).
    fn all_pools(&self) -> impl Iterator<Item = (&DescriptorPool, Option<&HashSet<String>>)> {
        let own = self.pools.iter().map(|p| (p, None));
        let borrowed = self
            .borrowed
            .iter()
            .flat_map(|b| b.pools.iter().map(move |p| (p, Some(&*b.files))));
        own.chain(borrowed)
    }

    /// The pools that may hold this file: the borrowed ones for a file it shares, else its own.
    fn pools_for<'a>(&'a self, file: &str) -> impl Iterator<Item = &'a DescriptorPool> {
        let borrowed = self.borrowed.as_ref().filter(|b| b.files.contains(file));
        let own = if borrowed.is_some() {
            &[][..]
        } else {
            &self.pools[..]
        };
        borrowed.into_iter().flat_map(|b| &b.pools).chain(own)
    }

    /// The pool that linked this file (with everything it imports).
    pub fn pool_of(&self, file: &str) -> Option<&DescriptorPool> {
        self.pools_for(file)
            .find(|p| p.get_file_by_name(file).is_some())
    }

    /// The linked descriptor of a file: options, custom options included, and resolved types.
    pub fn file_descriptor(&self, file: &str) -> Option<FileDescriptor> {
        self.pools_for(file).find_map(|p| p.get_file_by_name(file))
    }

    /// A message by full name (`acme.v1.User`), from any pool.
    pub fn message_by_name(&self, full_name: &str) -> Option<MessageDescriptor> {
        self.all_pools().find_map(|(p, only)| {
            p.get_message_by_name(full_name)
                .filter(|m| serves(only, m.parent_file().name()))
        })
    }

    /// An enum by full name, from any pool.
    pub fn enum_by_name(&self, full_name: &str) -> Option<EnumDescriptor> {
        self.all_pools().find_map(|(p, only)| {
            p.get_enum_by_name(full_name)
                .filter(|e| serves(only, e.parent_file().name()))
        })
    }

    /// Every message of the image, once per full name.
    pub fn all_messages(&self) -> impl Iterator<Item = MessageDescriptor> + '_ {
        let mut seen = std::collections::HashSet::new();
        self.all_pools()
            .flat_map(|(p, only)| {
                p.all_messages()
                    .filter(move |m| serves(only, m.parent_file().name()))
            })
            .filter(move |m| seen.insert(m.full_name().to_string()))
    }

    /// The file with this import path (`foo/v1/foo.proto`).
    pub fn file(&self, name: &str) -> Option<&ImageFile> {
        let index = self.by_name.get_or_init(|| {
            self.files
                .iter()
                .enumerate()
                .map(|(i, f)| (f.name().to_string(), i))
                .collect()
        });
        match index.get(name).and_then(|&i| self.files.get(i)) {
            Some(f) if f.name() == name => Some(f),
            _ => self.files.iter().find(|f| f.name() == name),
        }
    }

    /// Files that are targets of this run (not imports).
    pub fn targets(&self) -> impl Iterator<Item = &ImageFile> {
        self.files.iter().filter(|f| !f.is_import)
    }

    /// Drops every file's source text and source info (positions and comments). For the
    /// `--against` side of `breaking`: findings are placed in the current files, and no rule reads
    /// the previous side's positions, comments or text, so the memory they took (the text and
    /// encoded source info of every file not shared with the input) is free for the comparison.
    pub fn forget_sources(&mut self) {
        for f in &mut self.files {
            f.source = None;
            f.set_encoded_source_info(None);
        }
    }

    /// Lets go of the source info of the files compiled from source by fast linking (most files
    /// of a large input), keeping what computes it again when a file's positions or comments are
    /// first asked for: its text (kept anyway) and its linked descriptor. For `breaking`, whose
    /// findings are in a few of the input's files, while the `--against` side compiles: on
    /// googleapis that source info is ~60 MB. Every file answers as before.
    pub fn defer_source_info(&mut self) {
        let fds: Vec<Option<FileDescriptor>> = self
            .files
            .iter()
            .map(|f| {
                let deferrable =
                    f.rejoined && f.deferred.is_none() && f.edition.is_none() && f.source.is_some();
                deferrable.then(|| self.file_descriptor(f.name())).flatten()
            })
            .collect();
        for (f, fd) in self.files.iter_mut().zip(fds) {
            if let (Some(fd), Some(text)) = (fd, f.source.clone()) {
                f.defer_source_info(fd, text);
            }
        }
    }

    /// Keeps the targets and the files they import, directly or not; drops the other files (as
    /// buf narrows an image to some paths). The kept files keep their order.
    pub fn keep_targets_and_their_imports(&mut self) {
        let index: HashMap<&str, usize> = self
            .files
            .iter()
            .enumerate()
            .map(|(i, f)| (f.name(), i))
            .collect();
        let mut keep = vec![false; self.files.len()];
        let mut pending: Vec<usize> = (0..self.files.len())
            .filter(|&i| !self.files[i].is_import)
            .collect();
        while let Some(i) = pending.pop() {
            if std::mem::replace(&mut keep[i], true) {
                continue;
            }
            let file = &self.files[i];
            let deps = file
                .proto()
                .dependency
                .iter()
                .chain(&file.option_dependency);
            pending.extend(deps.filter_map(|d| index.get(d.as_str()).copied()));
        }
        let mut keep = keep.into_iter();
        self.files.retain(|_| keep.next().unwrap_or(false));
        self.by_name = OnceLock::new();
    }
}

/// One compiled file.
#[derive(Debug, Clone)]
pub struct ImageFile {
    /// The descriptor (see [`ImageFile::proto`]).
    proto: Proto,
    /// True when the file is only here because a target imports it.
    pub is_import: bool,
    /// The path shown to users in findings: relative to the input they named
    /// (`proto/foo/v1/foo.proto` for a module at `proto/`, `current/1.proto` for input `current`).
    pub external_path: String,
    /// The path relative to the input root (module directory + import path): what `ignore`,
    /// `excludes` and `--path` are matched against.
    pub root_path: String,
    /// Index of the workspace module the file belongs to (`None` for well-known types, include
    /// roots and image inputs).
    pub module: Option<usize>,
    /// The source text, when compiled from source.
    pub source: Option<Arc<str>>,
    /// `Some` for `edition = "2023"|"2024"` files (then `proto.syntax` is `"editions"`).
    pub edition: Option<crate::compile::editions::Edition>,
    /// `import option` files (edition 2024, `FileDescriptorProto.option_dependency`): not in
    /// `proto.dependency`, though the pool links them as imports so their options resolve.
    pub option_dependency: Vec<String>,
    /// The encoded `SourceCodeInfo` (a few bytes per location; decoded it is many times larger,
    /// and most commands only need it for the few files with findings).
    source_info: Option<Arc<[u8]>>,
    /// Source info not kept but computed again on first use ([`Image::defer_source_info`]).
    deferred: Option<Arc<Deferred>>,
    /// Whether `source_info` is the file's text parsed for fast linking with the option locations
    /// of its pool put back (`compile::image_file`): then it can be computed again from both.
    pub(crate) rejoined: bool,
    locations: OnceLock<Locations>,
}

/// What the source info of a file is computed again from (its text and its linked descriptor,
/// whose pool holds the option locations as the linker rewrote them), and the result once asked.
#[derive(Debug)]
struct Deferred {
    fd: FileDescriptor,
    text: Arc<str>,
    encoded: OnceLock<Option<Arc<[u8]>>>,
}

/// Where an image file's descriptor is.
#[derive(Debug, Clone)]
enum Proto {
    /// The linked pool's copy, as it is for most files (no second copy of every descriptor).
    Linked(FileDescriptor),
    /// A descriptor of its own (editions form, restored JSON names, outlines of unlinked files).
    /// Shared between clones (both sides of `breaking` may hold the same file).
    Own(Arc<FileDescriptorProto>),
}

impl ImageFile {
    /// A file with a descriptor of its own; `proto`'s source info, if any, moves into the image
    /// file's encoded copy.
    pub fn new(
        mut proto: FileDescriptorProto,
        is_import: bool,
        external_path: String,
        root_path: String,
        module: Option<usize>,
        source: Option<Arc<str>>,
    ) -> Self {
        let source_info = proto
            .source_code_info
            .take()
            .map(|info| info.encode_to_vec());
        let proto = Proto::Own(Arc::new(proto));
        ImageFile::with(
            proto,
            source_info,
            is_import,
            external_path,
            root_path,
            module,
            source,
        )
    }

    /// A file whose descriptor is the pool's copy as linked, with its source info encoded
    /// (`source_info`; the pool's own copy of the source info, if any, is never read).
    pub fn linked(
        fd: FileDescriptor,
        source_info: Option<Vec<u8>>,
        is_import: bool,
        external_path: String,
        root_path: String,
        module: Option<usize>,
        source: Option<Arc<str>>,
    ) -> Self {
        let proto = Proto::Linked(fd);
        ImageFile::with(
            proto,
            source_info,
            is_import,
            external_path,
            root_path,
            module,
            source,
        )
    }

    fn with(
        proto: Proto,
        source_info: Option<Vec<u8>>,
        is_import: bool,
        external_path: String,
        root_path: String,
        module: Option<usize>,
        source: Option<Arc<str>>,
    ) -> Self {
        ImageFile {
            proto,
            is_import,
            external_path,
            root_path,
            module,
            source,
            edition: None,
            option_dependency: Vec::new(),
            source_info: source_info.map(Arc::from),
            deferred: None,
            rejoined: false,
            locations: OnceLock::new(),
        }
    }

    /// The descriptor. Read positions and comments through [`ImageFile::locations`] and
    /// [`ImageFile::source_code_info`], never through its `source_code_info` field (the pool's
    /// copy may hold part of it, with the compiler's columns).
    pub fn proto(&self) -> &FileDescriptorProto {
        match &self.proto {
            Proto::Linked(fd) => fd.file_descriptor_proto(),
            Proto::Own(proto) => proto,
        }
    }

    /// The descriptor, to change: the image file takes a copy of its own first if needed.
    pub fn proto_mut(&mut self) -> &mut FileDescriptorProto {
        if let Proto::Linked(fd) = &self.proto {
            let mut own = fd.file_descriptor_proto().clone();
            own.source_code_info = None;
            self.proto = Proto::Own(Arc::new(own));
        }
        match &mut self.proto {
            Proto::Own(proto) => Arc::make_mut(proto),
            Proto::Linked(_) => unreachable!("made its own just above"),
        }
    }

    /// Replaces the descriptor; its source info, if any, replaces the image file's.
    pub fn set_proto(&mut self, mut proto: FileDescriptorProto) {
        if let Some(info) = proto.source_code_info.take() {
            self.set_encoded_source_info(Some(info.encode_to_vec()));
        }
        self.proto = Proto::Own(Arc::new(proto));
    }

    /// Replaces the source info with an encoded `SourceCodeInfo`.
    pub fn set_encoded_source_info(&mut self, encoded: Option<Vec<u8>>) {
        self.source_info = encoded.map(Arc::from);
        self.deferred = None;
        self.locations = OnceLock::new();
    }

    /// Lets go of the source info, to be computed again from `text` and `fd` (the file as fast
    /// linking linked it, with its option locations) on first use: see [`Image::defer_source_info`].
    pub(crate) fn defer_source_info(&mut self, fd: FileDescriptor, text: Arc<str>) {
        self.source_info = None;
        self.rejoined = true;
        self.deferred = Some(Arc::new(Deferred {
            fd,
            text,
            encoded: OnceLock::new(),
        }));
    }

    /// Whether the source info is made when first read ([`ImageFile::defer_source_info`]).
    pub fn is_deferred(&self) -> bool {
        self.deferred.is_some()
    }

    /// The encoded `SourceCodeInfo` (the body of `FileDescriptorProto.source_code_info`).
    pub fn encoded_source_info(&self) -> Option<&[u8]> {
        match &self.deferred {
            Some(d) => d
                .encoded
                .get_or_init(|| crate::compile::rejoined_source_info(&d.fd, &d.text).map(Arc::from))
                .as_deref(),
            None => self.source_info.as_deref(),
        }
    }

    /// The source info, decoded (not kept: use [`ImageFile::locations`] for repeated lookups).
    /// `None` for files without source info (well-known types, images built without it).
    pub fn source_code_info(&self) -> Option<SourceCodeInfo> {
        let bytes = self.encoded_source_info()?;
        // The bytes were encoded by us or came out of a descriptor that decoded: they decode.
        SourceCodeInfo::decode(bytes).ok()
    }

    /// The import path (`foo/v1/foo.proto`).
    pub fn name(&self) -> &str {
        self.proto().name()
    }

    pub fn package(&self) -> &str {
        self.proto().package()
    }

    /// The `syntax` as buf reports it: `proto2` when absent, `proto3`, or `editions`.
    pub fn syntax(&self) -> &str {
        match self.proto().syntax.as_deref() {
            None | Some("") => "proto2",
            Some(s) => s,
        }
    }

    /// The first location of each of the `wanted` paths (protoc keeps the first when a path
    /// repeats), decoding only those: for a few lookups in a file, cheaper than [`locations`].
    ///
    /// [`locations`]: ImageFile::locations
    pub fn locations_at(
        &self,
        wanted: &std::collections::HashSet<Vec<i32>>,
    ) -> HashMap<Vec<i32>, Location> {
        let mut out = HashMap::new();
        if let (Some(bytes), false) = (self.encoded_source_info(), wanted.is_empty()) {
            crate::compile::scan_source_info(bytes, |path, raw| {
                if wanted.contains(path) && !out.contains_key(path) {
                    if let Ok(loc) = Location::decode(raw) {
                        out.insert(path.to_vec(), loc);
                    }
                }
            });
        }
        out
    }

    /// Whether the source info has a location at `path`.
    pub fn has_location(&self, path: &[i32]) -> bool {
        let mut found = false;
        if let Some(bytes) = self.encoded_source_info() {
            crate::compile::scan_source_info(bytes, |p, _| found |= p == path);
        }
        found
    }

    /// The source locations of this file, indexed by `SourceCodeInfo` path (built on first use).
    pub fn locations(&self) -> &Locations {
        self.locations
            .get_or_init(|| Locations::new(self.source_code_info()))
    }
}

/// `SourceCodeInfo` indexed by path: `[4, 0, 2, 1]` is field 1 of message 0 (descriptor.proto field numbers).
#[derive(Debug, Default, Clone)]
pub struct Locations {
    by_path: HashMap<Vec<i32>, Location>,
}

impl Locations {
    fn new(info: Option<SourceCodeInfo>) -> Self {
        let mut by_path = HashMap::new();
        for loc in info.map(|i| i.location).unwrap_or_default() {
            // protoc keeps the first location when a path repeats (e.g. options split over lines).
            by_path.entry(loc.path.clone()).or_insert(loc);
        }
        Locations { by_path }
    }

    pub fn get(&self, path: &[i32]) -> Option<&Location> {
        self.by_path.get(path)
    }

    /// The span of the element at `path`, 1-based.
    pub fn span(&self, path: &[i32]) -> Option<Span> {
        self.get(path)
            .and_then(|l| Span::from_source_code_info(&l.span))
    }

    pub fn leading_comments(&self, path: &[i32]) -> Option<&str> {
        self.get(path).and_then(|l| l.leading_comments.as_deref())
    }

    pub fn trailing_comments(&self, path: &[i32]) -> Option<&str> {
        self.get(path).and_then(|l| l.trailing_comments.as_deref())
    }

    pub fn leading_detached_comments(&self, path: &[i32]) -> &[String] {
        self.get(path)
            .map(|l| l.leading_detached_comments.as_slice())
            .unwrap_or(&[])
    }

    pub fn is_empty(&self) -> bool {
        self.by_path.is_empty()
    }
}

/// Field numbers of descriptor.proto used in `SourceCodeInfo` paths.
pub mod tag {
    /// `uninterpreted_option` of every options message.
    pub const UNINTERPRETED_OPTION: i32 = 999;
    pub mod file {
        pub const PACKAGE: i32 = 2;
        pub const DEPENDENCY: i32 = 3;
        pub const MESSAGE_TYPE: i32 = 4;
        pub const ENUM_TYPE: i32 = 5;
        pub const SERVICE: i32 = 6;
        pub const EXTENSION: i32 = 7;
        pub const OPTIONS: i32 = 8;
        pub const PUBLIC_DEPENDENCY: i32 = 10;
        pub const WEAK_DEPENDENCY: i32 = 11;
        pub const SYNTAX: i32 = 12;
        pub const EDITION: i32 = 14;
    }
    pub mod message {
        pub const NAME: i32 = 1;
        pub const FIELD: i32 = 2;
        pub const NESTED_TYPE: i32 = 3;
        pub const ENUM_TYPE: i32 = 4;
        pub const EXTENSION_RANGE: i32 = 5;
        pub const EXTENSION: i32 = 6;
        pub const OPTIONS: i32 = 7;
        pub const ONEOF_DECL: i32 = 8;
        pub const RESERVED_RANGE: i32 = 9;
        pub const RESERVED_NAME: i32 = 10;
        /// Of `ExtensionRange` and `ReservedRange`.
        pub mod range {
            pub const START: i32 = 1;
            pub const END: i32 = 2;
            pub const OPTIONS: i32 = 3;
        }
    }
    pub mod field {
        pub const NAME: i32 = 1;
        pub const EXTENDEE: i32 = 2;
        pub const NUMBER: i32 = 3;
        pub const LABEL: i32 = 4;
        pub const TYPE: i32 = 5;
        pub const TYPE_NAME: i32 = 6;
        pub const DEFAULT_VALUE: i32 = 7;
        pub const OPTIONS: i32 = 8;
        pub const ONEOF_INDEX: i32 = 9;
        pub const JSON_NAME: i32 = 10;
    }
    pub mod oneof {
        pub const NAME: i32 = 1;
        pub const OPTIONS: i32 = 2;
    }
    pub mod enum_ {
        pub const NAME: i32 = 1;
        pub const VALUE: i32 = 2;
        pub const OPTIONS: i32 = 3;
        pub const RESERVED_RANGE: i32 = 4;
        pub const RESERVED_NAME: i32 = 5;
    }
    pub mod enum_value {
        pub const NAME: i32 = 1;
        pub const NUMBER: i32 = 2;
        pub const OPTIONS: i32 = 3;
    }
    pub mod service {
        pub const NAME: i32 = 1;
        pub const METHOD: i32 = 2;
        pub const OPTIONS: i32 = 3;
    }
    pub mod method {
        pub const NAME: i32 = 1;
        pub const INPUT_TYPE: i32 = 2;
        pub const OUTPUT_TYPE: i32 = 3;
        pub const OPTIONS: i32 = 4;
        pub const CLIENT_STREAMING: i32 = 5;
        pub const SERVER_STREAMING: i32 = 6;
    }
}
