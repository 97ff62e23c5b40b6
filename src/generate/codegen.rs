//! prost-build + tonic's code generator, in memory: `Config::generate` with the service generator
//! of [`super::services`], then prettyplease formatting of the packages kept.
//! One Rust source per proto package (`orders.v1.rs`, `_.rs` for no package); no protoc, no files.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex};

use prost_build::{Config, Module, Service};
use rayon::prelude::*;

use super::select::Selection;
use super::services::{self, DeferredServices, Half, ServiceOptions};
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

    let deferred = Arc::new(Mutex::new(Vec::new()));
    let mut service_options = None;
    if opts.client || opts.server {
        let mut services = ServiceOptions {
            client: opts.client,
            server: opts.server,
            transport: opts.transport,
            compile_well_known_types: opts.compile_well_known_types,
            generate_default_stubs: opts.generate_default_stubs,
            disable_comments: opts.disable_comments.iter().cloned().collect(),
            ..ServiceOptions::default()
        };
        if !opts.no_features {
            services
                .client_attributes
                .push_mod(".", "#[cfg(feature = \"client\")]");
            services
                .server_attributes
                .push_mod(".", "#[cfg(feature = \"server\")]");
        }
        for (path, attr) in &opts.client_mod_attributes {
            services.client_attributes.push_mod(path, attr);
        }
        for (path, attr) in &opts.client_attributes {
            services.client_attributes.push_struct(path, attr);
        }
        for (path, attr) in &opts.server_mod_attributes {
            services.server_attributes.push_mod(path, attr);
        }
        for (path, attr) in &opts.server_attributes {
            services.server_attributes.push_struct(path, attr);
        }
        service_options = Some(services);
        config.service_generator(Box::new(DeferredServices(deferred.clone())));
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
    let generated = catch_panic(|| config.generate(requests))?
        .map_err(|e| Error::new(format!("prost-build failed: {e}")))?;
    let services = std::mem::take(&mut *deferred.lock().unwrap_or_else(|e| e.into_inner()));
    let service_options = service_options.unwrap_or_default();

    let kept: Vec<(Module, String)> = generated
        .into_iter()
        .filter(|(module, _)| *module != discard)
        .collect();
    let codes = format_packages(&kept, &services, &service_options)?;
    let mut out: Vec<PackageCode> = kept
        .into_iter()
        .zip(codes)
        .map(|((module, _), code)| PackageCode {
            package: packages.get(&module).cloned().unwrap_or_default(),
            module: module.parts().map(str::to_string).collect(),
            file_name: module.to_file_name_or("_"),
            code,
        })
        .collect();
    out.sort_by(|a, b| a.module.cmp(&b.module));
    Ok(out)
}

/// Runs `f`, turning a panic into an error. prost-build (and tonic's generator, which
/// tonic-prost-build unwraps around) panics on some inputs it does not expect (it is written for
/// build scripts): an error, not a crash.
fn catch_panic<T>(f: impl FnOnce() -> T) -> Result<T> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|panic| {
        let why = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "unknown reason".to_string());
        Error::new(format!("prost-build failed on this input: {why}"))
    })
}

/// One piece of a package's code to format on its own: a run of whole items of prost-build's
/// code, or the code of a service (generated then).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Piece<'a> {
    Code(&'a str),
    Service(usize),
}

/// What one formatting job prints: a run of prost-build's code, or half of a service's code.
#[derive(Debug, Clone, Copy)]
enum Job<'a> {
    Code(&'a str),
    Service(usize, Half),
}

