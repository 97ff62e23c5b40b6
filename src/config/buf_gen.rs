//! `buf.gen.yaml` v2 for `protoforge generate`.
//!
//! Only the Rust community plugins are accepted, because protoforge produces their output itself:
//! `buf.build/community/neoeinstein-prost`, `-tonic`, `-prost-crate` (remote) and
//! `protoc-gen-prost`, `protoc-gen-tonic`, `protoc-gen-prost-crate` (local). Any other plugin is
//! refused: protoforge runs no external programs. Their `opt`s map onto
//! [`GenerateOptions`](crate::generate::GenerateOptions); an unknown key or option is an error
//! naming `file:line:col`.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::generate::GenerateOptions;
use crate::{Error, Result};

/// The file name `protoforge generate` looks for in the current directory.
pub const BUF_GEN_FILE: &str = "buf.gen.yaml";

/// What a `buf.gen.yaml` asks for, resolved.
#[derive(Debug, Clone)]
pub struct BufGenConfig {
    /// The file it came from, as named in messages.
    pub file: String,
    /// The crate directory: the prost-crate plugin's `out`, else the prost (or tonic) plugin's
    /// (its parent when it ends in `src`).
    pub out: PathBuf,
    /// Generator options from the plugins' `opt`s and flags.
    pub options: GenerateOptions,
    /// The first entry of `inputs`, if any.
    pub input: Option<GenInput>,
}

/// One entry of `inputs`, as an input string the CLI understands plus its path filters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenInput {
    pub input: String,
    pub paths: Vec<String>,
    pub exclude_paths: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // `managed` is accepted and has no effect on Rust code.
