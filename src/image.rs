//! The compiled form every check works on: a list of files (dependencies first) with their
//! descriptors, source info and source text, plus a linked [`DescriptorPool`] for reading options
//! (custom options are only visible through the pool, prost-types drops them).

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use prost_reflect::DescriptorPool;
use prost_types::source_code_info::Location;
use prost_types::FileDescriptorProto;

use crate::check::Span;

/// A compiled set of files.
#[derive(Debug, Clone)]
pub struct Image {
    /// Files in topological order: every file comes after the files it imports.
    /// Imports (files that are not targets) are included with `is_import = true`.
    pub files: Vec<ImageFile>,
    /// All files linked together; read options (including custom ones) through it.
    pub pool: DescriptorPool,
    /// Position of each file in `files` by import path, built on first lookup. Files are only
    /// ever appended, so an entry stays right; a name missing from it is looked up by a scan.
    by_name: OnceLock<HashMap<String, usize>>,
}

impl Image {
    pub fn new(files: Vec<ImageFile>, pool: DescriptorPool) -> Image {
        Image {
            files,
            pool,
            by_name: OnceLock::new(),
        }
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
}

/// One compiled file.
#[derive(Debug, Clone)]
pub struct ImageFile {
    /// The descriptor, with `SourceCodeInfo` when the file was compiled from source.
    pub proto: FileDescriptorProto,
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
    locations: OnceLock<Locations>,
}

impl ImageFile {
    pub fn new(
        proto: FileDescriptorProto,
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
            locations: OnceLock::new(),
        }
    }

    /// The import path (`foo/v1/foo.proto`).
    pub fn name(&self) -> &str {
        self.proto.name()
    }

    pub fn package(&self) -> &str {
        self.proto.package()
    }

    /// The `syntax` as buf reports it: `proto2` when absent, `proto3`, or `editions`.
    pub fn syntax(&self) -> &str {
        match self.proto.syntax.as_deref() {
            None | Some("") => "proto2",
            Some(s) => s,
        }
    }

    /// The source locations of this file, indexed by `SourceCodeInfo` path (built on first use).
    pub fn locations(&self) -> &Locations {
        self.locations.get_or_init(|| Locations::new(&self.proto))
    }
}

/// `SourceCodeInfo` indexed by path: `[4, 0, 2, 1]` is field 1 of message 0 (descriptor.proto field numbers).
#[derive(Debug, Default, Clone)]
pub struct Locations {
    by_path: HashMap<Vec<i32>, Location>,
}

impl Locations {
    fn new(file: &FileDescriptorProto) -> Self {
        let mut by_path = HashMap::new();
        if let Some(info) = &file.source_code_info {
            for loc in &info.location {
                // protoc keeps the first location when a path repeats (e.g. options split over lines).
                by_path
                    .entry(loc.path.clone())
                    .or_insert_with(|| loc.clone());
            }
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
