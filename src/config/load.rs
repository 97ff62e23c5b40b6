//! Finding the config of an input and resolving it into a [`WorkspaceConfig`], with the
//! workspace-level checks buf makes when it builds a workspace.

use std::collections::BTreeMap;

use super::buf_work::parse_buf_work_yaml;
use super::buf_yaml::{parse_buf_yaml, parse_buf_yaml_override};
use super::paths;
use super::{ConfigVersion, ModuleSpec, WorkspaceConfig};
use crate::input::Snapshot;
use crate::{Error, Result};

/// Where a [`WorkspaceConfig`] came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ConfigSource {
    /// No config file: one module at the input root with buf's v2 defaults.
    #[default]
    Defaults,
    /// A `buf.yaml` (or `buf.mod`) at the input root (path relative to the root).
    BufYaml(String),
    /// A `buf.work.yaml` (or `buf.work`) at the input root (path relative to the root).
    BufWorkYaml(String),
    /// The `--config` flag: a file on disk (its path as given) or inline data (`--config`).
    Override(String),
}

/// Legacy names buf still reads, in its order of preference.
const BUF_YAML_NAMES: [&str; 2] = ["buf.yaml", "buf.mod"];
const BUF_WORK_NAMES: [&str; 2] = ["buf.work.yaml", "buf.work"];

/// Resolves the configuration of a source input.
///
/// `config_override` is the `--config` value. As buf: a value ending in `.yaml`, `.yml` or
/// `.json` is a file path read from disk; anything else is the config itself (YAML or JSON).
/// The override replaces every config file of the input (`buf.yaml` and `buf.work.yaml` alike)
/// and describes the modules relative to the input root.
///
/// Without an override, the input root's `buf.work.yaml` (v1, each directory with its own
/// v1beta1/v1 `buf.yaml` or none) or `buf.yaml` (v1beta1, v1, v2) is read; with neither, one module
/// at the root with v2 defaults. Then buf's workspace checks: no two modules with the same
/// description, no file in two modules of the same directory, every module has a `.proto` file.
pub fn load(snapshot: &Snapshot, config_override: Option<&str>) -> Result<WorkspaceConfig> {
    let config = match config_override {
        Some(value) => from_override(value, "--config")?,
        None => from_snapshot(snapshot)?,
    };
    check_layout(snapshot, &config)?;
    Ok(config)
}

/// The config of a protoc plugin run (buf's `input_config`): a value is taken as `--config` takes
/// it (a `.yaml`/`.yml`/`.json` path, or the config itself); without one, the `buf.yaml` (or
/// `buf.mod`) of the working directory. `None`: no config (buf's defaults). A `buf.work.yaml` is
/// not read, as in buf.
pub fn load_for_plugin(input_config: &str) -> Result<Option<WorkspaceConfig>> {
    if !input_config.is_empty() {
        return from_override(input_config, "input_config").map(Some);
    }
    for name in BUF_YAML_NAMES {
        let text = match crate::limits::read_regular_to_string(std::path::Path::new(name)) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(Error::io(name, e)),
        };
        let file = parse_buf_yaml(name, &text)?;
        let mut modules = file.modules;
        for module in &mut modules {
            module.config_file = Some(name.to_string());
        }
        return Ok(Some(WorkspaceConfig {
            file: Some(name.to_string()),
            version: file.version,
            modules,
            deps: file.deps,
            plugins: file.plugins,
            policies: file.policies,
            source: ConfigSource::BufYaml(name.to_string()),
        }));
    }
    Ok(None)
}

fn read_text(snapshot: &Snapshot, path: &str) -> Option<Result<String>> {
    let bytes = snapshot.files.get(path)?;
    Some(String::from_utf8(bytes.to_vec()).map_err(|_| {
        Error::new(format!(
            "{}: not valid UTF-8 text",
            snapshot.display_path(path)
        ))
        .with_help("save the config file as UTF-8")
    }))
}

/// A config given as a value (`flag` names where: `--config`, `input_config`).
fn from_override(value: &str, flag: &str) -> Result<WorkspaceConfig> {
    let is_file = [".yaml", ".yml", ".json"]
        .iter()
        .any(|ext| value.ends_with(ext));
    let (display, text) = if is_file {
        let text = crate::limits::read_regular_to_string(std::path::Path::new(value)).map_err(|err| {
            Error::new(format!("could not read {flag} file {value}: {err}")).with_help(format!(
                "{flag} takes a path to a .yaml/.yml/.json file, or the config itself as YAML or JSON"
            ))
        })?;
        (value.to_string(), text)
    } else {
        (flag.to_string(), value.to_string())
    };
    let file = parse_buf_yaml_override(&display, &text)?;
    let deps = file.deps.clone();
    Ok(WorkspaceConfig {
        file: Some(display.clone()),
        version: file.version,
        modules: file.modules,
        deps,
        plugins: file.plugins,
        policies: file.policies,
        source: ConfigSource::Override(display),
    })
}

