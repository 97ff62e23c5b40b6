//! `buf.yaml` (also the legacy name `buf.mod`): versions v1beta1, v1 and v2, decoded strictly and
//! validated with buf's rules, into [`ModuleSpec`]s whose paths are relative to the directory of
//! the file.

use std::collections::BTreeMap;

use super::paths::{self, shown};
use super::yaml::{Fields, Node, Source, Value};
use super::{BreakingConfig, ConfigVersion, LintConfig, ModuleSpec, PluginConfig, PolicyConfig};
use crate::Result;

/// A parsed and validated `buf.yaml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BufYaml {
    /// The name the file was read under (for messages).
    pub file: String,
    pub version: ConfigVersion,
    /// The modules, with every path relative to the directory of the file (`""` is that
    /// directory). v1 has one module at `""`; v1beta1 has one per `build.roots` entry (sharing one
    /// config); v2 has one per `modules` entry (or one at `""`). Sorted by directory, stable.
    pub modules: Vec<ModuleSpec>,
    /// `deps`, as written (`buf.build/acme/weather[:ref]`), sorted by module name.
    pub deps: Vec<String>,
    /// v2 `plugins` (custom check plugins; never run by protoforge).
    pub plugins: Vec<PluginConfig>,
    /// v2 `policies` (never run by protoforge).
    pub policies: Vec<PolicyConfig>,
}

const TOP_V1: &[&str] = &["version", "name", "deps", "build", "lint", "breaking"];
const TOP_V2: &[&str] = &[
    "version", "name", "modules", "deps", "lint", "breaking", "plugins", "policies",
];
const BUILD_V1: &[&str] = &["roots", "excludes"];
const MODULE_V2: &[&str] = &["path", "name", "includes", "excludes", "lint", "breaking"];
const LINT_V1: &[&str] = &[
    "use",
    "except",
    "ignore",
    "ignore_only",
    "enum_zero_value_suffix",
    "rpc_allow_same_request_response",
    "rpc_allow_google_protobuf_empty_requests",
    "rpc_allow_google_protobuf_empty_responses",
    "service_suffix",
    "allow_comment_ignores",
    "disable_builtin",
];
const LINT_V2: &[&str] = &[
    "use",
    "except",
    "ignore",
    "ignore_only",
    "enum_zero_value_suffix",
    "rpc_allow_same_request_response",
    "rpc_allow_google_protobuf_empty_requests",
    "rpc_allow_google_protobuf_empty_responses",
    "service_suffix",
    "disallow_comment_ignores",
    "disable_builtin",
];
const BREAKING: &[&str] = &[
    "use",
    "except",
    "ignore",
    "ignore_only",
    "ignore_unstable_packages",
    "disable_builtin",
];
const IN_MODULE_HELP: &str =
    "paths in a v2 buf.yaml are relative to the buf.yaml, so they start with the module path";
const PLUGIN_V2: &[&str] = &["plugin", "options"];
const POLICY_V2: &[&str] = &["policy", "ignore", "ignore_only"];

/// Parses a `buf.yaml` (or `buf.mod`, or `--config` data) read as `display_path`.
pub fn parse_buf_yaml(display_path: &str, text: &str) -> Result<BufYaml> {
    parse(Source {
        file: display_path,
        text,
        json: false,
    })
}

/// Parses `--config` data (a file's or inline). buf reads it as JSON first, then as YAML: the
/// same thing but for repeated keys, which JSON allows (the last one wins).
pub(crate) fn parse_buf_yaml_override(display_path: &str, text: &str) -> Result<BufYaml> {
    parse(Source {
        file: display_path,
        text,
        json: serde_json::from_str::<serde_json::Value>(text).is_ok(),
    })
}

fn parse(src: Source) -> Result<BufYaml> {
    let display_path = src.file;
    let supported: &[ConfigVersion] = if display_path.rsplit('/').next() == Some("buf.mod") {
        &[ConfigVersion::V1Beta1, ConfigVersion::V1]
    } else {
        &[ConfigVersion::V1Beta1, ConfigVersion::V1, ConfigVersion::V2]
    };
    let (root, version) = read_version(&src, "buf.yaml", supported, "v2")?;
    let mut file = match version {
        ConfigVersion::V1Beta1 | ConfigVersion::V1 => parse_v1(&src, &root, version)?,
        ConfigVersion::V2 => parse_v2(&src, &root)?,
    };
    file.modules.sort_by(|a, b| a.dir.cmp(&b.dir));
    Ok(file)
}

