//! buf's configuration files, read exactly as buf reads them: `buf.yaml` (v1beta1, v1, v2) and
//! `buf.work.yaml` (v1), resolved into one version-independent [`WorkspaceConfig`].
//!
//! Entry points: [`load`] (the config of a source input, or the `--config` override),
//! [`parse_buf_yaml`] and [`parse_buf_work_yaml`] (one file alone).
//!
//! Path conventions of the resolved model: every path (module `dir`, `includes`, `excludes`,
//! lint/breaking `ignore` and `ignore_only`) is relative to the input root, `/`-separated,
//! normalised, and `""` is the root itself. Written paths are relative to different places per
//! version, and are converted: v1 paths to the module root (the buf.yaml's directory); v1beta1
//! `ignore` paths to each of `build.roots` (one [`ModuleSpec`] per root), `excludes` to the
//! buf.yaml; v2 paths to the buf.yaml (so they already include the module path). A module whose
//! `ignore` names the module directory itself has `disabled` set instead.
//!
//! Decoding follows buf's YAML library (strict: unknown keys, repeated keys, wrong types are
//! errors with file, line and column); validation mirrors buf 1.75's messages. The fixture
//! `testdata/config/buf_verdicts.json` holds configs run through the real buf, checked by
//! `tests/suite/config_buf_verdicts.rs`.

use std::collections::BTreeMap;

mod buf_work;
mod buf_yaml;
mod load;
pub(crate) mod paths;
/// The strict YAML reader of the config files, shared with buf.lock (`crate::deps`).
pub(crate) mod yaml;

pub use buf_work::{parse_buf_work_yaml, BufWorkYaml};
pub(crate) use buf_yaml::full_name_problem;
pub use buf_yaml::{parse_buf_yaml, BufYaml};
pub use load::{load, load_for_plugin, ConfigSource};

/// The file names buf reads as config at a directory, legacy names included: an input's
/// [`Snapshot`](crate::input::Snapshot) must carry these for [`load`] to see them.
pub const CONFIG_FILE_NAMES: [&str; 4] = ["buf.yaml", "buf.mod", "buf.work.yaml", "buf.work"];

/// The config version a module's rules come from (it decides rule sets and defaults).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum ConfigVersion {
    V1Beta1,
    V1,
    #[default]
    V2,
}

impl ConfigVersion {
    pub fn as_str(self) -> &'static str {
        match self {
            ConfigVersion::V1Beta1 => "v1beta1",
            ConfigVersion::V1 => "v1",
            ConfigVersion::V2 => "v2",
        }
    }
}

/// The `lint` section of a module, resolved.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LintConfig {
    /// Rule ids and category ids; empty means the default (STANDARD, or DEFAULT for v1).
    pub use_: Vec<String>,
    pub except: Vec<String>,
    /// Paths (files or directories) relative to the input root that no rule reports on.
    pub ignore: Vec<String>,
    /// Rule or category id -> paths relative to the input root.
    pub ignore_only: BTreeMap<String, Vec<String>>,
    pub enum_zero_value_suffix: Option<String>,
    pub rpc_allow_same_request_response: bool,
    pub rpc_allow_google_protobuf_empty_requests: bool,
    pub rpc_allow_google_protobuf_empty_responses: bool,
    pub service_suffix: Option<String>,
    /// Whether `// buf:lint:ignore ID` comments are honoured (v2: unless `disallow_comment_ignores`;
    /// v1: only with `allow_comment_ignores`).
    pub allow_comment_ignores: bool,
    pub disable_builtin: bool,
    /// Lint is off for the module: an `ignore` entry names the module directory itself (buf's
    /// way to disable checks for one module). `ignore`/`ignore_only` are then empty.
    pub disabled: bool,
}

/// The `breaking` section of a module, resolved.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BreakingConfig {
    /// Rule ids and category ids; empty means the default (FILE).
    pub use_: Vec<String>,
    pub except: Vec<String>,
    pub ignore: Vec<String>,
    pub ignore_only: BTreeMap<String, Vec<String>>,
    pub ignore_unstable_packages: bool,
    pub disable_builtin: bool,
    /// Breaking checks are off for the module (an `ignore` entry names the module directory).
    pub disabled: bool,
}

/// One module: a directory of `.proto` files whose import paths are relative to it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModuleSpec {
    /// The module root relative to the input root (`""` for the root itself, `proto`, ...).
    pub dir: String,
    /// v2 `includes`: only these subdirectories (relative to the input root) hold the module's files.
    pub includes: Vec<String>,
    /// `excludes` (v1 `build.excludes`, v2 `excludes`), relative to the input root.
    pub excludes: Vec<String>,
    /// v2 module `name` or v1 `name` (e.g. `buf.build/acme/weather`).
    pub name: Option<String>,
    /// Registry dependencies named in `deps` (never fetched: pinned by buf.lock, read from buf's
    /// module cache by [`crate::deps`]).
    pub deps: Vec<String>,
    /// The version of the config file the module's rules come from.
    pub version: ConfigVersion,
    pub lint: LintConfig,
    pub breaking: BreakingConfig,
    /// The config file the module's settings come from, relative to the input root (or the
    /// `--config` value); `None` for buf's defaults.
    pub config_file: Option<String>,
}