/// Formats the packages' code ([`format_package`] for each, the same text), with the pieces of all
/// packages in parallel: runs of prost-build's code ([`item_runs`]) and the services' clients and
/// servers, generated at the same time ([`services::code`]). A package with a piece that does not parse on its own
/// is formatted whole instead.
fn format_packages(
    packages: &[(Module, String)],
    services: &[Service],
    opts: &ServiceOptions,
) -> Result<Vec<String>> {
    let parts = rayon::current_num_threads();
    let mut jobs: Vec<(usize, Job<'_>)> = Vec::new();
    for (i, (_, code)) in packages.iter().enumerate() {
        let (_, body) = split_header(code);
        for piece in pieces(body, services.len())? {
            match piece {
                Piece::Code(code) => jobs.extend(
                    item_runs(code, parts)
                        .into_iter()
                        .map(|run| (i, Job::Code(run))),
                ),
                Piece::Service(n) => {
                    jobs.extend(opts.halves().map(|half| (i, Job::Service(n, half))))
                }
            }
        }
    }
    let printed: Vec<Option<String>> = jobs
        .par_iter()
        .map(|(_, job)| {
            Ok(match job {
                Job::Code(code) => format_run(code),
                Job::Service(n, half) => {
                    format_run(&catch_panic(|| services::code(opts, &services[*n], *half))?)
                }
            })
        })
        .collect::<Result<_>>()?;
    let mut out: Vec<Option<String>> = packages
        .iter()
        .map(|(_, code)| Some(split_header(code).0.to_string()))
        .collect();
    for ((i, _), text) in jobs.iter().zip(printed) {
        out[*i] = match (out[*i].take(), text) {
            (Some(mut acc), Some(text)) => {
                acc.push_str(&text);
                Some(acc)
            }
            _ => None,
        };
    }
    out.into_iter()
        .zip(packages)
        .map(|(formatted, (_, code))| match formatted {
            Some(formatted) => Ok(formatted),
            None => format_package(&spliced(code, services, opts)?),
        })
        .collect()
}

/// A package's code with each service marker replaced by the service's code, unformatted.
fn spliced(code: &str, services: &[Service], opts: &ServiceOptions) -> Result<String> {
    let (header, body) = split_header(code);
    let mut whole = String::with_capacity(code.len() * 2);
    whole.push_str(header);
    for piece in pieces(body, services.len())? {
        match piece {
            Piece::Code(code) => whole.push_str(code),
            Piece::Service(n) => {
                for half in opts.halves() {
                    whole.push_str(&catch_panic(|| services::code(opts, &services[n], half))?);
                }
            }
        }
    }
    Ok(whole)
}

/// `body` cut at the service markers ([`services::marker`]) into code and services; an error if a
/// marker names a service that does not exist (only prost-build's buffer holds markers).
fn pieces(body: &str, services: usize) -> Result<Vec<Piece<'_>>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut from = 0;
    while let Some(at) = body[from..].find(services::MARKER_START).map(|n| from + n) {
        from = at + services::MARKER_START.len();
        if at > 0 && body.as_bytes()[at - 1] != b'\n' {
            continue;
        }
        let rest = &body[from..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 || !rest[digits..].starts_with(");\n") {
            continue;
        }
        let Some(index) = rest[..digits]
            .parse::<usize>()
            .ok()
            .filter(|&n| n < services)
        else {
            return Err(Error::new(format!(
                "prost-build's code has an unknown service marker at byte {at}"
            )));
        };
        let end = from + digits + 3;
        if !body[start..at].trim().is_empty() {
            out.push(Piece::Code(&body[start..at]));
        }
        out.push(Piece::Service(index));
        start = end;
        from = end;
    }
    if !body[start..].trim().is_empty() {
        out.push(Piece::Code(&body[start..]));
    }
    Ok(out)
}

/// prettyplease's text of one run of whole items, `None` if it does not parse on its own.
fn format_run(code: &str) -> Option<String> {
    syn::parse_file(code)
        .ok()
        .map(|file| prettyplease::unparse(&file))
}

/// The `@generated` header prost-build puts on top of a package's code (empty if there is none)
/// and the code after it.
fn split_header(code: &str) -> (&str, &str) {
    match code.strip_prefix(GENERATED_HEADER) {
        Some(body) => (GENERATED_HEADER, body),
        None => ("", code),
    }
}

/// Compiles prost-build's regexes for doc comments (built on first use, once per process) by
/// sanitizing one comment line.
pub(crate) fn warm_up() {
    let comments = prost_build::Comments {
        leading: vec![" https://example.com [x]".to_string()],
        ..Default::default()
    };
    comments.append_with_indent(0, &mut String::new());
}

/// The header prost-build puts on every package's code.
const GENERATED_HEADER: &str = "// This file is @generated by prost-build.\n";

/// Formats one package's code as prost-build's `format` option does (prettyplease over the parsed
/// file, the `@generated` header kept on top), so the output is byte for byte what it gives.
///
/// prettyplease prints a file's items one after the other, each ending its own line, so the code
/// is cut into runs of whole top-level items ([`item_ends`]) and the runs are parsed and printed
/// in parallel. If a run does not parse on its own the whole code is formatted in one piece, so a
/// cut in a wrong place can cost time but never change the output. ([`format_packages`] does the
/// same over all packages and their services at once, and falls back to this.)
fn format_package(code: &str) -> Result<String> {
    let (header, body) = split_header(code);
    let runs = item_runs(body, rayon::current_num_threads());
    if runs.len() > 1 {
        let printed: Option<Vec<String>> = runs
            .par_iter()
            .map(|run| {
                syn::parse_file(run)
                    .ok()
                    .map(|file| prettyplease::unparse(&file))
            })
            .collect();
        if let Some(printed) = printed {
            return Ok(format!("{header}{}", printed.concat()));
        }
    }
    let file = syn::parse_file(body).map_err(|e| {
        Error::new(format!(
            "prost-build generated code that does not parse: {e}"
        ))
    })?;
    Ok(format!("{header}{}", prettyplease::unparse(&file)))
}

/// `code` cut after whole top-level items into at most `parts` runs of similar length (one run
/// when it has no cut that is safe: inner attributes, or a scan that does not end balanced).
fn item_runs(code: &str, parts: usize) -> Vec<&str> {
    let ends = match item_ends(code) {
        Some(ends) if parts > 1 && !code.trim_start().starts_with("#!") => ends,
        _ => return vec![code],
    };
    let share = code.len() / parts + 1;
    let mut runs = Vec::with_capacity(parts);
    let mut start = 0;
    for end in ends {
        if end - start >= share && end < code.len() {
            runs.push(&code[start..end]);
            start = end;
        }
    }
    runs.push(&code[start..]);
    runs
}

/// The byte offsets just after each top-level item of Rust `code` (after a `}` or `;` at brace,
/// bracket and parenthesis depth 0), skipping comments, string, byte-string, raw-string and
/// character literals. `None` if the brackets do not balance (then nothing is cut).
fn item_ends(code: &str) -> Option<Vec<usize>> {
    let bytes = code.as_bytes();
    let mut ends = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i = memchr::memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |n| i + n);
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = code[i + 2..].find("*/").map(|n| i + 2 + n + 2)?;
                continue;
            }
            b'r' | b'b' if raw_string_start(bytes, i).is_some() => {
                let (hashes, open) = raw_string_start(bytes, i)?;
                let close = format!("\"{}", "#".repeat(hashes));
                i = code[open..].find(&close).map(|n| open + n + close.len())?;
                continue;
            }
            b'"' => {
                i = string_end(bytes, i + 1)?;
                continue;
            }
            b'\'' => {
                // A character literal ('a', '\n', '\u{..}') or a lifetime ('a): only the former
                // closes with a quote within a few bytes.
                if let Some(end) = char_literal_end(bytes, i) {
                    i = end;
                    continue;
                }
            }
            b'{' | b'(' | b'[' => depth += 1,
            b'}' | b')' | b']' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 && bytes[i] == b'}' {
                    ends.push(i + 1);
                }
            }
            b';' if depth == 0 => ends.push(i + 1),
            _ => {}
        }
        i += 1;
    }
    (depth == 0).then_some(ends)
}