fn find<'a>(snapshot: &Snapshot, dir: &str, names: &[&'a str]) -> Option<(String, &'a str)> {
    names
        .iter()
        .map(|name| (paths::join(dir, name), *name))
        .find(|(path, _)| snapshot.files.contains_key(path))
}

fn from_snapshot(snapshot: &Snapshot) -> Result<WorkspaceConfig> {
    let work = find(snapshot, "", &BUF_WORK_NAMES);
    let buf_yaml = find(snapshot, "", &BUF_YAML_NAMES);
    match (work, buf_yaml) {
        (Some((work, _)), Some((yaml, _))) => Err(Error::new(format!(
            "Both {} and {} found. It is not valid to have a buf.work.yaml and buf.yaml in the same directory, buf.work.yaml specifies a workspace of modules, while buf.yaml either specifies a single module or a workspace of modules itself.",
            snapshot.display_path(&work),
            snapshot.display_path(&yaml)
        ))
        .with_help("keep one: a v2 buf.yaml with `modules` replaces a buf.work.yaml")),
        (Some((work, _)), None) => from_work(snapshot, &work),
        (None, Some((yaml, _))) => {
            let text = read_text(snapshot, &yaml).unwrap_or_else(|| Ok(String::new()))?;
            let file = parse_buf_yaml(&snapshot.display_path(&yaml), &text)?;
            let mut modules = file.modules;
            for module in &mut modules {
                module.config_file = Some(yaml.clone());
            }
            Ok(WorkspaceConfig {
                file: Some(yaml.clone()),
                version: file.version,
                modules,
                deps: file.deps,
                plugins: file.plugins,
                policies: file.policies,
                source: ConfigSource::BufYaml(yaml),
            })
        }
        (None, None) => Ok(WorkspaceConfig {
            file: None,
            version: ConfigVersion::V2,
            modules: vec![ModuleSpec { dir: String::new(), version: ConfigVersion::V2, ..ModuleSpec::default() }],
            source: ConfigSource::Defaults,
            ..WorkspaceConfig::default()
        }),
    }
}

fn from_work(snapshot: &Snapshot, work: &str) -> Result<WorkspaceConfig> {
    let text = read_text(snapshot, work).unwrap_or_else(|| Ok(String::new()))?;
    let work_file = parse_buf_work_yaml(&snapshot.display_path(work), &text)?;
    let mut modules = Vec::new();
    let mut deps: Vec<String> = Vec::new();
    for dir in &work_file.directories {
        match find(snapshot, dir, &BUF_YAML_NAMES) {
            None => modules.push(ModuleSpec {
                dir: dir.clone(),
                version: ConfigVersion::V1,
                ..ModuleSpec::default()
            }),
            Some((path, name)) => {
                let text = read_text(snapshot, &path).unwrap_or_else(|| Ok(String::new()))?;
                let file = parse_buf_yaml(&snapshot.display_path(&path), &text)?;
                if file.version == ConfigVersion::V2 {
                    return Err(Error::new(format!(
                        "{} pointed to directory \"{dir}\" which has a v2 {name} file",
                        snapshot.display_path(work)
                    ))
                    .with_help("a v2 buf.yaml defines its own workspace: replace the buf.work.yaml by a v2 buf.yaml at the root listing the modules, or make the module's buf.yaml v1"));
                }
                for dep in &file.deps {
                    if let Some(other) = deps
                        .iter()
                        .find(|d| dep_name(d) == dep_name(dep) && *d != dep)
                    {
                        return Err(Error::new(format!(
                            "found different refs for the same module within buf.yaml deps in the workspace: {dep} {other}"
                        ))
                        .with_help(format!("use the same reference for {} in every buf.yaml of the workspace", dep_name(dep))));
                    }
                    if !deps.contains(dep) {
                        deps.push(dep.clone());
                    }
                }
                for module in file.modules {
                    modules.push(rebase(module, dir, &path));
                }
            }
        }
    }
    deps.sort();
    // Of several modules with the same name, buf keeps only the first (in directory order).
    let mut kept: Vec<(String, Option<String>)> = Vec::new();
    modules.retain(|module| {
        let Some(name) = &module.name else {
            return true;
        };
        match kept.iter().find(|(n, _)| n == name) {
            // The roots of one v1beta1 buf.yaml share its name.
            Some((_, file)) => *file == module.config_file,
            None => {
                kept.push((name.clone(), module.config_file.clone()));
                true
            }
        }
    });
    Ok(WorkspaceConfig {
        file: Some(work.to_string()),
        version: ConfigVersion::V1,
        modules,
        deps,
        plugins: Vec::new(),
        policies: Vec::new(),
        source: ConfigSource::BufWorkYaml(work.to_string()),
    })
}

/// The buf.yaml a v1beta1 module comes from: its roots form one module.
fn group_of(module: &ModuleSpec) -> Option<&str> {
    if module.version == ConfigVersion::V1Beta1 {
        module.config_file.as_deref()
    } else {
        None
    }
}

/// The module name of a `deps` entry (without its `:ref`).
fn dep_name(dep: &str) -> &str {
    match dep.rfind(':') {
        Some(i) if !dep[i..].contains('/') => &dep[..i],
        _ => dep,
    }
}

