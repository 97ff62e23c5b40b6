//! buf config files read as buf 1.75 reads them: every version and key, path normalisation,
//! workspace resolution, and the errors (file, line, column, help) for bad configs.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use protoforge::config::{
    load, parse_buf_work_yaml, parse_buf_yaml, BreakingConfig, ConfigSource, ConfigVersion,
    LintConfig, ModuleSpec, WorkspaceConfig,
};
use protoforge::input::Snapshot;
use protoforge::Error;

const PROTO: &str = "syntax = \"proto3\";\npackage a.v1;\nmessage M {}\n";

fn snapshot(files: &[(&str, &str)]) -> Snapshot {
    Snapshot {
        files: files
            .iter()
            .map(|(p, c)| (p.to_string(), Arc::from(c.as_bytes())))
            .collect(),
        ..Snapshot::default()
    }
}

fn load_files(files: &[(&str, &str)]) -> Result<WorkspaceConfig, Error> {
    load(&snapshot(files), None)
}

fn ok(files: &[(&str, &str)]) -> WorkspaceConfig {
    match load_files(files) {
        Ok(config) => config,
        Err(err) => panic!("expected the config to load, got: {err}"),
    }
}

fn err(files: &[(&str, &str)]) -> Error {
    match load_files(files) {
        Ok(config) => panic!("expected an error, got {config:#?}"),
        Err(err) => err,
    }
}

/// Asserts the error points at `file:line` and its message contains `needle`.
#[track_caller]
fn assert_at(err: &Error, file: &str, line: usize, needle: &str) {
    let (f, l, _) = err
        .position()
        .unwrap_or_else(|| panic!("error without a position: {err}"));
    assert_eq!((f.as_str(), l), (file, line), "wrong position for: {err}");
    assert!(
        err.message().contains(needle),
        "message {:?} does not contain {needle:?}",
        err.message()
    );
    assert!(
        err.to_string().starts_with(&format!("{file}:{line}:")),
        "display: {err}"
    );
}

fn module<'a>(config: &'a WorkspaceConfig, dir: &str) -> &'a ModuleSpec {
    config
        .modules
        .iter()
        .find(|m| m.dir == dir)
        .unwrap_or_else(|| panic!("no module {dir:?} in {config:#?}"))
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn render(err: &Error) -> String {
    let mut out = String::new();
    miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
        .with_width(100)
        .render_report(&mut out, err)
        .expect("renders");
    out
}

// ---------------------------------------------------------------------------------------------
// No config, defaults

#[test]
fn no_config_is_one_module_at_the_root_with_v2_defaults() {
    let config = ok(&[("a/a.proto", PROTO)]);
    assert_eq!(config.source, ConfigSource::Defaults);
    assert_eq!(config.file, None);
    assert_eq!(config.version, ConfigVersion::V2);
    assert_eq!(config.modules.len(), 1);
    let m = &config.modules[0];
    assert_eq!(m.dir, "");
    assert_eq!(m.version, ConfigVersion::V2);
    assert_eq!(m.lint, LintConfig::default());
    assert_eq!(m.breaking, BreakingConfig::default());
    assert!(m.contains("a/a.proto"));
    assert_eq!(m.import_path("a/a.proto"), "a/a.proto");
}

#[test]
fn an_input_without_proto_files_is_an_error() {
    let e = err(&[("README.md", "hi")]);
    assert_eq!(e.message(), "Module \"path: \".\"\" had no .proto files");
}

// ---------------------------------------------------------------------------------------------
// v1

#[test]
fn v1_every_key() {
    let yaml = "\
version: v1
name: buf.build/acme/weather
deps:
  - buf.build/googleapis/googleapis
  - buf.build/acme/units:v1.2.0
build:
  excludes: [vendor, ./third_party/]
lint:
  use: [STANDARD]
  except: [PACKAGE_VERSION_SUFFIX]
  ignore: [legacy, a/old.proto]
  ignore_only:
    ENUM_PASCAL_CASE: [a/b.proto, a/b.proto]
    FIELD_LOWER_SNAKE_CASE: []
  enum_zero_value_suffix: _NONE
  rpc_allow_same_request_response: true
  rpc_allow_google_protobuf_empty_requests: yes
  rpc_allow_google_protobuf_empty_responses: On
  service_suffix: API
  allow_comment_ignores: true
  disable_builtin: false
breaking:
  use: [WIRE_JSON]
  except: [FIELD_SAME_JSON_NAME]
  ignore: [legacy]
  ignore_only:
    FILE_NO_DELETE: [a]
  ignore_unstable_packages: true
  disable_builtin: true
";
    let config = ok(&[("buf.yaml", yaml), ("a/a.proto", PROTO)]);
    assert_eq!(config.source, ConfigSource::BufYaml("buf.yaml".into()));
    assert_eq!(config.version, ConfigVersion::V1);
    let m = module(&config, "");
    assert_eq!(m.version, ConfigVersion::V1);
    assert_eq!(m.name.as_deref(), Some("buf.build/acme/weather"));
    // deps are sorted by module name, kept as written.
    assert_eq!(
        m.deps,
        strings(&[
            "buf.build/acme/units:v1.2.0",
            "buf.build/googleapis/googleapis"
        ])
    );
    assert_eq!(config.deps, m.deps);
    assert_eq!(m.excludes, strings(&["third_party", "vendor"]));
    assert_eq!(m.config_file.as_deref(), Some("buf.yaml"));
    let expected_lint = LintConfig {
        use_: strings(&["STANDARD"]),
        except: strings(&["PACKAGE_VERSION_SUFFIX"]),
        ignore: strings(&["legacy", "a/old.proto"]),
        ignore_only: BTreeMap::from([(
            "ENUM_PASCAL_CASE".to_string(),
            strings(&["a/b.proto", "a/b.proto"]),
        )]),
        enum_zero_value_suffix: Some("_NONE".into()),
        rpc_allow_same_request_response: true,
        rpc_allow_google_protobuf_empty_requests: true,
        rpc_allow_google_protobuf_empty_responses: true,
        service_suffix: Some("API".into()),
        allow_comment_ignores: true,
        disable_builtin: false,
        disabled: false,
    };
    assert_eq!(m.lint, expected_lint);
    let expected_breaking = BreakingConfig {
        use_: strings(&["WIRE_JSON"]),
        except: strings(&["FIELD_SAME_JSON_NAME"]),
        ignore: strings(&["legacy"]),
        ignore_only: BTreeMap::from([("FILE_NO_DELETE".to_string(), strings(&["a"]))]),
        ignore_unstable_packages: true,
        disable_builtin: true,
        disabled: false,
    };
    assert_eq!(m.breaking, expected_breaking);
    assert!(
        !m.contains("vendor/x.proto") && m.contains("a/a.proto") && m.contains("vendorx/a.proto")
    );
}

#[test]
fn v1_comment_ignores_are_off_by_default() {
    let config = ok(&[("buf.yaml", "version: v1\n"), ("a.proto", PROTO)]);
    assert!(!config.modules[0].lint.allow_comment_ignores);
}

#[test]
fn v1_ignoring_the_module_root_disables_the_checks() {
    let yaml = "version: v1\nlint:\n  ignore: [a, ./]\nbreaking:\n  ignore: [\".\"]\n";
    let config = ok(&[("buf.yaml", yaml), ("a.proto", PROTO)]);
    let m = &config.modules[0];
    assert!(m.lint.disabled && m.lint.ignore.is_empty());
    assert!(m.breaking.disabled);
}

