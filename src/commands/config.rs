//! `protoforge config ls-lint-rules` / `ls-breaking-rules`: the rule tables, as buf prints them.

use crate::check::{RuleInfo, RuleSet};
use crate::cli::{ConfigCommand, LsRulesArgs};
use crate::commands::{current_dir, Outcome};
use crate::config::{ConfigVersion, ModuleSpec, WorkspaceConfig};
use crate::input::Loaded;
use crate::{Error, Result};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Lint,
    Breaking,
}

pub fn run(cmd: ConfigCommand) -> Result<Outcome> {
    match cmd {
        ConfigCommand::LsLintRules(args) => ls_rules(&args, Kind::Lint),
        ConfigCommand::LsBreakingRules(args) => ls_rules(&args, Kind::Breaking),
    }
}

fn rule_set(kind: Kind, version: ConfigVersion) -> RuleSet {
    match kind {
        Kind::Lint => crate::lint::rule_set(version),
        Kind::Breaking => crate::breaking::rule_set(version),
    }
}

fn parse_version(v: &str) -> Result<ConfigVersion> {
    match v {
        "v1beta1" => Ok(ConfigVersion::V1Beta1),
        "v1" => Ok(ConfigVersion::V1),
        "v2" => Ok(ConfigVersion::V2),
        other => Err(Error::new(format!("unknown config version {other:?}"))
            .with_help("--version must be one of v1beta1, v1, v2")),
    }
}

/// The configuration of the current directory (or `--config`), when there is one.
fn load_config(args: &LsRulesArgs) -> Result<Option<WorkspaceConfig>> {
    let cwd = current_dir()?;
    let has_file = ["buf.yaml", "buf.mod", "buf.work.yaml", "buf.work"]
        .iter()
        .any(|f| cwd.join(f).is_file());
    if args.config.is_none() && !has_file {
        return Ok(None);
    }
    match crate::input::load(".", &cwd)? {
        Loaded::Sources(snapshot) => Ok(Some(crate::config::load(
            &snapshot,
            args.config.as_deref(),
        )?)),
        Loaded::Image(_) => Ok(None),
    }
}

fn ls_rules(args: &LsRulesArgs, kind: Kind) -> Result<Outcome> {
    if args.configured_only && args.version.is_some() {
        return Err(
            Error::new("--version cannot be set together with --configured-only")
                .with_help("--configured-only lists the rules of the config's own version"),
        );
    }
    if args.format != "text" && args.format != "json" {
        return Err(Error::new(format!("unknown --format {:?}", args.format))
            .with_help("--format must be text or json"));
    }
    let config = if args.configured_only || args.version.is_none() {
        load_config(args)?
    } else {
        None
    };
    let version = match &args.version {
        Some(v) => parse_version(v)?,
        None => config
            .as_ref()
            .and_then(|c| c.modules.first().map(|m| m.version))
            .unwrap_or(ConfigVersion::V2),
    };
    let set = rule_set(kind, version);
    let defaults = set.select(&[], &[])?.ids;
    let mut rules: Vec<&RuleInfo> = set
        .rules
        .iter()
        .filter(|r| {
            !r.is_deprecated() && (kind == Kind::Breaking || crate::lint::is_listed(r.id()))
        })
        .collect();
    if args.configured_only {
        let module = match &config {
            Some(c) if c.modules.len() > 1 => {
                return Err(Error::new(
                    "the configuration has more than one module: --configured-only needs a single-module buf.yaml",
                )
                .with_help("run the command in the module's directory, or pass that module's buf.yaml with --config"));
            }
            Some(c) => c.modules.first().cloned().unwrap_or_default(),
            None => ModuleSpec::default(),
        };
        let (use_, except) = match kind {
            Kind::Lint => (&module.lint.use_, &module.lint.except),
            Kind::Breaking => (&module.breaking.use_, &module.breaking.except),
        };
        let selected = set.select(use_, except)?.ids;
        rules.retain(|r| selected.contains(r.id()));
    }
    let out = match args.format.as_str() {
        "json" => json(&rules, &defaults),
        _ => text(&rules, &defaults),
    };
    crate::commands::out(&out);
    Ok(Outcome::Clean)
}

fn json(rules: &[&RuleInfo], defaults: &std::collections::BTreeSet<&str>) -> String {
    let mut out = String::new();
    for r in rules {
        let mut obj = serde_json::Map::new();
        obj.insert("id".into(), r.id().into());
        obj.insert(
            "categories".into(),
            serde_json::Value::Array(r.categories.iter().map(|c| (*c).into()).collect()),
        );
        obj.insert("default".into(), defaults.contains(r.id()).into());
        obj.insert("purpose".into(), r.meta.purpose.into());
        obj.insert("plugin".into(), "".into());
        obj.insert("deprecated".into(), false.into());
        obj.insert("replacements".into(), serde_json::Value::Null);
        // Go's encoder escapes these three inside strings; match its output byte for byte.
        let line = serde_json::Value::Object(obj)
            .to_string()
            .replace('<', "\\u003c")
            .replace('>', "\\u003e")
            .replace('&', "\\u0026");
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// buf's table: columns padded to the widest cell plus two spaces, the last column unpadded.
fn text(rules: &[&RuleInfo], defaults: &std::collections::BTreeSet<&str>) -> String {
    let mut rows: Vec<[String; 4]> = vec![[
        "ID".into(),
        "CATEGORIES".into(),
        "DEFAULT".into(),
        "PURPOSE".into(),
    ]];
    for r in rules {
        rows.push([
            r.id().to_string(),
            r.categories.join(", "),
            if defaults.contains(r.id()) { "*" } else { "" }.to_string(),
            r.meta.purpose.to_string(),
        ]);
    }
    let width = |col: usize| {
        rows.iter()
            .map(|r| r[col].chars().count())
            .max()
            .unwrap_or(0)
            + 2
    };
    let widths = [width(0), width(1), width(2)];
    let mut out = String::new();
    for row in &rows {
        for (col, w) in widths.iter().enumerate() {
            out.push_str(&format!("{:<w$}", row[col], w = *w));
        }
        out.push_str(&row[3]);
        out.push('\n');
    }
    out
}
