//! The breaking rules, one small file per rule or per small family. Each rule's doc comment (in
//! [`declare_rule!`](crate::declare_rule)) is its documentation; [`ALL`] is the registry.

use std::collections::BTreeMap;

use prost_reflect::{EnumDescriptor, ExtensionDescriptor, FileDescriptor, MessageDescriptor};

use super::pairs::{nested_name, Pairs};
use super::Report;
use crate::check::RuleMeta;
use crate::image::ImageFile;

mod deprecated;
mod enum_same;
mod enum_value_no_delete;
mod enum_value_same_name;
mod extension_message_no_delete;
mod field_no_delete;
mod field_same_cardinality;
mod field_same_cpp_string_type;
mod field_same_default;
mod field_same_json_name;
mod field_same_jstype;
mod field_same_name;
mod field_same_oneof;
mod field_same_type;
mod field_same_utf8_validation;
mod file_no_delete;
mod file_same_option;
mod message_json_format;
mod message_no_remove_standard_descriptor_accessor;
mod message_same_required_fields;
mod no_delete;
mod oneof_no_delete;
mod package_no_delete;
mod reserved_no_delete;
mod rpc;
pub(crate) mod tag_ranges;

/// A rule: its metadata and the check over the pairs.
pub struct Rule {
    pub meta: RuleMeta,
    pub check: for<'a> fn(&Pairs<'a>, &mut Report<'a>),
}

macro_rules! registry {
    ($($module:ident :: $rule:ident => $check:path,)*) => {
        /// Every rule of every config version (which versions have which rule is in `categories`).
        pub const ALL: &[Rule] = &[
            $(Rule { meta: $module::$rule, check: $check },)*
        ];
    };
}