#[test]
fn v1_nulls_and_empty_sections_are_zero_values() {
    let yaml = "version: v1\nname:\ndeps: ~\nbuild: null\nlint:\nbreaking: {}\n";
    let config = ok(&[("buf.yaml", yaml), ("a.proto", PROTO)]);
    let m = &config.modules[0];
    assert_eq!(m.name, None);
    assert!(m.deps.is_empty() && m.excludes.is_empty());
    assert_eq!(m.lint, LintConfig::default());
}

#[test]
fn scalars_of_any_type_are_strings_as_in_go_yaml() {
    let yaml = "version: v1\nlint:\n  use: [1, true]\n  enum_zero_value_suffix: 12\n";
    let config = ok(&[("buf.yaml", yaml), ("a.proto", PROTO)]);
    assert_eq!(config.modules[0].lint.use_, strings(&["1", "true"]));
    assert_eq!(
        config.modules[0].lint.enum_zero_value_suffix.as_deref(),
        Some("12")
    );
}

#[test]
fn buf_mod_is_read_as_a_buf_yaml_but_not_v2() {
    let config = ok(&[
        ("buf.mod", "version: v1\nname: buf.build/a/b\n"),
        ("a.proto", PROTO),
    ]);
    assert_eq!(config.modules[0].name.as_deref(), Some("buf.build/a/b"));
    let e = err(&[("buf.mod", "version: v2\n"), ("a.proto", PROTO)]);
    assert_at(&e, "buf.mod", 1, "v2 is not supported for buf.mod files");
}

#[test]
fn buf_yml_is_not_a_config_file() {
    // buf reads buf.yaml and buf.mod only: a buf.yml is ignored, even when invalid.
    let config = ok(&[("buf.yml", "version: v1\nfoo: 1\n"), ("a.proto", PROTO)]);
    assert_eq!(config.source, ConfigSource::Defaults);
}

#[test]
fn json_config_text_is_yaml() {
    let json = r#"{"version": "v1", "lint": {"use": ["BASIC"]}, "build": {"excludes": ["x"]}}"#;
    let config = ok(&[("buf.yaml", json), ("a.proto", PROTO)]);
    assert_eq!(config.modules[0].lint.use_, strings(&["BASIC"]));
    assert_eq!(config.modules[0].excludes, strings(&["x"]));
}

#[test]
fn anchors_and_aliases_resolve_and_only_the_first_document_counts() {
    let yaml = "version: v1\nlint: &shared\n  use: [BASIC]\n---\nversion: v9\n";
    let config = ok(&[("buf.yaml", yaml), ("a.proto", PROTO)]);
    assert_eq!(config.modules[0].lint.use_, strings(&["BASIC"]));
}

// ---------------------------------------------------------------------------------------------
// v1beta1

#[test]
fn v1beta1_roots_become_modules_sharing_one_config() {
    let yaml = "\
version: v1beta1
name: buf.build/acme/old
build:
  roots: [proto, ./vendor/]
  excludes: [proto/internal, vendor/x/y]
lint:
  use: [DEFAULT]
  ignore: [foo]
  ignore_only:
    ENUM_PASCAL_CASE: [bar/b.proto]
  allow_comment_ignores: true
breaking:
  ignore: [foo]
";
    let config = ok(&[("buf.yaml", yaml), ("proto/a.proto", PROTO)]);
    assert_eq!(config.version, ConfigVersion::V1Beta1);
    assert_eq!(
        config
            .modules
            .iter()
            .map(|m| m.dir.as_str())
            .collect::<Vec<_>>(),
        ["proto", "vendor"]
    );
    let proto = module(&config, "proto");
    assert_eq!(proto.excludes, strings(&["proto/internal"]));
    // v1beta1 ignore paths are relative to each root.
    assert_eq!(proto.lint.ignore, strings(&["proto/foo"]));
    assert_eq!(
        proto.lint.ignore_only["ENUM_PASCAL_CASE"],
        strings(&["proto/bar/b.proto"])
    );
    assert!(proto.lint.allow_comment_ignores);
    assert_eq!(proto.import_path("proto/foo/a.proto"), "foo/a.proto");
    let vendor = module(&config, "vendor");
    assert_eq!(vendor.excludes, strings(&["vendor/x/y"]));
    assert_eq!(vendor.breaking.ignore, strings(&["vendor/foo"]));
    assert_eq!(vendor.name.as_deref(), Some("buf.build/acme/old"));
    assert_eq!(vendor.version, ConfigVersion::V1Beta1);
}

#[test]
fn v1beta1_without_roots_is_the_directory_itself() {
    let config = ok(&[
        ("buf.yaml", "version: v1beta1\nbuild:\n  excludes: [x]\n"),
        ("a.proto", PROTO),
    ]);
    assert_eq!(config.modules.len(), 1);
    assert_eq!(config.modules[0].dir, "");
    assert_eq!(config.modules[0].excludes, strings(&["x"]));
}

#[test]
fn v1beta1_a_root_without_files_is_fine_when_another_root_has_some() {
    ok(&[
        ("buf.yaml", "version: v1beta1\nbuild:\n  roots: [a, c]\n"),
        ("a/a.proto", PROTO),
    ]);
}

#[test]
fn v1beta1_root_errors() {
    let e = err(&[
        (
            "buf.yaml",
            "version: v1beta1\nbuild:\n  roots:\n    - a\n    - a/b\n",
        ),
        ("a/a.proto", PROTO),
    ]);
    assert_at(
        &e,
        "buf.yaml",
        5,
        "root \"a/b\" is within root \"a\" which is not allowed",
    );
    let e = err(&[
        ("buf.yaml", "version: v1beta1\nbuild:\n  roots: [a, ./a]\n"),
        ("a/a.proto", PROTO),
    ]);
    assert_at(&e, "buf.yaml", 3, "duplicate root \"a\"");
    let e = err(&[
        (
            "buf.yaml",
            "version: v1beta1\nbuild:\n  roots: [a]\n  excludes: [b]\n",
        ),
        ("a/a.proto", PROTO),
    ]);
    assert_at(
        &e,
        "buf.yaml",
        4,
        "exclude \"b\" is not contained in any root, which is not valid",
    );
    let e = err(&[
        (
            "buf.yaml",
            "version: v1beta1\nbuild:\n  roots: [a]\n  excludes: [a]\n",
        ),
        ("a/a.proto", PROTO),
    ]);
    assert_at(&e, "buf.yaml", 4, "\"a\" is both a root and exclude");
}

// ---------------------------------------------------------------------------------------------
// v1 excludes and ignore paths

#[test]
fn v1_exclude_errors() {
    let cases: &[(&str, usize, &str)] = &[
        (
            "version: v1\nbuild:\n  excludes: [a/a.proto]\n",
            3,
            "excludes can only be directories but file \"a/a.proto\" discovered",
        ),
        (
            "version: v1\nbuild:\n  excludes: [.]\n",
            3,
            "\".\" is both a root and exclude",
        ),
        (
            "version: v1\nbuild:\n  excludes: [a, a/]\n",
            3,
            "duplicate exclude \"a\"",
        ),
        (
            "version: v1\nbuild:\n  excludes:\n    - a\n    - a/b\n",
            5,
            "exclude \"a/b\" is within exclude \"a\" which is not allowed",
        ),
        (
            "version: v1\nbuild:\n  excludes: [../a]\n",
            3,
            "../a: is outside the context directory",
        ),
        (
            "version: v1\nbuild:\n  excludes: [/a]\n",
            3,
            "/a: expected to be relative",
        ),
        (
            "version: v1\nbuild:\n  roots: [a]\n",
            3,
            "build.roots cannot be set on version v1: [a]",
        ),
        (
            "version: v1\nlint:\n  ignore: [x, ../y]\n",
            3,
            "lint.ignore: invalid path: ../y: is outside the context directory",
        ),
        (
            "version: v1\nbreaking:\n  ignore_only:\n    FILE_NO_DELETE: [/y]\n",
            4,
            "breaking.ignore_only: invalid path: /y: expected to be relative",
        ),
    ];
    for (yaml, line, needle) in cases {
        let e = err(&[("buf.yaml", yaml), ("a/a.proto", PROTO)]);
        assert_at(&e, "buf.yaml", *line, needle);
    }
}

