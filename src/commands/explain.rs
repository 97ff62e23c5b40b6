//! `protoforge explain RULE_ID`: prints a rule's documentation (its doc comment).

use crate::check::RuleMeta;
use crate::cli::ExplainArgs;
use crate::commands::Outcome;
use crate::config::ConfigVersion;
use crate::{Error, Result};

/// Finds a lint or breaking rule by id (any config version).
pub fn find_rule(id: &str) -> Option<(&'static str, RuleMeta, Vec<String>)> {
    let versions = [ConfigVersion::V2, ConfigVersion::V1, ConfigVersion::V1Beta1];
    for (kind, sets) in [
        ("lint", versions.map(crate::lint::rule_set)),
        ("breaking", versions.map(crate::breaking::rule_set)),
    ] {
        let mut found: Option<RuleMeta> = None;
        let mut lines = Vec::new();
        for (version, set) in versions.iter().zip(sets.iter()) {
            if let Some(rule) = set.rule(id) {
                found = Some(rule.meta);
                let cats = if rule.categories.is_empty() {
                    "no category".to_string()
                } else {
                    rule.categories.join(", ")
                };
                lines.push(format!("{}: {cats}", version.as_str()));
            }
        }
        if let Some(meta) = found {
            return Some((kind, meta, lines));
        }
    }
    None
}

pub fn run(args: ExplainArgs) -> Result<Outcome> {
    let id = args.rule.trim().to_uppercase();
    let Some((kind, meta, versions)) = find_rule(&id) else {
        return Err(Error::new(format!("unknown rule {:?}", args.rule)).with_help(
            "list the rules with `protoforge config ls-lint-rules` or `protoforge config ls-breaking-rules`",
        ));
    };
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(out, "{} ({kind} rule)\n\n{}\n", meta.id, meta.purpose);
    for line in meta.doc.lines() {
        let _ = writeln!(out, "{}", line.strip_prefix(' ').unwrap_or(line));
    }
    out.push_str("Categories by config version:\n");
    for v in versions {
        let _ = writeln!(out, "  {v}");
    }
    crate::commands::out(&out);
    Ok(Outcome::Clean)
}