registry! {
    no_delete::ENUM_NO_DELETE => no_delete::enum_no_delete,
    no_delete::EXTENSION_NO_DELETE => no_delete::extension_no_delete,
    file_no_delete::FILE_NO_DELETE => file_no_delete::check,
    no_delete::MESSAGE_NO_DELETE => no_delete::message_no_delete,
    no_delete::SERVICE_NO_DELETE => no_delete::service_no_delete,
    enum_same::ENUM_SAME_TYPE => enum_same::enum_same_type,
    enum_same::ENUM_SAME_JSON_FORMAT => enum_same::enum_same_json_format,
    enum_value_no_delete::ENUM_VALUE_NO_DELETE => enum_value_no_delete::no_delete,
    enum_value_no_delete::ENUM_VALUE_NO_DELETE_UNLESS_NAME_RESERVED => enum_value_no_delete::unless_name_reserved,
    enum_value_no_delete::ENUM_VALUE_NO_DELETE_UNLESS_NUMBER_RESERVED => enum_value_no_delete::unless_number_reserved,
    enum_value_same_name::ENUM_VALUE_SAME_NAME => enum_value_same_name::check,
    extension_message_no_delete::EXTENSION_MESSAGE_NO_DELETE => extension_message_no_delete::check,
    field_no_delete::FIELD_NO_DELETE => field_no_delete::no_delete,
    field_no_delete::FIELD_NO_DELETE_UNLESS_NAME_RESERVED => field_no_delete::unless_name_reserved,
    field_no_delete::FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED => field_no_delete::unless_number_reserved,
    field_same_cardinality::FIELD_SAME_CARDINALITY => field_same_cardinality::same,
    field_same_cardinality::FIELD_WIRE_COMPATIBLE_CARDINALITY => field_same_cardinality::wire,
    field_same_cardinality::FIELD_WIRE_JSON_COMPATIBLE_CARDINALITY => field_same_cardinality::wire_json,
    field_same_cpp_string_type::FIELD_SAME_CPP_STRING_TYPE => field_same_cpp_string_type::check,
    field_same_utf8_validation::FIELD_SAME_JAVA_UTF8_VALIDATION => field_same_utf8_validation::java,
    field_same_jstype::FIELD_SAME_JSTYPE => field_same_jstype::check,
    field_same_utf8_validation::FIELD_SAME_UTF8_VALIDATION => field_same_utf8_validation::standard,
    field_same_type::FIELD_SAME_TYPE => field_same_type::same,
    field_same_type::FIELD_WIRE_COMPATIBLE_TYPE => field_same_type::wire,
    field_same_type::FIELD_WIRE_JSON_COMPATIBLE_TYPE => field_same_type::wire_json,
    field_same_json_name::FIELD_SAME_JSON_NAME => field_same_json_name::check,
    field_same_name::FIELD_SAME_NAME => field_same_name::check,
    field_same_default::FIELD_SAME_DEFAULT => field_same_default::check,
    field_same_oneof::FIELD_SAME_ONEOF => field_same_oneof::check,
    file_same_option::FILE_SAME_CC_ENABLE_ARENAS => file_same_option::cc_enable_arenas,
    file_same_option::FILE_SAME_CC_GENERIC_SERVICES => file_same_option::cc_generic_services,
    file_same_option::FILE_SAME_CSHARP_NAMESPACE => file_same_option::csharp_namespace,
    file_same_option::FILE_SAME_GO_PACKAGE => file_same_option::go_package,
    file_same_option::FILE_SAME_JAVA_GENERIC_SERVICES => file_same_option::java_generic_services,
    file_same_option::FILE_SAME_JAVA_MULTIPLE_FILES => file_same_option::java_multiple_files,
    file_same_option::FILE_SAME_JAVA_OUTER_CLASSNAME => file_same_option::java_outer_classname,
    file_same_option::FILE_SAME_JAVA_PACKAGE => file_same_option::java_package,
    file_same_option::FILE_SAME_OBJC_CLASS_PREFIX => file_same_option::objc_class_prefix,
    file_same_option::FILE_SAME_OPTIMIZE_FOR => file_same_option::optimize_for,
    file_same_option::FILE_SAME_PHP_CLASS_PREFIX => file_same_option::php_class_prefix,
    file_same_option::FILE_SAME_PHP_METADATA_NAMESPACE => file_same_option::php_metadata_namespace,
    file_same_option::FILE_SAME_PHP_NAMESPACE => file_same_option::php_namespace,
    file_same_option::FILE_SAME_PY_GENERIC_SERVICES => file_same_option::py_generic_services,
    file_same_option::FILE_SAME_RUBY_PACKAGE => file_same_option::ruby_package,
    file_same_option::FILE_SAME_SWIFT_PREFIX => file_same_option::swift_prefix,
    file_same_option::FILE_SAME_SYNTAX => file_same_option::syntax,
    file_same_option::FILE_SAME_PACKAGE => file_same_option::package,
    message_no_remove_standard_descriptor_accessor::MESSAGE_NO_REMOVE_STANDARD_DESCRIPTOR_ACCESSOR => message_no_remove_standard_descriptor_accessor::check,
    message_json_format::MESSAGE_SAME_JSON_FORMAT => message_json_format::check,
    message_same_required_fields::MESSAGE_SAME_REQUIRED_FIELDS => message_same_required_fields::check,
    oneof_no_delete::ONEOF_NO_DELETE => oneof_no_delete::check,
    package_no_delete::PACKAGE_ENUM_NO_DELETE => package_no_delete::enums,
    package_no_delete::PACKAGE_EXTENSION_NO_DELETE => package_no_delete::extensions,
    package_no_delete::PACKAGE_MESSAGE_NO_DELETE => package_no_delete::messages,
    package_no_delete::PACKAGE_NO_DELETE => package_no_delete::packages,
    package_no_delete::PACKAGE_SERVICE_NO_DELETE => package_no_delete::services,
    reserved_no_delete::RESERVED_ENUM_NO_DELETE => reserved_no_delete::enums,
    reserved_no_delete::RESERVED_MESSAGE_NO_DELETE => reserved_no_delete::messages,
    rpc::RPC_NO_DELETE => rpc::no_delete,
    rpc::RPC_SAME_CLIENT_STREAMING => rpc::same_client_streaming,
    rpc::RPC_SAME_IDEMPOTENCY_LEVEL => rpc::same_idempotency_level,
    rpc::RPC_SAME_REQUEST_TYPE => rpc::same_request_type,
    rpc::RPC_SAME_RESPONSE_TYPE => rpc::same_response_type,
    rpc::RPC_SAME_SERVER_STREAMING => rpc::same_server_streaming,
    deprecated::FIELD_SAME_CTYPE => deprecated::replaced,
    deprecated::FIELD_SAME_LABEL => deprecated::replaced,
    deprecated::FILE_SAME_JAVA_STRING_CHECK_UTF8 => deprecated::replaced,
    deprecated::FILE_SAME_PHP_GENERIC_SERVICES => deprecated::retired,
    deprecated::MESSAGE_SAME_MESSAGE_SET_WIRE_FORMAT => deprecated::retired,
}

