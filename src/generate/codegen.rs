//! prost-build + tonic-prost-build, in memory: `Config::generate` with tonic's service generator.
//! One Rust source per proto package (`orders.v1.rs`, `_.rs` for no package); no protoc, no files.

use std::panic::{catch_unwind, AssertUnwindSafe};

use prost_build::{Config, Module};
use rayon::prelude::*;

use super::select::Selection;
use super::GenerateOptions;
use crate::{Error, Result};

/// The module the code of imported, not generated, files goes to before being dropped.
const DISCARDED_MODULE: &str = "__protoforge_imports_not_generated";

/// The Rust code of one proto package.
#[derive(Debug, Clone)]
pub struct PackageCode {
    /// The proto package (`orders.v1`, empty for none).
    pub package: String,
    /// Module path segments as prost names them (`["orders", "v1"]`).
    pub module: Vec<String>,
    /// File name under `src/` (`orders.v1.rs`).
    pub file_name: String,
    pub code: String,
}

/// Runs the generators over the selected files; packages come back sorted by module path.
/// `boxed_groups`: prost-build paths of group fields to box besides `opts.boxed` (see
/// [`super::editions::boxed_groups`]).
pub(crate) fn run(
    selection: &Selection,
    boxed_groups: &[String],
    opts: &GenerateOptions,
) -> Result<Vec<PackageCode>> {
    let mut config = Config::new();
    // Formatted below, only the packages kept and in parallel (prost-build would format the
    // discarded code of imported files too, one package after the other).
    config.format(false);
    for (proto, rust) in &opts.extern_paths {
        config.extern_path(proto, rust);
    }
    for (path, attr) in &opts.type_attributes {
        config.type_attribute(path, attr);
    }
    for (path, attr) in &opts.message_attributes {
        config.message_attribute(path, attr);
    }
    for (path, attr) in &opts.enum_attributes {
        config.enum_attribute(path, attr);
    }
    for (path, attr) in &opts.field_attributes {
        config.field_attribute(path, attr);
    }
    for path in opts.boxed.iter().chain(boxed_groups) {
        config.boxed(path);
    }
    if !opts.btree_map.is_empty() {
        config.btree_map(&opts.btree_map);
    }
    if !opts.bytes.is_empty() {
        config.bytes(&opts.bytes);
    }
    if !opts.disable_comments.is_empty() {
        config.disable_comments(&opts.disable_comments);
    }
    if !opts.skip_debug.is_empty() {
        config.skip_debug(&opts.skip_debug);
    }
    if opts.compile_well_known_types {
        config.compile_well_known_types();
    }
    if opts.retain_enum_prefix {
        config.retain_enum_prefix();
    }
    if opts.enable_type_names {
        config.enable_type_names();
    }

    if opts.client || opts.server {
        let mut tonic = tonic_prost_build::configure()
            .build_client(opts.client)
            .build_server(opts.server)
            .build_transport(opts.transport)
            .compile_well_known_types(opts.compile_well_known_types)
            .generate_default_stubs(opts.generate_default_stubs)
            .disable_comments(opts.disable_comments.iter());
        if !opts.no_features {
            tonic = tonic
                .client_mod_attribute(".", "#[cfg(feature = \"client\")]")
                .server_mod_attribute(".", "#[cfg(feature = \"server\")]");
        }
        for (path, attr) in &opts.client_mod_attributes {
            tonic = tonic.client_mod_attribute(path, attr);
        }
        for (path, attr) in &opts.client_attributes {
            tonic = tonic.client_attribute(path, attr);
        }
        for (path, attr) in &opts.server_mod_attributes {
            tonic = tonic.server_mod_attribute(path, attr);
        }
        for (path, attr) in &opts.server_attributes {
            tonic = tonic.server_attribute(path, attr);
        }
        config.service_generator(tonic.service_generator());
    }

    let mut requests: Vec<(Module, prost_types::FileDescriptorProto)> = selection
        .files
        .iter()
        .map(|f| (Module::from_protobuf_package_name(f.package()), f.clone()))
        .collect();
    let packages: std::collections::HashMap<Module, String> = requests
        .iter()
        .map(|(m, f)| (m.clone(), f.package().to_string()))
        .collect();
    // prost-build looks up every referenced message (well-known and extern types included) in a
    // graph built from the requests only, and panics on a miss. Feed it the imported files too,
    // under a module whose code is thrown away.
    let discard = Module::from_parts([DISCARDED_MODULE]);
    let selected: std::collections::HashSet<&str> =
        selection.files.iter().map(|f| f.name()).collect();
    for file in &selection.descriptor_files {
        if !selected.contains(file.name()) {
            requests.push((discard.clone(), file.clone()));
        }
    }

    // prost-build panics on some inputs it does not expect (it is written for build scripts):
    // turn that into an error instead of a crash.
    let generated = catch_unwind(AssertUnwindSafe(|| config.generate(requests)))
        .map_err(|panic| {
            let why = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown reason".to_string());
            Error::new(format!("prost-build failed on this input: {why}"))
        })?
        .map_err(|e| Error::new(format!("prost-build failed: {e}")))?;

    let kept: Vec<(Module, String)> = generated
        .into_iter()
        .filter(|(module, _)| *module != discard)
        .collect();
    let mut out: Vec<PackageCode> = kept
        .into_par_iter()
        .map(|(module, code)| {
            Ok(PackageCode {
                package: packages.get(&module).cloned().unwrap_or_default(),
                module: module.parts().map(str::to_string).collect(),
                file_name: module.to_file_name_or("_"),
                code: format_package(&code)?,
            })
        })
        .collect::<Result<_>>()?;
    out.sort_by(|a, b| a.module.cmp(&b.module));
    Ok(out)
}

/// The header prost-build puts on every package's code.
const GENERATED_HEADER: &str = "// This file is @generated by prost-build.\n";

/// Formats one package's code as prost-build's `format` option does (prettyplease over the parsed
/// file, the `@generated` header kept on top), so the output is byte for byte what it gives.
fn format_package(code: &str) -> Result<String> {
    let (header, body) = match code.strip_prefix(GENERATED_HEADER) {
        Some(body) => (GENERATED_HEADER, body),
        None => ("", code),
    };
    let file = syn::parse_file(body).map_err(|e| {
        Error::new(format!(
            "prost-build generated code that does not parse: {e}"
        ))
    })?;
    Ok(format!("{header}{}", prettyplease::unparse(&file)))
}
