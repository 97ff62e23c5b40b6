//! Deprecated rule ids. Selecting one selects the rules that replaced it (with a warning); the
//! ones without replacement no longer check anything.

use crate::breaking::{Pairs, Report};

crate::declare_rule! {
    /// Deprecated: replaced by FIELD_SAME_CPP_STRING_TYPE, which also covers the editions feature.
    pub FIELD_SAME_CTYPE = "Deprecated: use FIELD_SAME_CPP_STRING_TYPE."
}

crate::declare_rule! {
    /// Deprecated: replaced by FIELD_SAME_CARDINALITY, FIELD_WIRE_COMPATIBLE_CARDINALITY and
    /// FIELD_WIRE_JSON_COMPATIBLE_CARDINALITY.
    pub FIELD_SAME_LABEL = "Deprecated: use FIELD_SAME_CARDINALITY and the wire-compatible variants."
}

crate::declare_rule! {
    /// Deprecated: replaced by FIELD_SAME_JAVA_UTF8_VALIDATION.
    pub FILE_SAME_JAVA_STRING_CHECK_UTF8 = "Deprecated: use FIELD_SAME_JAVA_UTF8_VALIDATION."
}

crate::declare_rule! {
    /// Deprecated: the `php_generic_services` option no longer exists; this rule checks nothing.
    pub FILE_SAME_PHP_GENERIC_SERVICES = "Deprecated: checks nothing."
}

crate::declare_rule! {
    /// Deprecated: checks nothing any more.
    pub MESSAGE_SAME_MESSAGE_SET_WIRE_FORMAT = "Deprecated: checks nothing."
}

/// Never runs: selection replaces the id by its replacements.
pub(super) fn replaced<'a>(_: &Pairs<'a>, _: &mut Report<'a>) {}

/// Runs and reports nothing, as buf.
pub(super) fn retired<'a>(_: &Pairs<'a>, _: &mut Report<'a>) {}