#[test]
fn empty_paths_and_root_paths_are_reported_as_buf_does() {
    let e = err(&[
        ("buf.yaml", "version: v1\nbuild:\n  excludes: [\"\"]\n"),
        ("a/a.proto", PROTO),
    ]);
    assert_at(&e, "buf.yaml", 3, "exclude contained an empty path");
    let e = err(&[
        (
            "buf.yaml",
            "version: v2\nmodules:\n  - path: a\n    includes: [\"\"]\n",
        ),
        ("a/a.proto", PROTO),
    ]);
    assert_at(&e, "buf.yaml", 4, "include contained an empty path");
    let e = err(&[
        (
            "buf.yaml",
            "version: v2\nmodules:\n  - path: a\n    excludes: [\"\"]\n",
        ),
        ("a/a.proto", PROTO),
    ]);
    assert_at(
        &e,
        "buf.yaml",
        4,
        "exclude path \".\" does not reside within module directory \"a\"",
    );
    let e = err(&[
        (
            "buf.yaml",
            "version: v2\nmodules:\n  - path: a\n    lint:\n      ignore: [.]\n",
        ),
        ("a/a.proto", PROTO),
    ]);
    assert_at(
        &e,
        "buf.yaml",
        5,
        "lint.ignore: path \".\" is not contained within module directory \"a\"",
    );
}

#[test]
fn only_yaml_1_1_directives_are_accepted() {
    let e = err(&[
        ("buf.yaml", "%YAML 1.2\n---\nversion: v1\n"),
        ("a.proto", PROTO),
    ]);
    assert!(
        e.message().contains("found incompatible YAML document"),
        "{e}"
    );
    ok(&[
        ("buf.yaml", "%YAML 1.1\n---\nversion: v1\n"),
        ("a.proto", PROTO),
    ]);
}

#[test]
fn v1beta1_module_without_files_is_described_by_its_directory() {
    let e = err(&[
        ("buf.yaml", "version: v1beta1\nbuild:\n  roots: [zz]\n"),
        ("a/a.proto", PROTO),
    ]);
    assert_eq!(e.message(), "Module \"path: \".\"\" had no .proto files");
}

#[test]
fn v1_paths_that_do_not_exist_are_accepted() {
    let yaml =
        "version: v1\nbuild:\n  excludes: [nothere]\nlint:\n  ignore: [nothere/either.proto]\n";
    ok(&[("buf.yaml", yaml), ("a.proto", PROTO)]);
}

// ---------------------------------------------------------------------------------------------
// v2

#[test]
fn v2_without_modules_is_one_module_at_the_root() {
    let yaml = "version: v2\nname: buf.build/acme/one\ndeps: [buf.build/googleapis/googleapis]\nlint:\n  use: [MINIMAL]\n";
    let config = ok(&[("buf.yaml", yaml), ("a.proto", PROTO)]);
    assert_eq!(config.modules.len(), 1);
    let m = &config.modules[0];
    assert_eq!(
        (m.dir.as_str(), m.name.as_deref()),
        ("", Some("buf.build/acme/one"))
    );
    assert_eq!(m.deps, strings(&["buf.build/googleapis/googleapis"]));
    assert_eq!(m.lint.use_, strings(&["MINIMAL"]));
    // v2: comment ignores are on unless disallowed.
    assert!(m.lint.allow_comment_ignores);
}

#[test]
fn v2_every_key() {
    let yaml = "\
version: v2
modules:
  - path: proto/foo
    name: buf.build/acme/foo
  - path: ./proto/bar/
    name: buf.build/acme/bar
    includes: [proto/bar/a, proto/bar/b]
    excludes: [proto/bar/a/internal]
    lint:
      use: [BASIC]
      ignore: [proto/bar/b/legacy]
      ignore_only:
        FIELD_LOWER_SNAKE_CASE: [proto/bar/a/x.proto]
      disallow_comment_ignores: true
      disable_builtin: true
    breaking:
      use: [WIRE]
      ignore_unstable_packages: true
deps:
  - buf.build/googleapis/googleapis
lint:
  use: [STANDARD]
  except: [IMPORT_USED]
  ignore: [proto/foo/gen, proto/bar/old, elsewhere]
  ignore_only:
    ENUM_PASCAL_CASE: [proto/foo/e.proto, proto/baz]
  enum_zero_value_suffix: _UNSPECIFIED
  rpc_allow_same_request_response: false
  rpc_allow_google_protobuf_empty_requests: true
  rpc_allow_google_protobuf_empty_responses: true
  service_suffix: Service
  disallow_comment_ignores: false
  disable_builtin: false
breaking:
  use: [FILE]
  except: [EXTENSION_NO_DELETE]
  ignore: [proto/foo/v1alpha]
  ignore_unstable_packages: false
plugins:
  - plugin: buf-plugin-suffix
    options:
      service_suffix: API
      level: 2
  - plugin: [./bin/check, --strict]
policies:
  - policy: buf.build/acme/policy
    ignore: [proto/foo]
    ignore_only:
      RULE: [proto/bar]
";
    let files = [
        ("buf.yaml", yaml),
        ("proto/foo/a.proto", PROTO),
        ("proto/bar/a/b.proto", PROTO),
    ];
    let config = ok(&files);
    assert_eq!(config.version, ConfigVersion::V2);
    assert_eq!(config.deps, strings(&["buf.build/googleapis/googleapis"]));
    // Sorted by directory.
    assert_eq!(
        config
            .modules
            .iter()
            .map(|m| m.dir.as_str())
            .collect::<Vec<_>>(),
        ["proto/bar", "proto/foo"]
    );

    let foo = module(&config, "proto/foo");
    assert_eq!(foo.name.as_deref(), Some("buf.build/acme/foo"));
    assert_eq!(foo.deps, config.deps);
    // The top-level lint applies, with only the paths inside the module kept.
    assert_eq!(foo.lint.use_, strings(&["STANDARD"]));
    assert_eq!(foo.lint.except, strings(&["IMPORT_USED"]));
    assert_eq!(foo.lint.ignore, strings(&["proto/foo/gen"]));
    assert_eq!(
        foo.lint.ignore_only["ENUM_PASCAL_CASE"],
        strings(&["proto/foo/e.proto"])
    );
    assert_eq!(
        foo.lint.enum_zero_value_suffix.as_deref(),
        Some("_UNSPECIFIED")
    );
    assert!(
        foo.lint.rpc_allow_google_protobuf_empty_requests
            && foo.lint.rpc_allow_google_protobuf_empty_responses
    );
    assert!(foo.lint.allow_comment_ignores);
    assert_eq!(foo.breaking.except, strings(&["EXTENSION_NO_DELETE"]));
    assert_eq!(foo.breaking.ignore, strings(&["proto/foo/v1alpha"]));
    assert_eq!(foo.import_path("proto/foo/a.proto"), "a.proto");

    let bar = module(&config, "proto/bar");
    assert_eq!(bar.includes, strings(&["proto/bar/a", "proto/bar/b"]));
    assert_eq!(bar.excludes, strings(&["proto/bar/a/internal"]));
    // The module's own block replaces the top-level one entirely.
    let expected = LintConfig {
        use_: strings(&["BASIC"]),
        ignore: strings(&["proto/bar/b/legacy"]),
        ignore_only: BTreeMap::from([(
            "FIELD_LOWER_SNAKE_CASE".into(),
            strings(&["proto/bar/a/x.proto"]),
        )]),
        allow_comment_ignores: false,
        disable_builtin: true,
        ..LintConfig::default()
    };
    assert_eq!(bar.lint, expected);
    assert_eq!(bar.breaking.use_, strings(&["WIRE"]));
    assert!(bar.breaking.ignore_unstable_packages);
    assert!(bar.breaking.ignore.is_empty());
    assert!(bar.contains("proto/bar/a/b.proto"));
    assert_eq!(
        config
            .module_for("proto/bar/a/b.proto")
            .map(|m| m.dir.as_str()),
        Some("proto/bar")
    );
    assert_eq!(
        config
            .module_for("proto/foo/a.proto")
            .map(|m| m.dir.as_str()),
        Some("proto/foo")
    );
    assert!(config.module_for("other/x.proto").is_none());
    assert!(!bar.contains("proto/bar/a/internal/x.proto"));
    assert!(!bar.contains("proto/bar/c/x.proto"));

    assert_eq!(config.plugins.len(), 2);
    assert_eq!(config.plugins[0].plugin, strings(&["buf-plugin-suffix"]));
    assert_eq!(
        config.plugins[0].options["service_suffix"],
        serde_json::json!("API")
    );
    assert_eq!(config.plugins[0].options["level"], serde_json::json!(2));
    assert_eq!(
        config.plugins[1].plugin,
        strings(&["./bin/check", "--strict"])
    );
    assert_eq!(config.policies.len(), 1);
    assert_eq!(config.policies[0].policy, "buf.build/acme/policy");
    assert_eq!(config.policies[0].ignore, strings(&["proto/foo"]));
    assert_eq!(
        config.policies[0].ignore_only["RULE"],
        strings(&["proto/bar"])
    );
}

