//! The filters that run once, after all rules: `ignore` / `ignore_only` paths (shared by lint and
//! breaking) and comment ignores (`// buf:lint:ignore RULE_ID`, lint only).

use std::collections::{BTreeMap, BTreeSet};

use crate::check::{clean_path, path_is_within, RuleSet};
use crate::image::Locations;
use crate::{Error, Result};

/// `ignore` and `ignore_only` of a config, with `ignore_only` keys expanded to rule ids.
#[derive(Debug, Clone, Default)]
pub struct PathFilter {
    ignore: Vec<String>,
    ignore_only: BTreeMap<String, Vec<String>>,
}

impl PathFilter {
    /// `ignore_only` keys are rule ids or category ids of `set` (deprecated ids select their
    /// replacements); an unknown key is an error.
    pub fn new(
        ignore: &[String],
        ignore_only: &BTreeMap<String, Vec<String>>,
        set: &RuleSet,
    ) -> Result<PathFilter> {
        let mut by_rule: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (key, paths) in ignore_only {
            let ids = expand_key(set, key)?;
            for id in ids {
                by_rule
                    .entry(id.to_string())
                    .or_default()
                    .extend(paths.iter().map(|p| clean_path(p)));
            }
        }
        Ok(PathFilter {
            ignore: ignore.iter().map(|p| clean_path(p)).collect(),
            ignore_only: by_rule,
        })
    }

    /// Whether findings of `rule` on the file at `path` (relative to the input root) are dropped.
    pub fn ignores(&self, rule: &str, path: &str) -> bool {
        self.ignore.iter().any(|i| path_is_within(path, i))
            || self
                .ignore_only
                .get(rule)
                .is_some_and(|paths| paths.iter().any(|i| path_is_within(path, i)))
    }
}

fn expand_key<'a>(set: &'a RuleSet, key: &str) -> Result<BTreeSet<&'a str>> {
    let mut out = BTreeSet::new();
    if let Some(rule) = set.rule(key) {
        if rule.is_deprecated() {
            out.extend(rule.replaced_by.iter().copied());
        } else {
            out.insert(rule.id());
        }
        return Ok(out);
    }
    if let Some(category) = set.category(key) {
        let target = category.alias_of.unwrap_or(category.id);
        out.extend(
            set.rules
                .iter()
                .filter(|r| r.categories.contains(&target))
                .map(|r| r.id()),
        );
        return Ok(out);
    }
    Err(
        Error::new(format!("unknown rule or category {key:?} in ignore_only"))
            .with_help("ignore_only keys are rule ids or category ids; list them with `protoforge config ls-lint-rules`"),
    )
}

/// Comment ignores: a finding of `RULE_ID` is dropped when a leading comment of its element, or of
/// any declaration that encloses it, has a line starting with `<prefix> RULE_ID`.
#[derive(Debug, Clone)]
pub struct CommentIgnores {
    prefix: String,
}

impl CommentIgnores {
    pub fn new(prefix: &str) -> Self {
        CommentIgnores {
            prefix: prefix.to_string(),
        }
    }

    pub fn ignores(&self, locations: &Locations, path: &[i32], rule: &str) -> bool {
        self.ignores_with(&|p| locations.leading_comments(p), path, rule)
    }

    /// Like [`CommentIgnores::ignores`], reading leading comments through `leading_comments`.
    pub fn ignores_with<'a>(
        &self,
        leading_comments: &dyn Fn(&[i32]) -> Option<&'a str>,
        path: &[i32],
        rule: &str,
    ) -> bool {
        let wanted = format!("{} {rule}", self.prefix);
        associated_paths(path).iter().any(|p| {
            // A line that starts with `wanted` is in the comment: most comments have none.
            leading_comments(p).is_some_and(|c| {
                c.contains(wanted.as_str())
                    && c.lines()
                        .map(str::trim)
                        .filter(|l| !l.is_empty())
                        .any(|l| l.starts_with(&wanted))
            })
        })
    }
}

