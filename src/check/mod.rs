//! What lint and breaking share: the [`Finding`] they produce, rule metadata ([`declare_rule!`](crate::declare_rule)),
//! rule selection (use/except with categories and deprecated ids) and path helpers for the ignore filters,
//! which run once after all rules ran (rules never look at selection or ignores).

mod finding;
mod rule;

pub use finding::{sort_and_dedup, Finding, Span};
pub use rule::{clean_path, path_is_within, CategoryInfo, RuleInfo, RuleMeta, RuleSet, Selection};

mod ignore;
pub use ignore::{associated_paths, CommentIgnores, PathFilter};