/// Reads the `version` key as buf does before the strict decode: the document must be a mapping,
/// `version` must be set and be one of `supported`.
pub(crate) fn read_version(
    src: &Source,
    kind: &str,
    supported: &[ConfigVersion],
    suggested: &str,
) -> Result<(Node, ConfigVersion)> {
    let Some(root) = src.parse()? else {
        return Err(src.error_at_offset(0, "file is empty").with_help(format!(
            "a {kind} needs at least a version: `version: {suggested}`"
        )));
    };
    let Value::Map(entries) = &root.value else {
        let what = if matches!(root.value, Value::Null) {
            "!!null".to_string()
        } else {
            root.tag().to_string()
        };
        return Err(src
            .error_at(
                &root,
                format!(
                    "cannot unmarshal {what} into a {kind}: the document must be a mapping of keys"
                ),
            )
            .with_help(format!("start the file with `version: {suggested}`")));
    };
    let version_node = entries
        .iter()
        .find(|(k, _)| matches!(&k.value, Value::Scalar { text, .. } if text == "version"))
        .map(|(_, v)| v);
    let text = match version_node {
        Some(node) => src.string(node, "version")?.trim().to_string(),
        None => String::new(),
    };
    if text.is_empty() {
        let at = version_node.unwrap_or(&root);
        return Err(src
            .error_at(
                at,
                format!("\"version\" is not set. Please add \"version: {suggested}\""),
            )
            .with_help(format!("add `version: {suggested}` as the first line")));
    }
    let version = match text.as_str() {
        "v1beta1" => Some(ConfigVersion::V1Beta1),
        "v1" => Some(ConfigVersion::V1),
        "v2" => Some(ConfigVersion::V2),
        _ => None,
    };
    let node = version_node.unwrap_or(&root);
    let list = supported
        .iter()
        .map(|v| v.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let Some(version) = version else {
        return Err(src
            .error_at(node, format!("unknown file version: \"{text}\""))
            .with_help(format!("{} supports: {list}", file_name(src.file))));
    };
    if !supported.contains(&version) {
        return Err(src
            .error_at(
                node,
                format!(
                    "{} is not supported for {} files",
                    version.as_str(),
                    file_name(src.file)
                ),
            )
            .with_help(format!("{} supports: {list}", file_name(src.file))));
    }
    Ok((root, version))
}

fn file_name(display: &str) -> &str {
    display.rsplit('/').next().unwrap_or(display)
}

fn no_hint(_: &str) -> Option<String> {
    None
}

fn hint_top_v1(key: &str) -> Option<String> {
    match key {
        "modules" | "plugins" | "policies" => Some(format!(
            "`{key}` exists only in version v2 buf.yaml files; v1 takes: {}",
            TOP_V1.join(", ")
        )),
        _ => None,
    }
}

fn hint_top_v2(key: &str) -> Option<String> {
    match key {
        "build" => Some(
            "v2 has no `build` key: list modules under `modules:` with their own `path`, `includes` and `excludes`"
                .to_string(),
        ),
        _ => None,
    }
}

fn hint_lint_v1(key: &str) -> Option<String> {
    (key == "disallow_comment_ignores").then(|| {
        "`disallow_comment_ignores` is the v2 key; in v1 comment ignores are off unless `allow_comment_ignores: true`"
            .to_string()
    })
}

fn hint_lint_v2(key: &str) -> Option<String> {
    (key == "allow_comment_ignores").then(|| {
        "`allow_comment_ignores` is the v1 key; in v2 comment ignores are on unless `disallow_comment_ignores: true`"
            .to_string()
    })
}

fn parse_v1(src: &Source, root: &Node, version: ConfigVersion) -> Result<BufYaml> {
    let top = src.fields(root, "buf.yaml", TOP_V1, &hint_top_v1)?;
    // Strict decode of every section first (buf reports type errors before semantic ones).
    let name = opt_string(src, &top, "name")?;
    let deps = opt_strings(src, &top, "deps", "deps")?;
    let build = match top.get("build") {
        Some(node) => Some((
            node,
            src.fields(node, "build", BUILD_V1, &|k| build_hint(k))?,
        )),
        None => None,
    };
    let (roots, excludes) = match &build {
        Some((_, fields)) => (
            opt_strings(src, fields, "roots", "build.roots")?,
            opt_strings(src, fields, "excludes", "build.excludes")?,
        ),
        None => (Vec::new(), Vec::new()),
    };
    let lint_raw = match top.get("lint") {
        Some(node) => RawLint::read(src, node, ConfigVersion::V1)?,
        None => RawLint::default(),
    };
    let breaking_raw = match top.get("breaking") {
        Some(node) => RawBreaking::read(src, node)?,
        None => RawBreaking::default(),
    };

    if version == ConfigVersion::V1 && !roots.is_empty() {
        let node = build
            .as_ref()
            .and_then(|(_, f)| f.key_node("roots"))
            .unwrap_or(root);
        let list = roots
            .iter()
            .map(|(r, _)| r.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        return Err(src
            .error_at(node, format!("build.roots cannot be set on version v1: [{list}]"))
            .with_help("a v1 module has one root, the directory of its buf.yaml: give each root its own buf.yaml and list the directories in a buf.work.yaml, or move to a v2 buf.yaml with `modules`"));
    }
    let module_name = match &name {
        Some((text, node)) if !text.is_empty() => Some(parse_full_name(src, text, node)?),
        _ => None,
    };
    let root_excludes = root_to_excludes(src, &roots, &excludes)?;
    let deps = parse_deps(src, &deps)?;
    let lint = lint_raw.resolve_v1(src)?;
    let breaking = breaking_raw.resolve(src, "", true, version)?;

    // One ModuleSpec per root, each with the module's config made relative to the root: in
    // v1beta1, ignore paths are relative to the roots (they name import paths).
    let mut modules = Vec::new();
    for (root_dir, root_excludes) in root_excludes {
        let mut lint_config = lint.config.clone();
        lint.paths.rebased(&root_dir).apply_lint(&mut lint_config);
        let mut breaking_config = breaking.config.clone();
        breaking
            .paths
            .rebased(&root_dir)
            .apply_breaking(&mut breaking_config);
        modules.push(ModuleSpec {
            dir: root_dir.clone(),
            includes: Vec::new(),
            excludes: root_excludes
                .iter()
                .map(|e| paths::join(&root_dir, e))
                .collect(),
            name: module_name.clone(),
            deps: deps.clone(),
            version,
            lint: lint_config,
            breaking: breaking_config,
            config_file: Some(src.file.to_string()),
        });
    }
    Ok(BufYaml {
        file: src.file.to_string(),
        version,
        modules,
        deps,
        plugins: Vec::new(),
        policies: Vec::new(),
    })
}

fn build_hint(key: &str) -> Option<String> {
    (key == "includes").then(|| {
        "`includes` exists only on v2 modules; v1 build takes: roots, excludes".to_string()
    })
}

fn parse_v2(src: &Source, root: &Node) -> Result<BufYaml> {
    let top = src.fields(root, "buf.yaml", TOP_V2, &hint_top_v2)?;
    let name = opt_string(src, &top, "name")?;
    let mut module_nodes: Vec<(&Node, Fields)> = Vec::new();
    if let Some(modules) = top.get("modules") {
        match &modules.value {
            Value::Null => {}
            Value::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    // Null items are dropped, as buf's YAML library does.
                    if matches!(item.value, Value::Null) {
                        continue;
                    }
                    let what = format!("modules[{i}]");
                    module_nodes.push((
                        item,
                        src.fields(item, &what, MODULE_V2, &|k| module_hint(k))?,
                    ));
                }
            }
            _ => {
                return Err(src
                    .error_at(
                        modules,
                        format!(
                            "cannot unmarshal {} into modules: expected a list of modules",
                            modules.tag()
                        ),
                    )
                    .with_help("write each module as a list item: `- path: proto`"));
            }
        }
    }
    // Strict decode of each module's keys.
    struct RawModule<'n> {
        node: &'n Node,
        path: Option<(String, &'n Node)>,
        name: Option<(String, &'n Node)>,
        includes: Vec<(String, &'n Node)>,
        excludes: Vec<(String, &'n Node)>,
        lint: RawLint,
        breaking: RawBreaking,
    }
    let mut raw_modules = Vec::new();
    for (node, fields) in &module_nodes {
        raw_modules.push(RawModule {
            node,
            path: opt_string(src, fields, "path")?,
            name: opt_string(src, fields, "name")?,
            includes: opt_strings(src, fields, "includes", "includes")?,
            excludes: opt_strings(src, fields, "excludes", "excludes")?,
            lint: match fields.get("lint") {
                Some(n) => RawLint::read(src, n, ConfigVersion::V2)?,
                None => RawLint::default(),
            },
            breaking: match fields.get("breaking") {
                Some(n) => RawBreaking::read(src, n)?,
                None => RawBreaking::default(),
            },
        });
    }
    let deps = opt_strings(src, &top, "deps", "deps")?;
    let top_lint = match top.get("lint") {
        Some(n) => RawLint::read(src, n, ConfigVersion::V2)?,
        None => RawLint::default(),
    };
    let top_breaking = match top.get("breaking") {
        Some(n) => RawBreaking::read(src, n)?,
        None => RawBreaking::default(),
    };
    let plugins = read_plugins(src, &top)?;
    let policies = read_policies(src, &top)?;

    let top_name = name.as_ref().filter(|(t, _)| !t.is_empty());
    if raw_modules.is_empty() {
        raw_modules.push(RawModule {
            node: root,
            path: None,
            name: top_name.cloned(),
            includes: Vec::new(),
            excludes: Vec::new(),
            lint: RawLint::default(),
            breaking: RawBreaking::default(),
        });
    } else if let Some((_, node)) = top_name {
        return Err(src
            .error_at(node, "top-level name key cannot be specified if modules are specified, you must specify the name on each individual module, the top-level name key is only for the default case where you have one module at path \".\".")
            .with_help("move `name` into the module entry it belongs to"));
    }

    let mut modules = Vec::new();
    for raw in &raw_modules {
        let (dir, dir_node) = match &raw.path {
            Some((p, node)) if !p.is_empty() => (p.clone(), *node),
            Some((_, node)) => (".".to_string(), *node),
            None => (".".to_string(), raw.node),
        };
        let dir = paths::normalize(&dir)
            .map_err(|e| src.error_at(dir_node, format!("invalid module path: {e}")))?;
        let module_name = match &raw.name {
            Some((text, node)) if !text.is_empty() => Some(parse_full_name(src, text, node)?),
            _ => None,
        };
        let includes = check_unique_and_disjoint(src, &raw.includes, "include")?;
        let mut rel_includes = Vec::new();
        for (include, node) in &includes {
            if *include == dir {
                return Err(src.error_at(
                    node,
                    format!(
                        "include path \"{}\" is equal to module directory \"{}\"",
                        shown(include),
                        shown(&dir)
                    ),
                ));
            }
            if !paths::equals_or_contains(&dir, include) {
                return Err(src
                    .error_at(
                        node,
                        format!(
                            "include path \"{}\" does not reside within module directory \"{}\"",
                            shown(include),
                            shown(&dir)
                        ),
                    )
                    .with_help(IN_MODULE_HELP));
            }
            if include.ends_with(".proto") {
                return Err(src.error_at(
                    node,
                    format!("includes can only be directories but file \"{include}\" discovered"),
                ));
            }
            rel_includes.push(include.clone());
        }
        let mut rel_excludes = Vec::new();
        for (exclude, node) in &raw.excludes {
            let exclude = paths::normalize(exclude)
                .map_err(|e| src.error_at(node, format!("invalid exclude path: {e}")))?;
            if exclude == dir {
                return Err(src.error_at(
                    node,
                    format!(
                        "exclude path \"{}\" is equal to module directory \"{}\"",
                        shown(&exclude),
                        shown(&dir)
                    ),
                ));
            }
            if !paths::equals_or_contains(&dir, &exclude) {
                return Err(src
                    .error_at(
                        node,
                        format!(
                            "exclude path \"{}\" does not reside within module directory \"{}\"",
                            shown(&exclude),
                            shown(&dir)
                        ),
                    )
                    .with_help(IN_MODULE_HELP));
            }
            if !includes.is_empty() {
                let mut contained = false;
                for (include, _) in &includes {
                    if *include == exclude {
                        return Err(src.error_at(
                            node,
                            format!("\"{exclude}\" is both an include path and an exclude path"),
                        ));
                    }
                    if paths::contains(&exclude, include) {
                        return Err(src.error_at(node, format!("\"{include}\" (an include path) is a subdirectory of \"{exclude}\" (an exclude path)")));
                    }
                    if paths::contains(include, &exclude) {
                        contained = true;
                    }
                }
                if !contained {
                    return Err(src.error_at(node, format!("include paths are specified but \"{exclude}\" is not contained within any of them")));
                }
            }
            rel_excludes.push((paths::relative(&dir, &exclude), *node));
        }
        // buf's root-to-excludes check on the module-relative excludes.
        let rel_excludes = check_unique_and_disjoint(src, &rel_excludes, "exclude")?;
        for (exclude, node) in &rel_excludes {
            if exclude.ends_with(".proto") {
                return Err(src.error_at(
                    node,
                    format!("excludes can only be directories but file \"{exclude}\" discovered"),
                ));
            }
        }
        let (lint_raw, lint_strict) = if raw.lint.is_empty() {
            (&top_lint, false)
        } else {
            (&raw.lint, true)
        };
        let lint = lint_raw.resolve_v2(src, &dir, lint_strict)?;
        let (breaking_raw, breaking_strict) = if raw.breaking.is_empty() {
            (&top_breaking, false)
        } else {
            (&raw.breaking, true)
        };
        let breaking = breaking_raw.resolve(src, &dir, breaking_strict, ConfigVersion::V2)?;
        let mut lint_config = lint.config;
        lint.paths.apply_lint(&mut lint_config);
        let mut breaking_config = breaking.config;
        breaking.paths.apply_breaking(&mut breaking_config);
        modules.push((
            ModuleSpec {
                dir: dir.clone(),
                includes: rel_includes,
                excludes: rel_excludes
                    .iter()
                    .map(|(e, _)| paths::join(&dir, e))
                    .collect(),
                name: module_name,
                deps: Vec::new(),
                version: ConfigVersion::V2,
                lint: lint_config,
                breaking: breaking_config,
                config_file: Some(src.file.to_string()),
            },
            raw.name.as_ref().map(|(_, n)| *n),
        ));
    }
    // Module names are unique.
    let mut seen: Vec<&str> = Vec::new();
    for (module, node) in &modules {
        if let (Some(name), Some(node)) = (&module.name, node) {
            if seen.contains(&name.as_str()) {
                return Err(src
                    .error_at(
                        node,
                        format!("duplicate full names in input: \"{name}\", \"{name}\""),
                    )
                    .with_help("each module needs its own name"));
            }
            seen.push(name);
        }
    }
    let deps = parse_deps(src, &deps)?;
    let modules = modules
        .into_iter()
        .map(|(mut m, _)| {
            m.deps = deps.clone();
            m
        })
        .collect();
    Ok(BufYaml {
        file: src.file.to_string(),
        version: ConfigVersion::V2,
        modules,
        deps,
        plugins,
        policies,
    })
}

fn module_hint(key: &str) -> Option<String> {
    match key {
        "deps" | "plugins" | "policies" => Some(format!(
            "`{key}` is a top-level key of a v2 buf.yaml, shared by all modules"
        )),
        "roots" | "build" => Some(
            "a v2 module has one root, its `path`; use `includes`/`excludes` to select directories"
                .to_string(),
        ),
        _ => None,
    }
}

fn read_plugins(src: &Source, top: &Fields) -> Result<Vec<PluginConfig>> {
    let Some(node) = top.get("plugins") else {
        return Ok(Vec::new());
    };
    let items = match &node.value {
        Value::Null => return Ok(Vec::new()),
        Value::Seq(items) => items,
        _ => {
            return Err(src.error_at(
                node,
                format!(
                    "cannot unmarshal {} into plugins: expected a list",
                    node.tag()
                ),
            ))
        }
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        if matches!(item.value, Value::Null) {
            continue;
        }
        let what = format!("plugins[{i}]");
        let fields = src.fields(item, &what, PLUGIN_V2, &no_hint)?;
        let args = match fields.get("plugin") {
            None => Vec::new(),
            Some(n) => {
                match &n.value {
                    Value::Null => Vec::new(),
                    Value::Scalar { text, .. } => vec![text.clone()],
                    Value::Seq(_) => src
                        .strings(n, &format!("{what}.plugin"))?
                        .into_iter()
                        .map(|(s, _)| s)
                        .collect(),
                    Value::Map(_) => {
                        return Err(src.error_at(n, "could not interpret a mapping as string or string slice")
                        .with_help("`plugin` is a path or name, or a list of the path and its arguments"));
                    }
                }
            }
        };
        let options = match fields.get("options") {
            None => serde_json::Map::new(),
            Some(n) => match n.to_json() {
                serde_json::Value::Null => serde_json::Map::new(),
                serde_json::Value::Object(map) => map,
                _ => {
                    return Err(src.error_at(
                        n,
                        format!(
                            "cannot unmarshal {} into {what}.options: expected a mapping",
                            n.tag()
                        ),
                    ));
                }
            },
        };
        if args.first().is_some_and(|a| a.is_empty()) {
            return Err(src
                .error_at(item, "must specify a name to the plugin")
                .with_help("add `plugin: <path or name>`"));
        }
        if args.is_empty() {
            return Err(src
                .error_at(item, "must specify a path to the plugin")
                .with_help("add `plugin: <path or name>`"));
        }
        out.push(PluginConfig {
            plugin: args,
            options,
        });
    }
    Ok(out)
}

fn read_policies(src: &Source, top: &Fields) -> Result<Vec<PolicyConfig>> {
    let Some(node) = top.get("policies") else {
        return Ok(Vec::new());
    };
    let items = match &node.value {
        Value::Null => return Ok(Vec::new()),
        Value::Seq(items) => items,
        _ => {
            return Err(src.error_at(
                node,
                format!(
                    "cannot unmarshal {} into policies: expected a list",
                    node.tag()
                ),
            ))
        }
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        if matches!(item.value, Value::Null) {
            continue;
        }
        let what = format!("policies[{i}]");
        let fields = src.fields(item, &what, POLICY_V2, &no_hint)?;
        let policy = opt_string(src, &fields, "policy")?
            .map(|(s, _)| s)
            .unwrap_or_default();
        let ignore = opt_strings(src, &fields, "ignore", &format!("{what}.ignore"))?
            .into_iter()
            .map(|(s, _)| s)
            .collect();
        let ignore_only = match fields.get("ignore_only") {
            Some(n) => src
                .string_to_strings(n, &format!("{what}.ignore_only"))?
                .into_iter()
                .map(|(k, _, v)| (k, v.into_iter().map(|(s, _)| s).collect()))
                .collect(),
            None => BTreeMap::new(),
        };
        if policy.is_empty() {
            return Err(src
                .error_at(item, "must specify a name to the policy")
                .with_help("add `policy: <name or path>`"));
        }
        out.push(PolicyConfig {
            policy,
            ignore,
            ignore_only,
        });
    }
    Ok(out)
}

fn opt_string<'n>(
    src: &Source,
    fields: &Fields<'n>,
    key: &str,
) -> Result<Option<(String, &'n Node)>> {
    match fields.get(key) {
        Some(node) => Ok(Some((src.string(node, key)?, node))),
        None => Ok(None),
    }
}

fn opt_strings<'n>(
    src: &Source,
    fields: &Fields<'n>,
    key: &str,
    what: &str,
) -> Result<Vec<(String, &'n Node)>> {
    match fields.get(key) {
        Some(node) => src.strings(node, what),
        None => Ok(Vec::new()),
    }
}

fn opt_bool(src: &Source, fields: &Fields, key: &str, what: &str) -> Result<bool> {
    match fields.get(key) {
        Some(node) => src.bool(node, &format!("{what}.{key}")),
        None => Ok(false),
    }
}

/// Why `registry/owner/name` is not a valid module name (buf's `ParseModuleFullName`), if so.
pub(crate) fn full_name_problem(text: &str) -> Option<String> {
    let parts: Vec<&str> = text.split('/').collect();
    if parts.len() != 3 || parts.iter().any(|p| p.is_empty()) {
        return Some("must be in the form registry/owner/name".to_string());
    }
    let registry = parts[0];
    let host = match registry.rsplit_once(':') {
        Some((host, port)) if !port.is_empty() && port.chars().all(|c| c.is_ascii_digit()) => host,
        _ => registry,
    };
    let invalid = |why: String| {
        Some(format!(
            "registry \"{registry}\" is not a valid hostname: {why}"
        ))
    };
    if host.len() < 2 || host.len() > 254 {
        return invalid("must be at least 2 and at most 254 characters".to_string());
    }
    if let Some(c) = host
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')))
    {
        return invalid(format!(
            "invalid domain name \"{host}\", included invalid character '{c}', must only contain letters, digits, periods (.), hyphens (-), or underscores (_)"
        ));
    }
    if host.contains("..") {
        return invalid(format!(
            "invalid domain name \"{host}\", cannot contain two periods (.) in a row"
        ));
    }
    if host.split('.').any(|segment| segment.starts_with('-')) {
        return invalid(format!(
            "invalid domain name \"{host}\", cannot begin a segment after a period (.) with a hyphen (-)"
        ));
    }
    None
}

/// `registry/owner/name`, as buf's `ParseModuleFullName`.
fn parse_full_name(src: &Source, text: &str, node: &Node) -> Result<String> {
    let text = text.trim();
    if let Some(problem) = full_name_problem(text) {
        return Err(src
            .error_at(
                node,
                format!("could not parse full name \"{text}\": {problem}"),
            )
            .with_help(
                "a module name is registry/owner/name, for example `buf.build/acme/weather`",
            ));
    }
    Ok(text.to_string())
}

/// `deps`: each `registry/owner/name[:ref]`, unique by name, sorted by name.
fn parse_deps(src: &Source, deps: &[(String, &Node)]) -> Result<Vec<String>> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (dep, node) in deps {
        let dep = &dep.trim().to_string();
        let last_segment = dep.rsplit('/').next().unwrap_or(dep);
        let (name, reference) = match dep.rfind(':') {
            Some(i) if !dep[i..].contains('/') => (&dep[..i], Some(&dep[i + 1..])),
            _ => (dep.as_str(), None),
        };
        let problem = if last_segment.matches(':').count() > 1 || reference == Some("") {
            Some("must be in the form registry/owner/name[:ref]".to_string())
        } else {
            full_name_problem(name)
                .map(|p| p.replace("registry/owner/name", "registry/owner/name[:ref]"))
        };
        if let Some(problem) = problem {
            return Err(src
                .error_at(node, format!("invalid dep: could not parse reference \"{dep}\": {problem}"))
                .with_help("for example `buf.build/googleapis/googleapis` or `buf.build/acme/units:v1.2.0`"));
        }
        if out.iter().any(|(n, _)| n == name) {
            return Err(src
                .error_at(
                    node,
                    format!("duplicate full names in input: \"{name}\", \"{name}\""),
                )
                .with_help("list each dependency once"));
        }
        out.push((name.to_string(), dep.clone()));
    }
    out.sort();
    Ok(out.into_iter().map(|(_, dep)| dep).collect())
}

