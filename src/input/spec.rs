//! Parsing an input string in buf's syntax: `location#key=value,key=value`.
//!
//! The format comes from `format=` or from the location (`.git` -> git, `.tar.gz` -> tar with gzip,
//! `.binpb` -> image, `-` -> binary image on stdin, anything else -> directory). Keys that do not
//! apply to the format are errors, as in buf.

use std::fmt;

use crate::{Error, Result};

/// How the bytes at an input's location are to be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A directory of sources on disk.
    Dir,
    /// A single `.proto` file on disk (the run is limited to it).
    ProtoFile,
    /// A git repository read from its object database.
    Git,
    /// A tar archive of sources (optionally compressed).
    Tar,
    /// A zip archive of sources.
    Zip,
    /// A binary image (`FileDescriptorSet` or buf image).
    Binpb,
    /// A protobuf-JSON image.
    Json,
    /// A text-format image (buf's `txtpb`): recognised, not supported.
    Txtpb,
    /// A YAML image (buf's `yaml`): recognised, not supported.
    Yaml,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Dir => "dir",
            Format::ProtoFile => "protofile",
            Format::Git => "git",
            Format::Tar => "tar",
            Format::Zip => "zip",
            Format::Binpb => "binpb",
            Format::Json => "json",
            Format::Txtpb => "txtpb",
            Format::Yaml => "yaml",
        }
    }

    fn from_name(name: &str) -> Option<Format> {
        Some(match name {
            "dir" => Format::Dir,
            "protofile" => Format::ProtoFile,
            "git" => Format::Git,
            "tar" => Format::Tar,
            "zip" => Format::Zip,
            // `bin` is buf's old name for `binpb`.
            "binpb" | "bin" => Format::Binpb,
            "json" => Format::Json,
            "txtpb" => Format::Txtpb,
            "yaml" => Format::Yaml,
            _ => return None,
        })
    }

    /// Whether this format is an image (compiled descriptors) rather than sources.
    pub fn is_image(self) -> bool {
        matches!(
            self,
            Format::Binpb | Format::Json | Format::Txtpb | Format::Yaml
        )
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Compression of a tar archive or an image file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Compression {
    #[default]
    None,
    Gzip,
    /// Recognised (buf supports it) but not supported by protoforge.
    Zstd,
}

impl Compression {
    fn from_name(name: &str) -> Option<Compression> {
        Some(match name {
            "none" => Compression::None,
            "gzip" => Compression::Gzip,
            "zstd" => Compression::Zstd,
            _ => return None,
        })
    }
}

/// Which revision of a git repository to read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GitOptions {
    /// `branch=`: a local branch, else `origin/<branch>`.
    pub branch: Option<String>,
    /// `tag=`: a tag (lightweight or annotated).
    pub tag: Option<String>,
    /// `ref=`: any revision git understands (`HEAD~1`, a sha, `origin/main`); with `branch`,
    /// `HEAD` means the tip of that branch.
    pub ref_: Option<String>,
    /// `commit=` (buf's older key): a commit sha.
    pub commit: Option<String>,
    /// `depth=`: accepted and ignored (nothing is cloned).
    pub depth: Option<u32>,
    /// `recurse_submodules=`: accepted; submodules are never read, so `true` is an error when the
    /// tree has one (without it, submodule entries are skipped).
    pub recurse_submodules: bool,
    /// `filter=`: accepted and ignored (partial-clone filter for buf's clone).
    pub filter: Option<String>,
}

impl GitOptions {
    /// The revision as the user wrote it, for messages (`branch "main"`, `HEAD`).
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(b) = &self.branch {
            parts.push(format!("branch \"{b}\""));
        }
        if let Some(t) = &self.tag {
            parts.push(format!("tag \"{t}\""));
        }
        if let Some(c) = &self.commit {
            parts.push(format!("commit \"{c}\""));
        }
        if let Some(r) = &self.ref_ {
            parts.push(format!("ref \"{r}\""));
        }
        if parts.is_empty() {
            "HEAD".to_string()
        } else {
            parts.join(" ")
        }
    }
}

/// A parsed input: where it is, how to read it, and its options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputSpec {
    /// The input as the user wrote it (for messages).
    pub raw: String,
    /// The part before `#` (`.` when empty).
    pub location: String,
    pub format: Format,
    pub compression: Compression,
    pub git: GitOptions,
    /// `strip_components=N` for archives.
    pub strip_components: u32,
    /// `subdir=` for git repositories and archives, normalised (`proto/v1`), never empty.
    pub subdir: Option<String>,
    /// `include_package_files=true` for a single `.proto` file: also every file of its package.
    pub include_package_files: bool,
}

/// The keys buf accepts after `#`.
const KEYS: &[&str] = &[
    "format",
    "compression",
    "branch",
    "tag",
    "ref",
    "commit",
    "depth",
    "recurse_submodules",
    "filter",
    "strip_components",
    "subdir",
    "include_package_files",
];

fn input_error(raw: &str, message: impl fmt::Display) -> Error {
    Error::new(format!("input \"{raw}\": {message}"))
}

