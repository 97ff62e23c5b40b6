//! Breaking change detection: compare a previous image with the current one, as `buf breaking` does.
//!
//! [`pairs`] matches the two sides once; every rule in [`rules`] is a small function over those
//! pairs that reports [`Hit`]s. Rules never look at configuration: [`check`] runs the rules the
//! current input's config selects, then applies `ignore`, `ignore_only` and
//! `ignore_unstable_packages`, and turns hits into [`Finding`]s placed in the current files.

mod categories;
mod features;
pub mod fix;
pub mod pairs;
pub mod rules;

use std::collections::BTreeSet;

use rayon::prelude::*;

use crate::check::PathFilter;
use crate::check::{sort_and_dedup, CategoryInfo, Finding, RuleInfo, RuleSet, Span};
use crate::config::{BreakingConfig, ConfigVersion};
use crate::image::{Image, ImageFile};
use crate::Result;

pub use pairs::Pairs;

/// One breaking change found by a rule, before filtering and placement.
#[derive(Debug, Clone)]
pub struct Hit<'a> {
    pub rule: &'static str,
    /// The current file the finding points into (`None`: the element or file no longer exists).
    pub file: Option<&'a ImageFile>,
    /// The `SourceCodeInfo` path in `file` (`None`: the whole file, line 1 column 1).
    pub path: Option<Vec<i32>>,
    /// The previous file the change concerns, for the ignore filters.
    pub against: Option<&'a ImageFile>,
    pub message: String,
    pub help: Option<String>,
    /// A span to use instead of the location of `path` (when the compiler's span differs from buf's).
    pub span: Option<Span>,
    /// `reserved` statements that make the deletion safe, for `--fix`.
    pub fix: Option<Fix>,
}

/// `reserved` statements to add to a message or enum of a current file (`breaking --fix`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// The file, relative to the input root.
    pub root_path: String,
    /// The file as shown to users.
    pub display_path: String,
    /// The `SourceCodeInfo` path of the message or enum.
    pub container: Vec<i32>,
    /// `message User` or `enum Status`.
    pub container_name: String,
    /// e.g. `reserved 3;`, `reserved "email";`.
    pub statements: Vec<String>,
}

impl Hit<'_> {
    /// Adds the fix to show in `pretty` and `sarif` output.
    pub fn help(&mut self, help: impl Into<String>) -> &mut Self {
        self.help = Some(help.into());
        self
    }
}

/// Collects the hits of one rule.
pub struct Report<'a> {
    rule: &'static str,
    hits: Vec<Hit<'a>>,
}

impl<'a> Report<'a> {
    pub fn new(rule: &'static str) -> Self {
        Report {
            rule,
            hits: Vec::new(),
        }
    }

    /// A hit at the element `path` of `file` (buf: an annotation at that location). When the file
    /// has no location for it (e.g. an option that was removed), the hit is on the file, line 1
    /// column 1, as buf reports it.
    pub fn at(
        &mut self,
        file: Option<&'a ImageFile>,
        path: &[i32],
        against: Option<&'a ImageFile>,
        message: impl Into<String>,
    ) -> &mut Hit<'a> {
        let resolved = file.and_then(|f| resolve_path(f, path));
        self.push(file, resolved, against, message)
    }

    /// A hit at the first of `paths` the file has a location for (buf's "backup locations").
    pub fn at_first(
        &mut self,
        file: Option<&'a ImageFile>,
        paths: &[&[i32]],
        against: Option<&'a ImageFile>,
        message: impl Into<String>,
    ) -> &mut Hit<'a> {
        let path = file.and_then(|f| paths.iter().find_map(|p| resolve_path(f, p)));
        self.push(file, path, against, message)
    }

    /// A hit on a whole current file (line 1, column 1).
    pub fn in_file(
        &mut self,
        file: &'a ImageFile,
        against: Option<&'a ImageFile>,
        message: impl Into<String>,
    ) -> &mut Hit<'a> {
        self.push(Some(file), None, against, message)
    }

    /// A hit with no current file (the file or package is gone).
    pub fn nowhere(
        &mut self,
        against: Option<&'a ImageFile>,
        message: impl Into<String>,
    ) -> &mut Hit<'a> {
        self.push(None, None, against, message)
    }

    fn push(
        &mut self,
        file: Option<&'a ImageFile>,
        path: Option<Vec<i32>>,
        against: Option<&'a ImageFile>,
        message: impl Into<String>,
    ) -> &mut Hit<'a> {
        self.hits.push(Hit {
            rule: self.rule,
            file,
            path,
            against,
            message: message.into(),
            help: None,
            span: None,
            fix: None,
        });
        let last = self.hits.len() - 1;
        &mut self.hits[last]
    }

    pub fn into_hits(self) -> Vec<Hit<'a>> {
        self.hits
    }
}

