//! Which rules exist, what runs them, and their categories in each config version (buf 1.75's
//! tables; `protoforge config ls-lint-rules --version V` prints them).

use crate::check::{CategoryInfo, RuleInfo, RuleMeta, RuleSet};
use crate::config::ConfigVersion;
use crate::lint::rules::*;
use crate::lint::{Context, Sink};

/// A lint rule: metadata, its check, and its categories per config version (`None`: the rule does
/// not exist in that version).
pub struct Rule {
    pub meta: RuleMeta,
    pub check: fn(&Context, &mut Sink),
    /// A note for stderr about the run (e.g. a check that is not implemented).
    pub note: fn(&Context) -> Option<String>,
    pub v2: Option<&'static [&'static str]>,
    pub v1: Option<&'static [&'static str]>,
    pub v1beta1: Option<&'static [&'static str]>,
}

fn no_note(_: &Context) -> Option<String> {
    None
}

const MIN: &[&str] = &["MINIMAL", "BASIC", "STANDARD"];
const BASIC: &[&str] = &["BASIC", "STANDARD"];
const STD: &[&str] = &["STANDARD"];
const COMMENTS: &[&str] = &["COMMENTS"];
const UNARY: &[&str] = &["UNARY_RPC"];
const NONE: &[&str] = &[];
const B1_LAYOUT: &[&str] = &["MINIMAL", "BASIC", "STANDARD", "FILE_LAYOUT"];
const B1_AFFINITY: &[&str] = &["MINIMAL", "BASIC", "STANDARD", "PACKAGE_AFFINITY"];
const B1_SENSIBLE: &[&str] = &["MINIMAL", "BASIC", "STANDARD", "SENSIBLE"];
const B1_STYLE_BASIC: &[&str] = &["BASIC", "STANDARD", "STYLE_BASIC", "STYLE_STANDARD"];
const B1_STYLE_STD: &[&str] = &["STANDARD", "STYLE_STANDARD"];
const B1_OTHER: &[&str] = &["OTHER"];

macro_rules! rule {
    ($meta:expr, $check:expr, $v2:expr, $v1:expr, $v1beta1:expr) => {
        Rule {
            meta: $meta,
            check: $check,
            note: no_note,
            v2: $v2,
            v1: $v1,
            v1beta1: $v1beta1,
        }
    };
}