impl ModuleSpec {
    /// Whether a file (path relative to the input root) belongs to this module: under `dir`, not
    /// under an `excludes` entry, and under an `includes` entry when there are any. The path
    /// needs no `.proto` suffix here; callers filter file kinds.
    pub fn contains(&self, path: &str) -> bool {
        paths::contains(&self.dir, path)
            && !self
                .excludes
                .iter()
                .any(|e| paths::equals_or_contains(e, path))
            && (self.includes.is_empty()
                || self
                    .includes
                    .iter()
                    .any(|i| paths::equals_or_contains(i, path)))
    }

    /// `path` (relative to the input root, inside the module) relative to the module root: the
    /// file's import path.
    pub fn import_path<'a>(&self, path: &'a str) -> &'a str {
        if self.dir.is_empty() {
            path
        } else {
            path.strip_prefix(self.dir.as_str())
                .and_then(|p| p.strip_prefix('/'))
                .unwrap_or(path)
        }
    }

    /// buf's description of a module in messages: `path: "a", includes: "a/b", excludes: "a/c"`.
    pub fn description(&self) -> String {
        let list = |items: &[String]| match items {
            [one] => format!("\"{one}\""),
            many => format!(
                "[{}]",
                many.iter()
                    .map(|i| format!("\"{i}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        let mut out = format!("path: \"{}\"", paths::shown(&self.dir));
        if !self.includes.is_empty() {
            out.push_str(&format!(", includes: {}", list(&self.includes)));
        }
        if !self.excludes.is_empty() {
            out.push_str(&format!(", excludes: {}", list(&self.excludes)));
        }
        out
    }
}

/// A v2 `plugins` entry: a custom check plugin (recorded, never run: protoforge runs no plugins).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PluginConfig {
    /// The plugin path or name, then its arguments.
    pub plugin: Vec<String>,
    pub options: serde_json::Map<String, serde_json::Value>,
}

/// A v2 `policies` entry (recorded, never run).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicyConfig {
    pub policy: String,
    pub ignore: Vec<String>,
    pub ignore_only: BTreeMap<String, Vec<String>>,
}

/// The whole configuration of an input: its modules with their rules.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkspaceConfig {
    /// The config file this came from, relative to the input root (`None`: no config, buf's defaults).
    pub file: Option<String>,
    pub version: ConfigVersion,
    pub modules: Vec<ModuleSpec>,
    /// Registry dependencies of the workspace (v2 `deps`, or the union of the v1 modules' `deps`).
    pub deps: Vec<String>,
    /// v2 `plugins` (never run).
    pub plugins: Vec<PluginConfig>,
    /// v2 `policies` (never run).
    pub policies: Vec<PolicyConfig>,
    /// Where the configuration came from.
    pub source: ConfigSource,
}

impl WorkspaceConfig {
    /// The first module (in `modules` order) that contains a file (path relative to the input
    /// root). With nested module directories (which buf allows) a file can be in several.
    pub fn module_for(&self, path: &str) -> Option<&ModuleSpec> {
        self.modules.iter().find(|m| m.contains(path))
    }
}

pub mod buf_gen;

/// Points an error about a `use`/`except` entry (an unknown rule id) at that entry of the config
/// file: file, line and a code frame when the file can be read from disk, else the file's name.
pub fn at_config_item(err: crate::Error, config_file: Option<&str>, item: &str) -> crate::Error {
    let Some(file) = config_file else {
        return err;
    };
    let text = crate::limits::read_regular_to_string(std::path::Path::new(file)).ok();
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let found = text.as_deref().and_then(|text| {
        let mut from = 0;
        while let Some(pos) = text[from..].find(item) {
            let start = from + pos;
            let end = start + item.len();
            let before = text[..start].chars().next_back();
            let after = text[end..].chars().next();
            if !before.is_some_and(is_word) && !after.is_some_and(is_word) {
                return Some(start);
            }
            from = end;
        }
        None
    });
    match (text, found) {
        (Some(text), Some(offset)) => {
            let line = text[..offset].matches('\n').count() + 1;
            let message = format!("{file}:{line}: {}", err.message());
            let mut located = crate::Error::new(message).at(file, &text, offset, item.len());
            if let Some(help) = err.help_text() {
                located = located.with_help(help.to_string());
            }
            located
        }
        _ => {
            let mut named = crate::Error::new(format!("{file}: {}", err.message()));
            if let Some(help) = err.help_text() {
                named = named.with_help(help.to_string());
            }
            named
        }
    }
}
