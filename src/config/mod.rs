//! buf's configuration files, read exactly as buf reads them: `buf.yaml` (v1beta1, v1, v2) and
//! `buf.work.yaml` (v1), resolved into one version-independent [`WorkspaceConfig`].

use std::collections::BTreeMap;

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
    /// Registry dependencies named in `deps` (never fetched: resolved from include roots).
    pub deps: Vec<String>,
    /// The version of the config file the module's rules come from.
    pub version: ConfigVersion,
    pub lint: LintConfig,
    pub breaking: BreakingConfig,
}

/// The whole configuration of an input: its modules with their rules.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkspaceConfig {
    /// The config file this came from, relative to the input root (`None`: no config, buf's defaults).
    pub file: Option<String>,
    pub version: ConfigVersion,
    pub modules: Vec<ModuleSpec>,
}

mod bootstrap;
pub use bootstrap::load;