/// Every lint rule protoforge knows, in any version.
pub static RULES: &[Rule] = &[
    rule!(
        directory_same_package::DIRECTORY_SAME_PACKAGE,
        directory_same_package::check,
        Some(MIN),
        Some(MIN),
        Some(B1_LAYOUT)
    ),
    rule!(
        package_defined::PACKAGE_DEFINED,
        package_defined::check,
        Some(MIN),
        Some(MIN),
        Some(B1_SENSIBLE)
    ),
    rule!(
        package_directory_match::PACKAGE_DIRECTORY_MATCH,
        package_directory_match::check,
        Some(MIN),
        Some(MIN),
        Some(B1_LAYOUT)
    ),
    rule!(
        package_no_import_cycle::PACKAGE_NO_IMPORT_CYCLE,
        package_no_import_cycle::check,
        Some(MIN),
        Some(NONE),
        None
    ),
    rule!(
        package_same_directory::PACKAGE_SAME_DIRECTORY,
        package_same_directory::check,
        Some(MIN),
        Some(MIN),
        Some(B1_LAYOUT)
    ),
    rule!(
        enum_first_value_zero::ENUM_FIRST_VALUE_ZERO,
        enum_first_value_zero::check,
        Some(BASIC),
        Some(BASIC),
        Some(B1_OTHER)
    ),
    rule!(
        enum_no_allow_alias::ENUM_NO_ALLOW_ALIAS,
        enum_no_allow_alias::check,
        Some(BASIC),
        Some(BASIC),
        Some(B1_SENSIBLE)
    ),
    rule!(
        enum_pascal_case::ENUM_PASCAL_CASE,
        enum_pascal_case::check,
        Some(BASIC),
        Some(BASIC),
        Some(B1_STYLE_BASIC)
    ),
    rule!(
        enum_value_upper_snake_case::ENUM_VALUE_UPPER_SNAKE_CASE,
        enum_value_upper_snake_case::check,
        Some(BASIC),
        Some(BASIC),
        Some(B1_STYLE_BASIC)
    ),
    rule!(
        field_lower_snake_case::FIELD_LOWER_SNAKE_CASE,
        field_lower_snake_case::check,
        Some(BASIC),
        Some(BASIC),
        Some(B1_STYLE_BASIC)
    ),
    rule!(
        field_no_descriptor::FIELD_NO_DESCRIPTOR,
        field_no_descriptor::check,
        None,
        None,
        Some(B1_SENSIBLE)
    ),
    rule!(
        field_not_required::FIELD_NOT_REQUIRED,
        field_not_required::check,
        Some(BASIC),
        None,
        None
    ),
    rule!(
        import_no_public::IMPORT_NO_PUBLIC,
        import_no_public::check,
        Some(BASIC),
        Some(BASIC),
        Some(B1_SENSIBLE)
    ),
    rule!(
        import_used::IMPORT_USED,
        import_used::check,
        Some(BASIC),
        Some(BASIC),
        None
    ),
    rule!(
        message_pascal_case::MESSAGE_PASCAL_CASE,
        message_pascal_case::check,
        Some(BASIC),
        Some(BASIC),
        Some(B1_STYLE_BASIC)
    ),
    rule!(
        oneof_lower_snake_case::ONEOF_LOWER_SNAKE_CASE,
        oneof_lower_snake_case::check,
        Some(BASIC),
        Some(BASIC),
        Some(B1_STYLE_BASIC)
    ),
    rule!(
        package_lower_snake_case::PACKAGE_LOWER_SNAKE_CASE,
        package_lower_snake_case::check,
        Some(BASIC),
        Some(BASIC),
        Some(B1_STYLE_BASIC)
    ),
    rule!(
        package_same_option::PACKAGE_SAME_CSHARP_NAMESPACE,
        package_same_option::check_csharp_namespace,
        Some(BASIC),
        Some(BASIC),
        Some(B1_AFFINITY)
    ),
    rule!(
        package_same_option::PACKAGE_SAME_GO_PACKAGE,
        package_same_option::check_go_package,
        Some(BASIC),
        Some(BASIC),
        Some(B1_AFFINITY)
    ),
    rule!(
        package_same_option::PACKAGE_SAME_JAVA_MULTIPLE_FILES,
        package_same_option::check_java_multiple_files,
        Some(BASIC),
        Some(BASIC),
        Some(B1_AFFINITY)
    ),
    rule!(
        package_same_option::PACKAGE_SAME_JAVA_PACKAGE,
        package_same_option::check_java_package,
        Some(BASIC),
        Some(BASIC),
        Some(B1_AFFINITY)
    ),
    rule!(
        package_same_option::PACKAGE_SAME_PHP_NAMESPACE,
        package_same_option::check_php_namespace,
        Some(BASIC),
        Some(BASIC),
        Some(B1_AFFINITY)
    ),
    rule!(
        package_same_option::PACKAGE_SAME_RUBY_PACKAGE,
        package_same_option::check_ruby_package,
        Some(BASIC),
        Some(BASIC),
        Some(B1_AFFINITY)
    ),
    rule!(
        package_same_option::PACKAGE_SAME_SWIFT_PREFIX,
        package_same_option::check_swift_prefix,
        Some(BASIC),
        Some(BASIC),
        Some(B1_AFFINITY)
    ),
    rule!(
        rpc_pascal_case::RPC_PASCAL_CASE,
        rpc_pascal_case::check,
        Some(BASIC),
        Some(BASIC),
        Some(B1_STYLE_BASIC)
    ),
    rule!(
        service_pascal_case::SERVICE_PASCAL_CASE,
        service_pascal_case::check,
        Some(BASIC),
        Some(BASIC),
        Some(B1_STYLE_BASIC)
    ),
    rule!(
        syntax_specified::SYNTAX_SPECIFIED,
        syntax_specified::check,
        Some(BASIC),
        Some(BASIC),
        None
    ),
    rule!(
        enum_value_prefix::ENUM_VALUE_PREFIX,
        enum_value_prefix::check,
        Some(STD),
        Some(STD),
        Some(B1_STYLE_STD)
    ),
    rule!(
        enum_zero_value_suffix::ENUM_ZERO_VALUE_SUFFIX,
        enum_zero_value_suffix::check,
        Some(STD),
        Some(STD),
        Some(B1_STYLE_STD)
    ),
    rule!(
        file_lower_snake_case::FILE_LOWER_SNAKE_CASE,
        file_lower_snake_case::check,
        Some(STD),
        Some(STD),
        Some(B1_STYLE_STD)
    ),
    rule!(
        package_version_suffix::PACKAGE_VERSION_SUFFIX,
        package_version_suffix::check,
        Some(STD),
        Some(STD),
        Some(B1_STYLE_STD)
    ),
    rule!(
        protovalidate::PROTOVALIDATE,
        protovalidate::check,
        Some(STD),
        Some(STD),
        None
    ),
    rule!(
        rpc_request_response_unique::RPC_REQUEST_RESPONSE_UNIQUE,
        rpc_request_response_unique::check,
        Some(STD),
        Some(STD),
        Some(B1_STYLE_STD)
    ),
    rule!(
        rpc_standard_name::RPC_REQUEST_STANDARD_NAME,
        rpc_standard_name::check_request,
        Some(STD),
        Some(STD),
        Some(B1_STYLE_STD)
    ),
    rule!(
        rpc_standard_name::RPC_RESPONSE_STANDARD_NAME,
        rpc_standard_name::check_response,
        Some(STD),
        Some(STD),
        Some(B1_STYLE_STD)
    ),
    rule!(
        service_suffix::SERVICE_SUFFIX,
        service_suffix::check,
        Some(STD),
        Some(STD),
        Some(B1_STYLE_STD)
    ),
    rule!(
        comments::COMMENT_ENUM,
        comments::check_enum,
        Some(COMMENTS),
        Some(COMMENTS),
        Some(COMMENTS)
    ),
    rule!(
        comments::COMMENT_ENUM_VALUE,
        comments::check_enum_value,
        Some(COMMENTS),
        Some(COMMENTS),
        Some(COMMENTS)
    ),
    rule!(
        comments::COMMENT_FIELD,
        comments::check_field,
        Some(COMMENTS),
        Some(COMMENTS),
        Some(COMMENTS)
    ),
    rule!(
        comments::COMMENT_MESSAGE,
        comments::check_message,
        Some(COMMENTS),
        Some(COMMENTS),
        Some(COMMENTS)
    ),
    rule!(
        comments::COMMENT_ONEOF,
        comments::check_oneof,
        Some(COMMENTS),
        Some(COMMENTS),
        Some(COMMENTS)
    ),
    rule!(
        comments::COMMENT_RPC,
        comments::check_rpc,
        Some(COMMENTS),
        Some(COMMENTS),
        Some(COMMENTS)
    ),
    rule!(
        comments::COMMENT_SERVICE,
        comments::check_service,
        Some(COMMENTS),
        Some(COMMENTS),
        Some(COMMENTS)
    ),
    rule!(
        rpc_no_streaming::RPC_NO_CLIENT_STREAMING,
        rpc_no_streaming::check_client,
        Some(UNARY),
        Some(UNARY),
        Some(UNARY)
    ),
    rule!(
        rpc_no_streaming::RPC_NO_SERVER_STREAMING,
        rpc_no_streaming::check_server,
        Some(UNARY),
        Some(UNARY),
        Some(UNARY)
    ),
    rule!(
        import_no_weak::IMPORT_NO_WEAK,
        import_no_weak::check,
        Some(NONE),
        Some(NONE),
        Some(NONE)
    ),
    rule!(
        stable_package_no_import_unstable::STABLE_PACKAGE_NO_IMPORT_UNSTABLE,
        stable_package_no_import_unstable::check,
        Some(NONE),
        None,
        None
    ),
];