#[test]
fn v2_top_level_ignore_naming_a_module_disables_it_there_only() {
    let yaml = "version: v2\nmodules:\n  - path: a\n  - path: b\nlint:\n  ignore: [a, b/x.proto]\n";
    let config = ok(&[
        ("buf.yaml", yaml),
        ("a/a.proto", PROTO),
        ("b/b.proto", PROTO),
    ]);
    assert!(module(&config, "a").lint.disabled);
    let b = module(&config, "b");
    assert!(!b.lint.disabled);
    assert_eq!(b.lint.ignore, strings(&["b/x.proto"]));
}

#[test]
fn v2_module_block_replaces_the_top_level_only_when_it_sets_something() {
    // Checked with buf 1.75 `lint`: `disable_builtin: false` or `disallow_comment_ignores: false`
    // alone leave the top-level block in force; `disable_builtin: true` or `except` alone replace it.
    let top = "lint:\n  use: [MESSAGE_PASCAL_CASE]\n";
    let with_module_lint = |block: &str| {
        let yaml = format!("version: v2\nmodules:\n  - path: a\n    lint:\n{block}{top}");
        ok(&[("buf.yaml", &yaml), ("a/a.proto", PROTO)]).modules[0]
            .lint
            .clone()
    };
    let inherited = strings(&["MESSAGE_PASCAL_CASE"]);
    assert_eq!(
        with_module_lint("      disable_builtin: false\n").use_,
        inherited
    );
    assert_eq!(
        with_module_lint("      disallow_comment_ignores: false\n").use_,
        inherited
    );
    let replaced = with_module_lint("      disable_builtin: true\n");
    assert!(replaced.use_.is_empty() && replaced.disable_builtin);
    let replaced = with_module_lint("      except: [PACKAGE_VERSION_SUFFIX]\n");
    assert!(replaced.use_.is_empty());
    assert_eq!(replaced.except, strings(&["PACKAGE_VERSION_SUFFIX"]));
}

#[test]
fn v2_module_path_defaults_to_the_root() {
    let yaml = "version: v2\nmodules:\n  - name: buf.build/a/b\n    includes: [y]\n  - path: \"\"\n    includes: [x]\n";
    let config = ok(&[
        ("buf.yaml", yaml),
        ("y/a.proto", PROTO),
        ("x/x.proto", PROTO),
    ]);
    assert_eq!(config.modules.len(), 2);
    assert!(config.modules.iter().all(|m| m.dir.is_empty()));
    // Two modules at the root: one takes everything, the other only x/ (x/x.proto is in both).
    let e = err(&[
        (
            "buf.yaml",
            "version: v2\nmodules:\n  - path: .\n  - path: .\n    includes: [x]\n",
        ),
        ("x/x.proto", PROTO),
    ]);
    assert!(
        e.message()
            .contains("x/x.proto is contained in multiple modules"),
        "{e}"
    );
}

#[test]
fn v2_modules_sharing_a_directory_with_disjoint_includes() {
    let yaml =
        "version: v2\nmodules:\n  - path: .\n    includes: [a]\n  - path: .\n    includes: [b]\n";
    let config = ok(&[
        ("buf.yaml", yaml),
        ("a/a.proto", PROTO),
        ("b/b.proto", PROTO),
    ]);
    assert_eq!(config.modules[0].includes, strings(&["a"]));
    assert_eq!(config.modules[1].includes, strings(&["b"]));
}

#[test]
fn v2_nested_module_directories_are_accepted_as_buf_does() {
    // buf accepts them; their files then end up in both modules (and usually fail to compile).
    let yaml = "version: v2\nmodules:\n  - path: a\n  - path: a/b\n";
    let config = ok(&[
        ("buf.yaml", yaml),
        ("a/a.proto", PROTO),
        ("a/b/b.proto", PROTO),
    ]);
    assert_eq!(config.modules.len(), 2);
}

#[test]
fn v2_duplicate_modules_are_an_error() {
    let yaml = "version: v2\nmodules:\n  - path: a\n  - path: ./a/\n";
    let e = err(&[("buf.yaml", yaml), ("a/a.proto", PROTO)]);
    assert_eq!(
        e.message(),
        "buf.yaml: multiple module configs found with the same description: path: \"a\""
    );
    let yaml =
        "version: v2\nmodules:\n  - path: .\n    excludes: [a]\n  - path: .\n    excludes: [b]\n";
    let e = err(&[
        ("buf.yaml", yaml),
        ("a/a.proto", PROTO),
        ("b/b.proto", PROTO),
        ("c/c.proto", PROTO),
    ]);
    assert_eq!(
        e.message(),
        "buf.yaml: c/c.proto is contained in multiple modules:\n  path: \".\", excludes: \"a\"\n  path: \".\", excludes: \"b\""
    );
}

#[test]
fn an_import_path_belongs_to_one_module() {
    // Two modules both providing `foo.proto`: buf rejects the workspace before compiling.
    let e = err(&[
        ("buf.work.yaml", "version: v1\ndirectories: [a, b]\n"),
        ("a/foo.proto", PROTO),
        ("b/foo.proto", PROTO),
    ]);
    assert_eq!(
        e.message(),
        "buf.work.yaml: foo.proto is contained in multiple modules:\n  path: \"a\"\n  path: \"b\""
    );
    let e = err(&[
        (
            "buf.yaml",
            "version: v2\nmodules:\n  - path: a\n  - path: b\n",
        ),
        ("a/foo.proto", PROTO),
        ("b/foo.proto", PROTO),
    ]);
    assert!(
        e.message()
            .contains("foo.proto is contained in multiple modules"),
        "{e}"
    );
    // Two roots of one v1beta1 module.
    let e = err(&[
        ("buf.yaml", "version: v1beta1\nbuild:\n  roots: [a, b]\n"),
        ("a/foo.proto", PROTO),
        ("b/foo.proto", PROTO),
    ]);
    assert_eq!(
        e.message(),
        "buf.yaml: foo.proto exists in multiple locations: a/foo.proto b/foo.proto"
    );
}