impl InputSpec {
    /// Parses `location#key=value,...`. Errors (exit 1) name the input and the bad key or value.
    pub fn parse(input: &str) -> Result<InputSpec> {
        let raw = input.to_string();
        if input.starts_with('#') {
            return Err(
                input_error(&raw, "starts with '#': the location before it is missing").with_help(
                    "write the location first, e.g. `.#format=dir` or `.git#branch=main`",
                ),
            );
        }
        let (location, options) = match input.split_once('#') {
            Some((loc, opts)) => (loc, Some(opts)),
            None => (input, None),
        };
        let location = if location.is_empty() { "." } else { location };

        let mut pairs: Vec<(&str, &str)> = Vec::new();
        if let Some(options) = options {
            if options.is_empty() {
                return Err(input_error(&raw, "nothing after '#'").with_help(
                    "add options as key=value pairs separated by commas, or drop the '#'",
                ));
            }
            for pair in options.split(',') {
                let Some((key, value)) = pair.split_once('=') else {
                    return Err(input_error(
                        &raw,
                        format!("invalid option \"{pair}\": expected key=value"),
                    )
                    .with_help(format!("valid keys: {}", KEYS.join(", "))));
                };
                if key.is_empty() || value.is_empty() {
                    return Err(input_error(
                        &raw,
                        format!("invalid option \"{pair}\": expected key=value"),
                    )
                    .with_help(format!("valid keys: {}", KEYS.join(", "))));
                }
                if !KEYS.contains(&key) {
                    return Err(input_error(&raw, format!("unknown key \"{key}\""))
                        .with_help(format!("valid keys: {}", KEYS.join(", "))));
                }
                if pairs.iter().any(|(k, _)| *k == key) {
                    return Err(input_error(&raw, format!("duplicate key \"{key}\""))
                        .with_help("give each key at most once"));
                }
                pairs.push((key, value));
            }
        }
        let get = |key: &str| pairs.iter().find(|(k, _)| *k == key).map(|(_, v)| *v);

        let explicit_compression = match get("compression") {
            Some(name) => Some(Compression::from_name(name).ok_or_else(|| {
                input_error(&raw, format!("unknown compression \"{name}\""))
                    .with_help("valid values: none, gzip, zstd")
            })?),
            None => None,
        };
        let (format, detected_compression) = match get("format") {
            Some(name) => {
                let format = Format::from_name(name).ok_or_else(|| {
                    input_error(&raw, format!("unknown format \"{name}\"")).with_help(
                        "valid formats: dir, protofile, git, tar, zip, binpb (or bin), json, txtpb, yaml",
                    )
                })?;
                // With an explicit format, a compression suffix still counts (`a.tar.gz#format=tar`).
                let compression = if location.ends_with(".gz") || location.ends_with(".tgz") {
                    Compression::Gzip
                } else if location.ends_with(".zst") {
                    Compression::Zstd
                } else {
                    Compression::None
                };
                (format, compression)
            }
            None => {
                if is_remote(location) {
                    return Err(input_error(
                        &raw,
                        "remote git repositories are not supported: protoforge never uses the network",
                    )
                    .with_help("clone the repository first, then use its local path, e.g. `repo/.git#branch=main`"));
                }
                detect(location)
            }
        };
        let compression = explicit_compression.unwrap_or(detected_compression);

        let mut spec = InputSpec {
            raw: raw.clone(),
            location: location.to_string(),
            format,
            compression,
            git: GitOptions::default(),
            strip_components: 0,
            subdir: None,
            include_package_files: false,
        };

        // Which option groups the format allows, with buf's names for them.
        let git_keys = [
            "branch",
            "tag",
            "ref",
            "commit",
            "depth",
            "recurse_submodules",
            "filter",
        ];
        let archive_keys = ["strip_components"];
        let not_allowed = |group: &str| {
            input_error(&raw, format!("{group} are not valid for format \"{format}\"")).with_help(format!(
                "remove them, or set the format explicitly (e.g. `{location}#format=git`) if \"{location}\" is not a {format}"
            ))
        };
        let has_any = |keys: &[&str]| keys.iter().any(|k| get(k).is_some());
        if format != Format::Git && has_any(&git_keys) {
            return Err(not_allowed(
                "git options (branch, tag, ref, commit, depth, recurse_submodules, filter)",
            ));
        }
        if !matches!(format, Format::Tar | Format::Zip) && has_any(&archive_keys) {
            return Err(not_allowed("archive options (strip_components)"));
        }
        if !matches!(format, Format::Git | Format::Tar | Format::Zip) && get("subdir").is_some() {
            return Err(not_allowed("subdir options"));
        }
        if format != Format::ProtoFile && get("include_package_files").is_some() {
            return Err(not_allowed("include_package_files options"));
        }
        if explicit_compression.is_some() {
            if format == Format::Zip {
                return Err(
                    input_error(&raw, "cannot specify compression for zip files").with_help(
                        "zip archives carry their own compression: remove `compression=`",
                    ),
                );
            }
            if !matches!(
                format,
                Format::Tar | Format::Binpb | Format::Json | Format::Txtpb | Format::Yaml
            ) {
                return Err(not_allowed("compression options"));
            }
        }
        if format == Format::Zip
            || !matches!(
                format,
                Format::Tar | Format::Binpb | Format::Json | Format::Txtpb | Format::Yaml
            )
        {
            spec.compression = Compression::None;
        }

        // Git.
        spec.git.branch = get("branch").map(str::to_string);
        spec.git.tag = get("tag").map(str::to_string);
        spec.git.ref_ = get("ref").map(str::to_string);
        spec.git.commit = get("commit").map(str::to_string);
        spec.git.filter = get("filter").map(str::to_string);
        let exclusive = [&spec.git.branch, &spec.git.tag, &spec.git.commit]
            .iter()
            .filter(|v| v.is_some())
            .count();
        if exclusive > 1 {
            return Err(
                input_error(&raw, "give only one of \"branch\", \"tag\" or \"commit\"").with_help(
                    "`ref=` may be combined with `branch=` (HEAD then means the branch tip)",
                ),
            );
        }
        if spec.git.ref_.is_some() && (spec.git.tag.is_some() || spec.git.commit.is_some()) {
            return Err(input_error(
                &raw,
                "\"ref\" cannot be combined with \"tag\" or \"commit\"",
            )
            .with_help("use `ref=` alone: it accepts tags and shas too"));
        }
        if let Some(depth) = get("depth") {
            let n: u32 = depth.parse().map_err(|_| {
                input_error(&raw, format!("could not parse depth value \"{depth}\"")).with_help(
                    "depth is a positive whole number (accepted and ignored: nothing is cloned)",
                )
            })?;
            if n == 0 {
                return Err(input_error(&raw, "depth must be greater than 0")
                    .with_help("remove `depth=` or give a positive number"));
            }
            spec.git.depth = Some(n);
        }
        if let Some(value) = get("recurse_submodules") {
            spec.git.recurse_submodules = parse_bool(&raw, "recurse_submodules", value)?;
        }

        if let Some(value) = get("strip_components") {
            spec.strip_components = value.parse().map_err(|_| {
                input_error(
                    &raw,
                    format!("could not parse strip_components value \"{value}\""),
                )
                .with_help("strip_components is a whole number >= 0, e.g. `strip_components=1`")
            })?;
        }
        if let Some(value) = get("subdir") {
            spec.subdir = normalize_subdir(&raw, value)?;
        }
        if let Some(value) = get("include_package_files") {
            spec.include_package_files = parse_bool(&raw, "include_package_files", value)?;
        }
        Ok(spec)
    }
}

