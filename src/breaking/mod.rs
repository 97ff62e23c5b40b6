//! See the crate docs; filled in by the breaking work.

/// The breaking rules and categories of a config version. Placeholder until the breaking work
/// lands: no rules yet (the breaking branch replaces this function).
pub fn rule_set(_version: crate::config::ConfigVersion) -> crate::check::RuleSet {
    crate::check::RuleSet::default()
}