#[test]
fn v2_a_module_without_files_is_an_error() {
    let yaml = "version: v2\nmodules:\n  - path: a\n    excludes: [a/b]\n  - path: c\n";
    let e = err(&[
        ("buf.yaml", yaml),
        ("a/b/a.proto", PROTO),
        ("c/c.proto", PROTO),
    ]);
    assert_eq!(
        e.message(),
        "Module \"path: \"a\", excludes: \"a/b\"\" had no .proto files"
    );
}

#[test]
fn v2_path_errors() {
    let cases: &[(&str, usize, &str)] = &[
        ("version: v2\nmodules:\n  - path: /a\n", 3, "invalid module path: /a: expected to be relative"),
        ("version: v2\nmodules:\n  - path: ../a\n", 3, "invalid module path: ../a: is outside the context directory"),
        ("version: v2\nmodules:\n  - path: a\n    excludes: [b]\n", 4, "exclude path \"b\" does not reside within module directory \"a\""),
        ("version: v2\nmodules:\n  - path: a\n    excludes: [a]\n", 4, "exclude path \"a\" is equal to module directory \"a\""),
        ("version: v2\nmodules:\n  - path: a\n    excludes: [a/a.proto]\n", 4, "excludes can only be directories but file \"a.proto\" discovered"),
        ("version: v2\nmodules:\n  - path: a\n    includes: [a]\n", 4, "include path \"a\" is equal to module directory \"a\""),
        ("version: v2\nmodules:\n  - path: a\n    includes: [b]\n", 4, "include path \"b\" does not reside within module directory \"a\""),
        ("version: v2\nmodules:\n  - path: a\n    includes: [a/a.proto]\n", 4, "includes can only be directories but file \"a/a.proto\" discovered"),
        ("version: v2\nmodules:\n  - path: .\n    includes:\n      - a\n      - a/b\n", 6, "include \"a/b\" is within include \"a\" which is not allowed"),
        ("version: v2\nmodules:\n  - path: .\n    includes: [a, a]\n", 4, "duplicate include \"a\""),
        ("version: v2\nmodules:\n  - path: .\n    includes: [a/b]\n    excludes: [a]\n", 5, "\"a/b\" (an include path) is a subdirectory of \"a\" (an exclude path)"),
        ("version: v2\nmodules:\n  - path: .\n    includes: [a]\n    excludes: [a]\n", 5, "\"a\" is both an include path and an exclude path"),
        ("version: v2\nmodules:\n  - path: .\n    includes: [sub]\n    excludes: [ex]\n", 5, "include paths are specified but \"ex\" is not contained within any of them"),
        ("version: v2\nmodules:\n  - path: a\n    lint:\n      ignore: [b/x]\n", 5, "lint.ignore: path \"b/x\" is not contained within module directory \"a\""),
        ("version: v2\nmodules:\n  - path: a\n    breaking:\n      ignore_only:\n        X: [b]\n", 6, "breaking.ignore_only: path \"b\" is not contained within module directory \"a\""),
    ];
    for (yaml, line, needle) in cases {
        let e = err(&[("buf.yaml", yaml), ("a/a.proto", PROTO)]);
        assert_at(&e, "buf.yaml", *line, needle);
    }
}

#[test]
fn v2_top_level_paths_outside_every_module_are_dropped() {
    let yaml = "version: v2\nmodules:\n  - path: a\nlint:\n  ignore: [b/x]\n";
    let config = ok(&[("buf.yaml", yaml), ("a/a.proto", PROTO)]);
    assert!(config.modules[0].lint.ignore.is_empty());
}

#[test]
fn names_and_deps_are_validated() {
    let cases: &[(&str, usize, &str)] = &[
        ("version: v1\nname: foo\n", 2, "could not parse full name \"foo\": must be in the form registry/owner/name"),
        ("version: v2\nname: buf.build/a/b/c\n", 2, "could not parse full name \"buf.build/a/b/c\""),
        ("version: v2\ndeps: [foo]\n", 2, "invalid dep: could not parse reference \"foo\": must be in the form registry/owner/name[:ref]"),
        ("version: v2\ndeps:\n  - buf.build/a/b:v1\n  - buf.build/a/b\n", 4, "duplicate full names in input: \"buf.build/a/b\", \"buf.build/a/b\""),
        ("version: v2\nmodules:\n  - path: a\n    name: buf.build/a/b\n  - path: b\n    name: buf.build/a/b\n", 6, "duplicate full names in input"),
        ("version: v2\nname: buf.build/a/b\nmodules:\n  - path: a\n", 2, "top-level name key cannot be specified if modules are specified"),
    ];
    for (yaml, line, needle) in cases {
        let e = err(&[
            ("buf.yaml", yaml),
            ("a/a.proto", PROTO),
            ("b/b.proto", PROTO),
        ]);
        assert_at(&e, "buf.yaml", *line, needle);
    }
}

#[test]
fn plugin_and_policy_errors() {
    let cases: &[(&str, usize, &str)] = &[
        (
            "version: v2\nplugins:\n  - options: {a: b}\n",
            3,
            "must specify a path to the plugin",
        ),
        (
            "version: v2\nplugins:\n  - plugin: {a: 1}\n",
            3,
            "could not interpret a mapping as string or string slice",
        ),
        (
            "version: v2\nplugins:\n  - plugin: x\n    ref: y\n",
            4,
            "unknown key \"ref\" in plugins[0]",
        ),
        (
            "version: v2\npolicies:\n  - ignore: [a]\n",
            3,
            "must specify a name to the policy",
        ),
        (
            "version: v2\npolicies:\n  - policy: x\n    plugins: []\n",
            4,
            "unknown key \"plugins\" in policies[0]",
        ),
    ];
    for (yaml, line, needle) in cases {
        let e = err(&[("buf.yaml", yaml), ("a.proto", PROTO)]);
        assert_at(&e, "buf.yaml", *line, needle);
    }
}

// ---------------------------------------------------------------------------------------------
// buf.work.yaml

#[test]
fn work_yaml_directories_with_and_without_buf_yaml() {
    let files = [
        ("buf.work.yaml", "version: v1\ndirectories:\n  - proto\n  - ./vendor/\n"),
        (
            "proto/buf.yaml",
            "version: v1\nname: buf.build/acme/a\ndeps: [buf.build/x/y]\nbuild:\n  excludes: [internal]\nlint:\n  ignore: [old]\n  ignore_only:\n    R: [a.proto]\nbreaking:\n  ignore: [v1alpha]\n",
        ),
        ("proto/a.proto", PROTO),
        ("vendor/v.proto", PROTO),
    ];
    let config = ok(&files);
    assert_eq!(
        config.source,
        ConfigSource::BufWorkYaml("buf.work.yaml".into())
    );
    assert_eq!(config.version, ConfigVersion::V1);
    assert_eq!(config.deps, strings(&["buf.build/x/y"]));
    let proto = module(&config, "proto");
    assert_eq!(proto.version, ConfigVersion::V1);
    assert_eq!(proto.name.as_deref(), Some("buf.build/acme/a"));
    // v1 paths are relative to the module root; here they are relative to the input root.
    assert_eq!(proto.excludes, strings(&["proto/internal"]));
    assert_eq!(proto.lint.ignore, strings(&["proto/old"]));
    assert_eq!(proto.lint.ignore_only["R"], strings(&["proto/a.proto"]));
    assert_eq!(proto.breaking.ignore, strings(&["proto/v1alpha"]));
    assert_eq!(proto.config_file.as_deref(), Some("proto/buf.yaml"));
    assert_eq!(proto.import_path("proto/a.proto"), "a.proto");
    // No buf.yaml: v1 defaults.
    let vendor = module(&config, "vendor");
    assert_eq!(vendor.version, ConfigVersion::V1);
    assert_eq!(vendor.config_file, None);
    assert!(!vendor.lint.allow_comment_ignores);
}

