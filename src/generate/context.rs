//! The template context: everything the crate templates can use, documented in `docs/generate.md`.
//! Built from the descriptors (names, comments, streaming kinds) and the descriptor pool (options,
//! custom ones included), with Rust paths computed the way prost and tonic name things.

use std::collections::{BTreeMap, HashMap};

use heck::{ToSnakeCase, ToUpperCamelCase};
use prost_reflect::DescriptorPool;
use prost_types::{DescriptorProto, FileDescriptorProto};
use serde::Serialize;

use super::codegen::PackageCode;
use super::select::Selection;
use super::{GenerateOptions, DESCRIPTOR_SET_FILE};
use crate::{Error, Result};

/// Versions written into the generated crate and shown in the context. Kept equal to the
/// requirements in our Cargo.toml (a test checks them against Cargo.lock).
pub const PROST_VERSION: &str = "0.14";
pub const TONIC_VERSION: &str = "0.14";
/// The Rust version the generated crate needs (tonic 0.14's).
pub const RUST_VERSION: &str = "1.88";

#[derive(Debug, Clone, Serialize)]
pub struct Context {
    /// `crate` in templates.
    #[serde(rename = "crate")]
    pub krate: CrateInfo,
    pub generator: GeneratorInfo,
    pub features: Features,
    /// True when the code uses `prost_types` (well-known types not compiled locally).
    pub uses_prost_types: bool,
    /// The module tree of `src/lib.rs`, roots sorted by name.
    pub modules: Vec<ModuleNode>,
    /// Generated proto packages, sorted by name.
    pub packages: Vec<Package>,
    /// All services of all generated packages, in package order.
    pub services: Vec<Service>,
    /// Proto files the code comes from (targets and the files they need).
    pub files: Vec<ProtoFile>,
    pub descriptor_set: DescriptorSetInfo,
    pub options: OptionsInfo,
}