/// Makes the paths of a module read from `prefix/buf.yaml` relative to the input root.
fn rebase(mut module: ModuleSpec, prefix: &str, config_file: &str) -> ModuleSpec {
    let join = |p: &String| paths::join(prefix, p);
    module.dir = paths::join(prefix, &module.dir);
    module.includes = module.includes.iter().map(join).collect();
    module.excludes = module.excludes.iter().map(join).collect();
    module.lint.ignore = module.lint.ignore.iter().map(join).collect();
    module.lint.ignore_only = module
        .lint
        .ignore_only
        .iter()
        .map(|(k, v)| (k.clone(), v.iter().map(join).collect()))
        .collect();
    module.breaking.ignore = module.breaking.ignore.iter().map(join).collect();
    module.breaking.ignore_only = module
        .breaking
        .ignore_only
        .iter()
        .map(|(k, v)| (k.clone(), v.iter().map(join).collect()))
        .collect();
    module.config_file = Some(config_file.to_string());
    module
}

/// buf's checks when it builds the workspace from the modules.
fn check_layout(snapshot: &Snapshot, config: &WorkspaceConfig) -> Result<()> {
    let origin = |message: String| {
        let file = config.file.as_deref().map(|f| match config.source {
            ConfigSource::Override(_) => f.to_string(),
            _ => snapshot.display_path(f),
        });
        match file {
            Some(file) => Error::new(format!("{file}: {message}")),
            None => Error::new(message),
        }
    };
    // No two modules with the same description.
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (i, module) in config.modules.iter().enumerate() {
        let description = module.description();
        if seen.insert(description.clone(), i).is_some() {
            return Err(origin(format!(
                "multiple module configs found with the same description: {description}"
            ))
            .with_help(
                "give modules that share a path distinct `includes`, or remove the duplicate",
            ));
        }
    }
    let protos: Vec<&str> = snapshot
        .paths()
        .map(String::as_str)
        .filter(|p| p.ends_with(".proto"))
        .collect();
    // An import path belongs to one module only (buf builds one image of all modules). The same
    // file in two modules under two import paths (nested module directories) passes here and
    // fails to compile, as in buf. One module gives each of its files its own import path (its
    // path without the module directory): nothing to look for.
    let mut owners: BTreeMap<&str, Vec<(usize, &str)>> = BTreeMap::new();
    let several_modules = config.modules.len() > 1;
    for path in protos.iter().filter(|_| several_modules) {
        for (i, module) in config.modules.iter().enumerate() {
            if module.contains(path) {
                owners
                    .entry(module.import_path(path))
                    .or_default()
                    .push((i, path));
            }
        }
    }
    if let Some((import_path, found)) = owners.iter().find(|(_, found)| found.len() > 1) {
        let first = &config.modules[found[0].0];
        let same_group = group_of(first).is_some()
            && found
                .iter()
                .all(|(i, _)| group_of(&config.modules[*i]) == group_of(first));
        if same_group {
            let locations = found
                .iter()
                .map(|(_, p)| snapshot.display_path(p))
                .collect::<Vec<_>>()
                .join(" ");
            return Err(origin(format!(
                "{import_path} exists in multiple locations: {locations}"
            ))
            .with_help("two roots hold a file with the same import path: remove or rename one"));
        }
        let list = found
            .iter()
            .map(|(i, _)| format!("  {}", config.modules[*i].description()))
            .collect::<Vec<_>>()
            .join("\n");
        return Err(origin(format!("{import_path} is contained in multiple modules:\n{list}"))
            .with_help(
                "an import path must come from one module: rename one of the files, or make the modules' \
                 `includes`/`excludes` disjoint",
            ));
    }
    // Every module has a .proto file. The roots of a v1beta1 buf.yaml are one module.
    let mut groups: Vec<(Option<&str>, ConfigVersion, Vec<&ModuleSpec>)> = Vec::new();
    for module in &config.modules {
        let key = module.config_file.as_deref();
        let grouped = module.version == ConfigVersion::V1Beta1;
        match groups
            .iter_mut()
            .find(|(k, v, _)| grouped && *v == ConfigVersion::V1Beta1 && *k == key)
        {
            Some((_, _, members)) => members.push(module),
            None => groups.push((key, module.version, vec![module])),
        }
    }
    for (_, _, members) in &groups {
        if !protos.iter().any(|p| members.iter().any(|m| m.contains(p))) {
            // A v1beta1 module is described by its directory (the buf.yaml's), not its roots.
            let description = if members[0].version == ConfigVersion::V1Beta1 {
                let dir = match (&config.source, members[0].config_file.as_deref()) {
                    (ConfigSource::Override(_), _) | (_, None) => "",
                    (_, Some(file)) => file.rsplit_once('/').map(|(dir, _)| dir).unwrap_or(""),
                };
                format!("path: \"{}\"", paths::shown(dir))
            } else {
                members[0].description()
            };
            return Err(Error::new(format!("Module \"{description}\" had no .proto files"))
                .with_help("add .proto files under the module directory, or remove the module from the config"));
        }
    }
    Ok(())
}