#[test]
fn work_yaml_with_v1beta1_roots_in_a_directory() {
    let files = [
        ("buf.work.yaml", "version: v1\ndirectories: [mod]\n"),
        (
            "mod/buf.yaml",
            "version: v1beta1\nbuild:\n  roots: [r1, r2]\n  excludes: [r1/x]\n",
        ),
        ("mod/r1/a.proto", PROTO),
    ];
    let config = ok(&files);
    assert_eq!(
        config
            .modules
            .iter()
            .map(|m| m.dir.as_str())
            .collect::<Vec<_>>(),
        ["mod/r1", "mod/r2"]
    );
    assert_eq!(module(&config, "mod/r1").excludes, strings(&["mod/r1/x"]));
}

#[test]
fn work_yaml_deps_must_agree_on_refs() {
    let files = [
        ("buf.work.yaml", "version: v1\ndirectories: [a, b]\n"),
        ("a/buf.yaml", "version: v1\ndeps: [buf.build/x/y]\n"),
        ("b/buf.yaml", "version: v1\ndeps: [buf.build/x/y:v1]\n"),
        ("a/a.proto", PROTO),
        ("b/b.proto", PROTO),
    ];
    let e = err(&files);
    assert!(
        e.message()
            .starts_with("found different refs for the same module within buf.yaml deps"),
        "{e}"
    );
    let mut same = files;
    same[2] = (
        "b/buf.yaml",
        "version: v1\ndeps: [buf.build/x/y, buf.build/x/z]\n",
    );
    assert_eq!(ok(&same).deps, strings(&["buf.build/x/y", "buf.build/x/z"]));
}

#[test]
fn work_yaml_legacy_name() {
    let config = ok(&[
        ("buf.work", "version: v1\ndirectories: [a]\n"),
        ("a/a.proto", PROTO),
    ]);
    assert_eq!(config.source, ConfigSource::BufWorkYaml("buf.work".into()));
}

#[test]
fn work_yaml_errors() {
    let e = err(&[
        ("buf.work.yaml", "version: v1\ndirectories: [a, b]\n"),
        ("a/a.proto", PROTO),
    ]);
    assert_eq!(e.message(), "Module \"path: \"b\"\" had no .proto files");
    let e = err(&[
        (
            "buf.work.yaml",
            "version: v1\ndirectories:\n  - a\n  - a/b\n",
        ),
        ("a/a.proto", PROTO),
    ]);
    assert_at(
        &e,
        "buf.work.yaml",
        4,
        "directory \"a\" contains directory \"a/b\"",
    );
    let e = err(&[
        ("buf.work.yaml", "version: v1\ndirectories: [a, ./a]\n"),
        ("a/a.proto", PROTO),
    ]);
    assert_at(
        &e,
        "buf.work.yaml",
        2,
        "directory \"./a\" is listed more than once",
    );
    let e = err(&[
        ("buf.work.yaml", "version: v1\ndirectories: [.]\n"),
        ("a/a.proto", PROTO),
    ]);
    assert_at(&e, "buf.work.yaml", 2, "directory \".\" is listed");
    let e = err(&[("buf.work.yaml", "version: v1\n"), ("a/a.proto", PROTO)]);
    assert_at(&e, "buf.work.yaml", 1, "directories is empty");
    let e = err(&[
        ("buf.work.yaml", "version: v2\ndirectories: [a]\n"),
        ("a/a.proto", PROTO),
    ]);
    assert_at(
        &e,
        "buf.work.yaml",
        1,
        "v2 is not supported for buf.work.yaml files",
    );
    let e = err(&[
        ("buf.work.yaml", "version: v1\ndirectories: [a]\nfoo: 1\n"),
        ("a/a.proto", PROTO),
    ]);
    assert_at(
        &e,
        "buf.work.yaml",
        3,
        "unknown key \"foo\" in buf.work.yaml",
    );
    let e = err(&[
        ("buf.work.yaml", "version: v1\ndirectories: [../a]\n"),
        ("a/a.proto", PROTO),
    ]);
    assert_at(
        &e,
        "buf.work.yaml",
        2,
        "directory \"../a\" is invalid: ../a: is outside the context directory",
    );
    let e = err(&[
        ("buf.work.yaml", "version: v1\ndirectories: [a]\n"),
        ("a/buf.yaml", "version: v2\n"),
        ("a/a.proto", PROTO),
    ]);
    assert_eq!(
        e.message(),
        "buf.work.yaml pointed to directory \"a\" which has a v2 buf.yaml file"
    );
    let e = err(&[
        ("buf.work.yaml", "version: v1\ndirectories: [a]\n"),
        ("a/buf.yaml", "version: v1\nlint:\n  foo: 1\n"),
        ("a/a.proto", PROTO),
    ]);
    assert_at(&e, "a/buf.yaml", 3, "unknown key \"foo\" in lint");
    let e = err(&[
        ("buf.work.yaml", "version: v1\ndirectories: [a]\n"),
        ("buf.yaml", "version: v1\n"),
        ("a/a.proto", PROTO),
    ]);
    assert!(
        e.message()
            .starts_with("Both buf.work.yaml and buf.yaml found."),
        "{e}"
    );
}

#[test]
fn parse_buf_work_yaml_alone() {
    let work = parse_buf_work_yaml("x/buf.work.yaml", "version: v1\ndirectories: [b, a/]\n")
        .expect("parses");
    assert_eq!(work.directories, strings(&["a", "b"]));
    assert_eq!(work.file, "x/buf.work.yaml");
}

// ---------------------------------------------------------------------------------------------
// Strict decoding errors: file, line, column, help

#[test]
fn malformed_yaml() {
    let e = err(&[
        ("buf.yaml", "version: v1\n  bad: indent\n"),
        ("a.proto", PROTO),
    ]);
    assert_at(&e, "buf.yaml", 2, "invalid YAML");
    let e = err(&[
        ("buf.yaml", "version: v1\nlint:\n  use: [A\n"),
        ("a.proto", PROTO),
    ]);
    assert!(e.message().contains("invalid YAML"), "{e}");
    assert!(e.position().is_some_and(|(f, _, _)| f == "buf.yaml"));
    assert!(e.help_text().is_some());
}

