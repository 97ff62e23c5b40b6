//! `protoforge generate`: a complete Rust crate (prost messages, tonic clients and servers) from a
//! compiled image, without protoc, plugins or a build script.
//!
//! Input: the encoded `FileDescriptorSet` of an image (imports and source info included, custom
//! options kept) and the names of the target files. Output: a [`GeneratedCrate`], a sorted map of
//! crate-relative paths to contents, which [`writer`] applies under `--out` (or diffs in `--check`).
//!
//! Steps: pick the files to generate ([`select`]), run prost-build with the tonic-prost service
//! generator on them ([`codegen`]), build the template context ([`context`]) and render the crate
//! templates ([`templates`]).

mod codegen;
pub mod context;
mod editions;
mod select;
mod services;
pub mod templates;
pub mod writer;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use prost::Message;
use prost_types::FileDescriptorSet;

use crate::compile::editions::Edition;
use crate::{Error, Result};

/// The name of the list of generated files kept under `--out`.
pub const MANIFEST_FILE: &str = ".protoforge-manifest";

/// The file under `src/` holding the encoded `FileDescriptorSet` for gRPC reflection.
pub const DESCRIPTOR_SET_FILE: &str = "src/file_descriptor_set.bin";

/// How to generate. `Default` gives messages, clients and servers for the targets.
#[derive(Debug, Clone)]
pub struct GenerateOptions {
    /// The crate name (`orders-api`); default: derived from the target packages.
    pub crate_name: Option<String>,
    /// Generate every file of the image, not only the targets and the files they need.
    pub include_imports: bool,
    /// Generate tonic clients (behind the `client` feature unless `no_features`).
    pub client: bool,
    /// Generate tonic servers (behind the `server` feature unless `no_features`).
    pub server: bool,
    /// Generate `connect` constructors on clients (needs tonic's `transport`).
    pub transport: bool,
    /// Put clients and servers behind no Cargo feature (protoc-gen-prost-crate `no_features`).
    pub no_features: bool,
    /// Generate `google.protobuf` types instead of using `prost_types`.
    pub compile_well_known_types: bool,
    /// Server traits get default methods returning `Unimplemented`.
    pub generate_default_stubs: bool,
    /// `(proto path, rust path)`: types provided by another crate.
    pub extern_paths: Vec<(String, String)>,
    /// `(proto path, attribute)` pairs, as prost-build takes them.
    pub type_attributes: Vec<(String, String)>,
    pub message_attributes: Vec<(String, String)>,
    pub enum_attributes: Vec<(String, String)>,
    pub field_attributes: Vec<(String, String)>,
    pub client_mod_attributes: Vec<(String, String)>,
    pub client_attributes: Vec<(String, String)>,
    pub server_mod_attributes: Vec<(String, String)>,
    pub server_attributes: Vec<(String, String)>,
    /// Proto paths for `BTreeMap` maps, `Bytes` bytes, boxed fields, no comments, no `Debug`.
    pub btree_map: Vec<String>,
    pub bytes: Vec<String>,
    pub boxed: Vec<String>,
    pub disable_comments: Vec<String>,
    pub skip_debug: Vec<String>,
    /// Keep enum value prefixes (prost `retain_enum_prefix`).
    pub retain_enum_prefix: bool,
    /// Implement `prost::Name` for messages.
    pub enable_type_names: bool,
    /// Also render the write-once starter server (`examples/server.rs`).
    pub skeleton: bool,
    /// Templates in this directory override the embedded ones of the same name.
    pub template_dir: Option<PathBuf>,
}

impl Default for GenerateOptions {
    fn default() -> Self {
        GenerateOptions {
            crate_name: None,
            include_imports: false,
            client: true,
            server: true,
            transport: true,
            no_features: false,
            compile_well_known_types: false,
            generate_default_stubs: false,
            extern_paths: Vec::new(),
            type_attributes: Vec::new(),
            message_attributes: Vec::new(),
            enum_attributes: Vec::new(),
            field_attributes: Vec::new(),
            client_mod_attributes: Vec::new(),
            client_attributes: Vec::new(),
            server_mod_attributes: Vec::new(),
            server_attributes: Vec::new(),
            btree_map: Vec::new(),
            bytes: Vec::new(),
            boxed: Vec::new(),
            disable_comments: Vec::new(),
            skip_debug: Vec::new(),
            retain_enum_prefix: false,
            enable_type_names: false,
            skeleton: false,
            template_dir: None,
        }
    }
}

/// A generated crate: crate-relative paths (`/`-separated) to file contents, sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GeneratedCrate {
    /// Files owned by the generator: rewritten on every run, listed in the manifest, removed when
    /// no longer generated.
    pub files: BTreeMap<String, Vec<u8>>,
    /// Files written only when absent and never listed in the manifest (the starter server):
    /// once written they belong to the user.
    pub write_once: BTreeMap<String, Vec<u8>>,
}

