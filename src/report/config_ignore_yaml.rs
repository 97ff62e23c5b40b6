//! `config-ignore-yaml`: an `ignore_only` baseline to paste into the config in use, so that the current
//! findings stop failing while new ones still do.
//!
//! buf 1.75 (lint only) always prints `version: v1`, then `lint:`, `ignore_only:`, each rule id (sorted)
//! with its module-relative paths (sorted, unique), two-space indentation:
//! ```yaml
//! version: v1
//! lint:
//!   ignore_only:
//!     FIELD_LOWER_SNAKE_CASE:
//!       - foo/a.proto
//! ```
//! Pasted into a v2 buf.yaml those paths are wrong (v2 paths are relative to the buf.yaml directory and
//! include the module path), and in a v2 workspace with several modules buf merges `c.proto` of
//! module `other` and `foo/a.proto` of module `proto` into one list. We write the version in use:
//! - v2: one document, paths relative to the buf.yaml directory (`proto/foo/a.proto`);
//! - v1 / v1beta1: module-relative paths; with one module this is byte for byte buf's output; with
//!   several (buf.work.yaml) one YAML document per module, each headed `# <module dir>/buf.yaml`.
//!
//! A `breaking` run writes a `breaking:` block instead of `lint:`. Findings without a file cannot be
//! ignored by path and are listed as comments. As buf, when the findings are compile errors (type
//! `COMPILE`: the rules never ran) the output is the `text` format.

use std::collections::{BTreeMap, BTreeSet};

use super::{text, Baseline, ModulePath};
use crate::check::Finding;
use crate::config::ConfigVersion;

pub(super) fn render(findings: &[&Finding], baseline: &Baseline, command: &str) -> String {
    if findings.iter().any(|f| f.rule == "COMPILE") {
        return text::render(findings);
    }
    let section = if command == "breaking" {
        "breaking"
    } else {
        "lint"
    };
    let per_module = matches!(baseline.version, ConfigVersion::V1 | ConfigVersion::V1Beta1);

    // module dir -> rule -> paths
    let mut modules: BTreeMap<String, BTreeMap<&str, BTreeSet<String>>> = BTreeMap::new();
    let mut unplaced: Vec<&Finding> = Vec::new();
    for f in findings {
        let Some(path) = f.path.as_deref() else {
            unplaced.push(f);
            continue;
        };
        let located = (baseline.locate)(path).unwrap_or_else(|| ModulePath {
            module_dir: String::new(),
            path: path.to_string(),
        });
        let (module, config_path) = if per_module {
            (located.module_dir, located.path)
        } else {
            (String::new(), join(&located.module_dir, &located.path))
        };
        modules
            .entry(module)
            .or_default()
            .entry(f.rule.as_str())
            .or_default()
            .insert(config_path);
    }

    let mut out = String::new();
    let several = modules.len() > 1;
    for (i, (module, rules)) in modules.iter().enumerate() {
        if i > 0 {
            out.push_str("---\n");
        }
        if several {
            out.push_str(&format!("# {}\n", join(module, "buf.yaml")));
        }
        out.push_str(&format!(
            "version: {}\n{section}:\n  ignore_only:\n",
            baseline.version.as_str()
        ));
        for (rule, paths) in rules {
            out.push_str(&format!("    {}:\n", scalar(rule)));
            for path in paths {
                out.push_str(&format!("      - {}\n", scalar(path)));
            }
        }
    }
    if !unplaced.is_empty() {
        out.push_str("# Not listed: findings without a file cannot be ignored by path:\n");
        for f in unplaced {
            out.push_str(&format!(
                "#   {}: {}\n",
                f.rule,
                f.message.replace('\n', " ")
            ));
        }
    }
    out
}

fn join(dir: &str, path: &str) -> String {
    let dir = dir.trim_end_matches('/');
    if dir.is_empty() || dir == "." {
        path.to_string()
    } else {
        format!("{dir}/{path}")
    }
}

/// A YAML scalar: plain when that reads back as the same string, quoted otherwise.
fn scalar(s: &str) -> String {
    match serde_yaml_ng::to_string(s) {
        Ok(yaml) => yaml.trim_end_matches('\n').to_string(),
        Err(_) => format!("{s:?}"),
    }
}