/// Rules buf marks deprecated: accepted by id, hidden from listings.
pub const DEPRECATED_UNLISTED: &[&str] = &["IMPORT_NO_WEAK"];

fn categories(version: ConfigVersion) -> Vec<CategoryInfo> {
    let c = |id, purpose| CategoryInfo {
        id,
        purpose,
        alias_of: None,
    };
    let mut out = vec![
        c(
            "MINIMAL",
            "Checks that files are laid out and packaged so that code can be generated at all.",
        ),
        c(
            "BASIC",
            "MINIMAL plus the naming and usage conventions most projects follow.",
        ),
        c(
            "STANDARD",
            "BASIC plus versioned packages, enum prefixes and per-RPC messages (the default).",
        ),
    ];
    if version == ConfigVersion::V1Beta1 {
        out.extend([
            c("FILE_LAYOUT", "Checks on files, directories and packages."),
            c(
                "PACKAGE_AFFINITY",
                "Checks that the files of a package agree on their file options.",
            ),
            c(
                "SENSIBLE",
                "Checks against features that are legal but lead to trouble.",
            ),
            c("STYLE_BASIC", "Basic casing checks."),
            c(
                "STYLE_STANDARD",
                "STYLE_BASIC plus prefixes, suffixes and versioning.",
            ),
        ]);
    }
    out.extend([
        c("COMMENTS", "Checks that elements are documented."),
        c("UNARY_RPC", "Checks that RPCs do not stream."),
    ]);
    if version == ConfigVersion::V1Beta1 {
        out.push(c("OTHER", "Rules in no other v1beta1 category."));
    }
    out.push(CategoryInfo {
        id: "DEFAULT",
        purpose: "Deprecated: use STANDARD.",
        alias_of: Some("STANDARD"),
    });
    if version == ConfigVersion::V1Beta1 {
        out.push(CategoryInfo {
            id: "STYLE_DEFAULT",
            purpose: "Deprecated: use STYLE_STANDARD.",
            alias_of: Some("STYLE_STANDARD"),
        });
    }
    out
}