#[test]
fn unknown_keys_at_every_level() {
    let cases: &[(&str, usize, usize, &str)] = &[
        (
            "version: v2\nfoo: 1\n",
            2,
            1,
            "unknown key \"foo\" in buf.yaml",
        ),
        (
            "version: v1\nlint:\n  use: [A]\n  foo: 1\n",
            4,
            3,
            "unknown key \"foo\" in lint",
        ),
        (
            "version: v1\nbreaking:\n  bar: 1\n",
            3,
            3,
            "unknown key \"bar\" in breaking",
        ),
        (
            "version: v1\nbuild:\n  includes: [a]\n",
            3,
            3,
            "unknown key \"includes\" in build",
        ),
        (
            "version: v2\nmodules:\n  - path: a\n    roots: [x]\n",
            4,
            5,
            "unknown key \"roots\" in modules[0]",
        ),
        (
            "version: v2\nmodules:\n  - path: a\n    lint:\n      foo: 1\n",
            5,
            7,
            "unknown key \"foo\" in lint",
        ),
        (
            "version: v2\nbuild:\n  excludes: [a]\n",
            2,
            1,
            "unknown key \"build\" in buf.yaml",
        ),
        (
            "version: v1\nplugins: []\n",
            2,
            1,
            "unknown key \"plugins\" in buf.yaml",
        ),
        (
            "version: v1\nlint:\n  disallow_comment_ignores: true\n",
            3,
            3,
            "unknown key \"disallow_comment_ignores\" in lint",
        ),
        (
            "version: v2\nlint:\n  allow_comment_ignores: true\n",
            3,
            3,
            "unknown key \"allow_comment_ignores\" in lint",
        ),
    ];
    for (yaml, line, column, needle) in cases {
        let e = err(&[("buf.yaml", yaml), ("a/a.proto", PROTO)]);
        assert_at(&e, "buf.yaml", *line, needle);
        assert_eq!(e.position().map(|p| p.2), Some(*column), "{e}");
        assert!(e.help_text().is_some(), "no help for {e}");
    }
}

#[test]
fn wrong_types() {
    let cases: &[(&str, usize, &str)] = &[
        (
            "version: v1\nlint: [a]\n",
            2,
            "cannot unmarshal !!seq into lint",
        ),
        (
            "version: v1\nlint:\n  use: STANDARD\n",
            3,
            "cannot unmarshal !!str `STANDARD` into lint.use",
        ),
        (
            "version: v1\nlint:\n  allow_comment_ignores: \"true\"\n",
            3,
            "cannot unmarshal !!str `true` into lint.allow_comment_ignores",
        ),
        (
            "version: v1\nlint:\n  allow_comment_ignores: 1\n",
            3,
            "cannot unmarshal !!int `1` into lint.allow_comment_ignores",
        ),
        (
            "version: v1\nlint:\n  use:\n    - {a: b}\n",
            4,
            "cannot unmarshal !!map into lint.use",
        ),
        (
            "version: v1\nname: [a]\n",
            2,
            "cannot unmarshal !!seq into name",
        ),
        (
            "version: v1\nlint:\n  ignore_only: [a]\n",
            3,
            "cannot unmarshal !!seq into lint.ignore_only",
        ),
        (
            "version: v1\nlint:\n  ignore_only:\n    A: b\n",
            4,
            "cannot unmarshal !!str `b` into lint.ignore_only.A",
        ),
        (
            "version: v2\nmodules: {path: a}\n",
            2,
            "cannot unmarshal !!map into modules",
        ),
        ("version: [v1]\n", 1, "cannot unmarshal !!seq into version"),
        ("[1, 2]\n", 1, "cannot unmarshal !!seq into a buf.yaml"),
        ("foo\n", 1, "cannot unmarshal !!str into a buf.yaml"),
    ];
    for (yaml, line, needle) in cases {
        let e = err(&[("buf.yaml", yaml), ("a.proto", PROTO)]);
        assert_at(&e, "buf.yaml", *line, needle);
    }
}

#[test]
fn yaml_1_1_booleans_are_accepted_like_buf() {
    for value in ["yes", "\"yes\"", "y", "On", "TRUE"] {
        let yaml = format!("version: v1\nlint:\n  allow_comment_ignores: {value}\n");
        let config = ok(&[("buf.yaml", &yaml), ("a.proto", PROTO)]);
        assert!(config.modules[0].lint.allow_comment_ignores, "{value}");
    }
    let config = ok(&[
        (
            "buf.yaml",
            "version: v1\nlint:\n  allow_comment_ignores: ~\n",
        ),
        ("a.proto", PROTO),
    ]);
    assert!(!config.modules[0].lint.allow_comment_ignores);
}

#[test]
fn duplicate_keys() {
    let e = err(&[
        (
            "buf.yaml",
            "version: v1\nlint:\n  use: [A]\nlint:\n  use: [B]\n",
        ),
        ("a.proto", PROTO),
    ]);
    assert_at(
        &e,
        "buf.yaml",
        4,
        "mapping key \"lint\" already defined at line 2",
    );
    let e = err(&[
        ("buf.yaml", "version: v1\nversion: v1\n"),
        ("a.proto", PROTO),
    ]);
    assert_at(
        &e,
        "buf.yaml",
        2,
        "mapping key \"version\" already defined at line 1",
    );
}

#[test]
fn versions() {
    let e = err(&[("buf.yaml", "version: v3\n"), ("a.proto", PROTO)]);
    assert_at(&e, "buf.yaml", 1, "unknown file version: \"v3\"");
    assert_eq!(e.position().map(|p| p.2), Some(10));
    assert!(e.help_text().is_some_and(|h| h.contains("v1beta1, v1, v2")));
    let e = err(&[("buf.yaml", "version: V1\n"), ("a.proto", PROTO)]);
    assert_at(&e, "buf.yaml", 1, "unknown file version: \"V1\"");
    let e = err(&[
        ("buf.yaml", "# header\nname: buf.build/a/b\n"),
        ("a.proto", PROTO),
    ]);
    assert_at(
        &e,
        "buf.yaml",
        2,
        "\"version\" is not set. Please add \"version: v2\"",
    );
    let e = err(&[("buf.yaml", "version: \"\"\n"), ("a.proto", PROTO)]);
    assert_at(&e, "buf.yaml", 1, "\"version\" is not set");
    let e = err(&[("buf.yaml", "version: ~\n"), ("a.proto", PROTO)]);
    assert_at(&e, "buf.yaml", 1, "\"version\" is not set");
    let e = err(&[("buf.yaml", ""), ("a.proto", PROTO)]);
    assert_at(&e, "buf.yaml", 1, "file is empty");
    let e = err(&[("buf.yaml", "# nothing\n"), ("a.proto", PROTO)]);
    assert_at(&e, "buf.yaml", 1, "file is empty");
    // `version: 1` is the string "1" for buf too.
    let e = err(&[("buf.yaml", "version: 1\n"), ("a.proto", PROTO)]);
    assert_at(&e, "buf.yaml", 1, "unknown file version: \"1\"");
}

#[test]
fn errors_name_the_file_as_the_user_sees_it() {
    let mut snap = snapshot(&[("buf.yaml", "version: v1\nfoo: 1\n"), ("a.proto", PROTO)]);
    snap.display_prefix = "proto/current".into();
    let e = load(&snap, None).expect_err("unknown key");
    assert_at(&e, "proto/current/buf.yaml", 2, "unknown key \"foo\"");
}

#[test]
fn not_utf8_is_an_error_naming_the_file() {
    let mut snap = snapshot(&[("a.proto", PROTO)]);
    snap.files
        .insert("buf.yaml".into(), Arc::from(&b"version: v1\n\xff\xfe"[..]));
    let e = load(&snap, None).expect_err("not utf-8");
    assert!(e.message().contains("buf.yaml"), "{e}");
}

