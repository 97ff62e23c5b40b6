//! Rule metadata and rule selection, shared by lint and breaking.
//!
//! A rule is declared once with [`declare_rule!`](crate::declare_rule): its doc comment is its
//! documentation (printed by `protoforge explain`). Which categories a rule belongs to depends on the
//! config version, so each registry builds a [`RuleSet`] per version; [`RuleSet::select`] turns a
//! config's `use`/`except` into the set of rule ids to run.

use std::collections::BTreeSet;

use crate::{Error, Result};

/// What a rule is, independent of the config version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleMeta {
    /// buf's rule id, e.g. `FIELD_LOWER_SNAKE_CASE`.
    pub id: &'static str,
    /// One line, as `buf config ls-lint-rules` prints it.
    pub purpose: &'static str,
    /// The rule's doc comment: what it checks, why, bad and good examples, how to fix.
    pub doc: &'static str,
}

/// Declares a rule's metadata from its doc comment:
///
/// ```ignore
/// declare_rule! {
///     /// Checks that ...
///     pub FIELD_LOWER_SNAKE_CASE = "Checks that field names are lower_snake_case."
/// }
/// ```
#[macro_export]
macro_rules! declare_rule {
    ($(#[doc = $doc:literal])* $vis:vis $name:ident = $purpose:literal) => {
        $(#[doc = $doc])*
        $vis const $name: $crate::check::RuleMeta = $crate::check::RuleMeta {
            id: stringify!($name),
            purpose: $purpose,
            doc: concat!($($doc, "\n"),*),
        };
    };
}

/// A rule as a given config version sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleInfo {
    pub meta: RuleMeta,
    /// Categories in this version (e.g. `["MINIMAL", "BASIC", "STANDARD"]`).
    pub categories: Vec<&'static str>,
    /// Deprecated ids name the rules that replace them; selecting one selects those (with a warning).
    pub replaced_by: Vec<&'static str>,
}

impl RuleInfo {
    pub fn id(&self) -> &'static str {
        self.meta.id
    }

    pub fn is_deprecated(&self) -> bool {
        !self.replaced_by.is_empty()
    }
}

/// A category id with its one-line purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CategoryInfo {
    pub id: &'static str,
    pub purpose: &'static str,
    /// Deprecated category ids select these categories instead (e.g. v1 `DEFAULT` -> `STANDARD`).
    pub alias_of: Option<&'static str>,
}

/// All rules and categories of one config version.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    pub rules: Vec<RuleInfo>,
    pub categories: Vec<CategoryInfo>,
    /// What an empty `use` means.
    pub default_use: Vec<&'static str>,
}

/// The rules a config selects, and warnings about how it named them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    pub ids: BTreeSet<&'static str>,
    /// e.g. "FIELD_SAME_CTYPE is deprecated, use FIELD_SAME_CPP_STRING_TYPE instead".
    pub warnings: Vec<String>,
}

impl RuleSet {
    pub fn rule(&self, id: &str) -> Option<&RuleInfo> {
        self.rules.iter().find(|r| r.id() == id)
    }

    pub fn category(&self, id: &str) -> Option<&CategoryInfo> {
        self.categories.iter().find(|c| c.id == id)
    }

    /// The categories of a rule id in this set (empty for unknown ids).
    pub fn categories_of(&self, id: &str) -> &[&'static str] {
        self.rule(id)
            .map(|r| r.categories.as_slice())
            .unwrap_or(&[])
    }

    /// Expands one `use`/`except` entry (a rule id or a category id) into rule ids.
    fn expand(
        &self,
        item: &str,
        what: &str,
        out: &mut BTreeSet<&'static str>,
        warnings: &mut Vec<String>,
    ) -> Result<()> {
        if let Some(rule) = self.rule(item) {
            if rule.is_deprecated() {
                warnings.push(format!(
                    "{} is deprecated, use {} instead",
                    rule.id(),
                    rule.replaced_by.join(", ")
                ));
                out.extend(rule.replaced_by.iter().copied());
            } else {
                out.insert(rule.id());
            }
            return Ok(());
        }
        if let Some(category) = self.category(item) {
            let target = match category.alias_of {
                Some(alias) => {
                    warnings.push(format!(
                        "category {} is deprecated, use {alias} instead",
                        category.id
                    ));
                    alias
                }
                None => category.id,
            };
            out.extend(
                self.rules
                    .iter()
                    .filter(|r| !r.is_deprecated() && r.categories.contains(&target))
                    .map(|r| r.id()),
            );
            return Ok(());
        }
        Err(Error::new(format!("unknown rule or category {item:?} in {what}"))
            .with_help("list the known ids with `protoforge config ls-lint-rules` or `protoforge config ls-breaking-rules`"))
    }

