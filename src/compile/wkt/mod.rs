//! Built-in sources buf knows beyond protox's well-known types: the modern
//! `google/protobuf/descriptor.proto` (with `FeatureSet` and `Edition`, needed to resolve
//! `features` options) and the language feature files `cpp_features.proto`,
//! `java_features.proto`, `go_features.proto`. Copied verbatim from the protobuf sources buf 1.75 ships as well-known types (BSD-3-Clause,
//! Copyright Google LLC; license text in each file's header). One edit: descriptor.proto's
//! `extensions 536000000 [declaration = ...]` is written `536000000 to 536000000` (same range),
//! because protox-parse 0.10 rejects a single-number range followed by options.

use protox::file::{File, FileResolver};

const FILES: &[(&str, &str)] = &[
    (
        "google/protobuf/descriptor.proto",
        include_str!("descriptor.proto"),
    ),
    (
        "google/protobuf/cpp_features.proto",
        include_str!("cpp_features.proto"),
    ),
    (
        "google/protobuf/java_features.proto",
        include_str!("java_features.proto"),
    ),
    (
        "google/protobuf/go_features.proto",
        include_str!("go_features.proto"),
    ),
];

/// Serves the files above; misses fall through to the next resolver of the chain.
#[derive(Debug, Default)]
pub struct BuiltinFiles;

impl FileResolver for BuiltinFiles {
    fn open_file(&self, name: &str) -> Result<File, protox::Error> {
        match FILES.iter().find(|(n, _)| *n == name) {
            Some((n, src)) => File::from_source(n, src),
            None => Err(protox::Error::file_not_found(name)),
        }
    }
}