#[derive(Debug, Clone, Serialize)]
pub struct CrateInfo {
    /// Package name (`orders-api`).
    pub name: String,
    /// Library name as used in Rust paths (`orders_api`).
    pub lib_name: String,
    pub version: String,
    pub edition: String,
    pub rust_version: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct GeneratorInfo {
    pub name: String,
    pub version: String,
    pub prost_version: String,
    pub tonic_version: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Features {
    pub client: bool,
    pub server: bool,
    pub transport: bool,
    /// Clients and servers are unconditional (no `client`/`server` Cargo features).
    pub no_features: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ModuleNode {
    /// Rust module name (`v1`).
    pub name: String,
    /// Full Rust path from the crate root (`orders::v1`).
    pub path: String,
    /// The proto package whose code this module includes, if any.
    pub package: Option<String>,
    /// The file under `src/` to `include!`, if any.
    pub file: Option<String>,
    /// Nesting depth (0 for top-level modules) and the matching indentation (4 spaces a level).
    pub depth: usize,
    pub indent: String,
    pub children: Vec<ModuleNode>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Package {
    pub name: String,
    /// Rust path from the crate root (`orders::v1`; empty for the root package).
    pub rust_path: String,
    pub file: String,
    pub services: Vec<Service>,
    pub messages: Vec<TypeInfo>,
    pub enums: Vec<TypeInfo>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Service {
    pub name: String,
    pub full_name: String,
    pub package: String,
    pub file: String,
    /// Rust path of the package module from the crate root (`crate::orders::v1`).
    pub module: String,
    pub client_module: String,
    pub client: String,
    pub server_module: String,
    pub server: String,
    pub server_trait: String,
    pub comments: String,
    pub deprecated: bool,
    /// `ServiceOptions` in protobuf JSON, custom options as `[full.name]` keys.
    pub options: serde_json::Value,
    pub methods: Vec<Method>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Method {
    pub name: String,
    /// Rust method name (`get_order`).
    pub rust_name: String,
    /// gRPC path (`/orders.v1.OrderService/GetOrder`).
    pub path: String,
    /// `unary`, `server_streaming`, `client_streaming` or `bidi_streaming`.
    pub kind: String,
    pub client_streaming: bool,
    pub server_streaming: bool,
    /// Proto types without leading dot (`orders.v1.GetOrderRequest`).
    pub input_type: String,
    pub output_type: String,
    /// Rust types usable anywhere (`crate::orders::v1::Order`, `()`, `::prost_types::Timestamp`).
    pub input_rust: String,
    pub output_rust: String,
    /// The server trait's associated stream type for server-streaming methods (`ListOrdersStream`).
    pub stream_type: Option<String>,
    pub comments: String,
    pub deprecated: bool,
    /// `MethodOptions` in protobuf JSON (e.g. `options["[google.api.http]"]`).
    pub options: serde_json::Value,
}

#[derive(Debug, Clone, Serialize)]
pub struct TypeInfo {
    pub name: String,
    pub full_name: String,
    pub rust_path: String,
    pub comments: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProtoFile {
    pub name: String,
    pub package: String,
    /// True for files the user asked for, false for files generated because targets need them.
    pub target: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct DescriptorSetInfo {
    /// Crate-relative path of the encoded set (`src/file_descriptor_set.bin`).
    pub path: String,
    /// Path relative to `src/`, for `include_bytes!` in lib.rs.
    pub include_path: String,
    pub files: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct OptionsInfo {
    pub include_imports: bool,
    pub compile_well_known_types: bool,
    pub extern_paths: Vec<(String, String)>,
    pub skeleton: bool,
}

pub(crate) fn build(
    pool: &DescriptorPool,
    selection: &Selection,
    modules: &[PackageCode],
    opts: &GenerateOptions,
) -> Result<Context> {
    let name = match &opts.crate_name {
        Some(n) => n.clone(),
        None => default_crate_name(selection),
    };
    validate_crate_name(&name)?;
    let resolver = RustPaths::new(opts);

    let mut packages: BTreeMap<String, Package> = BTreeMap::new();
    for code in modules {
        packages.insert(
            code.package.clone(),
            Package {
                name: code.package.clone(),
                rust_path: code.module.join("::"),
                file: code.file_name.clone(),
                services: Vec::new(),
                messages: Vec::new(),
                enums: Vec::new(),
            },
        );
    }

    for file in &selection.files {
        let Some(package) = packages.get_mut(file.package()) else {
            continue;
        };
        let comments = Comments::new(file);
        let prefix = if file.package().is_empty() {
            String::new()
        } else {
            format!("{}.", file.package())
        };
        for (i, m) in file.message_type.iter().enumerate() {
            collect_types(m, &prefix, vec![4, i as i32], &comments, &resolver, package);
        }
        for (i, e) in file.enum_type.iter().enumerate() {
            let full_name = format!("{prefix}{}", e.name());
            package.enums.push(TypeInfo {
                name: e.name().to_string(),
                rust_path: resolver.resolve(&format!(".{full_name}")),
                full_name,
                comments: comments.leading(&[5, i as i32]),
            });
        }
        for (si, s) in file.service.iter().enumerate() {
            let full_name = format!("{prefix}{}", s.name());
            let descriptor = pool.get_service_by_name(&full_name).ok_or_else(|| {
                Error::new(format!(
                    "service `{full_name}` is missing from the descriptor pool"
                ))
            })?;
            let rust_service = s.name().to_upper_camel_case();
            let snake = naive_snake_case(&rust_service);
            let module_path = if package.rust_path.is_empty() {
                "crate".to_string()
            } else {
                format!("crate::{}", package.rust_path)
            };
            let mut methods = Vec::new();
            for (mi, m) in s.method.iter().enumerate() {
                let method_descriptor = descriptor.methods().find(|d| d.name() == m.name());
                let options = method_descriptor
                    .map(|d| serde_json::to_value(d.options()))
                    .transpose()
                    .map_err(|e| {
                        Error::new(format!(
                            "cannot read options of `{full_name}.{}`: {e}",
                            m.name()
                        ))
                    })?
                    .unwrap_or(serde_json::Value::Null);
                let cs = m.client_streaming();
                let ss = m.server_streaming();
                let kind = match (cs, ss) {
                    (false, false) => "unary",
                    (false, true) => "server_streaming",
                    (true, false) => "client_streaming",
                    (true, true) => "bidi_streaming",
                };
                methods.push(Method {
                    name: m.name().to_string(),
                    rust_name: prost_snake(m.name()),
                    path: format!("/{full_name}/{}", m.name()),
                    kind: kind.to_string(),
                    client_streaming: cs,
                    server_streaming: ss,
                    input_type: m.input_type().trim_start_matches('.').to_string(),
                    output_type: m.output_type().trim_start_matches('.').to_string(),
                    input_rust: resolver.resolve(m.input_type()),
                    output_rust: resolver.resolve(m.output_type()),
                    stream_type: ss.then(|| format!("{}Stream", m.name())),
                    comments: comments.leading(&[6, si as i32, 2, mi as i32]),
                    deprecated: m
                        .options
                        .as_ref()
                        .and_then(|o| o.deprecated)
                        .unwrap_or(false),
                    options,
                });
            }
            let options = serde_json::to_value(descriptor.options())
                .map_err(|e| Error::new(format!("cannot read options of `{full_name}`: {e}")))?;
            package.services.push(Service {
                name: s.name().to_string(),
                full_name: full_name.clone(),
                package: file.package().to_string(),
                file: file.name().to_string(),
                module: module_path,
                client_module: format!("{snake}_client"),
                client: format!("{rust_service}Client"),
                server_module: format!("{snake}_server"),
                server: format!("{rust_service}Server"),
                server_trait: rust_service.clone(),
                comments: comments.leading(&[6, si as i32]),
                deprecated: s
                    .options
                    .as_ref()
                    .and_then(|o| o.deprecated)
                    .unwrap_or(false),
                options,
                methods,
            });
        }
    }

    let packages: Vec<Package> = packages.into_values().collect();
    let services = packages
        .iter()
        .flat_map(|p| p.services.iter().cloned())
        .collect();
    let files = selection
        .files
        .iter()
        .map(|f| ProtoFile {
            name: f.name().to_string(),
            package: f.package().to_string(),
            target: selection.targets.contains(f.name()),
        })
        .collect();

    Ok(Context {
        krate: CrateInfo {
            lib_name: name.replace('-', "_"),
            name,
            version: "0.1.0".to_string(),
            edition: "2021".to_string(),
            rust_version: RUST_VERSION.to_string(),
        },
        generator: GeneratorInfo {
            name: "protoforge".to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            prost_version: PROST_VERSION.to_string(),
            tonic_version: TONIC_VERSION.to_string(),
        },
        features: Features {
            client: opts.client,
            server: opts.server,
            transport: opts.transport,
            no_features: opts.no_features,
        },
        uses_prost_types: selection.uses_prost_types,
        modules: module_tree(modules),
        packages,
        services,
        files,
        descriptor_set: DescriptorSetInfo {
            path: DESCRIPTOR_SET_FILE.to_string(),
            include_path: DESCRIPTOR_SET_FILE.trim_start_matches("src/").to_string(),
            files: selection.descriptor_files.len(),
        },
        options: OptionsInfo {
            include_imports: opts.include_imports,
            compile_well_known_types: opts.compile_well_known_types,
            extern_paths: opts.extern_paths.clone(),
            skeleton: opts.skeleton,
        },
    })
}

fn collect_types(
    m: &DescriptorProto,
    prefix: &str,
    path: Vec<i32>,
    comments: &Comments,
    resolver: &RustPaths,
    package: &mut Package,
) {
    if m.options
        .as_ref()
        .and_then(|o| o.map_entry)
        .unwrap_or(false)
    {
        return;
    }
    let full_name = format!("{prefix}{}", m.name());
    package.messages.push(TypeInfo {
        name: m.name().to_string(),
        rust_path: resolver.resolve(&format!(".{full_name}")),
        full_name: full_name.clone(),
        comments: comments.leading(&path),
    });
    let nested_prefix = format!("{full_name}.");
    for (i, nested) in m.nested_type.iter().enumerate() {
        let mut p = path.clone();
        p.extend([3, i as i32]);
        collect_types(nested, &nested_prefix, p, comments, resolver, package);
    }
    for (i, e) in m.enum_type.iter().enumerate() {
        let mut p = path.clone();
        p.extend([4, i as i32]);
        let full = format!("{nested_prefix}{}", e.name());
        package.enums.push(TypeInfo {
            name: e.name().to_string(),
            rust_path: resolver.resolve(&format!(".{full}")),
            full_name: full,
            comments: comments.leading(&p),
        });
    }
}

/// Leading comments by SourceCodeInfo path.
struct Comments {
    by_path: HashMap<Vec<i32>, String>,
}

impl Comments {
    fn new(file: &FileDescriptorProto) -> Self {
        let mut by_path = HashMap::new();
        if let Some(info) = &file.source_code_info {
            for loc in &info.location {
                if let Some(c) = &loc.leading_comments {
                    by_path
                        .entry(loc.path.clone())
                        .or_insert_with(|| c.trim().to_string());
                }
            }
        }
        Comments { by_path }
    }

    fn leading(&self, path: &[i32]) -> String {
        self.by_path.get(path).cloned().unwrap_or_default()
    }
}

/// Rust paths of proto types, from the crate root, the way prost resolves them.
struct RustPaths {
    /// (proto prefix, rust path), longest prefix first.
    externs: Vec<(String, String)>,
}

impl RustPaths {
    fn new(opts: &GenerateOptions) -> Self {
        let mut externs: Vec<(String, String)> = opts.extern_paths.clone();
        if !opts.compile_well_known_types {
            externs.push((".google.protobuf".into(), "::prost_types".into()));
            for (name, rust) in [
                ("BoolValue", "bool"),
                ("BytesValue", "::prost::alloc::vec::Vec<u8>"),
                ("DoubleValue", "f64"),
                ("Empty", "()"),
                ("FloatValue", "f32"),
                ("Int32Value", "i32"),
                ("Int64Value", "i64"),
                ("StringValue", "::prost::alloc::string::String"),
                ("UInt32Value", "u32"),
                ("UInt64Value", "u64"),
            ] {
                externs.push((format!(".google.protobuf.{name}"), rust.to_string()));
            }
        }
        externs.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
        RustPaths { externs }
    }

    /// `.orders.v1.Order.LineItem` -> `crate::orders::v1::order::LineItem`: every segment but the
    /// last is a module (packages, and parent messages as prost nests them), snake-cased.
    fn resolve(&self, proto: &str) -> String {
        for (prefix, rust) in &self.externs {
            if proto == prefix {
                return rust.clone();
            }
            if let Some(rest) = proto
                .strip_prefix(prefix.as_str())
                .and_then(|r| r.strip_prefix('.'))
            {
                let mut segments: Vec<&str> = rest.split('.').collect();
                let last = segments.pop().unwrap_or_default();
                let mut out = vec![rust.clone()];
                out.extend(segments.iter().map(|s| prost_snake(s)));
                out.push(prost_camel(last));
                return out.join("::");
            }
        }
        let mut segments: Vec<&str> = proto.trim_start_matches('.').split('.').collect();
        let last = segments.pop().unwrap_or_default();
        let mut out = vec!["crate".to_string()];
        out.extend(segments.iter().map(|s| prost_snake(s)));
        out.push(prost_camel(last));
        out.join("::")
    }
}

/// prost's `to_snake`: snake case, keywords escaped.
fn prost_snake(s: &str) -> String {
    sanitize(s.to_snake_case())
}

/// prost's `to_upper_camel`.
fn prost_camel(s: &str) -> String {
    sanitize(s.to_upper_camel_case())
}

fn sanitize(ident: String) -> String {
    match ident.as_str() {
        "as" | "break" | "const" | "continue" | "else" | "enum" | "false" | "fn" | "for" | "if"
        | "impl" | "in" | "let" | "loop" | "match" | "mod" | "move" | "mut" | "pub" | "ref"
        | "return" | "static" | "struct" | "trait" | "true" | "type" | "unsafe" | "use"
        | "where" | "while" | "dyn" | "abstract" | "become" | "box" | "do" | "final" | "macro"
        | "override" | "priv" | "typeof" | "unsized" | "virtual" | "yield" | "async" | "await"
        | "try" | "gen" => format!("r#{ident}"),
        "_" | "super" | "self" | "Self" | "extern" | "crate" => format!("{ident}_"),
        s if s.starts_with(|c: char| c.is_numeric()) => format!("_{ident}"),
        _ => ident,
    }
}

/// tonic-build's module naming for `<service>_client` / `<service>_server`.
fn naive_snake_case(name: &str) -> String {
    let mut s = String::new();
    let mut it = name.chars().peekable();
    while let Some(x) = it.next() {
        s.push(x.to_ascii_lowercase());
        if it.peek().is_some_and(|y| y.is_uppercase()) {
            s.push('_');
        }
    }
    s
}

fn module_tree(modules: &[PackageCode]) -> Vec<ModuleNode> {
    fn insert(nodes: &mut Vec<ModuleNode>, parts: &[String], depth: usize, code: &PackageCode) {
        let Some((first, rest)) = parts.split_first() else {
            return;
        };
        let idx = match nodes.iter().position(|n| &n.name == first) {
            Some(i) => i,
            None => {
                let path = code.module[..=depth].join("::");
                nodes.push(ModuleNode {
                    name: first.clone(),
                    path,
                    package: None,
                    file: None,
                    depth,
                    indent: "    ".repeat(depth),
                    children: Vec::new(),
                });
                nodes.len() - 1
            }
        };
        if rest.is_empty() {
            nodes[idx].package = Some(code.package.clone());
            nodes[idx].file = Some(code.file_name.clone());
        } else {
            insert(&mut nodes[idx].children, rest, depth + 1, code);
        }
    }
    fn sort(nodes: &mut [ModuleNode]) {
        nodes.sort_by(|a, b| a.name.cmp(&b.name));
        for n in nodes {
            sort(&mut n.children);
        }
    }
    let mut roots = Vec::new();
    for code in modules.iter().filter(|c| !c.module.is_empty()) {
        insert(&mut roots, &code.module, 0, code);
    }
    sort(&mut roots);
    roots
}

/// The target packages' common prefix (`google.pubsub.v1` + `google.rpc` -> `google`), else the
/// first package with a service (`orders.v1` + `common.v1` -> `orders-v1`), else the first package.
fn default_crate_name(selection: &Selection) -> String {
    let targets: Vec<&FileDescriptorProto> = selection
        .files
        .iter()
        .filter(|f| selection.targets.contains(f.name()))
        .collect();
    let mut packages: Vec<&str> = targets
        .iter()
        .map(|f| f.package())
        .filter(|p| !p.is_empty())
        .collect();
    packages.sort();
    let mut common: Vec<&str> = packages
        .first()
        .map(|p| p.split('.').collect())
        .unwrap_or_default();
    for p in &packages {
        let segments: Vec<&str> = p.split('.').collect();
        let same = common
            .iter()
            .zip(&segments)
            .take_while(|(a, b)| a == b)
            .count();
        common.truncate(same);
    }
    let mut with_service: Vec<&str> = targets
        .iter()
        .filter(|f| !f.service.is_empty() && !f.package().is_empty())
        .map(|f| f.package())
        .collect();
    with_service.sort();
    let pick = if !common.is_empty() {
        Some(common.join("."))
    } else {
        with_service
            .first()
            .or(packages.first())
            .map(|p| p.to_string())
    };
    match pick {
        Some(p) => p.replace(['.', '_'], "-").to_lowercase(),
        None => "protos".to_string(),
    }
}

fn validate_crate_name(name: &str) -> Result<()> {
    let ok = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && name.len() <= 64;
    if ok {
        Ok(())
    } else {
        Err(Error::new(format!("`{name}` is not a valid crate name"))
            .with_help("use ASCII letters, digits, `-` and `_`, starting with a letter (e.g. --crate-name orders-api)"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_paths_follow_prost() {
        let r = RustPaths::new(&GenerateOptions::default());
        assert_eq!(
            r.resolve(".orders.v1.Order.LineItem"),
            "crate::orders::v1::order::LineItem"
        );
        assert_eq!(r.resolve(".google.protobuf.Empty"), "()");
        assert_eq!(
            r.resolve(".google.protobuf.Timestamp"),
            "::prost_types::Timestamp"
        );
        assert_eq!(
            r.resolve(".foo.type.HTTPRule"),
            "crate::foo::r#type::HttpRule"
        );
    }

    #[test]
    fn tonic_module_names() {
        assert_eq!(naive_snake_case("OrderService"), "order_service");
    }

    #[test]
    fn crate_names_are_checked() {
        assert!(validate_crate_name("orders-api").is_ok());
        assert!(validate_crate_name("../x").is_err());
        assert!(validate_crate_name("").is_err());
    }
}