/// The lint rules and categories of a config version, in buf's listing order.
pub fn rule_set(version: ConfigVersion) -> RuleSet {
    let cats = categories(version);
    let mut rules: Vec<RuleInfo> = RULES
        .iter()
        .filter_map(|r| {
            let categories = match version {
                ConfigVersion::V2 => r.v2,
                ConfigVersion::V1 => r.v1,
                ConfigVersion::V1Beta1 => r.v1beta1,
            }?;
            Some(RuleInfo {
                meta: r.meta,
                categories: categories.to_vec(),
                replaced_by: vec![],
            })
        })
        .collect();
    let order = |r: &RuleInfo| {
        let idx: Vec<usize> = r
            .categories
            .iter()
            .map(|c| cats.iter().position(|k| k.id == *c).unwrap_or(usize::MAX))
            .collect();
        (idx.is_empty(), idx, r.id())
    };
    rules.sort_by(|a, b| order(a).cmp(&order(b)));
    RuleSet {
        rules,
        categories: cats,
        default_use: vec!["STANDARD"],
    }
}

/// Whether buf lists the rule (deprecated rules are accepted but not listed).
pub fn is_listed(id: &str) -> bool {
    !DEPRECATED_UNLISTED.contains(&id)
}

/// The one-line fix of a rule (the `Fix:` paragraph of its doc), else its purpose.
pub fn help_line(id: &str) -> String {
    // Every finding carries its rule's line: each is made once per process.
    static LINES: std::sync::OnceLock<std::collections::HashMap<&'static str, String>> =
        std::sync::OnceLock::new();
    let lines = LINES.get_or_init(|| {
        RULES
            .iter()
            .map(|r| (r.meta.id, help_line_of(r.meta.id)))
            .collect()
    });
    lines.get(id).cloned().unwrap_or_default()
}

fn help_line_of(id: &str) -> String {
    let Some(rule) = RULES.iter().find(|r| r.meta.id == id) else {
        return String::new();
    };
    let doc = rule.meta.doc;
    if let Some(i) = doc.find("Fix:") {
        let rest = &doc[i + 4..];
        let para: Vec<&str> = rest
            .split('\n')
            .map(str::trim)
            .take_while(|l| !l.is_empty())
            .collect();
        return para.join(" ");
    }
    rule.meta.purpose.to_string()
}