impl GeneratedCrate {
    /// The manifest listing [`GeneratedCrate::files`], as stored in [`MANIFEST_FILE`].
    pub fn manifest(&self) -> String {
        let mut out = String::from(
            "# Files generated by protoforge. It rewrites and removes only the files listed here;\n\
             # any other file under this directory is yours and never touched. Do not edit.\n",
        );
        for path in self.files.keys() {
            out.push_str(path);
            out.push('\n');
        }
        out
    }
}

/// Starts the one-time set-up of the compile ([`crate::compile::warm_up`]) and then, on the same
/// thread, the one of [`generate`]'s code generator (prost-build's regexes for doc comments, built
/// on first use, ~0.7 ms): both overlap reading and compiling the input instead of delaying it.
pub fn warm_up() {
    crate::compile::warm_up_then(codegen::warm_up);
}

/// Generates the crate for `targets` (file names as in the descriptor set) from an encoded
/// `FileDescriptorSet` that holds them and all their imports.
pub fn generate(fds: &[u8], targets: &[String], opts: &GenerateOptions) -> Result<GeneratedCrate> {
    // prost-reflect links proto2/proto3 only: editions files go in proto2-shaped; prost-build
    // gets them proto3-shaped with their features spelled out (see `editions`).
    let (linkable, file_editions) = crate::compile::editions::linkable_image(fds).map_err(|e| {
        Error::new(format!(
            "the input is not an encoded FileDescriptorSet: {e}"
        ))
    })?;
    let input = fds;
    let fds = linkable.as_deref().unwrap_or(fds);
    let mut set = FileDescriptorSet::decode(fds).map_err(|e| {
        Error::new(format!(
            "the input is not an encoded FileDescriptorSet: {e}"
        ))
    })?;
    let decode_pool = || {
        prost_reflect::DescriptorPool::decode(fds).map_err(|e| {
            Error::new(format!(
                "the FileDescriptorSet does not link (missing imports?): {e}"
            ))
        })
    };
    let file_editions: HashMap<String, Edition> = file_editions
        .into_iter()
        .map(|(name, (edition, _))| (name, edition))
        .collect();
    let generate_code = |set: &FileDescriptorSet| {
        if targets.is_empty() {
            return Err(
                Error::new("no files to generate: the input has no .proto files")
                    .with_help("check the input directory and the --path / --exclude-path flags"),
            );
        }
        let selection = select::select(set, targets, opts)?;
        let _timing = crate::trace::phase("generate code");
        let modules = codegen::run(&selection, &editions::boxed_groups(set), opts)?;
        Ok((selection, modules))
    };
    let load_templates = || templates::Templates::load(opts.template_dir.as_deref());
    // The pool (for editions shaping and the template context) and the templates do not depend
    // on the generated code: without editions files to shape first, they are made while the code
    // generates. Errors are reported in the order of the steps either way.
    let (pool, generated, templates) = if file_editions.is_empty() {
        let ((pool, templates), generated) =
            rayon::join(|| (decode_pool(), load_templates()), || generate_code(&set));
        (pool?, generated?, templates)
    } else {
        let pool = decode_pool()?;
        editions::shape(&mut set, &pool, &file_editions);
        let generated = generate_code(&set)?;
        (pool, generated, load_templates())
    };
    let (selection, modules) = generated;
    let _timing = crate::trace::phase("render templates");
    let ctx = context::build(&pool, &selection, &modules, opts)?;
    let templates = templates?;

    let mut out = GeneratedCrate::default();
    for module in &modules {
        out.files.insert(
            format!("src/{}", module.file_name),
            module.code.clone().into_bytes(),
        );
    }
    out.files.insert(
        DESCRIPTOR_SET_FILE.to_string(),
        // The files as in the input: editions files in their editions form.
        selection.descriptor_set_bytes(input)?,
    );

    for rendered in templates.render_all(&ctx, opts.skeleton)? {
        if out.files.contains_key(&rendered.path) || out.write_once.contains_key(&rendered.path) {
            return Err(Error::new(format!(
                "template `{}` renders to `{}`, which another template or generated module already writes",
                rendered.template, rendered.path
            ))
            .with_help("give the template a different `output_path`"));
        }
        if rendered.write_once {
            out.write_once
                .insert(rendered.path, rendered.contents.into_bytes());
        } else {
            out.files
                .insert(rendered.path, rendered.contents.into_bytes());
        }
    }
    Ok(out)
}

/// Checks that a crate-relative output path stays under the output directory: relative, no `..`,
/// no `.`, no empty or drive components, not the manifest.
pub fn validate_relative_path(path: &str) -> Result<()> {
    let bad = |why: &str| {
        Err(Error::new(format!("output path `{path}` {why}")).with_help(
            "generated files must stay under --out: use a relative path such as `src/extra.rs`",
        ))
    };
    if path.is_empty() {
        return bad("is empty");
    }
    if path.starts_with('/') || path.starts_with('\\') || path.contains(':') {
        return bad("is absolute and would escape --out");
    }
    for part in path.split(['/', '\\']) {
        match part {
            ".." => return bad("escapes --out through `..`"),
            "" | "." => return bad("has an empty or `.` component"),
            _ => {}
        }
    }
    if path == MANIFEST_FILE {
        return bad("is protoforge's manifest file");
    }
    Ok(())
}