fn parse_bool(raw: &str, key: &str, value: &str) -> Result<bool> {
    match value {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(
            input_error(raw, format!("could not parse {key} value \"{value}\""))
                .with_help(format!("use `{key}=true` or `{key}=false`")),
        ),
    }
}

/// `subdir=` as a clean relative path; `.` means none. `..` escaping the root is an error.
fn normalize_subdir(raw: &str, value: &str) -> Result<Option<String>> {
    if value.starts_with('/') {
        return Err(
            input_error(raw, format!("subdir \"{value}\" must be relative"))
                .with_help("give the subdirectory relative to the repository or archive root"),
        );
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in value.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err(input_error(
                        raw,
                        format!("subdir \"{value}\" is outside the repository or archive"),
                    )
                    .with_help("give a subdirectory inside it, without leading `..`"));
                }
            }
            p => parts.push(p),
        }
    }
    Ok(if parts.is_empty() {
        None
    } else {
        Some(parts.join("/"))
    })
}

fn is_remote(location: &str) -> bool {
    ["http://", "https://", "ssh://", "git://", "git@"]
        .iter()
        .any(|p| location.starts_with(p))
}

/// The format and compression a location implies, as buf detects them.
fn detect(location: &str) -> (Format, Compression) {
    if location == "-" {
        return (Format::Binpb, Compression::None);
    }
    let (base, compression) = if let Some(b) = location.strip_suffix(".gz") {
        (b, Compression::Gzip)
    } else if let Some(b) = location.strip_suffix(".zst") {
        (b, Compression::Zstd)
    } else {
        (location, Compression::None)
    };
    if location.ends_with(".tgz") {
        return (Format::Tar, Compression::Gzip);
    }
    let format = if base.ends_with(".tar") {
        Format::Tar
    } else if base.ends_with(".binpb") || base.ends_with(".bin") {
        Format::Binpb
    } else if base.ends_with(".json") {
        Format::Json
    } else if base.ends_with(".txtpb") {
        Format::Txtpb
    } else if base.ends_with(".yaml") || base.ends_with(".yml") {
        Format::Yaml
    } else if compression != Compression::None {
        // `foo.gz` of nothing known: a directory named so.
        return (Format::Dir, Compression::None);
    } else if location.ends_with(".zip") {
        Format::Zip
    } else if location.ends_with(".git") || location.ends_with(".git/") {
        Format::Git
    } else if location.ends_with(".proto") {
        Format::ProtoFile
    } else {
        Format::Dir
    };
    (format, compression)
}