/// The path to report for `path`: itself when the file has a location for it; for an element of a
/// synthetic map entry message (which has no source of its own), the type of the map field that
/// declares the entry (`map<string, Foo>`), as buf places it, else that whole field.
fn resolve_path(file: &ImageFile, path: &[i32]) -> Option<Vec<i32>> {
    if file.locations().get(path).is_some() {
        return Some(path.to_vec());
    }
    let map_field = map_field_of_entry(file, path)?;
    let mut map_type = map_field.clone();
    map_type.push(crate::image::tag::field::TYPE_NAME);
    [map_type, map_field]
        .into_iter()
        .find(|p| file.locations().get(p).is_some())
}

/// For a path into a map entry message, the path of the map field whose type it is.
fn map_field_of_entry(file: &ImageFile, path: &[i32]) -> Option<Vec<i32>> {
    use crate::image::tag;
    let &[kind, index] = path.first_chunk::<2>()?;
    if kind != tag::file::MESSAGE_TYPE {
        return None;
    }
    let mut message = file
        .proto()
        .message_type
        .get(usize::try_from(index).ok()?)?;
    let mut depth = 2;
    while let [tag::message::NESTED_TYPE, nested, ..] = path[depth..] {
        let child = message.nested_type.get(usize::try_from(nested).ok()?)?;
        if child.options.as_ref().is_some_and(|o| o.map_entry()) {
            let field = message.field.iter().position(|f| {
                f.type_name()
                    .rsplit('.')
                    .next()
                    .is_some_and(|n| n == child.name())
            })?;
            let mut out = path[..depth].to_vec();
            out.extend([tag::message::FIELD, i32::try_from(field).ok()?]);
            return Some(out);
        }
        message = child;
        depth += 2;
    }
    None
}

/// Every breaking rule and category of a config version, for selection, `config ls-breaking-rules`
/// and `explain`.
pub fn rule_set(version: ConfigVersion) -> RuleSet {
    let mut rule_infos = Vec::new();
    for rule in rules::ALL {
        let Some(cats) = categories::categories(rule.meta.id, version) else {
            continue;
        };
        let replaced_by = categories::DEPRECATED
            .iter()
            .find(|(id, _)| *id == rule.meta.id)
            .map(|(_, r)| r.to_vec())
            .unwrap_or_default();
        rule_infos.push(RuleInfo {
            meta: rule.meta,
            categories: cats.to_vec(),
            replaced_by,
        });
    }
    let mut cats = vec![
        CategoryInfo {
            id: "FILE",
            purpose: "Generated code stays source-compatible per file: nothing moves between files.",
            alias_of: None,
        },
        CategoryInfo {
            id: "PACKAGE",
            purpose: "Generated code stays source-compatible per package: moves within a package are fine.",
            alias_of: None,
        },
        CategoryInfo {
            id: "WIRE_JSON",
            purpose: "The binary and the JSON encodings stay compatible.",
            alias_of: None,
        },
        CategoryInfo {
            id: "WIRE",
            purpose: "The binary encoding stays compatible.",
            alias_of: None,
        },
    ];
    if version == ConfigVersion::V2 {
        cats.insert(
            0,
            CategoryInfo {
                id: "CSR",
                purpose: "Changes that are safe for the Confluent Schema Registry.",
                alias_of: None,
            },
        );
    }
    RuleSet {
        rules: rule_infos,
        categories: cats,
        default_use: vec!["FILE"],
    }
}

/// The result of a breaking check: findings placed in the current files, and configuration warnings.
#[derive(Debug, Default)]
pub struct Outcome {
    pub findings: Vec<Finding>,
    pub warnings: Vec<String>,
    /// The `reserved` statements that would make the reported deletions safe, one per container.
    pub fixes: Vec<Fix>,
}

/// Which rules run and what they must not report on, for one module of the current input.
#[derive(Debug, Clone)]
pub struct Policy<'c> {
    pub version: ConfigVersion,
    pub config: &'c BreakingConfig,
    /// The config file the policy comes from (errors about its entries name it and their line).
    pub config_file: Option<&'c str>,
}