/// buf's `normalizeAndCheckPaths`: normalised, no duplicates, none inside another.
fn check_unique_and_disjoint<'n>(
    src: &Source,
    items: &[(String, &'n Node)],
    what: &str,
) -> Result<Vec<(String, &'n Node)>> {
    let mut out: Vec<(String, &'n Node)> = Vec::new();
    for (path, node) in items {
        if path.is_empty() {
            return Err(src
                .error_at(node, format!("{what} contained an empty path"))
                .with_help("remove the empty entry"));
        }
        let normal = paths::normalize(path).map_err(|e| src.error_at(node, e))?;
        if out.iter().any(|(p, _)| *p == normal) {
            return Err(src
                .error_at(node, format!("duplicate {what} \"{}\"", shown(&normal)))
                .with_help(format!("list each {what} once")));
        }
        out.push((normal, *node));
    }
    for (inner, node) in &out {
        if let Some((outer, _)) = out.iter().find(|(outer, _)| paths::contains(outer, inner)) {
            return Err(src
                .error_at(
                    node,
                    format!(
                        "{what} \"{inner}\" is within {what} \"{}\" which is not allowed",
                        shown(outer)
                    ),
                )
                .with_help(format!(
                    "remove \"{inner}\": \"{}\" already covers it",
                    shown(outer)
                )));
        }
    }
    Ok(out)
}

/// buf's `getRootToExcludes` for v1beta1/v1: roots (default `.`) and the excludes of each root,
/// relative to that root. Returned sorted by root.
fn root_to_excludes(
    src: &Source,
    roots: &[(String, &Node)],
    excludes: &[(String, &Node)],
) -> Result<Vec<(String, Vec<String>)>> {
    let roots = if roots.is_empty() {
        vec![(String::new(), None)]
    } else {
        check_unique_and_disjoint(src, roots, "root")?
            .into_iter()
            .map(|(r, n)| (r, Some(n)))
            .collect()
    };
    let mut out: BTreeMap<String, Vec<String>> =
        roots.iter().map(|(r, _)| (r.clone(), Vec::new())).collect();
    if excludes.is_empty() {
        return Ok(out.into_iter().collect());
    }
    let excludes = check_unique_and_disjoint(src, excludes, "exclude")?;
    for (exclude, node) in &excludes {
        if exclude.ends_with(".proto") {
            return Err(src.error_at(
                node,
                format!("excludes can only be directories but file \"{exclude}\" discovered"),
            ));
        }
        if out.contains_key(exclude) {
            return Err(src
                .error_at(node, format!("\"{}\" is both a root and exclude, which means the entire root is excluded, which is not valid", shown(exclude)))
                .with_help("remove the exclude, or the root"));
        }
    }
    for (exclude, node) in &excludes {
        let matching: Vec<&String> = out
            .keys()
            .filter(|root| paths::equals_or_contains(root, exclude))
            .collect();
        match matching.as_slice() {
            [] => {
                return Err(src
                    .error_at(node, format!("exclude \"{exclude}\" is not contained in any root, which is not valid"))
                    .with_help("excludes are relative to the buf.yaml and must be inside one of the roots"));
            }
            [root] => {
                let root = (*root).clone();
                let rel = paths::relative(&root, exclude);
                if let Some(list) = out.get_mut(&root) {
                    list.push(rel);
                }
            }
            _ => {
                return Err(
                    src.error_at(node, format!("exclude \"{exclude}\" was in multiple roots"))
                );
            }
        }
    }
    for list in out.values_mut() {
        list.sort();
    }
    Ok(out.into_iter().collect())
}

/// The paths of a lint or breaking section, relative to the module directory.
#[derive(Debug, Default, Clone)]
struct CheckPaths {
    disabled: bool,
    ignore: Vec<String>,
    ignore_only: BTreeMap<String, Vec<String>>,
}

impl CheckPaths {
    fn rebased(&self, dir: &str) -> CheckPaths {
        CheckPaths {
            disabled: self.disabled,
            ignore: self.ignore.iter().map(|p| paths::join(dir, p)).collect(),
            ignore_only: self
                .ignore_only
                .iter()
                .map(|(k, v)| (k.clone(), v.iter().map(|p| paths::join(dir, p)).collect()))
                .collect(),
        }
    }

    fn apply_lint(self, config: &mut LintConfig) {
        config.disabled = self.disabled;
        config.ignore = self.ignore;
        config.ignore_only = self.ignore_only;
    }

    fn apply_breaking(self, config: &mut BreakingConfig) {
        config.disabled = self.disabled;
        config.ignore = self.ignore;
        config.ignore_only = self.ignore_only;
    }
}

/// A path as written in an `ignore` or `ignore_only` list, with its node for errors.
#[derive(Debug, Clone)]
struct WrittenPath {
    path: String,
    node: Node,
}

/// The `ignore` and `ignore_only` lists of a lint or breaking section, as written.
#[derive(Debug, Default, Clone)]
struct WrittenPaths {
    ignore: Vec<WrittenPath>,
    ignore_only: Vec<(String, Vec<WrittenPath>)>,
}

impl WrittenPaths {
    fn read(src: &Source, fields: &Fields, section: &str) -> Result<WrittenPaths> {
        let written = |list: Vec<(String, &Node)>| {
            list.into_iter()
                .map(|(path, node)| WrittenPath {
                    path,
                    node: node.clone(),
                })
                .collect::<Vec<_>>()
        };
        let ignore = written(opt_strings(
            src,
            fields,
            "ignore",
            &format!("{section}.ignore"),
        )?);
        let mut ignore_only = Vec::new();
        if let Some(node) = fields.get("ignore_only") {
            for (id, _, list) in src.string_to_strings(node, &format!("{section}.ignore_only"))? {
                ignore_only.push((id, written(list)));
            }
        }
        Ok(WrittenPaths {
            ignore,
            ignore_only,
        })
    }

    fn is_empty(&self) -> bool {
        self.ignore.is_empty() && self.ignore_only.is_empty()
    }

    /// buf's ignore handling: an ignore equal to the module directory disables the checks;
    /// other paths must be inside the module (error when `strict`, dropped otherwise) and are
    /// kept relative to it.
    fn resolve(
        &self,
        src: &Source,
        section: &str,
        module_dir: &str,
        strict: bool,
    ) -> Result<CheckPaths> {
        let mut out = CheckPaths::default();
        for written in &self.ignore {
            let normal = paths::normalize(&written.path).map_err(|e| {
                src.error_at(
                    &written.node,
                    format!("{section}.ignore: invalid path: {e}"),
                )
            })?;
            if normal == module_dir {
                out.disabled = true;
                return Ok(out);
            }
        }
        let relative = |field: &str, written: &WrittenPath| -> Result<Option<String>> {
            let node = &written.node;
            let normal = paths::normalize(&written.path)
                .map_err(|e| src.error_at(node, format!("{section}.{field}: invalid path: {e}")))?;
            if !paths::equals_or_contains(module_dir, &normal) {
                if !strict {
                    return Ok(None);
                }
                return Err(src
                    .error_at(
                        node,
                        format!(
                            "{section}.{field}: path \"{}\" is not contained within module directory \"{}\"",
                            shown(&normal),
                            shown(module_dir)
                        ),
                    )
                    .with_help(IN_MODULE_HELP));
            }
            Ok(Some(paths::relative(module_dir, &normal)))
        };
        for written in &self.ignore {
            if let Some(rel) = relative("ignore", written)? {
                out.ignore.push(rel);
            }
        }
        for (id, list) in &self.ignore_only {
            let mut rels = Vec::new();
            for written in list {
                if let Some(rel) = relative("ignore_only", written)? {
                    rels.push(rel);
                }
            }
            if !rels.is_empty() {
                out.ignore_only.insert(id.clone(), rels);
            }
        }
        Ok(out)
    }
}

/// A `lint` section as written.
#[derive(Debug, Default, Clone)]
struct RawLint {
    use_: Vec<String>,
    except: Vec<String>,
    paths: WrittenPaths,
    enum_zero_value_suffix: String,
    rpc_allow_same_request_response: bool,
    rpc_allow_google_protobuf_empty_requests: bool,
    rpc_allow_google_protobuf_empty_responses: bool,
    service_suffix: String,
    allow_comment_ignores: bool,
    disallow_comment_ignores: bool,
    disable_builtin: bool,
}

/// Resolved lint or breaking settings (paths still relative to the module directory).
struct Resolved<C> {
    config: C,
    paths: CheckPaths,
}

type KeyHint = dyn Fn(&str) -> Option<String>;

impl RawLint {
    fn read(src: &Source, node: &Node, version: ConfigVersion) -> Result<RawLint> {
        let (allowed, hint): (&[&'static str], &KeyHint) = match version {
            ConfigVersion::V2 => (LINT_V2, &hint_lint_v2),
            _ => (LINT_V1, &hint_lint_v1),
        };
        let f = src.fields(node, "lint", allowed, hint)?;
        let list = |key: &str| -> Result<Vec<String>> {
            Ok(opt_strings(src, &f, key, &format!("lint.{key}"))?
                .into_iter()
                .map(|(s, _)| s)
                .collect())
        };
        let text = |key: &str| -> Result<String> {
            Ok(opt_string(src, &f, key)?
                .map(|(s, _)| s)
                .unwrap_or_default())
        };
        Ok(RawLint {
            use_: list("use")?,
            except: list("except")?,
            paths: WrittenPaths::read(src, &f, "lint")?,
            enum_zero_value_suffix: text("enum_zero_value_suffix")?,
            rpc_allow_same_request_response: opt_bool(
                src,
                &f,
                "rpc_allow_same_request_response",
                "lint",
            )?,
            rpc_allow_google_protobuf_empty_requests: opt_bool(
                src,
                &f,
                "rpc_allow_google_protobuf_empty_requests",
                "lint",
            )?,
            rpc_allow_google_protobuf_empty_responses: opt_bool(
                src,
                &f,
                "rpc_allow_google_protobuf_empty_responses",
                "lint",
            )?,
            service_suffix: text("service_suffix")?,
            allow_comment_ignores: opt_bool(src, &f, "allow_comment_ignores", "lint")?,
            disallow_comment_ignores: opt_bool(src, &f, "disallow_comment_ignores", "lint")?,
            disable_builtin: opt_bool(src, &f, "disable_builtin", "lint")?,
        })
    }

    /// buf's `isEmpty`: a module's own lint block replaces the top-level one only when it sets
    /// something.
    fn is_empty(&self) -> bool {
        self.use_.is_empty()
            && self.except.is_empty()
            && self.paths.is_empty()
            && self.enum_zero_value_suffix.is_empty()
            && !self.rpc_allow_same_request_response
            && !self.rpc_allow_google_protobuf_empty_requests
            && !self.rpc_allow_google_protobuf_empty_responses
            && self.service_suffix.is_empty()
            && !self.allow_comment_ignores
            && !self.disallow_comment_ignores
            && !self.disable_builtin
    }

    fn config(&self, allow_comment_ignores: bool) -> LintConfig {
        LintConfig {
            use_: self.use_.clone(),
            except: self.except.clone(),
            enum_zero_value_suffix: Some(self.enum_zero_value_suffix.clone())
                .filter(|s| !s.is_empty()),
            rpc_allow_same_request_response: self.rpc_allow_same_request_response,
            rpc_allow_google_protobuf_empty_requests: self.rpc_allow_google_protobuf_empty_requests,
            rpc_allow_google_protobuf_empty_responses: self
                .rpc_allow_google_protobuf_empty_responses,
            service_suffix: Some(self.service_suffix.clone()).filter(|s| !s.is_empty()),
            allow_comment_ignores,
            disable_builtin: self.disable_builtin,
            ..LintConfig::default()
        }
    }

    /// v1beta1/v1: paths relative to the module root, comment ignores opt-in.
    fn resolve_v1(&self, src: &Source) -> Result<Resolved<LintConfig>> {
        Ok(Resolved {
            config: self.config(self.allow_comment_ignores),
            paths: self.paths.resolve(src, "lint", "", true)?,
        })
    }

    /// v2: paths relative to the buf.yaml (kept so), comment ignores opt-out.
    fn resolve_v2(
        &self,
        src: &Source,
        module_dir: &str,
        strict: bool,
    ) -> Result<Resolved<LintConfig>> {
        let paths = self
            .paths
            .resolve(src, "lint", module_dir, strict)?
            .rebased(module_dir);
        Ok(Resolved {
            config: self.config(!self.disallow_comment_ignores),
            paths,
        })
    }
}

/// A `breaking` section as written.
#[derive(Debug, Default, Clone)]
struct RawBreaking {
    use_: Vec<String>,
    except: Vec<String>,
    paths: WrittenPaths,
    ignore_unstable_packages: bool,
    disable_builtin: bool,
}

impl RawBreaking {
    fn read(src: &Source, node: &Node) -> Result<RawBreaking> {
        let f = src.fields(node, "breaking", BREAKING, &no_hint)?;
        let list = |key: &str| -> Result<Vec<String>> {
            Ok(opt_strings(src, &f, key, &format!("breaking.{key}"))?
                .into_iter()
                .map(|(s, _)| s)
                .collect())
        };
        Ok(RawBreaking {
            use_: list("use")?,
            except: list("except")?,
            paths: WrittenPaths::read(src, &f, "breaking")?,
            ignore_unstable_packages: opt_bool(src, &f, "ignore_unstable_packages", "breaking")?,
            disable_builtin: opt_bool(src, &f, "disable_builtin", "breaking")?,
        })
    }

    fn is_empty(&self) -> bool {
        self.use_.is_empty()
            && self.except.is_empty()
            && self.paths.is_empty()
            && !self.ignore_unstable_packages
            && !self.disable_builtin
    }

    /// v1beta1/v1: `module_dir` is `""` and every path is inside it; v2: relative to the buf.yaml.
    fn resolve(
        &self,
        src: &Source,
        module_dir: &str,
        strict: bool,
        version: ConfigVersion,
    ) -> Result<Resolved<BreakingConfig>> {
        let mut paths = self.paths.resolve(src, "breaking", module_dir, strict)?;
        if version == ConfigVersion::V2 {
            paths = paths.rebased(module_dir);
        }
        Ok(Resolved {
            config: BreakingConfig {
                use_: self.use_.clone(),
                except: self.except.clone(),
                ignore_unstable_packages: self.ignore_unstable_packages,
                disable_builtin: self.disable_builtin,
                ..BreakingConfig::default()
            },
            paths,
        })
    }
}
