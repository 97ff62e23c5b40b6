//! The plugin parameter (`--NAME_opt=...`), decoded as buf's plugins decode it: as JSON first, then
//! as YAML; unknown keys are errors either way.
//!
//! As JSON (Go's `encoding/json`): keys match case-insensitively, a repeated key keeps its last
//! value, `null` leaves a key at its default, strings and booleans must be JSON strings and
//! booleans, `timeout` is a whole number of nanoseconds, and `input_config` may be a string or a
//! config object. As YAML (buf's strict `yaml.v3`): keys match exactly, a repeated key is an error,
//! scalars decode into strings, `yes`/`no`/`on`/`off` into booleans, and `timeout` is a Go duration
//! (`10s`, `1m30s`). buf's YAML form cannot carry `input_config` at all; here it may be a string or
//! a mapping, as in JSON.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::Value as Json;

use super::Kind;
use crate::cli::ErrorFormat;
use crate::config::yaml::{Node, Source, Value as Yaml};
use crate::{Error, Result};

/// The decoded parameter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params {
    /// `input_config`: a `.yaml`/`.yml`/`.json` path, or the config itself; `""` for `./buf.yaml`
    /// (or buf's defaults when there is none).
    pub input_config: String,
    /// `module`: the module of a v2 config, by path or name (`""` is `.`).
    pub module: String,
    /// `error_format`, checked: buf's formats for plugins (text when empty).
    pub error_format: ErrorFormat,
    /// `timeout`: `None` when not given (buf's 10 s default is not enforced here).
    pub timeout: Option<Duration>,
    /// `plugin_overrides` (buf: paths of custom check plugins; protoforge runs no plugins).
    pub plugin_overrides: BTreeMap<String, String>,
    /// `against_input` (breaking): the input to compare with.
    pub against_input: String,
    /// `limit_to_input_files` (breaking): compare only the against files the request targets.
    pub limit_to_input_files: bool,
    /// `exclude_imports` (breaking): leave imported files out of the comparison.
    pub exclude_imports: bool,
}

impl Params {
    /// `module` as buf names it in messages (`.` when not given).
    pub fn module_or_dot(&self) -> &str {
        if self.module.is_empty() {
            "."
        } else {
            &self.module
        }
    }
}

/// The keys of each plugin, in buf's order.
const LINT_KEYS: &[&str] = &[
    "input_config",
    "module",
    "log_level",
    "log_format",
    "error_format",
    "timeout",
    "plugin_overrides",
];
const BREAKING_KEYS: &[&str] = &[
    "against_input",
    "against_input_config",
    "input_config",
    "module",
    "limit_to_input_files",
    "exclude_imports",
    "log_level",
    "log_format",
    "error_format",
    "timeout",
    "plugin_overrides",
];

const LOG_LEVELS: &[&str] = &["debug", "info", "warn", "error"];
const LOG_FORMATS: &[&str] = &["text", "color", "json"];

/// Where the parameter is shown in errors.
const SOURCE_NAME: &str = "plugin parameter";

/// Decodes the parameter of a request for `kind`.
pub fn decode(kind: Kind, text: &str) -> Result<Params> {
    if text.is_empty() {
        return Ok(Params::default());
    }
    let keys = match kind {
        Kind::Lint => LINT_KEYS,
        Kind::Breaking => BREAKING_KEYS,
    };
    let keys_help = || {
        format!(
            "write the parameter as JSON (`{{\"error_format\":\"json\"}}`) or YAML \
             (`error_format: json`); {} takes the keys: {}",
            kind.name(),
            keys.join(", ")
        )
    };
    // As buf: JSON first, then YAML. When both fail, the error of the form the text is written
    // in is the one worth showing.
    let raw = match from_json(text, keys) {
        Ok(raw) => raw,
        Err(json_error) => match from_yaml(text, keys) {
            Ok(raw) => raw,
            Err(_) if json_error.is_json => {
                return Err(Error::new(format!(
                    "invalid plugin parameter {text:?}: {}",
                    json_error.message
                ))
                .with_help(keys_help()))
            }
            Err(yaml_error) if yaml_error.help_text().is_some() => return Err(yaml_error),
            Err(yaml_error) => return Err(yaml_error.with_help(keys_help())),
        },
    };
    raw.check(kind)
}

/// The values as read, before the checks that do not depend on the encoding.
#[derive(Default)]
struct Raw {
    params: Params,
    error_format: String,
    log_level: String,
    log_format: String,
}

impl Raw {
    fn check(mut self, kind: Kind) -> Result<Params> {
        self.params.error_format = error_format(kind, &self.error_format)?;
        check_one_of("log_level", &self.log_level, LOG_LEVELS)?;
        check_one_of("log_format", &self.log_format, LOG_FORMATS)?;
        if kind == Kind::Breaking && self.params.against_input.is_empty() {
            return Err(Error::new("\"against_input\" is required").with_help(
                "name the image (or any input) to compare with: {\"against_input\":\"previous.binpb\"}",
            ));
        }
        Ok(self.params)
    }
}