/// The current image file a descriptor of the current side lives in.
fn current_file<'a>(p: &Pairs<'a>, fd: &FileDescriptor) -> Option<&'a ImageFile> {
    p.current.file(fd.name())
}

/// Messages of one file (nested ones too) by name relative to the package.
fn file_messages(fd: &FileDescriptor) -> BTreeMap<String, MessageDescriptor> {
    fn walk(m: MessageDescriptor, pkg: &str, out: &mut BTreeMap<String, MessageDescriptor>) {
        for c in m.child_messages() {
            walk(c, pkg, out);
        }
        out.insert(nested_name(m.full_name(), pkg).to_string(), m);
    }
    let mut out = BTreeMap::new();
    for m in fd.messages() {
        walk(m, fd.package_name(), &mut out);
    }
    out
}

/// Enums of one file (nested ones too) by name relative to the package.
fn file_enums(fd: &FileDescriptor) -> BTreeMap<String, EnumDescriptor> {
    let mut out: BTreeMap<String, EnumDescriptor> = fd
        .enums()
        .map(|e| (nested_name(e.full_name(), fd.package_name()).to_string(), e))
        .collect();
    for m in file_messages(fd).values() {
        for e in m.child_enums() {
            out.insert(nested_name(e.full_name(), fd.package_name()).to_string(), e);
        }
    }
    out
}

/// Extensions of one file (nested ones too) by name relative to the package.
fn file_extensions(fd: &FileDescriptor) -> BTreeMap<String, ExtensionDescriptor> {
    let mut out: BTreeMap<String, ExtensionDescriptor> = fd
        .extensions()
        .map(|x| (nested_name(x.full_name(), fd.package_name()).to_string(), x))
        .collect();
    for m in file_messages(fd).values() {
        for x in m.child_extensions() {
            out.insert(nested_name(x.full_name(), fd.package_name()).to_string(), x);
        }
    }
    out
}

/// Where buf reports a deleted nested element: the closest enclosing message that still exists
/// (looked up in `messages`, by nested name), or `None` for the file itself.
fn surviving_parent<'m>(
    messages: &'m BTreeMap<String, MessageDescriptor>,
    nested: &str,
) -> Option<&'m MessageDescriptor> {
    let parts: Vec<&str> = nested.split('.').collect();
    (1..parts.len())
        .rev()
        .find_map(|i| messages.get(&parts[..i].join(".")))
}

/// The help for a deletion that only a relaxed policy allows.
fn relax_help(rule: &str, what: &str) -> String {
    format!(
        "deleting {what} breaks code generated from it; keep it (mark it `deprecated`), or if no \
         consumer uses it any more, add `{rule}` to `breaking.except` in buf.yaml"
    )
}

/// buf's span of a pseudo-option (`json_name = "x"`, `default = 1`) starts at the option name; the
/// compiler's span covers only the value. `None` when the source is not at hand.
fn option_span(file: &ImageFile, path: &[i32], option: &str) -> Option<crate::check::Span> {
    let mut span = file.locations().span(path)?;
    let source = file.source.as_deref()?;
    let line = source
        .lines()
        .nth(span.start_line.checked_sub(1)? as usize)?;
    let before: String = line
        .chars()
        .take(span.start_column.saturating_sub(1) as usize)
        .collect();
    let at = before.rfind(option)?;
    span.start_column = before[..at].chars().count() as u32 + 1;
    Some(span)
}