struct RawConfig {
    version: String,
    #[serde(default)]
    clean: bool,
    #[serde(default)]
    managed: Option<RawManaged>,
    #[serde(default)]
    plugins: Vec<RawPlugin>,
    #[serde(default)]
    inputs: Vec<RawInput>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct RawManaged {
    #[serde(default)]
    enabled: bool,
    #[serde(default)]
    disable: Vec<serde_yaml_ng::Value>,
    #[serde(default, rename = "override")]
    override_: Vec<serde_yaml_ng::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum StringOrList {
    One(String),
    Many(Vec<String>),
}

impl StringOrList {
    fn items(&self) -> Vec<String> {
        match self {
            StringOrList::One(s) => split_opts(s),
            StringOrList::Many(v) => v.clone(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct RawPlugin {
    remote: Option<String>,
    revision: Option<u32>,
    local: Option<StringOrList>,
    protoc_builtin: Option<String>,
    protoc_path: Option<StringOrList>,
    out: Option<String>,
    opt: Option<StringOrList>,
    #[serde(default)]
    include_imports: bool,
    #[serde(default)]
    include_wkt: bool,
    strategy: Option<String>,
    #[serde(default)]
    types: Vec<String>,
    #[serde(default)]
    exclude_types: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct RawInput {
    directory: Option<String>,
    module: Option<String>,
    git_repo: Option<String>,
    tarball: Option<String>,
    zip_archive: Option<String>,
    proto_file: Option<String>,
    binary_image: Option<String>,
    json_image: Option<String>,
    txt_image: Option<String>,
    yaml_image: Option<String>,
    branch: Option<String>,
    tag: Option<String>,
    #[serde(rename = "ref")]
    ref_: Option<String>,
    commit: Option<String>,
    depth: Option<u32>,
    recurse_submodules: Option<bool>,
    subdir: Option<String>,
    strip_components: Option<u32>,
    compression: Option<String>,
    include_package_files: Option<bool>,
    #[serde(default)]
    types: Vec<String>,
    #[serde(default)]
    exclude_types: Vec<String>,
    #[serde(default)]
    paths: Vec<String>,
    #[serde(default)]
    exclude_paths: Vec<String>,
}

/// The Rust community plugins protoforge stands in for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Plugin {
    Prost,
    Tonic,
    ProstCrate,
}

const SUPPORTED: &str = "buf.build/community/neoeinstein-prost, buf.build/community/neoeinstein-tonic, \
     buf.build/community/neoeinstein-prost-crate, or local protoc-gen-prost, protoc-gen-tonic, protoc-gen-prost-crate";

/// Reads `dir/buf.gen.yaml` when it exists.
pub fn load(dir: &Path) -> Result<Option<BufGenConfig>> {
    let path = dir.join(BUF_GEN_FILE);
    match crate::limits::read_regular_to_string(&path) {
        Ok(src) => parse(BUF_GEN_FILE, &src).map(Some),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(path.display(), e)),
    }
}

/// Parses a `buf.gen.yaml` (v2). `file` is the name used in messages.
pub fn parse(file: &str, src: &str) -> Result<BufGenConfig> {
    let raw: RawConfig = serde_yaml_ng::from_str(src).map_err(|e| yaml_error(file, src, e))?;
    if raw.version != "v2" {
        let offset = find(src, &raw.version, 0);
        return Err(Error::new(format!(
            "{file}: version `{}` is not supported by protoforge generate; only v2 is",
            raw.version
        ))
        .at(file, src, offset, raw.version.len())
        .with_help("migrate the file to v2 (`buf config migrate`), then use `version: v2`"));
    }
    let _ = raw.clean; // We always remove our own stale files (and only those): see the manifest.
    if raw.plugins.is_empty() {
        return Err(Error::new(format!("{file}: no plugins"))
            .with_help(format!("add a plugin entry for one of: {SUPPORTED}")));
    }

    let mut options = GenerateOptions {
        client: false,
        server: false,
        ..GenerateOptions::default()
    };
    let mut crate_out: Option<String> = None;
    let mut code_out: Option<String> = None;
    let mut has_tonic = false;
    let mut search_from = 0;
    for plugin in &raw.plugins {
        let (name, kind) = identify(file, src, plugin, &mut search_from)?;
        let out = plugin.out.clone().ok_or_else(|| {
            let offset = find(src, &name, 0);
            Error::new(format!("{file}: plugin `{name}` has no `out`"))
                .at(file, src, offset, name.len())
                .with_help("add `out: gen` (the directory of the generated crate)")
        })?;
        if !plugin.types.is_empty() || !plugin.exclude_types.is_empty() {
            let offset = find(src, "types", find(src, &name, 0));
            return Err(Error::new(format!("{file}: `types` / `exclude_types` filters are not supported by protoforge generate")).at(file, src, offset, 5)
                .with_help("remove them; limit the generated files with --path / --exclude-path instead"));
        }
        options.include_imports |= plugin.include_imports;
        if plugin.include_wkt {
            options.compile_well_known_types = true;
        }
        match kind {
            Plugin::ProstCrate => crate_out = Some(out),
            Plugin::Prost => code_out = code_out.or(Some(out)),
            Plugin::Tonic => {
                has_tonic = true;
                code_out = code_out.or(Some(out));
            }
        }
        if kind == Plugin::Tonic {
            options.client = true;
            options.server = true;
        }
        for opt in plugin
            .opt
            .as_ref()
            .map(StringOrList::items)
            .unwrap_or_default()
        {
            apply_opt(file, src, kind, &name, &opt, &mut options)?;
        }
    }
    if !has_tonic {
        options.client = false;
        options.server = false;
    }
    // Without a prost-crate plugin the code plugins' `out` is where the sources go; when it is a
    // crate's `src` directory, the crate is its parent.
    let out = match (crate_out, code_out) {
        (Some(c), _) => PathBuf::from(c),
        (None, Some(code)) => {
            let path = PathBuf::from(&code);
            match (path.file_name(), path.parent()) {
                (Some(name), Some(parent)) if name == "src" && !parent.as_os_str().is_empty() => {
                    parent.to_path_buf()
                }
                _ => path,
            }
        }
        (None, None) => PathBuf::from("gen"),
    };

    let input = match raw.inputs.first() {
        None => None,
        Some(i) => Some(resolve_input(file, src, i)?),
    };
    if raw.inputs.len() > 1 {
        let offset = find(src, "inputs", 0);
        return Err(Error::new(format!(
            "{file}: more than one entry under `inputs` is not supported"
        ))
        .at(file, src, offset, "inputs".len())
        .with_help(
            "generate one crate per input: keep one entry, or pass the input on the command line",
        ));
    }
    Ok(BufGenConfig {
        file: file.to_string(),
        out,
        options,
        input,
    })
}

fn identify(
    file: &str,
    src: &str,
    plugin: &RawPlugin,
    search_from: &mut usize,
) -> Result<(String, Plugin)> {
    let (name, kind) = if let Some(remote) = &plugin.remote {
        // `buf.build/community/neoeinstein-prost:v0.4.0` -> without the version.
        let base = remote.split(':').next().unwrap_or_default();
        let kind = match base {
            "buf.build/community/neoeinstein-prost" => Some(Plugin::Prost),
            "buf.build/community/neoeinstein-tonic" => Some(Plugin::Tonic),
            "buf.build/community/neoeinstein-prost-crate" => Some(Plugin::ProstCrate),
            _ => None,
        };
        (remote.clone(), kind)
    } else if let Some(local) = &plugin.local {
        let items = match local {
            StringOrList::One(s) => vec![s.clone()],
            StringOrList::Many(v) => v.clone(),
        };
        let first = items.first().cloned().unwrap_or_default();
        let program = first
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or_default()
            .trim_end_matches(".exe");
        let kind = match (program, items.len()) {
            ("protoc-gen-prost", 1) => Some(Plugin::Prost),
            ("protoc-gen-tonic", 1) => Some(Plugin::Tonic),
            ("protoc-gen-prost-crate", 1) => Some(Plugin::ProstCrate),
            _ => None,
        };
        (first, kind)
    } else if let Some(builtin) = &plugin.protoc_builtin {
        (builtin.clone(), None)
    } else {
        let offset = find(src, "plugins", 0);
        return Err(Error::new(format!(
            "{file}: a plugin entry has none of `remote`, `local`, `protoc_builtin`"
        ))
        .at(file, src, offset, "plugins".len())
        .with_help(format!("use one of: {SUPPORTED}")));
    };
    let offset = find(src, &name, *search_from);
    *search_from = offset + name.len();
    match kind {
        Some(k) => Ok((name, k)),
        None => Err(Error::new(format!(
            "{file}: plugin `{name}` is not supported: protoforge generates Rust crates itself and runs no external plugins"
        ))
        .at(file, src, offset, name.len())
        .with_label("unsupported plugin")
        .with_help(format!("use one of: {SUPPORTED}; run other plugins with buf itself"))),
    }
}

fn apply_opt(
    file: &str,
    src: &str,
    kind: Plugin,
    plugin: &str,
    opt: &str,
    o: &mut GenerateOptions,
) -> Result<()> {
    let (key, value) = match opt.split_once('=') {
        Some((k, v)) => (k.trim(), Some(v.trim())),
        None => (opt.trim(), None),
    };
    let err = |why: String, help: &str| {
        let offset = find(src, opt, 0);
        Err(
            Error::new(format!("{file}: option `{opt}` of `{plugin}` {why}"))
                .at(file, src, offset, opt.len())
                .with_help(help.to_string()),
        )
    };
    // `PATH=VALUE` pairs such as `type_attribute=.foo.Bar=#[derive(Eq)]`.
    let pair = |value: Option<&str>| -> Option<(String, String)> {
        let (p, v) = value?.split_once('=')?;
        Some((p.trim().to_string(), v.trim().to_string()))
    };
    let list = |value: Option<&str>| -> Vec<String> {
        value.map(|v| vec![v.to_string()]).unwrap_or_default()
    };

    macro_rules! need_pair {
        ($field:expr) => {
            match pair(value) {
                Some(p) => $field.push(p),
                None => {
                    return err(
                        "needs a value `PROTO_PATH=VALUE`".into(),
                        "e.g. `type_attribute=.orders.v1=#[derive(Eq)]`",
                    )
                }
            }
        };
    }
    macro_rules! need_value {
        ($field:expr) => {
            if value.is_none() {
                return err(
                    "needs a value".into(),
                    "e.g. `btree_map=.` (a proto path, `.` for all)",
                );
            } else {
                $field.extend(list(value))
            }
        };
    }

    let common = matches!(kind, Plugin::Prost | Plugin::Tonic);
    match key {
        "compile_well_known_types" if common => o.compile_well_known_types = true,
        "extern_path" if common => need_pair!(o.extern_paths),
        "type_attribute" if kind == Plugin::Prost => need_pair!(o.type_attributes),
        "message_attribute" if kind == Plugin::Prost => need_pair!(o.message_attributes),
        "enum_attribute" if kind == Plugin::Prost => need_pair!(o.enum_attributes),
        "field_attribute" if kind == Plugin::Prost => need_pair!(o.field_attributes),
        "btree_map" if kind == Plugin::Prost => need_value!(o.btree_map),
        "bytes" if kind == Plugin::Prost => need_value!(o.bytes),
        "boxed" if kind == Plugin::Prost => need_value!(o.boxed),
        "disable_comments" if common => need_value!(o.disable_comments),
        "skip_debug" if kind == Plugin::Prost => need_value!(o.skip_debug),
        "retain_enum_prefix" if kind == Plugin::Prost => o.retain_enum_prefix = true,
        "enable_type_names" if kind == Plugin::Prost => o.enable_type_names = true,
        // Output layout options: protoforge lays out the crate itself (one file per package,
        // lib.rs, the descriptor set always embedded), so these have nothing left to do.
        "file_descriptor_set" | "default_package_filename" | "flat_output_dir" if kind == Plugin::Prost => {}
        "no_include" | "include_file" if kind != Plugin::Prost => {}
        "no_server" if kind == Plugin::Tonic => o.server = false,
        "no_client" if kind == Plugin::Tonic => o.client = false,
        "no_transport" if kind == Plugin::Tonic => o.transport = false,
        "generate_default_stubs" if kind == Plugin::Tonic => o.generate_default_stubs = true,
        "client_mod_attribute" if kind == Plugin::Tonic => need_pair!(o.client_mod_attributes),
        "client_attribute" if kind == Plugin::Tonic => need_pair!(o.client_attributes),
        "server_mod_attribute" if kind == Plugin::Tonic => need_pair!(o.server_mod_attributes),
        "server_attribute" if kind == Plugin::Tonic => need_pair!(o.server_attributes),
        "no_features" if kind == Plugin::ProstCrate => o.no_features = true,
        "gen_crate" if kind == Plugin::ProstCrate => {
            return err(
                "(a Cargo.toml template) is not supported".into(),
                "put a `Cargo.toml.jinja` in a directory and pass it with --template-dir",
            )
        }
        _ => {
            return err(
                "is not supported".into(),
                "supported: compile_well_known_types, extern_path, type_attribute, message_attribute, \
                 enum_attribute, field_attribute, btree_map, bytes, boxed, disable_comments, skip_debug, \
                 retain_enum_prefix, enable_type_names (prost); no_client, no_server, no_transport, \
                 generate_default_stubs, client_attribute, server_attribute, client_mod_attribute, \
                 server_mod_attribute (tonic); no_features (prost-crate)",
            )
        }
    }
    Ok(())
}

fn resolve_input(file: &str, src: &str, i: &RawInput) -> Result<GenInput> {
    let unsupported = |what: &str| {
        let offset = find(src, what, find(src, "inputs", 0));
        Err(Error::new(format!(
            "{file}: input `{what}` is not supported by protoforge generate"
        ))
        .at(file, src, offset, what.len())
        .with_help(
            "use a `directory`, `git_repo`, `tarball`, `zip_archive`, `proto_file` or image input",
        ))
    };
    let mut params: Vec<String> = Vec::new();
    let mut add = |k: &str, v: &Option<String>| {
        if let Some(v) = v {
            params.push(format!("{k}={v}"));
        }
    };
    add("branch", &i.branch);
    add("tag", &i.tag);
    add("ref", &i.ref_);
    add("commit", &i.commit);
    add("subdir", &i.subdir);
    add("compression", &i.compression);
    if let Some(d) = i.depth {
        params.push(format!("depth={d}"));
    }
    if let Some(s) = i.strip_components {
        params.push(format!("strip_components={s}"));
    }
    let base = if let Some(d) = &i.directory {
        d.clone()
    } else if let Some(g) = &i.git_repo {
        g.clone()
    } else if let Some(t) = i.tarball.as_ref().or(i.zip_archive.as_ref()) {
        t.clone()
    } else if let Some(p) = &i.proto_file {
        p.clone()
    } else if let Some(img) = i.binary_image.as_ref().or(i.json_image.as_ref()) {
        img.clone()
    } else if i.module.is_some() {
        return unsupported("module");
    } else if i.txt_image.is_some() {
        return unsupported("txt_image");
    } else if i.yaml_image.is_some() {
        return unsupported("yaml_image");
    } else {
        let offset = find(src, "inputs", 0);
        return Err(
            Error::new(format!("{file}: an `inputs` entry names no input"))
                .at(file, src, offset, "inputs".len())
                .with_help("add e.g. `- directory: proto`"),
        );
    };
    if !i.types.is_empty() || !i.exclude_types.is_empty() {
        return unsupported("types");
    }
    let input = if params.is_empty() {
        base
    } else {
        format!("{base}#{}", params.join(","))
    };
    Ok(GenInput {
        input,
        paths: i.paths.clone(),
        exclude_paths: i.exclude_paths.clone(),
    })
}

/// Splits a comma-separated `opt` string; `\,` is a literal comma.
fn split_opts(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&',') => {
                cur.push(',');
                chars.next();
            }
            ',' => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out.into_iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Byte offset of `needle` in `src` at or after `from` (0 when absent: the error still names the file).
fn find(src: &str, needle: &str, from: usize) -> usize {
    if needle.is_empty() {
        return 0;
    }
    src.get(from..)
        .and_then(|s| s.find(needle))
        .map(|i| i + from)
        .or_else(|| src.find(needle))
        .unwrap_or(0)
}

fn yaml_error(file: &str, src: &str, err: serde_yaml_ng::Error) -> Error {
    let message = err.to_string();
    // serde_yaml_ng appends " at line L column C"; the position goes in the location instead.
    let message = message
        .split(" at line ")
        .next()
        .unwrap_or(&message)
        .to_string();
    let mut error = Error::new(format!("{file}: {message}"));
    if let Some(loc) = err.location() {
        let offset = loc.index().min(src.len());
        let len = src[offset..].find([':', '\n']).unwrap_or(0);
        error = error.at(file, src, offset, len);
    }
    let help = if message.contains("unknown field") {
        "remove or fix the key; see https://buf.build/docs/configuration/v2/buf-gen-yaml/"
    } else {
        "buf.gen.yaml must be a v2 file: `version: v2` and a `plugins` list"
    };
    error.with_help(help)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opts_split_on_unescaped_commas() {
        assert_eq!(split_opts("a=1, b\\,c ,d"), ["a=1", "b,c", "d"]);
    }
}