#[test]
fn error_rendering() {
    let yaml = "version: v1\nlint:\n  use:\n    - STANDARD\n  allow_coment_ignores: true\n";
    let e = err(&[("buf.yaml", yaml), ("a.proto", PROTO)]);
    insta::assert_snapshot!("unknown_lint_key", render(&e));
    let yaml = "version: v2\nlint:\n  allow_comment_ignores: true\n";
    let e = err(&[("buf.yaml", yaml), ("a.proto", PROTO)]);
    insta::assert_snapshot!("v1_key_in_v2", render(&e));
    let yaml = "version: v2\nmodules:\n  - path: proto\n    excludes:\n      - vendor\n";
    let e = err(&[("buf.yaml", yaml), ("proto/a.proto", PROTO)]);
    insta::assert_snapshot!("exclude_outside_module", render(&e));
    let e = err(&[
        ("buf.yaml", "version: v1\nlint:\n  use: [A\n"),
        ("a.proto", PROTO),
    ]);
    insta::assert_snapshot!("malformed_yaml", render(&e));
}

// ---------------------------------------------------------------------------------------------
// --config

#[test]
fn config_override_inline_json_and_yaml_replace_every_config_file() {
    let files = [
        ("buf.work.yaml", "version: v1\ndirectories: [x]\n"),
        ("x/buf.yaml", "version: v1\nfoo: bad\n"),
        ("x/a.proto", PROTO),
    ];
    let json = r#"{"version":"v1","lint":{"use":["MESSAGE_PASCAL_CASE"]}}"#;
    let config = load(&snapshot(&files), Some(json)).expect("override");
    assert_eq!(config.source, ConfigSource::Override("--config".into()));
    assert_eq!(config.modules.len(), 1);
    assert_eq!(config.modules[0].dir, "");
    assert_eq!(
        config.modules[0].lint.use_,
        strings(&["MESSAGE_PASCAL_CASE"])
    );

    let yaml = "version: v2\nmodules:\n  - path: x\n";
    let config = load(&snapshot(&files), Some(yaml)).expect("override");
    assert_eq!(config.modules[0].dir, "x");

    // buf decodes --config data as JSON first: a repeated key is allowed there (the last wins)...
    let json = r#"{"version":"v1","lint":{"use":["A"]},"lint":{"use":["B"]}}"#;
    let config = load(&snapshot(&files), Some(json)).expect("JSON allows repeated keys");
    assert_eq!(config.modules[0].lint.use_, strings(&["B"]));
    // ...but not in YAML.
    let e = load(&snapshot(&files), Some("version: v1\nlint: {}\nlint: {}\n"))
        .expect_err("repeated key");
    assert_at(
        &e,
        "--config",
        3,
        "mapping key \"lint\" already defined at line 2",
    );
    let e =
        load(&snapshot(&files), Some("version: v2\nlint:\n  foo: 1\n")).expect_err("bad override");
    assert_at(&e, "--config", 3, "unknown key \"foo\" in lint");
    // A value that is not a file name is data, as for buf.
    let e = load(&snapshot(&files), Some("cfg/my")).expect_err("data");
    assert_at(&e, "--config", 1, "cannot unmarshal !!str into a buf.yaml");
}

#[test]
fn config_override_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("my.yaml");
    std::fs::write(&path, "version: v1\nbuild:\n  excludes: [gen]\n").expect("write");
    let path = path.to_string_lossy().to_string();
    let config = load(&snapshot(&[("a.proto", PROTO)]), Some(&path)).expect("override file");
    assert_eq!(config.source, ConfigSource::Override(path.clone()));
    assert_eq!(config.modules[0].excludes, strings(&["gen"]));

    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"version\": \"v1\", \"lint\": {\"nope\": 1}}").expect("write");
    let bad = bad.to_string_lossy().to_string();
    let e = load(&snapshot(&[("a.proto", PROTO)]), Some(&bad)).expect_err("bad file");
    assert_at(&e, &bad, 1, "unknown key \"nope\" in lint");

    let missing = dir.path().join("missing.yml").to_string_lossy().to_string();
    let e = load(&snapshot(&[("a.proto", PROTO)]), Some(&missing)).expect_err("missing");
    assert!(
        e.message().contains("could not read --config file") && e.message().contains("missing.yml"),
        "{e}"
    );
}

#[test]
fn parse_buf_yaml_alone_keeps_paths_relative_to_the_file() {
    let file = parse_buf_yaml(
        "x/buf.yaml",
        "version: v1\nbuild:\n  excludes: [a]\nlint:\n  ignore: [b]\n",
    )
    .expect("parses");
    assert_eq!(file.version, ConfigVersion::V1);
    assert_eq!(file.modules[0].excludes, strings(&["a"]));
    assert_eq!(file.modules[0].lint.ignore, strings(&["b"]));
    let e = parse_buf_yaml("x/buf.yaml", "version: v2\nfoo: 1\n").expect_err("unknown key");
    assert_at(&e, "x/buf.yaml", 2, "unknown key");
}

// ---------------------------------------------------------------------------------------------
// Real configs

fn snapshot_of_dir(root: &Path) -> Snapshot {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Arc<[u8]>>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                if path.file_name().is_some_and(|n| n == ".git") {
                    continue;
                }
                walk(root, &path, out);
            } else {
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_default();
                if name.ends_with(".proto") || name.starts_with("buf.") {
                    let rel = path
                        .strip_prefix(root)
                        .expect("under root")
                        .to_string_lossy()
                        .replace('\\', "/");
                    if let Ok(bytes) = std::fs::read(&path) {
                        out.insert(rel, Arc::from(bytes));
                    }
                }
            }
        }
    }
    let mut files = BTreeMap::new();
    walk(root, root, &mut files);
    Snapshot {
        files,
        ..Snapshot::default()
    }
}

/// Every buf.yaml of the conformance suite (lint and breaking cases) loads.
#[test]
fn conformance_configs_load() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance/buf");
    if !root.exists() {
        eprintln!(
            "SKIPPED conformance_configs_load: {} does not exist (no conformance suite here)",
            root.display()
        );
        return;
    }
    let mut case_dirs = Vec::new();
    for area in ["lint", "breaking"] {
        let Ok(entries) = std::fs::read_dir(root.join(area)) else {
            continue;
        };
        for entry in entries.flatten() {
            let dir = entry.path();
            if dir.join("buf.yaml").exists() {
                case_dirs.push(dir.clone());
            }
            for side in ["previous", "current"] {
                if dir.join(side).join("buf.yaml").exists() {
                    case_dirs.push(dir.join(side));
                }
            }
        }
    }
    assert!(
        case_dirs.len() >= 100,
        "expected the ~110 buf.yaml files of the suite, found {}",
        case_dirs.len()
    );
    let mut failures = Vec::new();
    for dir in &case_dirs {
        let snap = snapshot_of_dir(dir);
        if let Err(e) = load(&snap, None) {
            failures.push(format!("{}: {e}", dir.display()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} failed:\n{}",
        failures.len(),
        case_dirs.len(),
        failures.join("\n")
    );
}

/// googleapis' committed buf.yaml (v2, one module at `.` excluding `preview`).
#[test]
fn googleapis_config_parses() {
    let path = Path::new("/work/gapis/buf.yaml");
    let Ok(text) = std::fs::read_to_string(path) else {
        eprintln!(
            "SKIPPED googleapis_config_parses: {} not found",
            path.display()
        );
        return;
    };
    let file = parse_buf_yaml("buf.yaml", &text).expect("googleapis buf.yaml parses");
    assert_eq!(file.version, ConfigVersion::V2);
    assert_eq!(file.modules.len(), 1);
    assert_eq!(file.modules[0].dir, "");
    assert_eq!(file.modules[0].excludes, strings(&["preview"]));
}