/// At `r"`, `r#"`, `br"`, `br#"` (not inside an identifier): the number of `#`s and the offset
/// just after the opening quote.
fn raw_string_start(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    if i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_') {
        return None;
    }
    let mut j = i;
    if bytes[j] == b'b' {
        j += 1;
    }
    if bytes.get(j) != Some(&b'r') {
        return None;
    }
    j += 1;
    let hashes = bytes[j..].iter().take_while(|&&b| b == b'#').count();
    j += hashes;
    (bytes.get(j) == Some(&b'"')).then_some((hashes, j + 1))
}

/// The offset just after the closing quote of a string whose contents start at `i`.
fn string_end(bytes: &[u8], mut i: usize) -> Option<usize> {
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// The offset just after a character literal starting at `i` (`'x'`, `'\''`, `'\u{1F600}'`,
/// multi-byte characters), or `None` when the quote starts a lifetime (`'a,`, `'static>`).
fn char_literal_end(bytes: &[u8], i: usize) -> Option<usize> {
    if bytes.get(i + 1) == Some(&b'\\') {
        let close = bytes
            .get(i + 3..)?
            .iter()
            .take(10)
            .position(|&b| b == b'\'')?;
        return Some(i + 3 + close + 1);
    }
    let width = match *bytes.get(i + 1)? {
        b if b < 0x80 => 1,
        b if b >= 0xF0 => 4,
        b if b >= 0xE0 => 3,
        _ => 2,
    };
    (bytes.get(i + 1 + width) == Some(&b'\'')).then_some(i + 2 + width)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CODE: &str = "/// A { brace in a comment\n#[derive(Clone)]\npub struct A { x: i32 }\n\
        const S: &str = \"}\\\"{\";\nconst R: &str = r#\"}\"{\"#;\nconst C: char = '}';\n\
        const Q: char = '\\'';\nfn f<'a, 'b>(x: &'a [u8]) -> &'a [u8] { /* } */ x }\n\
        pub mod m { pub struct B; }\n";

    #[test]
    fn item_ends_are_after_each_top_level_item() {
        let ends = item_ends(CODE).unwrap();
        let items: Vec<&str> = std::iter::once(0)
            .chain(ends.iter().copied())
            .zip(ends.iter().copied())
            .map(|(start, end)| CODE[start..end].trim())
            .collect();
        assert_eq!(items.len(), 7, "{items:#?}");
        assert!(items[0].starts_with("/// A { brace") && items[0].ends_with("x: i32 }"));
        assert!(items[1].starts_with("const S"));
        assert!(items[4].starts_with("const Q"));
        assert!(items[5].starts_with("fn f<'a, 'b>") && items[5].ends_with("x }"));
        assert_eq!(items[6], "pub mod m { pub struct B; }");
    }

    #[test]
    fn unbalanced_code_is_not_cut() {
        assert_eq!(item_ends("struct A { x: i32"), None);
        assert_eq!(
            item_runs("struct A { x: i32 } }", 2),
            vec!["struct A { x: i32 } }"]
        );
    }

    #[test]
    fn formatting_in_runs_equals_formatting_whole() {
        let whole = prettyplease::unparse(&syn::parse_file(CODE).unwrap());
        for parts in 1..=4 {
            let runs = item_runs(CODE, parts);
            assert!(runs.len() <= parts.max(1));
            assert_eq!(runs.concat(), CODE);
        }
        assert!(item_runs(CODE, 3).len() > 1);
        assert_eq!(format_package(CODE).unwrap(), whole);
        let with_header = format!("{GENERATED_HEADER}{CODE}");
        assert_eq!(
            format_package(&with_header).unwrap(),
            format!("{GENERATED_HEADER}{whole}")
        );
    }

    fn service(name: &str) -> Service {
        Service {
            name: name.to_string(),
            proto_name: name.to_string(),
            package: "shop.v1".to_string(),
            comments: prost_build::Comments {
                leading: vec![format!(" The {name} service.")],
                ..Default::default()
            },
            methods: vec![prost_build::Method {
                name: "get".to_string(),
                proto_name: "Get".to_string(),
                comments: Default::default(),
                input_type: "GetRequest".to_string(),
                output_type: "super::common::Item".to_string(),
                input_proto_type: ".shop.v1.GetRequest".to_string(),
                output_proto_type: ".common.Item".to_string(),
                options: Default::default(),
                client_streaming: false,
                server_streaming: true,
            }],
            options: Default::default(),
        }
    }

    #[test]
    fn markers_cut_code_into_code_and_services() {
        let body = format!(
            "struct A;{}struct B;\n// __protoforge_deferred_service!(0);\n{}",
            services::marker(1),
            services::marker(0)
        );
        let cut = pieces(&body, 2).unwrap();
        assert_eq!(cut.len(), 4, "{cut:?}");
        assert_eq!(cut[0], Piece::Code("struct A;\n"));
        assert_eq!(cut[1], Piece::Service(1));
        // A marker not at the start of its line is code.
        assert!(matches!(cut[2], Piece::Code(c) if c.contains("// __protoforge")));
        assert_eq!(cut[3], Piece::Service(0));
        assert!(pieces(&services::marker(2), 2).is_err());
        assert_eq!(
            pieces("struct A;", 0).unwrap(),
            vec![Piece::Code("struct A;")]
        );
    }

    #[test]
    fn services_formatted_in_parallel_land_where_their_markers_were() {
        let services = vec![service("Orders"), service("Payments")];
        let opts = ServiceOptions {
            client: true,
            server: true,
            transport: true,
            ..Default::default()
        };
        let mut module_code = format!("{GENERATED_HEADER}{CODE}");
        module_code.push_str(&services::marker(1));
        module_code.push_str("pub struct Between { x: i32 }\n");
        module_code.push_str(&services::marker(0));
        let packages = vec![
            (Module::from_protobuf_package_name("shop.v1"), module_code),
            (Module::from_protobuf_package_name("empty"), String::new()),
        ];
        let formatted = format_packages(&packages, &services, &opts).unwrap();
        let both = |n: usize| {
            services::code(&opts, &services[n], Half::Client)
                + &services::code(&opts, &services[n], Half::Server)
        };
        let spliced = format!(
            "{GENERATED_HEADER}{CODE}{}pub struct Between {{ x: i32 }}\n{}",
            both(1),
            both(0)
        );
        assert_eq!(formatted[0], format_package(&spliced).unwrap());
        assert_eq!(formatted[1], "");
        let orders = formatted[0].find("pub mod orders_client").unwrap();
        let payments = formatted[0].find("pub mod payments_client").unwrap();
        let between = formatted[0].find("pub struct Between").unwrap();
        assert!(payments < between && between < orders);
        // The same text on every run, whatever thread formats what.
        for _ in 0..3 {
            assert_eq!(
                format_packages(&packages, &services, &opts).unwrap(),
                formatted
            );
        }
    }
}