    /// `use` minus `except`, with an empty `use` meaning [`RuleSet::default_use`].
    pub fn select(&self, use_: &[String], except: &[String]) -> Result<Selection> {
        let mut sel = Selection::default();
        let defaults: Vec<String>;
        let use_ = if use_.is_empty() {
            defaults = self.default_use.iter().map(|s| s.to_string()).collect();
            &defaults
        } else {
            use_
        };
        for item in use_ {
            self.expand(item, "use", &mut sel.ids, &mut sel.warnings)?;
        }
        let mut removed = BTreeSet::new();
        for item in except {
            self.expand(item, "except", &mut removed, &mut sel.warnings)?;
        }
        sel.ids.retain(|id| !removed.contains(id));
        Ok(sel)
    }
}

/// A user-written relative path in the form [`path_is_within`] compares: `./a/b/` -> `a/b`, empty -> `.`.
pub fn clean_path(path: &str) -> String {
    let p = path.trim_start_matches("./").trim_end_matches('/');
    if p.is_empty() {
        ".".to_string()
    } else {
        p.to_string()
    }
}

/// Whether `path` (root-relative, `/`-separated) is `ignore` itself or inside the directory `ignore`.
pub fn path_is_within(path: &str, ignore: &str) -> bool {
    let ignore = ignore.trim_end_matches('/');
    if ignore.is_empty() || ignore == "." {
        return true;
    }
    path == ignore || (path.starts_with(ignore) && path.as_bytes().get(ignore.len()) == Some(&b'/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::declare_rule! {
        /// Checks A.
        ///
        /// More.
        pub RULE_A = "Checks A."
    }
    crate::declare_rule! {
        /// Checks B.
        pub RULE_B = "Checks B."
    }
    crate::declare_rule! {
        /// Old B.
        pub RULE_OLD = "Old."
    }

    fn set() -> RuleSet {
        RuleSet {
            rules: vec![
                RuleInfo {
                    meta: RULE_A,
                    categories: vec!["MINIMAL", "STANDARD"],
                    replaced_by: vec![],
                },
                RuleInfo {
                    meta: RULE_B,
                    categories: vec!["STANDARD"],
                    replaced_by: vec![],
                },
                RuleInfo {
                    meta: RULE_OLD,
                    categories: vec!["STANDARD"],
                    replaced_by: vec!["RULE_B"],
                },
            ],
            categories: vec![
                CategoryInfo {
                    id: "MINIMAL",
                    purpose: "",
                    alias_of: None,
                },
                CategoryInfo {
                    id: "STANDARD",
                    purpose: "",
                    alias_of: None,
                },
                CategoryInfo {
                    id: "DEFAULT",
                    purpose: "",
                    alias_of: Some("STANDARD"),
                },
            ],
            default_use: vec!["STANDARD"],
        }
    }

    fn ids(sel: &Selection) -> Vec<&str> {
        sel.ids.iter().copied().collect()
    }

    #[test]
    fn doc_comment_becomes_doc() {
        assert_eq!(RULE_A.id, "RULE_A");
        assert_eq!(RULE_A.doc, " Checks A.\n\n More.\n");
    }

    #[test]
    fn empty_use_means_default_and_deprecated_rules_are_not_in_categories() {
        assert_eq!(ids(&set().select(&[], &[]).unwrap()), ["RULE_A", "RULE_B"]);
    }

    #[test]
    fn except_removes_and_deprecated_maps_with_warning() {
        let s = set();
        let sel = s
            .select(&["RULE_OLD".into(), "MINIMAL".into()], &["RULE_A".into()])
            .unwrap();
        assert_eq!(ids(&sel), ["RULE_B"]);
        assert_eq!(sel.warnings.len(), 1);
        let sel = s.select(&["DEFAULT".into()], &[]).unwrap();
        assert_eq!(ids(&sel), ["RULE_A", "RULE_B"]);
        assert!(sel.warnings[0].contains("DEFAULT"));
    }

    #[test]
    fn unknown_id_is_an_error() {
        let err = set().select(&["NOPE".into()], &[]).unwrap_err();
        assert!(err.message().contains("NOPE"));
    }

    #[test]
    fn path_within() {
        assert!(path_is_within("a/b/c.proto", "a/b"));
        assert!(path_is_within("a/b/c.proto", "a/b/c.proto"));
        assert!(!path_is_within("a/bc/c.proto", "a/b"));
        assert!(path_is_within("a/b.proto", "."));
    }
}