/// buf's `error_format` values for plugins (case and surrounding space ignored; `gcc` is `text`).
fn error_format(kind: Kind, value: &str) -> Result<ErrorFormat> {
    let format = match value.trim().to_lowercase().as_str() {
        "" | "text" | "gcc" => ErrorFormat::Text,
        "json" => ErrorFormat::Json,
        "msvs" => ErrorFormat::Msvs,
        "junit" => ErrorFormat::Junit,
        "github-actions" => ErrorFormat::GithubActions,
        "gitlab-code-quality" => ErrorFormat::GitlabCodeQuality,
        "config-ignore-yaml" if kind == Kind::Lint => ErrorFormat::ConfigIgnoreYaml,
        _ => {
            let mut known = vec![
                "text",
                "json",
                "msvs",
                "junit",
                "github-actions",
                "gitlab-code-quality",
            ];
            if kind == Kind::Lint {
                known.push("config-ignore-yaml");
            }
            return Err(
                Error::new(format!("unknown error_format: {value:?}")).with_help(format!(
                    "{} writes findings as one of: {}",
                    kind.name(),
                    known.join(", ")
                )),
            );
        }
    };
    Ok(format)
}

fn check_one_of(key: &str, value: &str, allowed: &[&str]) -> Result<()> {
    if value.is_empty() || allowed.contains(&value.to_lowercase().as_str()) {
        return Ok(());
    }
    Err(Error::new(format!("unknown {key}: {value:?}"))
        .with_help(format!("{key} is one of: {}", allowed.join(", "))))
}

// ---- JSON ----

/// Why a parameter does not decode as JSON.
struct JsonError {
    /// The text is JSON (its values are wrong), not some other syntax.
    is_json: bool,
    message: String,
}

