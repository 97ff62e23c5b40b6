//! One file per rule (or per small family of rules that share their check). Each rule declares its
//! metadata with `declare_rule!` (the doc comment is what `protoforge explain` prints) and has a
//! `check(cx, out)` function; the registry in `../registry.rs` lists them.

pub mod comments;
pub mod directory_same_package;
pub mod enum_first_value_zero;
pub mod enum_no_allow_alias;
pub mod enum_pascal_case;
pub mod enum_value_prefix;
pub mod enum_value_upper_snake_case;
pub mod enum_zero_value_suffix;
pub mod field_lower_snake_case;
pub mod field_no_descriptor;
pub mod field_not_required;
pub mod file_lower_snake_case;
pub mod import_no_public;
pub mod import_no_weak;
pub mod import_used;
pub mod message_pascal_case;
pub mod oneof_lower_snake_case;
pub mod package_defined;
pub mod package_directory_match;
pub mod package_lower_snake_case;
pub mod package_no_import_cycle;
pub mod package_same_directory;
pub mod package_same_option;
pub mod package_version_suffix;
pub mod protovalidate;
pub mod rpc_no_streaming;
pub mod rpc_pascal_case;
pub mod rpc_request_response_unique;
pub mod rpc_standard_name;
pub mod service_pascal_case;
pub mod service_suffix;
pub mod stable_package_no_import_unstable;
pub mod syntax_specified;