impl<'c> Policy<'c> {
    /// One policy per module of a workspace, in module order; buf's defaults (`default`) when there
    /// is no module config.
    pub fn for_modules(
        modules: &'c [crate::config::ModuleSpec],
        default: &'c BreakingConfig,
    ) -> Vec<Policy<'c>> {
        if modules.is_empty() {
            return vec![Policy {
                version: ConfigVersion::V2,
                config: default,
                config_file: None,
            }];
        }
        modules
            .iter()
            .map(|m| Policy {
                version: m.version,
                config: &m.breaking,
                config_file: m.config_file.as_deref(),
            })
            .collect()
    }
}

/// Runs the rules `policy` selects over `previous` -> `current`; `module_of` picks the policy of a
/// hit (by its current file, or its previous file when the current one is gone). `imports`: whether
/// findings on imported files are reported too, as buf does unless `--exclude-imports`.
pub fn check(
    previous: &Image,
    current: &Image,
    policies: &[Policy<'_>],
    module_of: &dyn Fn(Option<&ImageFile>, Option<&ImageFile>) -> usize,
    imports: bool,
) -> Result<Outcome> {
    let mut outcome = Outcome::default();
    let mut selections = Vec::new();
    let mut wanted: BTreeSet<&'static str> = BTreeSet::new();
    for policy in policies {
        let set = rule_set(policy.version);
        let sel = set
            .select(&policy.config.use_, &policy.config.except)
            .map_err(|e| {
                // Name the config file and the line of the unknown entry.
                let config = policy.config;
                match config
                    .use_
                    .iter()
                    .chain(&config.except)
                    .find(|i| e.message().contains(&format!("{i:?}")))
                {
                    Some(item) => crate::config::at_config_item(e, policy.config_file, item),
                    None => e,
                }
            })?;
        for w in &sel.warnings {
            if !outcome.warnings.contains(w) {
                outcome.warnings.push(w.clone());
            }
        }
        for id in &sel.ids {
            if categories::DEPRECATED
                .iter()
                .any(|(d, r)| d == id && r.is_empty())
            {
                let w = format!("{id} is deprecated and no longer checks anything");
                if !outcome.warnings.contains(&w) {
                    outcome.warnings.push(w);
                }
            }
        }
        wanted.extend(sel.ids.iter().copied());
        let filter = PathFilter::new(&policy.config.ignore, &policy.config.ignore_only, &set)?;
        selections.push((filter, sel.ids));
    }

    let pairing = crate::trace::phase("pairs");
    let pairs = Pairs::new(previous, current);
    drop(pairing);
    // Rules are independent: run them in parallel, keep their hits in rule order.
    let selected: Vec<_> = rules::ALL
        .iter()
        .filter(|rule| wanted.contains(rule.meta.id))
        .collect();
    let hits: Vec<Hit<'_>> = selected
        .par_iter()
        .flat_map_iter(|rule| {
            let mut report = Report::new(rule.meta.id);
            let _timing = crate::trace::phase(rule.meta.id);
            (rule.check)(&pairs, &mut report);
            report.into_hits()
        })
        .collect();
    let _placing = crate::trace::phase("filter and place");

    for hit in hits {
        // Every file is paired (a type may move into an import); with `--exclude-imports`, what
        // touches an import is not reported, as buf does.
        if !imports
            && [hit.file, hit.against]
                .iter()
                .flatten()
                .any(|f| f.is_import)
        {
            continue;
        }
        let module = module_of(hit.file, hit.against).min(policies.len().saturating_sub(1));
        let Some(policy) = policies.get(module) else {
            continue;
        };
        let (filter, ids) = &selections[module];
        // `disabled`: an `ignore` entry names the module directory (buf's way to turn checks off).
        if policy.config.disabled
            || !ids.contains(hit.rule)
            || is_ignored(&hit, policy.config, filter)
        {
            continue;
        }
        if let Some(fix) = &hit.fix {
            add_fix(&mut outcome.fixes, fix);
        }
        outcome.findings.push(to_finding(hit));
    }
    sort_and_dedup(&mut outcome.findings);
    outcome
        .fixes
        .sort_by(|a, b| (&a.root_path, &a.container).cmp(&(&b.root_path, &b.container)));
    Ok(outcome)
}

/// Merges a fix into the list: one entry per container, each statement once.
fn add_fix(fixes: &mut Vec<Fix>, fix: &Fix) {
    match fixes
        .iter_mut()
        .find(|f| f.root_path == fix.root_path && f.container == fix.container)
    {
        Some(existing) => {
            for s in &fix.statements {
                if !existing.statements.contains(s) {
                    existing.statements.push(s.clone());
                }
            }
        }
        None => fixes.push(fix.clone()),
    }
}

fn to_finding(hit: Hit<'_>) -> Finding {
    let (path, span) = match (hit.file, &hit.path) {
        (Some(file), Some(p)) => (
            Some(file.external_path.clone()),
            hit.span
                .or_else(|| file.locations().span(p))
                .or(Some(Span::file_start())),
        ),
        (Some(file), None) => (Some(file.external_path.clone()), Some(Span::file_start())),
        (None, _) => (None, Some(Span::file_start())),
    };
    let mut finding = Finding::new(hit.rule, path, span, hit.message);
    finding.help = hit.help;
    finding
}

/// `ignore`, `ignore_only` and `ignore_unstable_packages`, checked against the current file and the
/// previous file of the hit (either one matching is enough, as in buf).
fn is_ignored(hit: &Hit<'_>, config: &BreakingConfig, filter: &PathFilter) -> bool {
    let files = [hit.file, hit.against];
    files.iter().flatten().any(|f| {
        // v1beta1 ignore paths are relative to each root, i.e. import paths.
        filter.ignores(hit.rule, &f.root_path)
            || filter.ignores(hit.rule, f.name())
            || (config.ignore_unstable_packages && is_unstable_package(f.package()))
    })
}

/// buf's unstable packages: a version component with an `alpha`, `beta` or `test` suffix
/// (`foo.v1alpha1`, `foo.v1beta`, `foo.v2test`, `foo.v1p1beta1`).
pub fn is_unstable_package(package: &str) -> bool {
    package.split('.').any(|part| {
        let Some(rest) = part.strip_prefix('v') else {
            return false;
        };
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return false;
        }
        let mut suffix = &rest[digits..];
        if let Some(p) = suffix.strip_prefix('p') {
            let d = p.bytes().take_while(u8::is_ascii_digit).count();
            if d == 0 {
                return false;
            }
            suffix = &p[d..];
        }
        if let Some(s) = suffix.strip_prefix("test") {
            return s.bytes().all(|b| b.is_ascii_alphanumeric());
        }
        for tag in ["alpha", "beta"] {
            if let Some(s) = suffix.strip_prefix(tag) {
                return s.bytes().all(|b| b.is_ascii_digit());
            }
        }
        false
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unstable_packages() {
        for p in [
            "a.v1beta1",
            "a.v1alpha",
            "foo.v2test",
            "foo.v1p1beta1",
            "v1test1",
        ] {
            assert!(is_unstable_package(p), "{p}");
        }
        for p in ["a.v1", "a.b", "", "foo.v1p1", "a.beta1", "a.v1gamma"] {
            assert!(!is_unstable_package(p), "{p}");
        }
    }

    #[test]
    fn every_rule_is_documented_once() {
        let mut ids = std::collections::BTreeSet::new();
        for rule in rules::ALL {
            assert!(
                ids.insert(rule.meta.id),
                "{} registered twice",
                rule.meta.id
            );
            assert!(
                rule.meta.doc.trim().len() > 20,
                "{} has no doc",
                rule.meta.id
            );
            assert!(rule.meta.purpose.ends_with('.'), "{}", rule.meta.id);
            let known = [ConfigVersion::V1Beta1, ConfigVersion::V1, ConfigVersion::V2]
                .iter()
                .any(|v| categories::categories(rule.meta.id, *v).is_some());
            assert!(known, "{} is in no version", rule.meta.id);
        }
    }

    #[test]
    fn rule_counts_match_buf() {
        let count = |v| rule_set(v).rules.len();
        assert_eq!(count(ConfigVersion::V2), 65);
        assert_eq!(count(ConfigVersion::V1), 66);
        assert_eq!(count(ConfigVersion::V1Beta1), 64);
        let v2 = rule_set(ConfigVersion::V2);
        let default = v2.select(&[], &[]).unwrap();
        assert!(default.ids.contains("FIELD_NO_DELETE"));
        assert!(!default.ids.contains("FIELD_WIRE_COMPATIBLE_TYPE"));
    }
}