fn from_json(text: &str, keys: &[&'static str]) -> std::result::Result<Raw, JsonError> {
    let value: Json = serde_json::from_str(text).map_err(|e| JsonError {
        is_json: false,
        message: e.to_string(),
    })?;
    decode_json(value, keys).map_err(|message| JsonError {
        is_json: true,
        message,
    })
}

fn decode_json(value: Json, keys: &[&'static str]) -> std::result::Result<Raw, String> {
    let object = match value {
        Json::Null => return Ok(Raw::default()),
        Json::Object(object) => object,
        other => return Err(format!("expected an object, found {}", json_kind(&other))),
    };
    let mut raw = Raw::default();
    for (name, value) in object {
        // Go: an exact match first, else a case-insensitive one.
        let key = keys
            .iter()
            .find(|k| **k == name)
            .or_else(|| keys.iter().find(|k| k.eq_ignore_ascii_case(&name)))
            .ok_or_else(|| format!("unknown key \"{name}\""))?;
        if value.is_null() {
            continue;
        }
        let string = |value: &Json| match value {
            Json::String(s) => Ok(s.clone()),
            other => Err(format!(
                "\"{key}\" must be a string, found {}",
                json_kind(other)
            )),
        };
        let boolean = |value: &Json| {
            value.as_bool().ok_or_else(|| {
                format!(
                    "\"{key}\" must be true or false, found {}",
                    json_kind(value)
                )
            })
        };
        let p = &mut raw.params;
        match *key {
            "input_config" => p.input_config = json_string_or_text(&value),
            // Accepted and ignored, as in buf.
            "against_input_config" => {}
            "module" => p.module = string(&value)?,
            "error_format" => raw.error_format = string(&value)?,
            "log_level" => raw.log_level = string(&value)?,
            "log_format" => raw.log_format = string(&value)?,
            "against_input" => p.against_input = string(&value)?,
            "limit_to_input_files" => p.limit_to_input_files = boolean(&value)?,
            "exclude_imports" => p.exclude_imports = boolean(&value)?,
            "timeout" => {
                let nanos = value.as_i64().ok_or_else(|| {
                    format!(
                        "\"timeout\" must be a whole number of nanoseconds or a duration such as \
                         \"10s\", found {value}"
                    )
                })?;
                p.timeout = Some(Duration::from_nanos(nanos.max(0) as u64));
            }
            "plugin_overrides" => {
                let Json::Object(map) = &value else {
                    return Err(format!(
                        "\"plugin_overrides\" must be an object of strings, found {}",
                        json_kind(&value)
                    ));
                };
                for (name, path) in map {
                    let Json::String(path) = path else {
                        return Err(format!(
                            "\"plugin_overrides\".\"{name}\" must be a string, found {}",
                            json_kind(path)
                        ));
                    };
                    p.plugin_overrides.insert(name.clone(), path.clone());
                }
            }
            other => unreachable!("key {other} is listed but not decoded"),
        }
    }
    Ok(raw)
}

/// buf's reading of `input_config`: a JSON string is its value, anything else its JSON text.
fn json_string_or_text(value: &Json) -> String {
    match value {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn json_kind(value: &Json) -> &'static str {
    match value {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

// ---- YAML ----

fn from_yaml(text: &str, keys: &[&'static str]) -> Result<Raw> {
    let src = Source {
        file: SOURCE_NAME,
        text,
        json: false,
    };
    let Some(root) = src.parse()? else {
        return Err(src.error_at_offset(0, "the plugin parameter is blank"));
    };
    let mut raw = Raw::default();
    let fields = src.fields(&root, "the plugin parameter", keys, &|_| None)?;
    for key in keys {
        let Some(node) = fields.get(key) else {
            continue;
        };
        let p = &mut raw.params;
        match *key {
            "input_config" => p.input_config = yaml_config(&src, node)?,
            "against_input_config" => {}
            "module" => p.module = src.string(node, key)?,
            "error_format" => raw.error_format = src.string(node, key)?,
            "log_level" => raw.log_level = src.string(node, key)?,
            "log_format" => raw.log_format = src.string(node, key)?,
            "against_input" => p.against_input = src.string(node, key)?,
            "limit_to_input_files" => p.limit_to_input_files = src.bool(node, key)?,
            "exclude_imports" => p.exclude_imports = src.bool(node, key)?,
            "timeout" => {
                if matches!(node.value, Yaml::Null) {
                    continue;
                }
                let text = src.string(node, key)?;
                let duration = go_duration(&text).ok_or_else(|| {
                    src.error_at(node, format!("cannot read timeout `{text}` as a duration"))
                        .with_help("write a Go duration: `10s`, `1m30s`, `500ms`")
                })?;
                p.timeout = Some(duration);
            }
            "plugin_overrides" => {
                let entries = match &node.value {
                    Yaml::Null => continue,
                    Yaml::Map(entries) => entries,
                    _ => {
                        return Err(src.error_at(
                            node,
                            "plugin_overrides must be a mapping of plugin names to paths",
                        ))
                    }
                };
                for (name, path) in entries {
                    let name = src.string(name, "a plugin_overrides key")?;
                    let path = src.string(path, &format!("plugin_overrides.{name}"))?;
                    p.plugin_overrides.insert(name, path);
                }
            }
            other => unreachable!("key {other} is listed but not decoded"),
        }
    }
    Ok(raw)
}

/// `input_config` in YAML: a scalar is a path or the config itself; a mapping is the config,
/// passed on as JSON.
fn yaml_config(src: &Source, node: &Node) -> Result<String> {
    match &node.value {
        Yaml::Map(_) => Ok(node.to_json().to_string()),
        _ => src.string(node, "input_config"),
    }
}

/// Go's `time.ParseDuration`: a sign, then decimal numbers each with a unit (`ns`, `us`, `µs`,
/// `ms`, `s`, `m`, `h`), e.g. `1h30m`, `1.5s`; or `0`. Negative durations are zero here.
pub(crate) fn go_duration(text: &str) -> Option<Duration> {
    let (negative, mut rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if rest == "0" {
        return Some(Duration::ZERO);
    }
    if rest.is_empty() {
        return None;
    }
    let mut total = 0f64;
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number = &rest[..number_len];
        if number.is_empty() || number == "." {
            return None;
        }
        let value: f64 = number.parse().ok()?;
        rest = &rest[number_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let nanos_per_unit = match &rest[..unit_len] {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return None,
        };
        rest = &rest[unit_len..];
        total += value * nanos_per_unit;
    }
    Some(if negative {
        Duration::ZERO
    } else {
        Duration::from_nanos(total.round() as u64)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lint(text: &str) -> Result<Params> {
        decode(Kind::Lint, text)
    }

    fn breaking(text: &str) -> Result<Params> {
        decode(Kind::Breaking, text)
    }

    #[test]
    fn empty_and_null_are_the_defaults() {
        assert_eq!(lint("").unwrap(), Params::default());
        assert_eq!(lint("null").unwrap(), Params::default());
        assert_eq!(lint("{}").unwrap(), Params::default());
        assert_eq!(
            lint(r#"{"input_config":null,"error_format":null}"#).unwrap(),
            Params::default()
        );
        assert!(lint("  ").is_err());
    }

    #[test]
    fn every_lint_key_in_json_and_yaml() {
        let json = lint(
            r#"{"input_config":"buf.yaml","module":"proto","log_level":"debug","log_format":"json",
                "error_format":"json","timeout":2000000000,"plugin_overrides":{"p":"/bin/p"}}"#,
        )
        .unwrap();
        let yaml = lint(
            "input_config: buf.yaml\nmodule: proto\nlog_level: debug\nlog_format: json\n\
             error_format: json\ntimeout: 2s\nplugin_overrides:\n  p: /bin/p\n",
        )
        .unwrap();
        assert_eq!(json, yaml);
        assert_eq!(json.input_config, "buf.yaml");
        assert_eq!(json.module, "proto");
        assert_eq!(json.error_format, ErrorFormat::Json);
        assert_eq!(json.timeout, Some(Duration::from_secs(2)));
        assert_eq!(json.plugin_overrides["p"], "/bin/p");
    }

    #[test]
    fn every_breaking_key_in_json_and_yaml() {
        let json = breaking(
            r#"{"against_input":"prev.binpb","against_input_config":{"x":1},"limit_to_input_files":true,
                "exclude_imports":true,"input_config":{"version":"v2"},"error_format":"msvs"}"#,
        )
        .unwrap();
        let yaml = breaking(
            "against_input: prev.binpb\nagainst_input_config: whatever\nlimit_to_input_files: yes\n\
             exclude_imports: true\ninput_config:\n  version: v2\nerror_format: msvs\n",
        )
        .unwrap();
        assert_eq!(json, yaml);
        assert_eq!(json.against_input, "prev.binpb");
        assert!(json.limit_to_input_files && json.exclude_imports);
        assert_eq!(json.input_config, r#"{"version":"v2"}"#);
        assert_eq!(json.error_format, ErrorFormat::Msvs);
    }

    #[test]
    fn json_keys_fold_case_and_the_last_repeat_wins() {
        let p = lint(r#"{"Error_Format":"json","error_format":"msvs"}"#).unwrap();
        assert_eq!(p.error_format, ErrorFormat::Msvs);
        // YAML keys are exact, and a repeated key is an error.
        assert!(lint("Error_Format: json").is_err());
        let err = lint("error_format: json\nerror_format: text").unwrap_err();
        assert!(err.message().contains("already defined"), "{err}");
    }

    #[test]
    fn unknown_keys_are_errors_in_both_forms() {
        for text in [r#"{"foo":1}"#, "foo: 1", r#"{"against_input":"x"}"#] {
            let err = lint(text).unwrap_err();
            assert!(err.message().contains("unknown key"), "{text}: {err}");
            assert!(err.help_text().unwrap().contains("input_config"), "{err}");
        }
        assert!(breaking(r#"{"against_input":"x","limit_to_input_file":true}"#).is_err());
    }

    #[test]
    fn wrong_types_are_errors() {
        for text in [
            r#"{"module":[1]}"#,
            r#"{"timeout":1.5}"#,
            r#"{"timeout":"abc"}"#,
            "timeout: 1",
            r#"{"plugin_overrides":[1]}"#,
            "[1]",
        ] {
            assert!(lint(text).is_err(), "{text}");
        }
        assert!(breaking(r#"{"against_input":"x","exclude_imports":"maybe"}"#).is_err());
        // A JSON string for timeout is read by the YAML decoder, as in buf.
        assert_eq!(
            lint(r#"{"timeout":"1m30s"}"#).unwrap().timeout,
            Some(Duration::from_secs(90))
        );
    }

    #[test]
    fn formats_levels_and_required_keys_are_checked() {
        assert_eq!(
            lint(r#"{"error_format":" JUNIT "}"#).unwrap().error_format,
            ErrorFormat::Junit
        );
        assert_eq!(
            lint(r#"{"error_format":"gcc"}"#).unwrap().error_format,
            ErrorFormat::Text
        );
        assert_eq!(
            lint("error_format: config-ignore-yaml")
                .unwrap()
                .error_format,
            ErrorFormat::ConfigIgnoreYaml
        );
        for text in [
            r#"{"error_format":"sarif"}"#,
            r#"{"log_level":"bogus"}"#,
            r#"{"log_format":"x"}"#,
        ] {
            assert!(lint(text).is_err(), "{text}");
        }
        assert!(breaking(r#"{"against_input":"x","error_format":"config-ignore-yaml"}"#).is_err());
        let err = breaking("{}").unwrap_err();
        assert!(err.message().contains("against_input"), "{err}");
    }

    #[test]
    fn go_durations() {
        assert_eq!(go_duration("10s"), Some(Duration::from_secs(10)));
        assert_eq!(go_duration("1h2m3s"), Some(Duration::from_secs(3723)));
        assert_eq!(go_duration("1.5ms"), Some(Duration::from_micros(1500)));
        assert_eq!(go_duration("0"), Some(Duration::ZERO));
        assert_eq!(go_duration("-1s"), Some(Duration::ZERO));
        for bad in ["", "10", "s", "1x", "1.2.3s"] {
            assert_eq!(go_duration(bad), None, "{bad}");
        }
    }
}