/// The declarations whose leading comments may hold a comment ignore for the element at `path`:
/// every enclosing declaration (message, enum, service, nested message, ...) and the element's own
/// declaration, as buf's `protosourcepath` computes them. An option path counts as its own declaration.
pub fn associated_paths(path: &[i32]) -> Vec<Vec<i32>> {
    #[derive(Clone, Copy)]
    enum State {
        File,
        Message,
        Enum,
        Service,
        Leaf,
    }
    let mut out = Vec::new();
    let mut state = State::File;
    let mut i = 0;
    while i < path.len() {
        let token = path[i];
        let has_index = i + 1 < path.len();
        match state {
            State::File => match token {
                2 | 12 | 14 => {
                    out.push(path[..=i].to_vec());
                    return out;
                }
                8 => {
                    out.push(path.to_vec());
                    return out;
                }
                3 | 10 | 11 if has_index => {
                    out.push(path[..=i + 1].to_vec());
                    return out;
                }
                4 if has_index => {
                    out.push(path[..=i + 1].to_vec());
                    state = State::Message;
                    i += 2;
                    continue;
                }
                5 if has_index => {
                    out.push(path[..=i + 1].to_vec());
                    state = State::Enum;
                    i += 2;
                    continue;
                }
                6 if has_index => {
                    out.push(path[..=i + 1].to_vec());
                    state = State::Service;
                    i += 2;
                    continue;
                }
                7 => {
                    out.push(path[..=i].to_vec());
                    if has_index {
                        out.push(path[..=i + 1].to_vec());
                        state = State::Leaf;
                        i += 2;
                        continue;
                    }
                    return out;
                }
                _ => return out,
            },
            State::Message => match token {
                7 => {
                    out.push(path.to_vec());
                    return out;
                }
                3 if has_index => {
                    out.push(path[..=i + 1].to_vec());
                    i += 2;
                    continue;
                }
                4 if has_index => {
                    out.push(path[..=i + 1].to_vec());
                    state = State::Enum;
                    i += 2;
                    continue;
                }
                2 | 6 | 8 | 5 | 9 | 10 if has_index => {
                    out.push(path[..=i + 1].to_vec());
                    state = State::Leaf;
                    i += 2;
                    continue;
                }
                _ => return out,
            },
            State::Enum => match token {
                3 => {
                    out.push(path.to_vec());
                    return out;
                }
                2 | 4 | 5 if has_index => {
                    out.push(path[..=i + 1].to_vec());
                    state = State::Leaf;
                    i += 2;
                    continue;
                }
                _ => return out,
            },
            State::Service => match token {
                3 => {
                    out.push(path.to_vec());
                    return out;
                }
                2 if has_index => {
                    out.push(path[..=i + 1].to_vec());
                    state = State::Leaf;
                    i += 2;
                    continue;
                }
                _ => return out,
            },
            State::Leaf => {
                // Options of a field, enum value, method, oneof, extension range: the full path.
                let is_options = matches!(token, 8 | 3 | 4 | 2)
                    && i + 1 < path.len()
                    && out.last().is_some_and(|p| p.len() == i);
                if is_options {
                    out.push(path.to_vec());
                }
                return out;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{CategoryInfo, RuleInfo, RuleMeta};

    const META: RuleMeta = RuleMeta {
        id: "ENUM_PASCAL_CASE",
        purpose: "",
        doc: "",
    };

    fn set() -> RuleSet {
        RuleSet {
            rules: vec![RuleInfo {
                meta: META,
                categories: vec!["BASIC"],
                replaced_by: vec![],
            }],
            categories: vec![CategoryInfo {
                id: "BASIC",
                purpose: "",
                alias_of: None,
            }],
            default_use: vec!["BASIC"],
        }
    }

    #[test]
    fn path_filter() {
        let mut only = BTreeMap::new();
        only.insert("BASIC".to_string(), vec!["a/b/".to_string()]);
        let f = PathFilter::new(&["./x".to_string()], &only, &set()).unwrap();
        assert!(f.ignores("ANY", "x/y.proto"));
        assert!(f.ignores("ENUM_PASCAL_CASE", "a/b/c.proto"));
        assert!(!f.ignores("OTHER", "a/b/c.proto"));
        assert!(!f.ignores("ENUM_PASCAL_CASE", "a/bc.proto"));
        only.insert("NOPE".to_string(), vec![]);
        assert!(PathFilter::new(&[], &only, &set()).is_err());
    }

    #[test]
    fn associated() {
        assert_eq!(
            associated_paths(&[4, 0, 2, 1, 1]),
            vec![vec![4, 0], vec![4, 0, 2, 1]]
        );
        assert_eq!(
            associated_paths(&[4, 0, 3, 1, 4, 0, 2, 2, 1]),
            vec![
                vec![4, 0],
                vec![4, 0, 3, 1],
                vec![4, 0, 3, 1, 4, 0],
                vec![4, 0, 3, 1, 4, 0, 2, 2]
            ]
        );
        assert_eq!(
            associated_paths(&[5, 0, 3, 2]),
            vec![vec![5, 0], vec![5, 0, 3, 2]]
        );
        assert_eq!(associated_paths(&[2]), vec![vec![2]]);
        assert_eq!(associated_paths(&[3, 1]), vec![vec![3, 1]]);
        assert_eq!(associated_paths(&[8, 11]), vec![vec![8, 11]]);
        assert_eq!(
            associated_paths(&[6, 0, 2, 1, 2]),
            vec![vec![6, 0], vec![6, 0, 2, 1]]
        );
    }
}
